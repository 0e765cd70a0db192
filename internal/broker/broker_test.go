package broker_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
)

// wait bounds every wait for something that must happen; tests never sleep
// for correctness.
const wait = 20 * time.Second

// replica is one API replica: its own pool (with the commit announcer
// installed) and its own broker, on a database shared with the others.
type replica struct {
	db      *store.DB
	b       *broker.Broker
	appName string // application_name of the broker's LISTEN connection
}

func (r *replica) pg() bool { return r.db.Dialect == dialect.Postgres }

// newReplicas opens len(opts) replicas of one fresh database: PostgreSQL
// when USERGROUPS_TEST_DATABASE is set, else a SQLite file (a shared-cache
// memory database would lock tables instead of letting writers wait). Unlike
// dbtest.OpenReplicas it installs WrapDriver and knows the DSN, which the
// LISTEN connection needs.
func newReplicas(t testing.TB, opts ...broker.Options) []*replica {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "changes.db")
	if onPostgres() {
		dsn = dbtest.DSN(t)
	}
	out := make([]*replica, len(opts))
	for i, o := range opts {
		r := &replica{}
		name := dialect.SQLite
		if store.IsPostgres(dsn) {
			name = dialect.Postgres
		}
		// The broker does not exist yet when the pool is opened; Poke is
		// nil-safe and nothing commits before r.b is set.
		db, err := store.Open(dsn, store.Options{WrapDriver: broker.WrapDriver(name, func() { r.b.Poke() })})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if i == 0 {
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		r.db = db
		if r.pg() {
			r.appName = "broker_test_" + randomHex()
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Set("application_name", r.appName)
			u.RawQuery = q.Encode()
			o.ListenDSN = u.String()
		}
		r.b = broker.New(db, o)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.b.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
		out[i] = r
	}
	return out
}

// onPostgres reports whether the tests run on PostgreSQL.
func onPostgres() bool { return os.Getenv(dbtest.EnvDatabase) != "" }

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func sys() context.Context { return viewer.SystemContext(context.Background()) }

func newChange(c *ent.Client, node string) *ent.ChangeCreate {
	return c.Change.Create().SetTopic("test").SetNodeType("Test").SetNodeID(node).SetOp(change.OpCREATED)
}

// write commits n change rows in one transaction and returns their ids.
func write(t testing.TB, db *store.DB, n int, node string) []int64 {
	t.Helper()
	ids, err := tryWrite(db, n, node)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func tryWrite(db *store.DB, n int, node string) ([]int64, error) {
	// A step's capability, as the writes run in a transaction of their own.
	ctx := authz.Permit(viewer.SystemContext(context.Background()), "test fixture")
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, n)
	for range n {
		c, err := newChange(tx.Client(), node).Save(ctx)
		if err != nil {
			_ = tx.Rollback()
			return nil, err
		}
		ids = append(ids, c.ID)
	}
	return ids, tx.Commit()
}

