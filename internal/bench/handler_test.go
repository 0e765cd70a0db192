package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/usergroups/usergroups/internal/bench"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/server"
)

// BenchmarkS1Handler runs the 20×20 dashboard through the whole HTTP
// handler in process (database included), for profiling with
// -cpuprofile; the figures of record come from `make bench`.
func BenchmarkS1Handler(b *testing.B) {
	db := dbtest.Open(b)
	size := bench.Size{Groups: 20, Members: 20}
	if _, err := bench.Load(context.Background(), db.Client, size); err != nil {
		b.Fatal(err)
	}
	lim := limits.Default()
	lim.MaxCost = 1 << 30
	h := server.New(db, server.Config{Limits: &lim, RateLimit: 1 << 30, AnonymousRateLimit: 1 << 30, Logger: quiet()})
	body, _ := json.Marshal(map[string]any{"query": bench.S1Query, "variables": map[string]any{"slug": bench.Slug, "groups": 20, "members": 20}})
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Body)
		}
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
