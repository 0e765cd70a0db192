package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/server"
)

// crasher is the document whose fragment cycle sends gqlparser's
// overlapping-fields rule into unbounded recursion (vektah/gqlparser#173):
// unguarded, it kills the process with a stack overflow.
const crasher = `query { ...F } fragment F on Query { me { handle } ...F ...F }`

// TestRequestLimitsThroughTheServer: limits refuse with their codes over
// HTTP and websockets, the cost is reported, and the server still answers
// afterwards.
func TestRequestLimitsThroughTheServer(t *testing.T) {
	db := dbtest.Open(t)
	h := server.New(db, server.Config{Logger: quietLogger()})
	post := func(q string) (int, map[string]any) {
		body, _ := json.Marshal(map[string]any{"query": q})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	codeOf := func(out map[string]any) any { return dig(out, "errors", "0", "extensions", "code") }
	for _, tc := range []struct{ name, q, code string }{
		{"cyclic fragments", crasher, "CYCLIC_FRAGMENTS"},
		{"first: 100000", `{ groups(first: 100000) { edges { node { name } } } }`, "QUERY_TOO_COMPLEX"},
		{"3 levels of first: 2147483647", `{ groups(first: 2147483647) { edges { node { roles(first: 2147483647) { edges { node { user { roles(first: 2147483647) { totalCount } } } } } } } } }`, "QUERY_TOO_COMPLEX"},
		{"500 aliases", "{ me {" + aliases(500) + " } }", "TOO_MANY_ALIASES"},
		{"6,000 repeated fields", "{" + strings.Repeat(" __typename", 6000) + " }", ""},
		{"13 levels deep", `{ me { roles { edges { node { group { roles { edges { node { user { roles { edges { node { kind } } } } } } } } } } } } }`, "QUERY_TOO_DEEP"},
		{"a suggestion-bait typo", `{ grups { totalCount } }`, "GRAPHQL_VALIDATION_FAILED"},
	} {
		status, out := post(tc.q)
		if status >= 500 || (tc.code != "" && codeOf(out) != tc.code) || (tc.code == "" && out["errors"] == nil) {
			t.Errorf("%s: HTTP %d, %v", tc.name, status, out["errors"])
		}
		if b, _ := json.Marshal(out); strings.Contains(string(b), "Did you mean") {
			t.Errorf("%s: the answer suggests field names: %s", tc.name, b)
		}
	}
	// The server still answers, with the cost of what it ran.
	status, out := post(`{ groups(first: 5) { totalCount edges { node { name } } } }`)
	if status != http.StatusOK || out["errors"] != nil || dig(out, "extensions", "cost", "requestedQueryCost") == nil {
		t.Errorf("after the refusals: HTTP %d %v", status, out)
	}

	// The same document over a websocket is an `error` message; the socket and server live on.
	s := startLive(t)
	ws := s.dial(t, "")
	ws.subscribe("c", crasher, nil)
	if m := ws.read(); m["type"] != "error" || !strings.Contains(string(mustJSON(m)), "CYCLIC_FRAGMENTS") {
		t.Errorf("cyclic fragments over the socket: %v", m)
	}
	ws.subscribe("ok", `{ __typename }`, nil)
	if m := ws.next(); m["__typename"] != "Query" {
		t.Errorf("after the refusal: %v", m)
	}
}

// aliases builds n aliased fields.
func aliases(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(" a")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(dbtest.Letters(i))
		b.WriteString(": __typename")
	}
	return b.String()
}

// TestIntrospectionSwitch: introspection is on by default and can be turned off.
func TestIntrospectionSwitch(t *testing.T) {
	db := dbtest.Open(t)
	for _, off := range []bool{false, true} {
		h := server.New(db, server.Config{Logger: quietLogger(), DisableIntrospection: off})
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ __schema { queryType { name } } }"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := strings.Contains(rec.Body.String(), `"name":"Query"`); got == off {
			t.Errorf("introspection off=%v: %s", off, rec.Body.String())
		}
	}
}

