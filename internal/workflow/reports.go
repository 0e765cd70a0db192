package workflow

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/reportreply"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Confidential reports. Nothing here writes a change-log row but the audit
// entry of an export: a report has no change-log mixin, and its replies and
// the messages about it carry no content beyond its kind.

// ReportFiling is a report as its reporter files it. Address is the client
// network address of an anonymous reporter (ratelimit.AddressFromContext),
// the key of their daily cap; it is stored only as a keyed hash.
type ReportFiling struct {
	Community   pulid.ID
	Kind        report.Kind
	Description string
	OccurredAt  *time.Time
	SubjectUser *pulid.ID
	Group       *pulid.ID
	Event       *pulid.ID
	Address     string
}

// FiledReport is fileReport's result: the report, and for an anonymous
// reporter the follow-up code, shown this once (only its hash is kept).
type FiledReport struct {
	Report       *ent.Report
	FollowUpCode *string
}

// followUpCodeLength is the letters of a follow-up code: 26 letters of a
// 32-letter alphabet are 130 random bits, beyond guessing.
const followUpCodeLength = 26

// normalizeCode is a follow-up code as compared: upper case, without the
// dashes and spaces it is shown or typed with.
func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(code)))
}

// FollowUpCodeHash is what is stored of a follow-up code (hex SHA-256 of
// its normalized form): a lookup by it finds the report, and a database
// leak reveals no code. The demo data uses it for its documented code.
func FollowUpCodeHash(code string) string {
	sum := sha256.Sum256([]byte(normalizeCode(code)))
	return hex.EncodeToString(sum[:])
}

// sourceHash is the keyed hash an anonymous reporter's address is counted
// by: HMAC-SHA256 keyed per community (there is no server secret to key it
// with), so the column neither shows an address nor links reporters across
// communities. An address is low-entropy, so this hides it from a casual
// reader of the table, not from someone who also has the code.
func sourceHash(communityID pulid.ID, addr string) string {
	m := hmac.New(sha256.New, []byte("usergroups report source v1 "+string(communityID)))
	m.Write([]byte(addr))
	return hex.EncodeToString(m.Sum(nil))
}

// noTokens refuses a report step through an API token: reports are never
// read or handled by third-party tools, whoever owns the token.
func noTokens(v *viewer.Viewer) error {
	if v.ViaToken() {
		return apierror.Forbiddenf("API tokens cannot file, read or handle reports")
	}
	return nil
}

// FileReport files a confidential report with a community's staff, signed
// in (the viewer is the reporter) or anonymous (rate-limited per address by
// the community's anonymousReportsPerDay, with a follow-up code).
func (r *Runner) FileReport(ctx context.Context, in ReportFiling) (*FiledReport, error) {
	v := viewer.FromContext(ctx)
	if err := noTokens(v); err != nil {
		return nil, err
	}
	if v.IsUser() {
		if _, err := requireWriter(ctx); err != nil {
			return nil, err
		}
	}
	return run(ctx, r, "file report", func(ctx context.Context, c *ent.Client, now time.Time) (*FiledReport, error) {
		comID, err := ref.Community(ctx, c, "community", in.Community)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		// Locked: concurrent anonymous reports from one address are counted
		// one after the other against the cap.
		q := c.Community.Query().Where(community.ID(comID))
		q.Modify(forUpdate)
		com, err := q.Only(all)
		if err != nil {
			return nil, notFound(err, "community")
		}
		if err := report.KindValidator(in.Kind); err != nil {
			return nil, apierror.Invalid("kind", "kind: %v", err)
		}
		desc, err := checkText("description", in.Description, 20000)
		if err != nil {
			return nil, err
		}
		if len([]rune(desc)) < 10 {
			return nil, apierror.Invalid("description", "description must say what happened (at least 10 characters)")
		}
		if in.OccurredAt != nil && in.OccurredAt.After(now) {
			return nil, apierror.Invalid("occurredAt", "occurredAt is in the future")
		}
		create := c.Report.Create().SetCommunityID(com.ID).SetKind(in.Kind).SetDescription(desc).
			SetNillableOccurredAt(in.OccurredAt).SetNillableRespondBy(policy.ReportRespondBy(now, com.Policy.ReportResponseHours))
		if err := reportSubjects(all, c, com.ID, in, create); err != nil {
			return nil, err
		}
		out := &FiledReport{}
		if v.IsUser() {
			create.SetReporterID(v.UserID)
		} else {
			h := sourceHash(com.ID, in.Address)
			n, err := c.Report.Query().Where(report.CommunityID(com.ID), report.SourceHash(h), report.CreatedAtGT(now.Add(-24*time.Hour))).Count(all)
			if err != nil {
				return nil, err
			}
			if !policy.WithinDailyCap(n, com.Policy.AnonymousReportsPerDay) {
				return nil, &apierror.Error{Code: apierror.RateLimited,
					Message: fmt.Sprintf("this network has filed the %d anonymous reports a day the community takes; sign in, or try again tomorrow", com.Policy.AnonymousReportsPerDay)}
			}
			code, err := randomCode(followUpCodeLength)
			if err != nil {
				return nil, err
			}
			code = groupCode(code)
			create.SetSourceHash(h).SetFollowUpCodeHash(FollowUpCodeHash(code))
			out.FollowUpCode = &code
		}
		if out.Report, err = create.Save(ctx); err != nil {
			return nil, err
		}
		return out, tellStaffOfReport(all, c, out.Report, letters.KindReportReceived, string(out.Report.ID), false)
	})
}

