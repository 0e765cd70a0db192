package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/server"
)

// TestDevOrigins: with --dev, pages from this machine (a dashboard's dev
// server on any port) may call the API; other sites may not, and without
// --dev nor --cors-origins no other origin may (rs/cors alone would allow
// every origin given an empty list).
func TestDevOrigins(t *testing.T) {
	db := dbtest.Open(t)
	dev := server.New(db, server.Config{Logger: quietLogger(), Dev: true})
	plain := server.New(db, server.Config{Logger: quietLogger()})
	listed := server.New(db, server.Config{Logger: quietLogger(), CORSOrigins: []string{"https://*.example.org"}})
	cases := []struct {
		name    string
		h       http.Handler
		origin  string
		allowed bool
	}{
		{"dev localhost", dev, "http://localhost:5173", true},
		{"dev 127.0.0.1", dev, "http://127.0.0.1:3000", true},
		{"dev localhost without port", dev, "http://localhost", true},
		{"dev other site", dev, "https://evil.example", false},
		{"dev https localhost", dev, "https://localhost:5173", false},
		{"dev lookalike", dev, "http://localhost.evil.example", false},
		{"no list, localhost", plain, "http://localhost:5173", false},
		{"no list, other site", plain, "https://evil.example", false},
		{"pattern", listed, "https://dash.example.org", true},
		{"pattern, other site", listed, "https://example.org.evil.example", false},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		req.Header.Set("Origin", c.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, req)
		got := rec.Header().Get("Access-Control-Allow-Origin")
		if (got == c.origin) != c.allowed || (!c.allowed && got != "") {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want allowed=%v", c.name, got, c.allowed)
		}
	}
	// Websockets follow the same list.
	srv := httptest.NewServer(dev)
	defer srv.Close()
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	for origin, want := range map[string]int{"http://localhost:5173": http.StatusSwitchingProtocols, "https://evil.example": http.StatusForbidden} {
		conn, resp, _ := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", http.Header{"Origin": {origin}})
		if resp == nil || resp.StatusCode != want {
			t.Errorf("websocket from %s: %v, want %d", origin, resp, want)
		}
		if conn != nil {
			conn.Close()
		}
	}
}

// TestRefusalsAreLoggedAndCounted: what a client sees as a bare failure —
// a refused origin ("Failed to fetch"), a 401, a document that does not
// validate, a websocket refused at connection_init — leaves a log line and
// moves a counter on /metrics; websocket sessions are logged when they
// end; an unnamed operation is labelled as such, not as "anonymous".
func TestRefusalsAreLoggedAndCounted(t *testing.T) {
	db := dbtest.Open(t)
	logs := &lockedBuffer{}
	h := server.New(db, server.Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), Metrics: metrics.New()})
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(body string, header ...string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	scrape := func() string {
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	value := func(metrics, series string) string {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(metrics)
		if m == nil {
			return "0"
		}
		return m[1]
	}

	post(`{"query": "{ __typename }"}`, "Origin", "https://evil.example")
	post(`{"query": "{ __typename }"}`, "Origin", srv.URL) // the API's own pages
	if st := post(`{"query": "{ __typename }"}`, "Authorization", "Bearer ugt_"+strings.Repeat("A", 43)); st != http.StatusUnauthorized {
		t.Errorf("unknown token: status %d, want 401", st)
	}
	post(`{"query": "{ nope }"}`)
	post(`{"query": "query Q($n: Int) { communities(first: $n) { totalCount } }", "variables": {"n": "secret-value-42"}}`)

	// A websocket whose connection_init carries an unknown token is
	// closed with 4403; its session is logged when it ends.
	conn, _, err := (&websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}).Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer ugt_" + strings.Repeat("B", 43)}}); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, 4403) {
		t.Errorf("bad credential in connection_init: %v, want close 4403", err)
	}
	conn.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "msg=websocket ") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}

	m := scrape()
	for series, want := range map[string]string{
		`usergroups_cors_refused_total`:                                                                          "1",
		`usergroups_auth_failures_total{transport="http"}`:                                                       "1",
		`usergroups_auth_failures_total{transport="websocket"}`:                                                  "1",
		`usergroups_websocket_sessions_total`:                                                                    "1",
		`usergroups_graphql_requests_total{code="OK",operation="(unnamed)",type="query"}`:                        "2",
		`usergroups_graphql_requests_total{code="GRAPHQL_VALIDATION_FAILED",operation="(unnamed)",type="query"}`: "1",
		`usergroups_graphql_requests_total{code="GRAPHQL_VALIDATION_FAILED",operation="Q",type="query"}`:         "1",
	} {
		if got := value(m, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
	if strings.Contains(m, `operation="anonymous"`) {
		t.Errorf("an unnamed operation is labelled as the anonymous viewer:\n%s", m)
	}

	out := logs.String()
	for _, want := range []string{
		`msg="origin refused: not in --cors-origins" origin=https://evil.example`,
		`msg="credential refused" transport=http reason="unauthenticated: unknown token"`,
		`msg="credential refused" transport=websocket`,
		`msg="graphql refused" operation=(unnamed) type=query code=GRAPHQL_VALIDATION_FAILED error="Cannot query field \"nope\" on type \"Query\"."`,
		`msg="graphql refused" operation=Q type=query code=GRAPHQL_VALIDATION_FAILED error="" viewer=anonymous`,
		`msg=websocket protocol=graphql-transport-ws`,
		`initialized=true close=4403`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the log has no %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret-value-42") {
		t.Errorf("the log holds a variable's value:\n%s", out)
	}
	if n := strings.Count(out, "origin refused"); n != 1 {
		t.Errorf("%d refusals logged, want 1 (the API's own origin is not refused):\n%s", n, out)
	}
}
