package seed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/policy"
)

// entry is one planned review in an application's timeline.
type entry struct {
	kind     review.Kind
	author   *person
	body     string
	from, to application.Status
	resolver *person       // who resolved an objection
	fixed    time.Duration // placed this long after the previous entry, when set
	at       time.Time
}

type timeline struct{ entries []*entry }

func (tl *timeline) add(kind review.Kind, author *person, body string) *entry {
	e := &entry{kind: kind, author: author, body: body}
	tl.entries = append(tl.entries, e)
	return e
}

func (tl *timeline) move(author *person, from, to application.Status, body string) *entry {
	e := tl.add(review.KindSTATUS_CHANGE, author, body)
	e.from, e.to = from, to
	return e
}

// last returns the most recent entry that moved the application to status.
func (tl *timeline) movedTo(status application.Status) *entry {
	for i := len(tl.entries) - 1; i >= 0; i-- {
		if tl.entries[i].to == status {
			return tl.entries[i]
		}
	}
	return nil
}

// place spreads the entries between created and end; entries with a fixed
// delay follow their predecessor exactly.
func (g *gen) place(tl *timeline, created, end time.Time) {
	free := 0
	for _, e := range tl.entries {
		if e.fixed == 0 {
			free++
		}
	}
	prev, k := created, 0
	span := end.Sub(created)
	for _, e := range tl.entries {
		if e.fixed > 0 {
			e.at = prev.Add(e.fixed)
		} else {
			k++
			e.at = created.Add(span * time.Duration(k) / time.Duration(free)).Add(-time.Duration(g.intn(40)) * time.Minute)
			if !e.at.After(prev) {
				e.at = prev.Add(time.Minute)
			}
		}
		e.at = e.at.Truncate(time.Second)
		prev = e.at
	}
}

// app describes one application.
type app struct {
	id         pulid.ID
	c          *comm
	kind       application.Kind
	status     application.Status
	applicant  *person
	gr         *grp
	rg         *region
	reviewer   *person
	mentor     *person
	decider    *person
	answers    schematype.ApplicationAnswers
	screening  *schematype.Screening
	checklist  *schematype.HandoverChecklist
	supporters []*person
	created    time.Time
	deadline   time.Time
	decided    time.Time
	reason     string
	tl         timeline
	note       *entry // the automatic screening note, written once the screening is known

	// Funding after the activity: the organizers' report and its closing.
	report   *schematype.FundingReport
	closedAt time.Time
	closer   *person
}

func (g *gen) newApp(c *comm, kind application.Kind, status application.Status, applicant *person) *app {
	return &app{id: g.id("app"), c: c, kind: kind, status: status, applicant: applicant}
}

// standard writes the usual timeline for the application's status: review
// starts, optional comment and endorsement, then the step that led to the
// current status. Decisions in a community with an objection window pass
// through OBJECTION_WINDOW and are approved automatically when it closes.
func (g *gen) standard(a *app, comment string, endorser *person, endorsement, info string) {
	tl := &a.tl
	if a.status == application.StatusSUBMITTED {
		return
	}
	rv := a.reviewer
	if a.status == application.StatusWITHDRAWN && comment == "" {
		tl.move(a.applicant, application.StatusSUBMITTED, application.StatusWITHDRAWN, a.reason)
		return
	}
	tl.move(rv, application.StatusSUBMITTED, application.StatusIN_REVIEW, "")
	if comment != "" {
		tl.add(review.KindCOMMENT, rv, comment)
	}
	if endorser != nil {
		tl.add(review.KindENDORSEMENT, endorser, endorsement)
	}
	window := time.Duration(a.c.pol.ObjectionWindowHours) * time.Hour
	switch a.status {
	case application.StatusNEEDS_INFO:
		tl.add(review.KindINFO_REQUEST, rv, info)
		tl.move(rv, application.StatusIN_REVIEW, application.StatusNEEDS_INFO, "").fixed = time.Minute
	case application.StatusOBJECTION_WINDOW:
		tl.move(rv, application.StatusIN_REVIEW, application.StatusOBJECTION_WINDOW, "Approved, pending objections from the ambassadors.")
	case application.StatusAPPROVED:
		if window > 0 {
			tl.move(a.decider, application.StatusIN_REVIEW, application.StatusOBJECTION_WINDOW, "Approved, pending objections from the ambassadors.")
			tl.move(nil, application.StatusOBJECTION_WINDOW, application.StatusAPPROVED, "The objection window closed without objections.").fixed = window
		} else {
			tl.move(a.decider, application.StatusIN_REVIEW, application.StatusAPPROVED, a.reason)
		}
	case application.StatusREJECTED:
		tl.move(a.decider, application.StatusIN_REVIEW, application.StatusREJECTED, a.reason)
	case application.StatusWITHDRAWN:
		tl.move(a.applicant, application.StatusIN_REVIEW, application.StatusWITHDRAWN, a.reason)
	case application.StatusEXPIRED:
		tl.move(nil, application.StatusIN_REVIEW, application.StatusEXPIRED, a.reason)
	}
}

// finish places the timeline so its last free entry lands at end and
// derives the objection deadline and decision time. The rows are emitted by
// emitApps, once every group of the plan exists.
func (g *gen) finish(a *app, created, end time.Time) {
	a.created = created
	if len(a.tl.entries) == 0 || a.tl.entries[0].author != nil || a.tl.entries[0].kind != review.KindCOMMENT {
		note := &entry{kind: review.KindCOMMENT, body: g.autoCheck(a, created), fixed: time.Minute}
		a.tl.entries = append([]*entry{note}, a.tl.entries...)
	}
	g.place(&a.tl, created, end)
	if e := a.tl.movedTo(application.StatusOBJECTION_WINDOW); e != nil {
		a.deadline = e.at.Add(time.Duration(a.c.pol.ObjectionWindowHours) * time.Hour)
	}
	switch a.status {
	case application.StatusAPPROVED, application.StatusREJECTED, application.StatusWITHDRAWN, application.StatusEXPIRED:
		if e := a.tl.movedTo(a.status); e != nil {
			a.decided = e.at
		}
		if a.decider == nil && a.status != application.StatusWITHDRAWN && a.status != application.StatusEXPIRED {
			a.decider = a.reviewer
		}
	}
	for i, e := range a.tl.entries {
		if e.at.After(g.now) {
			panic(fmt.Sprintf("seed: review %d of a %s application is in the future", i, a.kind))
		}
	}
	g.apps = append(g.apps, a)
}

