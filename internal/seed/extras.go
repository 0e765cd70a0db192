package seed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/awardnomination"
	"github.com/usergroups/usergroups/ent/awardselection"
	"github.com/usergroups/usergroups/ent/certificate"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/report"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/shipment"
	"github.com/usergroups/usergroups/ent/submission"
	"github.com/usergroups/usergroups/internal/policy"
)

// contribution records one contribution, verified when verifier is set;
// verified ones credited to an openEuler group enter that member's ledger
// (obligation years, the yearly tally).
func (g *gen) contribution(c *comm, p *person, gr *grp, kind contribution.Kind, title, url string, at time.Time, verifier *person, verifiedAt time.Time) *ent.ContributionCreate {
	at = at.Truncate(time.Second)
	if r := []rune(title); len(r) > 200 {
		title = string(r[:199]) + "…"
	}
	b := g.db.Contribution.Create().
		SetID(g.id("ctb")).
		SetCommunityID(c.id).
		SetUserID(p.id).
		SetKind(kind).
		SetTitle(title).
		SetOccurredOn(at).
		SetCreatedAt(at)
	updated := at
	if gr != nil {
		b.SetGroupID(gr.id)
	}
	if url != "" {
		b.SetURL(url)
	}
	if verifier != nil {
		verifiedAt = minTime(verifiedAt, g.now.Add(-time.Hour)).Truncate(time.Second)
		if verifiedAt.Before(at) {
			verifiedAt = at
		}
		b.SetVerifiedByID(verifier.id).SetVerifiedAt(verifiedAt).SetStatus(contribution.StatusVERIFIED).SetPoints(c.pol.PointsFor(string(kind)))
		updated = verifiedAt
		g.credit(c, p, gr, kind, at)
	}
	b.SetUpdatedAt(updated)
	g.b.contributions = append(g.b.contributions, b)
	return b
}

// automatic records a contribution the system made as it happened (a
// check-in, a redeemed invite): verified at once, by nobody, once per source.
func (g *gen) automatic(gr *grp, p *person, kind contribution.Kind, title string, at time.Time, source string, e *evt) {
	at = at.Truncate(time.Second)
	c := gr.c
	b := g.db.Contribution.Create().
		SetID(g.id("ctb")).
		SetCommunityID(c.id).
		SetUserID(p.id).
		SetGroupID(gr.id).
		SetKind(kind).
		SetTitle(title).
		SetOccurredOn(at).
		SetStatus(contribution.StatusVERIFIED).
		SetVerifiedAt(at).
		SetPoints(c.pol.PointsFor(string(kind))).
		SetAutomatic(true).
		SetSourceKey(source).
		SetCreatedAt(at).
		SetUpdatedAt(at)
	if e != nil {
		b.SetEventID(e.id)
	}
	g.credit(c, p, gr, kind, at)
	g.b.contributions = append(g.b.contributions, b)
}

// credit enters a verified contribution in the member's openEuler ledger.
func (g *gen) credit(c *comm, p *person, gr *grp, kind contribution.Kind, at time.Time) {
	if c != g.oe || gr == nil {
		return
	}
	k := credit{gr: gr, p: p}
	g.verified[k] = append(g.verified[k], ledgerEntry{at: at, kind: kind, points: c.pol.PointsFor(string(kind))})
}

// decline turns an unverified contribution into one an organizer declined.
func (g *gen) decline(b *ent.ContributionCreate, by *person, at time.Time, reason string) {
	at = minTime(at, g.now.Add(-time.Hour)).Truncate(time.Second)
	b.SetStatus(contribution.StatusDECLINED).SetDeclinedByID(by.id).SetDeclinedAt(at).SetDeclineReason(reason).SetUpdatedAt(at)
}

var declineReasons = []string{
	"The link opens a draft only you can see. Please publish it and record it again.",
	"This repeats the article you recorded in spring; one entry per piece of work, please.",
	"A talk at an internal company meeting does not count; add the slides of a community event instead.",
	"The pull request was closed without being merged.",
}

