package live

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/viewer"
)

// A socket authenticates once, at connection_init, but what it may see
// changes while it is open: a role ends, a token is revoked or expires. So
// every delivery is decided with the viewer as it is at that moment.
//
// Each replica keeps one current viewer per credential (an API token, or a
// person signed in with OIDC), shared by every socket and subscription of
// that credential on the replica (Attach), and follows the change log to
// keep it current: one subscription of its own, which reads every change
// as the broker hands it over (Notify, no goroutine), notes those that can
// change a viewer — a role's change, a credential's change (a revoked token
// writes one on the private credential topic) — and a worker applies them:
// one query to learn whose roles changed, then one reload per affected
// person, not per subscription. Holding nothing else costs a delivery no
// query at all.
//
// Order matters: a role change precedes, in the log, the items that must be
// rendered without it. Before a pump renders change N, its credential's
// viewer must reflect every role and credential change up to N; a pump
// that gets there first parks (no goroutine) until the worker has applied
// them, and is woken then. A credential found revoked or expired ends the
// contexts of its sockets, which close with 4403 (see internal/transport/ws).

// Clock is the time source of credential expiry: the system's, unless a
// test moves time by hand.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed; stop
	// cancels that unless it already happened.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Causes with which a credential's context ends.
var (
	// ErrRevoked ends the sockets of a credential that was revoked (or
	// is gone) while they were open.
	ErrRevoked = errors.New("live: the credential was revoked")
	// ErrExpired ends the sockets of a credential once it expires.
	ErrExpired = errors.New("live: the credential has expired")
	// errStopped refuses new sockets once the broker has stopped.
	errStopped = errors.New("live: the change broker has stopped")
)

// credentials is the replica's current viewers, by credential.
type credentials struct {
	client *ent.Client
	broker *broker.Broker
	clock  Clock
	// ctx ends when the watch ends (the broker stopped); it bounds the
	// worker's loads and their retries.
	ctx  context.Context
	stop context.CancelFunc

	// watchMu serialises starting the watch.
	watchMu sync.Mutex

	// through is the last change the watch has read; block is the lowest
	// change noted but not applied yet (MaxInt64 when none). See readyFor.
	// Written under mu, read without it on the pumps' fast path.
	through, block atomic.Int64
	// own is 1 while the watch's broker subscription is open or opening.
	own atomic.Int64

	mu       sync.Mutex
	watching bool
	stopped  bool
	byKey    map[string]*credential
	byUser   map[pulid.ID]map[*credential]struct{}
	pending  []*ent.Change // noted, in order, not applied yet
	working  bool          // a worker applies pending
	waiters  map[waiter]*ent.Change
	gen      int64 // counts viewer loads, so an older one never overwrites a newer one
}

// credential is one credential's shared, current viewer.
type credential struct {
	key    string
	userID pulid.ID
	token  *viewer.Token // nil for a person signed in with OIDC
	live   *viewer.Live
	// loaded is closed once the first load after Attach is done.
	loaded chan struct{}

	// Guarded by credentials.mu.
	holds   map[*hold]struct{}
	applied int64 // gen of the load live holds
}

// hold is one socket's use of a credential.
type hold struct {
	cs     *credentials
	cred   *credential
	cancel context.CancelCauseFunc
	// stop cancels the expiry timer; guarded by credentials.mu.
	stop func() bool
}

// waiter is a pump parked until the viewers are current.
type waiter interface{ wake() }

func newCredentials(c *ent.Client, b *broker.Broker, clock Clock) *credentials {
	if clock == nil {
		clock = systemClock{}
	}
	cs := &credentials{client: c, broker: b, clock: clock,
		byKey: map[string]*credential{}, byUser: map[pulid.ID]map[*credential]struct{}{}, waiters: map[waiter]*ent.Change{}}
	cs.ctx, cs.stop = context.WithCancel(viewer.SystemContext(context.Background()))
	cs.block.Store(math.MaxInt64)
	return cs
}

type holdKey struct{}

// holdFrom returns the hold Attach put in ctx, if it is one of cs's.
func (cs *credentials) holdFrom(ctx context.Context) *hold {
	if h, ok := ctx.Value(holdKey{}).(*hold); ok && h.cs == cs {
		return h
	}
	return nil
}

