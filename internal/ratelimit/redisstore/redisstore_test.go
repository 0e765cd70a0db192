package redisstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"github.com/usergroups/usergroups/internal/dbtest"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/ratelimit"
	"github.com/usergroups/usergroups/internal/ratelimit/redisstore"
	"github.com/usergroups/usergroups/internal/viewer"
)

// testRedis connects to the Redis of USERGROUPS_TEST_REDIS
// (redis://127.0.0.1:6379/15, say) and returns a key prefix of this test's
// own, whose keys are deleted when it ends. Without the variable, or with
// no Redis answering, the test is skipped — unless USERGROUPS_REDIS=required
// (as in CI), when it fails.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("USERGROUPS_TEST_REDIS")
	required := os.Getenv("USERGROUPS_REDIS") == "required"
	if url == "" {
		if required {
			t.Fatal("USERGROUPS_REDIS=required but USERGROUPS_TEST_REDIS is not set (e.g. redis://127.0.0.1:6379/15)")
		}
		t.Skip("USERGROUPS_TEST_REDIS is not set: shared rate-limit budgets are tested against a real Redis (e.g. USERGROUPS_TEST_REDIS=redis://127.0.0.1:6379/15)")
	}
	rdb, err := redisstore.Dial(url)
	if err != nil {
		t.Fatalf("USERGROUPS_TEST_REDIS=%s: %v", url, err)
	}
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		if required {
			t.Fatalf("USERGROUPS_REDIS=required but no Redis answers at %s: %v", url, err)
		}
		t.Skipf("no Redis answers at USERGROUPS_TEST_REDIS=%s: %v", url, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "usergroups-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		keys, err := rdb.Keys(ctx, "rate:"+prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			err = rdb.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Errorf("cleaning up %s*: %v", prefix, err)
		}
	})
	return rdb, prefix
}

// replica is one server's store of budgets, on its own connection to the
// test's Redis.
func replica(t *testing.T, prefix string, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	rdb, err := redisstore.Dial(os.Getenv("USERGROUPS_TEST_REDIS"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	opts.Prefix = prefix
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return redisstore.New(rdb, opts)
}

// TestReplicasShareOneBudget: what a client spends on one replica is gone
// on the other, the refusal says when it fits again, and the budget
// refills for both.
func TestReplicasShareOneBudget(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	failed := 0
	opts := redisstore.Options{Failed: func() { failed++ }}
	cfg := ratelimit.Config{Limit: 10, Window: time.Minute} // a point every 6 s
	var newA, newB ratelimit.NewStore = replica(t, prefix, opts).Budget, replica(t, prefix, opts).Budget
	a, b := newA(ratelimit.IdentifiedBudget, cfg), newB(ratelimit.IdentifiedBudget, cfg)
	const key = "token:tok_1"

	if d := a.Take(ctx, key, 6); !d.Allowed || d.Limit != 10 || d.Remaining != 4 {
		t.Fatalf("6 on A = %+v", d)
	}
	d := b.Take(ctx, key, 5)
	if d.Allowed || d.Remaining != 4 {
		t.Fatalf("5 more on B = %+v, want refused with 4 left", d)
	}
	// One point short, at 6 s a point (less the moments since A's charge).
	if d.RetryAfter <= 5*time.Second || d.RetryAfter > 6*time.Second {
		t.Errorf("B's RetryAfter = %s, want just under 6s", d.RetryAfter)
	}
	if d := b.Take(ctx, key, 4); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("the last 4 on B = %+v", d)
	}
	if d := a.Peek(ctx, key, 1); d.Allowed || d.Remaining != 0 {
		t.Errorf("A after B spent the rest = %+v, want refused", d)
	}
	if d := a.Take(ctx, key, 1); d.Allowed {
		t.Errorf("A took from a spent budget: %+v", d)
	}
	// Other clients, and other budgets of the same client, are apart.
	if d := b.Take(ctx, "token:tok_2", 10); !d.Allowed {
		t.Errorf("another token = %+v", d)
	}
	if d := newB(ratelimit.FailureBudget, cfg).Take(ctx, key, 1); !d.Allowed || d.Remaining != 9 {
		t.Errorf("another budget of the same key = %+v", d)
	}

	// The key holds when the budget is whole again, and expires then.
	stored := "rate:" + prefix + ratelimit.IdentifiedBudget + ":" + key
	if ttl := rdb.TTL(ctx, stored).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("TTL of %s = %s, want at most the window", stored, ttl)
	}
	// Half a window passes for Redis: half the budget is back, for both.
	whole, err := rdb.Get(ctx, stored).Float64()
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, stored, whole-30, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if d := b.Peek(ctx, key, 5); !d.Allowed || d.Remaining != 5 {
		t.Errorf("B half a window later = %+v, want 5 back", d)
	}
	if d := a.Take(ctx, key, 5); !d.Allowed || d.Remaining != 0 {
		t.Errorf("A half a window later = %+v", d)
	}
	if d := b.Take(ctx, key, 1); d.Allowed {
		t.Errorf("B after A spent the refill = %+v", d)
	}
	if failed != 0 {
		t.Errorf("%d calls failed", failed)
	}
}

