package live

import (
	"context"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestLoaderSharesLoads: a change is loaded once however many subscribers
// receive it, applications are filtered per viewer, and other nodes are
// loaded once per viewer class through the privacy rules.
func TestLoaderSharesLoads(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	sys := dbtest.FixtureContext(t)
	c := db.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	w := tx.Client() // tracked entities are written in transactions
	com := w.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(sys)
	applicant := w.User.Create().SetHandle("applicant").SetName("Applicant").SaveX(sys)
	app := w.Application.Create().SetCommunityID(com.ID).SetApplicantID(applicant.ID).SetKind(application.KindNEW_GROUP).SaveX(sys)
	ev := w.Event.Create().SetGroupID(w.Group.Create().SetCommunityID(com.ID).SetName("Paris").SetSlug("paris").
		SetCity("Paris").SetCountry("FR").SaveX(sys).ID).SetKind("MEETUP").SetTitle("Draft").
		SetStartsAt(app.CreatedAt).SetEndsAt(app.CreatedAt).SetTimeZone("UTC").SetStatus("DRAFT").SaveX(sys)

	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	l := newLoader(c)
	ctx := context.Background()
	staff := &viewer.Viewer{UserID: "usr_staff", Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: com.ID}}}
	stranger := &viewer.Viewer{UserID: "usr_stranger"}

	appChange := &ent.Change{ID: 1, Op: "CREATED", Topic: "application", NodeID: string(app.ID), ActorID: string(applicant.ID)}
	counter.Reset()
	for i := range 50 {
		e, ok := l.change(ctx, appChange)
		if !ok || e.actor == nil || e.actor.ID != applicant.ID {
			t.Fatalf("subscriber %d: actor %v", i, e.actor)
		}
		v := []*viewer.Viewer{staff, stranger}[i%2]
		node := l.nodeFor(ctx, e, v)
		if (node != nil) != (v == staff) {
			t.Fatalf("%s got the application: %v", v.UserID, node != nil)
		}
	}
	if n := counter.Count(); n != 2 {
		t.Errorf("%d queries for one application change and 50 subscribers, want 2 (node, actor)", n)
	}

	evChange := &ent.Change{ID: 2, Op: "UPDATED", Topic: "event", NodeID: string(ev.ID)}
	counter.Reset()
	for i := range 50 {
		e, _ := l.change(ctx, evChange)
		v := []*viewer.Viewer{staff, stranger, {UserID: "usr_stranger"}}[i%3]
		node := l.nodeFor(ctx, e, v)
		if (node != nil) != (v == staff) {
			t.Fatalf("%s got the draft event: %v", v.UserID, node != nil)
		}
	}
	if n := counter.Count(); n != 3 {
		t.Errorf("%d queries for one event change and two viewer classes, want 3 (as the system, then once per class)", n)
	}
	if viewerClass(stranger) != viewerClass(&viewer.Viewer{UserID: "usr_stranger"}) {
		t.Error("identical viewers fall in different classes")
	}
}