// emitApps screens the new-group requests against the plan's groups as
// they stood when each arrived, then turns every application and its
// timeline into builders.
func (g *gen) emitApps() {
	for _, a := range g.apps {
		if a.kind == application.KindNEW_GROUP {
			a.screening = g.screen(a)
			a.note.body = screeningNote(a.c, a.screening)
		}
		g.emitApp(a)
	}
}

// emitApp turns one application and its reviews into builders.
func (g *gen) emitApp(a *app) {
	created := a.created
	updated := created
	for i, e := range a.tl.entries {
		b := g.db.Review.Create().
			SetID(g.id("rev")).
			SetApplicationID(a.id).
			SetKind(e.kind).
			SetCreatedAt(e.at)
		if e.author != nil {
			b.SetAuthorID(e.author.id)
		}
		if e.body != "" {
			b.SetBody(e.body)
		}
		if e.kind == review.KindSTATUS_CHANGE {
			b.SetFromStatus(string(e.from)).SetToStatus(string(e.to))
		}
		upd := e.at
		if e.resolver != nil {
			res := e.at.Add(day)
			if i+1 < len(a.tl.entries) {
				res = a.tl.entries[i+1].at
			}
			b.SetResolvedAt(res).SetResolvedByID(e.resolver.id)
			upd = res
		}
		b.SetUpdatedAt(upd)
		g.b.reviews = append(g.b.reviews, b)
		updated = maxTime(updated, upd)
	}
	b := g.db.Application.Create().
		SetID(a.id).
		SetCommunityID(a.c.id).
		SetApplicantID(a.applicant.id).
		SetKind(a.kind).
		SetStatus(a.status).
		SetAnswers(a.answers).
		SetCreatedAt(created).
		SetUpdatedAt(updated)
	if a.gr != nil {
		b.SetGroupID(a.gr.id)
	}
	if a.rg != nil {
		b.SetRegionID(a.rg.id)
	}
	if a.reviewer != nil {
		b.SetReviewerID(a.reviewer.id)
	}
	if a.mentor != nil {
		b.SetMentorID(a.mentor.id)
	}
	if a.screening != nil {
		b.SetScreening(*a.screening)
	}
	if a.checklist != nil {
		b.SetChecklist(*a.checklist)
	}
	if !a.deadline.IsZero() {
		b.SetObjectionDeadline(a.deadline)
	}
	if !a.decided.IsZero() {
		b.SetDecidedAt(a.decided)
		if a.decider != nil {
			b.SetDecidedByID(a.decider.id)
		}
	}
	if a.reason != "" {
		b.SetDecisionReason(a.reason)
	}
	for _, s := range a.supporters {
		b.AddSupporterIDs(s.id)
	}
	if a.report != nil {
		b.SetFundingReport(*a.report).SetUpdatedAt(maxTime(updated, a.report.FiledAt))
		if !a.closedAt.IsZero() {
			b.SetClosedAt(a.closedAt).SetClosedByID(a.closer.id).SetUpdatedAt(maxTime(updated, a.closedAt))
		}
	}
	g.b.applications = append(g.b.applications, b)
}

// autoCheck is the automatic note written when an application arrives: what
// the system could check on its own.
func (g *gen) autoCheck(a *app, at time.Time) string {
	p := a.applicant
	var b strings.Builder
	b.WriteString("Automatic check: ")
	switch a.kind {
	case application.KindMEMBERSHIP:
		if a.answers.ArticleURL != "" {
			b.WriteString("the article link points to the community forum.")
		} else {
			b.WriteString("no article link given; the policy asks for at least one published article.")
		}
		if p.org != nil && p.org.partner(a.c) {
			b.WriteString(" The applicant works for a partner enterprise.")
		} else if p.org == nil {
			b.WriteString(" The applicant applies as an individual.")
		}
	case application.KindORGANIZER:
		if m := a.gr.memberSet[p]; m != nil {
			fmt.Fprintf(&b, "member of %s since %s.", a.gr.pl.Name, m.since.Format("January 2006"))
		} else {
			fmt.Fprintf(&b, "not yet a member of %s.", a.gr.pl.Name)
		}
		if a.c.pol.LeadersRequirePartner && p.org != nil && p.org.partner(a.c) {
			b.WriteString(" Works for a partner enterprise.")
		}
	case application.KindAMBASSADOR:
		switch {
		case p.home == nil:
			b.WriteString("no group membership found.")
		case slices.Contains(p.home.organizers, p):
			fmt.Fprintf(&b, "organizer of %s; no open reports.", p.home.pl.Name)
		default:
			fmt.Fprintf(&b, "member of %s; holds no other role.", p.home.pl.Name)
		}
	case application.KindOFFICIAL_STATUS:
		n := 0
		for _, e := range a.gr.events {
			if e.status == event.StatusCOMPLETED && e.start.Before(at) && e.start.After(at.Add(-365*day)) {
				n++
			}
		}
		fmt.Fprintf(&b, "%s has been active since %s and held %d events in the last twelve months.",
			a.gr.pl.Name, a.gr.founded.Format("January 2006"), n)
	case application.KindFUNDING:
		for _, e := range a.gr.events {
			if string(e.id) == a.answers.EventID {
				fmt.Fprintf(&b, "the event \"%s\" starts on %s.", e.title, e.start.Format("2 January 2006"))
			}
		}
	default:
		b.WriteString("nothing to report.")
	}
	return b.String()
}

