package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
)

// testClock is a clock the test moves by hand, so that budgets do not
// refill while it runs.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// httpReply is what a test needs of an HTTP answer.
type httpReply struct {
	status int
	header http.Header
	body   map[string]any
}

func (r httpReply) code() any { return dig(r.body, "errors", "0", "extensions", "code") }

// send posts q to the server at base from the client address from (via
// X-Forwarded-For, which the server trusts), with the Authorization header
// authz unless empty.
func send(t *testing.T, base, from, authz, q string) httpReply {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", from)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := httpReply{status: resp.StatusCode, header: resp.Header}
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// dialFrom opens a graphql-transport-ws socket from the client address
// from, with the handshake header authz unless empty, without sending
// connection_init; the response is the handshake's.
func dialFrom(t *testing.T, base, from string, authz ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 10 * time.Second}
	h := http.Header{"X-Forwarded-For": {from}}
	for _, a := range authz {
		h.Set("Authorization", a)
	}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+"/graphql", h)
	if conn != nil {
		t.Cleanup(func() { _ = conn.Close() })
	}
	return conn, resp, err
}

// initSocket sends connection_init with the Authorization value authz (none
// when empty) and returns the first answer: connection_ack, or the close
// error.
func initSocket(t *testing.T, conn *websocket.Conn, authz string) (map[string]any, error) {
	t.Helper()
	payload := map[string]any{}
	if authz != "" {
		payload["Authorization"] = authz
	}
	if err := conn.WriteJSON(map[string]any{"type": "connection_init", "payload": payload}); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m map[string]any
	err := conn.ReadJSON(&m)
	return m, err
}

