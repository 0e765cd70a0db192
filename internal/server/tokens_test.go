package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
)

func TestAPITokensThroughGraphQL(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	ada := base.Client.User.Create().SetHandle("ada").SetName("Ada").SaveX(sys)
	bob := base.Client.User.Create().SetHandle("bob").SetName("Bob").SaveX(sys)
	asAda, asBob := "Session "+string(ada.ID), "Session "+string(bob.ID)

	const create = `mutation($in: CreateAPITokenInput!) { createAPIToken(input: $in) {
		token apiToken { id name scopes hint expiresAt } userErrors { code message field } } }`
	const revoke = `mutation($id: ID!) { revokeAPIToken(input: {id: $id}) { apiToken { id revokedAt } userErrors { code message field } } }`

	if r := query(t, h, "", `{ me { handle } }`, nil); r.Data["me"] != nil || len(r.Errors) > 0 {
		t.Errorf("anonymous me = %+v", r)
	}
	if r := query(t, h, "", create, map[string]any{"in": map[string]any{"name": "x", "scopes": []string{"READ"}}}); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous createAPIToken: %+v", r.Errors)
	}

	r := query(t, h, asAda, create, map[string]any{"in": map[string]any{"name": "sync", "scopes": []string{"READ"}, "expiresInDays": 30}})
	if !accepted(r, "createAPIToken") {
		t.Fatalf("createAPIToken: %+v %+v", r.Data, r.Errors)
	}
	secret, _ := dig(r.Data, "createAPIToken", "token").(string)
	tokID, _ := dig(r.Data, "createAPIToken", "apiToken", "id").(string)
	if !strings.HasPrefix(secret, "ugt_") || dig(r.Data, "createAPIToken", "apiToken", "expiresAt") == nil ||
		fmt.Sprint(dig(r.Data, "createAPIToken", "apiToken", "scopes")) != "[READ]" {
		t.Fatalf("payload = %+v", r.Data)
	}
	bearer := "Bearer " + secret

	if r := query(t, h, bearer, `{ me { handle apiTokens { totalCount } } }`, nil); dig(r.Data, "me", "handle") != "ada" ||
		dig(r.Data, "me", "apiTokens", "totalCount") != float64(1) {
		t.Errorf("me with the token = %+v %+v", r.Data, r.Errors)
	}
	// Nobody else sees Ada's tokens.
	if r := query(t, h, asBob, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": tokID}); code(r) != "NOT_FOUND" {
		t.Errorf("bob looks up ada's token: %+v", r)
	}
	// A token cannot mint tokens, and a read token cannot change anything.
	if r := query(t, h, bearer, create, map[string]any{"in": map[string]any{"name": "y", "scopes": []string{"WRITE"}}}); code(r) != "FORBIDDEN" {
		t.Errorf("token creates a token: %+v", r.Errors)
	}
	if r := query(t, h, bearer, revoke, map[string]any{"id": tokID}); code(r) != "FORBIDDEN" {
		t.Errorf("read token revokes: %+v", r.Errors)
	}
	// Scopes are an enum: an unknown one never reaches the step.
	if r := query(t, h, asAda, create, map[string]any{"in": map[string]any{"name": "z", "scopes": []string{"root"}}}); len(r.Errors) == 0 || r.Data["createAPIToken"] != nil {
		t.Errorf("unknown scope: %+v %+v", r.Data, r.Errors)
	}
	// Input the step refuses is answered in userErrors, and no token is made.
	for _, in := range []map[string]any{{"name": "z", "scopes": []string{}}, {"name": "z", "scopes": []string{"READ"}, "expiresInDays": 731}} {
		r := query(t, h, asAda, create, map[string]any{"in": in})
		if ue := userError(r, "createAPIToken"); len(r.Errors) > 0 || ue == nil || ue["code"] != "BAD_USER_INPUT" ||
			dig(r.Data, "createAPIToken", "token") != nil || base.Client.APIToken.Query().CountX(sys) != 1 {
			t.Errorf("createAPIToken %v: %+v %+v", in, r.Data, r.Errors)
		}
	}
	// Ada's token does not exist for Bob: NOT_FOUND, as to his reads,
	// answered in userErrors; the token still works.
	if r := query(t, h, asBob, revoke, map[string]any{"id": tokID}); code(r) != "NOT_FOUND" || len(r.Errors) > 0 ||
		base.Client.APIToken.GetX(sys, pulid.ID(tokID)).RevokedAt != nil {
		t.Errorf("bob revokes ada's token: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, asAda, revoke, map[string]any{"id": tokID}); !accepted(r, "revokeAPIToken") || dig(r.Data, "revokeAPIToken", "apiToken", "revokedAt") == nil {
		t.Errorf("ada revokes her token: %+v %+v", r.Data, r.Errors)
	}

	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ me { handle } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", bearer)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "UNAUTHENTICATED") {
		t.Errorf("revoked token: %d %s", rec.Code, rec.Body)
	}
}
