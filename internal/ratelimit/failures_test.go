package ratelimit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/ratelimit"
	"github.com/usergroups/usergroups/internal/viewer"
)

func TestCheckTakesNothing(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(ratelimit.Config{Limit: 2, Window: time.Minute, Now: clk.Now})
	if d := l.Check("k", 1); !d.Allowed || d.Remaining != 2 || l.Len() != 0 {
		t.Fatalf("an unseen key = %+v, %d tracked", d, l.Len())
	}
	l.Allow("k", 2)
	if d := l.Check("k", 1); d.Allowed || d.RetryAfter != 30*time.Second {
		t.Fatalf("a spent key = %+v", d)
	}
	clk.Advance(30 * time.Second)
	for range 3 {
		if d := l.Check("k", 1); !d.Allowed || d.Remaining != 1 {
			t.Fatalf("after a refill = %+v", d)
		}
	}
}

// TestFailuresRefuseCredentialsFromAnAddress: the authentication
// middleware's 401s are charged to the address; past the budget a request
// with a credential never reaches it, until the budget refills. Requests
// without one, and other addresses, pass.
func TestFailuresRefuseCredentialsFromAnAddress(t *testing.T) {
	clk := newClock()
	failures := ratelimit.NewFailures(ratelimit.HTTPConfig{}, ratelimit.New(ratelimit.Config{Limit: 2, Now: clk.Now}))
	checked := 0
	h := failures.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			checked++
			if a != "Bearer good" {
				w.WriteHeader(http.StatusUnauthorized)
			}
		}
	}))
	send := func(addr, authz string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = addr
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	const a, b = "192.0.2.1:1000", "192.0.2.2:1000"
	for range 2 {
		if rec := send(a, "Bearer bad"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("a failure: %d", rec.Code)
		}
	}
	if rec := send(a, "Bearer good"); rec.Code == http.StatusOK {
		t.Fatal("a credential from a spent address was served")
	} else if retry := checkLimited(t, rec); retry != 30 {
		t.Errorf("Retry-After = %d, want 30 (2 failures a minute)", retry)
	}
	if checked != 2 {
		t.Errorf("%d credentials checked, want 2", checked)
	}
	if rec := send(a, ""); rec.Code != http.StatusOK {
		t.Errorf("no credential from a spent address: %d", rec.Code)
	}
	if rec := send(b, "Bearer good"); rec.Code != http.StatusOK {
		t.Errorf("another address: %d", rec.Code)
	}
	clk.Advance(30 * time.Second)
	if rec := send(a, "Bearer good"); rec.Code != http.StatusOK {
		t.Errorf("after a refill: %d", rec.Code)
	}

	// connection_init reports its failures through Check and Fail.
	ctx := context.Background()
	addr := "ip:192.0.2.3"
	failures.Fail(ctx, addr)
	failures.Fail(ctx, addr)
	var e *apierror.Error
	if err := failures.Check(ctx, addr); !errors.As(err, &e) || e.Code != apierror.RateLimited || e.Extensions["retryAfter"] != 30 {
		t.Errorf("Check after two failures = %v", err)
	}
	if err := failures.Check(ctx, ""); err != nil {
		t.Errorf("no address: %v", err)
	}
}

// TestForSocketChargesTheViewer: after ForSocket a websocket's operations
// are charged to the viewer connection_init named, each the base cost or
// its cost, whichever is more; a request's operation pays what the door
// did not take.
func TestForSocketChargesTheViewer(t *testing.T) {
	f := &fixture{clk: newClock()}
	f.identified = ratelimit.New(ratelimit.Config{Limit: 10, Window: 10 * time.Second, Now: f.clk.Now})
	f.anonymous = ratelimit.New(ratelimit.Config{Limit: 3, Window: 30 * time.Second, Now: f.clk.Now})
	var socket context.Context
	h := ratelimit.Middleware(ratelimit.HTTPConfig{Identified: f.identified, Anonymous: f.anonymous})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if addr, ok := ratelimit.AddressFromContext(r.Context()); !ok || addr != "ip:192.0.2.1" {
				t.Errorf("AddressFromContext = %q, %v", addr, ok)
			}
			if r.Header.Get("Upgrade") == "" {
				if _, err := ratelimit.ChargeOperation(r.Context(), 4); err != nil {
					t.Error(err)
				}
				return
			}
			// What the websocket transport does after connection_init.
			socket = ratelimit.ForSocket(viewer.NewContext(r.Context(), &viewer.Viewer{UserID: "usr_1"}))
		}))
	r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	r.RemoteAddr = "192.0.2.1:1000"
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "websocket")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if d := f.anonymous.Check("ip:192.0.2.1", 1); d.Remaining != 2 {
		t.Errorf("the handshake paid %d to the address, want 1", 3-d.Remaining)
	}
	for _, cost := range []int{0, 1, 4} {
		if _, err := ratelimit.ChargeOperation(socket, cost); err != nil {
			t.Fatal(err)
		}
	}
	if key, identified, _ := ratelimit.KeyFromContext(socket); key != "user:usr_1" || !identified {
		t.Errorf("socket key %q", key)
	}
	if d := f.identified.Check("user:usr_1", 1); d.Remaining != 10-1-1-4 {
		t.Errorf("the person has %d left, want 4", d.Remaining)
	}
	if _, err := ratelimit.ChargeOperation(socket, 5); err == nil {
		t.Error("an operation over the budget was charged")
	}
	if d := f.anonymous.Check("ip:192.0.2.1", 1); d.Remaining != 2 {
		t.Errorf("the socket's operations spent the address's budget: %d left", d.Remaining)
	}

	// A request paid 1 at the door, so an operation of cost 4 pays 3 more.
	r = httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.RemoteAddr = "192.0.2.1:1000"
	r = r.WithContext(viewer.NewContext(r.Context(), &viewer.Viewer{UserID: "usr_2"}))
	h.ServeHTTP(httptest.NewRecorder(), r)
	if d := f.identified.Check("user:usr_2", 1); d.Remaining != 6 {
		t.Errorf("a request of cost 4 left %d of 10, want 6", d.Remaining)
	}
}
