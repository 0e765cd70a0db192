// Package bench is the benchmark harness behind `make bench`: it loads a
// sized data set, serves the API, drives named scenarios with a load
// generator, checks the answers against a hand-written handler (the
// floor), and writes BENCHMARKS.md.
package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// Size is the shape of a data set: Groups groups in one community, each
// with Members active members (the first an organizer) and Events
// published upcoming events.
type Size struct {
	Groups, Members, Events int
}

// String names the size as the scenarios table shows it ("20×20").
func (s Size) String() string { return fmt.Sprintf("%d×%d", s.Groups, s.Members) }

// Slug is the community every data set is loaded into.
const Slug = "bench"

// Dataset is what Load wrote, for scenarios that need ids.
type Dataset struct {
	Size      Size
	Community pulid.ID
	Groups    []pulid.ID // in name order, as the dashboard lists them
	Users     []pulid.ID
	Events    []pulid.ID
}

// Organizations is how many organizations members are spread over.
const Organizations = 20

// Load writes a data set of the given size into an empty database as one
// workflow step, an import by the system (hooks as usual). Ids and
// timestamps derive from the index of each row, so every load of a size
// holds the same data.
func Load(ctx context.Context, client *ent.Client, s Size) (*Dataset, error) {
	if s.Events == 0 {
		s.Events = 5
	}
	var d *Dataset
	err := workflow.NewRunner(client, nil).Import(viewer.SystemContext(ctx), "bench data", func(ctx context.Context, c *ent.Client) error {
		var err error
		d, err = load(ctx, c, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bench: loading %s: %w", s, err)
	}
	return d, nil
}

// epoch anchors every generated timestamp, so that loads are repeatable;
// events are placed after now so that they are upcoming.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func id(prefix string, n int) pulid.ID {
	var e [10]byte
	for i := range 8 {
		e[9-i] = byte(n >> (8 * i))
	}
	e[0] = prefix[0]
	return pulid.Make(prefix, epoch, e)
}

// letters spells n in base 26 (a, b, …, z, ba, bb, …), fixed width 3, so
// that group names sort in index order and pass the naming rule.
func letters(n int) string {
	b := []byte("aaa")
	for i := 2; i >= 0; i-- {
		b[i] = byte('a' + n%26)
		n /= 26
	}
	return string(b)
}

func load(ctx context.Context, c *ent.Client, s Size) (*Dataset, error) {
	d := &Dataset{Size: s, Community: id("com", 1)}
	if err := c.Community.Create().SetID(d.Community).SetName("Bench").SetSlug(Slug).
		SetCreatedAt(epoch).SetUpdatedAt(epoch).Exec(ctx); err != nil {
		return nil, err
	}
	orgs := make([]*ent.OrganizationCreate, Organizations)
	for i := range orgs {
		orgs[i] = c.Organization.Create().SetID(id("org", i)).SetName("Org " + letters(i)).
			SetSlug("org-" + letters(i)).SetCountry("FR").SetCreatedAt(epoch).SetUpdatedAt(epoch)
	}
	if err := c.Organization.CreateBulk(orgs...).Exec(ctx); err != nil {
		return nil, err
	}
	// One person per seat: member j of group i is user i*Members+j.
	people := s.Groups * s.Members
	users := make([]*ent.UserCreate, 0, people)
	for n := range people {
		uid := id("usr", n)
		d.Users = append(d.Users, uid)
		users = append(users, c.User.Create().SetID(uid).SetHandle(fmt.Sprintf("user%d", n)).
			SetName(fmt.Sprintf("Person %d", n)).SetCity("Lyon").SetCountry("FR").
			SetOrganizationID(id("org", n%Organizations)).SetCreatedAt(epoch).SetUpdatedAt(epoch))
	}
	if err := inBatches(ctx, users, func(b []*ent.UserCreate) error { return c.User.CreateBulk(b...).Exec(ctx) }); err != nil {
		return nil, err
	}
	groups := make([]*ent.GroupCreate, s.Groups)
	for i := range groups {
		gid := id("grp", i)
		d.Groups = append(d.Groups, gid)
		groups[i] = c.Group.Create().SetID(gid).SetCommunityID(d.Community).
			SetName("Bench " + capital(letters(i))).SetSlug("bench-" + letters(i)).
			SetCity("Lyon").SetCountry("FR").SetStatus(group.StatusACTIVE).
			SetCreatedAt(epoch).SetUpdatedAt(epoch)
	}
	if err := inBatches(ctx, groups, func(b []*ent.GroupCreate) error { return c.Group.CreateBulk(b...).Exec(ctx) }); err != nil {
		return nil, err
	}
	roles := make([]*ent.RoleCreate, 0, people)
	for i := range s.Groups {
		for j := range s.Members {
			n := i*s.Members + j
			kind := role.KindMEMBER
			if j == 0 {
				kind = role.KindORGANIZER
			}
			at := epoch.Add(time.Duration(n) * time.Minute)
			roles = append(roles, c.Role.Create().SetID(id("rol", n)).SetUserID(d.Users[n]).
				SetCommunityID(d.Community).SetGroupID(d.Groups[i]).SetKind(kind).SetStatus(role.StatusACTIVE).
				SetTermStart(at).SetCreatedAt(at).SetUpdatedAt(at))
		}
	}
	if err := inBatches(ctx, roles, func(b []*ent.RoleCreate) error { return c.Role.CreateBulk(b...).Exec(ctx) }); err != nil {
		return nil, err
	}
	start := nextMonth()
	events := make([]*ent.EventCreate, 0, s.Groups*s.Events)
	for i := range s.Groups {
		for k := range s.Events {
			n := i*s.Events + k
			eid := id("evt", n)
			d.Events = append(d.Events, eid)
			at := start.AddDate(0, 0, 7*k)
			events = append(events, c.Event.Create().SetID(eid).SetGroupID(d.Groups[i]).
				SetKind(event.KindMEETUP).SetTitle(fmt.Sprintf("Meetup %d of %s", k+1, letters(i))).
				SetStartsAt(at).SetEndsAt(at.Add(2*time.Hour)).SetTimeZone("Europe/Paris").
				SetVenueName("Salle "+letters(k)).SetCapacity(50).
				SetStatus(event.StatusPUBLISHED).SetGoingCount((n*7)%50).SetWaitlistCount(n%3).
				SetCreatedAt(epoch).SetUpdatedAt(epoch))
		}
	}
	if err := inBatches(ctx, events, func(b []*ent.EventCreate) error { return c.Event.CreateBulk(b...).Exec(ctx) }); err != nil {
		return nil, err
	}
	return d, nil
}

func capital(s string) string { return string(s[0]-'a'+'A') + s[1:] }

// inBatches saves rows a few hundred at a time: bulk inserts are bounded by
// the drivers' parameter limits, and tracked entities log each row.
func inBatches[B any](ctx context.Context, rows []B, save func([]B) error) error {
	for i := 0; i < len(rows); i += 200 {
		if err := save(rows[i:min(i+200, len(rows))]); err != nil {
			return err
		}
	}
	return nil
}
