package broker_test

import (
	"context"
	"github.com/usergroups/usergroups/internal/dbtest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/broker"
)

// clock is a settable clock for the broker's holds, so that a test decides
// when a hold has expired instead of sleeping through it.
type clock struct {
	mu  sync.Mutex
	now time.Time
	// gate, while set, makes Now wait until release, and asked is signalled
	// when it does: a test can stand in for a broker loop that is slow to
	// get to its next reading of the clock.
	gate  chan struct{}
	asked chan struct{}
}

func newClock() *clock { return &clock{now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	if gate := c.gate; gate != nil {
		c.mu.Unlock()
		select {
		case c.asked <- struct{}{}:
		default:
		}
		<-gate
		c.mu.Lock()
	}
	defer c.mu.Unlock()
	return c.now
}

// pause makes Now wait until release.
func (c *clock) pause() {
	c.mu.Lock()
	c.gate = make(chan struct{})
	c.asked = make(chan struct{}, 1)
	c.mu.Unlock()
}

// release lets Now answer again; it is a no-op when not paused.
func (c *clock) release() {
	c.mu.Lock()
	if c.gate != nil {
		close(c.gate)
		c.gate = nil
	}
	c.mu.Unlock()
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// lateWriter makes id n commit after n+1: on PostgreSQL a transaction draws
// n and stays open while another commits n+1; on SQLite, whose writers are
// serialised, the ids are given explicitly. It returns n and the commit of
// n, and rollback gives n up instead.
func lateWriter(t *testing.T, r *replica) (n int64, commit, rollback func()) {
	t.Helper()
	ctx := dbtest.FixtureContext(t)
	if r.pg() {
		txA, err := r.db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = txA.Rollback() })
		n = newChange(txA.Client(), "late").SaveX(ctx).ID
		if ids := write(t, r.db, 1, "next"); ids[0] != n+1 {
			t.Fatalf("next got id %d, want %d", ids[0], n+1)
		}
		return n, func() {
				if err := txA.Commit(); err != nil {
					t.Fatal(err)
				}
			}, func() {
				if err := txA.Rollback(); err != nil {
					t.Fatal(err)
				}
			}
	}
	latest, err := r.b.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n = latest + 1
	writeID(t, r.db, n+1)
	return n, func() { writeID(t, r.db, n) }, func() {}
}

