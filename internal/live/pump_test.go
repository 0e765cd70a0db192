package live

import (
	"context"
	"github.com/usergroups/usergroups/internal/dbtest"
	"path/filepath"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestDeliverThroughSharedWorkers: subscriptions delivered by the shared
// workers get every change in order even when their reader falls behind
// the output queue, each sees the node as their own viewer may, and
// ending the subscriber's context closes the stream and the broker's
// subscription.
func TestDeliverThroughSharedWorkers(t *testing.T) {
	var b *broker.Broker
	db, err := store.Open(filepath.Join(t.TempDir(), "live.db"), store.Options{
		WrapDriver: broker.WrapDriver(dialect.SQLite, func() { b.Poke() })})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	sys := dbtest.FixtureContext(t)
	if err := db.Migrate(sys); err != nil {
		t.Fatal(err)
	}
	b = broker.New(db, broker.Options{PollInterval: 50 * time.Millisecond})
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = b.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })

	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(sys)
	applicant := tx.User.Create().SetHandle("applicant").SetName("Applicant").SaveX(sys)
	app := tx.Application.Create().SetCommunityID(com.ID).SetApplicantID(applicant.ID).SetKind(application.KindNEW_GROUP).SaveX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, b)

	src := &Source{Broker: b, Client: db.Client}
	staff := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: "usr_staff",
		Roles: []viewer.Role{{Kind: viewer.CommunityManager, CommunityID: com.ID}}})
	stranger := viewer.NewContext(context.Background(), &viewer.Viewer{UserID: "usr_stranger"})
	staffCtx, cancelStaff := context.WithCancel(staff)
	defer cancelStaff()
	match := func(c *ent.Change) bool { return c.Topic == "application" }
	subscribe := func(ctx context.Context) <-chan *Item {
		sub, err := src.Subscribe(ctx, nil, match)
		if err != nil {
			t.Fatal(err)
		}
		return Deliver(ctx, sub, func(it *Item) (*Item, bool) { return it, true })
	}
	staffItems, strangerItems := subscribe(staffCtx), subscribe(stranger)

	// More changes than the output queue holds, none read until all are
	// committed: the workers hold and retry instead of dropping or blocking.
	const n = 3 * outBuffer
	for range n {
		if err := db.Client.Change.Create().SetTopic("application").SetNodeType("Application").
			SetNodeID(string(app.ID)).SetCommunityID(string(com.ID)).SetActorID(string(applicant.ID)).
			SetOp(change.OpUPDATED).Exec(changelog.WithActor(sys, applicant.ID)); err != nil {
			t.Fatal(err)
		}
		b.Poke()
	}
	read := func(items <-chan *Item) *Item {
		select {
		case it, ok := <-items:
			if !ok {
				t.Fatal("the stream closed early")
			}
			return it
		case <-time.After(10 * time.Second):
			t.Fatal("no item within 10 s")
			return nil
		}
	}
	var last int64
	for i := range n {
		s, o := read(staffItems), read(strangerItems)
		if s.Seq <= last || s.Seq != o.Seq {
			t.Fatalf("item %d: staff got %d, stranger %d, after %d", i, s.Seq, o.Seq, last)
		}
		last = s.Seq
		if a, ok := s.Node.(*ent.Application); !ok || a.ID != app.ID {
			t.Fatalf("staff got node %v", s.Node)
		}
		if o.Node != nil {
			t.Fatalf("a stranger was sent the application")
		}
		if s.Actor == nil || s.Actor.ID != applicant.ID {
			t.Fatalf("actor %v", s.Actor)
		}
	}

	before := b.Metrics().Subscribers
	cancelStaff()
	select {
	case _, ok := <-staffItems:
		if ok {
			t.Fatal("an item after the subscriber left")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not close when its context ended")
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Metrics().Subscribers != before-1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := b.Metrics().Subscribers; got != before-1 {
		t.Errorf("%d broker subscriptions after one of %d left", got, before)
	}
}

// TestDeliverCatchesUpAfterFallingBehind: a burst larger than the broker's
// queue, committed while the subscriber reads nothing, makes the broker
// drop the subscription (it never waits for one subscriber); the stream
// resumes from the change log after the last change it took and delivers
// every change once, in order, then keeps following the log.
func TestDeliverCatchesUpAfterFallingBehind(t *testing.T) {
	const buffer = 4
	db, b := runBrokerWith(t, broker.Options{PollInterval: 50 * time.Millisecond, Buffer: buffer})
	sys := dbtest.FixtureContext(t)
	com := db.Client.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(sys)
	src := &Source{Broker: b, Client: db.Client}
	ctx, cancel := context.WithCancel(viewer.SystemContext(context.Background()))
	defer cancel()
	sub, err := src.Subscribe(ctx, nil, func(c *ent.Change) bool { return c.Topic == "burst" })
	if err != nil {
		t.Fatal(err)
	}
	items := Deliver(ctx, sub, func(it *Item) (*Item, bool) { return it, true })
	write := func(n int) []int64 {
		tx, err := db.Client.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, n)
		for i := range n {
			c, err := tx.Change.Create().SetTopic("burst").SetNodeType("Community").SetNodeID(string(com.ID)).
				SetCommunityID(string(com.ID)).SetOp(change.OpUPDATED).Save(sys)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = c.ID
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		b.Poke()
		return ids
	}
	read := func(want []int64) {
		t.Helper()
		for i, id := range want {
			select {
			case it, ok := <-items:
				if !ok {
					t.Fatalf("the stream closed after %d of %d items (broker: %+v)", i, len(want), b.Metrics())
				}
				if it.Seq != id {
					t.Fatalf("item %d is change %d, want %d", i, it.Seq, id)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no item %d within 10 s", i)
			}
		}
	}
	// One transaction of far more changes than the broker's queue and the
	// output queue hold together, none read until all are committed.
	burst := write(10 * (buffer + outBuffer))
	deadline := time.Now().Add(10 * time.Second)
	for b.Metrics().DroppedSlow == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if b.Metrics().DroppedSlow == 0 {
		t.Fatal("the burst never outran the broker's queue: the test proves nothing")
	}
	read(burst)
	read(write(3))
	select {
	case it := <-items:
		t.Fatalf("an extra item: change %d", it.Seq)
	case <-time.After(200 * time.Millisecond):
	}
	if got := b.Metrics().Subscribers; got != 1 {
		t.Errorf("%d broker subscriptions, want the one resumed", got)
	}
}
