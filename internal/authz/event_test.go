package authz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestCanSeeEventAndRegistrationMatchPolicy: an event's registrations
// stream checks the event and each registration in memory, once loaded for
// every subscriber, instead of through the privacy rules; for every kind of
// viewer and every shape of event and registration the two must agree, or
// a subscriber would be sent what a query hides from them.
func TestCanSeeEventAndRegistrationMatchPolicy(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	c := db.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	w := tx.Client()
	comA := w.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(sys)
	comB := w.Community.Create().SetName("Beta").SetSlug("beta").SaveX(sys)
	g1 := w.Group.Create().SetCommunityID(comA.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(sys)
	g2 := w.Group.Create().SetCommunityID(comA.ID).SetName("Lyon").SetSlug("lyon").SetCity("Lyon").SetCountry("FR").SaveX(sys)
	g3 := w.Group.Create().SetCommunityID(comB.ID).SetName("Berlin").SetSlug("berlin").SetCity("Berlin").SetCountry("DE").SaveX(sys)
	user := func(h string) *ent.User { return w.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	ada, bob, other := user("ada"), user("bob"), user("other")

	start := time.Date(2026, 12, 20, 18, 0, 0, 0, time.UTC)
	var events []*ent.Event
	var regs []*ent.Registration
	n := 0
	for _, g := range []*ent.Group{g1, g2, g3} {
		for _, st := range []event.Status{event.StatusDRAFT, event.StatusPUBLISHED, event.StatusCANCELLED} {
			for _, vis := range []event.Visibility{event.VisibilityPUBLIC, event.VisibilityMEMBERS_ONLY} {
				ev := w.Event.Create().SetGroupID(g.ID).SetKind("MEETUP").SetTitle(fmt.Sprintf("%s %s %s", g.Slug, st, vis)).
					SetTimeZone("UTC").SetStatus(st).SetVisibility(vis).SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SaveX(sys)
				events = append(events, ev)
				for _, u := range []*ent.User{ada, bob} {
					n++
					regs = append(regs, w.Registration.Create().SetEventID(ev.ID).SetUserID(u.ID).
						SetCheckInCode(fmt.Sprintf("C%05d", n)).SaveX(sys))
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Read back as the system, every column: what the live loader holds.
	byID := map[pulid.ID]*ent.Event{}
	for _, ev := range c.Event.Query().AllX(sys) {
		byID[ev.ID] = ev
	}
	role := func(kind string, com, grp pulid.ID) viewer.Role {
		return viewer.Role{Kind: kind, CommunityID: com, GroupID: grp}
	}
	read := &viewer.Token{ID: "tok", Scopes: []string{viewer.ScopeRead}}
	viewers := map[string]*viewer.Viewer{
		"anonymous":          {},
		"system":             viewer.System(),
		"admin":              {UserID: other.ID, Roles: []viewer.Role{role(viewer.Admin, "", "")}},
		"admin via token":    {UserID: other.ID, Token: read, Roles: []viewer.Role{role(viewer.Admin, "", "")}},
		"registrant":         {UserID: ada.ID},
		"registrant token":   {UserID: ada.ID, Token: read},
		"stranger":           {UserID: other.ID},
		"member of g1":       {UserID: other.ID, Roles: []viewer.Role{role(viewer.Member, comA.ID, g1.ID)}},
		"organizer of g1":    {UserID: other.ID, Roles: []viewer.Role{role(viewer.Organizer, comA.ID, g1.ID)}},
		"organizer of g1 tk": {UserID: other.ID, Token: read, Roles: []viewer.Role{role(viewer.Organizer, comA.ID, g1.ID)}},
		"member organizing":  {UserID: bob.ID, Roles: []viewer.Role{role(viewer.Member, comA.ID, g2.ID), role(viewer.Organizer, comA.ID, g1.ID)}},
		"staff of A":         {UserID: other.ID, Roles: []viewer.Role{role(viewer.CommunityManager, comA.ID, "")}},
		"staff of B":         {UserID: bob.ID, Roles: []viewer.Role{role(viewer.CommunityManager, comB.ID, "")}},
		"ambassador of A":    {UserID: other.ID, Roles: []viewer.Role{role(viewer.Ambassador, comA.ID, "")}},
	}
	for name, v := range viewers {
		ctx := viewer.NewContext(context.Background(), v)
		for _, ev := range events {
			want := c.Event.Query().Where(event.ID(ev.ID)).ExistX(ctx)
			if got := authz.CanSeeEvent(v, byID[ev.ID]); got != want {
				t.Errorf("%s on event %q: in memory %v, rule %v", name, ev.Title, got, want)
			}
		}
		for _, r := range regs {
			want := c.Registration.Query().Where(registration.ID(r.ID)).ExistX(ctx)
			if got := authz.CanSeeRegistration(v, r, byID[r.EventID]); got != want {
				t.Errorf("%s on a registration of %q: in memory %v, rule %v", name, byID[r.EventID].Title, got, want)
			}
		}
	}
}
