package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

const updatePolicyQ = `mutation($in: UpdateCommunityPolicyInput!) { updateCommunityPolicy(input: $in) {
	community { policy { preset objectionWindowHours minSupporters minSupporterOrganizations maxOrganizersPerGroup requireMentor conflictRadiusKm } } } }`

// TestUpdateCommunityPolicyDrivesTheObjectionWindow runs OpenStack's
// objection window end to end with a one-hour window set through
// updateCommunityPolicy, and the scheduler's Tick — no database edits.
// Only staff with a write credential change the policy, each value is
// checked by name, only the values given change, and the change is audited.
func TestUpdateCommunityPolicyDrivesTheObjectionWindow(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := viewer.SystemContext(context.Background())
	set := func(who string, fields map[string]any) gqlResponse {
		in := map[string]any{"community": string(w.com.ID)}
		for k, v := range fields {
			in[k] = v
		}
		return w.do(t, who, updatePolicyQ, map[string]any{"in": in})
	}

	// Who may: staff, not ambassadors or members, not a read-only token.
	if r := set("", map[string]any{"objectionWindowHours": 1}); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %+v", r.Errors)
	}
	if r := set(w.amb, map[string]any{"objectionWindowHours": 1}); code(r) != "FORBIDDEN" {
		t.Errorf("an ambassador: %+v", r.Errors)
	}
	r := w.do(t, w.manager, `mutation { createAPIToken(input: {name: "ro", scopes: ["read"]}) { token } }`, nil)
	secret, _ := dig(r.Data, "createAPIToken", "token").(string)
	if r := set("Bearer "+secret, map[string]any{"objectionWindowHours": 1}); code(r) != "FORBIDDEN" {
		t.Errorf("the manager's read-only token: %+v", r.Errors)
	}

	// Each value is checked, naming its field; nothing is stored on a refusal.
	for field, v := range map[string]any{
		"objectionWindowHours":      -1,
		"maxOrganizersPerGroup":     1001,
		"conflictRadiusKm":          5000.5,
		"minSupporterOrganizations": 3, // more than minSupporters (0)
		"termLengthDays":            99999,
	} {
		if r := set(w.manager, map[string]any{field: v}); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != field {
			t.Errorf("%s = %v: %+v", field, v, r.Errors)
		}
	}
	if got := db.Client.Community.GetX(sys, w.com.ID).Policy; got != policy.OpenStack() {
		t.Errorf("a refused change was stored: %+v", got)
	}

	// A one-hour window; the rest of the policy is kept.
	audit := func() int {
		return db.Client.Change.Query().Where(change.NodeID(string(w.com.ID)), change.Topic("community"), change.OpEQ(change.OpUPDATED)).CountX(sys)
	}
	d := w.ok(t, w.manager, updatePolicyQ, map[string]any{"in": map[string]any{"community": string(w.com.ID), "objectionWindowHours": 1}})
	p := dig(d, "updateCommunityPolicy", "community", "policy")
	if dig(p, "objectionWindowHours") != float64(1) || dig(p, "preset") != "OPENSTACK" || dig(p, "requireMentor") != true || dig(p, "conflictRadiusKm") != float64(50) {
		t.Fatalf("policy after the change = %+v", p)
	}
	changes := db.Client.Change.Query().Where(change.NodeID(string(w.com.ID)), change.Topic("community")).AllX(sys)
	if len(changes) != 1 || changes[0].ActorID != strings.TrimPrefix(w.manager, "Session ") || changes[0].CommunityID != string(w.com.ID) {
		t.Errorf("audit rows = %+v, want one by the manager", changes)
	}
	w.ok(t, w.manager, updatePolicyQ, map[string]any{"in": map[string]any{"community": string(w.com.ID), "objectionWindowHours": 1}})
	if n := audit(); n != 1 {
		t.Errorf("%d audit rows after an unchanged value, want 1", n)
	}

	// The process: a request, its mentor, approval opens the one-hour window.
	appID, _, _ := w.applyIn(t, "Boston {Stackers}", "Boston")
	id := map[string]any{"id": appID}
	w.ok(t, w.manager, `mutation($id: ID!, $m: ID!) { assignGroupMentor(input: {id: $id, mentor: $m}) { application { id } } }`,
		map[string]any{"id": appID, "m": string(w.ambID)})
	d = w.ok(t, w.manager, approveQ, id)
	deadline, err := time.Parse(time.RFC3339, dig(d, "approveApplication", "application", "objectionDeadline").(string))
	if dig(d, "approveApplication", "application", "status") != "OBJECTION_WINDOW" || err != nil || deadline.After(time.Now().Add(time.Hour)) {
		t.Fatalf("approve = %+v (%v)", d, err)
	}
	// Before the hour is up nothing happens; an objection holds it past the hour.
	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(w.c, at(deadline.Add(-time.Minute)))); err != nil || rep.Approved != 0 {
		t.Fatalf("tick inside the window = %+v, %v", rep, err)
	}
	w.ok(t, w.amb2, `mutation($id: ID!) { objectToApplication(input: {id: $id, reason: "Talk to the Boston organizers first."}) { application { id } } }`, id)
	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(w.c, at(deadline.Add(time.Minute)))); err != nil || rep.Approved != 0 {
		t.Fatalf("tick with an open objection = %+v, %v", rep, err)
	}
	var objection string
	for _, e := range items(w.ok(t, w.manager, statusQ, id), "node", "reviews", "edges") {
		if dig(e, "node", "kind") == "OBJECTION" {
			objection = dig(e, "node", "id").(string)
		}
	}
	w.ok(t, w.manager, `mutation($o: ID!) { resolveObjection(input: {objection: $o, note: "They met and agreed."}) { objection { resolvedAt } } }`,
		map[string]any{"o": objection})
	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(w.c, at(deadline.Add(time.Minute)))); err != nil || rep.Approved != 1 {
		t.Fatalf("tick after the window = %+v, %v", rep, err)
	}
	if d := w.ok(t, w.manager, statusQ, id); dig(d, "node", "status") != "APPROVED" {
		t.Errorf("status = %v, want APPROVED", dig(d, "node", "status"))
	}
}