// openWindow returns created and end times for an open application whose
// last entry happened recently.
func (g *gen) openWindow(status application.Status) (time.Time, time.Time) {
	end := g.now.Add(-time.Duration(g.between(3*60, 40*60)) * time.Minute)
	switch status {
	case application.StatusSUBMITTED:
		created := g.now.Add(-time.Duration(g.between(6*60, 120*60)) * time.Minute)
		return created, created.Add(2 * time.Minute)
	case application.StatusOBJECTION_WINDOW:
		// The move into the window is the last free entry; keep the deadline ahead.
		end = g.now.Add(-time.Duration(g.between(6*60, 30*60)) * time.Minute)
	}
	return end.Add(-time.Duration(g.between(3*24*60, 14*24*60)) * time.Minute), end
}

// pastDay returns a time of day on a date between lo and hi days ago.
func (g *gen) pastDay(lo, hi int) time.Time {
	return g.daysAgo(g.between(lo, hi)).Add(-time.Duration(g.intn(12*60)) * time.Minute)
}

// screen is the automatic screening of a new-group request as the product
// files it when the request arrives (workflow's screen, by the same policy
// functions): conflicts with the community's groups as they stood then,
// flags and missing information from the answers, and the supporters who
// live in the group's city with their organizations.
func (g *gen) screen(a *app) *schematype.Screening {
	gr, c, t := a.gr, a.c, a.created
	var sup policy.Supporters
	orgs := map[*org]bool{}
	for _, s := range a.supporters {
		if strings.EqualFold(s.city, gr.pl.City) {
			sup.People++
			if s.org != nil {
				orgs[s.org] = true
			}
		}
	}
	sup.Organizations = len(orgs)
	var urls []string
	for _, l := range a.answers.Links {
		urls = append(urls, l.URL)
	}
	flags, missing := policy.Screen(c.pol, c.name, policy.Request{
		Name: gr.pl.Name, Description: a.answers.Description, Links: urls, HasLocation: true, Supporters: sup,
	})
	sc := &schematype.Screening{
		Flags: flags, Missing: missing, Supporters: sup.People, SupporterOrganizations: sup.Organizations, ScreenedAt: t,
	}
	var existing []policy.Place
	for _, o := range c.groups {
		// The statuses the product's screening compares against.
		switch st := o.statusAt(t); st {
		case stProposed, stActive, stOfficial:
			existing = append(existing, o.placeAs(st))
		}
	}
	for _, cf := range policy.FindConflicts(c.pol, gr.placeAs(stProposed), existing) {
		sc.Conflicts = append(sc.Conflicts, schematype.Conflict{GroupID: cf.ID, Name: cf.Name, City: cf.City, Status: cf.Status, DistanceKm: cf.DistanceKm})
	}
	return sc
}

// screeningNote is the automatic comment that records the screening.
func screeningNote(c *comm, sc *schematype.Screening) string {
	var b strings.Builder
	b.WriteString("Automatic screening: ")
	if len(sc.Conflicts) == 0 {
		if c.pol.ConflictRadiusKm > 0 {
			fmt.Fprintf(&b, "no other group within %.0f km.", c.pol.ConflictRadiusKm)
		} else {
			b.WriteString("no other group in the same city.")
		}
	} else {
		parts := make([]string, len(sc.Conflicts))
		for i, cf := range sc.Conflicts {
			parts[i] = fmt.Sprintf("%s (%s, %.1f km)", cf.Name, strings.ToLower(cf.Status), cf.DistanceKm)
		}
		fmt.Fprintf(&b, "possible overlap with %s.", strings.Join(parts, ", "))
	}
	if c.pol.MinSupporters > 0 {
		fmt.Fprintf(&b, " %d supporters from %d organizations (the policy asks for %d from %d).",
			sc.Supporters, sc.SupporterOrganizations, c.pol.MinSupporters, c.pol.MinSupporterOrganizations)
	}
	if len(sc.Flags) > 0 {
		fmt.Fprintf(&b, " Flags: %s.", strings.Join(sc.Flags, ", "))
	}
	if len(sc.Missing) > 0 {
		fmt.Fprintf(&b, " Missing: %s.", strings.Join(sc.Missing, ", "))
	}
	return b.String()
}

// proposalAnswers are the answers of a request for gr: omit names the
// answers left out ("link", "description"); description and link, when
// given, replace the usual ones.
func proposalAnswers(gr *grp, omit []string, description, link string) schematype.ApplicationAnswers {
	ans := schematype.ApplicationAnswers{
		ProposedName:          gr.pl.Name,
		City:                  gr.pl.City,
		Country:               gr.pl.Country,
		Latitude:              ptr(gr.pl.Lat),
		Longitude:             ptr(gr.pl.Lon),
		AcceptedCodeOfConduct: true,
	}
	if link == "" {
		link = fmt.Sprintf("https://meetup.example.com/%s-%s", gr.c.slug, gr.slug)
	}
	if !slices.Contains(omit, policy.MissingLink) {
		ans.Links = []schematype.Link{{Label: "Meetup page", URL: link}}
	}
	switch {
	case slices.Contains(omit, policy.MissingDescription):
	case description != "":
		ans.Description = description
	case gr.c.openEu:
		ans.Description = fmt.Sprintf("openEuler users in %s who want a local circle: regular meetups, closed-door "+
			"sessions with partner enterprises, and a way to send feedback to the developers.", gr.pl.City)
	default:
		ans.Description = fmt.Sprintf("A group for people running or building on OpenStack around %s. "+
			"We plan to meet every two months, alternating talks and hands-on evenings.", gr.pl.City)
	}
	return ans
}