var memberKinds = []contribution.Kind{
	contribution.KindARTICLE, contribution.KindARTICLE, contribution.KindUSER_CASE, contribution.KindREFERRAL,
	contribution.KindFEEDBACK, contribution.KindCODE, contribution.KindDOCS, contribution.KindTRANSLATION,
	contribution.KindCOMMUNICATION,
}

// randomContribution records a contribution of a random kind in [lo, hi) and
// returns its builder and date. A referral is automatic: it credits the
// member for someone who joined the group with their invite in the range
// (verified at once), and becomes feedback when nobody did or when the
// contribution must stay unverified.
func (g *gen) randomContribution(gr *grp, p *person, lo, hi time.Time, verifier *person) (*ent.ContributionCreate, time.Time) {
	c := gr.c
	kind := pick(g, memberKinds)
	topic := pick(g, c.topics)
	at := g.timeIn(lo, hi)
	var title, url string
	if kind == contribution.KindREFERRAL {
		var joined []*membership
		if verifier != nil {
			for _, m := range gr.members {
				if m.p != p && !m.since.Before(lo) && m.since.Before(hi) && !g.referred[m] {
					joined = append(joined, m)
				}
			}
		}
		if len(joined) == 0 {
			kind = contribution.KindFEEDBACK
		} else {
			m := pick(g, joined)
			g.referred[m] = true
			g.automatic(gr, p, kind, "Brought "+m.p.name+" to the "+gr.pl.City+" group", m.since,
				"invite:"+string(m.role), nil)
			return nil, m.since
		}
	}
	switch kind {
	case contribution.KindARTICLE:
		title = topic + ": lessons from " + p.city
		if c.openEu {
			url = g.articleURL(title)
		} else {
			url = fmt.Sprintf("https://blog.example.org/%s/%s", p.handle, policy.Slugify(title))
		}
	case contribution.KindUSER_CASE:
		who := "a small team"
		if p.org != nil {
			who = p.org.name
		}
		title = fmt.Sprintf("User case: %s at %s", lowerFirst(topic), who)
		url = fmt.Sprintf("https://cases.example.org/%s/%s-%d", c.slug, policy.Slugify(topic), g.seq["ctb"])
	case contribution.KindFEEDBACK:
		title = "Feedback for the developers on " + lowerFirst(topic)
		url = fmt.Sprintf("https://feedback.example.net/%s/%d", c.slug, 3000+g.seq["ctb"])
	case contribution.KindCODE:
		title = "Patch: " + lowerFirst(topic)
		url = fmt.Sprintf("https://code.example.org/%s/%s/pulls/%d", c.slug, policy.Slugify(topic), 100+g.intn(9000))
	case contribution.KindDOCS:
		title = "Documentation update: " + lowerFirst(topic)
		url = fmt.Sprintf("https://code.example.org/%s/docs/pulls/%d", c.slug, 100+g.intn(9000))
	case contribution.KindTRANSLATION:
		title = "Translated the guide on " + lowerFirst(topic)
		url = fmt.Sprintf("https://code.example.org/%s/docs/pulls/%d", c.slug, 100+g.intn(9000))
	case contribution.KindCOMMUNICATION:
		title = "Shared the group's news on " + lowerFirst(topic)
		url = fmt.Sprintf("https://social.example.net/@%s/%d", p.handle, 1000+g.intn(90000))
	}
	var verifiedAt time.Time
	if verifier != nil {
		verifiedAt = at.Add(time.Duration(g.between(1, 12)) * day)
	}
	return g.contribution(c, p, gr, kind, title, url, at, verifier, verifiedAt), at
}

