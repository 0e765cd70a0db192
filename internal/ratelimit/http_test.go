package ratelimit_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"github.com/usergroups/usergroups/internal/dbtest"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/ratelimit"
	"github.com/usergroups/usergroups/internal/viewer"
)

type fixture struct {
	clk        *dbtest.Clock
	identified *ratelimit.Limiter
	anonymous  *ratelimit.Limiter
	h          http.Handler
	// charge is what the GraphQL layer charges on top of the base cost.
	charge int
	ran    int
}

func newFixture(cfg ratelimit.HTTPConfig) *fixture {
	f := &fixture{clk: newClock()}
	f.identified = ratelimit.New(ratelimit.Config{Limit: 10, Window: 10 * time.Second, Now: f.clk.Now})
	f.anonymous = ratelimit.New(ratelimit.Config{Limit: 3, Window: 30 * time.Second, Now: f.clk.Now})
	cfg.Identified, cfg.Anonymous = f.identified, f.anonymous
	f.h = ratelimit.Middleware(cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// What the GraphQL layer will do once it knows the operation's cost.
		if f.charge > 0 {
			if _, err := ratelimit.Charge(r.Context(), f.charge); err != nil {
				body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
					"message": err.Error(), "extensions": map[string]any{"code": string(apierror.As(err).Code)}}}})
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
				return
			}
		}
		f.ran++
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":{}}`)
	}))
	return f
}

// as sends a request from the address with the viewer the auth middleware
// would have put in the context (nil: anonymous).
func (f *fixture) as(v *viewer.Viewer, addr string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ a }"}`))
	r.RemoteAddr = addr
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	if v != nil {
		r = r.WithContext(viewer.NewContext(r.Context(), v))
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	return rec
}

func headerInt(t *testing.T, rec *httptest.ResponseRecorder, name string) int64 {
	t.Helper()
	s := rec.Header().Get(name)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s = %q: %v", name, s, err)
	}
	return n
}

func checkLimited(t *testing.T, rec *httptest.ResponseRecorder) int64 {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status = %d, want 429 (%s)", rec.Code, rec.Body)
	}
	retry := headerInt(t, rec, "Retry-After")
	if retry < 1 {
		t.Errorf("Retry-After = %d", retry)
	}
	var resp struct {
		Data   any
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("%s: %v", rec.Body, err)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "RATE_LIMITED" {
		t.Fatalf("errors = %+v, want RATE_LIMITED", resp.Errors)
	}
	return retry
}

func TestHeadersOnEveryResponse(t *testing.T) {
	f := newFixture(ratelimit.HTTPConfig{})
	rec := f.as(&viewer.Viewer{UserID: "usr_1"}, "192.0.2.1:1234")
	if rec.Code != 200 || f.ran != 1 {
		t.Fatalf("status %d", rec.Code)
	}
	if headerInt(t, rec, "X-RateLimit-Limit") != 10 || headerInt(t, rec, "X-RateLimit-Remaining") != 9 {
		t.Errorf("headers = %v", rec.Header())
	}
	// 1 point at 1 a second: whole again a second from now.
	if got, want := headerInt(t, rec, "X-RateLimit-Reset"), f.clk.Now().Unix()+1; got != want {
		t.Errorf("X-RateLimit-Reset = %d, want %d", got, want)
	}
	if rec.Header().Get("Retry-After") != "" {
		t.Error("Retry-After on an allowed request")
	}
}

