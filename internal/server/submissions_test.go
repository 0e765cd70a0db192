package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
)

// submissionWorld is an OpenStack community with a region of groups, its
// ambassador, staff, an organizer and a member of the first group, an
// outsider and an outsider's read token.
type submissionWorld struct {
	com            *ent.Community
	region         *ent.Region
	groups         []*ent.Group
	event          *ent.Event
	staff, amb     *ent.User
	org, member    *ent.User
	outsider, org2 *ent.User
	token          string // a read token of the outsider's
	staffToken     string // a read token of the staff member's
}

func buildSubmissionWorld(t *testing.T, db *store.DB, groups int) submissionWorld {
	t.Helper()
	sys := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	var w submissionWorld
	w.com = tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	w.region = tx.Region.Create().SetCommunityID(w.com.ID).SetName("Europe").SetSlug("europe").SetCountries([]string{"FR"}).SaveX(sys)
	for i := 0; i < groups; i++ {
		w.groups = append(w.groups, tx.Group.Create().SetCommunityID(w.com.ID).SetRegionID(w.region.ID).
			SetName(fmt.Sprintf("City %s", dbtest.Letters(i))).SetSlug(fmt.Sprintf("city-%d", i)).SetCity("Paris").SetCountry("FR").
			SetStatus("ACTIVE").SaveX(sys))
	}
	mk := func(h string) *ent.User {
		u := tx.User.Create().SetHandle(h).SetName(h).SaveX(sys)
		tx.Contact.Create().SetUserID(u.ID).SetEmail(h + "@example.org").ExecX(sys)
		return u
	}
	w.staff, w.amb, w.org, w.member, w.outsider, w.org2 = mk("staff"), mk("amb"), mk("org"), mk("member"), mk("outsider"), mk("org2")
	tx.Role.Create().SetUserID(w.staff.ID).SetCommunityID(w.com.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	tx.Role.Create().SetUserID(w.amb.ID).SetCommunityID(w.com.ID).SetRegionID(w.region.ID).SetKind(role.KindAMBASSADOR).ExecX(sys)
	tx.Role.Create().SetUserID(w.org.ID).SetCommunityID(w.com.ID).SetGroupID(w.groups[0].ID).SetKind(role.KindORGANIZER).ExecX(sys)
	tx.Role.Create().SetUserID(w.member.ID).SetCommunityID(w.com.ID).SetGroupID(w.groups[0].ID).SetKind(role.KindMEMBER).ExecX(sys)
	tx.Role.Create().SetUserID(w.org2.ID).SetCommunityID(w.com.ID).SetGroupID(w.groups[1].ID).SetKind(role.KindORGANIZER).ExecX(sys)
	start := time.Date(2026, 8, 10, 18, 0, 0, 0, time.UTC)
	w.event = tx.Event.Create().SetGroupID(w.groups[0].ID).SetTitle("August meetup").SetTimeZone("Europe/Paris").
		SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetStatus("COMPLETED").SaveX(sys)
	for i := 0; i < 4; i++ {
		u := mk(fmt.Sprintf("attendee%d", i))
		st := "ATTENDED"
		if i == 3 {
			st = "NO_SHOW"
		}
		tx.Registration.Create().SetEventID(w.event.ID).SetUserID(u.ID).SetCheckInCode(fmt.Sprintf("CODE%d", i)).
			SetStatus(registration.Status(st)).ExecX(sys)
		if i < 2 {
			tx.Role.Create().SetUserID(u.ID).SetCommunityID(w.com.ID).SetGroupID(w.groups[0].ID).SetKind(role.KindMEMBER).
				SetTermStart(start.Add(-24 * time.Hour)).ExecX(sys)
		}
	}
	w.token, _ = dbtest.APIToken(t, sys, tx.Client(), w.outsider.ID, "read")
	w.staffToken, _ = dbtest.APIToken(t, sys, tx.Client(), w.staff.ID, "read")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return w
}

func as(u *ent.User) string { return "Session " + string(u.ID) }

// TestFeedbackAndNewsletterOverGraphQL walks feedback from a member to the
// developers (acknowledged, forwarded, exported, delivered) and a
// newsletter issue (proposed, accepted at positions, declined, read by
// the public), with the privacy rows: who reads feedback and items through
// submissions, node(id:) and tokens. The rules are tested beside the steps
// in internal/workflow.
func TestFeedbackAndNewsletterOverGraphQL(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	w := buildSubmissionWorld(t, base, 2)

	const send = `mutation($in: SendFeedbackInput!) { sendFeedback(input: $in) {
		submission { id kind status projectArea region { slug } event { title } links { url } } userErrors { code field message } } }`
	in := map[string]any{"group": "openstack/city-0", "event": string(w.event.ID), "title": "Upgrades across releases",
		"body": "Operators skip releases and want a tested path.", "projectArea": "upgrades",
		"links": []map[string]any{{"label": "Notes", "url": "https://notes.example.org/1"}}}
	r := query(t, h, as(w.member), send, map[string]any{"in": in})
	if !accepted(r, "sendFeedback") || dig(r.Data, "sendFeedback", "submission", "status") != "SUBMITTED" ||
		dig(r.Data, "sendFeedback", "submission", "region", "slug") != "europe" {
		t.Fatalf("send feedback: %+v %+v", r.Data, r.Errors)
	}
	fb := dig(r.Data, "sendFeedback", "submission", "id").(string)
	if r := query(t, h, as(w.outsider), send, map[string]any{"in": in}); code(r) != "FORBIDDEN" {
		t.Errorf("an outsider sends feedback: %+v %+v", r.Data, r.Errors)
	}
	in["event"] = string(w.groups[0].ID)
	if ue := userError(query(t, h, as(w.member), send, map[string]any{"in": in}), "sendFeedback"); ue == nil ||
		ue["code"] != "BAD_USER_INPUT" || fmt.Sprint(ue["field"]) != "[input event]" {
		t.Errorf("a group's id as the event: %+v", ue)
	}

	// Privacy: node(id:) and submissions for each kind of reader.
	const byNode = `query($id: ID!) { node(id: $id) { ... on Submission { id title author { handle contact { email } } } } }`
	const listed = `{ submissions(first: 50) { totalCount } }`
	readers := map[string]string{"anonymous": "", "outsider": as(w.outsider), "token": "Bearer " + w.token,
		"org2": as(w.org2), "org": as(w.org), "amb": as(w.amb), "staff": as(w.staff), "staffToken": "Bearer " + w.staffToken}
	for who, sees := range map[string]bool{"anonymous": false, "outsider": false, "token": false, "org2": false,
		"org": true, "amb": true, "staff": true, "staffToken": true} {
		r := query(t, h, readers[who], byNode, map[string]any{"id": fb})
		got := dig(r.Data, "node", "id") == fb
		if got != sees || (!sees && code(r) != "NOT_FOUND") {
			t.Errorf("%s reads the feedback by node: %v, want %v (%+v)", who, got, sees, r.Errors)
		}
		n := dig(query(t, h, readers[who], listed, nil).Data, "submissions", "totalCount")
		if want := map[bool]float64{true: 1, false: 0}[sees]; n != want {
			t.Errorf("%s lists %v submissions, want %v", who, n, want)
		}
	}

	// Triage.
	const move = `mutation($id: ID!) { %s(input: {id: $id}) { submission { status forwardedAt deliveredAt } userErrors { code field } } }`
	step := func(who *ent.User, name string) gqlResponse {
		return query(t, h, as(who), fmt.Sprintf(move, name), map[string]any{"id": fb})
	}
	if r := step(w.org, "acknowledgeSubmission"); code(r) != "FORBIDDEN" {
		t.Errorf("the organizer triages: %+v %+v", r.Data, r.Errors)
	}
	if r := step(w.amb, "markFeedbackDelivered"); code(r) != "CONFLICT" {
		t.Errorf("delivered before forwarded: %+v %+v", r.Data, r.Errors)
	}
	for _, s := range []struct {
		who  *ent.User
		name string
		want string
	}{{w.amb, "acknowledgeSubmission", "ACKNOWLEDGED"}, {w.staff, "forwardFeedback", "FORWARDED"}} {
		if r := step(s.who, s.name); !accepted(r, s.name) || dig(r.Data, s.name, "submission", "status") != s.want {
			t.Fatalf("%s: %+v %+v", s.name, r.Data, r.Errors)
		}
	}
	if n := base.Client.Message.Query().Where(message.Template("feedback_forwarded")).CountX(dbtest.FixtureContext(t)); n != 1 {
		t.Errorf("%d messages on forwarding, want 1", n)
	}
	const export = `query($c: ID!, $s: SubmissionStatus) { feedbackExport(community: $c, status: $s) { count document } }`
	for who, want := range map[string]any{"anonymous": "UNAUTHENTICATED", "token": "FORBIDDEN", "amb": "FORBIDDEN", "org": "FORBIDDEN"} {
		if r := query(t, h, readers[who], export, map[string]any{"c": "openstack"}); code(r) != want {
			t.Errorf("%s exports: %v, want %v", who, code(r), want)
		}
	}
	r = query(t, h, readers["staffToken"], export, map[string]any{"c": "openstack", "s": "FORWARDED"})
	doc, _ := dig(r.Data, "feedbackExport", "document").(string)
	if dig(r.Data, "feedbackExport", "count") != float64(1) || !strings.Contains(doc, `"author":"member"`) ||
		!strings.Contains(doc, `"projectArea":"upgrades"`) || strings.Contains(doc, "@example.org") || strings.Contains(doc, "attendee") {
		t.Errorf("the export: %+v %+v", r.Data, r.Errors)
	}
	if r := step(w.amb, "markFeedbackDelivered"); dig(r.Data, "markFeedbackDelivered", "submission", "status") != "DELIVERED" ||
		dig(r.Data, "markFeedbackDelivered", "submission", "deliveredAt") == nil {
		t.Errorf("delivered: %+v %+v", r.Data, r.Errors)
	}

	// The newsletter: three items, the third put first; a fourth declined.
	const propose = `mutation($t: String!) { proposeNewsletterItem(input: {community: "openstack", title: $t, body: "Text."}) {
		submission { id status } userErrors { code field } } }`
	var items []string
	for _, title := range []string{"First", "Second", "Third", "Fourth"} {
		r := query(t, h, as(w.member), propose, map[string]any{"t": title})
		if !accepted(r, "proposeNewsletterItem") {
			t.Fatalf("propose: %+v %+v", r.Data, r.Errors)
		}
		items = append(items, dig(r.Data, "proposeNewsletterItem", "submission", "id").(string))
	}
	if r := query(t, h, "", propose, map[string]any{"t": "Anonymous"}); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous proposes: %+v", r.Errors)
	}
	const accept = `mutation($id: ID!, $i: String!, $p: Int) { acceptNewsletterItem(input: {id: $id, issue: $i, position: $p}) {
		submission { status newsletterIssue newsletterPosition } userErrors { code field } } }`
	if r := query(t, h, as(w.amb), accept, map[string]any{"id": items[0], "i": "2026-12"}); code(r) != "NOT_FOUND" {
		t.Errorf("an ambassador accepts: %+v %+v", r.Data, r.Errors)
	}
	if ue := userError(query(t, h, as(w.staff), accept, map[string]any{"id": items[0], "i": "12/2026"}), "acceptNewsletterItem"); ue == nil ||
		fmt.Sprint(ue["field"]) != "[input issue]" {
		t.Errorf("a badly named issue: %+v", ue)
	}
	for i, pos := range []any{nil, nil, 1} {
		r := query(t, h, as(w.staff), accept, map[string]any{"id": items[i], "i": "2026-12", "p": pos})
		if !accepted(r, "acceptNewsletterItem") {
			t.Fatalf("accept %d: %+v %+v", i, r.Data, r.Errors)
		}
	}
	if ue := userError(query(t, h, as(w.staff), accept, map[string]any{"id": items[3], "i": "2026-12", "p": 9}), "acceptNewsletterItem"); ue == nil ||
		fmt.Sprint(ue["field"]) != "[input position]" {
		t.Errorf("a position past the end: %+v", ue)
	}
	r = query(t, h, as(w.staff), `mutation($id: ID!) { declineSubmission(input: {id: $id, reason: "Off topic."}) {
		submission { status declineReason } userErrors { code } } }`, map[string]any{"id": items[3]})
	if dig(r.Data, "declineSubmission", "submission", "status") != "DECLINED" {
		t.Errorf("decline: %+v %+v", r.Data, r.Errors)
	}
	const newsletter = `query { newsletter(community: "openstack", issue: "2026-12") {
		title newsletterPosition declineReason author { handle contact { email } } } }`
	for _, who := range []string{"anonymous", "token", "org2"} {
		r := query(t, h, readers[who], newsletter, nil)
		b, _ := json.Marshal(r.Data)
		got := []string{}
		for _, it := range r.Data["newsletter"].([]any) {
			got = append(got, fmt.Sprintf("%v:%v", it.(map[string]any)["newsletterPosition"], it.(map[string]any)["title"]))
		}
		if strings.Join(got, ",") != "1:Third,2:First,3:Second" || strings.Contains(string(b), "@example.org") {
			t.Errorf("%s reads the newsletter: %s %+v", who, b, r.Errors)
		}
	}
	// Accepted items are public through node too; the declined one is not.
	for id, public := range map[string]bool{items[0]: true, items[3]: false} {
		r := query(t, h, "", byNode, map[string]any{"id": id})
		if got := dig(r.Data, "node", "id") == id; got != public {
			t.Errorf("anonymous reads item %s by node: %v, want %v", id, got, public)
		}
	}
	if n := base.Client.Message.Query().Where(message.RecipientID(w.member.ID)).CountX(dbtest.FixtureContext(t)); n != 4 {
		t.Errorf("the author was told %d times, want 4 (three acceptances, one decline)", n)
	}
}

