package ratelimit

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/httpguard"
	"github.com/usergroups/usergroups/internal/viewer"
)

// HTTPConfig configures the /graphql middleware. The zero value uses the
// default budgets, keyed by the connection's address.
type HTTPConfig struct {
	// Identified is the budget of API tokens and signed-in people; nil is
	// New(Config{Limit: DefaultIdentifiedLimit}).
	Identified Store
	// Anonymous is the budget of anonymous clients per IP address; nil is
	// New(Config{Limit: DefaultAnonymousLimit}).
	Anonymous Store
	// TrustProxy takes the client's address from X-Forwarded-For instead of
	// the connection. Set it only behind a reverse proxy that appends to
	// that header: without one, clients write it themselves and would pick
	// a fresh budget per request.
	TrustProxy bool
	// ProxyHops is how many trusted proxies append to X-Forwarded-For; 0
	// means 1. The client's address is the entry that many places from the
	// right: entries further left were written by the client and prove
	// nothing.
	ProxyHops int
	// BaseCost is charged up front for every request; 0 means 1.
	BaseCost int
}

// Middleware returns the rate limiter for the /graphql handler next. It
// charges BaseCost up front, sets X-RateLimit-Limit, X-RateLimit-Remaining
// and X-RateLimit-Reset (Unix seconds) on every response, and answers 429
// with Retry-After and a RATE_LIMITED error when the budget is spent.
//
// It must run after the authentication middleware, which puts the viewer in
// the request context: before it every request looks anonymous and all of
// one address's people would share one budget.
//
// WebSocket upgrades are charged like any request; the socket's operations
// are charged to the credential of its connection_init (ForSocket), and no
// status or header of theirs can change once the connection is upgraded.
func Middleware(cfg HTTPConfig) func(next http.Handler) http.Handler {
	if cfg.Identified == nil {
		cfg.Identified = New(Config{Limit: DefaultIdentifiedLimit})
	}
	if cfg.Anonymous == nil {
		cfg.Anonymous = New(Config{Limit: DefaultAnonymousLimit})
	}
	if cfg.ProxyHops <= 0 {
		cfg.ProxyHops = 1
	}
	if cfg.BaseCost <= 0 {
		cfg.BaseCost = 1
	}
	return func(next http.Handler) http.Handler {
		return &middleware{cfg: cfg, next: next}
	}
}

type middleware struct {
	cfg  HTTPConfig
	next http.Handler
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	addr := m.cfg.AddressKey(r)
	key, identified := budgetKey(viewer.FromContext(r.Context()), addr)
	lim := m.cfg.limiter(identified)
	d := lim.Take(r.Context(), key, m.cfg.BaseCost)
	setHeaders(w.Header(), d)
	if !d.Allowed {
		writeLimited(w, r, lim, m.cfg.BaseCost, d)
		return
	}
	c := &charger{cfg: &m.cfg, lim: lim, key: key, addr: addr, identified: identified}
	if httpguard.IsWebSocket(r) {
		// The socket outlives this response, and the websocket transport
		// needs the connection's own writer to hijack it.
		m.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chargerKey{}, c)))
		return
	}
	c.header = w.Header()
	m.next.ServeHTTP(&statusWriter{ResponseWriter: w, c: c}, r.WithContext(context.WithValue(r.Context(), chargerKey{}, c)))
}

func (c *HTTPConfig) limiter(identified bool) Store {
	if identified {
		return c.Identified
	}
	return c.Anonymous
}

// Key returns the budget key of r and whether it belongs to an identified
// client: "token:ID" for an API token, "user:ID" for a signed-in person,
// else "ip:ADDRESS" (an IPv6 client by its /64, which one subscriber gets
// whole and could otherwise walk through for fresh budgets).
func (c HTTPConfig) Key(r *http.Request) (key string, identified bool) {
	return budgetKey(viewer.FromContext(r.Context()), c.AddressKey(r))
}

// AddressKey returns the budget key of r's client address, "ip:ADDRESS",
// whoever the viewer is.
func (c HTTPConfig) AddressKey(r *http.Request) string {
	return "ip:" + c.clientAddr(r)
}

// budgetKey is the key of v's budget: its token, else its person, else
// the address key addr.
func budgetKey(v *viewer.Viewer, addr string) (key string, identified bool) {
	switch {
	case v.Token != nil:
		return "token:" + string(v.Token.ID), true
	case v.IsUser():
		return "user:" + string(v.UserID), true
	}
	return addr, false
}

func (c HTTPConfig) clientAddr(r *http.Request) string {
	raw := r.RemoteAddr
	if host, _, err := net.SplitHostPort(raw); err == nil {
		raw = host
	}
	if c.TrustProxy {
		var hops []string
		for _, v := range r.Header.Values("X-Forwarded-For") {
			for part := range strings.SplitSeq(v, ",") {
				hops = append(hops, strings.TrimSpace(part))
			}
		}
		n := max(c.ProxyHops, 1)
		// Fewer entries than proxies: the request skipped a proxy, and the
		// connection's address is the best evidence there is.
		if len(hops) >= n {
			raw = hops[len(hops)-n]
		}
	}
	addr, err := netip.ParseAddr(raw)
	if err != nil {
		return raw
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.WithZone("").Prefix(64)
		return p.String()
	}
	return addr.String()
}

type chargerKey struct{}

