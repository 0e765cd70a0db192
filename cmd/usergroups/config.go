package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/workflow"
)

// serveConfig is all that `usergroups serve` is configured with: the HTTP
// layer's server.Config, and what the command itself opens and runs.
type serveConfig struct {
	server.Config
	Listen, Database, LogLevel string
	OIDCAudience               string
	// TrustedDocumentsFile is read into Config.TrustedDocuments.
	TrustedDocumentsFile string
	HoleWatch            time.Duration
	// ChangeRetention is how long the change log keeps a change; 0 keeps
	// every change (docs/subscriptions.md).
	ChangeRetention time.Duration
	GCPercent       int
	Demo            bool
	// SMTPURL and MailFrom configure email delivery (docs/email.md).
	SMTPURL, MailFrom string
	// PublicURL is the server's address as people reach it, for the
	// one-click unsubscribe links of notices (docs/email.md).
	PublicURL string
	// RedisURL, when set, is the Redis every replica keeps the rate-limit
	// budgets in (docs/http-limits.md).
	RedisURL string
	// DBMaxConns caps the replica's pool of database connections; 0 keeps
	// the dialect's default (docs/scaling.md).
	DBMaxConns int
}

// defaultServeConfig is every setting's default: server.Defaults() for the
// HTTP layer, and the command's own here.
func defaultServeConfig() serveConfig {
	return serveConfig{
		Config:    server.Defaults(),
		Listen:    "127.0.0.1:8080",
		Database:  "./usergroups.db",
		LogLevel:  "info",
		HoleWatch: broker.DefaultHoleWatch,
		// Clients offline longer refetch (CURSOR_EXPIRED).
		ChangeRetention: workflow.DefaultChangeRetention,
		MailFrom:        "usergroups@localhost",
		// Go's default is 100; responses allocate much short-lived memory.
		GCPercent: 400,
	}
}

// setting is one flag: its name, environment variable and help, and the
// field of serveConfig it sets, whose value in defaultServeConfig is its
// default. The field is a *string, *int, *int64, *time.Duration, *bool,
// list or negated.
type setting struct {
	name, env, help string
	field           func(*serveConfig) any
}

// list binds a comma-separated flag to a []string.
type list struct{ p *[]string }

// negated binds a boolean flag to the negation of a field
// (--introspection sets DisableIntrospection).
type negated struct{ p *bool }

