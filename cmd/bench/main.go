// Command bench is the benchmark harness behind `make bench`: it builds the
// server, loads sized data sets, runs the scenarios of internal/bench
// against the server and the hand-written floor, and writes BENCHMARKS.md.
// `bench floor` serves the floor alone (the harness starts it that way).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/usergroups/usergroups/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		err = floor(ctx, os.Args[2:])
	} else {
		err = run(ctx, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	out := fs.String("out", "BENCHMARKS.md", "where to write the report")
	pg := fs.String("postgres", envOr("USERGROUPS_BENCH_DATABASE", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		"PostgreSQL server for the PostgreSQL scenarios (a schema per data set) [env USERGROUPS_BENCH_DATABASE]")
	runs := fs.Int("runs", 3, "interleaved runs per figure")
	duration := fs.Duration("duration", 5*time.Second, "length of one run")
	sizes := fs.String("sizes", "20x20,50x50,100x200", "S1 data sets, groups x members; the first is used by the other scenarios")
	only := fs.String("only", "", "comma-separated scenarios to run (S1,S4,S5,S6,S7,S8,S9,S10,S11,POSTGRAPHILE; SOAK only when named); empty runs all but SOAK")
	burstPeople := fs.Int("burst-people", 1000, "S10/S11: people registering in one burst")
	burstEvents := fs.Int("burst-events", 5, "S10/S11: events they register for")
	burstDuration := fs.Duration("burst-duration", 10*time.Second, "S10/S11: how long one burst lasts")
	burstSubs := fs.Int("burst-subscribers", 100, "S10/S11: eventRegistrations subscriptions watching the burst")
	previous := fs.String("previous", "BENCHMARKS-postgraphile.md", "comma-separated earlier reports the goals table takes scenarios not run now from, before the -out file being replaced")
	soakDuration := fs.Duration("soak-duration", 10*time.Minute, "SOAK: how long the load runs (the first minute, or quarter when shorter, is the warm-up)")
	soakSubs := fs.Int("soak-subscribers", 5000, "SOAK: websocket subscribers over the two replicas")
	soakProfile := fs.String("soak-profile", "", "SOAK: a directory for each replica's heap profile after the warm-up and at the end (runs them with --pprof)")
	splice := fs.Bool("splice", false, "replace only this run's sections (and the goals) in the existing -out file instead of rewriting it")
	timeout := fs.Duration("timeout", 40*time.Minute, "stop the whole run after this long (a soak gets at least its duration and 20 minutes)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := bench.Config{PostgresURL: *pg, Runs: *runs, Duration: *duration, Log: os.Stderr, Only: map[string]bool{},
		Burst: bench.BurstConfig{People: *burstPeople, Events: *burstEvents, Duration: *burstDuration, Subscriptions: *burstSubs},
		Soak:  bench.SoakConfig{Duration: *soakDuration, Subscribers: *soakSubs, ProfileDir: *soakProfile}}
	for _, s := range strings.Split(*sizes, ",") {
		g, m, ok := strings.Cut(strings.TrimSpace(s), "x")
		gi, err1 := strconv.Atoi(g)
		mi, err2 := strconv.Atoi(m)
		if !ok || err1 != nil || err2 != nil || gi < 1 || mi < 1 {
			return fmt.Errorf("--sizes: %q is not GROUPSxMEMBERS", s)
		}
		cfg.Sizes = append(cfg.Sizes, bench.Size{Groups: gi, Members: mi})
	}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Only[strings.ToUpper(s)] = true
		}
	}
	limit := *timeout
	if cfg.Only["SOAK"] {
		limit = max(limit, *soakDuration+20*time.Minute)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	dir, err := os.MkdirTemp("", "usergroups-bench-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.Binary = filepath.Join(dir, "usergroups")
	build := exec.CommandContext(ctx, "go", "build", "-o", cfg.Binary, "./cmd/usergroups")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the server: %w", err)
	}
	if cfg.Self, err = os.Executable(); err != nil {
		return err
	}
	suite := bench.NewSuite(cfg)
	// Read before the run overwrites -out: the goals of scenarios not run
	// now come from the last report that measured them.
	for _, name := range append(strings.Split(*previous, ","), *out) {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if md, err := os.ReadFile(name); err == nil {
			suite.Report.UsePrevious(name, md)
		}
	}
	runErr := suite.Run(ctx)
	md := suite.Report.Markdown()
	if *splice {
		existing, err := os.ReadFile(*out)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return errors.Join(runErr, err)
		}
		md = suite.Report.Splice(existing)
	}
	if err := os.WriteFile(*out, md, 0o644); err != nil {
		return errors.Join(runErr, err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	return runErr
}

// floor serves the hand-written handler on --listen until interrupted.
func floor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	database := fs.String("database", "", "database to answer from")
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, postgres, err := bench.OpenSQL(*database)
	if err != nil {
		return err
	}
	defer db.Close()
	mux := http.NewServeMux()
	mux.Handle("POST /graphql", bench.NewFloor(db, postgres))
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