// groupCode shows a code in groups of four letters, easier to copy.
func groupCode(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// reportSubjects checks that the person, group and event a report names
// belong to its community, and sets them on create.
func reportSubjects(ctx context.Context, c *ent.Client, comID pulid.ID, in ReportFiling, create *ent.ReportCreate) error {
	if in.SubjectUser != nil {
		if err := ref.Typed("subjectUser", *in.SubjectUser, "usr", "a person"); err != nil {
			return err
		}
		ok, err := c.Role.Query().Where(role.UserID(*in.SubjectUser), role.CommunityID(comID)).Exist(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return apierror.Invalid("subjectUser", "subjectUser is nobody in this community")
		}
		create.SetSubjectUserID(*in.SubjectUser)
	}
	if in.Group != nil {
		gid, err := ref.Group(ctx, c, "group", *in.Group)
		if err != nil {
			return err
		}
		g, err := c.Group.Get(ctx, gid)
		if err != nil {
			return err
		}
		if g.CommunityID != comID {
			return apierror.Invalid("group", "group is not a group of this community")
		}
		create.SetGroupID(gid)
	}
	if in.Event != nil {
		if err := ref.Typed("event", *in.Event, "evt", "an event"); err != nil {
			return err
		}
		e, err := c.Event.Query().Where(event.ID(*in.Event)).WithGroup().Only(ctx)
		if ent.IsNotFound(err) || (err == nil && e.Edges.Group.CommunityID != comID) {
			return apierror.Invalid("event", "event is not an event of this community")
		}
		if err != nil {
			return err
		}
		create.SetEventID(e.ID)
		if in.Group == nil {
			create.SetGroupID(e.GroupID)
		}
	}
	return nil
}

// staffOf lists the community's active community managers, less except
// (a report's subject, who never hears of a report about them).
func staffOf(ctx context.Context, c *ent.Client, comID, except pulid.ID) ([]pulid.ID, error) {
	ids, err := c.Role.Query().Where(role.CommunityID(comID), role.KindEQ(role.KindCOMMUNITY_MANAGER),
		role.StatusEQ(role.StatusACTIVE), role.UserIDNEQ(except)).Select(role.FieldUserID).Strings(authz.Unfiltered(ctx))
	out := make([]pulid.ID, 0, len(ids))
	for _, id := range ids {
		if !containsID(out, pulid.ID(id)) {
			out = append(out, pulid.ID(id))
		}
	}
	return out, err
}

func containsID(ids []pulid.ID, id pulid.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// tellStaffOfReport queues one message to the community's staff (not the
// report's subject) about rep: its kind and id, never its content, as a
// mailbox is less private than the board.
func tellStaffOfReport(ctx context.Context, c *ent.Client, rep *ent.Report, kind letters.Kind, dedupe string, aboutMessage bool) error {
	to, err := staffOf(ctx, c, rep.CommunityID, rep.SubjectUserID)
	if err != nil || len(to) == 0 {
		return err
	}
	return queueLetter(ctx, c, rep.CommunityID, kind, letters.Report{Kind: string(rep.Kind), ReportID: string(rep.ID), AboutMessage: aboutMessage}, to, dedupe)
}

// tellReporter queues a message to a signed-in reporter that their report
// moved (an anonymous one reads reportFollowUp); it names the report, not
// what is in it.
func tellReporter(ctx context.Context, c *ent.Client, rep *ent.Report, kind letters.Kind, dedupe string) error {
	if rep.ReporterID == "" {
		return nil
	}
	return queueMessage(ctx, c, rep.CommunityID, rep.ReporterID, kind, letters.Report{Kind: string(rep.Kind), ReportID: string(rep.ID)}, dedupe)
}

// handledReport locks and loads a report for a staff step: one the viewer
// may not read is NOT_FOUND, one they read but may not handle (their own,
// as reporter) FORBIDDEN.
func handledReport(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID) (*ent.Report, error) {
	if err := noTokens(v); err != nil {
		return nil, err
	}
	if err := ref.Typed("id", id, "rpt", "a report"); err != nil {
		return nil, err
	}
	q := c.Report.Query().Where(report.ID(id))
	q.Modify(forUpdate)
	rep, err := q.Only(ctx)
	if err != nil {
		return nil, notFound(err, "report")
	}
	if !authz.CanHandleReport(v, rep) {
		return nil, apierror.Forbiddenf("only the community's staff handle a report")
	}
	return rep, nil
}

// TriageReport takes up a RECEIVED report: INVESTIGATING, and responded to.
func (r *Runner) TriageReport(ctx context.Context, id pulid.ID) (*ent.Report, error) {
	return act(ctx, r, "triage report", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Report, error) {
		rep, err := handledReport(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		next, err := policy.NextReportStatus(string(rep.Status), policy.TriageReport)
		if err != nil {
			return nil, statusConflict(rep.Status, "%v", err)
		}
		u := c.Report.UpdateOneID(rep.ID).SetStatus(report.Status(next))
		if rep.RespondedAt == nil {
			u.SetRespondedAt(now)
		}
		if rep, err = u.Save(ctx); err != nil {
			return nil, err
		}
		return rep, tellReporter(ctx, c, rep, letters.KindReportTriaged, string(rep.ID)+":triaged")
	})
}

// ReportOutcome is how closeReport ends a report.
type ReportOutcome string

// The outcomes of closeReport.
const (
	OutcomeActionTaken ReportOutcome = "ACTION_TAKEN"
	OutcomeNoAction    ReportOutcome = "NO_ACTION"
)

// CloseReport closes an open report with an outcome and a resolution the
// reporter can read; a signed-in reporter is told.
func (r *Runner) CloseReport(ctx context.Context, id pulid.ID, outcome ReportOutcome, resolution string) (*ent.Report, error) {
	return act(ctx, r, "close report", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Report, error) {
		rep, err := handledReport(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		action := map[ReportOutcome]policy.ReportAction{OutcomeActionTaken: policy.CloseWithAction, OutcomeNoAction: policy.CloseWithoutAction}[outcome]
		if action == "" {
			return nil, apierror.Invalid("outcome", "outcome must be ACTION_TAKEN or NO_ACTION")
		}
		next, err := policy.NextReportStatus(string(rep.Status), action)
		if err != nil {
			return nil, statusConflict(rep.Status, "%v", err)
		}
		if resolution, err = checkText("resolution", resolution, 5000); err != nil {
			return nil, err
		}
		u := c.Report.UpdateOneID(rep.ID).SetStatus(report.Status(next)).SetClosedAt(now).SetClosedByID(v.UserID).SetResolution(resolution)
		if rep.RespondedAt == nil {
			u.SetRespondedAt(now)
		}
		if rep, err = u.Save(ctx); err != nil {
			return nil, err
		}
		return rep, tellReporter(ctx, c, rep, letters.KindReportClosed, string(rep.ID)+":closed")
	})
}

// ReportReplied is replyToReport's result: the report for a signed-in
// author, the follow-up view for one who replied with the code.
type ReportReplied struct {
	Report   *ent.Report
	FollowUp *ReportFollowUp
}

// ReplyToReport adds a message to an open report's thread: from its staff
// (not its subject; the first counts as the response and a signed-in
// reporter is told), from the signed-in reporter, or from an anonymous
// reporter holding the follow-up code. Staff hear of a reporter's reply.
func (r *Runner) ReplyToReport(ctx context.Context, id pulid.ID, body string, code *string) (*ReportReplied, error) {
	v := viewer.FromContext(ctx)
	if err := noTokens(v); err != nil {
		return nil, err
	}
	if code == nil {
		if _, err := requireWriter(ctx); err != nil {
			return nil, err
		}
	}
	return run(ctx, r, "reply to report", func(ctx context.Context, c *ent.Client, now time.Time) (*ReportReplied, error) {
		if err := ref.Typed("id", id, "rpt", "a report"); err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		q := c.Report.Query().Where(report.ID(id))
		q.Modify(forUpdate)
		rep, err := q.Only(all)
		if err != nil {
			return nil, notFound(err, "report")
		}
		byCode := code != nil && rep.FollowUpCodeHash != nil && hmac.Equal([]byte(*rep.FollowUpCodeHash), []byte(FollowUpCodeHash(*code)))
		staff := !byCode && authz.CanHandleReport(v, rep)
		reporter := byCode || (v.IsUser() && rep.ReporterID == v.UserID)
		switch {
		case code != nil && !byCode:
			return nil, apierror.Invalid("followUpCode", "the follow-up code does not match the report")
		case !staff && !reporter:
			return nil, apierror.NotFoundf("no report with that id")
		case !policy.ReportOpen(string(rep.Status)):
			return nil, statusConflict(rep.Status, "the report is closed (status %s) and takes no more replies", rep.Status)
		}
		if body, err = checkText("body", body, 10000); err != nil {
			return nil, err
		}
		reply := c.ReportReply.Create().SetReportID(rep.ID).SetFromStaff(staff).SetBody(body)
		if v.IsUser() && !byCode {
			reply.SetAuthorID(v.UserID)
		}
		saved, err := reply.Save(ctx)
		if err != nil {
			return nil, err
		}
		if staff {
			if rep.RespondedAt == nil {
				if rep, err = c.Report.UpdateOneID(rep.ID).SetRespondedAt(now).Save(ctx); err != nil {
					return nil, err
				}
			}
			err = tellReporter(ctx, c, rep, letters.KindReportReplied, string(saved.ID))
		} else {
			err = tellStaffOfReport(all, c, rep, letters.KindReportReporterReplied, string(saved.ID), false)
		}
		if err != nil {
			return nil, err
		}
		if byCode {
			fu, err := followUpOf(all, c, rep)
			return &ReportReplied{FollowUp: fu}, err
		}
		return &ReportReplied{Report: rep}, nil
	})
}

// ReportFollowUp is an anonymous report as its reporter follows it: no
// identity of anyone who handles it.
type ReportFollowUp struct {
	Kind       report.Kind
	Status     report.Status
	CreatedAt  time.Time
	RespondBy  *time.Time
	Resolution *string
	Replies    []*ReportFollowUpReply
}

// ReportFollowUpReply is a reply as an anonymous reporter reads it.
type ReportFollowUpReply struct {
	FromStaff bool
	Body      string
	CreatedAt time.Time
}

// FollowUp finds the report a follow-up code was given for, as its
// anonymous reporter follows it; nil for a code that matches none. The
// code is compared through its hash, so the lookup reveals no timing of
// the stored value.
func FollowUp(ctx context.Context, c *ent.Client, code string) (*ReportFollowUp, error) {
	if normalizeCode(code) == "" {
		return nil, nil
	}
	all := authz.Unfiltered(ctx)
	rep, err := c.Report.Query().Where(report.FollowUpCodeHash(FollowUpCodeHash(code))).Only(all)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return followUpOf(all, c, rep)
}

func followUpOf(ctx context.Context, c *ent.Client, rep *ent.Report) (*ReportFollowUp, error) {
	replies, err := c.ReportReply.Query().Where(reportreply.ReportID(rep.ID)).
		Order(ent.Asc(reportreply.FieldCreatedAt), ent.Asc(reportreply.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	fu := &ReportFollowUp{Kind: rep.Kind, Status: rep.Status, CreatedAt: rep.CreatedAt, RespondBy: rep.RespondBy,
		Replies: make([]*ReportFollowUpReply, 0, len(replies))}
	if rep.Resolution != "" {
		fu.Resolution = &rep.Resolution
	}
	for _, x := range replies {
		fu.Replies = append(fu.Replies, &ReportFollowUpReply{FromStaff: x.FromStaff, Body: x.Body, CreatedAt: x.CreatedAt})
	}
	return fu, nil
}

// overdue narrows q to a community's overdue reports at now.
func overdue(q *ent.ReportQuery, comID pulid.ID, now time.Time) *ent.ReportQuery {
	return q.Where(report.CommunityID(comID), report.StatusEQ(report.StatusRECEIVED),
		report.RespondedAtIsNil(), report.RespondByNotNil(), report.RespondByLT(now))
}

// OverdueReports is the community's staff board of overdue reports at now,
// oldest first: FORBIDDEN for anyone but its staff (and any API token).
func OverdueReports(ctx context.Context, c *ent.Client, communityRef pulid.ID, now time.Time, after *entgql.Cursor[pulid.ID], first *int) (*ent.ReportConnection, error) {
	comID, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if v.ViaToken() || !v.IsStaff(comID) {
		return nil, apierror.Forbiddenf("only the community's staff see its overdue reports")
	}
	q := overdue(c.Report.Query(), comID, now)
	return q.Paginate(ctx, after, first, nil, nil, ent.WithReportOrder([]*ent.ReportOrder{
		{Field: ent.ReportOrderFieldCreatedAt, Direction: entgql.OrderDirectionAsc}}))
}

// OverdueReportCount is how many of a community's reports the viewer may
// read are overdue at now; nil for anyone but its staff.
func OverdueReportCount(ctx context.Context, c *ent.Client, comID pulid.ID, now time.Time) (*int, error) {
	v := viewer.FromContext(ctx)
	if v.ViaToken() || !v.IsStaff(comID) {
		return nil, nil
	}
	n, err := overdue(c.Report.Query(), comID, now).Count(ctx)
	return &n, err
}

// ExportedReport is exportReport's result: the report and its rendering.
type ExportedReport struct {
	Report   *ent.Report
	Document string
}

// ExportReport renders a report, its replies and its linked actions as
// Markdown for its community's staff (not its subject; never an API
// token), writing an audit entry in the same transaction.
func (r *Runner) ExportReport(ctx context.Context, id pulid.ID) (*ExportedReport, error) {
	return act(ctx, r, "export report", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ExportedReport, error) {
		rep, err := handledReport(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		full, err := c.Report.Query().Where(report.ID(rep.ID)).WithCommunity().WithReporter().WithSubjectUser().WithGroup().
			WithEvent().WithClosedBy().WithContactMessage().
			WithReplies(func(q *ent.ReportReplyQuery) {
				q.WithAuthor().Order(ent.Asc(reportreply.FieldCreatedAt), ent.Asc(reportreply.FieldID))
			}).
			WithActions(func(q *ent.RoleQuery) { q.WithUser().Order(ent.Asc(role.FieldID)) }).Only(all)
		if err != nil {
			return nil, err
		}
		if err := changelog.Audit(ctx, c, now, changelog.AuditRecord{Action: auditentry.ActionACCESSED,
			NodeType: "Report", NodeID: string(rep.ID), Community: rep.CommunityID, Group: rep.GroupID}); err != nil {
			return nil, err
		}
		return &ExportedReport{Report: rep, Document: renderReport(full)}, nil
	})
}

// renderReport writes a fully loaded report as Markdown.
func renderReport(rep *ent.Report) string {
	var b strings.Builder
	person := func(u *ent.User) string {
		if u == nil {
			return "anonymous"
		}
		return fmt.Sprintf("%s (@%s, %s)", u.Name, u.Handle, u.ID)
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(&b, "# Report %s\n\n", rep.ID)
	fmt.Fprintf(&b, "- Community: %s\n- Kind: %s\n- Status: %s\n", rep.Edges.Community.Name, rep.Kind, rep.Status)
	fmt.Fprintf(&b, "- Filed: %s\n- Occurred: %s\n- Respond by: %s\n- Responded: %s\n",
		stamp(&rep.CreatedAt), stamp(rep.OccurredAt), stamp(rep.RespondBy), stamp(rep.RespondedAt))
	fmt.Fprintf(&b, "- Reporter: %s\n", person(rep.Edges.Reporter))
	if u := rep.Edges.SubjectUser; u != nil {
		fmt.Fprintf(&b, "- Subject: %s\n", person(u))
	}
	if g := rep.Edges.Group; g != nil {
		fmt.Fprintf(&b, "- Group: %s (%s)\n", g.Name, g.ID)
	}
	if e := rep.Edges.Event; e != nil {
		fmt.Fprintf(&b, "- Event: %s (%s)\n", e.Title, e.ID)
	}
	if rep.ClosedAt != nil {
		fmt.Fprintf(&b, "- Closed: %s by %s\n", stamp(rep.ClosedAt), person(rep.Edges.ClosedBy))
	}
	fmt.Fprintf(&b, "\n## What happened\n\n%s\n", rep.Description)
	if m := rep.Edges.ContactMessage; m != nil {
		fmt.Fprintf(&b, "\n## Reported message (%s, %s)\n\n%s\n", m.ID, stamp(&m.CreatedAt), m.Body)
	}
	if rep.Resolution != "" {
		fmt.Fprintf(&b, "\n## Resolution\n\n%s\n", rep.Resolution)
	}
	b.WriteString("\n## Replies\n")
	if len(rep.Edges.Replies) == 0 {
		b.WriteString("\nNone.\n")
	}
	for _, x := range rep.Edges.Replies {
		who := "Reporter"
		if x.FromStaff {
			who = "Staff"
		}
		fmt.Fprintf(&b, "\n### %s — %s, %s\n\n%s\n", who, person(x.Edges.Author), stamp(&x.CreatedAt), x.Body)
	}
	b.WriteString("\n## Actions\n")
	if len(rep.Edges.Actions) == 0 {
		b.WriteString("\nNone.\n")
	}
	for _, ro := range rep.Edges.Actions {
		fmt.Fprintf(&b, "\n- Role %s (%s of %s) %s on %s: %s\n", ro.ID, ro.Kind, person(ro.Edges.User), ro.Status, stamp(ro.EndedAt), ro.EndReason)
	}
	return b.String()
}

// RevokeRole is revokeRole: EndRole for another's role (staff, with a
// reason), and, given a report of the role's community that the actor
// handles, records the revocation as one of the report's actions.
func (r *Runner) RevokeRole(ctx context.Context, roleID pulid.ID, reason string, reportID *pulid.ID) (*ent.Role, error) {
	if reportID == nil {
		return r.EndRole(ctx, roleID, reason, OthersRole)
	}
	return act(ctx, r, "revoke role on report", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Role, error) {
		if err := ref.Typed("report", *reportID, "rpt", "a report"); err != nil {
			return nil, err
		}
		rep, err := c.Report.Query().Where(report.ID(*reportID)).Only(ctx)
		if ent.IsNotFound(err) || (err == nil && !authz.CanHandleReport(v, rep)) {
			return nil, apierror.Invalid("report", "report is no report you handle")
		}
		if err != nil {
			return nil, err
		}
		ro, err := r.EndRole(ctx, roleID, reason, OthersRole)
		if err != nil {
			return nil, err
		}
		if ro.CommunityID != rep.CommunityID {
			return nil, apierror.Invalid("report", "report is a report of another community than the role's")
		}
		return c.Role.UpdateOneID(ro.ID).SetReportID(rep.ID).Save(ctx)
	})
}