// buildContributions gives every openEuler member the article they joined
// with and a verified contribution in every obligation year they were
// renewed from; active members mostly met the current one too, except a
// few whose year ends within a month (at risk: nothing verified yet, some
// waiting for an organizer). Some OpenStack members contribute too.
func (g *gen) buildContributions() {
	window := time.Duration(g.oe.pol.ObligationWindowDays) * day
	launch := g.participationSince()
	for _, gr := range g.oe.groups[:len(openEulerCities)] {
		for _, m := range gr.members {
			p := m.p
			verifier := gr.organizers[0]
			if verifier == p {
				verifier = gr.ambassadors[0]
			}
			url := g.joinArticle(m)
			g.contribution(g.oe, p, gr, contribution.KindARTICLE, m.articleTitle, url,
				m.since.Add(-time.Duration(g.between(13, 45))*day), verifier, m.since.Add(-day))
			switch m.status {
			case role.StatusACTIVE:
				if g.atRisk(gr, m, launch) {
					// Nothing verified this year yet; some recorded one
					// the organizers have not looked at.
					if g.chance(0.5) {
						g.randomContribution(gr, p, maxTime(m.obligStart, g.daysAgo(25)), g.daysAgo(1), nil)
					}
					break
				}
				lo := maxTime(m.since, g.now.Add(-window+35*day))
				g.randomContribution(gr, p, lo, g.daysAgo(3), verifier)
				for k := g.between(0, 1); k > 0; k-- {
					v := verifier
					if g.chance(0.4) {
						v = nil
					}
					if b, at := g.randomContribution(gr, p, m.since, g.daysAgo(2), v); b != nil && v == nil && g.chance(0.25) {
						g.decline(b, verifier, at.Add(time.Duration(g.between(1, 9))*day), pick(g, declineReasons))
					}
				}
			case role.StatusLEFT, role.StatusREMOVED:
				if g.chance(0.5) {
					g.randomContribution(gr, p, m.since, m.ended, verifier)
				}
			case role.StatusLAPSED:
				// Something was recorded, but it did not count.
				if g.chance(0.3) {
					if b, at := g.randomContribution(gr, p, m.since, m.ended, nil); b != nil {
						g.decline(b, verifier, minTime(at.Add(time.Duration(g.between(1, 9))*day), m.ended), pick(g, declineReasons))
					}
				}
			}
			g.earlierYears(gr, m, verifier)
		}
	}
	for _, gr := range g.os.groups {
		if gr.status == stProposed || gr.status == stRejected || gr.status == stWithdrawn {
			continue
		}
		for _, m := range gr.members {
			if !g.chance(0.2) {
				continue
			}
			hi := g.daysAgo(2)
			if !m.ended.IsZero() {
				hi = m.ended
			}
			for k := g.between(1, 2); k > 0; k-- {
				var v *person
				if g.chance(0.5) {
					v = g.otherLeader(gr, m.p)
				}
				g.randomContribution(gr, m.p, m.since, hi, v)
			}
		}
	}
}

