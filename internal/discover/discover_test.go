package discover_test

import (
	"context"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/discover"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestEventsAndRegistrations: a search lists events soonest first unless
// ordered otherwise; a person's registrations across a list of events come
// in one read, through the registration rules (never to an API token).
func TestEventsAndRegistrations(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	var ada *ent.User
	var later, sooner *ent.Event
	err := workflow.NewRunner(db.Client, nil).Import(sys, "fixture", func(ctx context.Context, c *ent.Client) error {
		com := c.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(ctx)
		g := c.Group.Create().SetCommunityID(com.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(ctx)
		ada = c.User.Create().SetHandle("ada").SetName("Ada").SaveX(ctx)
		newEvent := func(title string, in time.Duration) *ent.Event {
			start := time.Now().Add(in)
			return c.Event.Create().SetGroupID(g.ID).SetKind("MEETUP").SetTitle(title).SetTimeZone("UTC").
				SetStatus(event.StatusPUBLISHED).SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SaveX(ctx)
		}
		later, sooner = newEvent("Later", 72*time.Hour), newEvent("Sooner", 24*time.Hour)
		c.Registration.Create().SetEventID(later.ID).SetUserID(ada.ID).SetCheckInCode("ADA001").ExecX(ctx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	as := func(v *viewer.Viewer) context.Context { return viewer.NewContext(context.Background(), v) }

	page, err := discover.Events(as(&viewer.Viewer{}), db.Client, discover.Search{}, nil, nil, nil, nil, nil)
	if err != nil || len(page.Edges) != 2 || page.Edges[0].Node.ID != sooner.ID {
		t.Fatalf("events: %+v, %v; want the sooner first", page, err)
	}

	events := []pulid.ID{later.ID, sooner.ID}
	for name, tt := range map[string]struct {
		v    *viewer.Viewer
		user pulid.ID
		want bool
	}{
		"Ada":         {&viewer.Viewer{UserID: ada.ID}, ada.ID, true},
		"Ada's token": {&viewer.Viewer{UserID: ada.ID, Token: &viewer.Token{ID: "tok_1", Scopes: []string{viewer.ScopeRead}}}, ada.ID, false},
		"anonymous":   {&viewer.Viewer{}, "", false},
	} {
		regs, err := discover.Registrations(as(tt.v), db.Client, tt.user, events)
		if err != nil || (regs[later.ID] != nil) != tt.want || regs[sooner.ID] != nil {
			t.Errorf("%s: registrations %v, %v; want Ada's for the later event: %v", name, regs, err, tt.want)
		}
	}
}
