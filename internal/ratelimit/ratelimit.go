// Package ratelimit gives every API client a budget of cost points that
// refills over time (a token bucket per key).
//
// A request draws on the budget of its API token, else of its signed-in
// person, else of its client IP address. The HTTP middleware charges a base
// cost up front and lets the GraphQL layer charge the rest through Charge
// once it knows what the operation costs.
//
// Where the budgets are kept is a Store. By default each is a Limiter in
// this process's memory: with n replicas behind a load balancer a client
// can spend up to n budgets, which is acceptable for a guard against
// runaway scripts and floods. With --redis-url every replica keeps them in
// one Redis (internal/ratelimit/redisstore), so a client has one budget
// whichever replica it reaches.
package ratelimit

import (
	"container/list"
	"context"
	"math"
	"sync"
	"time"
)

// Default budgets, sized for the base cost of 1 point per request: until
// the GraphQL layer charges operations their cost, a point is a request.
// A budget is spent at the rate of the costs charged and refills
// continuously, the whole of it over one window.
//
// When Charge carries the cost of internal/limits (one point per object a
// response may hold, at most its MaxCost, 10,000 by default), these are too
// small: a budget must exceed MaxCost plus the base cost or the most
// expensive accepted queries can never run, and a dashboard page costs a few
// thousand points. Then configure budgets in that unit (for example 100,000
// a minute identified, 20,000 anonymous).
const (
	// DefaultIdentifiedLimit is the budget per window of an API token or a
	// signed-in person, in cost points (internal/limits: about one per field
	// returned; a dashboard of 20 groups × 20 members costs some 3,000, and
	// the most a single query may cost is 10,000). 100,000 a minute is a
	// busy dashboard refreshing every few seconds, and still bounds what one
	// runaway script can ask of the server.
	DefaultIdentifiedLimit = 100_000
	// DefaultAnonymousLimit is the budget per window of an anonymous client
	// IP address (an IPv6 /64). It is lower because anyone can be anonymous
	// from many addresses at no cost, but not much lower, because many
	// people share one address behind NAT — a meetup's venue Wi-Fi is the
	// typical case for this application — and public pages are read
	// anonymously; it stays above the largest single query's cost.
	DefaultAnonymousLimit = 20_000
	// DefaultWindow is the time in which a whole budget refills.
	DefaultWindow = time.Minute
	// DefaultMaxKeys bounds the keys one Limiter tracks: about 200 bytes
	// each, so 64 Ki keys hold at most some 13 MiB.
	DefaultMaxKeys = 1 << 16
)

