package server_test

import (
	"fmt"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
)

// fixture is a small community: groups each with an organizer and members
// (from a few organizations) and events with registrations.
type fixture struct {
	community *ent.Community
	groups    []*ent.Group
	// manager is the community's manager; staffToken a read token of theirs.
	manager    pulid.ID
	staffToken string
}

func buildFixture(t testing.TB, db *store.DB, groups, membersPerGroup, eventsPerGroup, registrationsPerEvent int) fixture {
	t.Helper()
	ctx := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fail := func(err error) {
		t.Helper()
		_ = tx.Rollback()
		t.Fatal(err)
	}
	com, err := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).Save(ctx)
	if err != nil {
		fail(err)
	}
	orgs := make([]*ent.Organization, 3)
	for i := range orgs {
		if orgs[i], err = tx.Organization.Create().SetName(fmt.Sprintf("Org %d", i)).SetSlug(fmt.Sprintf("org-%d", i)).Save(ctx); err != nil {
			fail(err)
		}
	}
	f := fixture{community: com}
	start := time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
	for g := 0; g < groups; g++ {
		grp, err := tx.Group.Create().SetCommunityID(com.ID).
			SetName(fmt.Sprintf("City %s", dbtest.Letters(g))).SetSlug(fmt.Sprintf("city-%d", g)).
			SetCity(fmt.Sprintf("City %s", dbtest.Letters(g))).SetCountry("FR").SetStatus("ACTIVE").Save(ctx)
		if err != nil {
			fail(err)
		}
		f.groups = append(f.groups, grp)
		users := make([]*ent.User, membersPerGroup)
		for m := range users {
			if users[m], err = tx.User.Create().SetHandle(fmt.Sprintf("u%d-%d", g, m)).SetName(fmt.Sprintf("User %d %d", g, m)).
				SetOrganizationID(orgs[m%len(orgs)].ID).Save(ctx); err != nil {
				fail(err)
			}
			if _, err := tx.Contact.Create().SetUserID(users[m].ID).SetEmail(fmt.Sprintf("u%d-%d@example.org", g, m)).Save(ctx); err != nil {
				fail(err)
			}
			kind := "MEMBER"
			if m == 0 {
				kind = "ORGANIZER"
			}
			if _, err := tx.Role.Create().SetUserID(users[m].ID).SetCommunityID(com.ID).SetGroupID(grp.ID).
				SetKind(role.Kind(kind)).Save(ctx); err != nil {
				fail(err)
			}
		}
		for e := 0; e < eventsPerGroup; e++ {
			ev, err := tx.Event.Create().SetGroupID(grp.ID).SetTitle(fmt.Sprintf("Meetup %d", e)).
				SetTimeZone("Europe/Paris").SetStartsAt(start.AddDate(0, 0, 7*e)).SetEndsAt(start.AddDate(0, 0, 7*e).Add(2 * time.Hour)).
				SetStatus("PUBLISHED").Save(ctx)
			if err != nil {
				fail(err)
			}
			for r := 0; r < registrationsPerEvent && r < len(users); r++ {
				if _, err := tx.Registration.Create().SetEventID(ev.ID).SetUserID(users[r].ID).
					SetCheckInCode(fmt.Sprintf("%s-%d", ev.ID, r)).Save(ctx); err != nil {
					fail(err)
				}
			}
		}
	}
	manager, err := tx.User.Create().SetHandle("manager").SetName("Community Manager").Save(ctx)
	if err != nil {
		fail(err)
	}
	if _, err := tx.Role.Create().SetUserID(manager.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).Save(ctx); err != nil {
		fail(err)
	}
	f.manager = manager.ID
	f.staffToken, _ = dbtest.APIToken(t, ctx, tx.Client(), manager.ID, "read")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return f
}