func keyOf(v *viewer.Viewer) string {
	if v.Token != nil {
		return "token:" + string(v.Token.ID)
	}
	return "user:" + string(v.UserID)
}

// attach implements Source.Attach for a signed-in viewer.
func (cs *credentials) attach(ctx context.Context, v *viewer.Viewer) (context.Context, error) {
	now := cs.clock.Now()
	if !v.Expires.IsZero() && !now.Before(v.Expires) {
		return nil, ErrExpired
	}
	if err := cs.watch(ctx); err != nil {
		return nil, err
	}
	hctx, cancel := context.WithCancelCause(ctx)
	h := &hold{cs: cs, cancel: cancel}
	cs.mu.Lock()
	cr, ok := cs.byKey[keyOf(v)]
	if !ok {
		cr = &credential{key: keyOf(v), userID: v.UserID, token: v.Token, live: viewer.NewLive(v),
			loaded: make(chan struct{}), holds: map[*hold]struct{}{}}
		cs.byKey[cr.key] = cr
		if cs.byUser[cr.userID] == nil {
			cs.byUser[cr.userID] = map[*credential]struct{}{}
		}
		cs.byUser[cr.userID][cr] = struct{}{}
	}
	cr.holds[h] = struct{}{}
	h.cred = cr
	if !v.Expires.IsZero() {
		h.stop = cs.clock.AfterFunc(v.Expires.Sub(now), func() { cs.expire(h, v.Expires) })
	}
	cs.mu.Unlock()
	context.AfterFunc(hctx, func() { cs.release(h) })

	if !ok {
		// v was read before the credential was registered here: a change
		// applied in between was not applied to it. Load it again, now
		// that every later change will be.
		err := cs.load(cs.ctx, cr)
		close(cr.loaded)
		if err != nil && !errors.Is(err, ErrRevoked) {
			cancel(err)
			return nil, err
		}
	} else {
		select {
		case <-cr.loaded:
		case <-hctx.Done():
		}
	}
	if hctx.Err() != nil {
		return nil, context.Cause(hctx)
	}
	return viewer.NewLiveContext(context.WithValue(hctx, holdKey{}, h), cr.live), nil
}

// release forgets a hold whose socket ended; the credential goes with its
// last hold.
func (cs *credentials) release(h *hold) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if h.stop != nil {
		h.stop()
	}
	cr := h.cred
	delete(cr.holds, h)
	if len(cr.holds) == 0 && cs.byKey[cr.key] == cr {
		cs.forget(cr)
	}
}

// forget removes cr from the maps; cs.mu must be held.
func (cs *credentials) forget(cr *credential) {
	delete(cs.byKey, cr.key)
	if set := cs.byUser[cr.userID]; set != nil {
		delete(set, cr)
		if len(set) == 0 {
			delete(cs.byUser, cr.userID)
		}
	}
}

// expire ends a hold whose credential expired at at.
func (cs *credentials) expire(h *hold, at time.Time) {
	if now := cs.clock.Now(); now.Before(at) {
		// Timers and the clock may disagree by a little: wait the rest.
		cs.mu.Lock()
		if _, open := h.cred.holds[h]; open {
			h.stop = cs.clock.AfterFunc(at.Sub(now), func() { cs.expire(h, at) })
		}
		cs.mu.Unlock()
		return
	}
	h.cancel(ErrExpired)
}

// revoke ends every hold of cr.
func (cs *credentials) revoke(cr *credential) {
	cs.mu.Lock()
	if cs.byKey[cr.key] == cr {
		cs.forget(cr)
	}
	holds := make([]*hold, 0, len(cr.holds))
	for h := range cr.holds {
		holds = append(holds, h)
	}
	cs.mu.Unlock()
	for _, h := range holds {
		h.cancel(ErrRevoked)
	}
}

