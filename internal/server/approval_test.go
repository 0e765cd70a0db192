package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
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
	sys := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(p).SetWebsiteURL("https://groups.example.org/about").
		SetUserGroupPageURL("https://groups.example.org/what-is-a-user-group").SaveX(sys)
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

// ok runs q and fails the test on a GraphQL error or a refusal in a root
// field's userErrors (when the document selects them).
func (w queueWorld) ok(t *testing.T, who, q string, vars map[string]any) map[string]any {
	t.Helper()
	r := w.do(t, who, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", q, r.Errors)
	}
	if code(r) != nil {
		t.Fatalf("%s: refused: %+v", q, r.Data)
	}
	return r.Data
}

const (
	applyQ = `mutation($in: ApplyForGroupInput!) { applyForGroup(input: $in) { application { id status screening { conflicts { groupId resolvedAt } flags missing } } group { id }
		userErrors { code message field suggestedName } } }`
	statusQ  = `query($id: ID!) { node(id: $id) { ... on Application { status objectionDeadline reviews(first: 50) { totalCount edges { node { id kind fromStatus toStatus } } } } } }`
	approveQ = `mutation($id: ID!) { approveApplication(input: {id: $id}) { application { status objectionDeadline } userErrors { code message field status blockers } } }`
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

// TestNewGroupEndToEnd walks OpenStack's new-group process through
// GraphQL, one happy path (the rules of each step are tested beside them
// in internal/workflow): request, support, the reviewer's fixes, a mentor,
// approval opening the objection window, an objection and its resolution,
// the window passing, the group active with its organizer. On the way: the
// credentials the transport hands the workflow (none, a read-only token),
// and who reads the request and its group.
func TestNewGroupEndToEnd(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := dbtest.FixtureContext(t)
	r := w.do(t, w.applicant, `mutation { createAPIToken(input: {name: "ro", scopes: [READ]}) { token } }`, nil)
	readOnly, _ := dig(r.Data, "createAPIToken", "token").(string)
	in := map[string]any{"in": map[string]any{"community": string(w.com.ID), "name": "Oakland", "city": "Oakland", "country": "US", "acceptCodeOfConduct": true}}
	if r := w.do(t, "", applyQ, in); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %+v", r.Errors)
	}
	if r := w.do(t, "Bearer "+readOnly, applyQ, in); code(r) != "FORBIDDEN" {
		t.Errorf("read token: %+v", r.Errors)
	}

	// The community's "what is a user group" page is public.
	if d := w.ok(t, "", `query($id: ID!) { node(id: $id) { ... on Community { userGroupPageURL } } }`, map[string]any{"id": string(w.com.ID)}); dig(d, "node", "userGroupPageURL") != "https://groups.example.org/what-is-a-user-group" {
		t.Errorf("userGroupPageURL = %v", dig(d, "node", "userGroupPageURL"))
	}

	appID, groupID, conflicts := w.apply(t, "Oakland")
	if appID == "" || len(conflicts) != 1 || dig(conflicts[0], "groupId") != string(w.bayArea.ID) {
		t.Fatalf("screening conflicts = %+v", conflicts)
	}
	id := map[string]any{"id": appID}
	// The proposed group is public; the application is the applicant's and reviewers'.
	if d := w.ok(t, "", `query($id: ID!) { node(id: $id) { ... on Group { status } } }`, map[string]any{"id": groupID}); dig(d, "node", "status") != "PROPOSED" {
		t.Errorf("anonymous sees the proposed group: %+v", d)
	}
	if r := w.do(t, w.other, `query($id: ID!) { node(id: $id) { id } }`, id); code(r) != "NOT_FOUND" {
		t.Errorf("a stranger reads the application: %+v", r)
	}
	// A stranger backs the request by its public face, the proposed group;
	// the application stays the applicant's and reviewers'. Its own id
	// names the request too, and backing twice counts once.
	const supportQ = `mutation($id: ID!) { supportGroupApplication(input: {id: $id}) { supporters supporterOrganizations group { id status } application { id }
		userErrors { code message field } } }`
	for _, by := range []string{groupID, appID} {
		d := w.ok(t, w.other, supportQ, map[string]any{"id": by})
		if dig(d, "supportGroupApplication", "supporters") != float64(2) || dig(d, "supportGroupApplication", "group", "id") != groupID ||
			dig(d, "supportGroupApplication", "application") != nil {
			t.Errorf("support by %s = %+v", by, d)
		}
	}
	if r := w.do(t, w.other, supportQ, map[string]any{"id": string(w.bayArea.ID)}); code(r) != "NOT_FOUND" || len(r.Errors) > 0 {
		t.Errorf("support for a group nobody asked for: %+v %+v", r.Data, r.Errors)
	}

	// The reviewer fixes the title and settles the conflict; a mentor is assigned.
	w.ok(t, w.manager, `mutation($id: ID!) { updateApplicationProposal(input: {id: $id, name: "Oakland {East Bay}", note: "Nickname added."}) { application { id } userErrors { code } } }`, id)
	w.ok(t, w.manager, `mutation($id: ID!, $g: ID!) { resolveConflict(input: {id: $id, group: $g, resolution: "Bay Area covers San Francisco; East Bay meets in Oakland."}) { application { id } userErrors { code } } }`,
		map[string]any{"id": appID, "g": string(w.bayArea.ID)})
	d := w.ok(t, w.manager, `mutation($id: ID!, $m: ID!) { assignGroupMentor(input: {id: $id, mentor: $m}) { application { mentor { handle } } userErrors { code } } }`,
		map[string]any{"id": appID, "m": string(w.ambID)})
	if dig(d, "assignGroupMentor", "application", "mentor", "handle") != "amb" {
		t.Errorf("mentor = %+v", d)
	}

	// Approval opens the objection window; an objection holds it.
	d = w.ok(t, w.manager, approveQ, id)
	if dig(d, "approveApplication", "application", "status") != "OBJECTION_WINDOW" || dig(d, "approveApplication", "application", "objectionDeadline") == nil {
		t.Fatalf("approve = %+v", d)
	}
	// The objection is where the reviewer sees it: the application's
	// openObjections, whose id resolveObjection takes.
	d = w.ok(t, w.amb2, `mutation($id: ID!) { objectToApplication(input: {id: $id, reason: "Talk to the Bay Area organizers first."}) {
		application { openObjections { id kind body } } userErrors { code } } }`, id)
	objections, _ := dig(d, "objectToApplication", "application", "openObjections").([]any)
	if len(objections) != 1 || dig(objections[0], "kind") != "OBJECTION" {
		t.Fatalf("open objections after objecting: %+v", d)
	}
	objection := dig(objections[0], "id").(string)
	w.ok(t, w.amb, `mutation($id: ID!) { endorseApplication(input: {id: $id, reason: "I will mentor them."}) { application { id } userErrors { code } } }`, id)
	if d := w.ok(t, w.manager, `query($id: ID!) { node(id: $id) { ... on Application { openObjections { id } } } }`, id); len(dig(d, "node", "openObjections").([]any)) != 1 {
		t.Errorf("the reviewer's open objections: %+v", d)
	}
	const resolveQ = `mutation($o: ID!, $n: String!) { resolveObjection(input: {id: $o, note: $n}) {
		objection { resolvedAt } application { status openObjections { id } } userErrors { code message field } } }`
	d = w.ok(t, w.manager, resolveQ, map[string]any{"o": objection, "n": "The organizers met and agreed."})
	if dig(d, "resolveObjection", "objection", "resolvedAt") == nil || dig(d, "resolveObjection", "application", "status") != "OBJECTION_WINDOW" ||
		len(dig(d, "resolveObjection", "application", "openObjections").([]any)) != 0 {
		t.Errorf("resolve = %+v", d)
	}
	// Resolving it again is a conflict of state, answered as data.
	if r := w.do(t, w.manager, resolveQ, map[string]any{"o": objection, "n": "Again."}); len(r.Errors) > 0 || code(r) != "CONFLICT" ||
		dig(r.Data, "resolveObjection", "objection") != nil {
		t.Errorf("resolved twice: %+v %+v", r.Data, r.Errors)
	}
	if n, err := workflow.FinishObjectionWindows(sys, workflow.NewRunner(w.c, at(time.Now().Add(73*time.Hour)))); err != nil || n != 1 {
		t.Fatalf("window passed: approved %d, err %v", n, err)
	}

	d = w.ok(t, w.manager, statusQ, id)
	var path []string
	for _, e := range dig(d, "node", "reviews", "edges").([]any) {
		if dig(e, "node", "kind") == "STATUS_CHANGE" {
			path = append(path, dig(e, "node", "toStatus").(string))
		}
	}
	if dig(d, "node", "status") != "APPROVED" || !slices.Equal(path, []string{"IN_REVIEW", "OBJECTION_WINDOW", "APPROVED"}) {
		t.Errorf("status %v via %v", dig(d, "node", "status"), path)
	}
	g := w.ok(t, w.applicant, `query($id: ID!) { node(id: $id) { ... on Group { status name } } }`, map[string]any{"id": groupID})
	if dig(g, "node", "status") != "ACTIVE" || dig(g, "node", "name") != "Oakland {East Bay}" {
		t.Errorf("group = %+v", g)
	}
	app := w.c.Application.GetX(sys, pulidID(appID))
	organizer := w.c.Role.Query().Where(role.GroupID(pulidID(groupID)), role.KindEQ(role.KindORGANIZER), role.UserID(app.ApplicantID), role.StatusEQ(role.StatusACTIVE)).ExistX(sys)
	queued := w.c.Message.Query().Where(message.RecipientID(app.ApplicantID), message.Template("application_approved")).CountX(sys)
	if !organizer || queued != 1 {
		t.Errorf("organizer role %v, approval messages %d", organizer, queued)
	}
}

