package workflow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// reportWorld is a community with two staff members, a group with an
// ambassador and a member, and a stranger from elsewhere.
type reportWorld struct {
	*world
	com                    *ent.Community
	g                      *ent.Group
	mgr, mgr2, amb, member *ent.User
	stranger               *ent.User
}

func newReportWorld(t *testing.T) *reportWorld {
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	g := w.Group(com, group.StatusACTIVE)
	rw := &reportWorld{world: w, com: com, g: g,
		mgr: w.Person(role.KindCOMMUNITY_MANAGER, com), mgr2: w.Person(role.KindCOMMUNITY_MANAGER, com),
		amb: w.Person(role.KindAMBASSADOR, g), member: w.Person(role.KindMEMBER, g)}
	rw.stranger = w.Person(role.KindMEMBER, w.Group(w.Community(policy.OpenStack()), group.StatusACTIVE))
	return rw
}

func (w *reportWorld) file(ctx context.Context, in workflow.ReportFiling) (*workflow.FiledReport, error) {
	if in.Community == "" {
		in.Community = w.com.ID
	}
	if in.Kind == "" {
		in.Kind = report.KindCODE_OF_CONDUCT
	}
	if in.Description == "" {
		in.Description = "Someone was shouted down at the meetup."
	}
	return w.Runner.FileReport(ctx, in)
}

