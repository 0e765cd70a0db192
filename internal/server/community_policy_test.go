package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

const updatePolicyQ = `mutation($in: UpdateCommunityPolicyInput!) { updateCommunityPolicy(input: $in) {
	community { policy { preset objectionWindowHours minSupporters minSupporterOrganizations maxOrganizersPerGroup requireMentor conflictRadiusKm } }
	userErrors { code message field } } }`

// TestUpdateCommunityPolicyEndToEnd: staff change one policy value through
// GraphQL and read the whole policy back, the rest kept, the change audited;
// a read-only token of theirs changes nothing, and a bad value is named by
// its GraphQL field. (The policy's rules: internal/workflow's community tests.)
func TestUpdateCommunityPolicyEndToEnd(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := dbtest.FixtureContext(t)
	set := func(who string, field string, v any) gqlResponse {
		return w.do(t, who, updatePolicyQ, map[string]any{"in": map[string]any{"id": string(w.com.ID), field: v}})
	}
	r := w.do(t, w.manager, `mutation { createAPIToken(input: {name: "ro", scopes: [READ]}) { token } }`, nil)
	secret, _ := dig(r.Data, "createAPIToken", "token").(string)
	if r := set("Bearer "+secret, "objectionWindowHours", 1); code(r) != "FORBIDDEN" {
		t.Errorf("the manager's read-only token: %+v", r.Errors)
	}
	// A refusal is data: the payload's userErrors name the field by its
	// path, and the response has no GraphQL error.
	r = set(w.manager, "minSupporterOrganizations", 3)
	if ue := userError(r, "updateCommunityPolicy"); len(r.Errors) > 0 || ue == nil || ue["code"] != "BAD_USER_INPUT" ||
		fmt.Sprint(ue["field"]) != "[input minSupporterOrganizations]" || dig(r.Data, "updateCommunityPolicy", "community") != nil {
		t.Errorf("a bad value: %+v %+v", r.Data, r.Errors)
	}

	r = set(w.manager, "objectionWindowHours", 1)
	p := dig(r.Data, "updateCommunityPolicy", "community", "policy")
	if len(r.Errors) > 0 || len(dig(r.Data, "updateCommunityPolicy", "userErrors").([]any)) != 0 || dig(p, "objectionWindowHours") != float64(1) || dig(p, "preset") != "OPENSTACK" || dig(p, "requireMentor") != true ||
		dig(p, "conflictRadiusKm") != float64(50) {
		t.Fatalf("policy after the change = %+v %+v", p, r.Errors)
	}
	changes := db.Client.Change.Query().Where(change.NodeID(string(w.com.ID)), change.Topic("community")).AllX(sys)
	if len(changes) != 1 || changes[0].ActorID != strings.TrimPrefix(w.manager, "Session ") {
		t.Errorf("audit rows = %+v, want one by the manager", changes)
	}
}
