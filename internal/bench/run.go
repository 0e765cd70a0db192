package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
)

// Config says what a suite runs.
type Config struct {
	// Binary is our server (`usergroups`); Self is the harness binary,
	// which serves the floor.
	Binary, Self string
	// PostgresURL is the database the PostgreSQL scenarios use; each data
	// set gets a schema of its own there, dropped afterwards.
	PostgresURL string
	// Runs is how many times each figure is measured (interleaved with its
	// comparison); Duration is the length of one run.
	Runs     int
	Duration time.Duration
	// Sizes are the S1 data sets; the first is the reference size for the
	// other scenarios.
	Sizes []Size
	// Only, when not empty, names the scenarios to run ("S1", "S4", …).
	Only map[string]bool
	// Log receives progress lines.
	Log io.Writer
	// Burst is the shape of S10's bursts (S11 runs them too); zero fields
	// take BurstConfig's defaults.
	Burst BurstConfig
	// Soak is the shape of the soak, which runs only when Only names SOAK;
	// its binary, database and log are the suite's.
	Soak SoakConfig
}

func (c Config) runs(name string) bool { return len(c.Only) == 0 || c.Only[name] }

func (c Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
}

// Connections is the concurrency of every throughput run.
const Connections = 8

// Schema is a PostgreSQL schema holding one data set.
type Schema struct {
	DSN  string
	Name string
	base string
}

// NewSchema creates an empty schema named name on the server at base
// (dropping a leftover of the same name) and returns a DSN using it.
func NewSchema(ctx context.Context, base, name string) (*Schema, error) {
	admin, err := store.Open(base, store.Options{MaxOpenConns: 1})
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.SQL.ExecContext(ctx, `DROP SCHEMA IF EXISTS "`+name+`" CASCADE`); err != nil {
		return nil, err
	}
	if _, err := admin.SQL.ExecContext(ctx, `CREATE SCHEMA "`+name+`"`); err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return &Schema{DSN: u.String(), Name: name, base: base}, nil
}