// TestSharedCostsAndPeek: a cost above the whole budget never fits and
// waits a window, taking nothing; a cost of 0 reports; Peek takes nothing
// and writes no key for a client never seen.
func TestSharedCostsAndPeek(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	s := replica(t, prefix, redisstore.Options{}).Budget(ratelimit.AnonymousBudget, ratelimit.Config{Limit: 10, Window: time.Minute})
	const key = "ip:192.0.2.1"
	if d := s.Peek(ctx, key, 1); !d.Allowed || d.Remaining != 10 {
		t.Errorf("Peek of a new key = %+v", d)
	}
	if n := rdb.Exists(ctx, "rate:"+prefix+ratelimit.AnonymousBudget+":"+key).Val(); n != 0 {
		t.Error("Peek wrote the key of a client never seen")
	}
	if d := s.Take(ctx, key, 11); d.Allowed || d.RetryAfter != time.Minute {
		t.Errorf("11 of 10 = %+v, want refused for a window", d)
	}
	if d := s.Take(ctx, key, 0); !d.Allowed || d.Remaining != 10 {
		t.Errorf("a cost of 0 = %+v", d)
	}
	if d := s.Take(ctx, key, 10); !d.Allowed || d.Remaining != 0 {
		t.Errorf("the whole budget after a refused cost = %+v", d)
	}
	for range 2 {
		if d := s.Peek(ctx, key, 1); d.Allowed || d.RetryAfter <= 5*time.Second || d.RetryAfter > 6*time.Second {
			t.Errorf("Peek of a spent key = %+v, want refused for about 6s", d)
		}
	}
}

// TestMiddlewareSharesBudgets: two replicas' /graphql middleware, each with
// its own store on one Redis, charge one budget per client: the door's
// base cost, an operation's cost, and a websocket's operations.
func TestMiddlewareSharesBudgets(t *testing.T) {
	_, prefix := testRedis(t)
	serve := func() http.Handler {
		s := replica(t, prefix, redisstore.Options{})
		return ratelimit.Middleware(ratelimit.HTTPConfig{
			Identified: s.Budget(ratelimit.IdentifiedBudget, ratelimit.Config{Limit: 10, Window: time.Minute}),
			Anonymous:  s.Budget(ratelimit.AnonymousBudget, ratelimit.Config{Limit: 3, Window: time.Minute}),
		})(graphQL{})
	}
	a, b := serve(), serve()

	// Anonymous: 3 requests a minute from one address, wherever they land.
	for i, h := range []http.Handler{a, b, a} {
		rec := send(h, "", 1)
		if rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Fatalf("request %d: %d, remaining %s", i+1, rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
		}
	}
	rec := send(b, "", 1)
	checkLimited(t, rec, 20) // a point every 20 s
	if rec.Header().Get("X-RateLimit-Limit") != "3" {
		t.Errorf("X-RateLimit-Limit = %s", rec.Header().Get("X-RateLimit-Limit"))
	}

	// A person: an operation of cost 6 on A (1 at the door, 5 after),
	// then one of cost 5 on B is refused after its door took 1.
	if rec := send(a, "usr_1", 6); rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Remaining") != "4" {
		t.Fatalf("cost 6 on A: %d, remaining %s", rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
	}
	checkLimited(t, send(b, "usr_1", 5), 6)
	if rec := send(b, "usr_1", 3); rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("cost 3 on B: %d, remaining %s", rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
	}
	checkLimited(t, send(a, "usr_1", 1), 6)

	// A websocket on A: the handshake pays 1 and its operation 9, from
	// the person's shared budget.
	rec = send(a, "usr_2", 0, "Upgrade", "websocket")
	if rec.Code != http.StatusOK {
		t.Fatalf("websocket on A: %d", rec.Code)
	}
	checkLimited(t, send(b, "usr_2", 1), 6)
}

// graphQL stands for the GraphQL handler: the Cost header is the
// operation's cost, which it charges as the server does; on a websocket it
// charges one operation of cost 9 after connection_init (ForSocket).
type graphQL struct{}

