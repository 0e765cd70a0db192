package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// post sends a GraphQL request to h and returns the response's status and
// body (query is post without the status).
func post(t testing.TB, h http.Handler, header, q string, vars map[string]any) (int, gqlResponse) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body, err)
	}
	return rec.Code, out
}

// missingScope is the extensions.missingScope of a response's first error.
func missingScope(r gqlResponse) any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions["missingScope"]
}

// TestServiceAccountsAndScopes: staff create a service account and issue
// it a token with the EVENTS read scope only. The token reads events, is
// refused a roster query as a whole (403, missingScope ROSTER) before it
// runs, is refused a role found through node() by the privacy rules, and
// cannot take a step its scopes lack. Staff see its last use and revoke
// it; everything is audited; the token stops at once.
func TestServiceAccountsAndScopes(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	c := tx.Client()
	com := c.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	g := c.Group.Create().SetCommunityID(com.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").
		SetCountry("US").SetLatitude(37.80).SetLongitude(-122.27).SetStatus("ACTIVE").SaveX(sys)
	start := time.Now().AddDate(0, 0, 7)
	ev := c.Event.Create().SetGroupID(g.ID).SetTitle("Meetup").SetTimeZone("UTC").
		SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetStatus("PUBLISHED").SaveX(sys)
	manager := c.User.Create().SetHandle("manager").SetName("Manager").SaveX(sys)
	c.Role.Create().SetUserID(manager.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	organizer := c.User.Create().SetHandle("organizer").SetName("Organizer").SaveX(sys)
	orgRole := c.Role.Create().SetUserID(organizer.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).SaveX(sys)
	eve := c.User.Create().SetHandle("eve").SetName("Eve").SaveX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	c = base.Client
	asManager, asOrganizer, asEve := "Session "+string(manager.ID), "Session "+string(organizer.ID), "Session "+string(eve.ID)

	const createAccount = `mutation($in: CreateServiceAccountInput!) { createServiceAccount(input: $in) {
		serviceAccount { id name purpose group { slug } owner { handle } user { handle name } } userErrors { code message field } } }`
	in := func(group any) map[string]any {
		return map[string]any{"in": map[string]any{"community": "openstack", "group": group, "name": "website sync", "purpose": "lists our events on the website"}}
	}
	if r := query(t, h, asEve, createAccount, in(nil)); code(r) != "FORBIDDEN" {
		t.Errorf("eve creates a community account: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, asOrganizer, createAccount, in(nil)); code(r) != "FORBIDDEN" {
		t.Errorf("an organizer creates a community account: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, asOrganizer, createAccount, in("openstack/oakland")); !accepted(r, "createServiceAccount") ||
		dig(r.Data, "createServiceAccount", "serviceAccount", "group", "slug") != "oakland" {
		t.Errorf("an organizer creates their group's account: %+v %+v", r.Data, r.Errors)
	}
	r := query(t, h, asManager, createAccount, in(nil))
	if !accepted(r, "createServiceAccount") || dig(r.Data, "createServiceAccount", "serviceAccount", "owner", "handle") != "manager" ||
		!strings.HasPrefix(fmt.Sprint(dig(r.Data, "createServiceAccount", "serviceAccount", "user", "handle")), "svc-") {
		t.Fatalf("the manager creates a community account: %+v %+v", r.Data, r.Errors)
	}
	account := dig(r.Data, "createServiceAccount", "serviceAccount", "id").(string)

	const issue = `mutation($in: CreateServiceAccountTokenInput!) { createServiceAccountToken(input: $in) {
		token apiToken { id scopes serviceAccount { id } } userErrors { code message field } } }`
	issueIn := func(scopes ...string) map[string]any {
		return map[string]any{"in": map[string]any{"serviceAccount": account, "name": "nightly", "scopes": scopes}}
	}
	if r := query(t, h, asOrganizer, issue, issueIn("EVENTS")); code(r) != "NOT_FOUND" {
		t.Errorf("an organizer issues a token to the community's account: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, asManager, issue, issueIn("EVENTS"))
	if !accepted(r, "createServiceAccountToken") || fmt.Sprint(dig(r.Data, "createServiceAccountToken", "apiToken", "scopes")) != "[EVENTS]" ||
		dig(r.Data, "createServiceAccountToken", "apiToken", "serviceAccount", "id") != account {
		t.Fatalf("issue: %+v %+v", r.Data, r.Errors)
	}
	bearer := "Bearer " + dig(r.Data, "createServiceAccountToken", "token").(string)
	tokID := dig(r.Data, "createServiceAccountToken", "apiToken", "id").(string)

	// Who the token is.
	r = query(t, h, bearer, `{ viewer { user { name } serviceAccount { id name } token { id } scopes } }`, nil)
	if dig(r.Data, "viewer", "serviceAccount", "id") != account || dig(r.Data, "viewer", "token", "id") != tokID ||
		fmt.Sprint(dig(r.Data, "viewer", "scopes")) != "[EVENTS]" || dig(r.Data, "viewer", "user", "name") != "website sync (service account)" {
		t.Errorf("viewer: %+v %+v", r.Data, r.Errors)
	}
	// What it may read.
	if r := query(t, h, bearer, `query($id: ID!) { node(id: $id) { ... on Event { title } } }`, map[string]any{"id": string(ev.ID)}); dig(r.Data, "node", "title") != "Meetup" || len(r.Errors) > 0 {
		t.Errorf("the token reads an event: %+v %+v", r.Data, r.Errors)
	}
	// A roster query: refused as a whole before it runs, naming the scope.
	for name, doc := range map[string]string{
		"roles":         `{ roles(first: 5) { nodes { kind } } }`,
		"group's roles": `query($id: ID!) { node(id: $id) { ... on Group { name roles { totalCount } } } }`,
		"fragment":      `query($id: ID!) { node(id: $id) { ...R } } fragment R on Role { kind }`,
	} {
		status, r := post(t, h, bearer, doc, map[string]any{"id": string(g.ID)})
		if name == "group's roles" {
			// The group needs GROUPS before its roles need ROSTER.
			if status != http.StatusForbidden || missingScope(r) != "GROUPS" {
				t.Errorf("%s: %d %+v", name, status, r.Errors)
			}
			continue
		}
		if status != http.StatusForbidden || code(r) != "FORBIDDEN" || missingScope(r) != "ROSTER" || r.Data != nil {
			t.Errorf("%s: %d %+v %+v", name, status, r.Data, r.Errors)
		}
	}
	// A role reached without a fragment: the privacy rules refuse it alike.
	status, r := post(t, h, bearer, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": string(orgRole.ID)})
	if status != http.StatusOK || missingScope(r) != "ROSTER" || r.Data["node"] != nil {
		t.Errorf("node(role) without a fragment: %d %+v %+v", status, r.Data, r.Errors)
	}
	// A step its scopes lack: refused before it runs, nothing changes.
	status, r = post(t, h, bearer, `mutation($id: ID!) { cancelEvent(input: {id: $id, reason: "x"}) { event { status } } }`, map[string]any{"id": string(ev.ID)})
	if status != http.StatusForbidden || missingScope(r) != "EVENTS_WRITE" || c.Event.GetX(sys, ev.ID).Status != "PUBLISHED" {
		t.Errorf("cancelEvent with EVENTS: %d %+v", status, r.Errors)
	}
	// No token manages service accounts or their tokens.
	if r := query(t, h, bearer, issue, issueIn("WRITE")); code(r) != "FORBIDDEN" {
		t.Errorf("the token issues a token: %+v", r.Errors)
	}
	if r := query(t, h, bearer, `{ serviceAccounts(community: "openstack") { id } }`, nil); fmt.Sprint(r.Data["serviceAccounts"]) != "[]" {
		t.Errorf("the token lists service accounts: %+v %+v", r.Data, r.Errors)
	}

	// Staff see the accounts and their tokens' last use; eve sees none.
	const list = `{ serviceAccounts(community: "openstack") { id tokens { nodes { id lastUsedAt lastUsedAddress expiresAt revokedAt } } } }`
	r = query(t, h, asManager, list, nil)
	if n, _ := r.Data["serviceAccounts"].([]any); len(n) != 2 {
		t.Fatalf("the manager's list: %+v %+v", r.Data, r.Errors)
	}
	// (The address it was used from is asserted where requests come
	// through the whole server: TestRevokedServiceTokenStopsLive.)
	if sa := r.Data["serviceAccounts"].([]any)[1]; dig(sa, "id") != account || dig(sa, "tokens", "nodes", "0", "lastUsedAt") == nil {
		t.Errorf("last use: %+v", r.Data)
	}
	if r := query(t, h, asEve, list, nil); fmt.Sprint(r.Data["serviceAccounts"]) != "[]" {
		t.Errorf("eve's list: %+v", r.Data)
	}
	// Staff revoke the token; eve cannot; it stops at once.
	const revoke = `mutation($id: ID!) { revokeAPIToken(input: {id: $id}) { apiToken { revokedAt } userErrors { code } } }`
	if r := query(t, h, asEve, revoke, map[string]any{"id": tokID}); code(r) != "NOT_FOUND" {
		t.Errorf("eve revokes: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, asManager, revoke, map[string]any{"id": tokID}); !accepted(r, "revokeAPIToken") {
		t.Fatalf("the manager revokes: %+v %+v", r.Data, r.Errors)
	}
	if status, _ := post(t, h, bearer, `{ viewer { scopes } }`, nil); status != http.StatusUnauthorized {
		t.Errorf("the revoked token: %d", status)
	}
	audit := c.AuditEntry.Query().AllX(sys)
	got := map[string]int{}
	for _, e := range audit {
		got[string(e.Action)+" "+e.NodeType]++
	}
	if got["CREATED ServiceAccount"] != 2 || got["CREATED APIToken"] != 1 || got["REVOKED APIToken"] != 1 {
		t.Errorf("audit = %v", got)
	}

	// Deactivating revokes every token and issues no more.
	r = query(t, h, asManager, issue, issueIn("GROUPS"))
	second := "Bearer " + fmt.Sprint(dig(r.Data, "createServiceAccountToken", "token"))
	if r := query(t, h, asManager, `mutation($id: ID!) { deactivateServiceAccount(input: {id: $id}) { serviceAccount { deactivatedAt } userErrors { code } } }`,
		map[string]any{"id": account}); !accepted(r, "deactivateServiceAccount") {
		t.Fatalf("deactivate: %+v %+v", r.Data, r.Errors)
	}
	if status, _ := post(t, h, second, `{ viewer { scopes } }`, nil); status != http.StatusUnauthorized {
		t.Errorf("a deactivated account's token: %d", status)
	}
	if r := query(t, h, asManager, issue, issueIn("GROUPS")); code(r) != "CONFLICT" {
		t.Errorf("issue to a deactivated account: %+v %+v", r.Data, r.Errors)
	}
}

// TestRevokedServiceTokenStopsLive: a service account's token, revoked by
// the community's staff through the other replica, closes its sockets with
// 4403 within a second, and its next request is refused; its last use was
// recorded with the address it came from.
func TestRevokedServiceTokenStopsLive(t *testing.T) {
	idp := newIdentityProvider(t)
	a, b := replicaPair(t, idp)
	w := buildSettledLiveWorld(t, a, b, idp)
	staff := signIn(t, idp, "manager")
	r := a.post(t, staff, `mutation { createServiceAccount(input: {community: "openstack", name: "chat bot", purpose: "announces roster changes"}) { serviceAccount { id } } }`, nil)
	account := dig(r.Data, "createServiceAccount", "serviceAccount", "id")
	r = a.post(t, staff, `mutation($id: ID!) { createServiceAccountToken(input: {serviceAccount: $id, name: "bot", scopes: [ROSTER, GROUPS]}) { token apiToken { id } } }`,
		map[string]any{"id": account})
	secret, _ := dig(r.Data, "createServiceAccountToken", "token").(string)
	tokID := dig(r.Data, "createServiceAccountToken", "apiToken", "id")
	if secret == "" {
		t.Fatalf("issue: %+v %+v", r.Data, r.Errors)
	}
	if r := b.post(t, secret, `{ viewer { scopes } }`, nil); fmt.Sprint(dig(r.Data, "viewer", "scopes")) != "[GROUPS ROSTER]" {
		t.Fatalf("viewer: %+v %+v", r.Data, r.Errors)
	}
	r = a.post(t, staff, `{ serviceAccounts(community: "openstack") { tokens { nodes { lastUsedAt lastUsedAddress } } } }`, nil)
	if addr := dig(r.Data, "serviceAccounts", "0", "tokens", "nodes", "0", "lastUsedAddress"); addr != "127.0.0.1" {
		t.Errorf("last used from %v: %+v %+v", addr, r.Data, r.Errors)
	}

	sock := b.dial(t, secret)
	sock.subscribe("r", `subscription($g: ID!) { groupRoster(group: $g) { op } }`, map[string]any{"g": string(w.group)})
	waitSubscribers(t, b, 1)
	r = a.post(t, staff, `mutation($id: ID!) { revokeAPIToken(input: {id: $id}) { apiToken { revokedAt } } }`, map[string]any{"id": tokID})
	if dig(r.Data, "revokeAPIToken", "apiToken", "revokedAt") == nil {
		t.Fatalf("revoke: %+v %+v", r.Data, r.Errors)
	}
	revokedAt := time.Now()
	sock.expectClose(4403, revokedAt.Add(time.Second))
	if r := b.post(t, secret, `{ viewer { scopes } }`, nil); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("the revoked token's next request: %+v %+v", r.Data, r.Errors)
	}
	t.Logf("the revocation closed the socket %v after it committed", time.Since(revokedAt))
	waitQuiet(t)
}

// TestToolsReadRecipe runs the first recipe of docs/tools.md: staff create a
// service account and a GROUPS and EVENTS token; the website's query reads
// the community's events with their groups; the roster query is refused
// with 403 naming ROSTER.
func TestToolsReadRecipe(t *testing.T) {
	idp := newIdentityProvider(t)
	a, b := replicaPair(t, idp)
	w := buildSettledLiveWorld(t, a, b, idp)
	ops := recipe(t, "../../docs/tools.md")
	staff := signIn(t, idp, "manager")
	r := a.post(t, staff, ops["CreateAccount"], map[string]any{"community": "openstack"})
	account := dig(r.Data, "createServiceAccount", "serviceAccount", "id")
	if account == nil {
		t.Fatalf("CreateAccount: %+v %+v", r.Data, r.Errors)
	}
	r = a.post(t, staff, ops["IssueToken"], map[string]any{"account": account})
	secret, _ := dig(r.Data, "createServiceAccountToken", "token").(string)
	if secret == "" || fmt.Sprint(dig(r.Data, "createServiceAccountToken", "apiToken", "scopes")) != "[GROUPS EVENTS]" {
		t.Fatalf("IssueToken: %+v %+v", r.Data, r.Errors)
	}
	r = b.post(t, secret, ops["Website"], map[string]any{"community": "openstack"})
	if len(r.Errors) > 0 || dig(r.Data, "events", "nodes", "0", "title") != "Meetup" ||
		dig(r.Data, "events", "nodes", "0", "group", "name") != "Oakland" || dig(r.Data, "viewer", "serviceAccount", "name") != "website" {
		t.Errorf("Website: %+v %+v", r.Data, r.Errors)
	}
	body, _ := json.Marshal(map[string]any{"query": ops["Organizers"], "variables": map[string]any{"group": string(w.group)}})
	req, _ := http.NewRequest(http.MethodPost, b.url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusForbidden || missingScope(out) != "ROSTER" || out.Data != nil {
		t.Errorf("Organizers: %d %+v %+v", resp.StatusCode, out.Data, out.Errors)
	}
}
