// Package broker fans committed changes out to subscribers across replicas
// of the API: in sequence order, and a change that commits late is still
// delivered.
//
// Every committed write appends rows to the change log (the changes table,
// see internal/changelog) in its own transaction; the log, not any message,
// is the source of truth. Each replica runs one Broker whose loop reads the
// log in id order and hands the rows to that replica's subscribers. The loop
// wakes on a local Poke (from WrapDriver, after a commit on this replica), on
// a PostgreSQL notification (a commit on any replica) and on a poll
// interval, so a lost notification only costs latency, never a change.
//
// # Holes
//
// Ids are drawn when a row is inserted but become visible when its
// transaction commits, so concurrent transactions can make id 5 visible
// before id 4. When id pos+1 is missing the broker first holds back
// everything above it, for up to Options.GapHold, so that the usual case (a
// commit a few milliseconds behind another) is still delivered in order.
// After the hold it delivers the ids above and watches the hole: each read
// of the log also asks, in one query, for the rows of every watched hole,
// and a row that appears in one is delivered late, out of sequence order
// (Metrics.Late). Positions (see Position) list the holes, so a subscriber
// who resumes from one is replayed what filled them meanwhile.
//
// A rolled-back PostgreSQL transaction leaves a permanent hole, so watching
// must end. On PostgreSQL a hole is retired once it is proved empty: when
// it has been held, the broker notes the xmax of a fresh snapshot (every
// transaction that had drawn the id has an xid below it by then: change
// rows are written after the transaction's first write, or by the INSERT
// that assigns its xid, and the hold is seconds), and once the xmin of a
// later snapshot has passed that xmax, every such transaction has ended, so
// a hole still empty after that will stay empty. Usually that is a moment
// after the hold. (The same horizon cannot replace the hold itself: it
// would hold delivery back behind any long transaction on the cluster, and
// needs the GapHold delay to be sure of the xid.) SQLite has no holes to
// fill: writers are serialised and draw their ids under the write lock,
// and a rolled-back id is reused, so a hole there is made by hand and is
// dropped after Options.HoleWatch. Options.HoleWatch (an hour) and MaxHoles
// also bound the watch on PostgreSQL, for a horizon held back by a
// transaction that stays open longer; a hole given up on without proof is
// logged as an error and counted in Metrics.Abandoned.
//
// Holes older than the newest Options.BatchSize rows when the broker
// starts are taken as settled: a restart forgets the holes it watched.
//
// # Pruning
//
// The log is pruned from its start (--change-retention, see
// workflow.PruneChanges): rows older than the retention are deleted, the
// newest row never. Subscribe refuses a position that has not seen every
// id below the oldest row left with an *ExpiredCursorError naming the
// oldest position still resumable. The retention must be longer than
// twice Options.HoleWatch (a hole's watch plus the longest transaction):
// the broker's own position, and so a query's cursor (Settled), then
// never has a hole below the oldest row.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Errors a subscription can end with or Subscribe can return.
var (
	// ErrUnknownCursor means the position is malformed or after the latest
	// change in the log: it was not issued by this log.
	ErrUnknownCursor = errors.New("broker: unknown cursor")
	// ErrExpiredCursor means changes after the position's low-water mark
	// have been pruned from the log, so they can no longer be replayed.
	// Subscribe returns it as an *ExpiredCursorError, which says where the
	// log now starts.
	ErrExpiredCursor = errors.New("broker: cursor expired")
	// ErrTooSlow ends a subscription whose queue filled up: the broker never
	// waits for a subscriber.
	ErrTooSlow = errors.New("broker: subscriber too slow")
	// ErrStopped ends subscriptions when the broker's Run returns, and is
	// returned by Subscribe after that.
	ErrStopped = errors.New("broker: stopped")
)

// ExpiredCursorError is ErrExpiredCursor (errors.Is matches it) with the
// oldest position a subscriber may still resume from.
type ExpiredCursorError struct {
	// Oldest is just before the oldest change the log holds: resuming
	// from it replays everything the log still has.
	Oldest Position
}

func (e *ExpiredCursorError) Error() string {
	return fmt.Sprintf("%v: the changes up to %d were pruned", ErrExpiredCursor, e.Oldest.Seq)
}

// Is makes errors.Is(err, ErrExpiredCursor) true.
func (e *ExpiredCursorError) Is(target error) bool { return target == ErrExpiredCursor }

// DefaultHoleWatch is Options.HoleWatch's default: longer than any
// transaction should run.
const DefaultHoleWatch = time.Hour

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
	// above it before they are delivered and the hole is watched instead;
	// default 2s.
	GapHold time.Duration
	// HoleWatch is how long a hole is watched at most (see the package
	// comment); default DefaultHoleWatch.
	HoleWatch time.Duration
	// Buffer is each subscriber's queue length; default 256.
	Buffer int
	// BatchSize is how many rows one read of the log returns; default 500.
	BatchSize int
	// Logger receives read and connection errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock the holds and the watch are timed by; nil is
	// time.Now.
	Now func() time.Time
}