// buildAwards decides last year's selection: openEuler members ranked by
// their verified points of that year. The ten best are outstanding members,
// the three best user-case authors and the three best writers and speakers
// win their categories. Each award has its nomination, a certificate and a
// gift package, most of them sent.
func (g *gen) buildAwards() {
	c, staff := g.oe, g.oe.managers[0]
	at := minTime(time.Date(g.awardYear+1, 1, 25, 10, 0, 0, 0, time.UTC), g.now.Add(-day))
	opened := at.Add(-24 * day)
	sel := g.openSelection(g.awardYear, opened, opened.Add(14*day))
	sel.b.SetStatus(awardselection.StatusDECIDED).SetDecidedByID(staff.id).SetDecidedAt(at).SetUpdatedAt(at)
	g.lastYear = sel

	all := g.tally(g.awardYear, nil)
	cases := g.tally(g.awardYear, func(k contribution.Kind) bool { return k == contribution.KindUSER_CASE })
	content := g.tally(g.awardYear, func(k contribution.Kind) bool {
		return k == contribution.KindARTICLE || k == contribution.KindTALK
	})
	carriers := []string{"SF Express", "China Post EMS", "JD Logistics"}
	award := func(t tallyRow, category, title string, rank int, citation string) {
		p, gr := t.p, t.gr
		id := g.id("awd")
		g.b.awards = append(g.b.awards, g.db.Award.Create().
			SetID(id).
			SetCommunityID(c.id).
			SetUserID(p.id).
			SetGroupID(gr.id).
			SetSelectionID(sel.id).
			SetCategory(category).
			SetPoints(all.points(p)).
			SetYear(g.awardYear).
			SetTitle(title).
			SetRank(rank).
			SetCitation(citation).
			SetCreatedAt(at).
			SetUpdatedAt(at))
		g.nominateFor(sel, gr, p, category, citation, opened.Add(time.Duration(1+rank%9)*day)).SetStatus(awardnomination.StatusAWARDED)
		g.awardsMade = append(g.awardsMade, &awardRec{id: id, p: p, gr: gr, title: title, category: category, rank: rank})
		g.certificate(certificate.KindAWARD, p, gr, "", id, title, g.awardYear, at)
		n := len(g.awardsMade)
		ship := g.db.Shipment.Create().
			SetID(g.id("shm")).
			SetCommunityID(c.id).
			SetUserID(p.id).
			SetAwardID(id).
			SetKind(shipment.KindGIFT_PACKAGE).
			SetDedupeKey("award:" + string(id)).
			SetCreatedAt(at)
		if n%3 != 0 {
			// Sent a few weeks after the decision, to the address on file.
			p.ship = true
			sent := minTime(at.Add(time.Duration(7+n)*day), g.now.Add(-time.Hour))
			ship.SetStatus(shipment.StatusSHIPPED).SetShippedAt(sent).SetShippedByID(staff.id).
				SetCarrier(carriers[n%len(carriers)]).SetTrackingCode(fmt.Sprintf("%s%010d", []string{"SF", "EE", "JD"}[n%3], 4200000000+n*7919)).
				SetUpdatedAt(sent)
		} else {
			ship.SetUpdatedAt(at) // waiting for an address, or for staff
		}
		g.b.shipments = append(g.b.shipments, ship)
	}
	members := all.top(13)
	for i, t := range members {
		citation := fmt.Sprintf("%d verified contributions worth %d points in %d, from articles and talks to "+
			"help at the %s group's events.", t.count, t.points, g.awardYear, t.gr.pl.City)
		if i >= 10 {
			// Nominated, but the ten places went to others.
			g.nominateFor(sel, t.gr, t.p, policy.AwardOutstandingMember, citation, opened.Add(3*day)).SetStatus(awardnomination.StatusNOT_AWARDED)
			continue
		}
		award(t, policy.AwardOutstandingMember, "Outstanding member", i+1, citation)
	}
	for i, t := range cases.top(3) {
		who := "their own team"
		if t.p.org != nil {
			who = t.p.org.name
		}
		award(t, policy.AwardBestUserCase, "Outstanding user case", i+1, fmt.Sprintf("Shared how %s runs openEuler in production; presented at the annual summit.", who))
	}
	for i, t := range content.top(3) {
		award(t, policy.AwardBestContent, "Best content", i+1, fmt.Sprintf("%d articles and talks in %d that other members keep pointing newcomers to.", t.count, g.awardYear))
	}
}