// charger charges one request's key and keeps its response headers
// current; or, for a websocket, charges each of its operations.
type charger struct {
	cfg        *HTTPConfig
	lim        Store
	key        string
	addr       string // the client address's key, "ip:…"
	identified bool
	// perOperation is set on a websocket's charger: its operations passed
	// no door, so each pays the base cost too.
	perOperation bool

	mu     sync.Mutex
	header http.Header // nil for a websocket, whose response is gone
	denied bool
}

// KeyFromContext returns the budget key the middleware chose for the
// request in ctx ("token:…", "user:…" or "ip:…") and whether the client is
// identified; ok is false outside the middleware.
func KeyFromContext(ctx context.Context) (key string, identified, ok bool) {
	c, _ := ctx.Value(chargerKey{}).(*charger)
	if c == nil {
		return "", false, false
	}
	return c.key, c.identified, true
}

// AddressFromContext returns the budget key of the client address of the
// request in ctx ("ip:…"), whoever the viewer is; ok is false outside the
// middlewares (Middleware, Failures.Middleware).
func AddressFromContext(ctx context.Context) (addr string, ok bool) {
	c, _ := ctx.Value(chargerKey{}).(*charger)
	if c == nil {
		addr, ok = ctx.Value(addressKey{}).(string)
		return addr, ok
	}
	return c.addr, true
}

// addressKey holds the client address key the failures middleware put in
// a request's context, before the budget middleware charges it.
type addressKey struct{}

// ForSocket returns ctx charging the budget of the viewer ctx now holds —
// its API token, else its person, else the handshake's address — for a
// websocket, whose credential arrives in connection_init, after the
// handshake paid its base cost to whatever budget the handshake request
// named. Each operation on the socket then pays through ChargeOperation
// what it would pay as a request of its own. Without the middleware ctx is
// returned as is.
func ForSocket(ctx context.Context) context.Context {
	c, _ := ctx.Value(chargerKey{}).(*charger)
	if c == nil {
		return ctx
	}
	key, identified := budgetKey(viewer.FromContext(ctx), c.addr)
	return context.WithValue(ctx, chargerKey{}, &charger{cfg: c.cfg, lim: c.cfg.limiter(identified), key: key,
		addr: c.addr, identified: identified, perOperation: true})
}

// ChargeOperation charges an operation of the computed cost (see
// internal/limits) to the budget of ctx, as Charge does. Every operation
// pays the base cost or its cost, whichever is more: a request has paid the
// base cost at the door already and pays the rest, and an operation on a
// websocket (see ForSocket) pays all of it, so the same operation costs the
// same over either.
func ChargeOperation(ctx context.Context, cost int) (Decision, error) {
	c, _ := ctx.Value(chargerKey{}).(*charger)
	if c == nil {
		return Decision{Allowed: true}, nil
	}
	owed := max(cost, c.cfg.BaseCost)
	if !c.perOperation {
		owed -= c.cfg.BaseCost
	}
	return Charge(ctx, owed)
}

// Charge takes cost more points from the budget of the request in ctx, for
// the GraphQL layer once it knows what the operation costs (the middleware
// took the base cost already). When the budget does not hold cost, nothing
// is taken and the error is a RATE_LIMITED *apierror.Error to return to the
// client: the caller must then not run the operation, and the response
// becomes a 429 with Retry-After. A cost of 0 or less takes nothing and
// reports the budget. Without the middleware (tests, the system viewer)
// everything is allowed.
//
// Call it before the response is written — in an operation interceptor,
// not from concurrent resolvers — so that the rate-limit headers say what
// was finally charged.
func Charge(ctx context.Context, cost int) (Decision, error) {
	c, _ := ctx.Value(chargerKey{}).(*charger)
	if c == nil {
		return Decision{Allowed: true}, nil
	}
	d := c.lim.Take(ctx, c.key, cost)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.header != nil {
		setHeaders(c.header, d)
	}
	if d.Allowed {
		return d, nil
	}
	c.denied = true
	return d, limitedError(c.lim, cost, d)
}

// statusWriter turns the response into a 429 when Charge refused.
type statusWriter struct {
	http.ResponseWriter
	c           *charger
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.wroteHeader = true
		s.c.mu.Lock()
		denied := s.c.denied
		s.c.mu.Unlock()
		if denied && code == http.StatusOK {
			code = http.StatusTooManyRequests
		}
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if !s.wroteHeader {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func setHeaders(h http.Header, d Decision) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	// Rounded up: a client that waits until then finds the budget whole.
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(d.Reset), 10))
	if d.Allowed {
		h.Del("Retry-After")
	} else {
		h.Set("Retry-After", strconv.Itoa(retrySeconds(d)))
	}
}

func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// retrySeconds rounds RetryAfter up to whole seconds, at least 1: a client
// retrying sooner would be refused again.
func retrySeconds(d Decision) int {
	return max(1, int(math.Ceil(d.RetryAfter.Seconds())))
}

func limitedError(lim Store, cost int, d Decision) *apierror.Error {
	secs := retrySeconds(d)
	msg := fmt.Sprintf("rate limit exceeded: the budget is %d points per %s; retry in %d s", d.Limit, lim.Window(), secs)
	if cost > d.Limit {
		msg = fmt.Sprintf("this request costs %d points, more than the whole budget of %d per %s", cost, d.Limit, lim.Window())
	}
	return &apierror.Error{Code: apierror.RateLimited, Message: msg, Extensions: map[string]any{"retryAfter": secs}}
}

func writeLimited(w http.ResponseWriter, r *http.Request, lim Store, cost int, d Decision) {
	httpguard.WriteError(w, r, http.StatusTooManyRequests, limitedError(lim, cost, d))
}
