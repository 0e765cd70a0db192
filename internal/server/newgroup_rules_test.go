package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
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

// TestOpenEulerApprovalAppointsOnlyPartnerApplicants: openEuler's first
// organizers come from partner enterprises and are appointed by the
// community's team. Approving a request from someone outside them makes the
// group without an organizer (listed for staff in groupsWithoutOrganizer)
// and tells the applicant what happens next; a partner's employee is
// appointed at approval.
func TestOpenEulerApprovalAppointsOnlyPartnerApplicants(t *testing.T) {
	db := dbtest.Open(t)
	p := policy.OpenEuler()
	p.MinSupporters, p.MinSupporterOrganizations = 0, 0 // this test is about the organizer, not the supporters
	w := newQueueWorld(t, db, p)
	sys := viewer.SystemContext(context.Background())
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	partner := tx.Organization.Create().SetName("Partner").SetSlug("partner").AddPartnerOfIDs(w.com.ID).SaveX(sys)
	other := tx.Organization.Create().SetName("Elsewhere").SetSlug("elsewhere").SaveX(sys)
	applicant := tx.User.Create().SetHandle("outsider").SetName("Outsider").SetCity("Oakland").SetOrganizationID(other.ID).SaveX(sys)
	employee := tx.User.Create().SetHandle("employee").SetName("Employee").SetCity("Berkeley").SetOrganizationID(partner.ID).SaveX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	const leaderless = `query($c: ID!) { groupsWithoutOrganizer(community: $c) { id } }`
	applyAs := func(who, name, city string) (appID, groupID string) {
		t.Helper()
		d := w.ok(t, who, applyQ, map[string]any{"in": map[string]any{
			"community": string(w.com.ID), "name": name, "city": city, "country": "US", "acceptCodeOfConduct": true,
			"description": "openEuler users meeting locally.",
		}})
		return dig(d, "applyForGroup", "application", "id").(string), dig(d, "applyForGroup", "group", "id").(string)
	}
	organizers := func(groupID string) int {
		return w.c.Role.Query().Where(role.GroupID(pulidID(groupID)), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).CountX(sys)
	}

	appID, groupID := applyAs("Session "+string(applicant.ID), "Oakland", "Oakland")
	if d := w.ok(t, w.manager, approveQ, map[string]any{"id": appID}); dig(d, "approveApplication", "application", "status") != "APPROVED" {
		t.Fatalf("approve: %v", d)
	}
	if g := w.c.Group.GetX(sys, pulidID(groupID)); g.Status != group.StatusACTIVE || organizers(groupID) != 0 {
		t.Errorf("a non-partner's group: %s with %d organizers, want ACTIVE with none", g.Status, organizers(groupID))
	}
	leaderlessIDs := func() []any {
		var ids []any
		for _, g := range items(w.ok(t, w.manager, leaderless, map[string]any{"c": string(w.com.ID)}), "groupsWithoutOrganizer") {
			ids = append(ids, dig(g, "id"))
		}
		return ids
	}
	if ids := leaderlessIDs(); !slices.Contains(ids, any(groupID)) {
		t.Errorf("groupsWithoutOrganizer = %v, want the new group among them", ids)
	}
	m := w.c.Message.Query().Where(message.RecipientID(applicant.ID), message.Template("application_approved")).OnlyX(sys)
	if strings.Contains(m.Body, "you are its organizer") || !strings.Contains(m.Body, "partner enterprises") || !strings.Contains(m.Body, "appoints") {
		t.Errorf("the applicant is not told what happens next: %q", m.Body)
	}

	appID, groupID = applyAs("Session "+string(employee.ID), "Berkeley", "Berkeley")
	w.ok(t, w.manager, approveQ, map[string]any{"id": appID})
	if n := organizers(groupID); n != 1 || !w.c.Role.Query().Where(role.GroupID(pulidID(groupID)), role.UserID(employee.ID), role.KindEQ(role.KindORGANIZER)).ExistX(sys) {
		t.Errorf("a partner's employee is not appointed at approval (%d organizers)", n)
	}
	if ids := leaderlessIDs(); slices.Contains(ids, any(groupID)) {
		t.Errorf("the appointed group is listed without an organizer: %v", ids)
	}
}

// TestWithdrawnAndRejectedRequests: a withdrawn request's group is
// WITHDRAWN, not REJECTED; a rejection links the community's "what is a user
// group" page (a community setting, readable in GraphQL) with a correct article.
func TestWithdrawnAndRejectedRequests(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := viewer.SystemContext(context.Background())
	const page = "https://groups.example.org/what-is-a-user-group"
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	tx.Community.UpdateOneID(w.com.ID).SetUserGroupPageURL(page).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if d := w.ok(t, "", `query($id: ID!) { node(id: $id) { ... on Community { userGroupPageURL } } }`, map[string]any{"id": string(w.com.ID)}); dig(d, "node", "userGroupPageURL") != page {
		t.Errorf("userGroupPageURL = %v", dig(d, "node", "userGroupPageURL"))
	}

	appID, groupID, _ := w.apply(t, "Berkeley")
	w.ok(t, w.applicant, `mutation($id: ID!) { withdrawApplication(input: {id: $id}) { application { status } } }`, map[string]any{"id": appID})
	if d := w.ok(t, "", `query($id: ID!) { node(id: $id) { ... on Group { status } } }`, map[string]any{"id": groupID}); dig(d, "node", "status") != "WITHDRAWN" {
		t.Errorf("withdrawn request's group: %v", dig(d, "node", "status"))
	}

	appID, groupID, _ = w.apply(t, "Oakland")
	w.ok(t, w.manager, `mutation($id: ID!) { rejectApplication(input: {id: $id, reason: NOT_A_USER_GROUP, message: "This is a general IT meetup."}) { application { status } } }`, map[string]any{"id": appID})
	if g := w.c.Group.GetX(sys, pulidID(groupID)); g.Status != group.StatusREJECTED {
		t.Errorf("rejected request's group: %s", g.Status)
	}
	m := w.c.Message.Query().Where(message.Template("application_rejected")).OnlyX(sys)
	if !strings.Contains(m.Body, page) || !strings.Contains(m.Body, "an OpenStack user group") || strings.Contains(m.Body, "a OpenStack") ||
		strings.Contains(m.Body, "https://groups.example.org/about") {
		t.Errorf("rejection message: %q", m.Body)
	}
}