func (g *gen) buildApplications() {
	g.approvedNewGroups()
	g.openStackProposals()
	g.openEulerProposals()
	g.membershipApps()
	g.organizerApps()
	g.ambassadorApps()
	g.officialApps()
	g.fundingApps()
	g.emitApps()
}

// approvedNewGroups records the approved requests behind OpenStack's
// recently formed (ACTIVE) groups.
func (g *gen) approvedNewGroups() {
	c := g.os
	for i, gr := range c.groups {
		if gr.status != stActive {
			continue
		}
		mgr := c.managers[i%len(c.managers)]
		a := g.newApp(c, application.KindNEW_GROUP, application.StatusAPPROVED, gr.organizers[0])
		a.gr, a.rg, a.reviewer, a.decider, a.mentor = gr, gr.reg, mgr, mgr, gr.mentor
		created := gr.founded.Add(-time.Duration(g.between(8, 30)) * day)
		gr.created = created
		var early []*person
		for _, m := range gr.members[:min(len(gr.members), 8)] {
			if m.p != a.applicant {
				early = append(early, m.p)
			}
		}
		// The applicant backs the request first, as when applying.
		a.supporters = append([]*person{a.applicant}, early[:min(len(early), 3)]...)
		a.answers = proposalAnswers(gr, nil, "", "")
		a.reason = "Genuine OpenStack user group, no conflict, mentor assigned."
		a.note = a.tl.add(review.KindCOMMENT, nil, "")
		a.note.fixed = time.Minute
		comment := ""
		if strings.Contains(gr.pl.Name, "{") {
			comment = "The name follows the naming rule: the place first, the nickname in braces at the end."
		}
		g.standard(a, comment, gr.mentor, "Happy to mentor this group; I know two of the organizers from the regional meetups.", "")
		end := gr.founded.Add(-time.Duration(c.pol.ObjectionWindowHours) * time.Hour)
		g.finish(a, created, end)
	}
}

// openStackProposals creates the PROPOSED groups with their open requests,
// and the decided requests whose groups were REJECTED.
func (g *gen) openStackProposals() {
	c := g.os
	for i, pr := range openStackProposals {
		open := pr.Reason == ""
		status := stProposed
		switch {
		case pr.AppStatus == string(application.StatusWITHDRAWN):
			status = stWithdrawn
		case !open:
			status = stRejected
		}
		gr := g.newGroup(c, pr.place, status)
		gr.reg = g.regionFor(pr.Region)
		ambs := gr.reg.ambassadors
		mgr := c.managers[i%len(c.managers)]
		appStatus := application.Status(pr.AppStatus)

		var created, end time.Time
		switch {
		case open:
			created, end = g.openWindow(appStatus)
			switch pr.Objection {
			case "open":
				// The window closed days ago; an open objection holds the approval.
				end = g.now.Add(-time.Duration(g.between(30, 60)) * time.Hour)
				created = end.Add(-10 * day)
			case "resolved":
				// Resolved quickly, while the window is still open.
				created = end.Add(-2 * day)
			}
		case pr.AppStatus == "EXPIRED":
			rival := g.groupNamed(c, "New Delhi")
			created = rival.founded.Add(-12 * day)
			end = rival.founded.Add(time.Hour)
		default:
			created = g.pastDay(90, 400)
			end = created.Add(time.Duration(g.between(2, 9)) * day)
		}
		gr.created = created
		gr.founded = created
		gr.changed = end

		local := g.newOrg(pick(g, intlOrgWords)+" "+pick(g, intlOrgKinds), pr.City, pr.Country)
		applicant := g.newPerson(pr.City, pr.Country, false, local, created.Add(-time.Duration(g.between(1, 30))*day))
		g.describe(applicant, c)
		var supporters []*person
		for k := 0; k < g.between(2, 4); k++ {
			var o *org
			if g.chance(0.5) {
				o = local
			}
			s := g.newPerson(pr.City, pr.Country, false, o, created.Add(-time.Duration(g.between(1, 30))*day))
			g.describe(s, c)
			supporters = append(supporters, s)
		}
		a := g.newApp(c, application.KindNEW_GROUP, appStatus, applicant)
		a.gr, a.rg, a.reviewer, a.reason = gr, gr.reg, mgr, pr.Reason
		a.supporters = append([]*person{applicant}, supporters...)
		if appStatus == application.StatusREJECTED {
			a.decider = mgr
		}
		a.answers = proposalAnswers(gr, pr.Omit, pr.Description, pr.Link)
		a.note = a.tl.add(review.KindCOMMENT, nil, "")
		a.note.fixed = time.Minute

		switch pr.City {
		case "Oakland":
			a.mentor = ambs[0]
			g.standard(a, "The Bay Area group meets about 13 km away. Asking the North America ambassadors to talk with both "+
				"sets of organizers before we decide.", nil, "", "")
			a.tl.add(review.KindCOMMENT, ambs[1%len(ambs)], "Spoke with the Bay Area organizers: they would rather alternate venues "+
				"across the bay than split. Waiting to hear what the applicant thinks.")
		case "Cambridge":
			g.standard(a, "", nil, "", "The Boston group meets a few kilometres from you. How would your group differ, and "+
				"have you spoken to its organizers?")
		case "Rotterdam":
			a.mentor = ambs[0]
			g.standard(a, "", ambs[0], "I will mentor this group. Amsterdam is close to 60 km away, outside the conflict radius.", "")
		case "Hyderabad":
			a.mentor = ambs[0]
			g.standard(a, "", ambs[0], "Looks like an active local community; happy to mentor.", "")
			a.tl.add(review.KindOBJECTION, ambs[1%len(ambs)], "The applicant's company sells OpenStack courses under a very "+
				"similar name, and the meetup page links to its course catalogue. Please sort this out before the group is approved.")
		case "Accra":
			a.mentor = ambs[0]
			g.standard(a, "Found the group's meetup page and added the link to the request.", ambs[0],
				"I met these organizers at a regional event; they already run informal monthly meetings.", "")
		case "Porto":
			a.mentor = ambs[0]
			g.standard(a, "", ambs[0], "Will mentor; the organizers have run two informal meetings already.", "")
			ob := a.tl.add(review.KindOBJECTION, ambs[1%len(ambs)], "Were the Lisbon organizers asked? Several of their "+
				"regulars travel from Porto.")
			ob.resolver = mgr
			a.tl.add(review.KindCOMMENT, mgr, "The Lisbon organizers welcome a Porto group and will co-host a joint event. "+
				"Objection resolved.")
		case "Guadalajara":
			g.standard(a, "", nil, "", "Please add a short description of what the group will cover and how often it plans to meet.")
		case "Frankfurt", "Lyon":
			g.standard(a, "", nil, "", "")
		case "San Mateo":
			g.standard(a, "San Mateo is about 25 km from the Bay Area group. Could you join forces with them instead?", nil, "", "")
		case "Gurgaon":
			g.standard(a, "Two requests cover the Delhi area. We will approve one and ask the other applicant to join it.", nil, "", "")
		default:
			g.standard(a, "", nil, "", "")
		}
		g.finish(a, created, end)
	}
}

