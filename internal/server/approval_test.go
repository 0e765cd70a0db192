package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// queueWorld: an OpenStack-like community with a region, an official group
// in San Francisco, a manager, two regional ambassadors, and an applicant.
type queueWorld struct {
	h                                    http.Handler
	c                                    *ent.Client
	com                                  *ent.Community
	bayArea                              *ent.Group
	manager, amb, amb2, applicant, other string
	ambID                                pulid.ID
}

func newQueueWorld(t *testing.T, db *store.DB, p policy.Policy) queueWorld {
	t.Helper()
	sys := viewer.SystemContext(context.Background())
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(p).SetWebsiteURL("https://groups.example.org/about").SaveX(sys)
	na := tx.Region.Create().SetCommunityID(com.ID).SetName("North America").SetSlug("north-america").SetCountries([]string{"US", "CA"}).SaveX(sys)
	bay := tx.Group.Create().SetCommunityID(com.ID).SetRegionID(na.ID).SetName("Bay Area {Stackers}").SetSlug("bay-area").
		SetCity("San Francisco").SetCountry("US").SetLatitude(37.7749).SetLongitude(-122.4194).SetStatus("OFFICIAL").SaveX(sys)
	mk := func(h string) *ent.User {
		return tx.User.Create().SetHandle(h).SetName(h).SetCity("Oakland").SaveX(sys)
	}
	mgr, amb, amb2, app, other := mk("manager"), mk("amb"), mk("amb2"), mk("applicant"), mk("other")
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	tx.Role.Create().SetUserID(amb.ID).SetCommunityID(com.ID).SetRegionID(na.ID).SetKind(role.KindAMBASSADOR).ExecX(sys)
	tx.Role.Create().SetUserID(amb2.ID).SetCommunityID(com.ID).SetRegionID(na.ID).SetKind(role.KindAMBASSADOR).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s := func(u *ent.User) string { return "Session " + string(u.ID) }
	return queueWorld{
		h: sessionHandler(t, &dbClient{DB: db, Client: db.Client}), c: db.Client, com: com, bayArea: bay,
		manager: s(mgr), amb: s(amb), amb2: s(amb2), applicant: s(app), other: s(other), ambID: amb.ID,
	}
}

func (w queueWorld) do(t *testing.T, who, q string, vars map[string]any) gqlResponse {
	t.Helper()
	return query(t, w.h, who, q, vars)
}

func (w queueWorld) ok(t *testing.T, who, q string, vars map[string]any) map[string]any {
	t.Helper()
	r := w.do(t, who, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", q, r.Errors)
	}
	return r.Data
}

const (
	applyQ   = `mutation($in: ApplyForGroupInput!) { applyForGroup(input: $in) { application { id status screening { conflicts { groupId resolvedAt } } } group { id } } }`
	statusQ  = `query($id: ID!) { node(id: $id) { ... on Application { status objectionDeadline reviews(first: 50) { totalCount edges { node { id kind fromStatus toStatus } } } } } }`
	approveQ = `mutation($id: ID!) { approveApplication(input: {id: $id}) { application { status objectionDeadline } } }`
)

func (w queueWorld) apply(t *testing.T, name string) (appID, groupID string, conflicts []any) {
	t.Helper()
	return w.applyIn(t, name, "Oakland")
}

func (w queueWorld) applyIn(t *testing.T, name, city string) (appID, groupID string, conflicts []any) {
	t.Helper()
	in := map[string]any{
		"community": string(w.com.ID), "name": name, "city": city, "country": "US",
		"latitude": 37.8044, "longitude": -122.2712, "acceptCodeOfConduct": true,
		"description": "OpenStack operators in the East Bay.", "links": []map[string]string{{"label": "Meetup", "url": "https://meetup.example.com/eb"}},
	}
	if city != "Oakland" { // the coordinates above are Oakland's
		delete(in, "latitude")
		delete(in, "longitude")
	}
	d := w.ok(t, w.applicant, applyQ, map[string]any{"in": in})
	cs, _ := dig(d, "applyForGroup", "application", "screening", "conflicts").([]any)
	return dig(d, "applyForGroup", "application", "id").(string), dig(d, "applyForGroup", "group", "id").(string), cs
}