func (graphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cost, _ := strconv.Atoi(r.Header.Get("Cost"))
	if r.Header.Get("Upgrade") != "" {
		ctx, cost = ratelimit.ForSocket(ctx), 9
	}
	if _, err := ratelimit.ChargeOperation(ctx, cost); err != nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"errors":[{"message":"rate limited","extensions":{"code":"RATE_LIMITED"}}]}`)
		return
	}
	_, _ = io.WriteString(w, `{"data":{}}`)
}

// send posts an operation of the cost from 192.0.2.1, as the person user
// ("" anonymous), with more headers in name, value pairs.
func send(h http.Handler, user string, cost int, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ a }"}`))
	r.RemoteAddr = "192.0.2.1:1000"
	r.Header.Set("Cost", strconv.Itoa(cost))
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	if user != "" {
		r = r.WithContext(viewer.NewContext(r.Context(), &viewer.Viewer{UserID: pulid.ID(user)}))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// checkLimited fails unless rec is a 429 RATE_LIMITED whose Retry-After
// is at most max seconds.
func checkLimited(t *testing.T, rec *httptest.ResponseRecorder, maxRetry int) {
	t.Helper()
	retry, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if rec.Code != http.StatusTooManyRequests || err != nil || retry < 1 || retry > maxRetry ||
		!strings.Contains(rec.Body.String(), "RATE_LIMITED") {
		t.Fatalf("got %d, Retry-After %q, %s; want 429 RATE_LIMITED within %d s", rec.Code, rec.Header().Get("Retry-After"), rec.Body, maxRetry)
	}
}

// TestFailOpenWhenRedisIsDown: with nothing listening at the Redis
// address, requests are decided by the replica's own budgets — served,
// still bounded per replica — and each failed call is counted in the
// metrics; Redis is asked again after the hold-off, and the warning is
// logged once a minute, not per request. No Redis server is needed.
func TestFailOpenWhenRedisIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // a closed port: every connection is refused
	rdb, err := redisstore.Dial("redis://" + addr + "/15")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	m := metrics.New()
	var logs bytes.Buffer
	clk := dbtest.NewClock(time.Date(2027, 1, 10, 19, 0, 0, 0, time.UTC))
	s := redisstore.New(rdb, redisstore.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Failed: m.RateLimitStoreFailed, Now: clk.Now})
	anonymous := s.Budget(ratelimit.AnonymousBudget, ratelimit.Config{Limit: 3, Window: time.Minute})
	h := ratelimit.Middleware(ratelimit.HTTPConfig{Anonymous: anonymous,
		Identified: s.Budget(ratelimit.IdentifiedBudget, ratelimit.Config{Limit: 10, Window: time.Minute})})(graphQL{})

	if rec := send(h, "", 1); rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Remaining") != "2" {
		t.Fatalf("with Redis down: %d, remaining %s; want served from this replica's budget", rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
	}
	if n := storeErrors(t, m); n != 1 {
		t.Errorf("store errors = %v, want 1", n)
	}
	// Within the hold-off Redis is not asked; the replica's budget still bounds.
	send(h, "", 1)
	send(h, "", 1)
	checkLimited(t, send(h, "", 1), 20)
	if n := storeErrors(t, m); n != 1 {
		t.Errorf("store errors within the hold-off = %v, want 1", n)
	}
	clk.Advance(redisstore.DefaultHoldOff)
	if rec := send(h, "usr_1", 1); rec.Code != http.StatusOK {
		t.Errorf("a person with Redis down: %d", rec.Code)
	}
	if n := storeErrors(t, m); n != 2 {
		t.Errorf("store errors after the hold-off = %v, want 2", n)
	}
	if n := strings.Count(logs.String(), "rate-limit store failed"); n != 1 {
		t.Errorf("%d warnings within a minute, want 1:\n%s", n, logs.String())
	}
	clk.Advance(time.Minute)
	s.Budget(ratelimit.FailureBudget, ratelimit.Config{Limit: 1}).Peek(context.Background(), "ip:192.0.2.1", 1)
	if n := strings.Count(logs.String(), "rate-limit store failed"); n != 2 || !strings.Contains(logs.String(), "failures=2") {
		t.Errorf("want a second warning a minute later, counting 2 failures:\n%s", logs.String())
	}
}

// storeErrors reads usergroups_ratelimit_store_errors_total from /metrics.
func storeErrors(t *testing.T, m *metrics.Metrics) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "usergroups_ratelimit_store_errors_total "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("usergroups_ratelimit_store_errors_total is not served")
	return 0
}