// settings is the one table of serve's flags: `serve --help` prints it and
// docs/configuration.md's table is checked against it (readme_test.go).
var settings = []setting{
	{"listen", "USERGROUPS_LISTEN", "address to listen on", func(c *serveConfig) any { return &c.Listen }},
	{"database", "USERGROUPS_DATABASE", "database: a postgres:// URL, or a SQLite file path", func(c *serveConfig) any { return &c.Database }},
	{"db-max-conns", "USERGROUPS_DB_MAX_CONNS",
		"database connections this replica's pool opens at most (0: 20 on PostgreSQL, 8 on SQLite); lower it as replicas are added, so that all of them stay under PostgreSQL's max_connections",
		func(c *serveConfig) any { return &c.DBMaxConns }},
	{"demo", "USERGROUPS_DEMO", "load the demo data set when the database is empty", func(c *serveConfig) any { return &c.Demo }},
	{"dev", "USERGROUPS_DEV", "development mode: the explorer on unless --explorer=false, pages from http://localhost:* and http://127.0.0.1:* may call the API, and the development sign-in (/dev/oidc/, a picker of the database's people) runs", func(c *serveConfig) any { return &c.Dev }},
	{"explorer", "USERGROUPS_EXPLORER", "serve GraphiQL, embedded in the binary (no CDN), at /explorer/; on by default with --dev",
		func(c *serveConfig) any { return &c.Explorer }},
	{"pprof", "USERGROUPS_PPROF",
		"serve Go's runtime profiles (heap, goroutines, CPU) at /debug/pprof/ for diagnosing a replica; like /metrics, keep it off the public internet",
		func(c *serveConfig) any { return &c.Profiling }},
	{"cors-origins", "USERGROUPS_CORS_ORIGINS", "comma-separated browser origins allowed to call the API",
		func(c *serveConfig) any { return list{&c.CORSOrigins} }},
	{"log-level", "USERGROUPS_LOG_LEVEL", "debug, info, warn or error", func(c *serveConfig) any { return &c.LogLevel }},
	{"oidc-issuer", "USERGROUPS_OIDC_ISSUER", "OpenID Connect issuer URL whose bearer tokens sign people in; empty accepts API tokens only",
		func(c *serveConfig) any { return &c.OIDCIssuer }},
	{"oidc-audience", "USERGROUPS_OIDC_AUDIENCE", "the audience (client id) OIDC tokens must be issued for",
		func(c *serveConfig) any { return &c.OIDCAudience }},
	{"oidc-client-id", "USERGROUPS_OIDC_CLIENT_ID", "the approval board's public client id at the identity provider (authorization code with PKCE); empty: --oidc-audience",
		func(c *serveConfig) any { return &c.OIDCClientID }},
	{"rate-limit", "USERGROUPS_RATE_LIMIT", "cost points per minute for each API token or signed-in person",
		func(c *serveConfig) any { return &c.RateLimit }},
	{"anonymous-rate-limit", "USERGROUPS_ANONYMOUS_RATE_LIMIT", "cost points per minute for each anonymous client address",
		func(c *serveConfig) any { return &c.AnonymousRateLimit }},
	{"auth-failure-limit", "USERGROUPS_AUTH_FAILURE_LIMIT",
		"failed authentications per minute from one client address; past them its credentials get 429 without being checked",
		func(c *serveConfig) any { return &c.AuthFailureLimit }},
	{"redis-url", "USERGROUPS_REDIS_URL",
		"Redis in which every replica keeps the rate-limit budgets, so that a client has one budget whichever replica it reaches: redis://[user:password@]host:port/db or rediss://…; empty keeps them in each process",
		func(c *serveConfig) any { return &c.RedisURL }},
	{"max-body-bytes", "USERGROUPS_MAX_BODY_BYTES", "largest request body accepted", func(c *serveConfig) any { return &c.MaxBodyBytes }},
	{"max-depth", "USERGROUPS_MAX_DEPTH", "deepest field nesting an operation may have", func(c *serveConfig) any { return &c.Limits.MaxDepth }},
	{"max-aliases", "USERGROUPS_MAX_ALIASES", "aliased fields an operation may have", func(c *serveConfig) any { return &c.Limits.MaxAliases }},
	{"max-root-fields", "USERGROUPS_MAX_ROOT_FIELDS", "top-level fields an operation may select",
		func(c *serveConfig) any { return &c.Limits.MaxRootFields }},
	{"max-cost", "USERGROUPS_MAX_COST", "highest computed cost an operation may have", func(c *serveConfig) any { return &c.Limits.MaxCost }},
	{"max-page-size", "USERGROUPS_MAX_PAGE_SIZE", "largest first/last a connection accepts", func(c *serveConfig) any { return &c.MaxPageSize }},
	{"operation-timeout", "USERGROUPS_OPERATION_TIMEOUT", "how long a query or mutation may run before it and its database work are cancelled",
		func(c *serveConfig) any { return &c.Limits.Timeout }},
	{"read-header-timeout", "USERGROUPS_READ_HEADER_TIMEOUT", "how long a client may take to send a request's headers",
		func(c *serveConfig) any { return &c.Timeouts.ReadHeader }},
	{"read-timeout", "USERGROUPS_READ_TIMEOUT", "how long a client may take to send a whole request, body included (0: no limit)",
		func(c *serveConfig) any { return &c.Timeouts.Read }},
	{"min-body-rate", "USERGROUPS_MIN_BODY_RATE",
		"slowest a request body may arrive, in bytes a second on average after --body-grace; slower bodies are cut off (0: off)",
		func(c *serveConfig) any { return &c.Timeouts.MinBodyRate }},
	{"body-grace", "USERGROUPS_BODY_GRACE", "time a request body has before --min-body-rate counts",
		func(c *serveConfig) any { return &c.Timeouts.BodyGrace }},
	{"write-timeout", "USERGROUPS_WRITE_TIMEOUT",
		"how long the server may take to answer once a request is in, writing included; longer than --operation-timeout (0: no limit)",
		func(c *serveConfig) any { return &c.Timeouts.Write }},
	{"idle-timeout", "USERGROUPS_IDLE_TIMEOUT", "how long a kept-alive connection may wait for its next request",
		func(c *serveConfig) any { return &c.Timeouts.Idle }},
	{"max-sockets", "USERGROUPS_MAX_SOCKETS", "websockets one API token or signed-in person may hold open at once",
		func(c *serveConfig) any { return &c.MaxSocketsPerCredential }},
	{"max-anonymous-sockets", "USERGROUPS_MAX_ANONYMOUS_SOCKETS", "anonymous websockets one client address may hold open at once",
		func(c *serveConfig) any { return &c.MaxSocketsPerAddress }},
	{"max-pending-sockets", "USERGROUPS_MAX_PENDING_SOCKETS",
		"websockets from one client address that have not sent connection_init yet (the next handshake gets 429)",
		func(c *serveConfig) any { return &c.MaxPendingSocketsPerAddress }},
	{"max-subscriptions", "USERGROUPS_MAX_SUBSCRIPTIONS", "subscriptions running at once on one websocket",
		func(c *serveConfig) any { return &c.MaxSubscriptionsPerSocket }},
	{"hole-watch", "USERGROUPS_HOLE_WATCH",
		"longest a hole in the change log (a transaction that had not committed when later ones had) is watched for a late commit; keep it above your longest transaction",
		func(c *serveConfig) any { return &c.HoleWatch }},
	{"change-retention", "USERGROUPS_CHANGE_RETENTION",
		"how long the change log keeps a change: older ones are pruned every 10 minutes, and a subscription resuming from before them gets CURSOR_EXPIRED; longer than twice --hole-watch (0: keep every change)",
		func(c *serveConfig) any { return &c.ChangeRetention }},
	{"trusted-documents", "USERGROUPS_TRUSTED_DOCUMENTS",
		"a JSON file of allowed documents (SHA-256 hex → document, or an Apollo persisted-query manifest): serve only those",
		func(c *serveConfig) any { return &c.TrustedDocumentsFile }},
	{"introspection", "USERGROUPS_INTROSPECTION", "answer schema introspection (third-party tools need it)",
		func(c *serveConfig) any { return negated{&c.DisableIntrospection} }},
	{"gc-percent", "GOGC",
		"garbage collector target: heap growth in percent between collections (Go's default is 100; responses allocate a lot of short-lived memory, and 400 spends less CPU on collection at a few MB more heap)",
		func(c *serveConfig) any { return &c.GCPercent }},
	{"smtp-url", "USERGROUPS_SMTP_URL",
		"SMTP server the outbox is delivered through: smtp://user:pass@host:port (STARTTLS when offered; ?starttls=required insists) or smtps://…; empty keeps messages in the outbox and logs one line per email",
		func(c *serveConfig) any { return &c.SMTPURL }},
	{"mail-from", "USERGROUPS_MAIL_FROM", "From address of every email, optionally with a name (\"Usergroups <noreply@example.org>\"); its domain names the Message-IDs",
		func(c *serveConfig) any { return &c.MailFrom }},
	{"public-url", "USERGROUPS_PUBLIC_URL",
		"the server's address as people reach it (https://…, or http://localhost in development): notices carry one-click unsubscribe links to its /unsubscribe; empty: a mailto link only",
		func(c *serveConfig) any { return &c.PublicURL }},
	{"webhooks-allow-private", "USERGROUPS_WEBHOOKS_ALLOW_PRIVATE",
		"let webhook endpoints use http and loopback, private or link-local addresses (tests and local development only)",
		func(c *serveConfig) any { return &c.WebhooksAllowPrivate }},
	{"trust-proxy", "USERGROUPS_TRUST_PROXY", "take client addresses from X-Forwarded-For (only behind a proxy that sets it)",
		func(c *serveConfig) any { return &c.TrustProxy }},
}