// TestNewGroupProcessOpenStack walks OpenStack's new-group process through
// GraphQL: request, screening conflict, title fix, conflict settled, mentor,
// objection window, an objection and its resolution, the window passing,
// approval, organizer role, message.
func TestNewGroupProcessOpenStack(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	appID, groupID, conflicts := w.apply(t, "Oakland")
	_ = groupID
	if appID == "" || len(conflicts) != 1 || dig(conflicts[0], "groupId") != string(w.bayArea.ID) {
		t.Fatalf("screening conflicts = %+v", conflicts)
	}
	id := map[string]any{"id": appID}

	// Wrong role, wrong state, bad input.
	if r := w.do(t, w.other, approveQ, id); code(r) != "NOT_FOUND" {
		t.Errorf("a stranger approves: %+v", r.Errors)
	}
	if r := w.do(t, w.applicant, approveQ, id); code(r) != "FORBIDDEN" {
		t.Errorf("the applicant approves: %+v", r.Errors)
	}
	r := w.do(t, w.manager, approveQ, id)
	if code(r) != "CONFLICT" || r.Errors[0].Extensions["status"] != "SUBMITTED" {
		t.Fatalf("approve with a conflict and no mentor: %+v", r.Errors)
	}
	if bl, _ := r.Errors[0].Extensions["blockers"].([]any); len(bl) != 2 {
		t.Errorf("blockers = %v, want OPEN_CONFLICTS and NO_MENTOR", r.Errors[0].Extensions["blockers"])
	}
	if r := w.do(t, w.manager, `mutation($id: ID!) { assignGroupMentor(input: {id: $id, mentor: $id}) { application { id } } }`, id); code(r) != "BAD_USER_INPUT" {
		t.Errorf("a non-ambassador mentor: %+v", r.Errors)
	}

	// The reviewer fixes the title and settles the conflict; a mentor is assigned.
	w.ok(t, w.manager, `mutation($id: ID!) { updateApplicationProposal(input: {id: $id, name: "Oakland {East Bay}", note: "Nickname added."}) { application { id } } }`, id)
	w.ok(t, w.manager, `mutation($id: ID!, $g: ID!) { resolveConflict(input: {id: $id, group: $g, resolution: "Bay Area covers San Francisco; East Bay meets in Oakland."}) { application { id } } }`,
		map[string]any{"id": appID, "g": string(w.bayArea.ID)})
	w.ok(t, w.manager, `mutation($id: ID!, $m: ID!) { assignGroupMentor(input: {id: $id, mentor: $m}) { application { mentor { handle } } } }`,
		map[string]any{"id": appID, "m": string(w.ambID)})
	g := w.c.Group.GetX(viewer.SystemContext(context.Background()), pulidID(groupID))
	if g.Name != "Oakland {East Bay}" || g.MentorID != w.ambID {
		t.Errorf("group after review = %q mentor %q", g.Name, g.MentorID)
	}

	// Approval opens the objection window.
	d := w.ok(t, w.manager, approveQ, id)
	if dig(d, "approveApplication", "application", "status") != "OBJECTION_WINDOW" || dig(d, "approveApplication", "application", "objectionDeadline") == nil {
		t.Fatalf("approve = %+v", d)
	}
	if r := w.do(t, w.manager, approveQ, id); code(r) != "CONFLICT" || r.Errors[0].Extensions["status"] != "OBJECTION_WINDOW" {
		t.Errorf("approving again during the window: %+v", r.Errors)
	}
	if r := w.do(t, w.other, `mutation($id: ID!) { objectToApplication(input: {id: $id, reason: "no"}) { application { id } } }`, id); code(r) != "NOT_FOUND" {
		t.Errorf("a stranger objects: %+v", r.Errors)
	}
	w.ok(t, w.amb2, `mutation($id: ID!) { objectToApplication(input: {id: $id, reason: "Talk to the Bay Area organizers first."}) { application { id } } }`, id)
	w.ok(t, w.amb, `mutation($id: ID!) { endorseApplication(input: {id: $id, reason: "I will mentor them."}) { application { id } } }`, id)

	later := time.Now().Add(73 * time.Hour)
	sys := viewer.SystemContext(context.Background())
	if n, err := workflow.FinishObjectionWindows(sys, workflow.NewRunner(w.c, at(later))); err != nil || n != 0 {
		t.Fatalf("window passed with an open objection: approved %d, err %v", n, err)
	}
	var objection string
	for _, e := range dig(w.ok(t, w.manager, statusQ, id), "node", "reviews", "edges").([]any) {
		if dig(e, "node", "kind") == "OBJECTION" {
			objection = dig(e, "node", "id").(string)
		}
	}
	w.ok(t, w.manager, `mutation($o: ID!) { resolveObjection(input: {objection: $o, note: "The organizers met and agreed."}) { objection { resolvedAt } } }`,
		map[string]any{"o": objection})
	if n, err := workflow.FinishObjectionWindows(sys, workflow.NewRunner(w.c, at(time.Now()))); err != nil || n != 0 {
		t.Fatalf("approved before the deadline: %d, %v", n, err)
	}
	if n, err := workflow.FinishObjectionWindows(sys, workflow.NewRunner(w.c, at(later))); err != nil || n != 1 {
		t.Fatalf("window passed: approved %d, err %v", n, err)
	}

	d = w.ok(t, w.manager, statusQ, id)
	if dig(d, "node", "status") != "APPROVED" {
		t.Fatalf("status = %v", dig(d, "node", "status"))
	}
	var path []string
	for _, e := range dig(d, "node", "reviews", "edges").([]any) {
		if dig(e, "node", "kind") == "STATUS_CHANGE" {
			path = append(path, dig(e, "node", "toStatus").(string))
		}
	}
	if want := []string{"IN_REVIEW", "OBJECTION_WINDOW", "APPROVED"}; len(path) != 3 || path[0] != want[0] || path[1] != want[1] || path[2] != want[2] {
		t.Errorf("status path = %v, want %v", path, want)
	}
	g = w.c.Group.GetX(sys, pulidID(groupID))
	if g.Status != group.StatusACTIVE {
		t.Errorf("group status %s", g.Status)
	}
	app := w.c.Application.GetX(sys, pulidID(appID))
	organizer := w.c.Role.Query().Where(role.GroupID(g.ID), role.KindEQ(role.KindORGANIZER), role.UserID(app.ApplicantID), role.StatusEQ(role.StatusACTIVE)).ExistX(sys)
	queued := w.c.Message.Query().Where(message.RecipientID(app.ApplicantID), message.Template("application_approved")).CountX(sys)
	if !organizer || queued != 1 {
		t.Errorf("organizer role %v, approval messages %d", organizer, queued)
	}
	// Decided is final.
	if r := w.do(t, w.manager, `mutation($id: ID!) { rejectApplication(input: {id: $id, reason: SPAM, message: "x"}) { application { id } } }`, id); code(r) != "CONFLICT" ||
		r.Errors[0].Extensions["status"] != "APPROVED" {
		t.Errorf("reject after approval: %+v", r.Errors)
	}

	officialHandover(t, w, g, app.ApplicantID)
}

