package server_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/server"
)

// lockedBuffer collects log output written from handler goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestOperationLogAndMetrics: every query leaves one log line naming the
// operation and its SQL statements but never its variables, and shows on
// /metrics by operation and outcome.
func TestOperationLogAndMetrics(t *testing.T) {
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver { return metrics.CountStatements(d) }))
	logs := &lockedBuffer{}
	m := metrics.New()
	h := server.New(db, server.Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), Metrics: m})
	post := func(body string) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	post(`{"query": "query Dashboard($slug: String!) { community(slug: $slug) { name } }", "variables": {"slug": "secret-value-42"}, "operationName": "Dashboard"}`)
	post(`{"query": "query Broken { node(id: \"grp_nope\") { id } }", "operationName": "Broken"}`)
	out := logs.String()
	if !strings.Contains(out, "operation=Dashboard") || !strings.Contains(out, "statements=1") || !strings.Contains(out, "viewer=anonymous") || !strings.Contains(out, "cost=2 ") {
		t.Errorf("operation log: %s", out)
	}
	if strings.Contains(out, "secret-value-42") {
		t.Errorf("the log holds a variable's value: %s", out)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`usergroups_graphql_requests_total{code="OK",operation="Dashboard",type="query"} 1`,
		`usergroups_graphql_requests_total{code="NOT_FOUND",operation="Broken",type="query"} 1`,
		`usergroups_sql_statements_per_request_count 2`,
		`usergroups_websocket_sockets 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
