// Package broker fans committed changes out to subscribers, in sequence
// order, across replicas of the API.
//
// Every committed write appends rows to the change log (the changes table,
// see internal/changelog) in its own transaction; the log, not any message,
// is the source of truth. Each replica runs one Broker whose loop reads the
// log in id order and hands the rows to that replica's subscribers. The loop
// wakes on a local Poke (from WrapDriver, after a commit on this replica), on
// a PostgreSQL notification (a commit on any replica) and on a poll
// interval, so a lost notification only costs latency, never a change.
//
// # Gaps
//
// Ids are drawn when a row is inserted but become visible when its
// transaction commits, so concurrent transactions can make id 5 visible
// before id 4. A reader that advanced past 4 would never see it. The broker
// therefore delivers only contiguous ids: when id pos+1 is missing it holds
// back everything above it until the id appears or Options.GapHold has
// passed since the hole was first seen; then it skips the hole, because a
// rolled-back PostgreSQL transaction leaves a permanent hole in the
// sequence. A transaction that keeps an inserted change uncommitted for
// longer than GapHold loses that change for live subscribers (it remains in
// the log, and Metrics.Skipped counts the holes given up on).
//
// A transaction horizon (skip a hole once pg_snapshot_xmin of the current
// snapshot has passed every transaction that could still fill it) was
// rejected: a sequence value is drawn before the inserting transaction
// necessarily has an xid, so a snapshot taken in between does not list the
// transaction that will fill the hole, and proving a hole permanent would
// need the writer's xid stored in each row (a schema change). The horizon is
// also cluster-wide, so any long transaction, even on another schema, would
// stall delivery, and SQLite has no equivalent. A time bound is simple, the
// same on both dialects, and its cost (a delay of at most GapHold after a
// rollback) is bounded.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Errors a subscription can end with or Subscribe can return.
var (
	// ErrUnknownCursor means the cursor is negative or after the latest
	// change in the log: it was not issued by this log.
	ErrUnknownCursor = errors.New("broker: unknown cursor")
	// ErrExpiredCursor means changes after the cursor have been pruned
	// from the log, so they can no longer be replayed.
	ErrExpiredCursor = errors.New("broker: cursor expired")
	// ErrTooSlow ends a subscription whose queue filled up: the broker never
	// waits for a subscriber.
	ErrTooSlow = errors.New("broker: subscriber too slow")
	// ErrStopped ends subscriptions when the broker's Run returns, and is
	// returned by Subscribe after that.
	ErrStopped = errors.New("broker: stopped")
)

// Options tune a Broker; the zero value is usable on SQLite.
type Options struct {
	// ListenDSN is the PostgreSQL URL the broker LISTENs with, on a
	// dedicated connection outside the pool (store.DB does not keep its
	// DSN). Without it, changes made on other replicas arrive by polling.
	// Ignored on SQLite.
	ListenDSN string
	// PollInterval bounds how long a change can wait if no wake-up arrives;
	// default 1s.
	PollInterval time.Duration
	// GapHold is how long a hole in the sequence holds back the changes
	// above it before it is skipped; default 2s.
	GapHold time.Duration
	// Buffer is each subscriber's queue length; default 256.
	Buffer int
	// BatchSize is how many rows one read of the log returns; default 500.
	BatchSize int
	// Logger receives read and connection errors; nil discards them.
	Logger *slog.Logger
}

// Metrics is a snapshot of a Broker's counters.
type Metrics struct {
	// Subscribers is the number of open subscriptions.
	Subscribers int64
	// Delivered counts changes handed to subscribers, replayed or live.
	Delivered int64
	// DroppedSlow counts subscriptions closed with ErrTooSlow.
	DroppedSlow int64
	// Lag is Seen minus the lowest position among subscribers (the
	// broker's own position when there are none).
	Lag int64
	// Reconnects counts attempts to re-establish the LISTEN connection
	// after it failed or dropped.
	Reconnects int64
	// Seen is the highest sequence number read from the log.
	Seen int64
	// Position is the sequence number up to which the log has been
	// delivered or skipped.
	Position int64
	// Skipped counts sequence numbers given up on after GapHold.
	Skipped int64
}

