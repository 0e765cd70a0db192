package seed

import (
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// buildCommunities creates the two communities, the partner vendors, the
// global admin and each community's staff.
func (g *gen) buildCommunities() {
	g.oe = &comm{id: g.id("com"), name: "openEuler", slug: "openeuler", pol: policy.OpenEuler(), topics: openEulerTopics, openEu: true}
	g.os = &comm{id: g.id("com"), name: "OpenStack", slug: "openstack", pol: policy.OpenStack(), topics: openStackTopics}
	g.oe.ambassadorsList = "ambassadors@lists.openeuler.example"
	g.os.ambassadorsList = "ambassadors@lists.openstack.example"

	oeCreated, osCreated := g.daysAgo(900), g.daysAgo(4000)
	g.b.communities = append(g.b.communities,
		g.db.Community.Create().
			SetID(g.oe.id).
			SetName(g.oe.name).
			SetSlug(g.oe.slug).
			SetDescription("City user groups of the openEuler operating system community. Every group has one "+
				"organizer and up to ten ambassadors who bring local users together, gather their requirements for the "+
				"developers and grow the regional ecosystem. People join through a partner enterprise or as individuals, "+
				"after publishing at least one article on the forum, and stay by contributing every year.").
			SetWebsiteURL("https://www.openeuler.org").
			SetForumURL("https://forum.openeuler.org").
			SetUserGroupPageURL("https://www.openeuler.org/en/community/user-group/").
			SetCodeOfConductURL("https://www.openeuler.org/en/community/conduct/").
			SetAmbassadorsListEmail(g.oe.ambassadorsList).
			SetPolicy(g.oe.pol).
			SetCreatedAt(oeCreated).
			SetUpdatedAt(oeCreated),
		g.db.Community.Create().
			SetID(g.os.id).
			SetName(g.os.name).
			SetSlug(g.os.slug).
			SetDescription("Local OpenStack user groups around the world. Operators, developers and newcomers meet "+
				"in person to learn from each other; meetings stay non-commercial, though sponsors may cover costs. "+
				"Regional ambassadors mentor new groups until they are recognised as official.").
			SetWebsiteURL("https://www.openstack.org").
			SetUserGroupPageURL("https://groups.openstack.org/ambassador-program").
			SetCodeOfConductURL("https://groups.openstack.org/content/openstack-community-code-conduct").
			SetAmbassadorsListEmail(g.os.ambassadorsList).
			SetPolicy(g.os.pol).
			SetCreatedAt(osCreated).
			SetUpdatedAt(osCreated),
	)

	for _, v := range globalVendors {
		o := g.newOrg(v.Name, "", v.Country)
		o.partnerOf = []*comm{g.oe, g.os}
		g.oe.vendors = append(g.oe.vendors, o)
		g.os.vendors = append(g.os.vendors, o)
	}

	// The global administrator.
	g.handles["admin"] = true
	g.admin = &person{id: g.id("usr"), handle: "admin", name: "Demo Administrator", affil: "usergroups operations",
		created: g.daysAgo(4000), bio: "Runs this usergroups installation."}
	g.people = append(g.people, g.admin)
	g.role(roleSpec{p: g.admin, kind: role.KindADMIN, start: g.admin.created})

	staff := []struct {
		c       *comm
		city    string
		country string
		cn      bool
		created int
	}{
		{g.oe, "Beijing", "CN", true, 880}, {g.oe, "Shenzhen", "CN", true, 700},
		{g.os, "Austin", "US", false, 3900}, {g.os, "Berlin", "DE", false, 1500},
	}
	for _, s := range staff {
		p := g.newPerson(s.city, s.country, s.cn, nil, g.daysAgo(s.created))
		p.affil = s.c.name + " community team"
		p.phone = true
		p.bio = fmt.Sprintf("Community manager for the %s user group programme.", s.c.name)
		s.c.managers = append(s.c.managers, p)
		g.role(roleSpec{p: p, kind: role.KindCOMMUNITY_MANAGER, c: s.c, start: p.created.Add(day)})
	}
}

// roleSpec describes one Role row.
type roleSpec struct {
	p       *person
	kind    role.Kind
	c       *comm
	gr      *grp
	rg      *region
	home    *grp
	status  role.Status
	start   time.Time
	termEnd time.Time
	term    int
	ended   time.Time
	reason  string
}

func (g *gen) role(r roleSpec) (pulid.ID, *ent.RoleCreate) {
	if r.status == "" {
		r.status = role.StatusACTIVE
	}
	updated := r.start
	if !r.ended.IsZero() {
		updated = r.ended
	}
	id := g.id("rol")
	b := g.db.Role.Create().
		SetID(id).
		SetUserID(r.p.id).
		SetKind(r.kind).
		SetStatus(r.status).
		SetTermStart(r.start).
		SetCreatedAt(r.start).
		SetUpdatedAt(updated)
	if r.c != nil {
		b.SetCommunityID(r.c.id)
	}
	if r.gr != nil {
		b.SetGroupID(r.gr.id)
	}
	if r.rg != nil {
		b.SetRegionID(r.rg.id)
	}
	if r.home != nil {
		b.SetHomeGroupID(r.home.id)
	}
	if !r.termEnd.IsZero() {
		b.SetTermEnd(r.termEnd)
	}
	if r.term > 1 {
		b.SetTermNumber(r.term)
	}
	if !r.ended.IsZero() {
		b.SetEndedAt(r.ended)
	}
	if r.reason != "" {
		b.SetEndReason(r.reason)
	}
	g.b.roles = append(g.b.roles, b)
	return id, b
}

// newGroup registers a group in the model; its builder is emitted later.
func (g *gen) newGroup(c *comm, pl place, status string) *grp {
	gr := &grp{
		id:        g.id("grp"),
		c:         c,
		pl:        pl,
		slug:      policy.Slugify(pl.Name),
		status:    status,
		memberSet: map[*person]*membership{},
		index:     len(c.groups),
	}
	c.groups = append(c.groups, gr)
	g.groups = append(g.groups, gr)
	return gr
}

// addMember gives p an ACTIVE or ended MEMBER role in gr.
func (g *gen) addMember(gr *grp, p *person, since time.Time, status role.Status, ended time.Time, reason string) *membership {
	m := &membership{p: p, gr: gr, since: since, status: status, ended: ended}
	gr.members = append(gr.members, m)
	gr.memberSet[p] = m
	if p.home == nil {
		p.home = gr
	}
	var b *ent.RoleCreate
	m.role, b = g.role(roleSpec{p: p, kind: role.KindMEMBER, c: gr.c, gr: gr, status: status, start: since, ended: ended, reason: reason})
	if days := gr.c.pol.ObligationWindowDays; days > 0 {
		m.obligStart, m.obligDue = obligationYear(since, ended, g.now, days, status == role.StatusLAPSED)
		b.SetObligationStartedAt(m.obligStart).SetObligationDueAt(m.obligDue)
		if m.status == role.StatusACTIVE && m.obligStart.After(since) {
			b.SetUpdatedAt(m.obligStart) // renewed then
		}
	}
	return m
}

// obligationYear is the obligation year a membership held since since is in
// at now (or was in when it ended): the first one from joining, each next one
// from the previous one's due date, as the obligations job renews them. A
// lapse ends the role just after the due date of the year it ends.
func obligationYear(since, ended, now time.Time, days int, lapsed bool) (start, due time.Time) {
	at := now
	if !ended.IsZero() {
		at = ended
	}
	window := time.Duration(days) * day
	k := int(at.Sub(since) / window)
	if lapsed {
		k--
	}
	start = since.Add(time.Duration(max(0, k)) * window)
	return start, start.Add(window)
}

var leftReasons = []string{
	"Moved to another city.",
	"Left the group at their own request.",
	"Changed jobs and no longer works with the technology.",
}

// buildOpenEuler creates the twelve city groups with their organizer, ten
// ambassadors and members.
func (g *gen) buildOpenEuler() {
	c := g.oe
	for i, pl := range openEulerCities {
		gr := g.newGroup(c, pl, stActive)
		age := 760 + 4*i
		if left, ok := electionGroups[pl.Name]; ok {
			// Younger by a few months, so that the organizer's second term,
			// the first elected one, runs out while its successor is elected.
			age = 2*365 - left
		}
		gr.founded = g.daysAgo(age)
		gr.created = gr.founded.Add(-20 * day)
		gr.changed = gr.founded
		gr.orgs = g.localOrgs(c, pl, 13, 11)

		// Term arithmetic: the community appointed the first term when the
		// group started; the group re-elected its leaders every year since.
		termLen := time.Duration(c.pol.TermLengthDays) * day
		term := int(g.now.Sub(gr.founded)/termLen) + 1
		termStart := gr.founded.Add(time.Duration(term-1) * termLen)
		termEnd := termStart.AddDate(0, 0, c.pol.TermLengthDays) // as the workflow grants a term
		gr.term, gr.termStart, gr.termEnd = term, termStart, termEnd

		for k := 0; k < 11; k++ {
			// Leaders come from eleven different partner enterprises.
			p := g.newPerson(pl.City, pl.Country, true, gr.orgs[k], gr.founded.Add(-time.Duration(g.between(30, 300))*day))
			p.phone = true
			g.describe(p, c)
			if k == 0 {
				p.ship = true
				gr.organizers = append(gr.organizers, p)
				g.role(roleSpec{p: p, kind: role.KindORGANIZER, c: c, gr: gr, start: termStart, termEnd: termEnd, term: term})
			} else {
				gr.ambassadors = append(gr.ambassadors, p)
				g.role(roleSpec{p: p, kind: role.KindAMBASSADOR, c: c, gr: gr, start: termStart, termEnd: termEnd, term: term})
			}
			g.addMember(gr, p, gr.founded.Add(time.Duration(g.between(0, 10))*day), role.StatusACTIVE, time.Time{}, "")
		}

		n := g.between(100, 118)
		for k := 0; k < n; k++ {
			var o *org
			if g.chance(0.68) {
				o = pick(g, gr.orgs)
			}
			since := g.timeIn(gr.founded.Add(7*day), g.now.Add(-12*day))
			p := g.newPerson(pl.City, pl.Country, true, o, since.Add(-time.Duration(g.between(10, 120))*day))
			g.describe(p, c)
			status, ended, reason := role.StatusACTIVE, time.Time{}, ""
			switch r := g.rng.Float64(); {
			case r < 0.09 && since.Before(g.daysAgo(420)):
				// At the end of the first obligation year, when the
				// daily job found nothing verified in it.
				status = role.StatusLAPSED
				due := since.Add(time.Duration(c.pol.ObligationWindowDays) * day)
				ended = due.Add(time.Duration(g.between(1, 14)) * time.Minute)
				reason = lapseReason(since, due)
			case r >= 0.09 && r < 0.14:
				status = role.StatusLEFT
				ended = g.timeIn(since.Add(30*day), g.now.Add(-3*day))
				reason = pick(g, leftReasons)
			case r >= 0.14 && r < 0.15:
				status = role.StatusREMOVED
				ended = g.timeIn(since.Add(20*day), g.now.Add(-3*day))
				reason = "Removed by the organizer after repeated advertising in the group chat."
			}
			if k%9 == 4 && !demoPerson[p.handle] {
				p.name = hanziName(p.name) // some write their names in Chinese characters
			}
			g.addMember(gr, p, since, status, ended, reason)
		}
	}
}

// buildOpenStack creates the regions and the established groups with their
// organizers and members, then appoints regional ambassadors and mentors.
func (g *gen) buildOpenStack() {
	c := g.os
	for _, rs := range openStackRegions {
		rg := &region{id: g.id("reg"), spec: rs}
		c.regions = append(c.regions, rg)
		created := g.daysAgo(3900)
		g.b.regions = append(g.b.regions, g.db.Region.Create().
			SetID(rg.id).
			SetCommunityID(c.id).
			SetName(rs.Name).
			SetSlug(rs.Key).
			SetCountries(rs.Countries).
			SetDescription(rs.Description).
			SetCreatedAt(created).
			SetUpdatedAt(created))
	}

	for _, pl := range openStackGroups {
		gr := g.newGroup(c, pl, pl.Status)
		gr.reg = g.regionFor(pl.Region)
		end := g.now.Add(-5 * day)
		var organizers, members int
		switch pl.Status {
		case stOfficial:
			gr.founded = g.daysAgo(g.between(1400, 3300))
			// Recognised at some point in the last few years, after at least
			// half a year of mentoring.
			gr.officialSince = maxTime(g.daysAgo(g.between(60, 1100)), gr.founded.Add(time.Duration(g.between(200, 400))*day))
			gr.changed = gr.officialSince
			organizers, members = g.between(2, 3), g.between(45, 68)
		case stActive:
			gr.founded = g.daysAgo(g.between(100, 700))
			gr.changed = gr.founded
			organizers, members = g.between(1, 2), g.between(20, 40)
		case stDormant:
			gr.founded = g.daysAgo(g.between(1500, 2600))
			gr.changed = g.daysAgo(g.between(20, 50))
			organizers, members = 1, g.between(12, 20)
		case stArchived:
			gr.founded = g.daysAgo(g.between(3000, 3600))
			gr.changed = g.daysAgo(g.between(500, 900))
			end = gr.changed.Add(-30 * day)
			organizers, members = 1, g.between(8, 12)
		}
		gr.created = gr.founded.Add(-time.Duration(g.between(5, 25)) * day)
		gr.orgs = g.localOrgs(c, pl, 3, 1+g.intn(2))

		newMember := func(since time.Time) *person {
			var o *org
			switch r := g.rng.Float64(); {
			case r < 0.6:
				o = pick(g, gr.orgs)
			case r < 0.7:
				o = pick(g, c.vendors)
			}
			p := g.newPerson(pl.City, pl.Country, false, o, since.Add(-time.Duration(g.between(1, 60))*day))
			g.describe(p, c)
			return p
		}
		for k := 0; k < organizers; k++ {
			since := gr.founded
			if k > 0 {
				since = g.timeIn(gr.founded.Add(30*day), end)
			}
			p := newMember(since)
			p.phone = true
			p.ship = pl.Status == stOfficial
			gr.organizers = append(gr.organizers, p)
			if pl.Status == stArchived {
				g.role(roleSpec{p: p, kind: role.KindORGANIZER, c: c, gr: gr, status: role.StatusLEFT, start: since,
					ended: gr.changed, reason: "The group was archived."})
				g.addMember(gr, p, since, role.StatusLEFT, gr.changed, "The group was archived.")
				continue
			}
			g.role(roleSpec{p: p, kind: role.KindORGANIZER, c: c, gr: gr, start: since})
			g.addMember(gr, p, since, role.StatusACTIVE, time.Time{}, "")
		}
		for k := 0; k < members; k++ {
			since := g.timeIn(gr.founded.Add(day), end)
			p := newMember(since)
			switch {
			case pl.Status == stArchived:
				g.addMember(gr, p, since, role.StatusLEFT, gr.changed, "The group was archived.")
			case g.chance(0.1):
				g.addMember(gr, p, since, role.StatusLEFT, g.timeIn(since.Add(20*day), g.now.Add(-2*day)), pick(g, leftReasons))
			default:
				g.addMember(gr, p, since, role.StatusACTIVE, time.Time{}, "")
			}
		}
	}
	g.appointAmbassadors()
}

func (g *gen) regionFor(key string) *region {
	for _, rg := range g.os.regions {
		if rg.spec.Key == key {
			return rg
		}
	}
	panic("seed: unknown region " + key)
}

// appointAmbassadors picks each region's ambassadors among the organizers of
// its official groups (a proven track record), assigns mentors, and records
// one ambassador who stepped down.
func (g *gen) appointAmbassadors() {
	c := g.os
	for _, rg := range c.regions {
		var official, active []*grp
		for _, gr := range c.groups {
			if gr.reg != rg {
				continue
			}
			switch gr.status {
			case stOfficial:
				official = append(official, gr)
			case stActive:
				active = append(active, gr)
			}
		}
		// Spread the picks: every other official group first, then the rest.
		var cands []*grp
		for i := 0; i < len(official); i += 2 {
			cands = append(cands, official[i])
		}
		for i := 1; i < len(official); i += 2 {
			cands = append(cands, official[i])
		}
		cands = append(cands, active...)
		for k := 0; k < rg.spec.Ambassadors && k < len(cands); k++ {
			home := cands[k]
			p := home.organizers[0]
			start := g.timeIn(home.founded.Add(60*day), home.founded.Add(600*day))
			start = minTime(start, g.daysAgo(g.between(150, 400)))
			rg.ambassadors = append(rg.ambassadors, p)
			p.ambassadorSince = start
			g.role(roleSpec{p: p, kind: role.KindAMBASSADOR, c: c, rg: rg, home: home, start: start})
		}
		if rg.spec.Key == "europe" && len(cands) > rg.spec.Ambassadors {
			home := cands[rg.spec.Ambassadors]
			p := home.organizers[0]
			g.role(roleSpec{p: p, kind: role.KindAMBASSADOR, c: c, rg: rg, home: home, status: role.StatusEMERITUS,
				start: g.daysAgo(2900), ended: g.daysAgo(g.between(300, 600)),
				reason: "Stepped down after many years as an ambassador; still helps the " + home.pl.Name + " group."})
		}
	}
	// Mentors: ambassadors of the region, taking turns, never for their own home group when avoidable.
	turn := 0
	for _, gr := range c.groups {
		if gr.status != stActive && gr.status != stOfficial && gr.status != stDormant {
			continue
		}
		ambs := gr.reg.ambassadors
		if len(ambs) == 0 {
			continue
		}
		m := ambs[turn%len(ambs)]
		if m.home == gr && len(ambs) > 1 {
			m = ambs[(turn+1)%len(ambs)]
		}
		turn++
		gr.mentor = m
	}
}

// emitGroups turns every group into a builder.
func (g *gen) emitGroups() {
	for _, gr := range g.groups {
		changed := maxTime(gr.created, gr.changed)
		b := g.db.Group.Create().
			SetID(gr.id).
			SetCommunityID(gr.c.id).
			SetName(gr.pl.Name).
			SetSlug(gr.slug).
			SetCity(gr.pl.City).
			SetCountry(gr.pl.Country).
			SetLatitude(gr.pl.Lat).
			SetLongitude(gr.pl.Lon).
			SetStatus(group.Status(gr.status)).
			SetCreatedAt(gr.created).
			SetUpdatedAt(changed)
		if gr.c.openEu {
			b.SetDescription(fmt.Sprintf("The openEuler user group for %s. Local users meet to share experience, "+
				"collect requirements for the developers and help newcomers get started.", gr.pl.City))
		} else {
			b.SetDescription(fmt.Sprintf("Operators, developers and users of OpenStack in and around %s. "+
				"We meet every few months for talks, demos and conversation.", gr.pl.City))
		}
		if gr.reg != nil {
			b.SetRegionID(gr.reg.id)
		}
		if gr.mentor != nil {
			b.SetMentorID(gr.mentor.id)
		}
		if !gr.officialSince.IsZero() {
			b.SetOfficialSince(gr.officialSince)
			b.SetLogoURL(fmt.Sprintf("https://logos.example.org/%s/%s.svg", gr.c.slug, gr.slug))
		}
		if gr.status != stRejected && gr.status != stWithdrawn {
			b.SetMeetupURL(fmt.Sprintf("https://meetup.example.com/%s-%s", gr.c.slug, gr.slug))
		}
		if gr.status == stActive || gr.status == stOfficial {
			b.SetChatURL(fmt.Sprintf("https://chat.example.net/%s/%s", gr.c.slug, gr.slug))
			if gr.index%3 == 0 {
				b.SetWebsiteURL(fmt.Sprintf("https://%s.%s.groups.example.org", gr.slug, gr.c.slug))
			}
		}
		g.b.groups = append(g.b.groups, b)
	}
}
