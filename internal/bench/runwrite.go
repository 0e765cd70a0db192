package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// The S10 and S11 sections' titles, which the goals table looks up.
const (
	s10Title = "S10 — write burst"
	s11Title = "S11 — reads under write load"
)

// writeDatabases are the databases S10 and S11 run on: PostgreSQL (a schema
// on base) and a SQLite file.
func (s *Suite) writeDatabases() []struct{ name, base string } {
	return []struct{ name, base string }{{"PostgreSQL", s.cfg.PostgresURL}, {"SQLite", ""}}
}

// writeBurst is S10 on each database: cfg.Runs bursts on one server.
func (s *Suite) writeBurst(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "usergroups-bench-write-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, db := range s.writeDatabases() {
		s.cfg.logf("S10 on %s", db.name)
		rs, err := WriteBurst(ctx, WriteBurstConfig{Binary: s.cfg.Binary, Database: db.base, Dir: dir, Runs: s.cfg.Runs, BurstConfig: s.cfg.Burst})
		if err != nil {
			return fmt.Errorf("%s: %w", db.name, err)
		}
		s.Report.Burst(db.name, s.cfg.Burst, rs)
	}
	return nil
}

// readsUnderWrites is S11 on each database: S1 alone and S1 during an S10
// burst, interleaved, on one server whose database holds both data sets.
func (s *Suite) readsUnderWrites(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "usergroups-bench-write-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, db := range s.writeDatabases() {
		s.cfg.logf("S11 on %s", db.name)
		r, err := ReadsUnderWrites(ctx, ReadsUnderWritesConfig{Binary: s.cfg.Binary, Self: s.cfg.Self, Database: db.base, Dir: dir,
			Size: s.cfg.Sizes[0], Runs: s.cfg.Runs, BurstConfig: s.cfg.Burst})
		if err != nil {
			return fmt.Errorf("%s: %w", db.name, err)
		}
		s.Report.ReadsUnderWrites(db.name, r)
	}
	return nil
}

// ReadsUnderWritesConfig configures S11.
type ReadsUnderWritesConfig struct {
	BurstConfig
	// Binary is the `usergroups` executable; Self, when set, the harness
	// binary whose floor checks S1's answer before timing.
	Binary, Self string
	// Database is a PostgreSQL URL (a schema of its own) or empty for a
	// SQLite file in Dir.
	Database, Dir string
	// Size is the S1 data set; Runs the interleaved pairs (default 1).
	Size Size
	Runs int
}

// ReadsUnderWritesResult is S11: S1 alone and S1 during a burst, run i of
// each measured one after the other, and the bursts.
type ReadsUnderWritesResult struct {
	Size          Size
	Alone, Loaded []Result
	Bursts        []BurstResult
}

// ReadsUnderWrites is S11: on one server, S1 (8 connections, closed loop)
// alone for the burst's duration, then S1 again while an S10 burst runs,
// cfg.Runs times. Every S1 answer's data must equal the one taken before timing
// (checked against the floor when cfg.Self is set): the burst writes
// another community, so the dashboard must not change.
func ReadsUnderWrites(ctx context.Context, cfg ReadsUnderWritesConfig) (ReadsUnderWritesResult, error) {
	cfg.defaults()
	env, err := newWriteEnv(ctx, cfg.Database, cfg.Dir, cfg.Binary, &cfg.Size, cfg.BurstConfig, max(1, cfg.Runs))
	if err != nil {
		return ReadsUnderWritesResult{Size: cfg.Size}, err
	}
	defer env.close()
	return readsUnderWrites(ctx, env, cfg)
}

// readsUnderWrites is S11 on env, whose fixture has a round of events per run.
func readsUnderWrites(ctx context.Context, env *writeEnv, cfg ReadsUnderWritesConfig) (ReadsUnderWritesResult, error) {
	runs := max(1, cfg.Runs)
	res := ReadsUnderWritesResult{Size: cfg.Size}
	srv := env.burst.srv
	vars := s1Vars(cfg.Size)
	body := mustJSON(map[string]any{"query": S1Query, "variables": vars})
	want, err := Post(ctx, NewClient(1), srv.URL+"/graphql", body)
	if err != nil {
		return res, fmt.Errorf("S1: %w", err)
	}
	if cfg.Self != "" {
		floor, err := StartFloor(ctx, cfg.Self, env.burst.fx.dsn)
		if err != nil {
			return res, err
		}
		err = parity(ctx, srv, floor, S1Query, vars)
		_ = floor.Stop()
		if err != nil {
			return res, fmt.Errorf("S1 %s: our answer and the floor's differ: %w", cfg.Size, err)
		}
	}
	s1 := func(ctx context.Context, c *http.Client) error {
		got, err := Post(ctx, c, srv.URL+"/graphql", body)
		if err == nil && !bytes.Equal(dataOf(got), dataOf(want)) {
			err = fmt.Errorf("S1 answered another document: %s", difference(got, want))
		}
		return err
	}
	for r := range runs {
		res.Alone = append(res.Alone, Closed(ctx, Connections, cfg.Duration, srv.CPU, s1))
		done := make(chan struct{})
		var burst BurstResult
		var burstErr error
		go func() {
			defer close(done)
			burst, burstErr = env.burst.run(ctx, r)
		}()
		// The burst first opens its subscribers; S1 runs over its
		// registrations' window.
		time.Sleep(env.burst.settle())
		res.Loaded = append(res.Loaded, Closed(ctx, Connections, cfg.Duration, srv.CPU, s1))
		<-done
		if burstErr != nil {
			return res, burstErr
		}
		res.Bursts = append(res.Bursts, burst)
	}
	return res, ctx.Err()
}

