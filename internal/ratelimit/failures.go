package ratelimit

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/httpguard"
)

// DefaultFailureLimit is the number of failed authentications one client
// address may have per window (a minute by default) before its
// credentials are refused unchecked: one a second on average. Whoever
// holds a good credential fails once, when it expires or is revoked; a
// client that fails more is guessing, or retrying a dead credential in a
// loop.
const DefaultFailureLimit = 60

// Failures charges failed authentications to the client's address, so
// that guessing credentials, or a client stuck retrying a dead one, costs
// the server little: once an address has spent its budget of failures,
// every credential it sends is refused with 429 before it is looked up,
// until the budget refills. Requests without a credential pass: they cost
// no lookup. Everyone behind the address is refused alike, a good
// credential included, since telling it from a guess takes the lookup that
// is being saved.
type Failures struct {
	lim Store
	cfg HTTPConfig
}

// NewFailures returns the guard charging failures to lim, keyed by client
// address as cfg finds it (TrustProxy, ProxyHops).
func NewFailures(cfg HTTPConfig, lim Store) *Failures {
	return &Failures{lim: lim, cfg: cfg}
}

// Check returns a RATE_LIMITED *apierror.Error, with the seconds to wait in
// extensions.retryAfter, when the address key addr ("ip:…", see
// AddressKey and AddressFromContext) has no failure left to spend; nil
// otherwise, and for an empty addr.
func (f *Failures) Check(ctx context.Context, addr string) error {
	if addr == "" {
		return nil
	}
	if d := f.lim.Peek(ctx, addr, 1); !d.Allowed {
		return f.refusal(d)
	}
	return nil
}

// Fail charges one failed authentication to addr.
func (f *Failures) Fail(ctx context.Context, addr string) {
	if addr != "" {
		f.lim.Take(ctx, addr, 1)
	}
}

func (f *Failures) refusal(d Decision) *apierror.Error {
	secs := retrySeconds(d)
	return &apierror.Error{Code: apierror.RateLimited, Extensions: map[string]any{"retryAfter": secs},
		Message: fmt.Sprintf("too many failed authentications from this address (at most %d per %s); retry in %d s",
			f.lim.Limit(), f.lim.Window(), secs)}
}

// Middleware wraps the authentication middleware next, whose 401 answers
// are the failures it charges. A request with an Authorization header from
// an address that has no failure left gets 429 with Retry-After and
// RATE_LIMITED, and never reaches next.
func (f *Failures) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			next.ServeHTTP(w, r)
			return
		}
		addr := f.cfg.AddressKey(r)
		// Authentication records the address a token was used from.
		r = r.WithContext(context.WithValue(r.Context(), addressKey{}, addr))
		if d := f.lim.Peek(r.Context(), addr, 1); !d.Allowed {
			w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(d)))
			httpguard.WriteError(w, r, http.StatusTooManyRequests, f.refusal(d))
			return
		}
		rec := &failureRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusUnauthorized {
			f.Fail(r.Context(), addr)
		}
	})
}

// failureRecorder notes the status next answers with.
type failureRecorder struct {
	http.ResponseWriter
	status int
}

func (f *failureRecorder) WriteHeader(code int) {
	if f.status == 0 {
		f.status = code
	}
	f.ResponseWriter.WriteHeader(code)
}

func (f *failureRecorder) Write(p []byte) (int, error) {
	if f.status == 0 {
		f.status = http.StatusOK
	}
	return f.ResponseWriter.Write(p)
}

// Hijack hands the connection to a websocket upgrade (gorilla needs an
// http.Hijacker).
func (f *failureRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(f.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (f *failureRecorder) Unwrap() http.ResponseWriter { return f.ResponseWriter }