// TestFailedAuthenticationIsRateLimited: failed authentications, over HTTP
// and in websocket connection_init, are charged to the client's address;
// past its budget every credential from it gets 429 RATE_LIMITED with
// Retry-After unchecked, while other addresses and requests without a
// credential go on. A malformed credential never costs a SQL statement.
func TestFailedAuthenticationIsRateLimited(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	sys := dbtest.FixtureContext(t)
	ada := db.Client.User.Create().SetHandle("ada").SetName("Ada").SaveX(sys)
	good, _ := dbtest.APIToken(t, sys, db.Client, ada.ID, "read")
	clk := newTestClock()
	const budget = 6
	hs := httptest.NewServer(server.New(db, server.Config{Logger: quietLogger(), TrustProxy: true, Now: clk.Now,
		AuthFailureLimit: budget}))
	t.Cleanup(hs.Close)
	const me = `{ me { handle } }`
	malformed := []string{"Bearer ugt_thisisnotarealtoken", "Bearer nonsense", "Bearer a.b.c", "Basic YWRhOnNlY3JldA=="}

	// Address A fails over HTTP and in connection_init, without one SQL statement.
	const a, b = "203.0.113.1", "203.0.113.2"
	counter.Reset()
	for i := range budget - 2 {
		if r := send(t, hs.URL, a, malformed[i%len(malformed)], me); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: HTTP %d %v", i+1, r.status, r.body)
		}
	}
	for range 2 {
		conn, _, err := dialFrom(t, hs.URL, a)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := initSocket(t, conn, "Bearer ugt_nope"); !websocket.IsCloseError(err, 4403) {
			t.Fatalf("a bad credential in connection_init: %v %v", m, err)
		}
	}
	if n := counter.Count(); n != 0 {
		t.Errorf("malformed credentials sent %d SQL statements", n)
	}

	// Its budget is spent: any credential, even a good one, is refused unchecked.
	for _, authz := range []string{malformed[0], "Bearer " + good} {
		r := send(t, hs.URL, a, authz, me)
		retry, _ := strconv.Atoi(r.header.Get("Retry-After"))
		if r.status != http.StatusTooManyRequests || r.code() != "RATE_LIMITED" || retry < 1 {
			t.Errorf("%s past the budget: HTTP %d, Retry-After %q, %v", authz, r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	conn, _, err := dialFrom(t, hs.URL, a)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := initSocket(t, conn, "Bearer "+good); !websocket.IsCloseError(err, 4403) {
		t.Errorf("connection_init past the budget: %v %v", m, err)
	}
	if n := counter.Count(); n != 0 {
		t.Errorf("refused credentials sent %d SQL statements", n)
	}
	// Without a credential there is nothing to look up: A is served.
	if r := send(t, hs.URL, a, "", me); r.status != http.StatusOK || r.body["errors"] != nil {
		t.Errorf("anonymous from A: HTTP %d %v", r.status, r.body)
	}

	// Address B has a budget of its own; a well-formed guess costs one lookup.
	counter.Reset()
	if r := send(t, hs.URL, b, "Bearer "+auth.TokenPrefix+strings.Repeat("A", len(good)-len(auth.TokenPrefix)), me); r.status != http.StatusUnauthorized {
		t.Errorf("a guess from B: HTTP %d %v", r.status, r.body)
	}
	if n := counter.Count(); n != 1 {
		t.Errorf("a well-formed guess sent %d SQL statements, want 1", n)
	}
	if r := send(t, hs.URL, b, "Bearer "+good, me); r.status != http.StatusOK || dig(r.body, "data", "me", "handle") != "ada" {
		t.Errorf("the good token from B: HTTP %d %v", r.status, r.body)
	}

	// A handshake that carries a credential upgrades through the failure guard.
	conn, _, err = dialFrom(t, hs.URL, b, "Bearer "+good)
	if err != nil {
		t.Fatalf("a handshake with a credential: %v", err)
	}
	if m, err := initSocket(t, conn, "Bearer "+good); err != nil || m["type"] != "connection_ack" {
		t.Errorf("init after it: %v %v", m, err)
	}

	// Once the budget refills, A's credentials are looked at again.
	clk.Advance(time.Minute)
	if r := send(t, hs.URL, a, "Bearer "+good, me); r.status != http.StatusOK {
		t.Errorf("the good token from A a minute later: HTTP %d %v", r.status, r.body)
	}
}

// TestSocketOperationsPayTheCredentialsBudget: every operation on a
// websocket pays what it would over HTTP, to the budget of the credential
// sent in connection_init — not to the handshake's address. An operation
// over the budget gets an error message with RATE_LIMITED, and the socket
// stays open.
func TestSocketOperationsPayTheCredentialsBudget(t *testing.T) {
	clk := newTestClock()
	const budget, anonymousBudget = 10, 1000
	s := serveLive(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
		return dbtest.Open(t, dbtest.WithDriver(wrap))
	}, broker.Options{}, server.Config{Now: clk.Now, RateLimit: budget, AnonymousRateLimit: anonymousBudget})
	sys := dbtest.FixtureContext(t)
	ada := s.db.Client.User.Create().SetHandle("ada").SetName("Ada").SaveX(sys)
	tok, _ := dbtest.APIToken(t, sys, s.db.Client, ada.ID, "read")
	const q = `{ __typename }`
	// What the operation pays over HTTP, as an anonymous request.
	r := send(t, s.url, "127.0.0.1", "", q)
	if r.status != http.StatusOK {
		t.Fatalf("HTTP %d %v", r.status, r.body)
	}
	remaining, _ := strconv.Atoi(r.header.Get("X-RateLimit-Remaining"))
	price := anonymousBudget - remaining
	if price < 1 {
		t.Fatalf("the operation costs %d over HTTP", price)
	}

	ws := s.dial(t, tok)
	ran := 0
	var refused map[string]any
	for i := range 2 * budget {
		id := strconv.Itoa(i)
		ws.subscribe(id, q, nil)
		m := ws.read()
		if m["type"] == "error" {
			refused = m
			break
		}
		if m["type"] != "next" || ws.read()["type"] != "complete" {
			t.Fatalf("operation %s: %v", id, m)
		}
		ran++
	}
	if ran != budget/price {
		t.Errorf("%d operations ran on a budget of %d at %d each", ran, budget, price)
	}
	if refused == nil || dig(refused, "payload", "0", "extensions", "code") != "RATE_LIMITED" ||
		dig(refused, "payload", "0", "extensions", "retryAfter") == nil {
		t.Fatalf("the operation over the budget: %v", refused)
	}
	// The socket lives on.
	ws.send(map[string]any{"type": "ping"})
	if m := ws.read(); m["type"] != "pong" {
		t.Errorf("after the refusal: %v", m)
	}
	// The socket spent the token's budget ...
	if r := send(t, s.url, "127.0.0.1", "Bearer "+tok, q); r.status != http.StatusTooManyRequests || r.code() != "RATE_LIMITED" {
		t.Errorf("the token over HTTP after its socket spent its budget: HTTP %d %v", r.status, r.body)
	}
	// ... and not the address's, which paid for the handshake alone.
	r = send(t, s.url, "127.0.0.1", "", q)
	if got, want := r.header.Get("X-RateLimit-Remaining"), strconv.Itoa(anonymousBudget-price-1-price); got != want {
		t.Errorf("the address's budget: %s left, want %s", got, want)
	}
}

// TestUninitialisedSocketsAreCappedPerAddress: sockets that have not sent
// connection_init are capped per address; the next handshake from it gets
// 429 RATE_LIMITED with Retry-After while another address still connects,
// and a socket that sends connection_init frees its slot.
func TestUninitialisedSocketsAreCappedPerAddress(t *testing.T) {
	const pending = 3
	hs := httptest.NewServer(server.New(dbtest.Open(t), server.Config{Logger: quietLogger(), TrustProxy: true,
		MaxPendingSocketsPerAddress: pending}))
	t.Cleanup(hs.Close)
	const a, b = "203.0.113.1", "203.0.113.2"
	var idle []*websocket.Conn
	for i := range pending {
		conn, _, err := dialFrom(t, hs.URL, a)
		if err != nil {
			t.Fatalf("socket %d: %v", i+1, err)
		}
		idle = append(idle, conn)
	}
	_, resp, err := dialFrom(t, hs.URL, a)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("socket %d from one address: %v %+v", pending+1, err, resp)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(body), "RATE_LIMITED") {
		t.Errorf("refusal: %s", body)
	}
	if _, _, err := dialFrom(t, hs.URL, b); err != nil {
		t.Errorf("another address: %v", err)
	}
	if m, err := initSocket(t, idle[0], ""); err != nil || m["type"] != "connection_ack" {
		t.Fatalf("init: %v %v", m, err)
	}
	if _, _, err := dialFrom(t, hs.URL, a); err != nil {
		t.Errorf("after one socket sent connection_init: %v", err)
	}
}
