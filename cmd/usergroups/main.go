// Command usergroups runs the usergroups GraphQL API and its maintenance
// tasks: serve, migrate and seed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/oidc"
	"github.com/usergroups/usergroups/internal/seed"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
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

// envFlag describes a flag whose default comes from an environment variable.
type envFlag struct {
	name, env, def, help string
}

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

func stringFlag(fs *flag.FlagSet, f envFlag) *string {
	def := f.def
	if v, ok := os.LookupEnv(f.env); ok {
		def = v
	}
	return fs.String(f.name, def, f.help+" [env "+f.env+"]")
}

// intFlag is stringFlag for a whole number; a bad default fails at once.
func intFlag(fs *flag.FlagSet, f envFlag) *int {
	return fs.Int(f.name, envDefault(f, strconv.Atoi), f.help+" [env "+f.env+"]")
}

// durationFlag is stringFlag for a Go duration ("10s", "1m30s").
func durationFlag(fs *flag.FlagSet, f envFlag) *time.Duration {
	return fs.Duration(f.name, envDefault(f, time.ParseDuration), f.help+" [env "+f.env+"]")
}

// envDefault is a flag's default: the environment's value when it parses,
// else the built-in one.
func envDefault[T any](f envFlag, parse func(string) (T, error)) T {
	def, err := parse(f.def)
	if err != nil {
		panic("the default of --" + f.name + " does not parse") // a programming error, caught by any test of the command
	}
	if v, ok := os.LookupEnv(f.env); ok {
		if x, err := parse(v); err == nil {
			def = x
		}
	}
	return def
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func databaseFlag(fs *flag.FlagSet) *string {
	return stringFlag(fs, envFlag{"database", "USERGROUPS_DATABASE", "./usergroups.db",
		"database: a postgres:// URL, or a SQLite file path"})
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

func serve(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	fs := newFlagSet("serve", "Serve the GraphQL API at /graphql, with /livez and /readyz. Migrates the schema on start.", stderr)
	listen := stringFlag(fs, envFlag{"listen", "USERGROUPS_LISTEN", "127.0.0.1:8080", "address to listen on"})
	database := databaseFlag(fs)
	origins := stringFlag(fs, envFlag{"cors-origins", "USERGROUPS_CORS_ORIGINS", "",
		"comma-separated browser origins allowed to call the API"})
	logLevel := stringFlag(fs, envFlag{"log-level", "USERGROUPS_LOG_LEVEL", "info", "debug, info, warn or error"})
	oidcIssuer := stringFlag(fs, envFlag{"oidc-issuer", "USERGROUPS_OIDC_ISSUER", "",
		"OpenID Connect issuer URL whose bearer tokens sign people in; empty accepts API tokens only"})
	oidcAudience := stringFlag(fs, envFlag{"oidc-audience", "USERGROUPS_OIDC_AUDIENCE", "",
		"the audience (client id) OIDC tokens must be issued for"})
	rateLimit := intFlag(fs, envFlag{"rate-limit", "USERGROUPS_RATE_LIMIT", "100000",
		"cost points per minute for each API token or signed-in person"})
	anonymousRateLimit := intFlag(fs, envFlag{"anonymous-rate-limit", "USERGROUPS_ANONYMOUS_RATE_LIMIT", "20000",
		"cost points per minute for each anonymous client address"})
	authFailureLimit := intFlag(fs, envFlag{"auth-failure-limit", "USERGROUPS_AUTH_FAILURE_LIMIT", "60",
		"failed authentications per minute from one client address; past them its credentials get 429 without being checked"})
	maxBody := intFlag(fs, envFlag{"max-body-bytes", "USERGROUPS_MAX_BODY_BYTES", "65536", "largest request body accepted"})
	lim := limits.Default()
	maxDepth := intFlag(fs, envFlag{"max-depth", "USERGROUPS_MAX_DEPTH", strconv.Itoa(lim.MaxDepth), "deepest field nesting an operation may have"})
	maxAliases := intFlag(fs, envFlag{"max-aliases", "USERGROUPS_MAX_ALIASES", strconv.Itoa(lim.MaxAliases), "aliased fields an operation may have"})
	maxRootFields := intFlag(fs, envFlag{"max-root-fields", "USERGROUPS_MAX_ROOT_FIELDS", strconv.Itoa(lim.MaxRootFields), "top-level fields an operation may select"})
	maxCost := intFlag(fs, envFlag{"max-cost", "USERGROUPS_MAX_COST", strconv.Itoa(lim.MaxCost), "highest computed cost an operation may have"})
	timeout := durationFlag(fs, envFlag{"operation-timeout", "USERGROUPS_OPERATION_TIMEOUT", lim.Timeout.String(),
		"how long a query or mutation may run before it and its database work are cancelled"})
	tmo := server.DefaultTimeouts()
	readHeaderTimeout := durationFlag(fs, envFlag{"read-header-timeout", "USERGROUPS_READ_HEADER_TIMEOUT", tmo.ReadHeader.String(),
		"how long a client may take to send a request's headers"})
	readTimeout := durationFlag(fs, envFlag{"read-timeout", "USERGROUPS_READ_TIMEOUT", tmo.Read.String(),
		"how long a client may take to send a whole request, body included (0: no limit)"})
	writeTimeout := durationFlag(fs, envFlag{"write-timeout", "USERGROUPS_WRITE_TIMEOUT", tmo.Write.String(),
		"how long the server may take to answer once a request is in, writing included; longer than --operation-timeout (0: no limit)"})
	idleTimeout := durationFlag(fs, envFlag{"idle-timeout", "USERGROUPS_IDLE_TIMEOUT", tmo.Idle.String(),
		"how long a kept-alive connection may wait for its next request"})
	minBodyRate := intFlag(fs, envFlag{"min-body-rate", "USERGROUPS_MIN_BODY_RATE", strconv.FormatInt(tmo.MinBodyRate, 10),
		"slowest a request body may arrive, in bytes a second on average after --body-grace; slower bodies are cut off (0: off)"})
	bodyGrace := durationFlag(fs, envFlag{"body-grace", "USERGROUPS_BODY_GRACE", tmo.BodyGrace.String(),
		"time a request body has before --min-body-rate counts"})
	maxPageSize := intFlag(fs, envFlag{"max-page-size", "USERGROUPS_MAX_PAGE_SIZE", strconv.Itoa(limits.MaxPageSize), "largest first/last a connection accepts"})
	maxSockets := intFlag(fs, envFlag{"max-sockets", "USERGROUPS_MAX_SOCKETS", "20",
		"websockets one API token or signed-in person may hold open at once"})
	maxAnonymousSockets := intFlag(fs, envFlag{"max-anonymous-sockets", "USERGROUPS_MAX_ANONYMOUS_SOCKETS", "100",
		"anonymous websockets one client address may hold open at once"})
	maxPendingSockets := intFlag(fs, envFlag{"max-pending-sockets", "USERGROUPS_MAX_PENDING_SOCKETS", "100",
		"websockets from one client address that have not sent connection_init yet (the next handshake gets 429)"})
	maxSubscriptions := intFlag(fs, envFlag{"max-subscriptions", "USERGROUPS_MAX_SUBSCRIPTIONS", "100",
		"subscriptions running at once on one websocket"})
	holeWatch := durationFlag(fs, envFlag{"hole-watch", "USERGROUPS_HOLE_WATCH", "1h",
		"longest a hole in the change log (a transaction that had not committed when later ones had) is watched for a late commit; keep it above your longest transaction"})
	gcPercent := intFlag(fs, envFlag{"gc-percent", "GOGC", "400",
		"garbage collector target: heap growth in percent between collections (Go's default is 100; responses allocate a lot of short-lived memory, and 400 spends less CPU on collection at a few MB more heap)"})
	trustProxy := fs.Bool("trust-proxy", os.Getenv("USERGROUPS_TRUST_PROXY") == "true",
		"take client addresses from X-Forwarded-For (only behind a proxy that sets it) [env USERGROUPS_TRUST_PROXY=true]")
	trusted := stringFlag(fs, envFlag{"trusted-documents", "USERGROUPS_TRUSTED_DOCUMENTS", "",
		"a JSON file of allowed documents (SHA-256 hex → document, or an Apollo persisted-query manifest): serve only those"})
	introspection := fs.Bool("introspection", os.Getenv("USERGROUPS_INTROSPECTION") != "false",
		"answer schema introspection (third-party tools need it) [env USERGROUPS_INTROSPECTION=false to turn off]")
	demo := fs.Bool("demo", os.Getenv("USERGROUPS_DEMO") == "true", "load the demo data set when the database is empty [env USERGROUPS_DEMO=true]")
	dev := fs.Bool("dev", os.Getenv("USERGROUPS_DEV") == "true", "development mode: GraphiQL at / [env USERGROUPS_DEV=true]")
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	// A GOGC the runtime already applied (including "off") stands unless
	// the flag overrides it.
	if _, fromEnv := os.LookupEnv("GOGC"); !fromEnv || flagSet(fs, "gc-percent") {
		debug.SetGCPercent(*gcPercent)
	}
	lim.MaxDepth, lim.MaxAliases, lim.MaxRootFields, lim.MaxCost, lim.Timeout = *maxDepth, *maxAliases, *maxRootFields, *maxCost, *timeout
	if err := limits.New(lim).Validate(nil); err != nil {
		return fmt.Errorf("request limits: %w", err)
	}
	tmo.ReadHeader, tmo.Read, tmo.Write, tmo.Idle = *readHeaderTimeout, *readTimeout, *writeTimeout, *idleTimeout
	tmo.MinBodyRate, tmo.BodyGrace = int64(*minBodyRate), *bodyGrace
	if err := tmo.Validate(lim.Timeout); err != nil {
		return fmt.Errorf("timeouts: %w", err)
	}
	// The change broker is built on the database, and the database's driver
	// announces commits to the broker: the pointer ties the knot.
	var changes atomic.Pointer[broker.Broker]
	dialectName := "sqlite3"
	if store.IsPostgres(*database) {
		dialectName = "postgres"
	}
	announce := broker.WrapDriver(dialectName, func() {
		if b := changes.Load(); b != nil {
			b.Poke()
		}
	})
	db, err := openMigrated(ctx, *database, store.Options{WrapDriver: func(d dialect.Driver) dialect.Driver {
		return metrics.CountStatements(announce(d))
	}})
	if err != nil {
		return err
	}
	defer db.Close()
	if *demo {
		if err := loadDemoIfEmpty(ctx, db, log); err != nil {
			return err
		}
	}
	var trustedDocs map[string]string
	if *trusted != "" {
		if trustedDocs, err = server.LoadTrustedDocuments(*trusted); err != nil {
			return fmt.Errorf("--trusted-documents: %w", err)
		}
	}
	var verifier *oidc.Verifier
	if *oidcIssuer != "" || *oidcAudience != "" {
		if verifier, err = oidc.New(oidc.Config{Issuer: *oidcIssuer, Audience: *oidcAudience}); err != nil {
			return fmt.Errorf("--oidc-issuer/--oidc-audience: %w", err)
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	listenDSN := ""
	if dialectName == "postgres" {
		listenDSN = *database
	}
	b := broker.New(db, broker.Options{ListenDSN: listenDSN, HoleWatch: *holeWatch, Logger: log})
	changes.Store(b)
	go func() {
		if err := b.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("change broker stopped", "error", err)
		}
	}()
	// One registry serves the API's numbers and the scheduler's failures.
	m := metrics.New()
	api := server.New(db, server.Config{
		Dev:                  *dev,
		CORSOrigins:          splitList(*origins),
		Logger:               log,
		Auth:                 auth.New(db.Client, verifier, log),
		Live:                 &live.Source{Broker: b, Client: db.Client},
		Metrics:              m,
		MaxBodyBytes:         int64(*maxBody),
		RateLimit:            *rateLimit,
		AnonymousRateLimit:   *anonymousRateLimit,
		AuthFailureLimit:     *authFailureLimit,
		TrustProxy:           *trustProxy,
		DisableIntrospection: !*introspection,
		TrustedDocuments:     trustedDocs,
		Limits:               &lim,
		MaxPageSize:          *maxPageSize,

		MaxSocketsPerCredential:     *maxSockets,
		MaxSocketsPerAddress:        *maxAnonymousSockets,
		MaxPendingSocketsPerAddress: *maxPendingSockets,
		MaxSubscriptionsPerSocket:   *maxSubscriptions,
	})
	srv := server.HTTPServer(api, tmo, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go workflow.Scheduler{Runner: workflow.NewRunner(db.Client, time.Now), Every: 30 * time.Second, Log: log, Failed: m.JobFailed}.Run(ctx)
	log.Info("serving", "graphql", "http://"+ln.Addr().String()+"/graphql", "database", db.Dialect, "dev", *dev)
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
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