// officialHandover continues with the group's official-status process:
// request, live requirements, the checklist in order, official.
func officialHandover(t *testing.T, w queueWorld, g *ent.Group, organizer pulid.ID) {
	t.Helper()
	sys := viewer.SystemContext(context.Background())
	gid := map[string]any{"g": string(g.ID)}
	const applyOfficial = `mutation($g: ID!) { applyForOfficialStatus(input: {group: $g}) { application { id kind status checklist { items { key doneAt } } } } }`
	if r := w.do(t, w.other, applyOfficial, gid); code(r) != "FORBIDDEN" {
		t.Errorf("a non-organizer asks for official status: %+v", r.Errors)
	}
	d := w.ok(t, w.applicant, applyOfficial, gid)
	appID := dig(d, "applyForOfficialStatus", "application", "id").(string)
	if items := dig(d, "applyForOfficialStatus", "application", "checklist", "items").([]any); len(items) != 7 {
		t.Fatalf("checklist = %v", items)
	}
	if r := w.do(t, w.applicant, applyOfficial, gid); code(r) != "CONFLICT" {
		t.Errorf("a second request: %+v", r.Errors)
	}
	step := func(who, key string) gqlResponse {
		vars := map[string]any{"id": appID, "s": key, "logo": nil}
		if key == "logo_received" {
			vars["logo"] = "https://logos.example.org/pack.zip"
		}
		return w.do(t, who, `mutation($id: ID!, $s: String!, $logo: String) { completeHandoverStep(input: {id: $id, step: $s, logoUrl: $logo}) { application { status } } }`, vars)
	}
	if r := step(w.manager, "requirements_met"); code(r) != "CONFLICT" || r.Errors[0].Extensions["nextStep"] != "mentoring_complete" {
		t.Errorf("out of order: %+v", r.Errors)
	}
	if r := step(w.amb, "mentoring_complete"); len(r.Errors) > 0 {
		t.Fatalf("mentor signs off: %+v", r.Errors)
	}
	if r := step(w.amb, "requirements_met"); code(r) != "FORBIDDEN" {
		t.Errorf("the mentor confirms requirements: %+v", r.Errors)
	}
	r := step(w.manager, "requirements_met")
	if code(r) != "CONFLICT" {
		t.Fatalf("requirements with one member: %+v", r.Errors)
	}
	if unmet, _ := r.Errors[0].Extensions["unmet"].([]any); len(unmet) != 3 {
		t.Errorf("unmet = %v, want members, organizations, events", r.Errors[0].Extensions["unmet"])
	}

	// The group grows: 19 more members from 3 organizations, 3 meetings.
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 19; i++ {
		org := tx.Organization.Create().SetName("Member org " + letters(i%3)).SetSlug(strings.ToLower("member-org-" + letters(i%3))).
			OnConflictColumns("name").UpdateNewValues().IDX(sys)
		u := tx.User.Create().SetHandle(strings.ToLower("m" + letters(i))).SetName("M").SetOrganizationID(org).SaveX(sys)
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(g.CommunityID).SetGroupID(g.ID).SetKind(role.KindMEMBER).ExecX(sys)
	}
	attendee := tx.User.Create().SetHandle("attendee").SetName("A").SaveX(sys)
	for i := 1; i <= 3; i++ {
		start := time.Now().AddDate(0, -i*2, 0)
		ev := tx.Event.Create().SetGroupID(g.ID).SetTitle("Meetup").SetTimeZone("America/Los_Angeles").SetStartsAt(start).
			SetEndsAt(start.Add(2 * time.Hour)).SetStatus("COMPLETED").SaveX(sys)
		// A meeting counts towards official status once someone attended it.
		tx.Registration.Create().SetEventID(ev.ID).SetUserID(attendee.ID).SetCheckInCode(fmt.Sprintf("code-%d", i)).
			SetStatus("ATTENDED").ExecX(sys)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	reqs := w.ok(t, w.manager, `query($g: ID!) { officialRequirements(group: $g) { key met detail } }`, gid)
	for _, rq := range dig(reqs, "officialRequirements").([]any) {
		if dig(rq, "met") != true {
			t.Errorf("requirement not met: %v", rq)
		}
	}
	for _, s := range []struct{ who, key string }{
		{w.manager, "requirements_met"}, {w.amb, "logo_requested"}, {w.amb, "logo_received"},
		{w.amb, "portal_updated"}, {w.amb, "logo_pack_sent"},
	} {
		if r := step(s.who, s.key); len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", s.key, r.Errors)
		}
	}
	if ms := w.c.Message.Query().Where(message.Template("official_recognition")).AllX(sys); len(ms) != 1 || !slices.Contains(ms[0].RecipientIds, organizer) {
		t.Errorf("recognition letters with the logo pack: %+v", ms)
	}
	if r := step(w.manager, "swag_kit_shipped"); code(r) != "CONFLICT" {
		t.Errorf("shipping without an address: %+v", r.Errors)
	}
	w.ok(t, w.applicant, `mutation { setShippingAddress(input: {recipientName: "Organizer", streetLines: ["1 Broadway"], city: "Oakland",
		region: "CA", country: "US", phone: "+1 510 555 0100"}) { shippingAddress { id } } }`, nil)
	if r := step(w.manager, "swag_kit_shipped"); len(r.Errors) > 0 {
		t.Fatalf("swag kit shipped: %+v", r.Errors)
	}
	final := w.c.Group.GetX(sys, g.ID)
	if final.Status != group.StatusOFFICIAL || final.OfficialSince == nil {
		t.Errorf("group after handover: %s since %v", final.Status, final.OfficialSince)
	}
	if m := w.c.Message.Query().Where(message.Template("official_recognition")).OnlyX(sys); !strings.Contains(m.Body, final.Name) || !slices.Contains(m.RecipientIds, organizer) ||
		m.Subject != "Official Recognition of your User Group" || !strings.Contains(m.Body, "https://logos.example.org/pack.zip") ||
		!strings.Contains(m.Body, "phone number") {
		t.Errorf("recognition letter lacks the group's name: %q", m.Body)
	}
	if s := w.c.Application.GetX(sys, pulidID(appID)).Status; s != application.StatusAPPROVED {
		t.Errorf("official-status request: %s", s)
	}
}