func (g *gen) groupNamed(c *comm, name string) *grp {
	for _, gr := range c.groups {
		if gr.pl.Name == name {
			return gr
		}
	}
	panic("seed: no group " + name)
}

// openEulerProposals creates three requests for new openEuler city groups:
// one with enough supporters, one short of them, and one in a city that
// already has a group.
func (g *gen) openEulerProposals() {
	c := g.oe
	for i, pl := range openEulerProposals {
		gr := g.newGroup(c, pl, stProposed)
		var status application.Status
		var supporters []*person
		created, end := time.Time{}, time.Time{}
		switch i {
		case 0: // Hefei: 12 supporters from 11 enterprises.
			status = application.StatusIN_REVIEW
			created, end = g.openWindow(status)
			orgs := g.localOrgs(c, pl, 11, 11)
			for k := 0; k < 12; k++ {
				supporters = append(supporters, g.newPerson(pl.City, pl.Country, true, orgs[k%11], created.Add(-time.Duration(g.between(5, 60))*day)))
			}
			gr.orgs = orgs
		case 1: // Suzhou: 7 supporters from 6 enterprises so far.
			status = application.StatusSUBMITTED
			created, end = g.openWindow(status)
			orgs := g.localOrgs(c, pl, 6, 4)
			for k := 0; k < 7; k++ {
				supporters = append(supporters, g.newPerson(pl.City, pl.Country, true, orgs[k%6], created.Add(-time.Duration(g.between(5, 60))*day)))
			}
			gr.orgs = orgs
		default: // Shenzhen {Nanshan}: the city already has a group.
			status = application.StatusNEEDS_INFO
			created, end = g.openWindow(status)
			home := g.groupNamed(c, "Shenzhen")
			for k := 0; k < 10; k++ {
				supporters = append(supporters, g.newPerson(pl.City, pl.Country, true, home.orgs[k], created.Add(-time.Duration(g.between(5, 60))*day)))
			}
			gr.orgs = home.orgs
		}
		for _, s := range supporters {
			g.describe(s, c)
		}
		gr.created, gr.founded, gr.changed = created, created, created
		applicant := supporters[0]
		a := g.newApp(c, application.KindNEW_GROUP, status, applicant)
		a.gr, a.reviewer, a.supporters = gr, c.managers[i%len(c.managers)], supporters
		a.answers = proposalAnswers(gr, nil, "", "")
		a.note = a.tl.add(review.KindCOMMENT, nil, "")
		a.note.fixed = time.Minute
		switch i {
		case 0:
			g.standard(a, "Checked the supporters against the partner register; setting up a call with the proposed organizer.", nil, "", "")
		case 2:
			g.standard(a, "", nil, "", "Shenzhen already has a city group. Could the Nanshan members join it as a sub-team? "+
				"Please explain what a second group would add.")
		}
		g.finish(a, created, end)
	}
}

// articleURL is a forum link for an article.
func (g *gen) articleURL(title string) string {
	n := g.seq["forum"]
	g.seq["forum"] = n + 1
	return fmt.Sprintf("https://forum.openeuler.org/t/%s/%d", policy.Slugify(title), 20000+n*7)
}

