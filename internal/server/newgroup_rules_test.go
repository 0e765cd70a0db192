package server_test

import (
	"context"
	"testing"

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
