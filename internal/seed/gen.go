package seed

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// idEpoch is the time encoded in every demo id. Ids do not depend on
// Options.Now, so links into the demo data stay valid whenever it is loaded.
var idEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// gen builds the demo data set in memory, as ent create builders plus a small
// model used to keep relationships consistent. It lives for one Demo call.
type gen struct {
	db  *ent.Client // the transaction's client; only builds rows
	now time.Time
	rng *rand.Rand
	seq map[string]uint64

	handles  map[string]bool
	orgNames map[string]bool
	codes    map[string]bool

	admin     *person
	oe, os    *comm
	people    []*person
	orgs      []*org
	groups    []*grp
	events    []*evt
	apps      []*app
	elections []*elc

	// The year last decided in the yearly awards.
	awardYear int

	// The member's year (year.go): verified openEuler contributions per
	// member and group, check-ins, and the rows written after people.
	verified    map[credit][]ledgerEntry
	checkins    []checkin
	lastCheckIn map[*person]time.Time
	users       map[*person]*ent.UserCreate
	lastYear    *selection
	awardsMade  []*awardRec
	referred    map[*membership]bool // members who joined with an invite
	risky       map[*membership]bool // members left at risk

	b builders
}

// builders holds every row to insert, per entity, in creation order.
type builders struct {
	communities   []*ent.CommunityCreate
	organizations []*ent.OrganizationCreate
	users         []*ent.UserCreate
	contacts      []*ent.ContactCreate
	shipping      []*ent.ShippingAddressCreate
	regions       []*ent.RegionCreate
	groups        []*ent.GroupCreate
	roles         []*ent.RoleCreate
	events        []*ent.EventCreate
	agenda        []*ent.AgendaItemCreate
	sponsors      []*ent.SponsorCreate
	registrations []*ent.RegistrationCreate
	applications  []*ent.ApplicationCreate
	reviews       []*ent.ReviewCreate
	elections     []*ent.ElectionCreate
	candidates    []*ent.CandidateCreate
	voters        []*ent.VoterCreate
	contributions []*ent.ContributionCreate
	awards        []*ent.AwardCreate
	submissions   []*ent.SubmissionCreate
	reports       []*ent.ReportCreate
	messages      []*ent.MessageCreate
	selections    []*ent.AwardSelectionCreate
	nominations   []*ent.AwardNominationCreate
	certificates  []*ent.CertificateCreate
	shipments     []*ent.ShipmentCreate

	activityRequests []*ent.ActivityRequestCreate
	// Reports' replies and relayed contact (reports.go).
	reportReplies   []*ent.ReportReplyCreate
	contactThreads  []*ent.ContactThreadCreate
	contactMessages []*ent.ContactMessageCreate
	// Issue 19's translation help and global efforts (funding.go).
	translations   []*ent.TranslationRequestCreate
	efforts        []*ent.GlobalEffortCreate
	participations []*ent.GlobalEffortParticipationCreate
}

// comm is a community in the model.
type comm struct {
	id       pulid.ID
	name     string
	slug     string
	pol      policy.Policy
	managers []*person
	groups   []*grp
	regions  []*region
	topics   []string
	openEu   bool
	vendors  []*org

	ambassadorsList string // the ambassadors' mailing list
}

type org struct {
	id        pulid.ID
	name      string
	slug      string
	country   string
	city      string
	partnerOf []*comm
}

func (o *org) partner(c *comm) bool {
	for _, p := range o.partnerOf {
		if p == c {
			return true
		}
	}
	return false
}

type person struct {
	id      pulid.ID
	handle  string
	name    string
	org     *org
	affil   string
	city    string
	country string
	created time.Time
	phone   bool
	ship    bool
	bio     string
	home    *grp // the group the person belongs to first, if any

	ambassadorSince time.Time // start of a regional ambassador role
}

type region struct {
	id          pulid.ID
	spec        regionSpec
	ambassadors []*person
}

// membership is one MEMBER role in a group.
type membership struct {
	p      *person
	gr     *grp
	since  time.Time
	status role.Status
	ended  time.Time
	role   pulid.ID

	// The obligation year the role is in (openEuler): from joining or the
	// last renewal; zero where the community has no obligation.
	obligStart, obligDue time.Time

	article      string // the forum article the member joined with (openEuler)
	articleTitle string
}

// activeAt reports whether the membership was live at t.
func (m *membership) activeAt(t time.Time) bool {
	if m.since.After(t) {
		return false
	}
	return m.status == role.StatusACTIVE || m.ended.After(t)
}

type grp struct {
	id            pulid.ID
	c             *comm
	pl            place
	slug          string
	status        string
	reg           *region
	created       time.Time
	founded       time.Time // when it became ACTIVE (or was proposed, for PROPOSED/REJECTED)
	changed       time.Time
	officialSince time.Time
	mentor        *person
	organizers    []*person
	ambassadors   []*person
	members       []*membership
	memberSet     map[*person]*membership
	orgs          []*org
	events        []*evt
	index         int

	// The leaders' current term (openEuler, where leaders serve terms).
	term               int
	termStart, termEnd time.Time
}

