package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/usergroups/usergroups/internal/bench"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/server"
)

// TestFloorMatchesServer: the hand-written floor and the API give the same
// data for S1 and S3, and parity catches a difference.
func TestFloorMatchesServer(t *testing.T) {
	db := dbtest.Open(t)
	d, err := bench.Load(context.Background(), db.Client, bench.Size{Groups: 3, Members: 4, Events: 7})
	if err != nil {
		t.Fatal(err)
	}
	lim := limits.Default()
	lim.MaxCost = 1 << 30
	api := server.New(db, server.Config{Limits: &lim, RateLimit: 1 << 30, AnonymousRateLimit: 1 << 30})
	floor := bench.NewFloor(db.SQL, db.Dialect == "postgres")
	ask := func(h http.Handler, q string, vars map[string]any) []byte {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	for name, tc := range map[string]struct {
		q    string
		vars map[string]any
	}{
		"S1":           {bench.S1Query, map[string]any{"slug": bench.Slug, "groups": 2, "members": 3}},
		"S1 all":       {bench.S1Query, map[string]any{"slug": bench.Slug, "groups": 10, "members": 10}},
		"S1 no such":   {bench.S1Query, map[string]any{"slug": "nope", "groups": 2, "members": 3}},
		"S3":           {bench.S3Query, map[string]any{"id": string(d.Groups[1])}},
		"S3 not found": {bench.S3Query, map[string]any{"id": "grp_01J00000000000000000000000"}},
	} {
		ours, theirs := ask(api, tc.q, tc.vars), ask(floor, tc.q, tc.vars)
		if name == "S3 not found" {
			continue // ours answers NOT_FOUND with an error, the floor null
		}
		if err := bench.SameData(ours, theirs); err != nil {
			t.Errorf("%s: %v\nours   %s\ntheirs %s", name, err, ours, theirs)
		}
	}
	// Parity is not vacuous.
	a := ask(api, bench.S1Query, map[string]any{"slug": bench.Slug, "groups": 2, "members": 3})
	b := ask(floor, bench.S1Query, map[string]any{"slug": bench.Slug, "groups": 2, "members": 2})
	if bench.SameData(a, b) == nil {
		t.Error("different pages compared equal")
	}
}

// TestSavedQueriesRun: every document of the S5 mix is valid and answers
// without errors.
func TestSavedQueriesRun(t *testing.T) {
	db := dbtest.Open(t)
	d, err := bench.Load(context.Background(), db.Client, bench.Size{Groups: 12, Members: 4})
	if err != nil {
		t.Fatal(err)
	}
	api := server.New(db, server.Config{RateLimit: 1 << 30, AnonymousRateLimit: 1 << 30})
	for _, q := range bench.S5Queries {
		body, _ := json.Marshal(map[string]any{"query": q.Query, "variables": q.Variables(d)})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) || !bytes.Contains(rec.Body.Bytes(), []byte(`"data":{`)) {
			t.Errorf("%s: HTTP %d %s", q.Name, rec.Code, rec.Body)
		}
	}
	if len(bench.S5Queries) != 20 {
		t.Errorf("%d saved queries, want 20", len(bench.S5Queries))
	}
}