// TestActivityReportsOverGraphQL: the region's ambassador asks, the draft
// is prefilled from the fixture's data, an organizer answers once, the
// asker sees every row and an organizer only theirs; with the clock moved
// past the due date the request is overdue and listed. ActivityRequest.groups
// costs the same statements for 3 groups as for 12.
func TestActivityReportsOverGraphQL(t *testing.T) {
	var counter *dbtest.Counter
	base := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	clock := dbtest.NewClock(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client, now: clock.Now})
	w := buildSubmissionWorld(t, base, 3)

	const ask = `mutation($in: RequestActivityReportsInput!) { requestActivityReports(input: $in) {
		activityRequest { id title overdue groups { group { slug } answered } } userErrors { code field } } }`
	in := map[string]any{"region": string(w.region.ID), "title": "Activities in the third quarter", "message": "A few lines, please.",
		"periodStart": "2026-07-01T00:00:00Z", "periodEnd": "2026-10-01T00:00:00Z", "dueAt": "2026-10-15T00:00:00Z"}
	if r := query(t, h, as(w.org), ask, map[string]any{"in": in}); code(r) != "FORBIDDEN" {
		t.Errorf("an organizer asks: %+v %+v", r.Data, r.Errors)
	}
	r := query(t, h, as(w.amb), ask, map[string]any{"in": in})
	if !accepted(r, "requestActivityReports") || len(dig(r.Data, "requestActivityReports", "activityRequest", "groups").([]any)) != 3 {
		t.Fatalf("ask: %+v %+v", r.Data, r.Errors)
	}
	req := dig(r.Data, "requestActivityReports", "activityRequest", "id").(string)
	if n := base.Client.Message.Query().Where(message.Template("activity_report_requested")).CountX(dbtest.FixtureContext(t)); n != 2 {
		t.Errorf("%d groups told, want the 2 with organizers", n)
	}

	const draftQ = `query($r: ID!, $g: ID!) { activityReportDraft(request: $r, group: $g) { eventsCount attendeesCount newMembersCount group { slug } } }`
	r = query(t, h, as(w.org), draftQ, map[string]any{"r": req, "g": "openstack/city-0"})
	if dig(r.Data, "activityReportDraft", "eventsCount") != float64(1) || dig(r.Data, "activityReportDraft", "attendeesCount") != float64(3) ||
		dig(r.Data, "activityReportDraft", "newMembersCount") != float64(2) {
		t.Errorf("the draft: %+v %+v", r.Data, r.Errors)
	}
	for who, want := range map[string]string{"": "NOT_FOUND", as(w.outsider): "NOT_FOUND", as(w.member): "NOT_FOUND", as(w.org2): "FORBIDDEN", "Bearer " + w.token: "NOT_FOUND"} {
		if r := query(t, h, who, draftQ, map[string]any{"r": req, "g": "openstack/city-0"}); code(r) != want {
			t.Errorf("%q reads the draft: %v, want %s", who, code(r), want)
		}
	}

	const answer = `mutation($in: AnswerActivityRequestInput!) { answerActivityRequest(input: $in) {
		submission { id kind eventsCount attendeesCount newMembersCount request { id } } userErrors { code field } } }`
	ain := map[string]any{"request": req, "group": string(w.groups[0].ID), "body": "One meetup, well attended.", "attendeesCount": 4}
	if r := query(t, h, as(w.org2), answer, map[string]any{"in": ain}); code(r) != "FORBIDDEN" {
		t.Errorf("another group's organizer answers: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(w.org), answer, map[string]any{"in": ain})
	if !accepted(r, "answerActivityRequest") || dig(r.Data, "answerActivityRequest", "submission", "eventsCount") != float64(1) ||
		dig(r.Data, "answerActivityRequest", "submission", "attendeesCount") != float64(4) {
		t.Fatalf("answer: %+v %+v", r.Data, r.Errors)
	}
	answerID := dig(r.Data, "answerActivityRequest", "submission", "id").(string)
	if r := query(t, h, as(w.org), answer, map[string]any{"in": ain}); code(r) != "CONFLICT" {
		t.Errorf("a second answer: %+v %+v", r.Data, r.Errors)
	}

	// Rows: the asker and staff see all three; an organizer their own;
	// the outsider and tokens not the request at all.
	const rowsQ = `query($id: ID!) { node(id: $id) { ... on ActivityRequest { overdue groups { group { slug } answered answer { id body } } } } }`
	for who, want := range map[string]string{
		as(w.amb):   "city-0:true:true,city-1:false:false,city-2:false:false",
		as(w.staff): "city-0:true:true,city-1:false:false,city-2:false:false",
		as(w.org):   "city-0:true:true",
		as(w.org2):  "city-1:false:false",
	} {
		r := query(t, h, who, rowsQ, map[string]any{"id": req})
		var got []string
		for _, row := range dig(r.Data, "node", "groups").([]any) {
			m := row.(map[string]any)
			got = append(got, fmt.Sprintf("%v:%v:%v", dig(m, "group", "slug"), m["answered"], m["answer"] != nil))
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s reads rows %v, want %s", who, got, want)
		}
	}
	for _, who := range []string{"", as(w.outsider), "Bearer " + w.token} {
		if r := query(t, h, who, rowsQ, map[string]any{"id": req}); code(r) != "NOT_FOUND" {
			t.Errorf("%q reads the request: %+v %+v", who, r.Data, r.Errors)
		}
		if r := query(t, h, who, byNodeID, map[string]any{"id": answerID}); code(r) != "NOT_FOUND" {
			t.Errorf("%q reads the answer: %+v %+v", who, r.Data, r.Errors)
		}
	}
	if r := query(t, h, as(w.org2), byNodeID, map[string]any{"id": answerID}); code(r) != "NOT_FOUND" {
		t.Errorf("another organizer reads the answer: %+v", r.Data)
	}

	// Overdue: not before the due date; after it, listed for the asker
	// and staff, not for organizers or the public.
	const overdueQ = `query { overdueActivityRequests(community: "openstack") { id overdue } }`
	if r := query(t, h, as(w.staff), overdueQ, nil); len(r.Data["overdueActivityRequests"].([]any)) != 0 {
		t.Errorf("overdue before the due date: %+v", r.Data)
	}
	clock.Advance(20 * 24 * time.Hour)
	for who, n := range map[string]int{as(w.staff): 1, as(w.amb): 1, "Bearer " + w.staffToken: 1, as(w.org): 0, "": 0, "Bearer " + w.token: 0} {
		r := query(t, h, who, overdueQ, nil)
		list, _ := r.Data["overdueActivityRequests"].([]any)
		if len(list) != n || (n == 1 && dig(list[0], "overdue") != true) {
			t.Errorf("%q lists overdue %+v %+v, want %d", who, r.Data, r.Errors, n)
		}
	}

	// Constant SQL: the rows of a request over 3 groups and over 12 cost
	// the same statements.
	statements := []int64{}
	for _, n := range []int{3, 12} {
		sys := dbtest.FixtureContext(t)
		tx, err := base.Client.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		for len(w.groups) < n {
			i := len(w.groups)
			w.groups = append(w.groups, tx.Group.Create().SetCommunityID(w.com.ID).SetRegionID(w.region.ID).
				SetName(fmt.Sprintf("Town %s", dbtest.Letters(i))).SetSlug(fmt.Sprintf("town-%d", i)).SetCity("Lyon").SetCountry("FR").
				SetStatus("OFFICIAL").SaveX(sys))
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		counter.Reset()
		r := query(t, h, as(w.amb), `{ activityRequests(first: 10) { edges { node { overdue groups { group { slug } answered answer { id } } } } } }`, nil)
		statements = append(statements, counter.Count())
		if got := len(dig(r.Data, "activityRequests", "edges", "0", "node", "groups").([]any)); got != n {
			t.Fatalf("%d rows, want %d: %+v", got, n, r.Errors)
		}
	}
	if statements[0] != statements[1] {
		t.Errorf("ActivityRequest.groups: SQL statements grow with the groups: %v", statements)
	}
	t.Logf("statements for a request over 3 and 12 groups: %v", statements)
}

// byNodeID looks a submission up by id.
const byNodeID = `query($id: ID!) { node(id: $id) { id } }`
