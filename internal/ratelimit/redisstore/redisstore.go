// Package redisstore keeps the rate-limit budgets of internal/ratelimit in
// Redis (--redis-url), so that every replica charges a client's one budget
// whichever replica it reaches. Each budget is a GCRA limiter
// (github.com/go-redis/redis_rate): one key per client holding when its
// budget will be whole again, which Redis expires at that moment, so idle
// clients cost nothing and Redis's clock is the only one that counts.
//
// Redis is a guard's store, not a dependency of the API: when a call fails
// or does not answer within the timeout, the budget is decided by this
// replica's own in-process Limiter (what the budgets are without Redis),
// for reads and writes alike. The API stays up and a client is still
// bounded, by one budget per replica, while the failure is counted and
// logged.
package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/usergroups/usergroups/internal/ratelimit"
)

// DefaultPrefix begins every key of the store, after the "rate:" that
// redis_rate puts before all of its keys.
const DefaultPrefix = "usergroups:rl:"

// DefaultTimeout bounds one call to Redis. A call takes well under a
// millisecond on a local network; one that takes longer than this is
// treated as failed rather than add its wait to the request.
const DefaultTimeout = 100 * time.Millisecond

// DefaultHoldOff is how long after a failed call the budgets are decided in
// this process without asking Redis, so that a Redis that hangs costs one
// request a timeout now and then, not every request.
const DefaultHoldOff = time.Second

// logEvery spaces the warnings about failed calls: an outage would
// otherwise write a line per request.
const logEvery = time.Minute

// epsilon absorbs the float error of the state Redis reports (seconds
// written with 14 significant digits), so that a whole budget reads whole.
const epsilon = 1e-6

// Options configures a Store. The zero value uses the defaults.
type Options struct {
	// Prefix begins every key; empty is DefaultPrefix. Replicas that share
	// budgets use the same one; deployments sharing one Redis can pick
	// another database in the URL instead.
	Prefix string
	// Timeout bounds each call to Redis; 0 is DefaultTimeout.
	Timeout time.Duration
	// HoldOff is how long Redis is not asked after a failed call; 0 is
	// DefaultHoldOff, below 0 asks every time.
	HoldOff time.Duration
	// Logger receives the warnings about failed calls; nil is slog.Default().
	Logger *slog.Logger
	// Failed, if not nil, counts each failed call
	// (metrics.RateLimitStoreFailed).
	Failed func()
	// Now is the clock of the fallback budgets, the hold-off and the
	// Reset times reported; nil is time.Now.
	Now func() time.Time
}

// Store keeps every budget of a server in one Redis. It is safe for
// concurrent use.
type Store struct {
	lim  *redis_rate.Limiter
	opts Options

	mu       sync.Mutex
	askAt    time.Time // Redis is not asked before then (hold-off)
	loggedAt time.Time // the last warning
	unlogged int       // failures since the last warning
}

// Dial returns a client of the Redis at url (redis://[user:password@]host:port/db,
// rediss:// with TLS). It does not connect: a Redis that is down when the
// server starts fails its first calls, as it would later, and the server
// serves.
func Dial(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	// Otherwise the client waits for its own socket timeouts (seconds),
	// not for the call's context.
	opt.ContextTimeoutEnabled = true
	return redis.NewClient(opt), nil
}