// buildSubmissions sends feedback, newsletter items and activity reports.
func (g *gen) buildSubmissions() {
	europe, apac := g.regionFor("europe"), g.regionFor("asia-pacific")
	items := []struct {
		c      *comm
		author *person
		gr     *grp
		rg     *region
		kind   submission.Kind
		status submission.Status
		title  string
		body   string
		ago    int
	}{
		{g.os, g.groupNamed(g.os, "Paris, France").organizers[0], g.groupNamed(g.os, "Paris, France"), nil,
			submission.KindATTENDEE_FEEDBACK, submission.StatusACKNOWLEDGED, "Upgrade pain points from our last meetup",
			"Three operators described skipping releases during upgrades. All asked for a tested path across two releases " +
				"and for clearer notes on database migrations that cannot be rolled back.", 20},
		{g.os, g.groupNamed(g.os, "Tokyo").organizers[0], g.groupNamed(g.os, "Tokyo"), nil,
			submission.KindATTENDEE_FEEDBACK, submission.StatusSUBMITTED, "Operators ask for a clearer OVN migration guide",
			"Attendees who moved to OVN found the guide assumes a fresh deployment. They would like a checklist for " +
				"existing clouds, including rollback steps.", 6},
		{g.os, g.groupNamed(g.os, "São Paulo").organizers[0], g.groupNamed(g.os, "São Paulo"), nil,
			submission.KindNEWSLETTER_ITEM, submission.StatusSUBMITTED, "São Paulo starts a Portuguese documentation sprint",
			"The group will meet monthly to translate the installation guides. Volunteers from other Portuguese-speaking " +
				"groups are welcome to join online.", 3},
		{g.os, europe.ambassadors[0], nil, europe,
			submission.KindACTIVITY_REPORT, submission.StatusACKNOWLEDGED, "Europe: quarterly activity report",
			"Twelve meetings across the region this quarter. Munich and Warsaw are close to official status; Barcelona and " +
				"Helsinki have gone quiet and we are looking for new organizers there.", 30},
		{g.os, apac.ambassadors[0], nil, apac,
			submission.KindACTIVITY_REPORT, submission.StatusSUBMITTED, "Asia Pacific: quarterly activity report",
			"Two new group requests (Yokohama and Hyderabad) are in review. Bangalore and Pune ran a joint hackfest.", 4},
		{g.oe, g.groupNamed(g.oe, "Beijing").organizers[0], g.groupNamed(g.oe, "Beijing"), nil,
			submission.KindACTIVITY_REPORT, submission.StatusACKNOWLEDGED, "Beijing user group: progress this quarter",
			"Two meetups and one closed-door session with partner enterprises. Eight new members joined; every member " +
				"has posted at least one article this year.", 25},
		{g.oe, g.groupNamed(g.oe, "Shenzhen").organizers[0], g.groupNamed(g.oe, "Shenzhen"), nil,
			submission.KindATTENDEE_FEEDBACK, submission.StatusSUBMITTED, "Requirements from the closed-door session",
			"Partner enterprises asked for longer support windows for LTS releases and better tooling to migrate " +
				"large fleets from other distributions.", 5},
	}
	for _, it := range items {
		at := g.daysAgo(it.ago).Add(-time.Duration(g.intn(600)) * time.Minute)
		b := g.db.Submission.Create().
			SetID(g.id("sub")).
			SetCommunityID(it.c.id).
			SetAuthorID(it.author.id).
			SetKind(it.kind).
			SetStatus(it.status).
			SetTitle(it.title).
			SetBody(it.body).
			SetCreatedAt(at).
			SetUpdatedAt(at)
		if it.gr != nil {
			b.SetGroupID(it.gr.id)
			if it.gr.reg != nil {
				// As sendFeedback and answers record it: the region's
				// ambassadors read and triage it.
				b.SetRegionID(it.gr.reg.id)
			}
		}
		if it.rg != nil {
			b.SetRegionID(it.rg.id)
		}
		g.b.submissions = append(g.b.submissions, b)
	}
	g.buildSubmissionProcesses()
}

// lastCompleted returns the group's most recent completed event.
func lastCompleted(gr *grp) *evt {
	var out *evt
	for _, e := range gr.events {
		if e.status == event.StatusCOMPLETED {
			out = e
		}
	}
	return out
}