func TestApprovalQueue(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	conflicted, _, _ := w.apply(t, "Oakland {East Bay}")
	w.applyIn(t, "Boston", "Boston")
	rejected, _, _ := w.applyIn(t, "Denver", "Denver")
	w.ok(t, w.manager, `mutation($id: ID!) { rejectApplication(input: {id: $id, reason: OTHER, message: "Not now."}) { application { id } userErrors { code } } }`, map[string]any{"id": rejected})
	w.ok(t, w.amb, `mutation($id: ID!) { objectToApplication(input: {id: $id, reason: "Overlaps the Bay Area group."}) { application { id } userErrors { code } } }`, map[string]any{"id": conflicted})

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
	if r := w.do(t, w.manager, `query($c: ID!) { approvalQueue(community: $c) { applications(first: 500) { totalCount } } }`, map[string]any{"c": string(w.com.ID)}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("first: 500 = %+v", r.Errors)
	}
}

// TestApplicationRefusalsAreData: the application steps answer an expected
// refusal in their payload's userErrors — a fixable name with its
// suggestion, a missing message, a blocked approval — with no GraphQL error
// and nothing saved; not being allowed stays a GraphQL error; a step done
// answers an empty userErrors list.
func TestApplicationRefusalsAreData(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := dbtest.FixtureContext(t)
	saved := func() (apps, groups, reviews int) {
		return w.c.Application.Query().CountX(sys), w.c.Group.Query().CountX(sys), w.c.Review.Query().CountX(sys)
	}

	// The naming rule: the place first, the project's name in braces.
	a0, g0, r0 := saved()
	r := w.do(t, w.applicant, applyQ, map[string]any{"in": map[string]any{"community": string(w.com.ID), "name": "OpenStack User Group Oakland",
		"city": "Oakland", "country": "US", "acceptCodeOfConduct": true}})
	ue := userError(r, "applyForGroup")
	if len(r.Errors) > 0 || ue == nil || ue["code"] != "BAD_USER_INPUT" || fmt.Sprint(ue["field"]) != "[input name]" ||
		ue["suggestedName"] != "Oakland {OpenStack User Group}" || dig(r.Data, "applyForGroup", "application") != nil || dig(r.Data, "applyForGroup", "group") != nil {
		t.Errorf("a name against the rule: %+v %+v", r.Data, r.Errors)
	}
	if a, g, rv := saved(); a != a0 || g != g0 || rv != r0 {
		t.Errorf("the refused request saved rows: applications %d→%d, groups %d→%d, reviews %d→%d", a0, a, g0, g, r0, rv)
	}
	// The suggestion is accepted as it is.
	r = w.do(t, w.applicant, applyQ, map[string]any{"in": map[string]any{"community": string(w.com.ID), "name": ue["suggestedName"],
		"city": "Oakland", "country": "US", "acceptCodeOfConduct": true}})
	if ues, _ := dig(r.Data, "applyForGroup", "userErrors").([]any); len(r.Errors) > 0 || ues == nil || len(ues) != 0 {
		t.Fatalf("the suggested name: %+v %+v", r.Data, r.Errors)
	}
	// Screening findings are enums: a request without links or a
	// description misses both, in the enum's upper case.
	if m := fmt.Sprint(dig(r.Data, "applyForGroup", "application", "screening", "missing")); !strings.Contains(m, "LINK") || !strings.Contains(m, "DESCRIPTION") {
		t.Errorf("screening.missing = %s, want LINK and DESCRIPTION", m)
	}
	appID := dig(r.Data, "applyForGroup", "application", "id").(string)
	id := map[string]any{"id": appID}

	// A reviewer's first action would move it to IN_REVIEW: refused, it
	// leaves the application as it was.
	const rejectQ = `mutation($id: ID!, $m: String!) { rejectApplication(input: {id: $id, reason: SPAM, message: $m}) { application { status } userErrors { code message field } } }`
	_, _, r0 = saved()
	r = w.do(t, w.manager, rejectQ, map[string]any{"id": appID, "m": "  "})
	if ue := userError(r, "rejectApplication"); len(r.Errors) > 0 || ue == nil || ue["code"] != "BAD_USER_INPUT" || fmt.Sprint(ue["field"]) != "[input message]" ||
		dig(r.Data, "rejectApplication", "application") != nil {
		t.Errorf("an empty message: %+v %+v", r.Data, r.Errors)
	}
	// A blocked approval (an unsettled conflict with the Bay Area group) is
	// a conflict of state.
	r = w.do(t, w.manager, approveQ, id)
	if ue := userError(r, "approveApplication"); len(r.Errors) > 0 || code(r) != "CONFLICT" || dig(r.Data, "approveApplication", "application") != nil ||
		ue["status"] != "SUBMITTED" || !strings.Contains(fmt.Sprint(ue["blockers"]), "NO_MENTOR") {
		t.Errorf("a blocked approval: %+v %+v", r.Data, r.Errors)
	}
	if d := w.ok(t, w.manager, statusQ, id); dig(d, "node", "status") != "SUBMITTED" {
		t.Errorf("after the refusals the application is %v", dig(d, "node", "status"))
	}
	if _, _, rv := saved(); rv != r0 {
		t.Errorf("the refused steps saved %d review entries", rv-r0)
	}

	// Not being a reviewer is not a refusal a client fixes by its input:
	// the applicant, who sees the application, may not approve it.
	r = w.do(t, w.applicant, approveQ, id)
	if code(r) != "FORBIDDEN" || len(r.Errors) != 1 || r.Data["approveApplication"] != nil {
		t.Errorf("the applicant approves: %+v %+v", r.Data, r.Errors)
	}
	// One the viewer cannot see is not found, as data.
	r = w.do(t, w.other, approveQ, id)
	if len(r.Errors) > 0 || code(r) != "NOT_FOUND" {
		t.Errorf("a stranger approves: %+v %+v", r.Data, r.Errors)
	}

	// Done: an empty list, not null.
	d := w.ok(t, w.manager, `mutation($id: ID!) { commentOnApplication(input: {id: $id, body: "Looks good."}) { application { status } userErrors { code } } }`, id)
	if ues, ok := dig(d, "commentOnApplication", "userErrors").([]any); !ok || len(ues) != 0 || dig(d, "commentOnApplication", "application", "status") != "IN_REVIEW" {
		t.Errorf("a comment: %+v", d)
	}
}