// statusAt is the group's status at t by its history in the plan, or ""
// before it was proposed.
func (gr *grp) statusAt(t time.Time) string {
	if gr.created.IsZero() || !gr.created.Before(t) {
		return ""
	}
	if t.Before(gr.founded) {
		return stProposed
	}
	switch gr.status {
	case stRejected, stWithdrawn:
		if t.Before(gr.changed) {
			return stProposed
		}
	case stOfficial:
		if t.Before(gr.officialSince) {
			return stActive
		}
	case stDormant, stArchived:
		if t.Before(gr.changed) {
			return stActive
		}
	}
	return gr.status
}

// placeAs is the group as the conflict check sees it, in status st.
func (gr *grp) placeAs(st string) policy.Place {
	return policy.Place{ID: string(gr.id), Name: gr.pl.Name, City: gr.pl.City, Country: gr.pl.Country, Status: st,
		Latitude: ptr(gr.pl.Lat), Longitude: ptr(gr.pl.Lon)}
}

type evt struct {
	id       pulid.ID
	g        *grp
	kind     event.Kind
	title    string
	status   event.Status
	vis      event.Visibility
	start    time.Time
	end      time.Time
	created  time.Time
	capacity int
	speakers []*person
}

func newGen(db *ent.Client, now time.Time) *gen {
	g := &gen{
		db:        db,
		now:       now,
		seq:       map[string]uint64{},
		handles:   map[string]bool{},
		orgNames:  map[string]bool{},
		codes:     map[string]bool{},
		awardYear: now.Year() - 1,

		verified:    map[credit][]ledgerEntry{},
		lastCheckIn: map[*person]time.Time{},
		referred:    map[*membership]bool{},
		risky:       map[*membership]bool{},
		users:       map[*person]*ent.UserCreate{},
	}
	g.reseed(0, 0)
	return g
}

// reseed starts a fresh random stream for one phase (and item) of the build,
// so that how much randomness one part consumes, which can depend on dates,
// never shifts what the other parts draw.
func (g *gen) reseed(phase, item uint64) { g.rng = stream(phase, item) }

// stream returns the random stream for one phase and item.
func stream(phase, item uint64) *rand.Rand {
	return rand.New(rand.NewPCG(0x7573657267726f75^phase, 0x707364656d6f3031^(item<<8)))
}

// id returns the next deterministic id for a prefix.
func (g *gen) id(prefix string) pulid.ID {
	n := g.seq[prefix]
	g.seq[prefix] = n + 1
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], n)
	h := sha256.Sum256(append([]byte("usergroups-demo/"+prefix+"/"), buf[:]...))
	var entropy [10]byte
	copy(entropy[:], h[:10])
	return pulid.Make(prefix, idEpoch.Add(time.Duration(n)*time.Millisecond), entropy)
}

// Random helpers: all draw from the one seeded PRNG, in program order.

func (g *gen) intn(n int) int { return g.rng.IntN(n) }

// between returns a number in [lo, hi].
func (g *gen) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.rng.IntN(hi-lo+1)
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// timeIn returns a time in [a, b), or a when the range is empty.
// It always draws exactly one number, whatever the range.
func (g *gen) timeIn(a, b time.Time) time.Time {
	f := g.rng.Float64()
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(f * float64(b.Sub(a)))).Truncate(time.Second)
}

func (g *gen) daysAgo(d int) time.Time { return g.now.Add(-time.Duration(d) * day) }