// buildReports files a few confidential reports in different states.
func (g *gen) buildReports() {
	berlin, pune, nyc := g.groupNamed(g.os, "Berlin"), g.groupNamed(g.os, "Pune"), g.groupNamed(g.os, "New York City")
	guangzhou := g.groupNamed(g.oe, "Guangzhou")
	frankfurt := g.groupNamed(g.os, "Frankfurt {Cheap Cloud Servers}")
	used := map[*person]bool{}
	items := []struct {
		c           *comm
		reporter    *person
		subject     *person
		gr          *grp
		ev          *evt
		kind        report.Kind
		status      report.Status
		description string
		resolution  string
		ago         int
	}{
		{g.os, g.plainMember(berlin, used), g.plainMember(berlin, used), berlin, lastCompleted(berlin),
			report.KindCODE_OF_CONDUCT, report.StatusINVESTIGATING,
			"During the social part of the meetup an attendee kept commenting on other people's appearance after being asked to stop.", "", 9},
		{g.os, g.regionFor("asia-pacific").ambassadors[0], g.plainMember(pune, used), pune, nil,
			report.KindTITLE_MISUSE, report.StatusRECEIVED,
			"A vendor's event page introduces this person as the OpenStack ambassador for India. They do not hold the title.", "", 3},
		{g.os, g.os.managers[0], nil, frankfurt, nil,
			report.KindSPAM, report.StatusACTION_TAKEN,
			"A new group request that only advertises a hosting offer, with links to a shop.",
			"Request rejected and the account warned.", 150},
		{g.oe, g.plainMember(guangzhou, used), g.plainMember(guangzhou, used), guangzhou, lastCompleted(guangzhou),
			report.KindCODE_OF_CONDUCT, report.StatusNO_ACTION,
			"A speaker presented slides that I believe another member wrote, without credit.",
			"Both people agree the slides were prepared together; no breach of the code of conduct.", 60},
		{g.os, g.plainMember(nyc, used), nil, nyc, nil,
			report.KindOTHER, report.StatusACTION_TAKEN,
			"The group page still lists a venue that closed last year, and people went to the wrong address.",
			"The organizers updated the page and the next event listing.", 40},
	}
	for _, it := range items {
		at := g.daysAgo(it.ago).Add(-time.Duration(g.intn(600)) * time.Minute)
		b := g.db.Report.Create().
			SetID(g.id("rpt")).
			SetCommunityID(it.c.id).
			SetReporterID(it.reporter.id).
			SetKind(it.kind).
			SetStatus(it.status).
			SetDescription(it.description).
			SetCreatedAt(at).
			SetUpdatedAt(at.Add(time.Duration(g.between(1, 48)) * time.Hour))
		if it.subject != nil {
			b.SetSubjectUserID(it.subject.id)
		}
		if it.gr != nil {
			b.SetGroupID(it.gr.id)
		}
		if it.ev != nil {
			b.SetEventID(it.ev.id)
		}
		if it.resolution != "" {
			b.SetResolution(it.resolution)
		}
		g.b.reports = append(g.b.reports, b)
	}
}

// msg queues one outbox message.
type msg struct {
	c         *comm
	to        *person
	address   string
	template  string
	subject   string
	body      string
	status    message.Status
	created   time.Time
	sendAfter time.Time
	attempts  int
	lastError string
	dedupe    string
}

func (g *gen) message(m msg) {
	b := g.db.Message.Create().
		SetID(g.id("msg")).
		SetTemplate(m.template).
		SetSubject(m.subject).
		SetBody(m.body).
		SetStatus(m.status).
		SetAttempts(m.attempts).
		SetCreatedAt(m.created).
		SetDedupeKey(m.dedupe)
	updated := m.created
	if m.c != nil {
		b.SetCommunityID(m.c.id)
	}
	if m.to != nil {
		b.SetRecipientID(m.to.id)
	}
	if m.address != "" {
		b.SetToAddress(m.address)
	}
	if !m.sendAfter.IsZero() {
		b.SetSendAfter(m.sendAfter)
	}
	if m.status == message.StatusSENT {
		updated = m.created.Add(time.Duration(1+g.intn(5)) * time.Minute)
		b.SetSentAt(updated)
	}
	if m.lastError != "" {
		updated = m.created.Add(3 * time.Hour)
		b.SetLastError(m.lastError)
	}
	b.SetUpdatedAt(updated)
	g.b.messages = append(g.b.messages, b)
}