// Metrics is a snapshot of a Broker's counters.
type Metrics struct {
	// Subscribers is the number of open subscriptions.
	Subscribers int64
	// Delivered counts changes handed to subscribers, replayed or live.
	Delivered int64
	// DroppedSlow counts subscriptions closed with ErrTooSlow (which the
	// live layer resumes from the log: Subscription.Resume).
	DroppedSlow int64
	// Lag is Seen minus the lowest position among subscribers (the
	// broker's own position when there are none).
	Lag int64
	// Reconnects counts attempts to re-establish the LISTEN connection
	// after it failed or dropped.
	Reconnects int64
	// Seen is the highest sequence number read from the log.
	Seen int64
	// Position is the highest sequence number delivered; those below it
	// are delivered, or watched (Holes), or settled.
	Position int64
	// Skipped counts sequence numbers passed over after GapHold, to be
	// watched.
	Skipped int64
	// Holes is how many sequence numbers are watched now.
	Holes int64
	// Late counts changes read from a watched hole: committed after
	// changes with higher ids were delivered, and delivered then.
	Late int64
	// Abandoned counts sequence numbers no longer watched without proof
	// that they stay empty (see the package comment).
	Abandoned int64
}

// Delivery is a change handed to a subscriber, with where the subscriber
// stands once it has handled it.
type Delivery struct {
	*ent.Change
	// After is the position to resume from once this change and those
	// before it are handled.
	After Position
	// Late is set on a change delivered after changes with higher ids.
	Late bool
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
	pos     Position // every id up to pos.Seq, except pos.Holes, is settled
	subs    map[*Subscription]struct{}
	stopped bool
	replays sync.WaitGroup

	// posHint mirrors pos.Low() for the listener, which must not take mu.
	posHint     atomic.Int64
	seen        atomic.Int64
	delivered   atomic.Int64
	droppedSlow atomic.Int64
	reconnects  atomic.Int64
	skipped     atomic.Int64
	holes       atomic.Int64
	late        atomic.Int64
	abandoned   atomic.Int64
}

