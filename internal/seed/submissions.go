package seed

import (
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/submission"
)

// buildSubmissionProcesses lays out the submission processes of issue 19
// in OpenStack: feedback in every status, a newsletter issue with its
// accepted items in order (and one declined), and an overdue request for
// activity reports in Europe that some of the region's groups answered.
func (g *gen) buildSubmissionProcesses() {
	c, staff := g.os, g.os.managers[0]
	europe := g.regionFor("europe")
	running := []*grp{}
	for _, gr := range c.groups {
		if gr.reg == europe && (gr.status == stActive || gr.status == stOfficial) && len(gr.organizers) > 0 {
			running = append(running, gr)
		}
	}
	sub := func(author *person, kind submission.Kind, status submission.Status, title, body string, at time.Time) *ent.SubmissionCreate {
		b := g.db.Submission.Create().SetID(g.id("sub")).SetCommunityID(c.id).SetAuthorID(author.id).SetKind(kind).
			SetStatus(status).SetTitle(title).SetBody(body).SetCreatedAt(at).SetUpdatedAt(at)
		if status != submission.StatusSUBMITTED {
			b.SetDecidedByID(staff.id).SetDecidedAt(at.Add(2 * day))
		}
		g.b.submissions = append(g.b.submissions, b)
		return b
	}

	// Feedback past acknowledgement: forwarded, delivered, declined.
	feedback := []struct {
		gr            *grp
		status        submission.Status
		title, area   string
		body, decline string
		ago           int
	}{
		{running[0], submission.StatusFORWARDED, "Ask for an upgrade checker in the CLI", "cli",
			"Attendees would run a pre-upgrade check from the command line that lists what blocks a release upgrade.", "", 18},
		{running[1%len(running)], submission.StatusDELIVERED, "Clearer quota errors", "compute",
			"When a quota is exceeded the message does not say which one. Operators asked for the quota name and the current usage.", "", 60},
		{running[2%len(running)], submission.StatusDECLINED, "Bring back the old dashboard theme", "dashboard",
			"A few attendees preferred the previous theme.", "A matter of taste rather than a bug; the theme is configurable.", 40},
	}
	for _, f := range feedback {
		at := g.daysAgo(f.ago)
		b := sub(f.gr.organizers[0], submission.KindATTENDEE_FEEDBACK, f.status, f.title, f.body, at).
			SetGroupID(f.gr.id).SetRegionID(europe.id).SetProjectArea(f.area)
		switch f.status {
		case submission.StatusFORWARDED:
			b.SetForwardedAt(at.Add(2 * day))
		case submission.StatusDELIVERED:
			b.SetForwardedAt(at.Add(2 * day)).SetDeliveredAt(at.Add(9 * day))
		case submission.StatusDECLINED:
			b.SetDeclineReason(f.decline)
		}
	}

	// Last month's newsletter, four items in order, and one declined.
	issue := g.now.AddDate(0, -1, 0).Format("2006-01")
	bay, sp := g.groupNamed(c, "Bay Area {Stackers}"), g.groupNamed(c, "São Paulo")
	items := []struct {
		gr          *grp
		title, body string
	}{
		{bay, "Bay Area user day recap", "Over a hundred people joined the Bay Area user day: two tracks, a lively operators' panel and a hackfest " +
			"table that closed four documentation bugs."},
		{running[0], "Europe's groups meet online", "Organizers from across Europe now meet online every month to share speakers and venues."},
		{nil, "Call for speakers: the summit", "The summit's call for speakers is open until the end of next month. First-time speakers are welcome."},
		{sp, "São Paulo's first hackfest", "Twenty people fixed docs and triaged bugs for a whole Saturday."},
	}
	for i, it := range items {
		author := staff
		if it.gr != nil {
			author = it.gr.organizers[0]
		}
		b := sub(author, submission.KindNEWSLETTER_ITEM, submission.StatusACCEPTED, it.title, it.body, g.daysAgo(50-i)).
			SetNewsletterIssue(issue).SetNewsletterPosition(i + 1)
		if it.gr != nil {
			b.SetGroupID(it.gr.id)
		}
	}
	sub(running[0].organizers[0], submission.KindNEWSLETTER_ITEM, submission.StatusDECLINED, "Our new sponsor",
		"A cloud vendor sponsors our venue this year.", g.daysAgo(45)).
		SetDeclineReason("The newsletter does not announce sponsors; groups are non-commercial.")

	// An overdue request for last quarter's reports: due ten days ago, and
	// about half the region's groups answered.
	asker := europe.ambassadors[0]
	asked := g.daysAgo(30)
	qEnd := time.Date(g.now.Year(), ((g.now.Month()-1)/3)*3+1, 1, 0, 0, 0, 0, time.UTC)
	qStart := qEnd.AddDate(0, -3, 0)
	arq := g.id("arq")
	g.b.activityRequests = append(g.b.activityRequests, g.db.ActivityRequest.Create().SetID(arq).SetCommunityID(c.id).
		SetRegionID(europe.id).SetRequestedByID(asker.id).SetTitle("Activities last quarter").
		SetMessage("A quick report on your meetups last quarter, please: a few lines and the numbers.").
		SetPeriodStart(qStart).SetPeriodEnd(qEnd).SetDueAt(g.daysAgo(10)).SetCreatedAt(asked).SetUpdatedAt(asked))
	for i, gr := range running {
		if i%2 == 1 {
			continue
		}
		at := asked.Add(time.Duration(1+i) * day)
		status := submission.StatusSUBMITTED
		if i == 0 {
			status = submission.StatusACKNOWLEDGED
		}
		b := sub(gr.organizers[0], submission.KindACTIVITY_REPORT, status, truncateRunes(gr.pl.Name+": activities last quarter", 200),
			"Our meetups went well; we are looking for venues for the next quarter.", at).
			SetGroupID(gr.id).SetRegionID(europe.id).SetRequestID(arq).
			SetEventsCount(g.between(1, 4)).SetAttendeesCount(g.between(15, 80)).SetNewMembersCount(g.between(0, 9))
		if status != submission.StatusSUBMITTED {
			b.SetDecidedByID(asker.id)
		}
	}
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