// Broker reads the change log of one database and delivers it to this
// replica's subscribers. Create it with New and start Run.
type Broker struct {
	db   *store.DB
	opts Options
	log  *slog.Logger

	wake    chan struct{}
	ready   chan struct{} // closed once Run has found its starting position
	halt    chan struct{} // closed when Run returns
	started atomic.Bool

	mu      sync.Mutex
	pos     int64 // every id <= pos has been delivered or skipped
	subs    map[*Subscription]struct{}
	stopped bool
	replays sync.WaitGroup

	// posHint mirrors pos for the listener, which must not take mu.
	posHint     atomic.Int64
	seen        atomic.Int64
	delivered   atomic.Int64
	droppedSlow atomic.Int64
	reconnects  atomic.Int64
	skipped     atomic.Int64
}

// New returns a broker for db; it does nothing until Run is called.
func New(db *store.DB, opts Options) *Broker {
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.GapHold <= 0 {
		opts.GapHold = 2 * time.Second
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Broker{
		db:    db,
		opts:  opts,
		log:   log,
		wake:  make(chan struct{}, 1),
		ready: make(chan struct{}),
		halt:  make(chan struct{}),
		subs:  make(map[*Subscription]struct{}),
	}
}

// Poke wakes the loop to read the log now. It never blocks, and wake-ups
// coalesce; it is safe on a nil Broker, so it can be handed to WrapDriver
// before the Broker exists.
func (b *Broker) Poke() {
	if b == nil {
		return
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Run reads the log and delivers it until ctx is done, then closes every
// subscription with ErrStopped and returns nil. Database errors are logged
// and retried at the poll interval. Run may be called once.
func (b *Broker) Run(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("broker: Run called twice")
	}
	defer b.stop()
	timer := time.NewTimer(b.opts.PollInterval)
	defer timer.Stop()
	r := &reader{}
	for {
		pos, seen, err := b.start(ctx)
		if err == nil {
			r.pos = pos
			b.mu.Lock()
			b.pos = pos
			b.mu.Unlock()
			b.posHint.Store(pos)
			b.seen.Store(seen)
			break
		}
		b.log.Error("broker: reading the change log", "err", err)
		timer.Reset(b.opts.PollInterval)
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
	}
	close(b.ready)

	var listener sync.WaitGroup
	defer listener.Wait()
	if b.db.Dialect == dialect.Postgres {
		if b.opts.ListenDSN != "" {
			listener.Go(func() { b.listen(ctx) })
		} else {
			b.log.Warn("broker: no ListenDSN, changes made on other replicas arrive by polling", "interval", b.opts.PollInterval)
		}
	}
	for {
		hold := b.catchUp(ctx, r)
		wait := b.opts.PollInterval
		if !hold.IsZero() {
			wait = min(wait, max(time.Until(hold), time.Millisecond))
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-b.wake:
		case <-timer.C:
		}
	}
}

// start finds where live delivery begins: after the newest change, except
// that holes among the newest rows may be transactions still in flight (on
// this or another replica), so the position starts below the lowest such
// hole and the hole is held like any other.
func (b *Broker) start(ctx context.Context) (pos, seen int64, err error) {
	ids, err := b.db.Client.Change.Query().Order(change.ByID(entsql.OrderDesc())).
		Limit(b.opts.BatchSize).IDs(viewer.SystemContext(ctx))
	if err != nil || len(ids) == 0 {
		return 0, 0, err
	}
	seen = ids[0]
	pos = seen
	for i := len(ids) - 1; i > 0; i-- { // ascending
		if ids[i-1] != ids[i]+1 {
			pos = ids[i]
			break
		}
	}
	return pos, seen, nil
}

// reader is the loop's private state.
type reader struct {
	pos int64
	// seen lists, in increasing order of id, the highest id returned by a
	// read and when: a missing id m was first known missing at the first
	// read that returned an id above m, which is when its hold starts.
	seen []sighting
}

type sighting struct {
	id int64
	at time.Time
}

// missingSince returns when id was first known to be missing.
func (r *reader) missingSince(id int64, now time.Time) time.Time {
	for _, s := range r.seen {
		if s.id > id {
			return s.at
		}
	}
	return now
}

// catchUp reads and delivers the log up to its end or to a held hole, and
// returns when that hole's hold expires (zero if none is held).
func (b *Broker) catchUp(ctx context.Context, r *reader) time.Time {
	for {
		rows, err := b.db.Client.Change.Query().Where(change.IDGT(r.pos)).
			Order(change.ByID()).Limit(b.opts.BatchSize).All(viewer.SystemContext(ctx))
		if err != nil {
			if ctx.Err() == nil {
				b.log.Error("broker: reading the change log", "err", err)
			}
			return time.Time{}
		}
		now := time.Now()
		if n := len(rows); n > 0 && (len(r.seen) == 0 || rows[n-1].ID > r.seen[len(r.seen)-1].id) {
			r.seen = append(r.seen, sighting{id: rows[n-1].ID, at: now})
			if rows[n-1].ID > b.seen.Load() {
				b.seen.Store(rows[n-1].ID)
			}
		}
		var (
			hold time.Time
			out  = rows[:0:0]
			p    = r.pos
		)
		for _, c := range rows {
			if c.ID > p+1 {
				if until := r.missingSince(p+1, now).Add(b.opts.GapHold); now.Before(until) {
					hold = until
					break
				}
				b.skipped.Add(c.ID - p - 1)
				b.log.Warn("broker: skipping a hole in the change log", "from", p+1, "to", c.ID-1)
			}
			out = append(out, c)
			p = c.ID
		}
		if p > r.pos {
			b.deliver(out, p)
			r.pos = p
			i := 0
			for i < len(r.seen) && r.seen[i].id <= p {
				i++
			}
			r.seen = r.seen[i:]
		}
		if !hold.IsZero() || len(rows) < b.opts.BatchSize {
			return hold
		}
	}
}

// deliver hands rows to every subscriber without ever waiting, and moves
// the position to pos.
func (b *Broker) deliver(rows []*ent.Change, pos int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range rows {
		for s := range b.subs {
			if c.ID <= s.after || !s.match(c) {
				continue
			}
			if !s.live {
				// Still replaying: queue behind the replay, within the
				// same bound as the channel.
				if len(s.backlog) >= b.opts.Buffer {
					b.dropSlow(s)
					continue
				}
				s.backlog = append(s.backlog, c)
				continue
			}
			select {
			case s.out <- c:
				b.delivered.Add(1)
				s.wake()
			default:
				b.dropSlow(s)
			}
		}
	}
	b.pos = pos
	b.posHint.Store(pos)
}

func (b *Broker) dropSlow(s *Subscription) {
	b.droppedSlow.Add(1)
	s.finish(ErrTooSlow)
}

// stop ends every subscription once Run returns.
func (b *Broker) stop() {
	b.mu.Lock()
	b.stopped = true
	for s := range b.subs {
		s.finish(ErrStopped)
	}
	b.mu.Unlock()
	close(b.halt)
	b.replays.Wait()
}

// Latest returns the highest sequence number in the log (0 when empty): a
// cursor from which only newer changes will be replayed.
func (b *Broker) Latest(ctx context.Context) (int64, error) {
	id, err := b.db.Client.Change.Query().Order(change.ByID(entsql.OrderDesc())).FirstID(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	return id, err
}

// oldest returns the lowest sequence number still in the log (0 when empty).
func (b *Broker) oldest(ctx context.Context) (int64, error) {
	id, err := b.db.Client.Change.Query().Order(change.ByID()).FirstID(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	return id, err
}

// Metrics returns a snapshot of the broker's counters.
func (b *Broker) Metrics() Metrics {
	b.mu.Lock()
	pos, low, n := b.pos, b.pos, len(b.subs)
	for s := range b.subs {
		if !s.live {
			low = min(low, s.cursor.Load())
		}
	}
	b.mu.Unlock()
	seen := max(b.seen.Load(), pos)
	return Metrics{
		Subscribers: int64(n),
		Delivered:   b.delivered.Load(),
		DroppedSlow: b.droppedSlow.Load(),
		Lag:         seen - low,
		Reconnects:  b.reconnects.Load(),
		Seen:        seen,
		Position:    pos,
		Skipped:     b.skipped.Load(),
	}
}

// awaitReady waits until Run knows its position.
func (b *Broker) awaitReady(ctx context.Context) error {
	select {
	case <-b.ready:
		return nil
	case <-b.halt:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Subscribe returns the changes after cursor after for which match reports
// true: first those already in the log, then live ones as they commit, each
// once and in order. after 0 replays the whole log (if none was pruned); use
// SubscribeFromNow for live changes only. It waits until Run has started.
// match is called from the broker's goroutines, possibly concurrently, and
// must be fast; nil matches everything. The subscription ends when ctx is
// done or Close is called.
func (b *Broker) Subscribe(ctx context.Context, after int64, match func(*ent.Change) bool) (*Subscription, error) {
	if after < 0 {
		return nil, fmt.Errorf("%w: %d", ErrUnknownCursor, after)
	}
	if err := b.awaitReady(ctx); err != nil {
		return nil, err
	}
	// Validated against the log rather than this broker's position: a
	// cursor issued by a replica that is slightly ahead is still valid.
	latest, err := b.Latest(ctx)
	if err != nil {
		return nil, err
	}
	if after > latest {
		return nil, fmt.Errorf("%w: %d is after the latest change %d", ErrUnknownCursor, after, latest)
	}
	oldest, err := b.oldest(ctx)
	if err != nil {
		return nil, err
	}
	if oldest > 0 && after < oldest-1 {
		return nil, fmt.Errorf("%w: changes before %d were pruned", ErrExpiredCursor, oldest)
	}
	return b.subscribe(ctx, after, false, match)
}

// SubscribeFromNow is Subscribe for the changes the broker delivers from
// now on, without replay. "Now" is the broker's position, which trails the
// latest commit by a read: the stream may start with changes committed just
// before the call, but never misses one committed after it (unlike
// Subscribe(Latest()), which would miss a change that fills an older hole).
func (b *Broker) SubscribeFromNow(ctx context.Context, match func(*ent.Change) bool) (*Subscription, error) {
	if err := b.awaitReady(ctx); err != nil {
		return nil, err
	}
	return b.subscribe(ctx, 0, true, match)
}

// subscribe registers a subscriber at the broker's current position, under
// the lock that delivery takes: rows up to that position come from the log
// (replay), rows above it from the loop, so the seam has neither a gap nor
// a duplicate.
func (b *Broker) subscribe(ctx context.Context, after int64, fromNow bool, match func(*ent.Change) bool) (*Subscription, error) {
	if match == nil {
		match = func(*ent.Change) bool { return true }
	}
	out := make(chan *ent.Change, b.opts.Buffer)
	s := &Subscription{C: out, b: b, out: out, match: match, done: make(chan struct{})}
	replayCtx, cancel := context.WithCancel(viewer.SystemContext(ctx))
	s.cancel = cancel

	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		cancel()
		return nil, ErrStopped
	}
	upTo := b.pos
	if fromNow {
		after = upTo
	}
	s.after = after
	if after >= upTo {
		s.live = true
	} else {
		s.replaying = make(chan struct{})
		s.cursor.Store(after)
		b.replays.Add(1)
	}
	b.subs[s] = struct{}{}
	s.stopCtx = context.AfterFunc(ctx, func() {
		b.mu.Lock()
		s.finish(context.Cause(ctx))
		b.mu.Unlock()
	})
	b.mu.Unlock()

	if s.replaying != nil {
		go b.replay(replayCtx, s, upTo)
	}
	return s, nil
}

// replay sends the matching rows in (s.after, upTo] from the log, then what
// the loop queued meanwhile, and finally turns the subscription live so the
// loop sends to it directly. While replaying it owns s.out.
func (b *Broker) replay(ctx context.Context, s *Subscription, upTo int64) {
	defer b.replays.Done()
	defer close(s.replaying)
	send := func(c *ent.Change) bool {
		select {
		case s.out <- c:
			b.delivered.Add(1)
			s.wake()
			return true
		case <-s.done:
			return false
		}
	}
	for cur := s.after; cur < upTo; {
		rows, err := b.db.Client.Change.Query().Where(change.IDGT(cur), change.IDLTE(upTo)).
			Order(change.ByID()).Limit(b.opts.BatchSize).All(ctx)
		if err != nil {
			b.mu.Lock()
			s.finish(fmt.Errorf("broker: replaying the change log: %w", err))
			b.mu.Unlock()
			s.closeOut()
			return
		}
		for _, c := range rows {
			if s.match(c) && !send(c) {
				s.closeOut()
				return
			}
			cur = c.ID
			s.cursor.Store(cur)
		}
		if len(rows) < b.opts.BatchSize {
			break
		}
	}
	s.cursor.Store(upTo)
	for {
		b.mu.Lock()
		if s.closed {
			b.mu.Unlock()
			s.closeOut()
			return
		}
		queued := s.backlog
		s.backlog = nil
		if len(queued) == 0 {
			s.live = true
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		for _, c := range queued {
			if !send(c) {
				s.closeOut()
				return
			}
			s.cursor.Store(c.ID)
		}
	}
}

// Subscription is one subscriber's stream of changes.
type Subscription struct {
	// C delivers the changes in sequence order. It is closed when the
	// subscription ends; Err then says why.
	C <-chan *ent.Change

	b      *Broker
	out    chan *ent.Change
	match  func(*ent.Change) bool
	after  int64
	cancel context.CancelFunc // aborts replay queries
	// cursor is the replay's progress, for Metrics.Lag.
	cursor atomic.Int64
	// replaying is closed when the replay goroutine has exited; nil if
	// the subscription started live.
	replaying chan struct{}

	// notify, if set, is called after each change queued on out and after
	// out is closed.
	notify atomic.Pointer[func()]

	// Guarded by b.mu.
	live    bool // the loop sends to out; otherwise the replay does
	backlog []*ent.Change
	closed  bool
	err     error
	done    chan struct{} // closed on finish, to stop the replay
	stopCtx func() bool
}

// finish ends the subscription with err; b.mu must be held. Whoever sends to
// out closes it: the loop's side here when live, the replay goroutine
// otherwise.
func (s *Subscription) finish(err error) {
	if s.closed {
		return
	}
	s.closed = true
	s.err = err
	s.backlog = nil
	delete(s.b.subs, s)
	close(s.done)
	if s.live {
		s.closeOut()
	}
	s.cancel()
	s.stopCtx()
}

func (s *Subscription) closeOut() {
	close(s.out)
	s.wake()
}

func (s *Subscription) wake() {
	if f := s.notify.Load(); f != nil {
		(*f)()
	}
}

// Notify has f called whenever a change is queued on C and when C is
// closed, and once now for what may already be queued, so that a consumer
// can wait for many subscriptions without a goroutine parked on each C.
// f is called from the broker's loop, possibly with its lock held: it must
// return at once and must not call the broker.
func (s *Subscription) Notify(f func()) {
	s.notify.Store(&f)
	f()
}

// Err returns why the subscription ended: nil while it is open or after
// Close, ErrTooSlow, ErrStopped, the context's error, or a database error.
func (s *Subscription) Err() error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.err
}

// Close ends the subscription and releases its resources; C is closed by
// the time it returns. It is safe to call more than once.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	s.finish(nil)
	s.b.mu.Unlock()
	if s.replaying != nil {
		<-s.replaying
	}
}