func TestRejectWithdrawAndInfoRequest(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := viewer.SystemContext(context.Background())

	appID, groupID, _ := w.apply(t, "Oakland {Cheap Cloud Servers}")
	id := map[string]any{"id": appID}
	if r := w.do(t, w.manager, `mutation($id: ID!) { rejectApplication(input: {id: $id, reason: COMMERCIAL, message: ""}) { application { id } } }`, id); code(r) != "BAD_USER_INPUT" ||
		r.Errors[0].Extensions["field"] != "message" {
		t.Errorf("empty message: %+v", r.Errors)
	}
	w.ok(t, w.manager, `mutation($id: ID!) { rejectApplication(input: {id: $id, reason: COMMERCIAL, message: "Please do not advertise hosting."}) { application { status decisionReason } } }`, id)
	if g := w.c.Group.GetX(sys, pulidID(groupID)); g.Status != group.StatusREJECTED {
		t.Errorf("rejected request's group is %s", g.Status)
	}
	if m := w.c.Message.Query().Where(message.Template("application_rejected")).OnlyX(sys); !strings.Contains(m.Body, "https://groups.example.org/about") {
		t.Errorf("rejection message lacks the explanation link: %q", m.Body)
	}

	app2, _, _ := w.apply(t, "Berkeley")
	id2 := map[string]any{"id": app2}
	w.ok(t, w.amb, `mutation($id: ID!) { requestApplicationInfo(input: {id: $id, message: "Where will you meet?"}) { application { status } } }`, id2)
	if s := w.c.Application.GetX(sys, pulidID(app2)).Status; s != application.StatusNEEDS_INFO {
		t.Fatalf("after info request: %s", s)
	}
	w.ok(t, w.applicant, `mutation($id: ID!) { updateApplicationProposal(input: {id: $id, description: "We meet at the public library.", note: "Venue added."}) { application { status } } }`, id2)
	if s := w.c.Application.GetX(sys, pulidID(app2)).Status; s != application.StatusIN_REVIEW {
		t.Fatalf("after the applicant's answer: %s", s)
	}
	if r := w.do(t, w.other, `mutation($id: ID!) { withdrawApplication(input: {id: $id}) { application { id } } }`, id2); code(r) != "NOT_FOUND" {
		t.Errorf("a stranger withdraws: %+v", r.Errors)
	}
	w.ok(t, w.applicant, `mutation($id: ID!) { withdrawApplication(input: {id: $id}) { application { status } } }`, id2)
	if s := w.c.Application.GetX(sys, pulidID(app2)).Status; s != application.StatusWITHDRAWN {
		t.Errorf("after withdrawal: %s", s)
	}
}