// devDefaults turns on, under --dev, what development mode turns on unless
// the flag or its environment variable said otherwise: the explorer.
func devDefaults(fs *flag.FlagSet, c *serveConfig) {
	if !c.Dev || flagSet(fs, "explorer") {
		return
	}
	if env := os.Getenv("USERGROUPS_EXPLORER"); env == "true" || env == "false" {
		return
	}
	c.Explorer = true
}

// registerFlags adds the named settings (all when none are named) to fs,
// bound to c's fields. A setting's environment variable, when set and
// valid, replaces its default; a boolean's takes "true" or "false" only.
func registerFlags(fs *flag.FlagSet, c *serveConfig, names ...string) {
	for _, s := range settings {
		if len(names) > 0 && !slices.Contains(names, s.name) {
			continue
		}
		env, fromEnv := os.LookupEnv(s.env)
		usage := s.help + " [env " + s.envDoc(c) + "]"
		switch p := s.field(c).(type) {
		case *string:
			if fromEnv {
				*p = env
			}
			fs.StringVar(p, s.name, *p, usage)
		case *int:
			if x, err := strconv.Atoi(env); fromEnv && err == nil {
				*p = x
			}
			fs.IntVar(p, s.name, *p, usage)
		case *int64:
			if x, err := strconv.ParseInt(env, 10, 64); fromEnv && err == nil {
				*p = x
			}
			fs.Int64Var(p, s.name, *p, usage)
		case *time.Duration:
			if x, err := time.ParseDuration(env); fromEnv && err == nil {
				*p = x
			}
			fs.DurationVar(p, s.name, *p, usage)
		case *bool:
			if env == "true" || env == "false" {
				*p = env == "true"
			}
			fs.BoolVar(p, s.name, *p, usage)
		case negated:
			if env == "true" || env == "false" {
				*p.p = env == "false"
			}
			fs.Var(p, s.name, usage)
		case list:
			if fromEnv {
				_ = p.Set(env)
			}
			fs.Var(p, s.name, usage)
		default:
			panic(fmt.Sprintf("setting --%s binds a %T", s.name, p)) // a programming error, caught by any test of the command
		}
	}
}

