// Command usergroups runs the usergroups GraphQL API and its maintenance
// tasks: serve, migrate, seed, token, backup and restore.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	netmail "net/mail"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"entgo.io/ent/dialect"
	"github.com/redis/go-redis/v9"

	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/mail"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/oidc"
	"github.com/usergroups/usergroups/internal/ratelimit/redisstore"
	"github.com/usergroups/usergroups/internal/seed"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/tracing"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/webhook"
	"github.com/usergroups/usergroups/internal/worker"
	"github.com/usergroups/usergroups/internal/workflow"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil))
}

const usage = `usergroups runs a technology community's user-group programme as a GraphQL API.

Usage:
  usergroups serve    [flags]   serve the API (migrates the schema first)
  usergroups migrate  [flags]   apply the schema and exit
  usergroups seed --demo        load the demo data set into an empty database
  usergroups token ACTION       create, list or revoke API tokens
  usergroups backup --to FILE   copy the SQLite database to FILE while it serves
  usergroups restore --from FILE  restore a backup as a new SQLite database

Run "usergroups COMMAND --help" for a command's flags.
`

// run executes one command line; ready, if not nil, receives the listening
// address once serve accepts connections (tests use it).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stderr, ready)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "seed":
		err = seedCmd(ctx, args[1:], stdout, stderr)
	case "token":
		err = tokenCmd(ctx, args[1:], stdout, stderr)
	case "backup":
		err = backupCmd(ctx, args[1:], stdout, stderr)
	case "restore":
		err = restoreCmd(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "usergroups: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "usergroups %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// newFlagSet builds a flag set whose --help lists each flag with its
// environment variable and default.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: usergroups %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(stderr, "  --%s\n    \t%s", f.Name, f.Usage)
			if f.DefValue != "" && f.DefValue != "false" {
				fmt.Fprintf(stderr, " (default %q)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	return fs
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// databaseFlag registers serve's --database setting on another command.
func databaseFlag(fs *flag.FlagSet) *string {
	c := defaultServeConfig()
	registerFlags(fs, &c, "database")
	return &c.Database
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return errUsage
	}
	return nil
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func openMigrated(ctx context.Context, dsn string, opts ...store.Options) (*store.DB, error) {
	var o store.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	db, err := store.Open(dsn, o)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// serveFlags is serve's flag set, bound to the configuration it fills.
func serveFlags(stderr io.Writer) (*flag.FlagSet, *serveConfig) {
	fs := newFlagSet("serve", "Serve the GraphQL API at /graphql, with /livez and /readyz. Migrates the schema on start.", stderr)
	cfg := defaultServeConfig()
	registerFlags(fs, &cfg)
	return fs, &cfg
}

func serve(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	fs, cfg := serveFlags(stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	devDefaults(fs, cfg)
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	cfg.Logger = log
	// A GOGC the runtime already applied (including "off") stands unless
	// the flag overrides it.
	if _, fromEnv := os.LookupEnv("GOGC"); !fromEnv || flagSet(fs, "gc-percent") {
		debug.SetGCPercent(cfg.GCPercent)
	}
	if err := limits.New(*cfg.Limits).Validate(nil); err != nil {
		return fmt.Errorf("request limits: %w", err)
	}
	if err := cfg.Timeouts.Validate(cfg.Limits.Timeout); err != nil {
		return fmt.Errorf("timeouts: %w", err)
	}
	if err := checkPoolSize(cfg.DBMaxConns); err != nil {
		return fmt.Errorf("--db-max-conns: %w", err)
	}
	if err := checkRetention(cfg.ChangeRetention, cfg.HoleWatch); err != nil {
		return fmt.Errorf("--change-retention: %w", err)
	}
	if cfg.PublicURL != "" {
		if err := checkPublicURL(cfg.PublicURL); err != nil {
			return fmt.Errorf("--public-url %q: %w", cfg.PublicURL, err)
		}
	}
	var rdb *redis.Client
	if cfg.RedisURL != "" {
		if rdb, err = redisstore.Dial(cfg.RedisURL); err != nil {
			return fmt.Errorf("--redis-url: %w", err)
		}
		defer rdb.Close()
	}
	// Tracing is off (a no-op provider) unless OTEL_* configures an
	// exporter; flushed last, after the queue's jobs have ended.
	tp, err := tracing.FromEnv(ctx, os.Getenv, buildVersion())
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(flushCtx); err != nil {
			log.Error("flushing traces", "error", err)
		}
	}()
	cfg.TracerProvider = tp
	traceSQL := tracing.SQL(tp)
	// The change broker is built on the database, and the database's driver
	// announces commits to the broker: the pointer ties the knot.
	var changes atomic.Pointer[broker.Broker]
	dialectName := "sqlite3"
	if store.IsPostgres(cfg.Database) {
		dialectName = "postgres"
	}
	announce := broker.WrapDriver(dialectName, func() {
		if b := changes.Load(); b != nil {
			b.Poke()
		}
	})
	db, err := openMigrated(ctx, cfg.Database, store.Options{MaxOpenConns: cfg.DBMaxConns, WrapDriver: func(d dialect.Driver) dialect.Driver {
		return traceSQL(metrics.CountStatements(announce(d)))
	}})
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.Demo {
		if err := loadDemoIfEmpty(ctx, db, log); err != nil {
			return err
		}
	}
	if cfg.TrustedDocumentsFile != "" {
		if cfg.TrustedDocuments, err = server.LoadTrustedDocuments(cfg.TrustedDocumentsFile); err != nil {
			return fmt.Errorf("--trusted-documents: %w", err)
		}
	}
	var verifier *oidc.Verifier
	if cfg.OIDCIssuer != "" || cfg.OIDCAudience != "" {
		if verifier, err = oidc.New(oidc.Config{Issuer: cfg.OIDCIssuer, Audience: cfg.OIDCAudience}); err != nil {
			return fmt.Errorf("--oidc-issuer/--oidc-audience: %w", err)
		}
	}
	if cfg.OIDCClientID == "" {
		cfg.OIDCClientID = cfg.OIDCAudience
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	listenDSN := ""
	if dialectName == "postgres" {
		listenDSN = cfg.Database
	}
	b := broker.New(db, broker.Options{ListenDSN: listenDSN, HoleWatch: cfg.HoleWatch, Logger: log})
	changes.Store(b)
	go func() {
		if err := b.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("change broker stopped", "error", err)
		}
	}()
	// One registry serves the API's numbers and the scheduler's failures.
	m := metrics.New()
	m.Pool(db.SQL)
	wf := workflow.NewRunner(db.Client, time.Now)
	wf.SetWebhooksAllowPrivate(cfg.WebhooksAllowPrivate)
	cfg.Auth = auth.New(wf, verifier, log)
	cfg.Live = &live.Source{Broker: b, Client: db.Client}
	cfg.Metrics = m
	budgets := "process"
	if rdb != nil {
		budgets = "redis"
		cfg.RateLimitStore = redisstore.New(rdb, redisstore.Options{Logger: log, Failed: m.RateLimitStoreFailed}).Budget
		checkRedis(ctx, rdb, log)
	}
	api := server.New(db, cfg.Config)
	srv := server.HTTPServer(api, cfg.Timeouts, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sender, err := mailSender(ctx, cfg, wf, log)
	if err != nil {
		return err
	}
	q, err := startQueue(ctx, db, cfg, worker.Deps{Runner: wf, Log: log, Delivered: m.Delivered, Mail: sender, MailFrom: cfg.MailFrom, PublicURL: cfg.PublicURL, Reflected: cfg.Live.Reflected,
		HTTP: webhook.NewClient(webhook.ClientOptions{AllowPrivate: cfg.WebhooksAllowPrivate})}, m)
	if err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			log.Error("stopping the job queue", "error", err)
		}
	}()
	log.Info("serving", "graphql", "http://"+ln.Addr().String()+"/graphql", "database", db.Dialect, "board", "http://"+ln.Addr().String()+"/app/", "dev", cfg.Dev, "explorer", cfg.Explorer,
		"rate_limit_budgets", budgets, "tracing", tracing.Enabled(tp))
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// Websockets are hijacked connections http.Server.Shutdown does not
	// track: close them (1001, after queued messages) alongside.
	errs := make(chan error, 1)
	go func() { errs <- api.Shutdown(shutdownCtx) }()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errs; err != nil {
		return fmt.Errorf("closing websockets: %w", err)
	}
	return nil
}

// checkRedis says at start whether the rate-limit budgets' Redis answers.
// One that does not is no reason to refuse to serve: every replica then
// keeps its own budgets until it does, as without --redis-url.
func checkRedis(ctx context.Context, rdb *redis.Client, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		log.Warn("Redis not reachable: rate-limit budgets are kept by each replica until it answers", "redis", rdb.Options().Addr, "error", err)
		return
	}
	log.Info("rate-limit budgets shared through Redis", "redis", rdb.Options().Addr, "db", rdb.Options().DB)
}

// buildVersion is the module version the binary was built at, for
// traces' service.version; empty for a development build.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}

// startQueue runs this replica's share of the background work: the sweeps
// every 30 seconds and the change log's pruning (inserted by the elected
// leader only), and the deliveries.
func startQueue(ctx context.Context, db *store.DB, cfg *serveConfig, deps worker.Deps, m *metrics.Metrics) (*jobs.Queue, error) {
	listen := ""
	if store.IsPostgres(cfg.Database) {
		listen = cfg.Database
	}
	q, err := jobs.Open(jobs.Config{DB: db.SQL, Dialect: db.Dialect, ListenDSN: listen, Logger: deps.Log,
		Workers: worker.Workers(deps), Periodic: worker.Periodic(30*time.Second, cfg.ChangeRetention), Failed: m.JobFailed, TracerProvider: cfg.TracerProvider})
	if err != nil {
		return nil, err
	}
	m.JobDepth(func() (map[string]int, error) { return jobs.Depth(context.Background(), db.SQL) })
	if err := q.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting the job queue: %w", err)
	}
	return q, nil
}

// mailSender is the outbox's sender: SMTP with --smtp-url, whose start
// queues every message a server without it kept in the outbox; otherwise
// the development sender, which logs one line per email and sends nothing.
func mailSender(ctx context.Context, cfg *serveConfig, wf *workflow.Runner, log *slog.Logger) (workflow.Sender, error) {
	if _, err := netmail.ParseAddress(cfg.MailFrom); err != nil {
		return nil, fmt.Errorf("--mail-from %q: %w", cfg.MailFrom, err)
	}
	if cfg.SMTPURL == "" {
		log.Info("no --smtp-url: emails are logged and kept in the outbox")
		return mail.LogSender{Log: log}, nil
	}
	mc, err := mail.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("--smtp-url: %w", err)
	}
	n, err := workflow.RequeuePendingMessages(viewer.SystemContext(ctx), wf)
	if err != nil {
		return nil, fmt.Errorf("queueing the outbox's pending messages: %w", err)
	}
	log.Info("delivering email", "smtp", mc.String(), "from", cfg.MailFrom, "pending", n)
	return mail.NewSender(mc), nil
}