// TestOpenEulerSupporters: approval is refused with 9 supporters, or 10
// from 9 organizations, and goes through (no objection window) with 10 from 10.
func TestOpenEulerSupporters(t *testing.T) {
	db := dbtest.Open(t)
	p := policy.OpenEuler()
	w := newQueueWorld(t, db, p)
	sys := viewer.SystemContext(context.Background())
	appID, groupID, _ := w.apply(t, "Oakland")
	id := map[string]any{"id": appID}

	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	orgs := make([]*ent.Organization, 10)
	for i := range orgs {
		orgs[i] = tx.Organization.Create().SetName("Org " + letters(i)).SetSlug(strings.ToLower("org-" + letters(i))).SaveX(sys)
	}
	supporters := make([]*ent.User, 10)
	for i := range supporters {
		supporters[i] = tx.User.Create().SetHandle(strings.ToLower("s" + letters(i))).SetName("S").SetCity("Oakland").SetOrganizationID(orgs[i].ID).SaveX(sys)
	}
	// The applicant works for the first organization too.
	applicant := w.c.Application.GetX(sys, pulidID(appID)).ApplicantID
	tx.User.UpdateOneID(applicant).SetOrganizationID(orgs[0].ID).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	support := func(u *ent.User) {
		t.Helper()
		w.ok(t, "Session "+string(u.ID), `mutation($g: ID!) { supportGroupApplication(input: {group: $g}) { supporters } }`, map[string]any{"g": groupID})
	}
	blockers := func() []any {
		r := w.do(t, w.manager, approveQ, id)
		if len(r.Errors) == 0 {
			return nil
		}
		if code(r) != "CONFLICT" {
			t.Fatalf("approve: %+v", r.Errors)
		}
		b, _ := r.Errors[0].Extensions["blockers"].([]any)
		return b
	}
	for _, u := range supporters[1:8] { // applicant + 7 = 8 people from 8 organizations
		support(u)
	}
	support(supporters[8]) // 9 people, 9 organizations
	if b := blockers(); len(b) != 2 {
		t.Errorf("9 supporters: blockers %v, want FEW_SUPPORTERS and FEW_SUPPORTER_ORGANIZATIONS", b)
	}
	// A tenth person from an organization already counted: 10 from 9.
	tx2, _ := w.c.Tx(sys)
	tenth := tx2.User.Create().SetHandle("tenth").SetName("T").SetCity("Oakland").SetOrganizationID(orgs[1].ID).SaveX(sys)
	if err := tx2.Commit(); err != nil {
		t.Fatal(err)
	}
	support(tenth)
	if b := blockers(); len(b) != 1 || b[0] != "FEW_SUPPORTER_ORGANIZATIONS" {
		t.Errorf("10 from 9 organizations: blockers %v", b)
	}
	support(supporters[9]) // 11 people, 10 organizations
	if b := blockers(); b != nil {
		t.Fatalf("10 organizations: still blocked %v", b)
	}
	if s := w.c.Application.GetX(sys, pulidID(appID)).Status; s != application.StatusAPPROVED {
		t.Errorf("openEuler has no objection window: status %s", s)
	}
}

