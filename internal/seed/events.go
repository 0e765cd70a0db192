package seed

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent/agendaitem"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/policy"
)

var cancelReasons = []string{
	"The venue cancelled our booking at short notice; we will announce a new date soon.",
	"Both speakers fell ill this week. The talks move to the next meeting.",
	"Postponed because of a severe weather warning for the evening.",
	"Merged into the larger regional event held the same week.",
}

// schedule returns the day offsets (negative for past) of a group's events.
func (g *gen) schedule(gr *grp) []int {
	age := int(g.now.Sub(gr.founded) / day)
	var offs []int
	switch {
	case gr.c.openEu:
		step := (age - 40) / 10
		for k := 0; k < 10; k++ {
			offs = append(offs, -(15 + k*step + g.intn(step/3+1)))
		}
		offs = append(offs, g.between(3, 30), g.between(35, 80))
	case gr.status == stOfficial:
		for k := 0; k < 7; k++ {
			offs = append(offs, -(12 + k*95 + g.intn(40)))
		}
		offs = append(offs, g.between(4, 35), g.between(40, 90))
	case gr.status == stActive:
		n := min(5, max(1, (age-20)/60))
		for k := 0; k < n; k++ {
			offs = append(offs, -(10 + k*60 + g.intn(25)))
		}
		offs = append(offs, g.between(5, 60))
	case gr.status == stDormant:
		since := int(g.now.Sub(gr.changed) / day)
		for k := 0; k < 3; k++ {
			offs = append(offs, -(since + 370 + k*110 + g.intn(40)))
		}
	case gr.status == stArchived:
		since := int(g.now.Sub(gr.changed) / day)
		for k := 0; k < 3; k++ {
			offs = append(offs, -(since + 400 + k*120 + g.intn(40)))
		}
	}
	slices.Sort(offs)
	return offs
}

type kindWeight struct {
	kind   event.Kind
	weight int
}

var openEulerKinds = []kindWeight{
	{event.KindMEETUP, 35}, {event.KindCLOSED_DOOR, 20}, {event.KindWORKSHOP, 15}, {event.KindTRAINING, 15},
	{event.KindSOCIAL, 5}, {event.KindSUMMIT, 5}, {event.KindHACKFEST, 5},
}

var openStackKinds = []kindWeight{
	{event.KindMEETUP, 55}, {event.KindWORKSHOP, 10}, {event.KindHACKFEST, 10}, {event.KindSOCIAL, 10},
	{event.KindTRAINING, 5}, {event.KindCLOSED_DOOR, 3}, {event.KindSUMMIT, 7},
}

func (g *gen) eventKind(c *comm) event.Kind {
	ks := openStackKinds
	if c.openEu {
		ks = openEulerKinds
	}
	r := g.intn(100)
	for _, k := range ks {
		if r < k.weight {
			return k.kind
		}
		r -= k.weight
	}
	return event.KindMEETUP
}

// label is how event titles name the group: "openEuler Wuhan", "OpenStack Bay Area".
func label(gr *grp) string {
	if gr.c.openEu {
		return "openEuler " + gr.pl.City
	}
	n, err := policy.ParseGroupName(gr.pl.Name)
	if err != nil {
		return "OpenStack " + gr.pl.City
	}
	return "OpenStack " + n.Place
}