// buildMessages fills the outbox with notices caused by the data above.
func (g *gen) buildMessages() {
	// Welcome the newest regional ambassador to the ambassadors' list.
	var newest *person
	var newestRegion *region
	for _, rg := range g.os.regions {
		for _, p := range rg.ambassadors {
			if newest == nil || p.ambassadorSince.After(newest.ambassadorSince) {
				newest, newestRegion = p, rg
			}
		}
	}
	g.message(msg{c: g.os, address: g.os.ambassadorsList, template: "ambassador_welcome",
		subject: fmt.Sprintf("Please welcome %s, ambassador for %s", newest.name, newestRegion.spec.Name),
		body: fmt.Sprintf("%s joins the ambassadors for %s. Their home group is %s. Say hello on the list!",
			newest.name, newestRegion.spec.Name, newest.home.pl.Name),
		status: message.StatusSENT, created: newest.ambassadorSince.Add(10 * time.Minute), attempts: 1,
		dedupe: "ambassador_welcome:" + string(newest.id)})

	// Decisions of the last months.
	var recent []*app
	for _, a := range g.apps {
		if !a.decided.IsZero() && a.decided.After(g.daysAgo(120)) {
			recent = append(recent, a)
		}
	}
	slices.SortStableFunc(recent, func(a, b *app) int { return a.decided.Compare(b.decided) })
	for i, a := range recent {
		m := msg{c: a.c, to: a.applicant, template: "application_decided",
			subject: fmt.Sprintf("Your %s request was %s", strings.ToLower(strings.ReplaceAll(string(a.kind), "_", " ")),
				strings.ToLower(string(a.status))),
			body:   fmt.Sprintf("Hello %s,\n\nYour request has been %s.\n\n%s\n", a.applicant.name, strings.ToLower(string(a.status)), a.reason),
			status: message.StatusSENT, created: a.decided.Add(time.Minute), attempts: 1,
			dedupe: "application_decided:" + string(a.id)}
		if i == 0 {
			m.status, m.attempts, m.lastError = message.StatusFAILED, 5, "550 5.1.1 mailbox unavailable"
		}
		g.message(m)
	}

	// Official recognition of the most recently recognised group.
	var latest *grp
	for _, gr := range g.established(stOfficial) {
		if latest == nil || gr.officialSince.After(latest.officialSince) {
			latest = gr
		}
	}
	for _, p := range latest.organizers {
		g.message(msg{c: g.os, to: p, template: "official_recognition",
			subject: "Your user group is now official",
			body: fmt.Sprintf("Dear %s,\n\nThe %s group has completed mentoring and meets the requirements, so it is now "+
				"an official OpenStack user group. A logo pack for your pages and social channels is attached, and your "+
				"group page now shows the official badge. Thank you for the work you put in, and keep sharing ideas "+
				"with the other organizers.\n", p.name, latest.pl.Name),
			status: message.StatusSENT, created: latest.officialSince.Add(time.Hour), attempts: 1,
			dedupe: "official_recognition:" + string(latest.id) + ":" + string(p.id)})
	}

	// Swag-kit address requests for groups in the handover, and reminders.
	for _, a := range g.apps {
		if a.kind != application.KindOFFICIAL_STATUS || a.status != application.StatusOBJECTION_WINDOW {
			continue
		}
		p := a.gr.organizers[0]
		g.message(msg{c: g.os, to: p, template: "swag_kit_address_request",
			subject: "Where should we send your group's swag kit?",
			body: fmt.Sprintf("Hello %s,\n\nOnce %s is recognised we will mail a swag kit. Please reply with a name, "+
				"postal address and phone number for the delivery.\n", p.name, a.gr.pl.Name),
			status: message.StatusPENDING, created: g.now.Add(-2 * time.Hour), sendAfter: a.deadline,
			dedupe: "swag_kit_address_request:" + string(a.gr.id)})
	}
	for _, a := range g.apps {
		if a.kind != application.KindMEMBERSHIP || a.status != application.StatusSUBMITTED {
			continue
		}
		p := a.gr.organizers[0]
		g.message(msg{c: g.oe, to: p, template: "application_received",
			subject: "New membership request for " + a.gr.pl.Name,
			body:    fmt.Sprintf("%s asked to join %s. Review the request and the linked article in the queue.", a.applicant.name, a.gr.pl.Name),
			status:  message.StatusPENDING, created: a.created.Add(time.Minute),
			dedupe: "application_received:" + string(a.id) + ":" + string(p.id)})
	}
	wuhan := g.groupNamed(g.oe, "Wuhan")
	for _, m := range wuhan.members[len(wuhan.members)-3:] {
		if m.status != role.StatusACTIVE {
			continue
		}
		g.message(msg{c: g.oe, to: m.p, template: "obligation_reminder",
			subject: "A reminder about your user group membership",
			body: fmt.Sprintf("Hello %s,\n\nMembers share something with the community at least once a year: an article, "+
				"a user case, feedback, code or help at an event. Your next one keeps your membership of the %s group active.\n",
				m.p.name, wuhan.pl.Name),
			status: message.StatusPENDING, created: g.now.Add(-time.Hour), sendAfter: g.now.Add(2 * day),
			dedupe: "obligation_reminder:" + string(m.p.id)})
	}
}
