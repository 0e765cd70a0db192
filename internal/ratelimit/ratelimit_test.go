package ratelimit_test

import (
	"fmt"
	"github.com/usergroups/usergroups/internal/dbtest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/ratelimit"
)

// clock is a settable time source.
func newClock() *dbtest.Clock { return dbtest.NewClock(time.Date(2027, 1, 10, 19, 0, 0, 0, time.UTC)) }

// The in-process Limiter is the Store the server uses without Redis.
var (
	_ ratelimit.Store    = (*ratelimit.Limiter)(nil)
	_ ratelimit.NewStore = ratelimit.InProcess
)

func TestBudgetSpendsAndRefills(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(ratelimit.Config{Limit: 10, Window: 10 * time.Second, Now: clk.Now})
	d := l.Allow("a", 4)
	if !d.Allowed || d.Limit != 10 || d.Remaining != 6 {
		t.Fatalf("first = %+v", d)
	}
	if want := clk.Now().Add(4 * time.Second); !d.Reset.Equal(want) {
		t.Errorf("Reset = %v, want %v (4 points at 1 a second)", d.Reset, want)
	}
	if d = l.Allow("a", 6); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("spending the rest = %+v", d)
	}
	d = l.Allow("a", 3)
	if d.Allowed || d.Remaining != 0 || d.RetryAfter != 3*time.Second {
		t.Fatalf("over budget = %+v, want refused with RetryAfter 3s", d)
	}
	clk.Advance(2500 * time.Millisecond)
	if d = l.Allow("a", 3); d.Allowed || d.RetryAfter != 500*time.Millisecond {
		t.Fatalf("after 2.5s = %+v, want refused for 0.5s more", d)
	}
	clk.Advance(500 * time.Millisecond)
	if d = l.Allow("a", 3); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after 3s = %+v", d)
	}
	// The refill stops at the limit, however long the key was idle.
	clk.Advance(time.Hour)
	if d = l.Allow("a", 1); !d.Allowed || d.Remaining != 9 {
		t.Fatalf("after an hour = %+v", d)
	}
}

func TestCosts(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(ratelimit.Config{Limit: 10, Window: time.Minute, Now: clk.Now})
	for _, cost := range []int{0, -5} {
		if d := l.Allow("k", cost); !d.Allowed || d.Remaining != 9 {
			t.Errorf("cost %d = %+v, want it charged as 1", cost, d)
		}
		clk.Advance(time.Minute)
	}
	d := l.Allow("k", 11)
	if d.Allowed || d.RetryAfter != time.Minute {
		t.Errorf("a cost above the whole budget = %+v", d)
	}
	if d = l.Allow("k", 10); !d.Allowed {
		t.Errorf("a refused cost was taken: %+v", d)
	}
}

func TestDefaults(t *testing.T) {
	l := ratelimit.New(ratelimit.Config{})
	if l.Limit() != ratelimit.DefaultIdentifiedLimit || l.Window() != time.Minute {
		t.Errorf("defaults = %d per %v", l.Limit(), l.Window())
	}
	if d := l.Allow("k", 1); !d.Allowed || d.Remaining != ratelimit.DefaultIdentifiedLimit-1 {
		t.Errorf("%+v", d)
	}
}

func TestKeysAreIsolated(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(ratelimit.Config{Limit: 5, Now: clk.Now})
	if d := l.Allow("token:a", 5); !d.Allowed {
		t.Fatal(d)
	}
	if d := l.Allow("token:a", 1); d.Allowed {
		t.Fatal("a spent budget allowed more")
	}
	if d := l.Allow("token:b", 5); !d.Allowed || d.Remaining != 0 {
		t.Errorf("another key paid for the first: %+v", d)
	}
}

func TestMemoryIsBounded(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(ratelimit.Config{Limit: 10, Window: time.Minute, MaxKeys: 100, Now: clk.Now})
	for i := range 10000 {
		l.Allow(fmt.Sprintf("ip:10.0.%d.%d", i/256, i%256), 1)
		if n := l.Len(); n > 100 {
			t.Fatalf("%d keys tracked, bound 100", n)
		}
	}

	// Keys idle for a window are whole again and forgotten as traffic goes
	// on, long before the bound is reached.
	l = ratelimit.New(ratelimit.Config{Limit: 10, Window: time.Minute, MaxKeys: 1000, Now: clk.Now})
	for i := range 50 {
		l.Allow(fmt.Sprint("old", i), 5)
	}
	clk.Advance(time.Minute)
	for i := range 20 {
		l.Allow(fmt.Sprint("new", i), 1)
	}
	if n := l.Len(); n != 20 {
		t.Errorf("%d keys tracked, want the 20 recent ones", n)
	}

	// A key still paying off its spending is not forgotten for being idle.
	l = ratelimit.New(ratelimit.Config{Limit: 10, Window: time.Minute, MaxKeys: 1000, Now: clk.Now})
	l.Allow("spent", 10)
	clk.Advance(30 * time.Second)
	for i := range 100 {
		l.Allow(fmt.Sprint("other", i), 1)
	}
	if d := l.Allow("spent", 6); d.Allowed {
		t.Errorf("a key got a fresh budget after half a window: %+v", d)
	}
}

func TestConcurrentSpendingNeverOverdraws(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(ratelimit.Config{Limit: 1000, Now: clk.Now})
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				if l.Allow("shared", 1).Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if allowed.Load() != 1000 {
		t.Errorf("%d requests allowed on a budget of 1000", allowed.Load())
	}
}
