package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestGroupNameRuleIsTheSuggestersRule: a name the suggester would rewrite
// (project words before or after the place) is refused with the suggestion,
// when applying and when a reviewer renames the proposal.
func TestGroupNameRuleIsTheSuggestersRule(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := viewer.SystemContext(context.Background())
	in := func(name string) map[string]any {
		return map[string]any{"in": map[string]any{
			"community": string(w.com.ID), "name": name, "city": "Palo Alto", "country": "US", "acceptCodeOfConduct": true,
		}}
	}
	for name, want := range map[string]string{
		"OpenStack User Group Palo Alto": "Palo Alto {OpenStack User Group}",
		"Palo Alto OpenStack Meetup":     "Palo Alto {OpenStack Meetup}",
	} {
		r := w.do(t, w.applicant, applyQ, in(name))
		if code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "name" || r.Errors[0].Extensions["suggestedName"] != want {
			t.Errorf("apply as %q: %+v", name, r.Errors)
		}
	}
	if n := w.c.Application.Query().CountX(sys); n != 0 {
		t.Fatalf("refused names filed %d applications", n)
	}
	w.ok(t, w.applicant, applyQ, in("Palo Alto {OpenStack User Group}"))

	appID, groupID, _ := w.apply(t, "Oakland")
	const rename = `mutation($id: ID!, $name: String!) { updateApplicationProposal(input: {id: $id, name: $name}) { application { answers { proposedName } } } }`
	r := w.do(t, w.manager, rename, map[string]any{"id": appID, "name": "OpenStack User Group Oakland"})
	if code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "name" || r.Errors[0].Extensions["suggestedName"] != "Oakland {OpenStack User Group}" {
		t.Errorf("reviewer's rename: %+v", r.Errors)
	}
	if g := w.c.Group.GetX(sys, pulidID(groupID)); g.Name != "Oakland" {
		t.Errorf("refused rename stored %q", g.Name)
	}
	d := w.ok(t, w.manager, rename, map[string]any{"id": appID, "name": "Oakland {OpenStack User Group}"})
	if got := dig(d, "updateApplicationProposal", "application", "answers", "proposedName"); got != "Oakland {OpenStack User Group}" {
		t.Errorf("rename to the suggestion: %v", got)
	}
}

// TestScreeningListsMissingSupporters: where the policy asks for supporters
// (openEuler: 10 from 10 organizations), live screening lists them under
// missing until they are there, like the demo rows; OpenStack asks for none.
func TestScreeningListsMissingSupporters(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenEuler())
	sys := viewer.SystemContext(context.Background())
	const screeningQ = `query($id: ID!) { node(id: $id) { ... on Application { screening { missing supporters supporterOrganizations } } } }`
	appID, groupID, _ := w.apply(t, "Oakland")
	missing := func() []any {
		m, _ := dig(w.ok(t, w.manager, screeningQ, map[string]any{"id": appID}), "node", "screening", "missing").([]any)
		return m
	}
	if m := missing(); !slices.Contains(m, any("supporters")) {
		t.Errorf("one supporter of ten: missing %v", m)
	}
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	var handles []string
	for i := range 10 {
		o := tx.Organization.Create().SetName(fmt.Sprintf("Org %d", i)).SetSlug(fmt.Sprintf("org-%d", i)).SaveX(sys)
		u := tx.User.Create().SetHandle(fmt.Sprintf("s%d", i)).SetName("S").SetCity("Oakland").SetOrganizationID(o.ID).SaveX(sys)
		handles = append(handles, "Session "+string(u.ID))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, who := range handles {
		w.ok(t, who, `mutation($g: ID!) { supportGroupApplication(input: {group: $g}) { supporters } }`, map[string]any{"g": groupID})
	}
	if m := missing(); slices.Contains(m, any("supporters")) {
		t.Errorf("ten supporters from ten organizations: missing %v", m)
	}

	os := newQueueWorld(t, dbtest.Open(t), policy.OpenStack())
	osApp, _, _ := os.apply(t, "Oakland")
	if m, _ := dig(os.ok(t, os.manager, screeningQ, map[string]any{"id": osApp}), "node", "screening", "missing").([]any); slices.Contains(m, any("supporters")) {
		t.Errorf("OpenStack asks for no supporters: missing %v", m)
	}
}

// TestApplicationEntersTheQueueOnce: a new request is one change in the
// approval queue (CREATED), not CREATED followed by an UPDATED for its
// screening.
func TestApplicationEntersTheQueueOnce(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := viewer.SystemContext(context.Background())
	appID, _, conflicts := w.apply(t, "Oakland")
	if len(conflicts) != 1 {
		t.Errorf("the screening is stored with the request: conflicts %v", conflicts)
	}
	ops := w.c.Change.Query().Where(change.Topic(changelog.TopicApplication), change.NodeID(appID)).Order(ent.Asc(change.FieldID)).
		Select(change.FieldOp).StringsX(sys)
	if len(ops) != 1 || ops[0] != string(change.OpCREATED) {
		t.Errorf("queue items for one new request: %v, want [CREATED]", ops)
	}
}