// buildEvents plans every group's events with agendas, sponsors and registrations.
func (g *gen) buildEvents() {
	// Members of each country's groups, for guests at public OpenStack events.
	byCountry := map[string][]*person{}
	for _, gr := range g.os.groups {
		for _, m := range gr.members {
			if m.status == "ACTIVE" {
				byCountry[gr.pl.Country] = append(byCountry[gr.pl.Country], m.p)
			}
		}
	}
	for gi, gr := range g.groups {
		loc, err := time.LoadLocation(gr.pl.TZ)
		if err != nil {
			panic(err)
		}
		g.reseed(100, uint64(gi+1))
		offs := g.schedule(gr)
		past, upcoming := 0, 0
		for _, off := range offs {
			// Each event draws from its own stream: its roster, which
			// depends on dates, must not shift the other events.
			g.reseed(101, uint64(len(g.events)+1))
			e := &evt{id: g.id("evt"), g: gr, kind: g.eventKind(gr.c)}
			if off < 0 {
				e.status = event.StatusCOMPLETED
				if g.chance(0.04) || (gr.pl.Name == "Paris, France" && past == 4) {
					e.status = event.StatusCANCELLED
				}
				past++
			} else {
				e.status = event.StatusPUBLISHED
				switch {
				case gr.pl.Name == "London {Stackers}" && upcoming == 0, g.chance(0.04):
					e.status = event.StatusCANCELLED
				case gr.pl.Name == "Beijing" && upcoming == 1, upcoming > 0 && g.chance(0.15):
					e.status = event.StatusDRAFT
				}
				upcoming++
			}
			e.vis = event.VisibilityPUBLIC
			if e.kind == event.KindCLOSED_DOOR || g.chance(0.06) {
				e.vis = event.VisibilityMEMBERS_ONLY
			}
			g.placeEvent(e, off, loc)
			g.buildEvent(e, loc, byCountry[gr.pl.Country])
			gr.events = append(gr.events, e)
			g.events = append(g.events, e)
		}
	}
}

// placeEvent sets the event's start from a day offset, on a sensible weekday
// and local hour for its kind.
func (g *gen) placeEvent(e *evt, off int, loc *time.Location) {
	local := g.now.In(loc).AddDate(0, 0, off)
	wd := time.Saturday
	hour, minute := 14, 0
	switch e.kind {
	case event.KindMEETUP:
		if !e.g.c.openEu {
			wd = time.Weekday(2 + e.g.index%3)
			hour, minute = 18, 30
		}
	case event.KindWORKSHOP, event.KindHACKFEST:
		hour = 10
	case event.KindTRAINING:
		hour, minute = 9, 30
	case event.KindSOCIAL:
		wd, hour = time.Friday, 19
	case event.KindSUMMIT:
		hour = 9
	}
	for local.Weekday() != wd {
		local = local.AddDate(0, 0, 1)
	}
	e.start = time.Date(local.Year(), local.Month(), local.Day(), hour, minute, 0, 0, loc).UTC()
	lead, fallback := g.between(21, 45), g.between(1, 10)
	e.created = e.start.Add(-time.Duration(lead) * day)
	if e.created.After(g.now.Add(-day)) {
		e.created = g.now.Add(-time.Duration(fallback) * day)
	}
}

// slot is one planned agenda item.
type slot struct {
	kind    agendaitem.Kind
	title   string
	minutes int
	speaker *person
	guest   string
	desc    string
	track   string
}