func loadDemoIfEmpty(ctx context.Context, db *store.DB, log *slog.Logger) error {
	empty, err := seed.IsEmpty(ctx, db.Client)
	if err != nil {
		return err
	}
	if !empty {
		log.Info("database has data; demo data not loaded")
		return nil
	}
	start := time.Now()
	stats, err := seed.Demo(ctx, db.Client, seed.Options{})
	if err != nil {
		return fmt.Errorf("loading demo data: %w", err)
	}
	log.Info("demo data loaded", "groups", stats.Groups, "users", stats.Users, "events", stats.Events,
		"registrations", stats.Registrations, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Create or update the database schema, then exit.", stderr)
	database := databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "schema up to date (%s)\n", db.Dialect)
	return nil
}

func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "Load a data set into an empty database (migrating it first).", stderr)
	database := databaseFlag(fs)
	demo := fs.Bool("demo", false, "load the demo data set: the openEuler and OpenStack programmes")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*demo {
		fmt.Fprintln(stderr, "usergroups seed: nothing to load; pass --demo")
		return errUsage
	}
	db, err := openMigrated(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	stats, err := seed.Demo(ctx, db.Client, seed.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data loaded in %s: %d communities, %d groups, %d users, %d organizations, %d events, %d registrations, %d applications, %d contributions\n",
		time.Since(start).Round(time.Millisecond), stats.Communities, stats.Groups, stats.Users, stats.Organizations,
		stats.Events, stats.Registrations, stats.Applications, stats.Contributions)
	return nil
}

func splitList(s string) []string {
	var out []string
	_ = list{&out}.Set(s)
	return out
}