// membershipApps creates openEuler join requests: one open per group, the
// approved request of each group's newest member, and a few refused or withdrawn.
func (g *gen) membershipApps() {
	c := g.oe
	statuses := []application.Status{application.StatusSUBMITTED, application.StatusIN_REVIEW, application.StatusNEEDS_INFO, application.StatusIN_REVIEW}
	for i, gr := range c.groups[:len(openEulerCities)] {
		org := (*org)(nil)
		if g.chance(0.7) {
			org = pick(g, gr.orgs)
		}
		status := statuses[i%len(statuses)]
		created, end := g.openWindow(status)
		p := g.newPerson(gr.pl.City, gr.pl.Country, true, org, created.Add(-time.Duration(g.between(20, 200))*day))
		g.describe(p, c)
		title := pick(g, c.topics) + ": my first steps"
		url := g.articleURL(title)
		g.contribution(c, p, nil, contribution.KindARTICLE, title, url, created.Add(-time.Duration(g.between(2, 12))*day), nil, time.Time{})
		a := g.newApp(c, application.KindMEMBERSHIP, status, p)
		a.gr, a.reviewer = gr, gr.organizers[0]
		a.answers = schematype.ApplicationAnswers{Affiliation: p.affil, ArticleURL: url}
		g.standard(a, "Read the article, a clear walkthrough. Checking the affiliation against the partner list.", nil, "",
			"The article link opens a draft only you can see. Please publish it and update the link.")
		g.finish(a, created, end)
	}
	// Approved: the newest active member of each group joined through a request.
	for _, gr := range c.groups[:len(openEulerCities)] {
		var newest *membership
		for _, m := range gr.members {
			if m.status == role.StatusACTIVE && !slices.Contains(gr.ambassadors, m.p) && !slices.Contains(gr.organizers, m.p) {
				if newest == nil || m.since.After(newest.since) {
					newest = m
				}
			}
		}
		a := g.newApp(c, application.KindMEMBERSHIP, application.StatusAPPROVED, newest.p)
		a.gr, a.reviewer, a.decider = gr, gr.organizers[0], gr.organizers[0]
		a.answers = schematype.ApplicationAnswers{Affiliation: newest.p.affil, ArticleURL: g.joinArticle(newest)}
		a.reason = "Article published and affiliation confirmed. Welcome to the group!"
		g.standard(a, "", nil, "", "")
		g.finish(a, newest.since.Add(-time.Duration(g.between(3, 12))*day), newest.since)
	}
	// Refused and withdrawn requests.
	for k, gr := range []*grp{c.groups[0], c.groups[5], c.groups[8]} {
		created := g.pastDay(40, 200)
		p := g.newPerson(gr.pl.City, gr.pl.Country, true, nil, created.Add(-30*day))
		g.describe(p, c)
		status := application.StatusREJECTED
		reason := "There is no published article on the forum yet. You are welcome to apply again once your first one is up."
		if k == 2 {
			status = application.StatusWITHDRAWN
			reason = "Withdrawn: the applicant is moving to another city."
		}
		a := g.newApp(c, application.KindMEMBERSHIP, status, p)
		a.gr, a.reviewer, a.decider, a.reason = gr, gr.organizers[0], gr.organizers[0], reason
		a.answers = schematype.ApplicationAnswers{Affiliation: p.affil}
		if k == 2 {
			a.decider = nil
		}
		g.standard(a, "Thanks for applying. Membership needs at least one published article; I do not see one yet.", nil, "", "")
		g.finish(a, created, created.Add(time.Duration(g.between(2, 8))*day))
	}
}

// joinArticle returns (and fixes) the URL of the article a member joined with.
func (g *gen) joinArticle(m *membership) string {
	if m.article == "" {
		m.articleTitle = pick(g, g.oe.topics) + ": notes from " + m.p.city
		m.article = g.articleURL(m.articleTitle)
	}
	return m.article
}

// established returns the OpenStack groups with the given status, in table order.
func (g *gen) established(status string) []*grp {
	var out []*grp
	for _, gr := range g.os.groups {
		if gr.status == status && len(gr.organizers) > 0 {
			out = append(out, gr)
		}
	}
	return out
}

// plainMember returns an active member of gr who leads nothing.
func (g *gen) plainMember(gr *grp, skip map[*person]bool) *person {
	for _, m := range gr.members {
		if m.status == role.StatusACTIVE && !slices.Contains(gr.organizers, m.p) && !slices.Contains(gr.ambassadors, m.p) && !skip[m.p] {
			skip[m.p] = true
			return m.p
		}
	}
	return nil
}

func (g *gen) organizerApps() {
	c := g.os
	used := map[*person]bool{}
	active := g.established(stActive)
	official := g.established(stOfficial)
	statuses := []application.Status{application.StatusSUBMITTED, application.StatusIN_REVIEW, application.StatusNEEDS_INFO,
		application.StatusIN_REVIEW, application.StatusSUBMITTED}
	targets := []*grp{official[0], active[1], official[3], active[4], official[6]}
	for i, gr := range targets {
		p := g.plainMember(gr, used)
		status := statuses[i]
		a := g.newApp(c, application.KindORGANIZER, status, p)
		a.gr, a.reviewer = gr, gr.organizers[0]
		a.answers = schematype.ApplicationAnswers{
			Why:           "I have helped at the last few meetings (venue, streaming, finding speakers) and would like to share the organizing load.",
			Participation: fmt.Sprintf("Member of the %s group since %d; gave one talk and ran the video recordings.", gr.pl.Name, gr.memberSet[p].since.Year()),
		}
		g.standard(a, "Thanks! Let's have a quick call with the other organizers this week.", nil, "",
			"Could you tell us which meetings you could host in the next six months?")
		created, end := g.openWindow(status)
		g.finish(a, created, end)
	}
	// openEuler: a candidate for the next organizer term, elected by the group.
	wuhan := g.groupNamed(g.oe, "Wuhan")
	cand := wuhan.ambassadors[0]
	a := g.newApp(g.oe, application.KindORGANIZER, application.StatusSUBMITTED, cand)
	a.gr, a.reviewer = wuhan, g.oe.managers[0]
	a.answers = schematype.ApplicationAnswers{
		Why:           "Standing for organizer in the coming term: I want more closed-door sessions with the partner enterprises.",
		Participation: "Ambassador since the group started; co-hosted most of its events.",
	}
	created, end := g.openWindow(a.status)
	g.finish(a, created, end)

	// Approved co-organizers of official groups, and one refusal.
	n := 0
	for _, gr := range official {
		if len(gr.organizers) < 2 || n == 3 {
			continue
		}
		n++
		p := gr.organizers[1]
		since := gr.memberSet[p].since
		a := g.newApp(c, application.KindORGANIZER, application.StatusAPPROVED, p)
		a.gr, a.reviewer, a.decider = gr, gr.organizers[0], gr.organizers[0]
		a.reason = "Welcome to the organizing team."
		a.answers = schematype.ApplicationAnswers{Why: "Happy to help run the group.", Participation: "Regular attendee and speaker."}
		g.standard(a, "", nil, "", "")
		end := since.Add(-time.Duration(c.pol.ObjectionWindowHours) * time.Hour)
		g.finish(a, end.Add(-time.Duration(g.between(5, 15))*day), end)
	}
	gr := active[0]
	p := g.plainMember(gr, used)
	a = g.newApp(c, application.KindORGANIZER, application.StatusREJECTED, p)
	a.gr, a.reviewer, a.decider = gr, gr.organizers[0], gr.organizers[0]
	a.reason = "Please help at a couple of meetings first; we would be glad to revisit in a few months."
	a.answers = schematype.ApplicationAnswers{Why: "I would like to organize events."}
	g.standard(a, "", nil, "", "")
	created = g.pastDay(30, 80)
	g.finish(a, created, created.Add(3*day))
}