// buildEvent writes the event, its sponsors, agenda and registrations.
func (g *gen) buildEvent(e *evt, loc *time.Location, guests []*person) {
	gr := e.g
	c := gr.c
	topics := sample(g, c.topics, 7)
	year := e.start.In(loc).Year()
	lb := label(gr)
	switch e.kind {
	case event.KindMEETUP:
		e.title = fmt.Sprintf("%s meetup: %s", lb, topics[0])
	case event.KindWORKSHOP:
		e.title = "Hands-on workshop: " + topics[0]
	case event.KindTRAINING:
		e.title = fmt.Sprintf("%s training day: %s", lb, topics[0])
	case event.KindHACKFEST:
		e.title = lb + " hackfest"
	case event.KindSOCIAL:
		e.title = lb + " social evening"
	case event.KindCLOSED_DOOR:
		e.title = fmt.Sprintf("%s closed-door session: %s", lb, topics[0])
	case event.KindSUMMIT:
		e.title = fmt.Sprintf("%s user day %d", lb, year)
	}

	// Speakers come from the roster as it stood at the event.
	var roster []*person
	for _, m := range gr.members {
		if m.activeAt(e.start) {
			roster = append(roster, m.p)
		}
	}
	host := gr.organizers[0]
	// Speakers draw from their own stream: the roster, and so how much they
	// draw, depends on dates.
	idx := uint64(len(g.events) + 1)
	spk := stream(102, idx)
	speaker := func() (*person, string) {
		guest := guestSpeakers[spk.IntN(len(guestSpeakers))]
		if len(roster) == 0 || spk.Float64() < 0.2 {
			return nil, guest
		}
		return roster[spk.IntN(len(roster))], ""
	}

	// Sponsors first: a pitch slot depends on them.
	candidates := append(append([]*org{}, gr.orgs...), c.vendors...)
	nSponsors := 0
	switch r := g.rng.Float64(); {
	case r < 0.45:
		nSponsors = 1
	case r < 0.65:
		nSponsors = 2
	}
	pitchCap := c.pol.MaxSponsorPitchMinutes
	if pitchCap == 0 {
		pitchCap = 10
	}
	var pitchBy *org
	pitch := 0
	for j, o := range sample(g, candidates, nSponsors) {
		minutes := 0
		if j == 0 && (e.kind == event.KindMEETUP || e.kind == event.KindSUMMIT) && g.chance(0.5) {
			minutes = min(pitchCap, 5*g.between(1, 2))
			pitchBy, pitch = o, minutes
		}
		g.b.sponsors = append(g.b.sponsors, g.db.Sponsor.Create().
			SetID(g.id("spn")).
			SetEventID(e.id).
			SetName(o.name).
			SetWebsiteURL("https://"+o.slug+".example.com").
			SetLogoURL("https://logos.example.com/"+o.slug+".png").
			SetCovers(pick(g, sponsorCovers)).
			SetPitchMinutes(minutes).
			SetCreatedAt(e.created).
			SetUpdatedAt(e.created))
	}

	talk := func(topic string, minutes int) slot {
		sp, guest := speaker()
		who := guest
		if sp != nil {
			who = sp.name
		}
		return slot{kind: agendaitem.KindTALK, title: topic, minutes: minutes, speaker: sp, guest: guest,
			desc: fmt.Sprintf("%s shares what worked, what did not, and what they would do differently.", who)}
	}
	pitchSlot := func() []slot {
		if pitchBy == nil {
			return nil
		}
		return []slot{{kind: agendaitem.KindSPONSOR_PITCH, title: "A word from our sponsor, " + pitchBy.name, minutes: pitch,
			guest: "Representative of " + pitchBy.name}}
	}
	var slots, second []slot
	switch e.kind {
	case event.KindMEETUP:
		slots = append(slots, slot{kind: agendaitem.KindTALK, title: "Welcome and group news", minutes: 10, speaker: host})
		slots = append(slots, talk(topics[1], 35), slot{kind: agendaitem.KindBREAK, title: "Break and networking", minutes: 15})
		slots = append(slots, pitchSlot()...)
		slots = append(slots, talk(topics[2], 30))
		if g.chance(0.5) {
			sp, guest := speaker()
			slots = append(slots, slot{kind: agendaitem.KindPANEL, title: "Open questions and lightning demos", minutes: 20, speaker: sp, guest: guest})
		}
	case event.KindWORKSHOP, event.KindTRAINING:
		sp, guest := speaker()
		slots = []slot{
			{kind: agendaitem.KindTALK, title: "Introductions and setup check", minutes: 15, speaker: host},
			{kind: agendaitem.KindWORKSHOP, title: topics[0] + ": concepts", minutes: 90, speaker: sp, guest: guest,
				desc: "Bring a laptop; lab machines are provided."},
			{kind: agendaitem.KindBREAK, title: "Lunch", minutes: 45},
			{kind: agendaitem.KindWORKSHOP, title: topics[0] + ": exercises", minutes: 90, speaker: sp, guest: guest},
		}
	case event.KindHACKFEST:
		slots = []slot{
			{kind: agendaitem.KindTALK, title: "Kick-off and choosing projects", minutes: 20, speaker: host},
			{kind: agendaitem.KindWORKSHOP, title: "Hacking time", minutes: 180, desc: "Work in small teams; mentors walk around."},
			{kind: agendaitem.KindBREAK, title: "Food break", minutes: 30},
			{kind: agendaitem.KindTALK, title: "Demos of what we built", minutes: 40, speaker: host},
		}
	case event.KindSOCIAL:
		sp, guest := speaker()
		slots = []slot{
			{kind: agendaitem.KindBREAK, title: "Drinks and conversation", minutes: 90},
			{kind: agendaitem.KindTALK, title: "Lightning talks", minutes: 25, speaker: sp, guest: guest},
		}
	case event.KindCLOSED_DOOR:
		sp, guest := speaker()
		slots = []slot{
			{kind: agendaitem.KindTALK, title: "Welcome", minutes: 10, speaker: host},
			{kind: agendaitem.KindPANEL, title: "Roundtable: " + topics[0], minutes: 60, speaker: sp, guest: guest},
			{kind: agendaitem.KindTALK, title: "Collecting requirements for the developers", minutes: 30, speaker: host},
			{kind: agendaitem.KindBREAK, title: "Tea break", minutes: 20},
		}
	case event.KindSUMMIT:
		slots = append(slots, slot{kind: agendaitem.KindTALK, title: "Keynote: the year in our community", minutes: 30, speaker: host})
		slots = append(slots, talk(topics[1], 30), talk(topics[2], 30), slot{kind: agendaitem.KindBREAK, title: "Lunch", minutes: 60})
		slots = append(slots, pitchSlot()...)
		slots = append(slots, talk(topics[3], 30))
		sp, guest := speaker()
		slots = append(slots, slot{kind: agendaitem.KindPANEL, title: "Panel: users and developers", minutes: 45, speaker: sp, guest: guest})
		for _, t := range topics[4:7] {
			s := talk(t, 30)
			s.track = "operators"
			second = append(second, s)
		}
	}

	// Lay the slots out back to back; a second track runs beside the main one
	// after the first slot.
	at := e.start
	var secondAt time.Time
	for i, s := range slots {
		g.agendaItem(e, s, at)
		at = at.Add(time.Duration(s.minutes) * time.Minute)
		if i == 0 {
			secondAt = at
		}
	}
	end := at
	for _, s := range second {
		g.agendaItem(e, s, secondAt)
		secondAt = secondAt.Add(time.Duration(s.minutes) * time.Minute)
	}
	e.end = maxTime(end, secondAt)
	for _, s := range append(slots, second...) {
		if s.speaker != nil && s.kind != agendaitem.KindBREAK {
			e.speakers = append(e.speakers, s.speaker)
		}
	}

	// Capacity and the event row.
	switch {
	case e.kind == event.KindCLOSED_DOOR:
		e.capacity = g.between(20, 30)
	case e.kind == event.KindSUMMIT:
		e.capacity = g.between(150, 300)
	case e.kind == event.KindSOCIAL && g.chance(0.5):
	case g.chance(0.88):
		if c.openEu {
			e.capacity = 5 * g.between(6, 16)
		} else {
			e.capacity = 5 * g.between(5, 14)
		}
	}
	ev := g.db.Event.Create().
		SetID(e.id).
		SetGroupID(gr.id).
		SetKind(e.kind).
		SetTitle(e.title).
		SetDescription(g.eventDescription(e)).
		SetStartsAt(e.start).
		SetEndsAt(e.end).
		SetTimeZone(gr.pl.TZ).
		SetVisibility(e.vis).
		SetStatus(e.status).
		SetCreatedAt(e.created)
	if e.capacity > 0 {
		ev.SetCapacity(e.capacity)
	}
	if e.kind != event.KindSOCIAL || g.chance(0.5) {
		host := pick(g, gr.orgs)
		switch g.intn(4) {
		case 0:
			ev.SetVenueName(host.name + " office")
		case 1:
			ev.SetVenueName(gr.pl.City + " Innovation Hub")
		case 2:
			ev.SetVenueName("Community room, " + gr.pl.City + " Central Library")
		default:
			ev.SetVenueName(fmt.Sprintf("%s Tech Park, building %d", gr.pl.City, g.between(1, 9)))
		}
		ev.SetVenueAddress(fmt.Sprintf("%d %s Road, %s", g.between(1, 250), pick(g, streets), gr.pl.City))
		ev.SetLatitude(gr.pl.Lat + (g.rng.Float64()-0.5)*0.06)
		ev.SetLongitude(gr.pl.Lon + (g.rng.Float64()-0.5)*0.06)
	} else {
		ev.SetVenueName("A bar near the city centre, announced to registered attendees")
	}
	if g.chance(0.2) && e.kind != event.KindSOCIAL && e.kind != event.KindCLOSED_DOOR {
		ev.SetOnlineURL(fmt.Sprintf("https://meet.example.com/%s-%s-%d", c.slug, gr.slug, len(gr.events)+1))
	}
	updated := e.created
	if e.status == event.StatusCANCELLED {
		reason := pick(g, cancelReasons)
		ev.SetCancelReason(reason)
		updated = g.timeIn(e.created, minTime(e.start, g.now))
	} else if e.status == event.StatusCOMPLETED {
		updated = e.end.Add(time.Duration(g.between(2, 48)) * time.Hour)
	}
	ev.SetUpdatedAt(updated)
	g.b.events = append(g.b.events, ev)

	g.reseed(103, idx)
	g.registrations(e, roster, guests, updated)
	g.reseed(104, idx)
	g.eventContributions(e)
}

