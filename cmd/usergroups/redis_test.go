package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/ratelimit/redisstore"
)

// serveReplica starts `serve` with args on an empty database of its own
// and returns its address; it stops when the test ends.
func serveReplica(t *testing.T, args ...string) (addr string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	stderr = &syncBuffer{}
	args = append([]string{"serve", "--listen", "127.0.0.1:0", "--database", testDSN(t), "--log-level", "warn"}, args...)
	go func() { done <- run(ctx, args, &bytes.Buffer{}, stderr, ready) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	case <-time.After(3 * time.Minute): // a hang detector, not a speed test
		t.Fatal("serve did not become ready")
	}
	return addr, stderr
}

// query posts an anonymous query to addr as the client at the address
// client (through the trusted proxy's X-Forwarded-For).
func query(t *testing.T, addr, client string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestServeSharesRateLimitsThroughRedis: two replicas started with one
// --redis-url give an anonymous client one budget of 3 between them.
// Needs the Redis of USERGROUPS_TEST_REDIS (skipped without it, unless
// USERGROUPS_REDIS=required).
func TestServeSharesRateLimitsThroughRedis(t *testing.T) {
	url := os.Getenv("USERGROUPS_TEST_REDIS")
	if url == "" {
		if os.Getenv("USERGROUPS_REDIS") == "required" {
			t.Fatal("USERGROUPS_REDIS=required but USERGROUPS_TEST_REDIS is not set")
		}
		t.Skip("USERGROUPS_TEST_REDIS is not set: replicas sharing rate limits need a Redis server (e.g. redis://127.0.0.1:6379/15)")
	}
	// The replicas use the default key prefix: a client address of this
	// run's own (in 198.18.0.0/15, for tests) keeps runs apart.
	var b [2]byte
	_, _ = rand.Read(b[:])
	client := fmt.Sprintf("198.18.%d.%d", b[0], b[1])
	rdb, err := redisstore.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	key := "rate:" + redisstore.DefaultPrefix + "anonymous:ip:" + client
	t.Cleanup(func() { // after the replicas stop
		if err := rdb.Del(context.Background(), key).Err(); err != nil {
			t.Errorf("deleting %s: %v", key, err)
		}
	})

	flags := []string{"--redis-url", url, "--trust-proxy", "--anonymous-rate-limit", "3"}
	a, _ := serveReplica(t, flags...)
	c, _ := serveReplica(t, flags...)
	for i, addr := range []string{a, c, a} {
		if resp := query(t, addr, client); resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Remaining") != fmt.Sprint(2-i) {
			t.Fatalf("request %d: %d, remaining %s", i+1, resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
		}
	}
	if resp := query(t, c, client); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the fourth request, on the other replica: %d, Retry-After %q; want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if n, _ := rdb.Exists(context.Background(), key).Result(); n != 1 {
		t.Errorf("no key %s in Redis", key)
	}
}

// TestServeWithRedisDown: a --redis-url where nothing listens neither stops
// serve nor its requests, which its own budgets decide; the warning is
// logged and the failures are counted.
func TestServeWithRedisDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	addr, stderr := serveReplica(t, "--redis-url", "redis://"+closed+"/15", "--trust-proxy", "--anonymous-rate-limit", "2")
	if !strings.Contains(stderr.String(), "Redis not reachable") {
		t.Errorf("no warning at start: %s", stderr.String())
	}
	for i := range 2 {
		if resp := query(t, addr, "198.18.0.1"); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d with Redis down: %d", i+1, resp.StatusCode)
		}
	}
	// The replica's own budget still bounds the client.
	if resp := query(t, addr, "198.18.0.1"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a third request: %d, want 429", resp.StatusCode)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(body), "usergroups_ratelimit_store_errors_total 0") ||
		!strings.Contains(string(body), "usergroups_ratelimit_store_errors_total ") {
		t.Errorf("store errors not counted:\n%s", body)
	}
	if !strings.Contains(stderr.String(), "rate-limit store failed") {
		t.Errorf("no warning of the failed calls: %s", stderr.String())
	}
}