// writeID commits one change row with an explicit id, which is how SQLite
// (whose writers are serialised) can make ids commit out of order.
func writeID(t *testing.T, db *store.DB, id int64) {
	t.Helper()
	ctx := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := newChange(tx.Client(), "explicit").SetID(id).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// receive reads n changes from s, failing on timeout or if s ends.
func receive(t testing.TB, s *broker.Subscription, n int) []int64 {
	t.Helper()
	ids := make([]int64, 0, n)
	deadline := time.After(wait)
	for len(ids) < n {
		select {
		case c, ok := <-s.C:
			if !ok {
				t.Fatalf("subscription ended after %v: %v", ids, s.Err())
			}
			ids = append(ids, c.ID)
		case <-deadline:
			t.Fatalf("received %v, want %d changes", ids, n)
		}
	}
	return ids
}

// quiet fails if s has a change ready.
func quiet(t *testing.T, s *broker.Subscription) {
	t.Helper()
	select {
	case c := <-s.C:
		if c == nil {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		t.Fatalf("unexpected change %d", c.ID)
	default:
	}
}

// eventually polls cond until it holds or the wait is over.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// caughtUp waits until r's broker has delivered everything committed so far.
func caughtUp(t testing.TB, r *replica) {
	t.Helper()
	latest, err := r.b.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the broker to catch up", func() bool { return r.b.Metrics().Position >= latest })
}

// TestReplayThenLive subscribes with old cursors while writers commit
// concurrently: each subscriber must get every later id exactly once, in
// order, whether it was replayed from the log or delivered live.
func TestReplayThenLive(t *testing.T) {
	r := newReplicas(t, broker.Options{GapHold: time.Minute})[0]
	initial := write(t, r.db, 50, "initial")

	const writers, txs = 4, 40
	var (
		wg      sync.WaitGroup
		written atomic.Int64
	)
	for w := range writers {
		wg.Go(func() {
			for i := range txs {
				if _, err := tryWrite(r.db, 1+i%3, fmt.Sprintf("w%d", w)); err != nil {
					t.Error(err)
					return
				}
				written.Add(1)
			}
		})
	}

	type result struct {
		after int64
		only  string
		got   []int64
		err   error
	}
	const subscribers = 8
	results := make([]*result, subscribers)
	var readers sync.WaitGroup
	for i := range subscribers {
		// Stagger the subscriptions over the writes, with cursors
		// anywhere in the log so far.
		eventually(t, "writes", func() bool { return written.Load() >= int64(i*writers*txs/subscribers) })
		latest, err := r.b.Latest(sys())
		if err != nil {
			t.Fatal(err)
		}
		res := &result{after: initial[0] - 1 + int64(i)*(latest-initial[0])/subscribers}
		var match func(*ent.Change) bool
		if i%3 == 2 {
			res.only = "w1"
			match = func(c *ent.Change) bool { return c.NodeID == "w1" || c.NodeID == "sentinel" }
		}
		s, err := r.b.Subscribe(context.Background(), broker.Position{Seq: res.after}, match)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		results[i] = res
		readers.Go(func() {
			// A subscriber that falls behind a burst (its queue full) is
			// ended with ErrTooSlow and resumes from the last change it
			// took, as the live layer does: it must still see every change
			// once, in order.
			deadline := time.After(wait)
			sub, after := s, s.Start()
			for {
				select {
				case c, ok := <-sub.C:
					if !ok {
						if errors.Is(sub.Err(), broker.ErrTooSlow) {
							next, err := sub.Resume(context.Background(), after)
							if err == nil {
								t.Cleanup(next.Close)
								sub = next
								continue
							}
						}
						res.err = fmt.Errorf("ended: %v", sub.Err())
						return
					}
					after = c.After
					res.got = append(res.got, c.ID)
					if c.NodeID == "sentinel" { // written last
						return
					}
				case <-deadline:
					res.err = errors.New("timed out")
					return
				}
			}
		})
	}
	wg.Wait()
	write(t, r.db, 1, "sentinel")
	readers.Wait()

	for i, res := range results {
		var want []int64
		for _, c := range r.db.Client.Change.Query().Where(change.IDGT(res.after)).Order(change.ByID()).AllX(sys()) {
			if res.only == "" || c.NodeID == res.only || c.NodeID == "sentinel" {
				want = append(want, c.ID)
			}
		}
		if res.err != nil || !slices.Equal(res.got, want) {
			t.Errorf("subscriber %d after %d (only %q): err %v\n got %v\nwant %v", i, res.after, res.only, res.err, res.got, want)
		}
	}
}

// TestOutOfOrderCommit: id N+1 commits while N is still in flight. The
// broker must hold N+1 back, and deliver N then N+1 once N commits.
func TestOutOfOrderCommit(t *testing.T) {
	r := newReplicas(t, broker.Options{GapHold: time.Minute, PollInterval: 20 * time.Millisecond})[0]
	write(t, r.db, 3, "before")
	caughtUp(t, r) // so that "now" is after these
	s, err := r.b.SubscribeFromNow(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := dbtest.FixtureContext(t)

	var n int64
	var commitN func()
	if r.pg() {
		txA, err := r.db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = txA.Rollback() }()
		n = newChange(txA.Client(), "A").SaveX(ctx).ID
		if ids := write(t, r.db, 1, "B"); ids[0] != n+1 {
			t.Fatalf("B got id %d, want %d", ids[0], n+1)
		}
		commitN = func() {
			if err := txA.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		latest, _ := r.b.Latest(ctx)
		n = latest + 1
		writeID(t, r.db, n+1)
		commitN = func() { writeID(t, r.db, n) }
	}
	eventually(t, "the broker to read N+1", func() bool { return r.b.Metrics().Seen >= n+1 })
	quiet(t, s)
	if m := r.b.Metrics(); m.Position >= n || m.Lag < 1 {
		t.Fatalf("metrics while holding: %+v", m)
	}
	commitN()
	if got := receive(t, s, 2); !slices.Equal(got, []int64{n, n + 1}) {
		t.Fatalf("received %v, want [%d %d]", got, n, n+1)
	}
	if m := r.b.Metrics(); m.Skipped != 0 {
		t.Errorf("skipped %d", m.Skipped)
	}
}

// TestStartupHole: a broker that starts while a transaction holding an
// older id is still in flight must not start past that id.
func TestStartupHole(t *testing.T) {
	r := newReplicas(t, broker.Options{})[0]
	ctx := dbtest.FixtureContext(t)
	write(t, r.db, 3, "before")
	var n int64
	var commitN func()
	if r.pg() {
		txA, err := r.db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = txA.Rollback() }()
		n = newChange(txA.Client(), "A").SaveX(ctx).ID
		write(t, r.db, 1, "B")
		commitN = func() {
			if err := txA.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		latest, _ := r.b.Latest(ctx)
		n = latest + 1
		writeID(t, r.db, n+1)
		commitN = func() { writeID(t, r.db, n) }
	}

	// A second broker on the same pool, started now (the pool pokes the
	// first one, so this one polls).
	b := broker.New(r.db, broker.Options{GapHold: time.Minute, PollInterval: 20 * time.Millisecond})
	rctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(rctx) }()
	defer func() { cancel(); <-done }()
	s, err := b.Subscribe(context.Background(), broker.Position{Seq: n - 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eventually(t, "the broker to read N+1", func() bool { return b.Metrics().Seen >= n+1 })
	if m := b.Metrics(); m.Position >= n {
		t.Fatalf("started at %d, past the hole at %d", m.Position, n)
	}
	quiet(t, s)
	commitN()
	if got := receive(t, s, 2); !slices.Equal(got, []int64{n, n + 1}) {
		t.Fatalf("received %v, want [%d %d]", got, n, n+1)
	}
}

// TestRolledBackHole: a hole that never fills (a rolled-back transaction)
// holds delivery back for GapHold, not longer.
func TestRolledBackHole(t *testing.T) {
	const hold = 300 * time.Millisecond
	r := newReplicas(t, broker.Options{GapHold: hold, PollInterval: time.Minute})[0]
	write(t, r.db, 2, "before")
	caughtUp(t, r) // so that "now" is after these
	s, err := r.b.SubscribeFromNow(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := dbtest.FixtureContext(t)

	var next int64
	var committed time.Time
	if r.pg() {
		txA, err := r.db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hole := newChange(txA.Client(), "A").SaveX(ctx).ID
		// Taken before the commit: the broker cannot see the gap earlier,
		// so delivery is at least the hold after this.
		committed = time.Now()
		next = write(t, r.db, 1, "B")[0]
		if err := txA.Rollback(); err != nil {
			t.Fatal(err)
		}
		if next != hole+1 {
			t.Fatalf("ids %d, %d", hole, next)
		}
	} else {
		latest, _ := r.b.Latest(ctx)
		next = latest + 2
		committed = time.Now()
		writeID(t, r.db, next)
	}
	if got := receive(t, s, 1); got[0] != next {
		t.Fatalf("received %v, want %d", got, next)
	}
	if d := time.Since(committed); d < hold {
		t.Errorf("delivered after %v, before the hold of %v expired", d, hold)
	}
	if m := r.b.Metrics(); m.Skipped != 1 {
		t.Errorf("skipped %d, want 1", m.Skipped)
	}
	// The loop is not stuck: the next commit goes straight through (the
	// poll interval is a minute, so this is the poke).
	after := write(t, r.db, 1, "C")[0]
	if got := receive(t, s, 1); got[0] != after {
		t.Fatalf("received %v, want %d", got, after)
	}
}

// TestSlowSubscriber: a subscriber that never reads is disconnected with
// ErrTooSlow, and the others still get everything.
func TestSlowSubscriber(t *testing.T) {
	const buffer = 4
	r := newReplicas(t, broker.Options{Buffer: buffer})[0]
	slow, err := r.b.SubscribeFromNow(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast, err := r.b.SubscribeFromNow(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	var want, got []int64
	for range 3 * buffer {
		id := write(t, r.db, 1, "x")[0]
		want = append(want, id)
		got = append(got, receive(t, fast, 1)...)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fast subscriber got %v, want %v", got, want)
	}
	var queued []int64
	for c := range slow.C { // closed on disconnect
		queued = append(queued, c.ID)
	}
	if !errors.Is(slow.Err(), broker.ErrTooSlow) {
		t.Fatalf("slow subscriber: err %v", slow.Err())
	}
	if !slices.Equal(queued, want[:buffer]) {
		t.Errorf("slow subscriber's queue held %v, want %v", queued, want[:buffer])
	}
	if m := r.b.Metrics(); m.DroppedSlow != 1 || m.Subscribers != 1 {
		t.Errorf("metrics %+v", m)
	}
	if fast.Err() != nil {
		t.Errorf("fast subscriber: %v", fast.Err())
	}
}

// TestReplicas: writes through replica A reach a subscriber on replica B.
// On PostgreSQL B's poll interval is a minute, so only NOTIFY can wake it.
func TestReplicas(t *testing.T) {
	poll := 50 * time.Millisecond
	if onPostgres() {
		poll = time.Minute
	}
	rs := newReplicas(t, broker.Options{}, broker.Options{PollInterval: poll})
	a, b := rs[0], rs[1]
	s, err := b.b.Subscribe(context.Background(), broker.Position{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var want []int64
	for i := range 20 {
		want = append(want, write(t, a.db, 1+i%3, "a")...)
	}
	if got := receive(t, s, len(want)); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestListenerReconnect kills replica B's LISTEN connection in the middle of
// a stream of writes on replica A: B reconnects, catches up from the log,
// and its subscriber loses nothing.
func TestListenerReconnect(t *testing.T) {
	if !onPostgres() {
		t.Skip("LISTEN/NOTIFY needs PostgreSQL (set " + dbtest.EnvDatabase + ")")
	}
	rs := newReplicas(t, broker.Options{}, broker.Options{PollInterval: time.Minute})
	a, b := rs[0], rs[1]
	s, err := b.b.Subscribe(context.Background(), broker.Position{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	const total = 100
	wantc := make(chan []int64, 1)
	go func() {
		var ids []int64
		defer func() { wantc <- ids }()
		for range total {
			id, err := tryWrite(a.db, 1, "a")
			if err != nil {
				t.Error(err)
				return
			}
			ids = append(ids, id...)
		}
	}()
	got := receive(t, s, 30)
	var killed int
	err = a.db.SQL.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, b.appName).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminating B's listener: %d killed, %v", killed, err)
	}
	got = append(got, receive(t, s, total-30)...)
	if want := <-wantc; !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	eventually(t, "a reconnect to be counted", func() bool { return b.b.Metrics().Reconnects >= 1 })
	// Live again after the reconnect, still without polling.
	id := write(t, a.db, 1, "after")[0]
	if got := receive(t, s, 1); got[0] != id {
		t.Fatalf("got %v, want %d", got, id)
	}
}

// TestCursors checks cursor validation and Latest.
func TestCursors(t *testing.T) {
	r := newReplicas(t, broker.Options{})[0]
	ctx := context.Background()
	if _, err := r.b.Subscribe(ctx, broker.Position{Seq: 1}, nil); !errors.Is(err, broker.ErrUnknownCursor) {
		t.Errorf("cursor on an empty log: %v", err)
	}
	ids := write(t, r.db, 5, "x")
	if latest, err := r.b.Latest(ctx); err != nil || latest != ids[4] {
		t.Errorf("Latest = %d, %v; want %d", latest, err, ids[4])
	}
	for _, after := range []int64{-1, ids[4] + 1} {
		if _, err := r.b.Subscribe(ctx, broker.Position{Seq: after}, nil); !errors.Is(err, broker.ErrUnknownCursor) {
			t.Errorf("cursor %d: %v, want ErrUnknownCursor", after, err)
		}
	}
	// Prune the three oldest (the change policy lets only the workflow's
	// pruning step delete through ent). Pruning stays behind the brokers:
	// rows pruned before a broker read them would look like a hole to it,
	// which is why the retention must exceed the hole watch.
	caughtUp(t, r)
	if _, err := r.db.SQL.Exec(`DELETE FROM changes WHERE id <= ` + strconv.FormatInt(ids[2], 10)); err != nil {
		t.Fatal(err)
	}
	for _, after := range []broker.Position{{Seq: 0}, {Seq: ids[0]}, {Seq: ids[1]}, {Seq: ids[4], Holes: []broker.Range{{ids[1], ids[1]}}}} {
		_, err := r.b.Subscribe(ctx, after, nil)
		var expired *broker.ExpiredCursorError
		if !errors.Is(err, broker.ErrExpiredCursor) || !errors.As(err, &expired) {
			t.Errorf("cursor %v: %v, want ErrExpiredCursor", after, err)
		} else if want := (broker.Position{Seq: ids[2]}); expired.Oldest.String() != want.String() {
			t.Errorf("cursor %v: oldest %v, want %v", after, expired.Oldest, want)
		}
	}
	// A hole at or above the oldest row is no loss.
	s0, err := r.b.Subscribe(ctx, broker.Position{Seq: ids[4], Holes: []broker.Range{{ids[3], ids[3]}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := receive(t, s0, 1); got[0] != ids[3] {
		t.Errorf("replayed %v, want %d", got, ids[3])
	}
	s0.Close()
	s, err := r.b.Subscribe(ctx, broker.Position{Seq: ids[2]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := receive(t, s, 2); !slices.Equal(got, ids[3:]) {
		t.Errorf("replayed %v, want %v", got, ids[3:])
	}
	s2, err := r.b.Subscribe(ctx, broker.Position{Seq: ids[4]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	next := write(t, r.db, 1, "x")
	if got := receive(t, s2, 1); got[0] != next[0] {
		t.Errorf("got %v, want %v", got, next)
	}
	if got := receive(t, s, 1); got[0] != next[0] {
		t.Errorf("got %v, want %v", got, next)
	}
}

// TestNoLeaks subscribes and closes a thousand times, in every way a
// subscription can start and end, while changes are written.
func TestNoLeaks(t *testing.T) {
	// A small buffer and batch, so replays block on full channels and span
	// several reads.
	r := newReplicas(t, broker.Options{PollInterval: 10 * time.Millisecond, BatchSize: 7, Buffer: 16})[0]
	write(t, r.db, 40, "x")
	caughtUp(t, r)
	before := runtime.NumGoroutine()

	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Go(func() {
		for range 300 {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := tryWrite(r.db, 1, "x"); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for i := range 1000 {
		ctx, cancel := context.WithCancel(context.Background())
		var (
			s   *broker.Subscription
			err error
		)
		if i%4 == 0 {
			s, err = r.b.SubscribeFromNow(ctx, nil)
		} else {
			s, err = r.b.Subscribe(ctx, broker.Position{Seq: int64(i % 40)}, nil) // replays
		}
		if err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 0:
			s.Close()
		case 1:
			// Ends by its context, possibly mid-replay.
			if i%2 == 1 {
				<-s.C
			}
			cancel()
			for range s.C {
			}
			if err := s.Err(); !errors.Is(err, context.Canceled) && !errors.Is(err, broker.ErrTooSlow) {
				t.Fatalf("ended with %v", s.Err())
			}
		case 2:
			if i%4 != 0 { // a replay has something to read at once
				<-s.C
			}
			s.Close()
			s.Close()
		}
		cancel()
	}
	close(stop)
	writer.Wait()
	eventually(t, "subscriptions to be released", func() bool { return r.b.Metrics().Subscribers == 0 })
	eventually(t, fmt.Sprintf("goroutines to return to %d", before), func() bool { return runtime.NumGoroutine() <= before })
}

// TestStop: when Run returns, subscriptions end with ErrStopped and new
// ones are refused.
func TestStop(t *testing.T) {
	db := dbtest.Open(t)
	b := broker.New(db, broker.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	ids := write(t, db, 600, "x")
	b.Poke() // db has no WrapDriver
	eventually(t, "the broker to catch up", func() bool { return b.Metrics().Position >= ids[len(ids)-1] })
	live, err := b.SubscribeFromNow(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	replaying, err := b.Subscribe(context.Background(), broker.Position{}, nil) // more than the buffer: blocks in replay
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, s := range []*broker.Subscription{live, replaying} {
		for range s.C {
		}
		if !errors.Is(s.Err(), broker.ErrStopped) {
			t.Errorf("ended with %v", s.Err())
		}
	}
	if _, err := b.Subscribe(context.Background(), broker.Position{}, nil); !errors.Is(err, broker.ErrStopped) {
		t.Errorf("Subscribe after stop: %v", err)
	}
	if err := b.Run(context.Background()); err == nil {
		t.Error("second Run succeeded")
	}
}

// TestWrapDriver: committed transactions that appended changes poke (and on
// PostgreSQL notify, inside the transaction); rolled-back ones and ones
// that appended nothing do not.
func TestWrapDriver(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "wrap.db")
	if onPostgres() {
		dsn = dbtest.DSN(t)
	}
	name := dialect.SQLite
	if store.IsPostgres(dsn) {
		name = dialect.Postgres
	}
	var pokes atomic.Int64
	// One connection, so every statement comes from one backend and its
	// notifications can be told from other tests'.
	db, err := store.Open(dsn, store.Options{MaxOpenConns: 1, WrapDriver: broker.WrapDriver(name, func() { pokes.Add(1) })})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := dbtest.FixtureContext(t)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	var (
		listener *pgx.Conn
		pid      uint32
	)
	if name == dialect.Postgres {
		if listener, err = pgx.Connect(ctx, dsn); err != nil {
			t.Fatal(err)
		}
		defer listener.Close(ctx)
		if _, err := listener.Exec(ctx, "LISTEN "+broker.Channel); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL.QueryRow("SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
	}

	tx, err := db.Client.Tx(ctx) // rolled back
	if err != nil {
		t.Fatal(err)
	}
	newChange(tx.Client(), "x").SaveX(ctx)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if tx, err = db.Client.Tx(ctx); err != nil { // no change appended
		t.Fatal(err)
	}
	tx.Change.Query().CountX(ctx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := pokes.Load(); n != 0 {
		t.Fatalf("%d pokes before any change was committed", n)
	}
	committed := write(t, db, 2, "x")[1]
	if n := pokes.Load(); n != 1 {
		t.Fatalf("%d pokes after one commit", n)
	}
	btx, err := db.Client.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	viaBeginTx := newChange(btx.Client(), "x").SaveX(ctx).ID
	if err := btx.Commit(); err != nil {
		t.Fatal(err)
	}
	autocommit := newChange(db.Client, "x").SaveX(ctx).ID // outside a transaction
	if n := pokes.Load(); n != 3 {
		t.Fatalf("%d pokes after three commits", n)
	}

	if listener == nil {
		return
	}
	for _, want := range []int64{committed, viaBeginTx, autocommit} {
		for {
			wctx, cancel := context.WithTimeout(ctx, wait)
			n, err := listener.WaitForNotification(wctx)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if n.PID != pid {
				continue // another test's
			}
			if n.Payload != strconv.FormatInt(want, 10) {
				t.Fatalf("notification %q, want %d", n.Payload, want)
			}
			break
		}
	}
}