// Config describes one budget. The zero value uses the defaults.
type Config struct {
	// Limit is the budget in cost points, and the most one key can spend at
	// once; 0 means DefaultIdentifiedLimit.
	Limit int
	// Window is the time in which a spent budget refills whole; 0 means
	// DefaultWindow.
	Window time.Duration
	// MaxKeys bounds the keys tracked; 0 means DefaultMaxKeys. When it is
	// reached the least recently used key is forgotten, which forgives
	// what that key had spent.
	MaxKeys int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Decision is the outcome of a charge, with what the rate-limit headers say.
type Decision struct {
	// Allowed reports whether the cost was taken: the request may proceed.
	Allowed bool
	// Limit is the whole budget per window.
	Limit int
	// Remaining is what is left to spend now.
	Remaining int
	// Reset is when the budget will be whole again if nothing more is spent.
	Reset time.Time
	// RetryAfter, when not allowed, is how long until the cost could be
	// taken; a cost above Limit can never be, and waits a whole window.
	RetryAfter time.Duration
}

// Store keeps one kind of budget, Limit points refilling whole over Window,
// for every key. The middleware and the websocket paths charge through it
// and do not know where the budgets live: a Limiter keeps them in this
// process, redisstore in Redis for every replica. Implementations are safe
// for concurrent use and never block for long: a store that cannot answer
// decides without its shared state rather than hold the request.
type Store interface {
	// Take takes cost points from key's budget if it holds that many, and
	// takes nothing otherwise; a cost of 0 or less takes nothing and
	// reports the budget.
	Take(ctx context.Context, key string, cost int) Decision
	// Peek reports whether key's budget holds cost points (at least 1)
	// now, and takes nothing: Allowed says whether Take would be.
	Peek(ctx context.Context, key string, cost int) Decision
	// Limit is the budget per window.
	Limit() int
	// Window is the time in which a spent budget refills whole.
	Window() time.Duration
}

// The budgets a server keeps, by the names a shared store puts in its keys.
const (
	// IdentifiedBudget is the budget of API tokens and signed-in people.
	IdentifiedBudget = "identified"
	// AnonymousBudget is the budget of anonymous client addresses.
	AnonymousBudget = "anonymous"
	// FailureBudget is the budget of failed authentications per address.
	FailureBudget = "failures"
)

// NewStore returns the store of the budget called name (IdentifiedBudget,
// AnonymousBudget, FailureBudget) that cfg describes. The server takes one
// so that the choice between this process and a shared store is made once,
// where the command is wired.
type NewStore func(name string, cfg Config) Store

// InProcess is the NewStore of budgets kept in this process: a Limiter
// each, whatever the name.
func InProcess(_ string, cfg Config) Store { return New(cfg) }

// Limiter keeps one token bucket per key in memory: the Store of one
// process. It is safe for concurrent use.
type Limiter struct {
	limit   float64
	window  time.Duration
	perNano float64 // refill rate in points per nanosecond
	maxKeys int
	now     func() time.Time

	mu   sync.Mutex
	keys map[string]*list.Element
	lru  list.List // of *bucket, the most recently used first
}

type bucket struct {
	key    string
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// New returns a Limiter for the budget cfg describes.
func New(cfg Config) *Limiter {
	if cfg.Limit <= 0 {
		cfg.Limit = DefaultIdentifiedLimit
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{
		limit:   float64(cfg.Limit),
		window:  cfg.Window,
		perNano: float64(cfg.Limit) / float64(cfg.Window),
		maxKeys: cfg.MaxKeys,
		now:     cfg.Now,
		keys:    make(map[string]*list.Element),
	}
}

// Limit returns the budget per window.
func (l *Limiter) Limit() int { return int(l.limit) }

// Window returns the time in which a budget refills.
func (l *Limiter) Window() time.Duration { return l.window }

// Allow takes cost points from key's budget if it holds that many, and
// takes nothing otherwise. Every request costs at least 1: a cost below 1
// (unknown) is charged as 1.
func (l *Limiter) Allow(key string, cost int) Decision {
	return l.take(key, max(cost, 1))
}

// Check reports whether key's budget holds cost points (at least 1) now,
// and takes nothing: Allowed says whether Allow would be. A key never seen
// is not tracked by it.
func (l *Limiter) Check(key string, cost int) Decision {
	cost = max(cost, 1)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := &bucket{tokens: l.limit, at: now} // a key never seen has its whole budget
	if e, ok := l.keys[key]; ok {
		b = e.Value.(*bucket)
		l.refill(b, now)
	}
	c := float64(cost)
	return l.decide(b, c, c <= b.tokens, now)
}

// Take takes cost points (none for a cost below 1) from key's budget if
// it holds that many; the context is not used.
func (l *Limiter) Take(_ context.Context, key string, cost int) Decision {
	return l.take(key, max(cost, 0))
}

// Peek is Check; the context is not used.
func (l *Limiter) Peek(_ context.Context, key string, cost int) Decision {
	return l.Check(key, cost)
}

// Len returns how many keys the Limiter tracks now.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// idleSweep is how many of the least recently used keys each call looks at
// to forget: enough to keep up with the arrival of new keys, few enough to
// keep the critical section short.
const idleSweep = 4

// take is Allow without the minimum cost; a cost of 0 reports the state.
func (l *Limiter) take(key string, cost int) Decision {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgetIdle(now)
	var b *bucket
	if e, ok := l.keys[key]; ok {
		b = e.Value.(*bucket)
		l.lru.MoveToFront(e)
		l.refill(b, now)
	} else {
		if len(l.keys) >= l.maxKeys {
			l.forget(l.lru.Back())
		}
		b = &bucket{key: key, tokens: l.limit, at: now}
		l.keys[key] = l.lru.PushFront(b)
	}
	c := float64(cost)
	allowed := c <= b.tokens
	if allowed {
		b.tokens -= c
	}
	return l.decide(b, c, allowed, now)
}

// decide describes b after an attempt to take cost (already taken when
// allowed).
func (l *Limiter) decide(b *bucket, cost float64, allowed bool, now time.Time) Decision {
	d := Decision{Allowed: allowed, Limit: int(l.limit)}
	if !allowed {
		d.RetryAfter = l.retryAfter(cost, b.tokens)
	}
	// The epsilon absorbs float error from refills so that a full budget
	// reads as full.
	d.Remaining = int(math.Floor(b.tokens + 1e-9))
	d.Reset = now.Add(l.duration(l.limit - b.tokens))
	return d
}

// retryAfter is how long until a bucket holding tokens holds cost: 0 when
// it does, a whole window for a cost above the budget, which never fits.
func (l *Limiter) retryAfter(cost, tokens float64) time.Duration {
	switch {
	case cost <= tokens:
		return 0
	case cost > l.limit:
		return l.window
	}
	return l.duration(cost - tokens)
}

// refill brings b's tokens up to now.
func (l *Limiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(l.limit, b.tokens+float64(elapsed)*l.perNano)
		b.at = now
	}
}

// duration is the time the bucket takes to refill points.
func (l *Limiter) duration(points float64) time.Duration {
	if points <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(points / l.perNano))
}

// forgetIdle drops least recently used keys whose budget has refilled
// whole: such a key behaves exactly like one never seen, so forgetting it
// changes no decision and frees its memory. Any key idle for a window is
// whole again.
func (l *Limiter) forgetIdle(now time.Time) {
	for range idleSweep {
		e := l.lru.Back()
		if e == nil {
			return
		}
		b := e.Value.(*bucket)
		if b.tokens+float64(now.Sub(b.at))*l.perNano < l.limit {
			return
		}
		l.forget(e)
	}
}

func (l *Limiter) forget(e *list.Element) {
	delete(l.keys, e.Value.(*bucket).key)
	l.lru.Remove(e)
}