// New returns the store of budgets in rdb.
func New(rdb redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.HoldOff == 0 {
		opts.HoldOff = DefaultHoldOff
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{lim: redis_rate.NewLimiter(rdb), opts: opts}
}

// Budget returns the shared store of the budget called name that cfg
// describes (cfg.MaxKeys bounds only its fallback), keyed
// "rate:" + Prefix + name + ":" + the client's key. It is a
// ratelimit.NewStore. Every replica must give a budget the same Limit and
// Window: Redis keeps when the budget is whole, which each replica reads
// with its own.
func (s *Store) Budget(name string, cfg ratelimit.Config) ratelimit.Store {
	if cfg.Now == nil {
		cfg.Now = s.opts.Now
	}
	local := ratelimit.New(cfg)
	limit, window := local.Limit(), local.Window()
	return &budget{
		s:      s,
		prefix: s.opts.Prefix + name + ":",
		rate:   redis_rate.Limit{Rate: limit, Burst: limit, Period: window},
		limit:  limit,
		window: window,
		local:  local,
		now:    cfg.Now,
	}
}

// budget is one budget in Redis, with this process's Limiter for when
// Redis cannot answer.
type budget struct {
	s      *Store
	prefix string
	rate   redis_rate.Limit
	limit  int
	window time.Duration
	local  *ratelimit.Limiter
	now    func() time.Time
}

// Limit is the budget per window.
func (b *budget) Limit() int { return b.limit }

// Window is the time in which a spent budget refills whole.
func (b *budget) Window() time.Duration { return b.window }

// Take takes cost points (none for a cost below 1) from key's shared
// budget if it holds that many, or from this process's when Redis fails.
func (b *budget) Take(ctx context.Context, key string, cost int) ratelimit.Decision {
	cost = max(cost, 0)
	res, ok := b.s.call(ctx, func(ctx context.Context) (*redis_rate.Result, error) {
		return b.s.lim.AllowN(ctx, b.prefix+key, b.rate, cost)
	})
	if !ok {
		return b.local.Take(ctx, key, cost)
	}
	// redis_rate reports -1 for RetryAfter exactly when it took the cost.
	return b.decide(res, cost, cost == 0 || res.RetryAfter < 0)
}

// Peek reports whether key's shared budget holds cost points (at least 1),
// taking nothing: redis_rate has no read-only call, and taking 0 writes
// nothing new.
func (b *budget) Peek(ctx context.Context, key string, cost int) ratelimit.Decision {
	cost = max(cost, 1)
	res, ok := b.s.call(ctx, func(ctx context.Context) (*redis_rate.Result, error) {
		return b.s.lim.AllowN(ctx, b.prefix+key, b.rate, 0)
	})
	if !ok {
		return b.local.Peek(ctx, key, cost)
	}
	return b.decide(res, cost, float64(cost) <= b.tokens(res)+epsilon)
}

// tokens is what the budget holds after res: its whole, less what will
// refill by the time Redis reports it whole again.
func (b *budget) tokens(res *redis_rate.Result) float64 {
	toWhole := max(res.ResetAfter, 0)
	t := float64(b.limit) * (1 - float64(toWhole)/float64(b.window))
	return min(max(t, 0), float64(b.limit))
}

// decide describes the budget after res, as the in-process Limiter does.
func (b *budget) decide(res *redis_rate.Result, cost int, allowed bool) ratelimit.Decision {
	tokens := b.tokens(res)
	d := ratelimit.Decision{
		Allowed:   allowed,
		Limit:     b.limit,
		Remaining: int(math.Floor(tokens + epsilon)),
		Reset:     b.now().Add(max(res.ResetAfter, 0)),
	}
	if !allowed {
		if cost > b.limit {
			d.RetryAfter = b.window // it never fits
		} else {
			d.RetryAfter = time.Duration(math.Ceil((float64(cost) - tokens) * float64(b.window) / float64(b.limit)))
		}
	}
	return d
}

// call runs f against Redis within the timeout; ok is false when it
// failed, or was not tried during a hold-off, and the caller must decide
// without Redis. A request that is gone does not cancel the call: its
// charge still counts.
func (s *Store) call(ctx context.Context, f func(context.Context) (*redis_rate.Result, error)) (res *redis_rate.Result, ok bool) {
	s.mu.Lock()
	holding := s.opts.Now().Before(s.askAt)
	s.mu.Unlock()
	if holding {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.Timeout)
	defer cancel()
	res, err := guarded(ctx, f)
	if err != nil {
		s.failed(ctx, err)
		return nil, false
	}
	return res, true
}

// guarded runs f, turning a panic into an error: redis_rate asserts the
// types of Redis's reply, and a reply it did not expect must not take the
// request down with it.
func guarded(ctx context.Context, f func(context.Context) (*redis_rate.Result, error)) (res *redis_rate.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unexpected reply: %v", p)
		}
	}()
	return f(ctx)
}

// failed counts a failed call, holds Redis off, and logs at most once per
// logEvery with the number of failures since the last line.
func (s *Store) failed(ctx context.Context, err error) {
	if s.opts.Failed != nil {
		s.opts.Failed()
	}
	now := s.opts.Now()
	s.mu.Lock()
	if s.opts.HoldOff > 0 {
		s.askAt = now.Add(s.opts.HoldOff)
	}
	s.unlogged++
	n := s.unlogged
	log := s.loggedAt.IsZero() || now.Sub(s.loggedAt) >= logEvery
	if log {
		s.loggedAt, s.unlogged = now, 0
	}
	s.mu.Unlock()
	if log {
		s.opts.Logger.WarnContext(ctx, "rate-limit store failed: budgets are decided by this replica alone until Redis answers",
			"error", err, "failures", n, "next_warning_after", logEvery)
	}
}