func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// sample returns up to n distinct elements of xs in random order.
func sample[T any](g *gen, xs []T, n int) []T {
	idx := g.rng.Perm(len(xs))
	if n > len(xs) {
		n = len(xs)
	}
	out := make([]T, n)
	for i := 0; i < n; i++ {
		out[i] = xs[idx[i]]
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

var handleStrip = strings.NewReplacer(" ", "", "'", "", "’", "")

// handleFor returns an unused handle built from a name.
func (g *gen) handleFor(given, family string) string {
	base := handleStrip.Replace(policy.FoldAccents(given)) + "." + handleStrip.Replace(policy.FoldAccents(family))
	if len(base) > 34 {
		base = base[:34]
	}
	h := base
	for n := 2; g.handles[h]; n++ {
		h = fmt.Sprintf("%s%d", base, n)
	}
	g.handles[h] = true
	return h
}

// newPerson creates a generated person living in city. cn selects pinyin names.
func (g *gen) newPerson(city, country string, cn bool, o *org, created time.Time) *person {
	var given, family, name string
	if cn {
		family, given = pick(g, cnFamily), pick(g, cnGiven)
		name = family + " " + given
	} else {
		given, family = pick(g, intlGiven), pick(g, intlFamily)
		name = given + " " + family
	}
	p := &person{
		id:     g.id("usr"),
		handle: g.handleFor(given, family),
		name:   name,

		org:     o,
		city:    city,
		country: country,
		created: created,
	}
	if o != nil {
		p.affil = o.name
	} else {
		p.affil = "individual"
	}
	g.people = append(g.people, p)
	return p
}

// lowerFirst lower-cases a topic's first letter for use inside a sentence,
// unless it starts an acronym or a name ("AI frameworks", "openEuler").
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && unicode.IsLower(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// describe writes a short public bio for p.
func (g *gen) describe(p *person, c *comm) {
	topic := lowerFirst(pick(g, c.topics))
	switch {
	case p.org != nil && c.openEu:
		p.bio = fmt.Sprintf("Engineer at %s in %s. Interested in %s.", p.org.name, p.city, topic)
	case c.openEu:
		p.bio = fmt.Sprintf("Independent openEuler user in %s who likes to write about %s.", p.city, topic)
	case p.org != nil:
		p.bio = fmt.Sprintf("Works on cloud infrastructure at %s, %s. Currently looking into %s.", p.org.name, p.city, topic)
	default:
		p.bio = fmt.Sprintf("Freelance cloud operator based in %s; likes to talk about %s.", p.city, topic)
	}
}

// newOrg creates an organization with a unique name.
func (g *gen) newOrg(name, city, country string) *org {
	base := name
	for n := 2; g.orgNames[name]; n++ {
		name = fmt.Sprintf("%s %d", base, n)
	}
	g.orgNames[name] = true
	o := &org{id: g.id("org"), name: name, slug: policy.Slugify(name), city: city, country: country}
	g.orgs = append(g.orgs, o)
	return o
}

// localOrgs creates n organizations in a city; the first partners of them
// are partners of c.
func (g *gen) localOrgs(c *comm, pl place, n, partners int) []*org {
	out := make([]*org, 0, n)
	for i := 0; i < n; i++ {
		var name string
		if c.openEu {
			name = fmt.Sprintf("%s %s %s Co., Ltd.", pl.City, pick(g, cnOrgWords), pick(g, cnOrgKinds))
			for g.orgNames[name] {
				name = fmt.Sprintf("%s %s %s Co., Ltd.", pl.City, pick(g, cnOrgWords), pick(g, cnOrgKinds))
			}
		} else {
			name = pick(g, intlOrgWords) + " " + pick(g, intlOrgKinds)
			for g.orgNames[name] {
				name = pick(g, intlOrgWords) + " " + pick(g, intlOrgKinds)
			}
		}
		o := g.newOrg(name, pl.City, pl.Country)
		if i < partners {
			o.partnerOf = append(o.partnerOf, c)
		}
		out = append(out, o)
	}
	return out
}

// emitPeople turns every person into a user builder.
func (g *gen) emitPeople() {
	domains := []string{"example.org", "example.com", "example.net"}
	for i, p := range g.people {
		b := g.db.User.Create().
			SetID(p.id).
			SetHandle(p.handle).
			SetName(p.name).
			SetCreatedAt(p.created).
			SetUpdatedAt(p.created)
		if p.bio != "" {
			b.SetBio(p.bio)
		}
		if p.city != "" {
			b.SetCity(p.city)
		}
		if p.country != "" {
			b.SetCountry(p.country)
		}
		if p.affil != "" {
			b.SetAffiliation(p.affil)
		}
		if p.org != nil {
			b.SetOrganizationID(p.org.id)
		}
		if i%4 == 0 {
			b.SetAvatarURL("https://avatars.example.net/u/" + p.handle + ".png")
		}
		g.users[p] = b
		g.b.users = append(g.b.users, b)
		g.b.contacts = append(g.b.contacts, g.db.Contact.Create().
			SetID(g.id("con")).
			SetUserID(p.id).
			SetEmail(p.handle+"@"+domains[i%len(domains)]).
			SetCreatedAt(p.created).
			SetUpdatedAt(p.created))
		if p.ship {
			sb := g.db.ShippingAddress.Create().
				SetID(g.id("shp")).
				SetUserID(p.id).
				SetRecipientName(p.name).
				SetAddress(fmt.Sprintf("%d %s Road, %s, %s", 1+i%180, streets[i%len(streets)], p.city, p.country)).
				SetCreatedAt(p.created).
				SetUpdatedAt(p.created)
			if p.phone {
				sb.SetPhone(fmt.Sprintf("+1 555 01%02d", i%100))
			}
			g.b.shipping = append(g.b.shipping, sb)
		}
	}
}

// emitOrgs turns every organization into a builder.
func (g *gen) emitOrgs() {
	for i, o := range g.orgs {
		created := g.daysAgo(1200 - i%400)
		b := g.db.Organization.Create().
			SetID(o.id).
			SetName(o.name).
			SetSlug(o.slug).
			SetCountry(o.country).
			SetWebsiteURL("https://" + o.slug + ".example.com").
			SetCreatedAt(created).
			SetUpdatedAt(created)
		if o.city != "" {
			b.SetDescription(fmt.Sprintf("Technology company based in %s.", o.city))
		} else {
			b.SetDescription("International technology company.")
		}
		for _, c := range o.partnerOf {
			b.AddPartnerOfIDs(c.id)
		}
		g.b.organizations = append(g.b.organizations, b)
	}
}
