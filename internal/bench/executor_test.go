package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/bench"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/server"
)

// S9, the executor tax: what the GraphQL layer costs to turn a nested
// dashboard (S1, 20 groups × 20 members) that is already in memory into a
// response, against encoding/json writing the same document.
//
// How the result is fixed in memory. The request goes through the
// production handler (server.GraphQL: transports, query cache, limits,
// the operation hooks) and the generated executor from the root field
// down; only the root resolver's one database round trip is replaced. The
// community resolver builds its query for real (CollectFields turns the
// selection into eager loads of groups, roles, users, organizations and
// events) and calls Only; an ent interceptor on Community queries records
// that answer the first time and replays it afterwards, after ent has run
// the query's privacy policy. Every edge below the root is then served by
// the entgql edge methods from the eager-loaded named edges, as in
// production, so no statement reaches the database (checked with a
// counting driver). Recording rows at the driver instead would have
// measured ent's row scanning and eager loading too, which is not the
// executor's cost; stubbing resolvers would have skipped code the
// executor really runs. The request is anonymous, as the floor's
// (floor.go): active roles and published events are public.

// The shape: 20 groups of 20 members, 5 events each.
const (
	s1Groups  = 20
	s1Members = 20
	s1Events  = 5
)

// executorFixture is a GraphQL handler whose S1 answer is fixed in memory.
type executorFixture struct {
	handler http.Handler
	body    []byte // the POST body of the S1 request
	sql     *dbtest.Counter
}

func newExecutorFixture(tb testing.TB) *executorFixture {
	tb.Helper()
	var sql *dbtest.Counter
	db := dbtest.Open(tb, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		sql = dbtest.NewCounter(d)
		return sql
	}))
	ctx := context.Background()
	if _, err := bench.Load(ctx, db.Client, bench.Size{Groups: s1Groups, Members: s1Members, Events: s1Events}); err != nil {
		tb.Fatal(err)
	}
	// The client is this fixture's own, and S1 is its only request: every
	// Community query after the first is S1's and gets S1's answer.
	var recorded ent.Value
	db.Client.Community.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			if recorded != nil {
				return recorded, nil
			}
			v, err := next.Query(ctx, q)
			if err == nil {
				recorded = v
			}
			return v, err
		})
	}))
	lim := limits.Default()
	lim.MaxCost = 1_000_000_000 // as bench.ServeArgs: S1 at 20×20 is above the default budget
	srv := server.GraphQL(db, server.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limits: &lim,
	})
	body, err := json.Marshal(map[string]any{
		"query":     bench.S1Query,
		"variables": map[string]any{"slug": bench.Slug, "groups": s1Groups, "members": s1Members},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &executorFixture{handler: srv, body: body, sql: sql}
}

// responseBuffer is an http.ResponseWriter that keeps the body in a buffer
// reused across requests, so that the benchmark counts the handler's
// writes and not a recorder's.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *responseBuffer) Header() http.Header         { return w.header }
func (w *responseBuffer) Write(p []byte) (int, error) { return w.body.Write(p) }
func (w *responseBuffer) WriteHeader(status int)      { w.status = status }

func (w *responseBuffer) reset() {
	clear(w.header)
	w.status = http.StatusOK
	w.body.Reset()
}

// do runs the S1 request once into w.
func (f *executorFixture) do(tb testing.TB, w *responseBuffer) {
	req, err := http.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(f.body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	w.reset()
	f.handler.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		tb.Fatalf("status %d: %s", w.status, w.body.Bytes())
	}
}

// s1Response is the S1 document as typed Go values, for encoding/json.
type s1Response struct {
	Data struct {
		Community *s1Community `json:"community"`
	} `json:"data"`
	// Extensions is what the limits extension adds to every answer.
	Extensions struct {
		Cost struct {
			RequestedQueryCost int `json:"requestedQueryCost"`
			Maximum            int `json:"maximum"`
		} `json:"cost"`
	} `json:"extensions"`
}

type s1Community struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Groups struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node s1Group `json:"node"`
		} `json:"edges"`
	} `json:"groups"`
}

type s1Group struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	City   string `json:"city"`
	Status string `json:"status"`
	Roles  struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node s1Role `json:"node"`
		} `json:"edges"`
	} `json:"roles"`
	Events struct {
		Edges []struct {
			Node s1Event `json:"node"`
		} `json:"edges"`
	} `json:"events"`
}

type s1Role struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	User   struct {
		ID           string `json:"id"`
		Handle       string `json:"handle"`
		Name         string `json:"name"`
		Organization *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"organization"`
	} `json:"user"`
}

type s1Event struct {
	ID            string    `json:"id"`
	Title         string    `json:"title"`
	StartsAt      time.Time `json:"startsAt"`
	GoingCount    int       `json:"goingCount"`
	WaitlistCount int       `json:"waitlistCount"`
}

// checkS1 runs the fixture once, checks that it answered the whole data
// set from memory, and returns the response and the same document decoded
// into s1Response; it fails unless encoding/json writes it back
// semantically equal.
func checkS1(tb testing.TB, f *executorFixture) ([]byte, *s1Response) {
	tb.Helper()
	w := &responseBuffer{header: http.Header{}}
	f.do(tb, w) // records the root query's answer
	f.sql.Reset()
	f.do(tb, w)
	if n := f.sql.Count(); n != 0 {
		tb.Fatalf("a replayed S1 request sent %d SQL statements, want 0", n)
	}
	out := bytes.Clone(w.body.Bytes())
	var typed s1Response
	if err := json.Unmarshal(out, &typed); err != nil {
		tb.Fatal(err)
	}
	c := typed.Data.Community
	if c == nil || len(c.Groups.Edges) != s1Groups || c.Groups.TotalCount != s1Groups {
		tb.Fatalf("S1 answered without its %d groups: %.300s", s1Groups, out)
	}
	for _, g := range c.Groups.Edges {
		if len(g.Node.Roles.Edges) != s1Members || len(g.Node.Events.Edges) != s1Events {
			tb.Fatalf("group %s: %d roles and %d events, want %d and %d", g.Node.Name,
				len(g.Node.Roles.Edges), len(g.Node.Events.Edges), s1Members, s1Events)
		}
	}
	again, err := json.Marshal(&typed)
	if err != nil {
		tb.Fatal(err)
	}
	var a, b any
	if err := errors.Join(json.Unmarshal(out, &a), json.Unmarshal(again, &b)); err != nil {
		tb.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		tb.Fatalf("encoding/json wrote another document:\n%.500s\nwant\n%.500s", again, out)
	}
	return out, &typed
}

// TestExecutorS1 is the benchmarks' parity check, run by every `go test`.
func TestExecutorS1(t *testing.T) {
	out, _ := checkS1(t, newExecutorFixture(t))
	t.Logf("S1 %d×%d response: %d bytes", s1Groups, s1Members, len(out))
}

// BenchmarkExecutorS1 is one S1 request through the production GraphQL
// handler, its answer already in memory.
func BenchmarkExecutorS1(b *testing.B) {
	f := newExecutorFixture(b)
	out, _ := checkS1(b, f)
	b.ReportMetric(float64(len(out)), "resp-bytes")
	w := &responseBuffer{header: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f.do(b, w)
	}
}

// BenchmarkEncodingJSONS1 is encoding/json writing the same document from
// typed structs: the floor the executor is measured against.
func BenchmarkEncodingJSONS1(b *testing.B) {
	out, typed := checkS1(b, newExecutorFixture(b))
	b.ReportMetric(float64(len(out)), "resp-bytes")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := json.Marshal(typed); err != nil {
			b.Fatal(err)
		}
	}
}