// New returns a broker for db; it does nothing until Run is called.
func New(db *store.DB, opts Options) *Broker {
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.GapHold <= 0 {
		opts.GapHold = 2 * time.Second
	}
	if opts.HoleWatch <= 0 {
		opts.HoleWatch = DefaultHoleWatch
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.Now == nil {
		opts.Now = time.Now
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
			r.pos = Position{Seq: pos}
			if seen > pos {
				// The start-up read has seen the ids above the hole it
				// starts below, so the hold runs from now, before Seen
				// says the broker has read them; the first read of the
				// loop may come a while later.
				r.seen = []sighting{{id: seen, at: b.opts.Now()}}
			}
			b.mu.Lock()
			b.setPos(r.pos)
			b.mu.Unlock()
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
			wait = min(wait, max(hold.Sub(b.opts.Now()), time.Millisecond))
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
	pos Position
	// seen lists, in increasing order of id, the highest id returned by a
	// read (the start-up read included) and when: a missing id m was first
	// known missing at the first read that returned an id above m, which is
	// when its hold starts.
	seen []sighting
	// watch is the holes below pos.Seq, in increasing order; pos.Holes
	// lists the same ranges.
	watch []watched
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
// returns when that hole's hold expires (zero if none is held). Watched
// holes are looked at first.
func (b *Broker) catchUp(ctx context.Context, r *reader) time.Time {
	if err := b.checkHoles(ctx, r); err != nil {
		if ctx.Err() == nil {
			b.log.Error("broker: reading the holes in the change log", "err", err)
		}
		return time.Time{}
	}
	for {
		rows, err := b.db.Client.Change.Query().Where(change.IDGT(r.pos.Seq)).
			Order(change.ByID()).Limit(b.opts.BatchSize).All(viewer.SystemContext(ctx))
		if err != nil {
			if ctx.Err() == nil {
				b.log.Error("broker: reading the change log", "err", err)
			}
			return time.Time{}
		}
		now := b.opts.Now()
		if n := len(rows); n > 0 && (len(r.seen) == 0 || rows[n-1].ID > r.seen[len(r.seen)-1].id) {
			r.seen = append(r.seen, sighting{id: rows[n-1].ID, at: now})
			if rows[n-1].ID > b.seen.Load() {
				b.seen.Store(rows[n-1].ID)
			}
		}
		var (
			hold time.Time
			out  = make([]*Delivery, 0, len(rows))
			pos  = r.pos
		)
		for _, c := range rows {
			if c.ID > pos.Seq+1 {
				since := r.missingSince(pos.Seq+1, now)
				if until := since.Add(b.opts.GapHold); now.Before(until) {
					hold = until
					break
				}
				pos.Holes = r.watchHole(b, Range{pos.Seq + 1, c.ID - 1}, since)
				b.skipped.Add(c.ID - pos.Seq - 1)
				b.log.Info("broker: delivering past a hole in the change log, and watching it", "from", pos.Seq+1, "to", c.ID-1)
			}
			pos.Seq = c.ID
			out = append(out, &Delivery{Change: c, After: pos})
		}
		if pos.Seq > r.pos.Seq {
			r.pos = pos
			b.deliver(out, pos)
			i := 0
			for i < len(r.seen) && r.seen[i].id <= pos.Seq {
				i++
			}
			r.seen = r.seen[i:]
		}
		if !hold.IsZero() || len(rows) < b.opts.BatchSize {
			return hold
		}
	}
}

// deliver hands deliveries to every subscriber without ever waiting, and
// moves the position to pos.
func (b *Broker) deliver(ds []*Delivery, pos Position) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range ds {
		for s := range b.subs {
			if !s.match(d.Change) {
				continue
			}
			sd := d
			if s.want != nil {
				if !s.want.unseen(d.ID) {
					continue
				}
				sd = &Delivery{Change: d.Change, After: meet(*s.want, d.After), Late: d.Late}
			}
			if !s.live {
				// Still replaying: queue behind the replay, within the
				// same bound as the channel.
				if len(s.backlog) >= b.opts.Buffer {
					b.dropSlow(s)
					continue
				}
				s.backlog = append(s.backlog, sd)
				continue
			}
			select {
			case s.out <- sd:
				b.delivered.Add(1)
				s.wake()
			default:
				b.dropSlow(s)
			}
		}
	}
	b.setPos(pos)
}

// setPos moves the position; b.mu must be held. A subscriber that resumed
// from a position the broker had not reached yet needs its own positions
// (and filter) only until the broker's has caught up with it.
func (b *Broker) setPos(pos Position) {
	b.pos = pos
	b.posHint.Store(pos.Low())
	for s := range b.subs {
		if s.want != nil && covers(*s.want, pos) {
			s.want = nil
		}
	}
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

// Latest returns the highest sequence number in the log (0 when empty).
func (b *Broker) Latest(ctx context.Context) (int64, error) {
	id, err := b.db.Client.Change.Query().Order(change.ByID(entsql.OrderDesc())).FirstID(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	return id, err
}

// Settled returns the broker's position once Run has found it: every
// change up to its low-water mark (Position.Low) has committed or never
// will, so any snapshot of the database taken after the call shows them
// all. A query's cursor starts from it (see Reflected).
func (b *Broker) Settled(ctx context.Context) (Position, error) {
	if err := b.awaitReady(ctx); err != nil {
		return Position{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return Position{Seq: b.pos.Seq, Holes: slices.Clone(b.pos.Holes)}, nil
}

// oldest returns the lowest sequence number still in the log (0 when
// empty). Pruning deletes a prefix of the log and never its newest row, so
// ids missing just below it are pruned or never committed: either way
// nothing a subscriber could still get.
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
	pos, n := b.pos.Seq, len(b.subs)
	low := pos
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
		Holes:       b.holes.Load(),
		Late:        b.late.Load(),
		Abandoned:   b.abandoned.Load(),
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

// Subscribe returns the changes still to come at from for which match
// reports true: first those already settled in the log, then the others as
// they commit, each once. They come in sequence order, except that a change
// which commits late (see the package comment) comes when it commits; each
// Delivery carries the position to resume from after it. The zero Position
// replays the whole log (if none was pruned); use SubscribeFromNow for live
// changes only. It waits until Run has started. match is called from the
// broker's goroutines, possibly concurrently, and must be fast; nil matches
// everything. The subscription ends when ctx is done or Close is called.
func (b *Broker) Subscribe(ctx context.Context, from Position, match func(*ent.Change) bool) (*Subscription, error) {
	if err := from.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnknownCursor, err)
	}
	if err := b.awaitReady(ctx); err != nil {
		return nil, err
	}
	if err := b.check(ctx, from); err != nil {
		return nil, err
	}
	return b.subscribe(ctx, from, false, match)
}

// SubscribeFromNow is Subscribe for the changes the broker delivers from
// now on, without replay. "Now" is the broker's position, which trails the
// latest commit by a read: the stream may start with changes committed just
// before the call, but never misses one committed after it, even one that
// fills an older hole.
func (b *Broker) SubscribeFromNow(ctx context.Context, match func(*ent.Change) bool) (*Subscription, error) {
	if err := b.awaitReady(ctx); err != nil {
		return nil, err
	}
	return b.subscribe(ctx, Position{}, true, match)
}

// subscribe registers a subscriber at the broker's current position, under
// the lock that delivery takes: what from misses that the position has
// settled comes from the log (replay), the rest from the loop, so the seam
// has neither a gap nor a duplicate.
func (b *Broker) subscribe(ctx context.Context, from Position, fromNow bool, match func(*ent.Change) bool) (*Subscription, error) {
	if match == nil {
		match = func(*ent.Change) bool { return true }
	}
	out := make(chan *Delivery, b.opts.Buffer)
	s := &Subscription{C: out, b: b, out: out, match: match, done: make(chan struct{}), start: from}
	replayCtx, cancel := context.WithCancel(viewer.SystemContext(ctx))
	s.cancel = cancel

	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		cancel()
		return nil, ErrStopped
	}
	at := b.pos
	if fromNow {
		from = at
		s.start = at
	}
	if !covers(from, at) {
		// from has seen changes the broker has not delivered yet (a
		// cursor from a replica ahead of this one): they must not come
		// twice.
		s.want = &from
	}
	replay := missed(from, at)
	if len(replay) == 0 {
		s.live = true
	} else {
		s.replaying = make(chan struct{})
		s.cursor.Store(from.Low())
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
		go b.replay(replayCtx, s, from, at, replay)
	}
	return s, nil
}

// inRanges matches the ids above after that lie in set; ok is false when
// there are none.
func inRanges(after int64, set []Range) (p predicate.Change, ok bool) {
	var ors []predicate.Change
	for _, r := range set {
		switch {
		case r.To <= after:
		case r.From == r.To:
			ors = append(ors, change.ID(r.From))
		default:
			ors = append(ors, change.And(change.IDGTE(max(r.From, after+1)), change.IDLTE(r.To)))
		}
	}
	if len(ors) == 0 {
		return nil, false
	}
	return change.And(change.IDGT(after), change.Or(ors...)), true
}

// replay sends the matching rows in set (the ids from has not seen and at
// has settled), in id order, then what the loop queued meanwhile, and
// finally turns the subscription live so the loop sends to it directly.
// While replaying it owns s.out.
func (b *Broker) replay(ctx context.Context, s *Subscription, from, at Position, set []Range) {
	defer b.replays.Done()
	defer close(s.replaying)
	send := func(d *Delivery) bool {
		select {
		case s.out <- d:
			b.delivered.Add(1)
			s.wake()
			return true
		case <-s.done:
			return false
		}
	}
	for cur := int64(0); ; {
		rows, ok, err := readSet(ctx, b.db.Client, set, cur, nil, b.opts.BatchSize)
		if !ok {
			break
		}
		if err != nil {
			b.mu.Lock()
			s.finish(fmt.Errorf("broker: replaying the change log: %w", err))
			b.mu.Unlock()
			s.closeOut()
			return
		}
		for _, c := range rows {
			cur = c.ID
			s.cursor.Store(cur)
			if !s.match(c) {
				continue
			}
			// Every id of set up to this one is handled: delivered, not
			// wanted, or settled as empty.
			after := without(from, intersect(set, []Range{{1, cur}}))
			if !send(&Delivery{Change: c, After: after}) {
				s.closeOut()
				return
			}
		}
		if len(rows) < b.opts.BatchSize {
			break
		}
	}
	s.cursor.Store(at.Seq)
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
		for _, d := range queued {
			if !send(d) {
				s.closeOut()
				return
			}
			s.cursor.Store(max(s.cursor.Load(), d.ID))
		}
	}
}

// Subscription is one subscriber's stream of changes.
type Subscription struct {
	// C delivers the changes, in sequence order except for late ones (see
	// Subscribe). It is closed when the subscription ends; Err then says
	// why.
	C <-chan *Delivery

	b      *Broker
	out    chan *Delivery
	match  func(*ent.Change) bool
	start  Position           // where the subscriber began: its cursor, or the broker's position
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
	live bool // the loop sends to out; otherwise the replay does
	// want, while set, is where the subscriber resumed from, which is
	// ahead of the broker in places: only what it has not seen is sent.
	want    *Position
	backlog []*Delivery
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

// Start is the position the subscription began at: the cursor it was
// given, or the broker's position for SubscribeFromNow.
func (s *Subscription) Start() Position { return s.start }

// Resume subscribes again with the same filter after the position from,
// the After of the last delivery the subscriber handled (or Start when it
// handled none). A subscriber ended with ErrTooSlow uses it to catch up from
// the change log at its own pace instead of losing the changes it missed.
func (s *Subscription) Resume(ctx context.Context, from Position) (*Subscription, error) {
	return s.b.Subscribe(ctx, from, s.match)
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