func TestRefusesOverBudget(t *testing.T) {
	f := newFixture(ratelimit.HTTPConfig{})
	anon := func() *httptest.ResponseRecorder { return f.as(nil, "198.51.100.7:5555") }
	for range 3 {
		if rec := anon(); rec.Code != 200 {
			t.Fatalf("within budget: %d", rec.Code)
		}
	}
	rec := anon()
	if retry := checkLimited(t, rec); retry != 10 {
		t.Errorf("Retry-After = %d, want 10 (3 points per 30 s)", retry)
	}
	if f.ran != 3 {
		t.Errorf("the handler ran %d times, want 3", f.ran)
	}
	if headerInt(t, rec, "X-RateLimit-Remaining") != 0 || headerInt(t, rec, "X-RateLimit-Limit") != 3 {
		t.Errorf("headers = %v", rec.Header())
	}
	f.clk.Advance(10 * time.Second)
	if rec := anon(); rec.Code != 200 {
		t.Errorf("after Retry-After: %d", rec.Code)
	}

	// A refusal speaks the media type the client asked for.
	rec = f.as(nil, "198.51.100.7:5555", "Accept", "application/graphql-response+json")
	checkLimited(t, rec)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/graphql-response+json") {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestKeys(t *testing.T) {
	token := &viewer.Viewer{UserID: "usr_1", Token: &viewer.Token{ID: "tok_1"}}
	person := &viewer.Viewer{UserID: "usr_1"}
	for _, tc := range []struct {
		name       string
		cfg        ratelimit.HTTPConfig
		v          *viewer.Viewer
		addr       string
		xff        []string
		key        string
		identified bool
	}{
		{"token", ratelimit.HTTPConfig{}, token, "192.0.2.1:1", nil, "token:tok_1", true},
		{"person", ratelimit.HTTPConfig{}, person, "192.0.2.1:1", nil, "user:usr_1", true},
		{"anonymous", ratelimit.HTTPConfig{}, nil, "192.0.2.1:1", nil, "ip:192.0.2.1", false},
		{"forged forwarded-for", ratelimit.HTTPConfig{}, nil, "192.0.2.1:1", []string{"203.0.113.9"}, "ip:192.0.2.1", false},
		{"behind a proxy", ratelimit.HTTPConfig{TrustProxy: true}, nil, "10.0.0.2:1", []string{"203.0.113.9, 198.51.100.4"}, "ip:198.51.100.4", false},
		{"two header lines", ratelimit.HTTPConfig{TrustProxy: true}, nil, "10.0.0.2:1", []string{"203.0.113.9", "198.51.100.4"}, "ip:198.51.100.4", false},
		{"two proxies", ratelimit.HTTPConfig{TrustProxy: true, ProxyHops: 2}, nil, "10.0.0.2:1", []string{"203.0.113.9, 198.51.100.4, 10.0.0.1"}, "ip:198.51.100.4", false},
		{"proxy skipped", ratelimit.HTTPConfig{TrustProxy: true}, nil, "192.0.2.1:1", nil, "ip:192.0.2.1", false},
		{"ipv6 by /64", ratelimit.HTTPConfig{}, nil, "[2001:db8:1:2:aaaa::1]:443", nil, "ip:2001:db8:1:2::/64", false},
		{"mapped ipv4", ratelimit.HTTPConfig{}, nil, "[::ffff:192.0.2.1]:443", nil, "ip:192.0.2.1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			r.RemoteAddr = tc.addr
			for _, x := range tc.xff {
				r.Header.Add("X-Forwarded-For", x)
			}
			if tc.v != nil {
				r = r.WithContext(viewer.NewContext(r.Context(), tc.v))
			}
			key, identified := tc.cfg.Key(r)
			if key != tc.key || identified != tc.identified {
				t.Errorf("Key = %q, %v; want %q, %v", key, identified, tc.key, tc.identified)
			}
		})
	}
}