// envDoc is how a setting's environment variable is written in help and in
// docs/configuration.md: a boolean's with the value that changes its default.
func (s setting) envDoc(c *serveConfig) string {
	if on, ok := s.flag(c); ok {
		return s.env + "=" + strconv.FormatBool(!on)
	}
	return s.env
}

// flag reports a boolean setting's value in c, and whether it is one.
func (s setting) flag(c *serveConfig) (on, ok bool) {
	switch p := s.field(c).(type) {
	case *bool:
		return *p, true
	case negated:
		return !*p.p, true
	}
	return false, false
}

// documented is a setting's value in c as docs/configuration.md's table writes it:
// on/off, none for an empty value, durations without zero units ("3m").
func (s setting) documented(c *serveConfig) string {
	if on, ok := s.flag(c); ok {
		if on {
			return "on"
		}
		return "off"
	}
	var v string
	switch p := s.field(c).(type) {
	case *string:
		v = *p
	case *int:
		v = strconv.Itoa(*p)
	case *int64:
		v = strconv.FormatInt(*p, 10)
	case *time.Duration:
		v = shortDuration(*p)
	case list:
		v = p.String()
	}
	if v == "" {
		return "none"
	}
	return "`" + v + "`"
}

// shortDuration writes d as people do: "3m", "1h", "1m30s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (l list) String() string {
	if l.p == nil {
		return ""
	}
	return strings.Join(*l.p, ",")
}

// Set takes a comma-separated list; blanks around and between items go.
func (l list) Set(s string) error {
	*l.p = nil
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l.p = append(*l.p, item)
		}
	}
	return nil
}

func (n negated) String() string {
	if n.p == nil {
		return "true"
	}
	return strconv.FormatBool(!*n.p)
}

// Set takes the flag's (not the field's) value.
func (n negated) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*n.p = !v
	return nil
}

// IsBoolFlag lets --introspection=false and bare --introspection parse.
func (negated) IsBoolFlag() bool { return true }

// checkPublicURL accepts an absolute https URL without query or fragment,
// or http on localhost or 127.0.0.1 (a development server, `make run`).
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return err
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return errors.New("want an absolute URL such as https://usergroups.example.org, without user, query or fragment")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1"):
		return nil
	}
	return errors.New("want https (http only on localhost or 127.0.0.1)")
}

// checkRetention accepts 0 (keep every change) or a retention longer than
// twice the hole watch. A hole is watched for up to the hole watch after it
// was seen, and the rows after it were written at most a transaction's
// length (less than the hole watch) before that, so no hole the brokers
// still watch lies below the pruned rows, and the cursor a query hands out
// is never expired already.
// checkPoolSize refuses a negative pool size, which database/sql would
// take as "no limit" rather than as the default.
func checkPoolSize(n int) error {
	if n < 0 {
		return errors.New("want 0 (the database's default) or a positive number of connections")
	}
	return nil
}

func checkRetention(retention, holeWatch time.Duration) error {
	switch {
	case retention < 0:
		return errors.New("want 0 (keep every change) or a positive duration")
	case retention > 0 && retention <= 2*holeWatch:
		return fmt.Errorf("want 0 or longer than twice --hole-watch (%v)", holeWatch)
	}
	return nil
}