// next returns the next delivery on s, failing on timeout or if s ends.
func next(t *testing.T, s *broker.Subscription) *broker.Delivery {
	t.Helper()
	select {
	case d, ok := <-s.C:
		if !ok {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		return d
	case <-time.After(wait):
		t.Fatal("no delivery")
	}
	return nil
}

func subscribe(t *testing.T, b *broker.Broker, from broker.Position) *broker.Subscription {
	t.Helper()
	s, err := b.Subscribe(context.Background(), from, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func samePosition(a, b broker.Position) bool {
	return a.Seq == b.Seq && slices.Equal(a.Holes, b.Holes)
}

// TestLateCommit: a change that commits after the hold on its hole has
// expired is still delivered, late, to live subscribers; the position
// delivered with the change above the hole lists the hole, so resuming from
// it replays the late change, before or after it commits, and nothing
// twice.
func TestLateCommit(t *testing.T) {
	clk := newClock()
	r := newReplicas(t, broker.Options{Now: clk.Now, PollInterval: 10 * time.Millisecond})[0]
	write(t, r.db, 3, "before")
	caughtUp(t, r)
	s, err := r.b.SubscribeFromNow(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	n, commit, _ := lateWriter(t, r)
	eventually(t, "the broker to read N+1", func() bool { return r.b.Metrics().Seen >= n+1 })
	quiet(t, s) // held

	clk.advance(2 * time.Second) // the default GapHold
	r.b.Poke()
	above := next(t, s)
	duringHold := broker.Position{Seq: n + 1, Holes: []broker.Range{{n, n}}}
	if above.ID != n+1 || above.Late || !samePosition(above.After, duringHold) {
		t.Fatalf("delivered %d late=%v after %v; want %d after %v", above.ID, above.Late, above.After, n+1, duringHold)
	}
	if m := r.b.Metrics(); m.Skipped != 1 || m.Holes != 1 || m.Late != 0 {
		t.Fatalf("metrics while watching: %+v", m)
	}
	resumedEarly := subscribe(t, r.b, above.After) // before the late commit
	quiet(t, resumedEarly)

	// Far longer than the hold, well within the watch.
	clk.advance(10 * time.Minute)
	commit()
	got := next(t, s)
	if got.ID != n || !got.Late || !samePosition(got.After, broker.Position{Seq: n + 1}) {
		t.Fatalf("delivered %d late=%v after %v; want %d late after %d", got.ID, got.Late, got.After, n, n+1)
	}
	if g := next(t, resumedEarly); g.ID != n {
		t.Fatalf("the subscriber that resumed during the hold got %d, want %d", g.ID, n)
	}
	if m := r.b.Metrics(); m.Late != 1 || m.Holes != 0 || m.Abandoned != 0 {
		t.Fatalf("metrics after the late commit: %+v", m)
	}

	resumedLate := subscribe(t, r.b, above.After) // after it
	if g := next(t, resumedLate); g.ID != n || !samePosition(g.After, broker.Position{Seq: n + 1}) {
		t.Fatalf("replayed %d after %v, want %d after %d", g.ID, g.After, n, n+1)
	}
	upToDate := subscribe(t, r.b, got.After)
	for _, x := range []*broker.Subscription{s, resumedEarly, resumedLate, upToDate} {
		quiet(t, x)
	}
	last := write(t, r.db, 1, "after")[0]
	for _, x := range []*broker.Subscription{s, resumedEarly, resumedLate, upToDate} {
		if g := next(t, x); g.ID != last {
			t.Fatalf("got %d, want %d", g.ID, last)
		}
	}
}

// TestHoleProvedEmpty: on PostgreSQL a hole left by a rollback stops being
// watched once every transaction that could fill it has ended, without
// waiting for HoleWatch. On SQLite (where such a hole is made by hand) it
// is watched for HoleWatch, then given up.
func TestHoleProvedEmpty(t *testing.T) {
	clk := newClock()
	r := newReplicas(t, broker.Options{Now: clk.Now, PollInterval: 10 * time.Millisecond})[0]
	write(t, r.db, 2, "before")
	caughtUp(t, r)
	s, err := r.b.SubscribeFromNow(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, _, rollback := lateWriter(t, r)
	rollback()
	eventually(t, "the broker to read N+1", func() bool { return r.b.Metrics().Seen >= n+1 })
	clk.advance(2 * time.Second)
	r.b.Poke()
	if d := next(t, s); d.ID != n+1 {
		t.Fatalf("got %d, want %d", d.ID, n+1)
	}
	if r.pg() {
		// The horizon moves on as the cluster's transactions end; the
		// clock does not move, so only the proof can retire the hole.
		eventually(t, "the hole to be proved empty", func() bool { return r.b.Metrics().Holes == 0 })
		if m := r.b.Metrics(); m.Abandoned != 0 {
			t.Errorf("metrics: %+v", m)
		}
	} else {
		if m := r.b.Metrics(); m.Holes != 1 {
			t.Fatalf("metrics: %+v", m)
		}
		clk.advance(time.Hour)
		eventually(t, "the hole to be given up", func() bool { return r.b.Metrics().Holes == 0 })
		if m := r.b.Metrics(); m.Abandoned != 1 {
			t.Errorf("metrics: %+v", m)
		}
	}
	// Positions no longer list it.
	id := write(t, r.db, 1, "after")[0]
	if d := next(t, s); d.ID != id || !samePosition(d.After, broker.Position{Seq: id}) {
		t.Fatalf("got %d after %v, want %d after %d", d.ID, d.After, id, id)
	}
}

// TestHoleWatchBound: a hole that cannot be proved empty (its transaction
// is still open) is given up after HoleWatch, and counted.
func TestHoleWatchBound(t *testing.T) {
	clk := newClock()
	r := newReplicas(t, broker.Options{Now: clk.Now, PollInterval: 10 * time.Millisecond, HoleWatch: time.Minute})[0]
	write(t, r.db, 2, "before")
	caughtUp(t, r)
	n, _, _ := lateWriter(t, r)
	eventually(t, "the broker to read N+1", func() bool { return r.b.Metrics().Seen >= n+1 })
	clk.advance(2 * time.Second)
	r.b.Poke()
	eventually(t, "the hole to be watched", func() bool { return r.b.Metrics().Holes == 1 })
	if m := r.b.Metrics(); m.Abandoned != 0 {
		t.Fatalf("metrics within the watch: %+v", m)
	}
	clk.advance(time.Minute)
	eventually(t, "the hole to be given up", func() bool { return r.b.Metrics().Abandoned == 1 })
	if m := r.b.Metrics(); m.Holes != 0 {
		t.Fatalf("metrics: %+v", m)
	}
}

// TestResumeAheadOfBroker: a cursor from a replica that has read further
// than this one (it has seen everything up to x5 except x2, which came late
// there) gets only what it has not seen, with positions that keep what it
// has seen.
//
// The second broker's hold runs from the start-up read that saw the hole,
// not from the loop's first read after it: the clock is paused once Seen
// says x has been read, as if the loop were slow to get there, and the
// hold must still be over one GapHold later.
func TestResumeAheadOfBroker(t *testing.T) {
	r := newReplicas(t, broker.Options{})[0]
	write(t, r.db, 2, "before")
	caughtUp(t, r)
	_, _, rollback := lateWriter(t, r)
	x := write(t, r.db, 5, "x")
	// A second broker, started now, holds at the hole until its clock
	// says the hold is over, so it stays behind x.
	clk := newClock()
	clk.pause()
	b := broker.New(r.db, broker.Options{Now: clk.Now, PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	defer clk.release() // before the broker is stopped: it may be waiting
	defer rollback()

	// Until Seen reaches x, the clock answers: the broker is still
	// reading; from then on it waits for the advance.
	deadline := time.Now().Add(wait)
	for b.Metrics().Seen < x[4] {
		select {
		case <-clk.asked:
			if b.Metrics().Seen < x[4] {
				clk.release()
			}
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the broker to read x")
		}
	}
	ahead := broker.Position{Seq: x[4], Holes: []broker.Range{{x[1], x[1]}}}
	s := subscribe(t, b, ahead)
	if m := b.Metrics(); m.Position >= x[0] {
		t.Fatalf("the second broker is at %d, not behind %d", m.Position, x[0])
	}
	quiet(t, s)
	clk.advance(2 * time.Second)
	clk.release()
	b.Poke()
	d := next(t, s)
	if d.ID != x[1] || !samePosition(d.After, broker.Position{Seq: x[4]}) {
		t.Fatalf("got %d after %v, want %d after %d", d.ID, d.After, x[1], x[4])
	}
	y := write(t, r.db, 1, "y")[0]
	b.Poke()
	if d := next(t, s); d.ID != y || !samePosition(d.After, broker.Position{Seq: y}) {
		t.Fatalf("got %d after %v, want %d after %d", d.ID, d.After, y, y)
	}
}