func (g *gen) ambassadorApps() {
	c := g.os
	statuses := []application.Status{application.StatusSUBMITTED, application.StatusIN_REVIEW, application.StatusNEEDS_INFO,
		application.StatusOBJECTION_WINDOW, application.StatusIN_REVIEW, application.StatusSUBMITTED}
	var applicants []*person
	var regions []*region
	for _, key := range []string{"north-america", "latin-america", "africa-middle-east"} {
		rg := g.regionFor(key)
		k := 0
		for _, gr := range c.groups {
			if gr.reg != rg || (gr.status != stActive && gr.status != stOfficial) || slices.Contains(rg.ambassadors, gr.organizers[0]) {
				continue
			}
			applicants = append(applicants, gr.organizers[0])
			regions = append(regions, rg)
			if k++; k == 2 {
				break
			}
		}
	}
	for i, p := range applicants {
		rg := regions[i]
		status := statuses[i%len(statuses)]
		a := g.newApp(c, application.KindAMBASSADOR, status, p)
		a.rg, a.reviewer = rg, c.managers[i%len(c.managers)]
		a.answers = schematype.ApplicationAnswers{
			Why: fmt.Sprintf("Groups in %s are growing but far apart; I would like to help new organizers get started "+
				"and connect them with each other.", rg.spec.Name),
			Participation: fmt.Sprintf("Organizer of the %s group; spoke at regional events and helped two neighbouring "+
				"groups find speakers.", p.home.pl.Name),
			Ideas: "A shared speaker pool for the region, a starter kit for new organizers, and translated slides for newcomers.",
		}
		var endorser *person
		if len(rg.ambassadors) > 0 {
			endorser = rg.ambassadors[0]
		}
		g.standard(a, "Thanks for applying. Reviewing with the regional ambassadors.", endorser,
			"Strong track record in the region; I support this application.",
			"Could you say more about work beyond your own group, for example with neighbouring groups or events?")
		created, end := g.openWindow(status)
		g.finish(a, created, end)
	}
	// Approved: one ambassador per region applied through the queue.
	for _, rg := range c.regions {
		for _, p := range rg.ambassadors[:min(1, len(rg.ambassadors))] {
			start := p.ambassadorSince
			a := g.newApp(c, application.KindAMBASSADOR, application.StatusAPPROVED, p)
			a.rg, a.reviewer, a.decider = rg, c.managers[0], c.managers[0]
			a.reason = "Selected for community track record, location and likely impact in the region."
			a.answers = schematype.ApplicationAnswers{
				Why:           "To help the groups in the region learn from each other.",
				Participation: fmt.Sprintf("Organizer of the %s group.", p.home.pl.Name),
				Ideas:         "Regular calls between organizers of the region.",
			}
			g.standard(a, "", nil, "", "")
			end := start.Add(-time.Duration(c.pol.ObjectionWindowHours) * time.Hour)
			g.finish(a, end.Add(-time.Duration(g.between(10, 30))*day), end)
		}
	}
	// Refused: people asking for the title before doing the work.
	used := map[*person]bool{}
	for k, gr := range []*grp{g.established(stActive)[2], g.established(stActive)[6]} {
		p := g.plainMember(gr, used)
		a := g.newApp(c, application.KindAMBASSADOR, application.StatusREJECTED, p)
		a.rg, a.reviewer, a.decider = gr.reg, c.managers[k%2], c.managers[k%2]
		a.reason = "The title recognises an existing track record. Start by helping your local and neighbouring groups, then apply again."
		a.answers = schematype.ApplicationAnswers{Why: "I would like the title to represent OpenStack at my company's events."}
		g.standard(a, "", nil, "", "")
		created := g.pastDay(60, 300)
		g.finish(a, created, created.Add(time.Duration(g.between(4, 20))*day))
	}
	// openEuler: ambassadors are per group and capped at ten.
	cs := g.groupNamed(g.oe, "Changsha")
	p := g.plainMember(cs, used)
	a := g.newApp(g.oe, application.KindAMBASSADOR, application.StatusREJECTED, p)
	a.gr, a.reviewer, a.decider = cs, g.oe.managers[1], g.oe.managers[1]
	a.reason = "Changsha already has ten ambassadors, the most the policy allows. The group elects the next term's ambassadors."
	a.answers = schematype.ApplicationAnswers{Why: "I want to promote openEuler at universities in Changsha."}
	g.standard(a, "", nil, "", "")
	created := g.pastDay(30, 120)
	g.finish(a, created, created.Add(5*day))
}

// checklist builds the handover checklist with the first done steps completed.
func checklist(done int, from, to time.Time, by *person) *schematype.HandoverChecklist {
	cl := &schematype.HandoverChecklist{}
	for i, s := range policy.HandoverSteps() {
		item := schematype.ChecklistItem{Key: s.Key, Label: s.Label}
		if i < done {
			t := from.Add(to.Sub(from) * time.Duration(i+1) / time.Duration(done+1)).Truncate(time.Second)
			item.DoneAt = &t
			item.DoneBy = string(by.id)
		}
		cl.Items = append(cl.Items, item)
	}
	return cl
}