// Drop removes the schema and its data.
func (s *Schema) Drop(ctx context.Context) error {
	admin, err := store.Open(s.base, store.Options{MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.SQL.ExecContext(ctx, `DROP SCHEMA IF EXISTS "`+s.Name+`" CASCADE`)
	return err
}

// Prepare migrates the database at dsn and loads a data set into it.
func Prepare(ctx context.Context, dsn string, size Size) (*Dataset, error) {
	db, err := store.Open(dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	return Load(ctx, db.Client, size)
}

// Suite runs the scenarios and collects the report.
type Suite struct {
	cfg    Config
	Report *Report
}

// NewSuite returns a suite for cfg with an empty report.
func NewSuite(cfg Config) *Suite {
	if cfg.Runs < 1 {
		cfg.Runs = 3
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 5 * time.Second
	}
	return &Suite{cfg: cfg, Report: NewReport(cfg)}
}

// Run runs every configured scenario in turn. A scenario that fails is
// reported as failed in its section and the others still run.
func (s *Suite) Run(ctx context.Context) error {
	var errs []error
	step := func(name string, f func(context.Context) error) {
		if !s.cfg.runs(name) {
			return
		}
		s.cfg.logf("%s …", name)
		if err := f(ctx); err != nil {
			s.cfg.logf("%s failed: %v", name, err)
			s.Report.Failed(name, err)
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	step("S1", s.dashboard)
	step("S4", s.statements)
	step("S5", s.mix)
	step("S6", s.idle)
	step("S7", s.fanout)
	step("S8", s.sqlite)
	step("S9", s.executorTax)
	step("S10", s.writeBurst)
	step("S11", s.readsUnderWrites)
	step("POSTGRAPHILE", s.postgraphile)
	// Ten minutes on its own: never part of a run that did not ask for it.
	if s.cfg.Only["SOAK"] {
		step("SOAK", s.soak)
	}
	return errors.Join(errs...)
}

// soak runs the soak test into the report; a check that failed fails the
// step after its section is recorded.
func (s *Suite) soak(ctx context.Context) error {
	cfg := s.cfg.Soak
	cfg.Binary, cfg.Database, cfg.Log = s.cfg.Binary, s.cfg.PostgresURL, s.cfg.Log
	res, err := Soak(ctx, cfg)
	if err != nil {
		return err
	}
	s.Report.Soak(res)
	if !res.Passed() {
		return fmt.Errorf("checks failed: %s", strings.Join(res.Failed(), "; "))
	}
	return nil
}

// postgraphile compares S1–S3 with PostGraphile v5 on the reference size
// (installing Node 22 and PostGraphile from npm on first use).
func (s *Suite) postgraphile(ctx context.Context) error {
	r, err := ComparePostGraphileWith(ctx, CompareConfig{Binary: s.cfg.Binary, PostgresURL: s.cfg.PostgresURL,
		Sizes: s.cfg.Sizes[:1], Runs: s.cfg.Runs, Duration: s.cfg.Duration, Log: s.cfg.Log})
	if err != nil {
		return err
	}
	s.Report.Add(r.Section())
	return nil
}

// pair measures ours and the floor on the same request, interleaved.
type pair struct {
	ours, floor []Result
}

func (s *Suite) interleave(ctx context.Context, a, b *Server, req func(base string) Request) pair {
	var p pair
	for range s.cfg.Runs {
		p.ours = append(p.ours, Closed(ctx, Connections, s.cfg.Duration, a.CPU, req(a.URL)))
		if b != nil {
			p.floor = append(p.floor, Closed(ctx, Connections, s.cfg.Duration, b.CPU, req(b.URL)))
		}
	}
	return p
}

// parity asks both servers the same question and compares their data.
func parity(ctx context.Context, a, b *Server, query string, vars map[string]any) error {
	c := NewClient(1)
	body := mustJSON(map[string]any{"query": query, "variables": vars})
	ours, err := Post(ctx, c, a.URL+"/graphql", body)
	if err != nil {
		return fmt.Errorf("ours: %w", err)
	}
	theirs, err := Post(ctx, c, b.URL+"/graphql", body)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	return SameData(ours, theirs)
}

func s1Vars(size Size) map[string]any {
	return map[string]any{"slug": Slug, "groups": size.Groups, "members": size.Members}
}

// dashboard is S1 (every size, ours against the floor, then latency at a
// fixed rate), with S2 and S3 on the first size.
func (s *Suite) dashboard(ctx context.Context) error {
	for i, size := range s.cfg.Sizes {
		schema, err := NewSchema(ctx, s.cfg.PostgresURL, "bench_"+strings.ReplaceAll(size.String(), "×", "x"))
		if err != nil {
			return err
		}
		defer schema.Drop(context.WithoutCancel(ctx))
		s.cfg.logf("loading %s into PostgreSQL", size)
		d, err := Prepare(ctx, schema.DSN, size)
		if err != nil {
			return err
		}
		if err := s.measureDashboard(ctx, "PostgreSQL", schema.DSN, d, i == 0); err != nil {
			return err
		}
	}
	return nil
}

// measureDashboard starts our server and the floor on dsn and measures S1
// (and, when withPoint, S2 and S3) into the report.
func (s *Suite) measureDashboard(ctx context.Context, db, dsn string, d *Dataset, withPoint bool) error {
	ours, err := StartServer(ctx, s.cfg.Binary, dsn)
	if err != nil {
		return err
	}
	defer ours.Stop()
	floor, err := StartFloor(ctx, s.cfg.Self, dsn)
	if err != nil {
		return err
	}
	defer floor.Stop()
	vars := s1Vars(d.Size)
	if err := parity(ctx, ours, floor, S1Query, vars); err != nil {
		return fmt.Errorf("S1 %s: our answer and the floor's differ: %w", d.Size, err)
	}
	s.cfg.logf("S1 %s on %s: parity holds; measuring", d.Size, db)
	p := s.interleave(ctx, ours, floor, func(base string) Request { return PostGraphQL(base+"/graphql", S1Query, vars) })
	// Latency at a fixed rate: half of our median throughput, so that the
	// server is busy but not saturated and queueing does not dominate.
	rate := max(1, median(rpsOf(p.ours))/2)
	var fixed []Result
	for range s.cfg.Runs {
		fixed = append(fixed, Fixed(ctx, rate, s.cfg.Duration, ours.CPU, PostGraphQL(ours.URL+"/graphql", S1Query, vars)))
	}
	s.Report.Dashboard(db, d.Size, p, fixed, rate)
	if !withPoint {
		return nil
	}
	s2 := PostGraphQL(ours.URL+"/graphql", S2Query, map[string]any{"first": 50})
	var flat []Result
	for range s.cfg.Runs {
		flat = append(flat, Closed(ctx, Connections, s.cfg.Duration, ours.CPU, s2))
	}
	s.Report.Flat(db, flat)
	// S3 looks up groups spread over the data set, so no one row is hot.
	s3 := func(base string) Request {
		return func(ctx context.Context, c *http.Client) error {
			id := d.Groups[rand.IntN(len(d.Groups))]
			_, err := Post(ctx, c, base+"/graphql", mustJSON(map[string]any{"query": S3Query, "variables": map[string]any{"id": id}}))
			return err
		}
	}
	if err := parity(ctx, ours, floor, S3Query, map[string]any{"id": d.Groups[0]}); err != nil {
		return fmt.Errorf("S3: our answer and the floor's differ: %w", err)
	}
	s.Report.Point(db, s.interleave(ctx, ours, floor, s3))
	return nil
}

// statements is S4: SQL statements per S1 request as the community grows,
// counted in process by a driver wrapper.
func (s *Suite) statements(ctx context.Context) error {
	var rows []StatementRow
	for _, n := range []int{10, 100, 1000} {
		schema, err := NewSchema(ctx, s.cfg.PostgresURL, fmt.Sprintf("bench_s4_%d", n))
		if err != nil {
			return err
		}
		size := Size{Groups: n, Members: 5}
		d, err := Prepare(ctx, schema.DSN, size)
		if err != nil {
			return err
		}
		var counter *dbtest.Counter
		db, err := store.Open(schema.DSN, store.Options{WrapDriver: func(drv dialect.Driver) dialect.Driver {
			counter = dbtest.NewCounter(drv)
			return counter
		}})
		if err != nil {
			return err
		}
		lim := limits.Default()
		lim.MaxCost = 1 << 30
		h := server.GraphQL(db, server.Config{Limits: &lim, MaxPageSize: 1000, Logger: discardLogger()})
		row := StatementRow{Groups: n}
		for _, q := range []struct {
			query string
			vars  map[string]any
			into  *int64
		}{
			{S1Query, map[string]any{"slug": Slug, "groups": n, "members": 5}, &row.S1},
			{S2Query, map[string]any{"first": min(n, 1000)}, &row.S2},
			{S3Query, map[string]any{"id": d.Groups[n-1]}, &row.S3},
		} {
			counter.Reset()
			if _, err := serveOnce(ctx, h, q.query, q.vars); err != nil {
				db.Close()
				return err
			}
			*q.into = counter.Count()
		}
		rows = append(rows, row)
		db.Close()
		if err := schema.Drop(ctx); err != nil {
			return err
		}
	}
	s.Report.Statements(rows)
	return nil
}

// mix is S5: the twenty saved queries in turn, on the reference size.
func (s *Suite) mix(ctx context.Context) error {
	size := s.cfg.Sizes[0]
	schema, err := NewSchema(ctx, s.cfg.PostgresURL, "bench_s5")
	if err != nil {
		return err
	}
	defer schema.Drop(context.WithoutCancel(ctx))
	d, err := Prepare(ctx, schema.DSN, size)
	if err != nil {
		return err
	}
	ours, err := StartServer(ctx, s.cfg.Binary, schema.DSN)
	if err != nil {
		return err
	}
	defer ours.Stop()
	bodies := make([][]byte, len(S5Queries))
	for i, q := range S5Queries {
		bodies[i] = mustJSON(map[string]any{"query": q.Query, "variables": q.Variables(d)})
		if _, err := Post(ctx, NewClient(1), ours.URL+"/graphql", bodies[i]); err != nil {
			return fmt.Errorf("saved query %q: %w", q.Name, err)
		}
	}
	req := func(ctx context.Context, c *http.Client) error {
		_, err := Post(ctx, c, ours.URL+"/graphql", bodies[rand.IntN(len(bodies))])
		return err
	}
	var res []Result
	for range s.cfg.Runs {
		res = append(res, Closed(ctx, Connections, s.cfg.Duration, ours.CPU, req))
	}
	s.Report.Mix(size, res)
	return nil
}

// sqlite is S8: S1 and S3 on an embedded SQLite file, ours against the
// floor on the same file.
func (s *Suite) sqlite(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "usergroups-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dsn := filepath.Join(dir, "bench.db")
	size := s.cfg.Sizes[0]
	s.cfg.logf("loading %s into SQLite", size)
	d, err := Prepare(ctx, dsn, size)
	if err != nil {
		return err
	}
	return s.measureDashboard(ctx, "SQLite", dsn, d, true)
}

func rpsOf(rs []Result) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = r.RPS()
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// OpenSQL opens the database at dsn for the floor.
func OpenSQL(dsn string) (*sql.DB, bool, error) {
	db, err := store.Open(dsn, store.Options{})
	if err != nil {
		return nil, false, err
	}
	return db.SQL, db.Dialect == dialect.Postgres, nil
}