func (g *gen) agendaItem(e *evt, s slot, at time.Time) {
	b := g.db.AgendaItem.Create().
		SetID(g.id("agi")).
		SetEventID(e.id).
		SetKind(s.kind).
		SetTitle(s.title).
		SetStartsAt(at).
		SetDurationMinutes(s.minutes).
		SetCreatedAt(e.created).
		SetUpdatedAt(e.created)
	if s.speaker != nil {
		b.SetSpeakerID(s.speaker.id)
	} else if s.guest != "" {
		b.SetSpeakerName(s.guest)
	}
	if s.desc != "" {
		b.SetDescription(s.desc)
	}
	if s.track != "" {
		b.SetTrack(s.track)
	}
	g.b.agenda = append(g.b.agenda, b)
}

func (g *gen) eventDescription(e *evt) string {
	var b strings.Builder
	switch e.kind {
	case event.KindMEETUP:
		b.WriteString("Our regular meetup: two talks, time to talk shop, and snacks in between.")
	case event.KindWORKSHOP, event.KindTRAINING:
		b.WriteString("A hands-on session in small groups. Seats are limited so everyone gets help from the trainers.")
	case event.KindHACKFEST:
		b.WriteString("A day of hacking together on bugs, docs and small features. Newcomers are paired with experienced contributors.")
	case event.KindSOCIAL:
		b.WriteString("No slides, just people: come and meet the group.")
	case event.KindCLOSED_DOOR:
		b.WriteString("A members-only roundtable. What we hear goes to the developers as feedback; nothing is recorded.")
	case event.KindSUMMIT:
		b.WriteString("Our yearly user day with two tracks, a panel and plenty of hallway time.")
	}
	b.WriteString("\n\nPlease register so we can plan seats and food, and cancel if you cannot come. ")
	b.WriteString("Registration details are only used to run this event.")
	return b.String()
}