// watch starts reading the change log, once.
func (cs *credentials) watch(ctx context.Context) error {
	cs.watchMu.Lock()
	defer cs.watchMu.Unlock()
	cs.mu.Lock()
	watching, stopped := cs.watching, cs.stopped
	cs.mu.Unlock()
	switch {
	case stopped:
		return errStopped
	case watching:
		return nil
	}
	// The subscription outlives the socket that starts it, but must not
	// keep that socket waiting for a broker that is not ready.
	wctx, cancel := context.WithCancel(context.Background())
	abandon := context.AfterFunc(ctx, cancel)
	cs.own.Store(1)
	sub, err := cs.broker.SubscribeFromNow(wctx, nil)
	if !abandon() {
		err = errors.Join(err, ctx.Err())
		if sub != nil {
			sub.Close()
		}
	}
	if err != nil {
		cs.own.Store(0)
		cancel()
		if errors.Is(err, broker.ErrStopped) {
			return errStopped
		}
		return err
	}
	cs.mu.Lock()
	cs.watching = true
	cs.mu.Unlock()
	sub.Notify(func() { cs.read(sub) })
	// Every change up to the broker's position has been handed to the
	// subscription by now, and read by the Notify above.
	if pos := cs.broker.Metrics().Position; pos > cs.through.Load() {
		cs.mu.Lock()
		cs.through.Store(max(cs.through.Load(), pos))
		wake := cs.readyWaiters()
		cs.mu.Unlock()
		wakeAll(wake)
	}
	return nil
}

// read takes what the broker queued on the watch's subscription. It runs
// inside the broker's delivery, before the broker hands over the next
// change to anyone, so it must not block: it only notes what a worker must
// apply.
func (cs *credentials) read(sub *broker.Subscription) {
	var wake []waiter
	cs.mu.Lock()
	for {
		var c *ent.Change
		select {
		case ch, ok := <-sub.C:
			if !ok {
				cs.stopped = true
				cs.own.Store(0)
				cs.stop()
				for w := range cs.waiters {
					wake = append(wake, w)
				}
				clear(cs.waiters)
				cs.mu.Unlock()
				wakeAll(wake)
				return
			}
			c = ch.Change
		default:
			wake = cs.readyWaiters()
			cs.mu.Unlock()
			wakeAll(wake)
			return
		}
		if affectsViewers(c) && len(cs.byKey) > 0 {
			cs.pending = append(cs.pending, c)
			if c.ID < cs.block.Load() {
				cs.block.Store(c.ID)
			}
			if !cs.working {
				cs.working = true
				go cs.work()
			}
		}
		// block before through: a pump that sees this position sees the
		// change that holds it back.
		cs.through.Store(max(cs.through.Load(), c.ID))
	}
}

// readyWaiters takes the waiters that may go on; cs.mu must be held.
func (cs *credentials) readyWaiters() []waiter {
	var out []waiter
	for w, c := range cs.waiters {
		if cs.readyFor(c) {
			out = append(out, w)
			delete(cs.waiters, w)
		}
	}
	return out
}

// readyFor reports whether c may be rendered: no role or credential change
// up to it waits to be applied. The broker hands a change to every
// subscriber, the watch included, before it hands over the next one, so
// by the time a pump holds c the watch has noted every such change before
// c; only when c is one itself must the pump also wait for the watch to
// have read it.
func (cs *credentials) readyFor(c *ent.Change) bool {
	if affectsViewers(c) && c.ID > cs.through.Load() {
		return false
	}
	return c.ID < cs.block.Load()
}

// affectsViewers reports whether c can change what a viewer is: a role's
// change (its owner's roles) or a credential's (a revoked token).
func affectsViewers(c *ent.Change) bool {
	return c.Topic == changelog.TopicRole || c.Topic == changelog.TopicCredential
}

func wakeAll(ws []waiter) {
	for _, w := range ws {
		w.wake()
	}
}

// gate is what a pump may do with a change.
type gate int

const (
	gateGo    gate = iota // the viewers are current up to the change
	gateLater             // parked: w is woken when they are
	gateEnd               // the watch ended: end the stream
)

