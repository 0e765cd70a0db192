package seed

import (
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// DemoFollowUpCode reads the demo's anonymous report through
// reportFollowUp(code:) (docs/reports.md). Only a demo has a known code: a
// real one is random and shown once.
const DemoFollowUpCode = "DEMO-ANON-FOLL-OWUP"

// buildReportFollowUps gives the demo reports (buildReports) their triage
// times — the response target of the community's policy, a response for
// those taken up, the closing for those closed — so that the Asia-Pacific
// title-misuse report is overdue on the staff board; adds replies to the
// one under investigation, an anonymous report readable with
// DemoFollowUpCode, and two relayed contact threads, one answered (its
// addresses revealed). It draws no random numbers.
func (g *gen) buildReportFollowUps() {
	staff := g.os.managers[0]
	var investigating, reporter pulid.ID
	for _, b := range g.b.reports {
		m := b.Mutation()
		created, _ := m.CreatedAt()
		comID, _ := m.CommunityID()
		hours := g.os.pol.ReportResponseHours
		if comID == g.oe.id {
			hours = g.oe.pol.ReportResponseHours
		}
		b.SetNillableRespondBy(policy.ReportRespondBy(created, hours))
		switch st, _ := m.Status(); st {
		case report.StatusINVESTIGATING:
			investigating, _ = m.ID()
			reporter, _ = m.ReporterID()
			b.SetRespondedAt(created.Add(20 * time.Hour))
		case report.StatusACTION_TAKEN, report.StatusNO_ACTION:
			b.SetRespondedAt(created.Add(30 * time.Hour)).SetClosedAt(created.Add(6 * day))
			if comID == g.os.id {
				b.SetClosedByID(staff.id)
			} else {
				b.SetClosedByID(g.oe.managers[0].id)
			}
		}
	}
	if investigating != "" {
		at := g.daysAgo(8)
		g.b.reportReplies = append(g.b.reportReplies,
			g.db.ReportReply.Create().SetID(g.id("rrp")).SetReportID(investigating).SetAuthorID(staff.id).SetFromStaff(true).
				SetBody("Thank you for telling us. We have spoken with the organizers and will talk to the attendee before the next meetup.").
				SetCreatedAt(at).SetUpdatedAt(at),
			g.db.ReportReply.Create().SetID(g.id("rrp")).SetReportID(investigating).SetFromStaff(false).
				SetAuthorID(reporter).
				SetBody("Thanks. It happened once more at the end of the evening.").
				SetCreatedAt(at.Add(5*time.Hour)).SetUpdatedAt(at.Add(5*time.Hour)))
	}

	// An anonymous report, answered by staff and still open.
	berlin := g.groupNamed(g.os, "Berlin")
	anonAt := g.daysAgo(2)
	anon := g.id("rpt")
	g.b.reports = append(g.b.reports, g.db.Report.Create().SetID(anon).SetCommunityID(g.os.id).SetGroupID(berlin.id).
		SetKind(report.KindCODE_OF_CONDUCT).SetStatus(report.StatusINVESTIGATING).
		SetDescription("At the last hands-on session a participant filmed people without asking and would not stop.").
		SetFollowUpCodeHash(workflow.FollowUpCodeHash(DemoFollowUpCode)).SetSourceHash("demo").
		SetNillableRespondBy(policy.ReportRespondBy(anonAt, g.os.pol.ReportResponseHours)).SetRespondedAt(anonAt.Add(26*time.Hour)).
		SetCreatedAt(anonAt).SetUpdatedAt(anonAt.Add(26*time.Hour)))
	g.b.reportReplies = append(g.b.reportReplies, g.db.ReportReply.Create().SetID(g.id("rrp")).SetReportID(anon).
		SetAuthorID(staff.id).SetFromStaff(true).
		SetBody("We are sorry this happened. Could you tell us which session, so we can ask the organizers?").
		SetCreatedAt(anonAt.Add(26*time.Hour)).SetUpdatedAt(anonAt.Add(26*time.Hour)))

	// Contact: one thread to an ambassador, answered (revealed); one to a
	// group's organizers, waiting.
	used := map[*person]bool{}
	amb := g.regionFor("asia-pacific").ambassadors[0]
	sender := g.plainMember(berlin, used)
	at := g.daysAgo(5)
	t1 := g.id("cth")
	g.b.contactThreads = append(g.b.contactThreads, g.db.ContactThread.Create().SetID(t1).SetCommunityID(g.os.id).
		SetSenderID(sender.id).SetRecipientID(amb.id).SetSubject("Starting a group in Penang").
		SetRevealedAt(at.Add(20*time.Hour)).SetCreatedAt(at).SetUpdatedAt(at.Add(20*time.Hour)))
	g.b.contactMessages = append(g.b.contactMessages,
		g.contactMessage(t1, sender, "I am moving to Penang next month; is there a group, and if not, how do I start one?", at),
		g.contactMessage(t1, amb, "There is none yet. Happy to mentor you: let us have a call next week.", at.Add(20*time.Hour)))
	if gr := g.groupNamed(g.os, "Pune"); len(gr.organizers) > 0 {
		s2 := g.plainMember(berlin, used)
		t2 := g.id("cth")
		at2 := g.daysAgo(1)
		g.b.contactThreads = append(g.b.contactThreads, g.db.ContactThread.Create().SetID(t2).SetCommunityID(g.os.id).
			SetSenderID(s2.id).SetGroupID(gr.id).SetSubject("Speaking at your meetup").SetCreatedAt(at2).SetUpdatedAt(at2))
		g.b.contactMessages = append(g.b.contactMessages,
			g.contactMessage(t2, s2, "I will be in Pune in March and could give a talk on Ironic. Would that interest your group?", at2))
	}
}

// contactMessage is one message of a demo contact thread.
func (g *gen) contactMessage(thread pulid.ID, author *person, body string, at time.Time) *ent.ContactMessageCreate {
	return g.db.ContactMessage.Create().SetID(g.id("cms")).SetThreadID(thread).SetAuthorID(author.id).SetBody(body).
		SetCreatedAt(at).SetUpdatedAt(at)
}