// TestConcurrentApprovalsMakeOneGroup: replicas finishing the same window at
// once approve it once.
func TestConcurrentApprovalsMakeOneGroup(t *testing.T) {
	ctx := context.Background()
	db := dbtest.OpenConcurrent(t)
	p := policy.OpenStack()
	p.RequireMentor = false
	p.ConflictRadiusKm = 0
	w := newQueueWorld(t, db, p)
	appID, groupID, _ := w.apply(t, "Fremont")
	w.ok(t, w.manager, approveQ, map[string]any{"id": appID})

	sys := viewer.SystemContext(ctx)
	later := time.Now().Add(100 * time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := workflow.FinishObjectionWindows(sys, workflow.NewRunner(w.c, at(later)))
			if err != nil {
				t.Errorf("replica: %v", err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	organizers := w.c.Role.Query().Where(role.GroupID(pulidID(groupID)), role.KindEQ(role.KindORGANIZER)).CountX(sys)
	if total != 1 || organizers != 1 {
		t.Errorf("approved %d times, %d organizer roles; want 1 and 1", total, organizers)
	}

	// Reviewers approving at once where there is no window: one wins, the
	// others get CONFLICT.
	p.ObjectionWindowHours = 0
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	tx.Community.UpdateOneID(w.com.ID).SetPolicy(p).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	app2, group2, _ := w.applyIn(t, "Hayward", "Hayward")
	results := make(chan any, 4)
	for _, who := range []string{w.manager, w.amb, w.amb2, w.manager} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- code(w.do(t, who, approveQ, map[string]any{"id": app2}))
		}()
	}
	wg.Wait()
	close(results)
	wins, conflicts := 0, 0
	for c := range results {
		switch c {
		case nil:
			wins++
		case "CONFLICT":
			conflicts++
		default:
			t.Errorf("approval answered %v", c)
		}
	}
	organizers = w.c.Role.Query().Where(role.GroupID(pulidID(group2)), role.KindEQ(role.KindORGANIZER)).CountX(sys)
	if wins != 1 || conflicts != 3 || organizers != 1 {
		t.Errorf("%d approvals succeeded, %d conflicts, %d organizer roles; want 1, 3, 1", wins, conflicts, organizers)
	}
}

func TestApprovalQueue(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	conflicted, _, _ := w.apply(t, "Oakland {East Bay}")
	w.applyIn(t, "Boston", "Boston")
	rejected, _, _ := w.applyIn(t, "Denver", "Denver")
	w.ok(t, w.manager, `mutation($id: ID!) { rejectApplication(input: {id: $id, reason: OTHER, message: "Not now."}) { application { id } } }`, map[string]any{"id": rejected})
	w.ok(t, w.amb, `mutation($id: ID!) { objectToApplication(input: {id: $id, reason: "Overlaps the Bay Area group."}) { application { id } } }`, map[string]any{"id": conflicted})

	const q = `query($c: ID!, $f: ApprovalQueueFilter) { approvalQueue(community: $c, filter: $f) {
	  applications { totalCount edges { node { id status answers { city } viewerCanReview } } }
	  counts { status count }
	  oldestOpenSince
	} }`
	board := func(who string, f map[string]any) (total int, counts map[string]float64, oldest any, first any) {
		t.Helper()
		d := w.ok(t, who, q, map[string]any{"c": string(w.com.ID), "f": f})
		counts = map[string]float64{}
		for _, c := range dig(d, "approvalQueue", "counts").([]any) {
			counts[dig(c, "status").(string)] = dig(c, "count").(float64)
		}
		return int(dig(d, "approvalQueue", "applications", "totalCount").(float64)), counts,
			dig(d, "approvalQueue", "oldestOpenSince"), dig(d, "approvalQueue", "applications", "edges", "0", "node", "answers", "city")
	}
	total, counts, oldest, first := board(w.manager, nil)
	if total != 2 || counts["SUBMITTED"] != 2 || counts["REJECTED"] != 1 || oldest == nil || first != "Oakland" {
		t.Errorf("manager's board: total %d counts %v oldest %v first %v", total, counts, oldest, first)
	}
	if total, _, _, _ := board(w.manager, map[string]any{"hasConflicts": true}); total != 1 {
		t.Errorf("hasConflicts: %d, want 1", total)
	}
	if total, _, _, _ := board(w.manager, map[string]any{"hasOpenObjections": true}); total != 1 {
		t.Errorf("hasOpenObjections: %d, want 1", total)
	}
	if total, _, _, _ := board(w.manager, map[string]any{"statuses": []string{"REJECTED"}}); total != 1 {
		t.Errorf("rejected column: %d, want 1", total)
	}
	if total, _, _, _ := board(w.manager, map[string]any{"olderThanHours": 1}); total != 0 {
		t.Errorf("older than an hour: %d, want 0", total)
	}
	if total, counts, oldest, _ := board("", nil); total != 0 || counts["SUBMITTED"] != 0 || oldest != nil {
		t.Errorf("anonymous board: total %d counts %v oldest %v", total, counts, oldest)
	}
	if r := w.do(t, w.manager, `query($c: ID!) { approvalQueue(community: $c, first: 500) { counts { count } } }`, map[string]any{"c": string(w.com.ID)}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("first: 500 = %+v", r.Errors)
	}
}

// TestReviewMutationsRefuse checks each review mutation against the wrong
// role, a decided application and bad input.
func TestReviewMutationsRefuse(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	open, _, _ := w.applyIn(t, "Fresno", "Fresno")
	decided, _, _ := w.applyIn(t, "Reno", "Reno")
	w.ok(t, w.manager, `mutation($id: ID!) { rejectApplication(input: {id: $id, reason: OTHER, message: "No."}) { application { id } } }`, map[string]any{"id": decided})
	amb := string(w.ambID)

	type m struct {
		name, q    string
		vars       func(id string) map[string]any
		badField   string
		badVars    func(id string) map[string]any
		wrongActor string
	}
	idOnly := func(id string) map[string]any { return map[string]any{"id": id} }
	muts := []m{
		{"commentOnApplication", `mutation($id: ID!, $b: String!) { commentOnApplication(input: {id: $id, body: $b}) { application { id } } }`,
			func(id string) map[string]any { return map[string]any{"id": id, "b": "Looks good."} }, "body",
			func(id string) map[string]any { return map[string]any{"id": id, "b": "   "} }, w.other},
		{"requestApplicationInfo", `mutation($id: ID!, $b: String!) { requestApplicationInfo(input: {id: $id, message: $b}) { application { id } } }`,
			func(id string) map[string]any { return map[string]any{"id": id, "b": "Venue?"} }, "message",
			func(id string) map[string]any { return map[string]any{"id": id, "b": ""} }, w.applicant},
		{"updateApplicationProposal", `mutation($id: ID!, $n: String) { updateApplicationProposal(input: {id: $id, name: $n}) { application { id } } }`,
			func(id string) map[string]any { return map[string]any{"id": id, "n": "Fresno {Valley}"} }, "name",
			func(id string) map[string]any { return map[string]any{"id": id, "n": "{Valley} Fresno"} }, w.other},
		{"assignApplicationReviewer", `mutation($id: ID!, $r: ID!) { assignApplicationReviewer(input: {id: $id, reviewer: $r}) { application { id } } }`,
			func(id string) map[string]any { return map[string]any{"id": id, "r": amb} }, "reviewer",
			func(id string) map[string]any { return map[string]any{"id": id, "r": id} }, w.applicant},
		{"assignGroupMentor", `mutation($id: ID!, $r: ID!) { assignGroupMentor(input: {id: $id, mentor: $r}) { application { id } } }`,
			func(id string) map[string]any { return map[string]any{"id": id, "r": amb} }, "mentor",
			func(id string) map[string]any { return map[string]any{"id": id, "r": id} }, w.applicant},
		{"resolveConflict", `mutation($id: ID!, $g: ID!) { resolveConflict(input: {id: $id, group: $g, resolution: "ok"}) { application { id } } }`,
			nil, "group", func(id string) map[string]any { return map[string]any{"id": id, "g": string(w.bayArea.ID)} }, w.applicant},
		{"rejectApplication", `mutation($id: ID!, $msg: String!) { rejectApplication(input: {id: $id, reason: SPAM, message: $msg}) { application { id } } }`,
			func(id string) map[string]any { return map[string]any{"id": id, "msg": "Spam."} }, "message",
			func(id string) map[string]any { return map[string]any{"id": id, "msg": ""} }, w.applicant},
		{"objectToApplication", `mutation($id: ID!, $r: String!) { objectToApplication(input: {id: $id, reason: $r}) { application { id } } }`,
			func(id string) map[string]any { return map[string]any{"id": id, "r": "No."} }, "reason",
			func(id string) map[string]any { return map[string]any{"id": id, "r": ""} }, w.applicant},
		{"approveApplication", approveQ, idOnly, "", nil, w.applicant},
		{"withdrawApplication", `mutation($id: ID!) { withdrawApplication(input: {id: $id}) { application { id } } }`, idOnly, "", nil, w.manager},
	}
	for _, mu := range muts {
		t.Run(mu.name, func(t *testing.T) {
			// A person who cannot see the application: not found.
			args := map[string]any{"id": open}
			if mu.vars != nil {
				args = mu.vars(open)
			} else if mu.badVars != nil {
				args = mu.badVars(open)
			}
			if r := w.do(t, w.other, mu.q, args); mu.wrongActor != w.other && code(r) != "NOT_FOUND" {
				t.Errorf("stranger: %+v", r.Errors)
			}
			// Someone who sees it but may not do this: forbidden.
			if r := w.do(t, mu.wrongActor, mu.q, args); mu.wrongActor != w.other && code(r) != "FORBIDDEN" {
				t.Errorf("wrong role: %+v", r.Errors)
			}
			// A decided application: conflict naming the status.
			dargs := map[string]any{"id": decided}
			if mu.vars != nil {
				dargs = mu.vars(decided)
			} else if mu.badVars != nil {
				dargs = mu.badVars(decided)
			}
			who := w.manager
			if mu.name == "withdrawApplication" || mu.name == "commentOnApplication" {
				who = w.applicant
			}
			if mu.name == "objectToApplication" {
				who = w.amb
			}
			if r := w.do(t, who, mu.q, dargs); code(r) != "CONFLICT" || r.Errors[0].Extensions["status"] != "REJECTED" {
				t.Errorf("decided: %+v", r.Errors)
			}
			// Bad input: the field is named.
			if mu.badField != "" {
				who := w.manager
				if mu.name == "objectToApplication" {
					who = w.amb
				}
				if r := w.do(t, who, mu.q, mu.badVars(open)); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != mu.badField {
					t.Errorf("bad input: %+v", r.Errors)
				}
			}
		})
	}
}
