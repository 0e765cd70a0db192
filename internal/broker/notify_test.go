package broker_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/usergroups/usergroups/internal/broker"
)

// TestNotify: a consumer that waits on Notify instead of parking on C is
// told of every change, replayed or live, and of the end, so it never
// misses one nor waits on a closed subscription.
func TestNotify(t *testing.T) {
	r := newReplicas(t, broker.Options{})[0]
	old := write(t, r.db, 3, "old")
	caughtUp(t, r)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := r.b.Subscribe(ctx, broker.Position{Seq: old[0] - 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wakes atomic.Int64
	s.Notify(func() { wakes.Add(1) })
	if wakes.Load() < 1 {
		t.Fatal("Notify did not call f for what may already be queued")
	}
	got := receive(t, s, 3) // replayed
	write(t, r.db, 2, "new")
	got = append(got, receive(t, s, 2)...) // live
	if len(got) != 5 {
		t.Fatalf("got %v", got)
	}
	// Each change queued after Notify woke the consumer (the replay may
	// have queued some before it, which the first call covers).
	eventually(t, "a wake per live change", func() bool { return wakes.Load() >= 3 })
	before := wakes.Load()
	cancel()
	eventually(t, "a wake when the subscription ends", func() bool { return wakes.Load() > before })
	if _, ok := <-s.C; ok {
		t.Fatal("C is open after the end")
	}
}
