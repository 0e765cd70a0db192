package server_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// movable is a stopped clock a test moves between requests.
type movable struct {
	mu sync.Mutex
	t  time.Time
}

func (m *movable) now() time.Time { m.mu.Lock(); defer m.mu.Unlock(); return m.t }

func (m *movable) advance(d time.Duration) { m.mu.Lock(); defer m.mu.Unlock(); m.t = m.t.Add(d) }

// TestReportsThroughGraphQL is issue 19's confidential reports over
// GraphQL: anonymous filing with a follow-up code and its daily cap, a
// title-misuse report and who reads it (the ambassador it is about, other
// people, API tokens even an admin's, anonymous, node(id:) and nested
// edges cannot), triage and closing with their conflicts, the overdue board
// with the clock moved, revokeRole on the report, and the audited export.
func TestReportsThroughGraphQL(t *testing.T) {
	base := dbtest.Open(t)
	clk := &movable{t: time.Now().UTC().Truncate(time.Second)}
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client, now: clk.now})
	sys := dbtest.FixtureContext(t)
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	p := policy.OpenStack()
	p.AnonymousReportsPerDay = 2
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(p).SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	mgr, amb, ada, stranger, admin := mk("mgr"), mk("amb"), mk("ada"), mk("stranger"), mk("admin")
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	tx.Role.Create().SetUserID(admin.ID).SetKind(role.KindADMIN).ExecX(sys)
	ambRole := tx.Role.Create().SetUserID(amb.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindAMBASSADOR).SaveX(sys)
	tx.Role.Create().SetUserID(ada.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindMEMBER).ExecX(sys)
	adminTok, _ := dbtest.APIToken(t, sys, tx.Client(), admin.ID, "read", "write")
	mgrTok, _ := dbtest.APIToken(t, sys, tx.Client(), mgr.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	// Anonymous filing: a follow-up code, no report object, capped per day.
	const file = `mutation($in: FileReportInput!) { fileReport(input: $in) {
		report { id status reporter { handle } respondBy } followUpCode userErrors { code field message } } }`
	anonIn := map[string]any{"community": "openstack", "kind": "CODE_OF_CONDUCT", "group": "openstack/paris",
		"description": "A speaker made demeaning remarks at the last meetup."}
	r := query(t, h, "", file, map[string]any{"in": anonIn})
	followUp, _ := dig(r.Data, "fileReport", "followUpCode").(string)
	if !accepted(r, "fileReport") || len(strings.ReplaceAll(followUp, "-", "")) != 26 || dig(r.Data, "fileReport", "report") != nil {
		t.Fatalf("anonymous fileReport: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, "", file, map[string]any{"in": anonIn}); !accepted(r, "fileReport") {
		t.Fatalf("second anonymous report: %+v", r.Errors)
	}
	if r := query(t, h, "", file, map[string]any{"in": anonIn}); code(r) != "RATE_LIMITED" {
		t.Errorf("third anonymous report today: %+v %+v", r.Data, r.Errors)
	}
	const follow = `query($c: String!) { reportFollowUp(code: $c) { kind status respondBy replies { fromStaff body } } }`
	if r := query(t, h, "", follow, map[string]any{"c": followUp}); dig(r.Data, "reportFollowUp", "status") != "RECEIVED" || dig(r.Data, "reportFollowUp", "respondBy") == nil {
		t.Errorf("follow-up: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, "", follow, map[string]any{"c": "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-23"}); r.Data["reportFollowUp"] != nil || len(r.Errors) > 0 {
		t.Errorf("a wrong code: %+v %+v", r.Data, r.Errors)
	}

	// A signed-in report of title misuse about the ambassador.
	r = query(t, h, as(ada), file, map[string]any{"in": map[string]any{"community": string(os.ID), "kind": "TITLE_MISUSE",
		"subjectUser": string(amb.ID), "description": "Calls himself the official OpenStack ambassador for France on business cards."}})
	id, _ := dig(r.Data, "fileReport", "report", "id").(string)
	if !accepted(r, "fileReport") || dig(r.Data, "fileReport", "report", "reporter", "handle") != "ada" || dig(r.Data, "fileReport", "followUpCode") != nil {
		t.Fatalf("fileReport: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(ada), file, map[string]any{"in": map[string]any{"community": "openstack", "kind": "SPAM", "event": string(paris.ID),
		"description": "Spam spam spam spam spam."}})
	if ue := userError(r, "fileReport"); ue == nil || ue["code"] != "BAD_USER_INPUT" {
		t.Errorf("a group id as the event: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, "Bearer "+mgrTok, file, map[string]any{"in": anonIn}); code(r) != "FORBIDDEN" {
		t.Errorf("a token files a report: %+v %+v", r.Data, r.Errors)
	}
	// Staff were told, without the content.
	for _, m := range c.Message.Query().Where(message.Template("report_received")).AllX(sys) {
		if strings.Contains(m.Body, "business cards") || strings.Contains(m.Body, "demeaning") {
			t.Errorf("staff message carries content: %q", m.Body)
		}
	}

	// Privacy rows.
	const node = `query($id: ID!) { node(id: $id) { ... on Report { id kind } } }`
	const list = `{ reports { totalCount } }`
	for who, hdr := range map[string]string{"reporter": as(ada), "staff": as(mgr), "admin": as(admin)} {
		if r := query(t, h, hdr, node, map[string]any{"id": id}); dig(r.Data, "node", "kind") != "TITLE_MISUSE" {
			t.Errorf("%s cannot read the report: %+v %+v", who, r.Data, r.Errors)
		}
	}
	for who, hdr := range map[string]string{"subject ambassador": as(amb), "stranger": as(stranger), "anonymous": "",
		"admin's token": "Bearer " + adminTok, "staff token": "Bearer " + mgrTok} {
		if r := query(t, h, hdr, node, map[string]any{"id": id}); dig(r.Data, "node") != nil || code(r) != "NOT_FOUND" {
			t.Errorf("%s reads the report by node: %+v %+v", who, r.Data, r.Errors)
		}
		if r := query(t, h, hdr, list, nil); dig(r.Data, "reports", "totalCount") != float64(0) {
			t.Errorf("%s lists reports: %+v %+v", who, r.Data, r.Errors)
		}
	}
	if r := query(t, h, as(mgr), list, nil); dig(r.Data, "reports", "totalCount") != float64(3) {
		t.Errorf("staff list: %+v %+v", r.Data, r.Errors)
	}

	// Overdue board: nothing yet, then all three after 73 hours.
	const board = `query { overdueReports(community: "openstack", first: 10) { totalCount nodes { id kind } }
		community(slug: "openstack") { overdueReportCount } }`
	if r := query(t, h, as(mgr), board, nil); dig(r.Data, "overdueReports", "totalCount") != float64(0) {
		t.Errorf("board before the target: %+v %+v", r.Data, r.Errors)
	}
	clk.advance(73 * time.Hour)
	if r := query(t, h, as(mgr), board, nil); dig(r.Data, "overdueReports", "totalCount") != float64(3) ||
		dig(r.Data, "community", "overdueReportCount") != float64(3) || lastID(dig(r.Data, "overdueReports", "nodes")) != id {
		t.Errorf("board after the target: %+v %+v", r.Data, r.Errors)
	}
	for who, hdr := range map[string]string{"member": as(ada), "anonymous": "", "staff token": "Bearer " + mgrTok} {
		if r := query(t, h, hdr, board, nil); code(r) != "FORBIDDEN" && code(r) != "UNAUTHENTICATED" {
			t.Errorf("%s reads the board: %+v %+v", who, r.Data, r.Errors)
		}
		if r := query(t, h, hdr, `{ community(slug: "openstack") { overdueReportCount } }`, nil); dig(r.Data, "community", "overdueReportCount") != nil {
			t.Errorf("%s reads the overdue count: %+v", who, r.Data)
		}
	}

	// Triage and replies.
	const triage = `mutation($id: ID!) { triageReport(input: {id: $id}) { report { status respondedAt } userErrors { code status } } }`
	if r := query(t, h, as(amb), triage, map[string]any{"id": id}); code(r) != "NOT_FOUND" {
		t.Errorf("the subject triages: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), triage, map[string]any{"id": id}); code(r) != "FORBIDDEN" {
		t.Errorf("the reporter triages: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mgr), triage, map[string]any{"id": id}); dig(r.Data, "triageReport", "report", "status") != "INVESTIGATING" {
		t.Fatalf("triage: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mgr), triage, map[string]any{"id": id}); code(r) != "CONFLICT" || dig(r.Data, "triageReport", "userErrors", "0", "status") != "INVESTIGATING" {
		t.Errorf("second triage: %+v %+v", r.Data, r.Errors)
	}
	const reply = `mutation($in: ReplyToReportInput!) { replyToReport(input: $in) {
		report { replies { fromStaff body author { handle } } } followUp { replies { fromStaff body } } userErrors { code field } } }`
	if r := query(t, h, as(mgr), reply, map[string]any{"in": map[string]any{"id": id, "body": "We are looking into it."}}); !accepted(r, "replyToReport") {
		t.Errorf("staff reply: %+v %+v", r.Data, r.Errors)
	}
	anonID := c.Report.Query().Where(report.FollowUpCodeHash(workflow.FollowUpCodeHash(followUp))).OnlyIDX(sys)
	r = query(t, h, "", reply, map[string]any{"in": map[string]any{"id": string(anonID), "body": "Any news?", "followUpCode": followUp}})
	if !accepted(r, "replyToReport") || dig(r.Data, "replyToReport", "report") != nil || dig(r.Data, "replyToReport", "followUp", "replies", "0", "body") != "Any news?" {
		t.Errorf("anonymous reply: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, "", reply, map[string]any{"in": map[string]any{"id": string(anonID), "body": "Any news?"}}); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous reply without the code: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), `query($id: ID!) { node(id: $id) { ... on Report { replies { body fromStaff } } } }`, map[string]any{"id": id}); dig(r.Data, "node", "replies", "0", "body") != "We are looking into it." {
		t.Errorf("the reporter reads the reply: %+v %+v", r.Data, r.Errors)
	}

	// revokeRole on the report: the role lists it, the report lists the role;
	// the public roster does not show the report.
	const revoke = `mutation($in: RevokeRoleInput!) { revokeRole(input: $in) { role { status report { id } } userErrors { code field } } }`
	if r := query(t, h, as(mgr), revoke, map[string]any{"in": map[string]any{"id": string(ambRole.ID), "reason": "Title misuse.", "report": string(paris.ID)}}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("revoke with a group as the report: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(mgr), revoke, map[string]any{"in": map[string]any{"id": string(ambRole.ID), "reason": "Title misuse.", "report": id}})
	if !accepted(r, "revokeRole") || dig(r.Data, "revokeRole", "role", "report", "id") != id {
		t.Fatalf("revoke on the report: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mgr), `query($id: ID!) { node(id: $id) { ... on Report { actions { id status } } } }`, map[string]any{"id": id}); dig(r.Data, "node", "actions", "0", "id") != string(ambRole.ID) {
		t.Errorf("report actions: %+v %+v", r.Data, r.Errors)
	}
	for who, hdr := range map[string]string{"anonymous": "", "the subject": as(amb), "admin's token": "Bearer " + adminTok} {
		r := query(t, h, hdr, `query($id: ID!) { node(id: $id) { ... on Role { status report { id } } } }`, map[string]any{"id": string(ambRole.ID)})
		if dig(r.Data, "node", "report") != nil && dig(r.Data, "node", "report", "id") != nil {
			t.Errorf("%s reads Role.report: %+v %+v", who, r.Data, r.Errors)
		}
	}

	// Close, then no second close.
	const closeQ = `mutation($in: CloseReportInput!) { closeReport(input: $in) { report { status resolution closedBy { handle } } userErrors { code } } }`
	in := map[string]any{"id": id, "outcome": "ACTION_TAKEN", "resolution": "The ambassador role was revoked."}
	if r := query(t, h, as(mgr), closeQ, map[string]any{"in": in}); dig(r.Data, "closeReport", "report", "status") != "ACTION_TAKEN" || dig(r.Data, "closeReport", "report", "closedBy", "handle") != "mgr" {
		t.Fatalf("close: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mgr), closeQ, map[string]any{"in": in}); code(r) != "CONFLICT" {
		t.Errorf("second close: %+v %+v", r.Data, r.Errors)
	}

	// Export: staff, audited; never a token.
	const export = `mutation($id: ID!) { exportReport(input: {id: $id}) { document userErrors { code } } }`
	if r := query(t, h, "Bearer "+adminTok, export, map[string]any{"id": id}); code(r) != "FORBIDDEN" {
		t.Errorf("export with an admin's token: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), export, map[string]any{"id": id}); code(r) != "FORBIDDEN" {
		t.Errorf("export by the reporter: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(mgr), export, map[string]any{"id": id})
	doc, _ := dig(r.Data, "exportReport", "document").(string)
	if !strings.Contains(doc, "business cards") || !strings.Contains(doc, "We are looking into it.") || !strings.Contains(doc, string(ambRole.ID)) {
		t.Errorf("export: %+v %+v", r.Data, r.Errors)
	}
	if n := c.AuditEntry.Query().Where(auditentry.ActionEQ(auditentry.ActionACCESSED), auditentry.NodeID(id), auditentry.ActorID(string(mgr.ID))).CountX(sys); n != 1 {
		t.Errorf("%d audit entries for the export", n)
	}
	if n := c.Change.Query().Where(change.NodeID(id)).CountX(sys); n != 0 {
		t.Errorf("%d change rows for the report", n)
	}
}

// lastID is the id of the last node of a list in a response.
func lastID(v any) any {
	l, _ := v.([]any)
	if len(l) == 0 {
		return nil
	}
	return dig(l[len(l)-1], "id")
}