// readable tells whether the viewer of ctx reads the report (and how many).
func readable(t *testing.T, w *reportWorld, ctx context.Context, id pulid.ID) bool {
	t.Helper()
	n, err := w.Client.Report.Query().Where(report.ID(id)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestFileReportSignedInAndAnonymous(t *testing.T) {
	w := newReportWorld(t)
	ev := w.Event(w.g)
	f, err := w.file(w.As(w.member.ID), workflow.ReportFiling{Event: &ev.ID, SubjectUser: &w.amb.ID})
	if err != nil {
		t.Fatal(err)
	}
	rep := f.Report
	if f.FollowUpCode != nil || rep.ReporterID != w.member.ID || rep.GroupID != w.g.ID || rep.EventID != ev.ID ||
		rep.Status != report.StatusRECEIVED || rep.RespondBy == nil || !rep.RespondBy.Equal(w.Now().Add(72*time.Hour)) {
		t.Fatalf("signed-in report = %+v, code %v", rep, f.FollowUpCode)
	}
	// Staff are told that a report arrived: kind and id, no content; the
	// subject is not told.
	msgs := w.Client.Message.Query().Where(message.Template("report_received")).AllX(w.System())
	if len(msgs) != 1 || len(msgs[0].RecipientIds) != 2 || strings.Contains(msgs[0].Body, "shouted") ||
		!strings.Contains(msgs[0].Body, string(rep.ID)) || !strings.Contains(msgs[0].Subject, "CODE_OF_CONDUCT") {
		t.Errorf("staff message = %+v", msgs)
	}

	// The subject must belong to the community.
	_, err = w.file(w.As(w.member.ID), workflow.ReportFiling{SubjectUser: &w.stranger.ID})
	wantField(t, err, "subjectUser")
	_, err = w.file(w.As(w.member.ID), workflow.ReportFiling{Event: &w.g.ID})
	wantField(t, err, "event")

	// Anonymous: a follow-up code, no reporter, capped per address.
	anon := w.Anonymous()
	var codes []string
	for i := 0; i < 3; i++ {
		f, err := w.file(anon, workflow.ReportFiling{Kind: report.KindTITLE_MISUSE, SubjectUser: &w.amb.ID, Address: "ip:192.0.2.7"})
		if err != nil {
			t.Fatalf("anonymous report %d: %v", i, err)
		}
		if f.FollowUpCode == nil || len(strings.ReplaceAll(*f.FollowUpCode, "-", "")) != 26 || f.Report.ReporterID != "" {
			t.Fatalf("anonymous report = %+v", f)
		}
		codes = append(codes, *f.FollowUpCode)
	}
	_, err = w.file(anon, workflow.ReportFiling{Address: "ip:192.0.2.7"})
	wantCode(t, err, apierror.RateLimited)
	if _, err := w.file(anon, workflow.ReportFiling{Address: "ip:198.51.100.1"}); err != nil {
		t.Errorf("another address is capped too: %v", err)
	}
	w.Clock.Advance(25 * time.Hour)
	if _, err := w.file(anon, workflow.ReportFiling{Address: "ip:192.0.2.7"}); err != nil {
		t.Errorf("the cap did not reset after a day: %v", err)
	}
	// Nothing stored reveals the code or the address.
	stored := w.Client.Report.Query().Where(report.ReporterIDIsNil()).AllX(w.System())
	for _, r := range stored {
		if r.FollowUpCodeHash == nil || strings.Contains(*r.FollowUpCodeHash, codes[0]) || strings.Contains(r.SourceHash, "192.0.2.7") {
			t.Errorf("stored anonymous report %+v", r)
		}
	}

	// The follow-up code reads the report; a wrong code reads nothing.
	fu, err := workflow.FollowUp(anon, w.Client, strings.ToLower(codes[0]))
	if err != nil || fu == nil || fu.Kind != report.KindTITLE_MISUSE || fu.Status != report.StatusRECEIVED {
		t.Fatalf("follow-up = %+v, %v", fu, err)
	}
	if fu, err := workflow.FollowUp(anon, w.Client, "AAAA-BBBB"); fu != nil || err != nil {
		t.Errorf("a wrong code read %+v, %v", fu, err)
	}

	// Never a change-log row for a report.
	if n := w.Client.Change.Query().Where(change.NodeType("Report")).CountX(w.System()); n != 0 {
		t.Errorf("%d change rows for reports", n)
	}
}

func TestFileReportPolicyOff(t *testing.T) {
	w := newReportWorld(t)
	p := policy.OpenStack()
	p.ReportResponseHours, p.AnonymousReportsPerDay = 0, 0
	com := w.Community(p)
	f, err := w.file(w.As(w.member.ID), workflow.ReportFiling{Community: com.ID})
	if err != nil || f.Report.RespondBy != nil {
		t.Errorf("no response target: %+v, %v", f, err)
	}
	_, err = w.file(w.Anonymous(), workflow.ReportFiling{Community: com.ID, Address: "ip:192.0.2.1"})
	wantCode(t, err, apierror.RateLimited)
	_, err = w.file(w.AsToken(w.member.ID, "read", "write"), workflow.ReportFiling{})
	wantCode(t, err, apierror.Forbidden)
}

func TestReportPrivacy(t *testing.T) {
	w := newReportWorld(t)
	admin := w.User()
	w.Role(admin, role.KindADMIN, nil)
	// A title-misuse report about the ambassador, and one about a staff
	// member and one about the admin.
	f, err := w.file(w.As(w.member.ID), workflow.ReportFiling{Kind: report.KindTITLE_MISUSE, SubjectUser: &w.amb.ID})
	if err != nil {
		t.Fatal(err)
	}
	aboutMgr, err := w.file(w.As(w.member.ID), workflow.ReportFiling{SubjectUser: &w.mgr.ID})
	if err != nil {
		t.Fatal(err)
	}
	w.Role(admin, role.KindMEMBER, w.g)
	aboutAdmin, err := w.file(w.As(w.member.ID), workflow.ReportFiling{SubjectUser: &admin.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who  string
		ctx  context.Context
		id   pulid.ID
		want bool
	}{
		{"reporter", w.As(w.member.ID), f.Report.ID, true},
		{"staff", w.As(w.mgr.ID), f.Report.ID, true},
		{"admin", w.As(admin.ID), f.Report.ID, true},
		{"subject ambassador", w.As(w.amb.ID), f.Report.ID, false},
		{"stranger", w.As(w.stranger.ID), f.Report.ID, false},
		{"anonymous", w.Anonymous(), f.Report.ID, false},
		{"reporter's token", w.AsToken(w.member.ID, "read"), f.Report.ID, false},
		{"staff token", w.AsToken(w.mgr.ID, "read"), f.Report.ID, false},
		{"admin token", w.AsToken(admin.ID, "read"), f.Report.ID, false},
		{"staff subject", w.As(w.mgr.ID), aboutMgr.Report.ID, false},
		{"other staff", w.As(w.mgr2.ID), aboutMgr.Report.ID, true},
		{"admin subject", w.As(admin.ID), aboutAdmin.Report.ID, false},
	} {
		if got := readable(t, w, c.ctx, c.id); got != c.want {
			t.Errorf("%s reads the report: %v, want %v", c.who, got, c.want)
		}
	}
	// The subject cannot handle it either (it reads as not found).
	_, err = w.Runner.TriageReport(w.As(w.mgr.ID), aboutMgr.Report.ID)
	wantCode(t, err, apierror.NotFound)
	_, err = w.Runner.TriageReport(w.As(w.member.ID), f.Report.ID)
	wantCode(t, err, apierror.Forbidden)
}

func TestReportTriage(t *testing.T) {
	w := newReportWorld(t)
	f, err := w.file(w.As(w.member.ID), workflow.ReportFiling{})
	if err != nil {
		t.Fatal(err)
	}
	id := f.Report.ID
	anon, err := w.file(w.Anonymous(), workflow.ReportFiling{Address: "ip:192.0.2.9"})
	if err != nil {
		t.Fatal(err)
	}

	// Overdue once the target has passed with no response, oldest first.
	now := w.Now()
	w.Clock.Advance(73 * time.Hour)
	page, err := workflow.OverdueReports(w.As(w.mgr.ID), w.Client, w.com.ID, w.Now(), nil, nil)
	if err != nil || page.TotalCount != 2 || page.Edges[0].Node.ID != id {
		t.Fatalf("overdue = %+v, %v", page, err)
	}
	if n, _ := workflow.OverdueReportCount(w.As(w.mgr.ID), w.Client, w.com.ID, w.Now()); n == nil || *n != 2 {
		t.Errorf("overdue count = %v", n)
	}
	if n, _ := workflow.OverdueReportCount(w.As(w.member.ID), w.Client, w.com.ID, w.Now()); n != nil {
		t.Errorf("a member sees the overdue count %d", *n)
	}
	_, err = workflow.OverdueReports(w.As(w.member.ID), w.Client, w.com.ID, w.Now(), nil, nil)
	wantCode(t, err, apierror.Forbidden)
	_, err = workflow.OverdueReports(w.AsToken(w.mgr.ID, "read"), w.Client, w.com.ID, w.Now(), nil, nil)
	wantCode(t, err, apierror.Forbidden)
	if page, _ := workflow.OverdueReports(w.As(w.mgr.ID), w.Client, w.com.ID, now.Add(71*time.Hour), nil, nil); page.TotalCount != 0 {
		t.Errorf("overdue before the target: %d", page.TotalCount)
	}

	// Triage: RECEIVED → INVESTIGATING, once; it leaves the overdue board.
	rep, err := w.Runner.TriageReport(w.As(w.mgr.ID), id)
	if err != nil || rep.Status != report.StatusINVESTIGATING || rep.RespondedAt == nil {
		t.Fatalf("triage = %+v, %v", rep, err)
	}
	_, err = w.Runner.TriageReport(w.As(w.mgr2.ID), id)
	wantCode(t, err, apierror.Conflict)
	if page, _ := workflow.OverdueReports(w.As(w.mgr.ID), w.Client, w.com.ID, w.Now(), nil, nil); page.TotalCount != 1 {
		t.Errorf("overdue after triage: %d", page.TotalCount)
	}

	// Replies: staff, the signed-in reporter, the anonymous reporter by code.
	if _, err := w.Runner.ReplyToReport(w.As(w.mgr.ID), id, "Thank you, we are looking into it.", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Runner.ReplyToReport(w.As(w.member.ID), id, "It happened again.", nil); err != nil {
		t.Fatal(err)
	}
	_, err = w.Runner.ReplyToReport(w.As(w.stranger.ID), id, "Me too.", nil)
	wantCode(t, err, apierror.NotFound)
	bad := "AAAA"
	_, err = w.Runner.ReplyToReport(w.Anonymous(), anon.Report.ID, "Any news?", &bad)
	wantField(t, err, "followUpCode")
	out, err := w.Runner.ReplyToReport(w.Anonymous(), anon.Report.ID, "Any news?", anon.FollowUpCode)
	if err != nil || out.FollowUp == nil || len(out.FollowUp.Replies) != 1 || out.FollowUp.Replies[0].FromStaff {
		t.Fatalf("anonymous reply = %+v, %v", out, err)
	}
	if _, err := w.Runner.ReplyToReport(w.As(w.mgr.ID), anon.Report.ID, "We are on it.", nil); err != nil {
		t.Fatal(err)
	}
	fu, _ := workflow.FollowUp(w.Anonymous(), w.Client, *anon.FollowUpCode)
	if len(fu.Replies) != 2 || !fu.Replies[1].FromStaff || fu.Replies[1].Body != "We are on it." {
		t.Errorf("follow-up replies = %+v", fu.Replies)
	}
	// The staff reply counts as the response: off the overdue board.
	if page, _ := workflow.OverdueReports(w.As(w.mgr.ID), w.Client, w.com.ID, w.Now(), nil, nil); page.TotalCount != 0 {
		t.Errorf("overdue after a staff reply: %d", page.TotalCount)
	}

	// Close: once; the reporter is told; no more replies.
	_, err = w.Runner.CloseReport(w.As(w.mgr.ID), id, "MAYBE", "x")
	wantField(t, err, "outcome")
	rep, err = w.Runner.CloseReport(w.As(w.mgr.ID), id, workflow.OutcomeActionTaken, "The person was warned.")
	if err != nil || rep.Status != report.StatusACTION_TAKEN || rep.ClosedByID != w.mgr.ID || rep.ClosedAt == nil {
		t.Fatalf("close = %+v, %v", rep, err)
	}
	_, err = w.Runner.CloseReport(w.As(w.mgr.ID), id, workflow.OutcomeNoAction, "Again.")
	wantCode(t, err, apierror.Conflict)
	_, err = w.Runner.ReplyToReport(w.As(w.member.ID), id, "Thanks!", nil)
	wantCode(t, err, apierror.Conflict)
	told := w.Client.Message.Query().Where(message.RecipientID(w.member.ID)).AllX(w.System())
	templates := map[string]bool{}
	for _, m := range told {
		templates[m.Template] = true
		if strings.Contains(m.Body, "warned") || strings.Contains(m.Body, "Thank you") {
			t.Errorf("a message to the reporter carries the report's content: %q", m.Body)
		}
	}
	if !templates["report_triaged"] || !templates["report_replied"] || !templates["report_closed"] {
		t.Errorf("messages to the reporter: %v", templates)
	}
	if n := w.Client.Change.Query().Where(change.NodeType("Report")).CountX(w.System()); n != 0 {
		t.Errorf("%d change rows for reports", n)
	}
}

func TestRevokeRoleOnReportAndExport(t *testing.T) {
	w := newReportWorld(t)
	f, err := w.file(w.As(w.member.ID), workflow.ReportFiling{Kind: report.KindTITLE_MISUSE, SubjectUser: &w.amb.ID})
	if err != nil {
		t.Fatal(err)
	}
	ambRole := w.Client.Role.Query().Where(role.UserID(w.amb.ID), role.KindEQ(role.KindAMBASSADOR)).OnlyX(w.System())
	other := w.Client.Role.Query().Where(role.UserID(w.stranger.ID)).OnlyX(w.System())

	// The report must be one the actor handles, of the role's community.
	_, err = w.Runner.RevokeRole(w.As(w.mgr.ID), other.ID, "Misuse.", &f.Report.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.RevokeRole(w.As(w.mgr.ID), ambRole.ID, "Misuse.", &ambRole.ID)
	wantField(t, err, "report")
	ro, err := w.Runner.RevokeRole(w.As(w.mgr.ID), ambRole.ID, "Misuse of the title.", &f.Report.ID)
	if err != nil || ro.Status != role.StatusREMOVED || ro.ReportID != f.Report.ID {
		t.Fatalf("revoke = %+v, %v", ro, err)
	}
	if ids := w.Client.Report.QueryActions(f.Report).IDsX(w.As(w.mgr.ID)); len(ids) != 1 || ids[0] != ambRole.ID {
		t.Errorf("actions = %v", ids)
	}
	// The revocation is audited, once (the refused attempts left nothing).
	revoked := w.Client.AuditEntry.Query().Where(auditentry.ActionEQ(auditentry.ActionREVOKED)).AllX(w.System())
	if len(revoked) != 1 || revoked[0].NodeID != string(ambRole.ID) || revoked[0].NodeType != "Role" ||
		revoked[0].ActorID != string(w.mgr.ID) || revoked[0].Reason != "Misuse of the title." || revoked[0].CommunityID != string(ambRole.CommunityID) {
		t.Errorf("revocation audit entries = %+v", revoked)
	}

	// Export: staff only, never a token, audited in the same transaction.
	_, err = w.Runner.ExportReport(w.As(w.member.ID), f.Report.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.ExportReport(w.AsToken(w.mgr.ID, "read", "write"), f.Report.ID)
	wantCode(t, err, apierror.Forbidden)
	out, err := w.Runner.ExportReport(w.As(w.mgr.ID), f.Report.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Report " + string(f.Report.ID), "TITLE_MISUSE", "Someone was shouted down", "Misuse of the title.", string(ambRole.ID)} {
		if !strings.Contains(out.Document, want) {
			t.Errorf("document lacks %q:\n%s", want, out.Document)
		}
	}
	audits := w.Client.AuditEntry.Query().Where(auditentry.NodeID(string(f.Report.ID))).AllX(w.System())
	if len(audits) != 1 || audits[0].ActorID != string(w.mgr.ID) || audits[0].Action != auditentry.ActionACCESSED ||
		audits[0].NodeType != "Report" || audits[0].CommunityID != string(f.Report.CommunityID) {
		t.Errorf("audit entries = %+v", audits)
	}
	// The audit trail is not the change log: no change row names a report.
	if n := w.Client.Change.Query().Where(change.Or(change.NodeID(string(f.Report.ID)), change.NodeType("Report"))).CountX(w.System()); n != 0 {
		t.Errorf("%d change rows name a report (want none)", n)
	}
}

// wantField checks err is a BAD_USER_INPUT naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, apierror.BadUserInput)
	if e := apierror.As(err); e != nil && e.Field != field {
		t.Errorf("field = %q, want %q (%v)", e.Field, field, err)
	}
}