// await reports whether c may be rendered now; if not, w is woken once it
// may.
func (cs *credentials) await(c *ent.Change, w waiter) gate {
	if cs.readyFor(c) {
		return gateGo
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	switch {
	case cs.stopped:
		return gateEnd
	case cs.readyFor(c):
		return gateGo
	}
	cs.waiters[w] = c
	return gateLater
}

// work applies the noted changes, in batches, until none is left.
func (cs *credentials) work() {
	for {
		cs.mu.Lock()
		batch := slices.Clone(cs.pending)
		if len(batch) == 0 {
			cs.working = false
			cs.mu.Unlock()
			return
		}
		cs.mu.Unlock()
		cs.apply(batch)
		cs.mu.Lock()
		cs.pending = cs.pending[len(batch):]
		// The log is read in order, but take the lowest anyway: a change
		// that committed late may be delivered after higher ones.
		next := int64(math.MaxInt64)
		for _, c := range cs.pending {
			next = min(next, c.ID)
		}
		cs.block.Store(next)
		wake := cs.readyWaiters()
		cs.mu.Unlock()
		wakeAll(wake)
	}
}

// apply brings up to date the credentials a batch of changes touches: the
// token itself for a credential change, every credential of the person for
// a role change.
func (cs *credentials) apply(batch []*ent.Change) {
	ctx := cs.ctx
	var roles []pulid.ID
	tokens := map[string]bool{}
	for _, c := range batch {
		if c.Topic == changelog.TopicCredential {
			tokens["token:"+c.NodeID] = true
		} else {
			roles = append(roles, pulid.ID(c.NodeID))
		}
	}
	people := map[pulid.ID]bool{}
	everyone := false
	if len(roles) > 0 {
		var owners []*ent.Role
		_ = retry(ctx, func() (err error) {
			owners, err = cs.client.Role.Query().Where(role.IDIn(roles...)).
				Select(role.FieldID, role.FieldUserID).All(authz.Unfiltered(ctx))
			return err
		})
		found := map[pulid.ID]bool{}
		for _, r := range owners {
			found[r.ID] = true
			people[r.UserID] = true
		}
		for _, id := range roles {
			// A deleted role's owner cannot be looked up: reload everyone
			// rather than guess (roles end by status; deletion is rare).
			everyone = everyone || !found[id]
		}
	}
	cs.mu.Lock()
	var recheck []*credential
	for key := range tokens {
		if cr := cs.byKey[key]; cr != nil {
			recheck = append(recheck, cr)
		}
	}
	var reload []pulid.ID
	for userID := range cs.byUser {
		if everyone || people[userID] {
			reload = append(reload, userID)
		}
	}
	cs.mu.Unlock()
	for _, cr := range recheck {
		_ = retry(ctx, func() error {
			if err := cs.load(ctx, cr); err != nil && !errors.Is(err, ErrRevoked) {
				return err
			}
			return nil
		})
	}
	for _, userID := range reload {
		_ = retry(ctx, func() error { return cs.reloadPerson(ctx, userID) })
	}
}

// load reloads one credential: for a token, whether it is still valid (if
// not, its sockets end and ErrRevoked is returned) and its owner's roles.
func (cs *credentials) load(ctx context.Context, cr *credential) error {
	gen := cs.nextGen()
	var (
		v   *viewer.Viewer
		err error
	)
	if cr.token != nil {
		v, err = auth.CurrentTokenViewer(ctx, cs.client, cr.token.ID, cs.clock.Now())
		if errors.Is(err, auth.ErrUnauthenticated) {
			cs.revoke(cr)
			return ErrRevoked
		}
	} else {
		v, err = authz.ViewerFor(ctx, cs.client, cr.userID, nil)
	}
	if err != nil {
		return err
	}
	cs.store(cr, gen, v)
	return nil
}

// reloadPerson reloads the roles of a person once for all their
// credentials.
func (cs *credentials) reloadPerson(ctx context.Context, userID pulid.ID) error {
	gen := cs.nextGen()
	base, err := authz.ViewerFor(ctx, cs.client, userID, nil)
	if err != nil {
		return err
	}
	cs.mu.Lock()
	creds := make([]*credential, 0, len(cs.byUser[userID]))
	for cr := range cs.byUser[userID] {
		creds = append(creds, cr)
	}
	cs.mu.Unlock()
	for _, cr := range creds {
		v := *base
		v.Token = cr.token
		cs.store(cr, gen, &v)
	}
	return nil
}

func (cs *credentials) nextGen() int64 {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.gen++
	return cs.gen
}

// store makes v cr's viewer unless a load that started later got there first.
func (cs *credentials) store(cr *credential, gen int64, v *viewer.Viewer) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if gen > cr.applied {
		cr.applied = gen
		cr.live.Store(v)
	}
}