func TestBudgetsAreSeparate(t *testing.T) {
	f := newFixture(ratelimit.HTTPConfig{})
	// One address spends its anonymous budget…
	for range 3 {
		f.as(nil, "192.0.2.1:1")
	}
	checkLimited(t, f.as(nil, "192.0.2.1:1"))
	// …which touches neither another address nor the people and tokens
	// signed in from it, nor each other.
	if rec := f.as(nil, "192.0.2.2:1"); rec.Code != 200 {
		t.Errorf("another address: %d", rec.Code)
	}
	for range 10 {
		f.as(&viewer.Viewer{UserID: "usr_1"}, "192.0.2.1:1")
	}
	checkLimited(t, f.as(&viewer.Viewer{UserID: "usr_1"}, "192.0.2.1:1"))
	if rec := f.as(&viewer.Viewer{UserID: "usr_1", Token: &viewer.Token{ID: "tok_1"}}, "192.0.2.1:1"); rec.Code != 200 ||
		headerInt(t, rec, "X-RateLimit-Remaining") != 9 {
		t.Errorf("the person's token shares their budget: %d %v", rec.Code, rec.Header())
	}
	if rec := f.as(&viewer.Viewer{UserID: "usr_2"}, "192.0.2.1:1"); rec.Code != 200 {
		t.Errorf("another person: %d", rec.Code)
	}
}

func TestChargeAfterTheCostIsKnown(t *testing.T) {
	f := newFixture(ratelimit.HTTPConfig{})
	f.charge = 4
	person := &viewer.Viewer{UserID: "usr_1"}
	rec := f.as(person, "192.0.2.1:1")
	if rec.Code != 200 || headerInt(t, rec, "X-RateLimit-Remaining") != 5 {
		t.Fatalf("base 1 + 4: %d, Remaining %s", rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
	}
	rec = f.as(person, "192.0.2.1:1")
	if rec.Code != 200 || headerInt(t, rec, "X-RateLimit-Remaining") != 0 {
		t.Fatalf("second: %d, Remaining %s", rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
	}
	f.clk.Advance(2 * time.Second) // 2 points back: the base passes, the rest does not
	rec = f.as(person, "192.0.2.1:1")
	if retry := checkLimited(t, rec); retry != 3 {
		t.Errorf("Retry-After = %d, want 3 (4 points at 1 a second, 1 in hand)", retry)
	}
	if f.ran != 2 {
		t.Errorf("the operation ran %d times, want 2", f.ran)
	}
}

func TestChargeWithoutMiddleware(t *testing.T) {
	d, err := ratelimit.Charge(context.Background(), 1000)
	if err != nil || !d.Allowed {
		t.Errorf("Charge outside a request = %+v, %v", d, err)
	}
}

func TestChargeError(t *testing.T) {
	clk := newClock()
	lim := ratelimit.New(ratelimit.Config{Limit: 5, Now: clk.Now})
	var got error
	h := ratelimit.Middleware(ratelimit.HTTPConfig{Identified: lim, Anonymous: lim})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, got = ratelimit.Charge(r.Context(), 50)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", nil))
	var ae *apierror.Error
	if !errors.As(got, &ae) || ae.Code != apierror.RateLimited || !strings.Contains(ae.Message, "more than the whole budget") {
		t.Errorf("Charge over the whole budget: %v", got)
	}
}

type hijackable struct{ *httptest.ResponseRecorder }

func (hijackable) Hijack() (net.Conn, *bufio.ReadWriter, error) { return nil, nil, nil }

func TestWebSocketUpgrades(t *testing.T) {
	clk := newClock()
	lim := ratelimit.New(ratelimit.Config{Limit: 2, Now: clk.Now})
	var got http.ResponseWriter
	var charged error
	h := ratelimit.Middleware(ratelimit.HTTPConfig{Anonymous: lim})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = w
		// A subscription started on the socket draws on the same budget.
		_, charged = ratelimit.Charge(r.Context(), 1)
	}))
	upgrade := func() (hijackable, *http.Request) {
		r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		r.Header.Set("Upgrade", "websocket")
		return hijackable{httptest.NewRecorder()}, r
	}
	w, r := upgrade()
	h.ServeHTTP(w, r)
	if got != http.ResponseWriter(w) {
		t.Fatalf("the websocket transport got %T, which it cannot hijack", got)
	}
	if charged != nil || lim.Allow("ip:192.0.2.1", 1).Allowed {
		t.Errorf("the handshake and the socket's operation were not both charged: %v", charged)
	}
	w, r = upgrade()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("a handshake over budget = %d", w.Code)
	}
}