// settle is about how long a burst takes to open its subscribers before
// its first registration.
func (b *burstRunner) settle() time.Duration {
	return 200*time.Millisecond + time.Duration(b.fx.cfg.Subscriptions)*2*time.Millisecond
}

// Burst records S10 on one database.
func (r *Report) Burst(db string, cfg BurstConfig, rs []BurstResult) {
	cfg.defaults()
	i := r.section(s10Title, fmt.Sprintf("%d people, each with a write token, register (registerForEvent) for one of %d events of %d seats each, one request every %s for %s (open loop; latency from each request's scheduled start), "+
		"while %d eventRegistrations subscriptions (one socket each, half anonymous, half staff with read tokens) watch the events and an active webhook endpoint makes every registration queue its fan-out job in the same transaction. "+
		"After each burst the database is checked: per event, going = min(seats, registrations) and the rest waitlisted, in the rows and the event's counters; exactly one change row and one fan-out job per registration; every subscriber got each change of its event once, ending on the final counts, and none was shown a registration. "+
		"Delivery runs from the change's timestamp to the subscriber reading it. Goal: p99 ≤ 250 ms with every check holding.",
		cfg.People, cfg.Events, cfg.Capacity, cfg.Duration/time.Duration(cfg.People), cfg.Duration, cfg.Subscriptions),
		[]string{"database", "registrations/s", "p50", "p99", "delivery p50", "delivery p99", "CPU/registration", "checks", "missing deliveries", "webhooks received", "errors"})
	r.Sections[i].Rows = append(r.Sections[i].Rows, burstRow(db, rs))
}

func burstRow(db string, rs []BurstResult) []string {
	of := func(f func(BurstResult) float64) []float64 {
		xs := make([]float64, len(rs))
		for i, b := range rs {
			xs[i] = f(b)
		}
		return xs
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	checks, missing, webhooks, want, errs := "exact", 0, 0, 0, 0
	var first error
	var problems []string
	for _, b := range rs {
		problems = append(problems, b.Problems...)
		missing += b.Missing
		webhooks += b.Webhooks
		want += b.Registrations - b.Errors
		errs += b.Errors
		if first == nil {
			first = b.FirstError
		}
	}
	if len(problems) > 0 {
		checks = fmt.Sprintf("%d failed: %s", len(problems), strings.Join(problems[:min(3, len(problems))], "; "))
	}
	errCell := "0"
	if errs > 0 {
		errCell = fmt.Sprintf("%d (%v)", errs, first)
	}
	return []string{db,
		stat(of(func(b BurstResult) float64 { return float64(len(b.Latencies)) / b.Elapsed.Seconds() }), perSecond),
		stat(of(func(b BurstResult) float64 { return ms(b.Percentile(50)) }), millis),
		stat(of(func(b BurstResult) float64 { return ms(b.Percentile(99)) }), millis),
		stat(of(func(b BurstResult) float64 { return ms(b.DeliveryPercentile(50)) }), millis),
		stat(of(func(b BurstResult) float64 { return ms(b.DeliveryPercentile(99)) }), millis),
		stat(of(func(b BurstResult) float64 { return ms(b.CPU) / float64(max(1, len(b.Latencies))) }), millis),
		checks, fmt.Sprint(missing), fmt.Sprintf("%d of %d", webhooks, want), errCell}
}

// ReadsUnderWrites records S11 on one database.
func (r *Report) ReadsUnderWrites(db string, res ReadsUnderWritesResult) {
	i := r.section(s11Title, fmt.Sprintf("S1 at %s (%d connections, closed loop) alone, then again while an S10 burst runs on the same server and database, interleaved (alone, loaded, alone, …), each for the burst's duration; every S1 answer's data must equal the one checked against the floor before timing. "+
		"The ratio divides each loaded run by the alone run just before it. Goal: S1 throughput under the burst ≥ 0.5× alone, with the burst's checks holding.", res.Size, Connections),
		[]string{"database", "S1 req/s alone", "S1 req/s during S10", "during/alone", "S1 p99 alone", "S1 p99 during S10", "S10 p99 during S1", "S10 checks", "errors"})
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	burst := burstRow(db, res.Bursts)
	p99s := make([]float64, len(res.Bursts))
	for i, b := range res.Bursts {
		p99s[i] = ms(b.Percentile(99))
	}
	checks := burst[7]
	if n := burst[8]; n != "0" {
		checks += ", " + n + " deliveries missing"
	}
	errCell := errorsOf(append(append([]Result(nil), res.Alone...), res.Loaded...))
	if burst[10] != "0" {
		errCell += "; S10: " + burst[10]
	}
	r.Sections[i].Rows = append(r.Sections[i].Rows, []string{db,
		stat(rpsOf(res.Alone), perSecond), stat(rpsOf(res.Loaded), perSecond), stat(ratios(rpsOf(res.Loaded), rpsOf(res.Alone)), ratio),
		stat(durations(res.Alone, p99), millis), stat(durations(res.Loaded, p99), millis), stat(p99s, millis),
		checks, errCell})
}

// dataOf is an answer without its extensions, whose changeCursor moves
// with every write anywhere (the data must not: the burst writes another
// community). Compared as bytes, not decoded: the load generator shares the
// server's two cores.
func dataOf(answer []byte) []byte {
	if i := bytes.LastIndex(answer, []byte(`,"extensions":`)); i >= 0 {
		return answer[:i]
	}
	return answer
}

// difference shows where got first departs from want.
func difference(got, want []byte) string {
	i := 0
	for i < min(len(got), len(want)) && got[i] == want[i] {
		i++
	}
	from := max(0, i-60)
	return fmt.Sprintf("at byte %d, %q where %q was", i, got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
}