func (g *gen) officialApps() {
	c := g.os
	statuses := []application.Status{application.StatusSUBMITTED, application.StatusIN_REVIEW, application.StatusIN_REVIEW,
		application.StatusNEEDS_INFO, application.StatusIN_REVIEW, application.StatusOBJECTION_WINDOW}
	done := []int{0, 1, 3, 1, 2, 4}
	i := 0
	for _, gr := range g.established(stActive) {
		if i == len(statuses) || gr.founded.After(g.daysAgo(200)) || gr.mentor == nil {
			continue
		}
		status := statuses[i]
		a := g.newApp(c, application.KindOFFICIAL_STATUS, status, gr.organizers[0])
		a.gr, a.rg, a.reviewer, a.mentor = gr, gr.reg, gr.mentor, gr.mentor
		created, end := g.openWindow(status)
		a.checklist = checklist(done[i], created, end, gr.mentor)
		g.standard(a, "Mentoring is going well; working through the handover list with the community manager.", c.managers[0],
			"Agree the group meets the requirements.",
			"Could you share the plan for meetings in the next two quarters, and who will host them?")
		g.finish(a, created, end)
		i++
	}
	// Approved: the most recently recognised official groups.
	official := append([]*grp{}, g.established(stOfficial)...)
	slices.SortStableFunc(official, func(a, b *grp) int { return b.officialSince.Compare(a.officialSince) })
	for _, gr := range official[:6] {
		a := g.newApp(c, application.KindOFFICIAL_STATUS, application.StatusAPPROVED, gr.organizers[0])
		mentor := gr.mentor
		a.gr, a.rg, a.reviewer, a.mentor, a.decider = gr, gr.reg, mentor, mentor, c.managers[0]
		a.reason = "Mentoring complete and requirements met. Congratulations on becoming an official user group!"
		end := gr.officialSince.Add(-time.Duration(c.pol.ObjectionWindowHours) * time.Hour)
		created := end.Add(-time.Duration(g.between(20, 60)) * day)
		a.checklist = checklist(len(policy.HandoverSteps()), created, minTime(gr.officialSince.Add(30*day), g.now.Add(-day)), mentor)
		g.standard(a, "", c.managers[0], "Requirements met; happy to recognise this group.", "")
		g.finish(a, created, end)
	}
}

func currencyFor(country string) string {
	if c, ok := currencies[country]; ok {
		return c
	}
	return "USD"
}

func (g *gen) fundingApps() {
	statuses := []application.Status{application.StatusSUBMITTED, application.StatusIN_REVIEW, application.StatusNEEDS_INFO,
		application.StatusSUBMITTED, application.StatusIN_REVIEW, application.StatusSUBMITTED}
	purposes := []string{"Venue rental and video recording for %s", "Catering for %s", "Travel for a visiting speaker at %s"}
	var targets []*evt
	for _, gr := range append(g.established(stOfficial), g.groupNamed(g.oe, "Shanghai")) {
		for _, e := range gr.events {
			if e.status == event.StatusPUBLISHED {
				targets = append(targets, e)
				break
			}
		}
	}
	targets = targets[max(0, len(targets)-len(statuses)):]
	for i, e := range targets {
		gr := e.g
		status := statuses[i]
		a := g.newApp(gr.c, application.KindFUNDING, status, gr.organizers[0])
		a.gr, a.rg = gr, gr.reg
		if gr.c.openEu {
			a.reviewer = gr.c.managers[0]
		} else if gr.mentor != nil {
			a.reviewer = gr.mentor
		} else {
			a.reviewer = gr.c.managers[1]
		}
		a.answers = schematype.ApplicationAnswers{
			AmountCents: int64(g.between(4, 30)) * 5000,
			Currency:    currencyFor(gr.pl.Country),
			Purpose:     fmt.Sprintf(pick(g, purposes), e.title),
			EventID:     string(e.id),
		}
		created, end := g.openWindow(status)
		if created.Before(e.created) {
			created = minTime(e.created.Add(time.Hour), g.now.Add(-3*time.Hour))
			end = maxTime(end, created.Add(time.Hour))
		}
		g.fundingTimeline(a, "Budget looks reasonable; checking what the venue sponsor already covers.",
			"Please attach the venue's quote so we can compare it with last year's costs.")
		g.finish(a, created, end)
	}
	// Decided requests for past events.
	var past []*evt
	for _, gr := range g.established(stOfficial) {
		for _, e := range gr.events {
			if e.status == event.StatusCOMPLETED && e.start.After(g.daysAgo(400)) {
				past = append(past, e)
				break
			}
		}
	}
	outcomes := []application.Status{application.StatusAPPROVED, application.StatusAPPROVED, application.StatusAPPROVED,
		application.StatusREJECTED, application.StatusWITHDRAWN}
	reasons := []string{"Approved; please send receipts after the event.", "Approved for the venue and recording.",
		"Approved; enjoy the hackfest.", "We cannot fund alcohol. Please resubmit for the venue costs only.",
		"Withdrawn: a local sponsor covered the costs."}
	for i, e := range past[:len(outcomes)] {
		gr := e.g
		a := g.newApp(gr.c, application.KindFUNDING, outcomes[i], gr.organizers[0])
		a.gr, a.rg, a.reason = gr, gr.reg, reasons[i]
		a.reviewer = gr.c.managers[i%2]
		a.decider = a.reviewer
		if outcomes[i] == application.StatusWITHDRAWN {
			a.decider = nil
		}
		a.answers = schematype.ApplicationAnswers{
			AmountCents: int64(g.between(4, 30)) * 5000,
			Currency:    currencyFor(gr.pl.Country),
			Purpose:     fmt.Sprintf(purposes[i%len(purposes)], e.title),
			EventID:     string(e.id),
		}
		g.fundingTimeline(a, "", "")
		created := e.created.Add(day)
		end := minTime(e.start.Add(-3*day-time.Duration(gr.c.pol.ObjectionWindowHours)*time.Hour), created.Add(8*day))
		if !end.After(created) {
			end = created.Add(6 * time.Hour)
		}
		g.finish(a, created, end)
		g.fundingAftermath(a, e, i)
	}
}
