package live

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/internal/dbtest"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestEventRegistrationsShowWhatTheRulesShow: everyone who sees an event
// gets its registrations' changes with the live counts, and only its own
// (not those of another event of the group); the registration and who
// made the change go only to those the registration's rules show it to.
// An event the subscriber cannot see is NOT_FOUND; a server without live
// updates is UNAVAILABLE.
func TestEventRegistrationsShowWhatTheRulesShow(t *testing.T) {
	db, b := runBroker(t)
	sys := dbtest.FixtureContext(t)

	wf := workflow.NewRunner(db.Client, nil)
	var com *ent.Community
	var g *ent.Group
	var ada, org *ent.User
	var evA, evB, draft *ent.Event
	err := wf.Import(sys, "fixture", func(ctx context.Context, c *ent.Client) error {
		com = c.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(ctx)
		g = c.Group.Create().SetCommunityID(com.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(ctx)
		ada = c.User.Create().SetHandle("ada").SetName("Ada").SaveX(ctx)
		org = c.User.Create().SetHandle("org").SetName("Org").SaveX(ctx)
		c.Role.Create().SetUserID(org.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(ctx)
		start := time.Now().AddDate(0, 0, 7)
		newEvent := func(title string, s event.Status) *ent.Event {
			return c.Event.Create().SetGroupID(g.ID).SetKind("MEETUP").SetTitle(title).SetTimeZone("UTC").SetStatus(s).
				SetVisibility(event.VisibilityPUBLIC).SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SaveX(ctx)
		}
		evA, evB, draft = newEvent("Meetup A", event.StatusPUBLISHED), newEvent("Meetup B", event.StatusPUBLISHED), newEvent("Draft", event.StatusDRAFT)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	caughtUp(t, b)

	src := &Source{Broker: b, Client: db.Client}
	subscribe := func(v *viewer.Viewer, ev *ent.Event) (<-chan *RegistrationChange, error) {
		ctx, cancel := context.WithCancel(viewer.NewContext(context.Background(), v))
		t.Cleanup(cancel)
		return EventRegistrations(ctx, src, ev.ID, nil, func(rc *RegistrationChange) *RegistrationChange { return rc })
	}
	anonymous := &viewer.Viewer{}
	organizer := &viewer.Viewer{UserID: org.ID, Roles: []viewer.Role{{Kind: viewer.Organizer, CommunityID: com.ID, GroupID: g.ID}}}
	var ae *apierror.Error
	if _, err := subscribe(anonymous, draft); !errors.As(err, &ae) || ae.Code != apierror.NotFound {
		t.Errorf("anonymous subscribed to a draft: %v", err)
	}
	var none *Source
	if _, err := EventRegistrations(sys, none, evA.ID, nil, func(rc *RegistrationChange) *RegistrationChange { return rc }); !errors.As(err, &ae) || ae.Code != apierror.Unavailable {
		t.Errorf("no live source: %v", err)
	}
	anonItems, err := subscribe(anonymous, evA)
	if err != nil {
		t.Fatal(err)
	}
	orgItems, err := subscribe(organizer, evA)
	if err != nil {
		t.Fatal(err)
	}

	// Ada registers for B, then for A (the counts are the workflow's to
	// keep; here A's is set with the registration).
	for i, ev := range []*ent.Event{evB, evA} {
		err := wf.Import(sys, "register", func(ctx context.Context, c *ent.Client) error {
			ctx = changelog.WithActor(ctx, ada.ID)
			c.Registration.Create().SetEventID(ev.ID).SetUserID(ada.ID).SetCheckInCode([]string{"ADAB01", "ADAA01"}[i]).ExecX(ctx)
			c.Event.UpdateOneID(ev.ID).SetGoingCount(1).ExecX(ctx)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	read := func(ch <-chan *RegistrationChange) *RegistrationChange {
		t.Helper()
		select {
		case rc := <-ch:
			return rc
		case <-time.After(10 * time.Second):
			t.Fatal("no change within 10 s")
			return nil
		}
	}
	rc := read(anonItems)
	if rc.Event == nil || rc.Event.ID != evA.ID || rc.Event.GoingCount != 1 {
		t.Fatalf("anonymous got event %+v, want A with its count", rc.Event)
	}
	if rc.Registration != nil || rc.Actor != nil {
		t.Errorf("anonymous saw the registration (%v) or who registered (%v)", rc.Registration, rc.Actor)
	}
	rc = read(orgItems)
	if rc.Registration == nil || rc.Registration.EventID != evA.ID || rc.Actor == nil || rc.Actor.ID != ada.ID {
		t.Fatalf("the organizer got registration %+v by %+v, want Ada's for A", rc.Registration, rc.Actor)
	}
}

// TestEventRegistrationsCostTheSameForManySubscribers: a registration
// change is loaded once for every subscriber (the registration, who made
// it, the event with its counts) and each subscriber is held to the rules
// in memory, so the statements a change costs do not grow with the
// subscribers.
func TestEventRegistrationsCostTheSameForManySubscribers(t *testing.T) {
	db, b := runBroker(t)
	sys := dbtest.FixtureContext(t)
	wf := workflow.NewRunner(db.Client, nil)
	var com *ent.Community
	var g *ent.Group
	var org *ent.User
	var ev *ent.Event
	var people []*ent.User
	err := wf.Import(sys, "fixture", func(ctx context.Context, c *ent.Client) error {
		com = c.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(ctx)
		g = c.Group.Create().SetCommunityID(com.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(ctx)
		org = c.User.Create().SetHandle("org").SetName("Org").SaveX(ctx)
		c.Role.Create().SetUserID(org.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(ctx)
		for i := range 2 {
			people = append(people, c.User.Create().SetHandle(fmt.Sprintf("p%d", i)).SetName(fmt.Sprintf("P%d", i)).SaveX(ctx))
		}
		start := time.Now().AddDate(0, 0, 7)
		ev = c.Event.Create().SetGroupID(g.ID).SetKind("MEETUP").SetTitle("Meetup").SetTimeZone("UTC").
			SetStatus(event.StatusPUBLISHED).SetVisibility(event.VisibilityPUBLIC).
			SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SaveX(ctx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	caughtUp(t, b)
	drv := entsql.OpenDB(db.Dialect, db.SQL)
	counter := dbtest.NewCounter(drv)
	src := &Source{Broker: b, Client: ent.NewClient(ent.Driver(counter))}

	statements := map[int]int64{}
	for round, n := range []int{1, 20} {
		var chans []<-chan *RegistrationChange
		for i := range n {
			v := &viewer.Viewer{} // anonymous, and every third an organizer
			if i%3 == 1 {
				v = &viewer.Viewer{UserID: org.ID, Roles: []viewer.Role{{Kind: viewer.Organizer, CommunityID: com.ID, GroupID: g.ID}}}
			}
			ctx, cancel := context.WithCancel(viewer.NewContext(context.Background(), v))
			t.Cleanup(cancel)
			ch, err := EventRegistrations(ctx, src, ev.ID, nil, func(rc *RegistrationChange) *RegistrationChange { return rc })
			if err != nil {
				t.Fatal(err)
			}
			chans = append(chans, ch)
		}
		counter.Reset()
		err := wf.Import(sys, "register", func(ctx context.Context, c *ent.Client) error {
			ctx = changelog.WithActor(ctx, people[round].ID)
			c.Registration.Create().SetEventID(ev.ID).SetUserID(people[round].ID).SetCheckInCode(fmt.Sprintf("REG%03d", round)).ExecX(ctx)
			c.Event.UpdateOneID(ev.ID).AddGoingCount(1).ExecX(ctx)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		going := db.Client.Event.GetX(sys, ev.ID).GoingCount
		for i, ch := range chans {
			select {
			case rc := <-ch:
				if rc.Event == nil || rc.Event.GoingCount != going {
					t.Fatalf("subscriber %d of %d: event %+v, want %d going", i, n, rc.Event, going)
				}
				if organizer := i%3 == 1; (rc.Registration != nil) != organizer {
					t.Errorf("subscriber %d of %d (organizer %v) got registration %v", i, n, organizer, rc.Registration)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("subscriber %d of %d: no change within 10 s", i, n)
			}
		}
		statements[n] = counter.Count()
	}
	if statements[1] == 0 || statements[20] != statements[1] {
		t.Errorf("a change cost %d statements for 1 subscriber and %d for 20, want the same", statements[1], statements[20])
	}
}