// TestRateLimitChargesCost: a request pays its computed cost, not one
// point: the headers show it, and a budget smaller than a query's cost
// refuses it with 429 and RATE_LIMITED.
func TestRateLimitChargesCost(t *testing.T) {
	db := dbtest.Open(t)
	const q = `{"query": "{ groups(first: 20) { edges { node { name roles(first: 10) { edges { node { kind } } } } } } }"}`
	send := func(h http.Handler) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(q))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	// A stopped clock: a budget refills as time passes, and a slow run
	// (-race on a busy machine) would otherwise see a point come back.
	stopped := func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	rec := send(server.New(db, server.Config{Logger: quietLogger(), AnonymousRateLimit: 10_000, Now: stopped}))
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	cost, _ := dig(out, "extensions", "cost", "requestedQueryCost").(float64)
	if rec.Code != http.StatusOK || cost < 100 || rec.Header().Get("X-RateLimit-Remaining") != strconv.Itoa(10_000-int(cost)) {
		t.Errorf("HTTP %d, cost %v, remaining %q", rec.Code, cost, rec.Header().Get("X-RateLimit-Remaining"))
	}
	rec = send(server.New(db, server.Config{Logger: quietLogger(), AnonymousRateLimit: 50}))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "RATE_LIMITED") {
		t.Errorf("over budget: HTTP %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
	}
}

// TestTrustedDocuments: in allow-list mode only listed documents run, by
// hash or by text; anything else is refused, and a list whose hash does not
// match its document is refused at startup.
func TestTrustedDocuments(t *testing.T) {
	const doc = `query Me { me { handle } }`
	sum := sha256.Sum256([]byte(doc))
	hash := hex.EncodeToString(sum[:])
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	docs, err := server.LoadTrustedDocuments(write("list.json", `{"`+hash+`": "`+doc+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.LoadTrustedDocuments(write("manifest.json", `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "`+hash+`", "name": "Me", "type": "query", "body": "`+doc+`"}]}`)); err != nil {
		t.Errorf("Apollo manifest: %v", err)
	}
	if _, err := server.LoadTrustedDocuments(write("bad.json", `{"`+hash+`": "{ __typename }"}`)); err == nil {
		t.Error("a hash that is not its document's was accepted")
	}
	h := server.New(dbtest.Open(t), server.Config{Logger: quietLogger(), TrustedDocuments: docs})
	post := func(body string) string {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	byHash := `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "` + hash + `"}}}`
	for body, want := range map[string]string{
		byHash:                        `"me":null`,
		`{"query": "` + doc + `"}`:    `"me":null`,
		`{"query": "{ __typename }"}`: "DOCUMENT_NOT_ALLOWED",
		`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "` + strings.Repeat("0", 64) + `"}}}`: "PERSISTED_QUERY_NOT_FOUND",
	} {
		if got := post(body); !strings.Contains(got, want) {
			t.Errorf("%s: %s, want %s", body, got, want)
		}
	}
}

// TestOperationTimeoutCancelsDatabaseWork: a query stuck behind another
// transaction's lock is cut off at the operation timeout with TIMEOUT, its
// database work is cancelled, and the server answers once the lock is gone.
func TestOperationTimeoutCancelsDatabaseWork(t *testing.T) {
	db := dbtest.Open(t)
	lim := limits.Default()
	lim.Timeout = 300 * time.Millisecond
	h := server.New(db, server.Config{Logger: quietLogger(), Limits: &lim})
	post := func() map[string]any {
		body, _ := json.Marshal(map[string]any{"query": `{ groups(first: 1) { totalCount } }`})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return out
	}
	ctx := context.Background()
	blocker, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	lock := `UPDATE "groups" SET name = name`
	if db.Dialect == dialect.Postgres {
		lock = `LOCK TABLE "groups" IN ACCESS EXCLUSIVE MODE`
	}
	if _, err := blocker.ExecContext(ctx, lock); err != nil {
		t.Fatal(err)
	}
	var blockerPID int
	if db.Dialect == dialect.Postgres {
		if err := blocker.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&blockerPID); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan map[string]any, 1)
	go func() { done <- post() }()
	select {
	case out := <-done:
		if code := dig(out, "errors", "0", "extensions", "code"); code != limits.CodeTimeout {
			t.Errorf("behind a lock: got %v", out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the operation was not cut off at its timeout")
	}
	if db.Dialect == dialect.Postgres {
		// The statement itself was cancelled on the server, not abandoned
		// there still waiting for the lock.
		waiting := -1
		for range 50 {
			row := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE $1 = ANY(pg_blocking_pids(pid))`, blockerPID)
			if err := row.Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting == 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if waiting != 0 {
			t.Errorf("%d statements still wait for the lock after the timeout", waiting)
		}
	}
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	if out := post(); out["errors"] != nil {
		t.Errorf("after the lock: %v", out)
	}
}