// checkInCode returns a unique, deterministic check-in code.
func (g *gen) checkInCode(n int) string {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n))
	for salt := byte(0); ; salt++ {
		h := sha256.Sum256(append([]byte("usergroups-demo/checkin/"), append(buf[:], salt)...))
		var sb strings.Builder
		for _, c := range h[:10] {
			sb.WriteByte(crockford[c&31])
		}
		code := sb.String()
		if !g.codes[code] {
			g.codes[code] = true
			return code
		}
	}
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// registrations creates the event's RSVPs, respecting capacity: seats go to
// the earliest registrants, the rest wait; past events record who came.
func (g *gen) registrations(e *evt, roster, guests []*person, cancelledAt time.Time) {
	if e.status == event.StatusDRAFT {
		return
	}
	pool := append([]*person{}, roster...)
	if e.vis == event.VisibilityPUBLIC && !e.g.c.openEu {
		seen := map[*person]bool{}
		for _, p := range pool {
			seen[p] = true
		}
		for _, p := range sample(g, guests, 8) {
			if !seen[p] {
				pool = append(pool, p)
				seen[p] = true
			}
		}
	}
	past := e.start.Before(g.now)
	target := e.capacity
	if target == 0 {
		target = len(pool) * 2 / 3
	}
	var n int
	switch {
	case e.capacity > 0 && g.chance(0.1):
		n = target * g.between(105, 125) / 100 // popular: some wait for a seat
	case past:
		n = target * g.between(38, 68) / 100
	default:
		n = target * g.between(16, 63) / 100
	}
	if e.kind == event.KindSUMMIT {
		n = len(pool) * 3 / 4
	}
	chosen := sample(g, pool, n)
	open := e.created
	closeAt := minTime(e.start.Add(-time.Hour), g.now.Add(-time.Hour))
	if e.status == event.StatusCANCELLED {
		closeAt = minTime(closeAt, cancelledAt)
	}
	times := make([]time.Time, len(chosen))
	for i := range times {
		times[i] = g.timeIn(open, closeAt)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	seated := 0
	for i, p := range chosen {
		at := times[i]
		rid := g.id("rsv")
		b := g.db.Registration.Create().
			SetID(rid).
			SetEventID(e.id).
			SetUserID(p.id).
			SetCheckInCode(g.checkInCode(int(g.seq["rsv"]))).
			SetCreatedAt(at).
			SetQueuedAt(at)
		updated := at
		var st registration.Status
		switch {
		case e.status == event.StatusCANCELLED:
			st = registration.StatusCANCELLED
			updated = maxTime(at, cancelledAt)
			b.SetCancelledAt(updated)
		case g.chance(0.07):
			st = registration.StatusCANCELLED
			updated = g.timeIn(at, minTime(e.start, g.now))
			b.SetCancelledAt(updated)
		case e.capacity > 0 && seated >= e.capacity:
			st = registration.StatusWAITLISTED
		default:
			seated++
			st = registration.StatusGOING
			if past {
				if g.chance(0.82) {
					st = registration.StatusATTENDED
					updated = e.start.Add(time.Duration(g.between(-20, 40)) * time.Minute)
					b.SetCheckedInAt(updated)
					g.checkedIn(rid, e, p, updated)
				} else {
					st = registration.StatusNO_SHOW
					updated = e.end.Add(time.Hour)
				}
			}
		}
		b.SetStatus(st).SetUpdatedAt(updated)
		g.b.registrations = append(g.b.registrations, b)
	}
}

// eventContributions credits speakers of completed events with talks and, in
// openEuler, an ambassador with event help.
func (g *gen) eventContributions(e *evt) {
	if e.status != event.StatusCOMPLETED {
		return
	}
	gr := e.g
	verifier := gr.organizers[0]
	seen := map[*person]bool{}
	for _, p := range e.speakers {
		if seen[p] {
			continue
		}
		seen[p] = true
		if m := gr.memberSet[p]; m != nil && m.status == role.StatusLAPSED && !e.start.Before(m.obligStart) && e.start.Before(m.obligDue) {
			continue // never recorded it: the membership lapsed at the end of that year
		}
		v := verifier
		if v == p {
			v = g.otherLeader(gr, p)
		}
		g.contribution(gr.c, p, gr, contribution.KindTALK, "Talk at "+e.title, "", e.start, v, e.end.Add(time.Duration(g.between(1, 7))*day))
	}
	if gr.c.openEu && len(gr.ambassadors) > 0 {
		a := pick(g, gr.ambassadors)
		g.contribution(gr.c, a, gr, contribution.KindEVENT_HELP, "Helped run "+e.title, "", e.start, verifier, e.end.Add(2*day))
	}
}

// otherLeader returns a leader of gr other than p, for verifying p's work.
func (g *gen) otherLeader(gr *grp, p *person) *person {
	for _, l := range append(append([]*person{}, gr.organizers...), gr.ambassadors...) {
		if l != p {
			return l
		}
	}
	if gr.mentor != nil && gr.mentor != p {
		return gr.mentor
	}
	if len(gr.c.managers) > 0 {
		return gr.c.managers[0]
	}
	return nil
}
