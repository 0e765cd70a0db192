// Package server assembles the HTTP side of usergroups: the GraphQL endpoint
// with its transports, limits and error presenter, the published schema
// (/schema.graphql), the public verification of certificates
// (/certificates/), notices' one-click unsubscribe links (/unsubscribe),
// health checks, CORS and request ids.
package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"github.com/usergroups/usergroups/graph"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/board"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/devidp"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/explorer"
	"github.com/usergroups/usergroups/internal/httpguard"
	"github.com/usergroups/usergroups/internal/ical"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/ratelimit"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/tracing"
	"github.com/usergroups/usergroups/internal/transport"
	"github.com/usergroups/usergroups/internal/transport/ws"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// Config is the one configuration of the HTTP layer: the GraphQL handler,
// the HTTP server around it and the websocket transport. Its settings'
// defaults are Defaults(), from which the command registers its flags; a
// zero setting also means its default, so tests set only what they need.
type Config struct {
	// Dev is development mode: pages from http://localhost:* and
	// http://127.0.0.1:* may call the API (a dashboard's dev server); the
	// command turns Explorer on with it.
	Dev bool
	// DevTokenLifetime is how long the development identity provider's
	// tokens last (0: 8 hours); it runs only with Dev.
	DevTokenLifetime time.Duration
	// OIDCIssuer and OIDCClientID are what the approval board signs in
	// with: the identity provider and the board's public client id there.
	// Empty, the board offers only the development provider (with Dev).
	OIDCIssuer, OIDCClientID string
	// Explorer serves GraphiQL, from assets embedded in the binary, at
	// /explorer/ (and redirects / there); off, both are 404.
	Explorer bool
	// Profiling serves Go's runtime profiles (net/http/pprof) at
	// /debug/pprof/, like /metrics, for an operator chasing memory or CPU;
	// off, they are 404.
	Profiling bool
	// CORSOrigins lists the browser origins allowed to call the API
	// ("https://*.example.org" matches its subdomains, "*" every origin);
	// empty allows none but the API's own (and, with Dev, local pages).
	CORSOrigins []string
	// Logger receives request and error logs; nil is slog.Default().
	Logger *slog.Logger
	// Auth resolves credentials; nil accepts API tokens only (no identity provider).
	Auth *auth.Authenticator
	// Live feeds subscriptions; nil answers them UNAVAILABLE.
	Live *live.Source
	// Now is the clock for deadlines and rate-limit budgets; nil is time.Now.
	Now func() time.Time
	// Metrics is served at /metrics; nil keeps a private registry.
	Metrics *metrics.Metrics
	// MaxBodyBytes caps a request body.
	MaxBodyBytes int64
	// RateLimit and AnonymousRateLimit are the per-minute budgets of a
	// credential or person and of an anonymous address.
	RateLimit, AnonymousRateLimit int
	// AuthFailureLimit is the per-minute budget of failed authentications
	// of one client address, over HTTP and in websocket connection_init;
	// past it the address's credentials get 429 unchecked.
	AuthFailureLimit int
	// RateLimitStore keeps the rate-limit budgets (RateLimit,
	// AnonymousRateLimit, AuthFailureLimit); nil keeps them in this process
	// (ratelimit.InProcess). The command shares them among replicas through
	// Redis with --redis-url (internal/ratelimit/redisstore).
	RateLimitStore ratelimit.NewStore
	// TrustProxy takes the client address from X-Forwarded-For (behind a proxy only).
	TrustProxy bool
	// WebhooksAllowPrivate lets webhook endpoints use http and internal
	// addresses (tests, local development); the delivery client follows
	// the same flag.
	WebhooksAllowPrivate bool
	// DisableIntrospection turns schema introspection off (it is on by
	// default: third-party tools need it).
	DisableIntrospection bool
	// TrustedDocuments, when set (SHA-256 hex → document), is the only set
	// of documents the server runs (see LoadTrustedDocuments).
	TrustedDocuments map[string]string
	// Limits bounds each operation; nil is limits.Default().
	Limits *limits.Config
	// MaxPageSize is the largest first/last a connection accepts.
	MaxPageSize int
	// MaxSocketsPerCredential caps the websockets one API token or person
	// holds open at once.
	MaxSocketsPerCredential int
	// MaxSocketsPerAddress caps the anonymous websockets from one client
	// address (higher than per credential because many people can share an
	// address behind NAT).
	MaxSocketsPerAddress int
	// MaxPendingSocketsPerAddress caps the websockets from one client
	// address that have not sent connection_init yet, whatever credential
	// they will send; one more handshake gets 429 (0: MaxSocketsPerAddress).
	MaxPendingSocketsPerAddress int
	// MaxSubscriptionsPerSocket caps the subscriptions running on one
	// websocket.
	MaxSubscriptionsPerSocket int
	// MaxMessageBytes caps one websocket message from a client (0: the
	// request body cap).
	MaxMessageBytes int64
	// Timeouts bound the HTTP exchanges; HTTPServer applies them.
	Timeouts Timeouts
	// UnsharedSubscriptions runs every subscription alone, as before
	// subscriptions shared executions (see share.go): for comparisons.
	UnsharedSubscriptions bool
	// TracerProvider traces operations, subscriptions and the websocket
	// handshakes' and requests' incoming trace context (internal/tracing);
	// nil or a no-op provider traces nothing and installs nothing.
	TracerProvider trace.TracerProvider
}

// Defaults returns the configuration this server ships with. The command's
// flags take their defaults from it, and docs/configuration.md's table
// is checked against it.
func Defaults() Config {
	lim := limits.Default()
	return Config{
		MaxBodyBytes:                httpguard.DefaultMaxBodyBytes,
		RateLimit:                   ratelimit.DefaultIdentifiedLimit,
		AnonymousRateLimit:          ratelimit.DefaultAnonymousLimit,
		AuthFailureLimit:            ratelimit.DefaultFailureLimit,
		Limits:                      &lim,
		MaxPageSize:                 limits.MaxPageSize,
		MaxSocketsPerCredential:     20,
		MaxSocketsPerAddress:        100,
		MaxPendingSocketsPerAddress: 100,
		MaxSubscriptionsPerSocket:   ws.DefaultMaxSubscriptionsPerSocket,
		Timeouts:                    DefaultTimeouts(),
	}
}

// withDefaults fills every unset (zero or negative) setting from Defaults,
// and the runtime dependencies a caller may leave nil.
func (cfg Config) withDefaults() Config {
	def := Defaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New()
	}
	if cfg.Limits == nil {
		cfg.Limits = def.Limits
	}
	for _, f := range []struct{ v, def *int }{
		{&cfg.RateLimit, &def.RateLimit},
		{&cfg.AnonymousRateLimit, &def.AnonymousRateLimit},
		{&cfg.AuthFailureLimit, &def.AuthFailureLimit},
		{&cfg.MaxPageSize, &def.MaxPageSize},
		{&cfg.MaxSocketsPerCredential, &def.MaxSocketsPerCredential},
		{&cfg.MaxSocketsPerAddress, &def.MaxSocketsPerAddress},
		{&cfg.MaxSubscriptionsPerSocket, &def.MaxSubscriptionsPerSocket},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if cfg.MaxPendingSocketsPerAddress <= 0 {
		cfg.MaxPendingSocketsPerAddress = cfg.MaxSocketsPerAddress
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = def.MaxBodyBytes
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = cfg.MaxBodyBytes
	}
	return cfg
}

// Server is the complete HTTP handler and what must be stopped with it.
type Server struct {
	http.Handler
	ws *ws.Transport
}

// Shutdown closes every websocket with 1001 after its queued messages;
// http.Server.Shutdown does not see upgraded connections, so call both.
func (s *Server) Shutdown(ctx context.Context) error { return s.ws.Shutdown(ctx) }

// WebSocketMetrics returns the websocket transport's live counters.
func (s *Server) WebSocketMetrics() *ws.Metrics { return s.ws.Metrics() }

// GraphQL returns the GraphQL handler alone, as mounted on /graphql, with
// its HTTP transports. It uses cfg's logger, clock, live source, metrics,
// introspection, trusted documents, limits and page size.
func GraphQL(db *store.DB, cfg Config) *handler.Server {
	cfg = cfg.withDefaults()
	log := cfg.Logger
	runner := workflow.NewRunner(db.Client, cfg.Now)
	runner.SetWebhooksAllowPrivate(cfg.WebhooksAllowPrivate)
	srv := handler.New(graph.NewSchema(runner, cfg.Live))
	transport.AddHTTP(srv)
	srv.SetQueryCache(limits.PagedCache{Cache: lru.New[*ast.QueryDocument](1000)})
	base := apierror.Presenter(log, errmap.Classify)
	// A database call cut off by the operation's deadline fails however its
	// driver words it: report it as the timeout it is.
	present := func(ctx context.Context, err error) *gqlerror.Error {
		if te := limits.TimeoutError(ctx, err); te != nil {
			return te
		}
		return base(ctx, err)
	}
	srv.SetErrorPresenter(present)
	srv.SetRecoverFunc(apierror.Recover(log))
	// "Did you mean …?" hints map the schema for anyone probing it.
	srv.SetDisableSuggestion(true)
	maxPage := cfg.MaxPageSize
	lim := *cfg.Limits
	lim.DefaultPageSize = limits.DefaultPageSize
	srv.SetParserTokenLimit(lim.MaxTokens)
	if !cfg.DisableIntrospection {
		srv.Use(extension.Introspection{})
	}
	// Persisted queries first: they fill in the document the limits check.
	if cfg.TrustedDocuments != nil {
		srv.Use(trustedDocuments(cfg.TrustedDocuments))
	} else {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	}
	// Each operation's span around everything else it does.
	if ext := tracing.Operations(cfg.TracerProvider); ext != nil {
		srv.Use(ext)
	}
	// Limits before anything that does work, so that work carries the deadline.
	srv.Use(limits.New(lim))
	srv.Use(observe{log: log, metrics: cfg.Metrics})
	srv.AroundRootFields(mutationUnits(runner))
	// No AroundFields here, deliberately: the generated executor marshals
	// plain scalar fields without running field middleware
	// (internal/tools/execpatch), so one would not see every field;
	// fieldmiddleware_test.go fails if one is registered.
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if sharedExecution(ctx) {
			// Each subscriber was admitted when it joined (see share.go).
			return next(graph.WithBatches(ctx))
		}
		if limited, err := admit(ctx, graphql.GetOperationContext(ctx), maxPage); err != nil {
			if limited {
				cfg.Metrics.RateLimited()
			}
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{present(ctx, err)}})
		}
		return next(graph.WithBatches(ctx))
	})
	srv.AroundOperations(querySnapshots(runner, cfg.Live, present))
	return srv
}

// admit checks an operation before it runs: page sizes, a read token's
// mutation, and the rate limit, which it charges; limited tells that the
// rate limit refused it.
func admit(ctx context.Context, oc *graphql.OperationContext, maxPage int) (limited bool, err error) {
	if err := limits.CheckPageSizes(oc, maxPage); err != nil {
		return false, err
	}
	if err := checkScopes(viewer.FromContext(ctx), oc); err != nil {
		return false, err
	}
	// A request paid the base cost at the door and now pays the rest;
	// an operation on a websocket pays all of it.
	cost, _ := limits.CostOf(oc)
	if _, err := ratelimit.ChargeOperation(ctx, int(min(cost, math.MaxInt32))); err != nil {
		return true, err
	}
	return false, nil
}

// New returns the complete HTTP handler.
func New(db *store.DB, cfg Config) *Server {
	cfg = cfg.withDefaults()
	log := cfg.Logger
	mux := http.NewServeMux()
	authn := cfg.Auth
	if authn == nil {
		authn = auth.New(workflow.NewRunner(db.Client, cfg.Now), nil, log)
	}
	var dev *devidp.Provider
	if cfg.Dev {
		dev = devProvider(db, cfg)
		authn = authn.WithDev(dev)
		mux.Handle(devidp.Path, dev.Handler())
	}
	mux.Handle(board.Path, board.Handler(board.Config{SignIn: func(r *http.Request) []board.Provider {
		var ps []board.Provider
		if cfg.OIDCIssuer != "" {
			ps = append(ps, board.Provider{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID})
		}
		if dev != nil {
			ps = append(ps, board.Provider{Issuer: devidp.Issuer(r), ClientID: devidp.ClientID, Dev: true})
		}
		return ps
	}}))
	allowed := allowedOrigins(cfg.CORSOrigins, cfg.Dev)
	c := cors.New(cors.Options{
		// A function, not AllowedOrigins: given an empty list, rs/cors
		// allows every origin.
		AllowOriginFunc: allowed,
		AllowedMethods:  []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:  []string{"Authorization", "Content-Type"},
		MaxAge:          600,
		// Browsers may read these only when they are listed.
		ExposedHeaders: []string{"X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"},
	})
	m := cfg.Metrics
	gql := GraphQL(db, cfg)
	budget := cfg.RateLimitStore
	if budget == nil {
		budget = ratelimit.InProcess
	}
	budgets := ratelimit.HTTPConfig{TrustProxy: cfg.TrustProxy,
		Identified: budget(ratelimit.IdentifiedBudget, ratelimit.Config{Limit: cfg.RateLimit, Now: cfg.Now}),
		Anonymous:  budget(ratelimit.AnonymousBudget, ratelimit.Config{Limit: cfg.AnonymousRateLimit, Now: cfg.Now})}
	failures := ratelimit.NewFailures(budgets, budget(ratelimit.FailureBudget, ratelimit.Config{Limit: cfg.AuthFailureLimit, Now: cfg.Now}))
	sockets := ws.New(ws.Config{
		MaxMessageBytes:           cfg.MaxMessageBytes,
		MaxSubscriptionsPerSocket: cfg.MaxSubscriptionsPerSocket,
		Share:                     shareConfig(db.Client, cfg),
		Tracing:                   tracing.NewSubscriptions(cfg.TracerProvider),
		Authenticate: func(ctx context.Context, payload map[string]any) (context.Context, error) {
			return socketViewer(ctx, authn, failures, cfg.Live, payload, log, m)
		},
		Ended: func(ctx context.Context, s ws.Session) {
			if s.Panic != "" {
				log.ErrorContext(ctx, "websocket reader panicked", "panic", s.Panic, "request_id", apierror.RequestID(ctx))
			}
			log.InfoContext(ctx, "websocket", "protocol", s.Protocol, "duration", s.Duration, "operations", s.Operations,
				"initialized", s.Initialized, "close", s.Code, "client_close", s.PeerCode,
				"viewer", viewerKind(viewer.FromContext(ctx)), "request_id", apierror.RequestID(ctx))
		},
		// Browsers send Origin on every websocket handshake: the allow-list
		// of CORS holds here too (cross-site websocket hijacking). Clients
		// outside browsers send none.
		CheckOrigin: func(r *http.Request) bool {
			origin := r.Header.Get("Origin")
			return origin == "" || allowed(origin) || sameOrigin(r)
		},
		// Sockets are counted by the key their budget is charged to: the
		// credential sent in connection_init if any, else the address.
		MaxSocketsPerKey: func(ctx context.Context) (string, int) {
			v := viewer.FromContext(ctx)
			switch {
			case v.Token != nil:
				return "token:" + string(v.Token.ID), cfg.MaxSocketsPerCredential
			case v.IsUser():
				return "user:" + string(v.UserID), cfg.MaxSocketsPerCredential
			}
			if key, _, ok := ratelimit.KeyFromContext(ctx); ok && strings.HasPrefix(key, "ip:") {
				return key, cfg.MaxSocketsPerAddress
			}
			return "", 0
		},
		// Until connection_init says who a socket is, it is counted by
		// the address it came from.
		MaxPendingPerKey: func(r *http.Request) (string, int) {
			addr, _ := ratelimit.AddressFromContext(r.Context())
			return addr, cfg.MaxPendingSocketsPerAddress
		},
	})
	gql.AddTransport(sockets)
	// Junk is refused before it costs a token lookup, and so is every
	// credential from an address that failed too often; the budget is
	// charged after authentication, which names whose budget it is.
	guard := httpguard.Middleware(httpguard.Config{MaxBodyBytes: cfg.MaxBodyBytes})
	limit := ratelimit.Middleware(budgets)
	mux.Handle("/graphql", tracing.Incoming(cfg.TracerProvider, guard(failures.Middleware(countRefusedCredentials(m, authn.Middleware(limit(gql)))))))
	watch(m, sockets, cfg.Live)
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("/ical/", ical.NewHandler(db.Client, log))
	// Anyone may verify a certificate: charged to the caller's address.
	mux.Handle("/certificates/", limit(certificatesHandler(workflow.NewRunner(db.Client, cfg.Now), log, cfg.TrustProxy)))
	// Notices' one-click unsubscribe links: the token is the credential;
	// charged to the caller's address like the certificates.
	mux.Handle(workflow.UnsubscribePath, limit(unsubscribeHandler(workflow.NewRunner(db.Client, cfg.Now), log)))
	// Exports' files: the signed link is the credential, served once.
	mux.Handle(workflow.ExportPath, limit(exportsHandler(workflow.NewRunner(db.Client, cfg.Now), log)))
	// The SDL says what introspection says: an operator who turned
	// introspection off does not publish the schema either.
	if !cfg.DisableIntrospection {
		mux.Handle("GET /schema.graphql", schemaHandler())
	}
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			log.WarnContext(ctx, "database not reachable", "request_id", apierror.RequestID(ctx), "error", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	if cfg.Profiling {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	if cfg.Explorer {
		mux.Handle(explorer.Path, explorer.Handler())
		mux.Handle("GET /{$}", http.RedirectHandler(explorer.Path, http.StatusFound))
	}
	return &Server{Handler: requestID(accessLog(log, refusedOrigins(log, m, allowed, c.Handler(mux)))), ws: sockets}
}

// allowedOrigins is the browser origins that may call the API besides its
// own: the configured ones (with rs/cors's patterns: "*", or one "*"
// standing for a subdomain part) and, in development, any page served
// from this machine over http.
func allowedOrigins(list []string, dev bool) func(origin string) bool {
	return func(origin string) bool {
		for _, pattern := range list {
			if matchOrigin(strings.ToLower(pattern), strings.ToLower(origin)) {
				return true
			}
		}
		return dev && localOrigin(origin)
	}
}

func matchOrigin(pattern, origin string) bool {
	if before, after, ok := strings.Cut(pattern, "*"); ok {
		return len(origin) >= len(before)+len(after) && strings.HasPrefix(origin, before) && strings.HasSuffix(origin, after)
	}
	return pattern == origin
}

// localOrigin reports whether origin is http://localhost or
// http://127.0.0.1, on any port: a dashboard's development server.
func localOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" || u.Path != "" || u.User != nil {
		return false
	}
	host := u.Hostname()
	return host == "localhost" || host == "127.0.0.1"
}

// refusedOrigins logs and counts each request from a browser page of a
// site the API does not allow. CORS refuses it by leaving out the headers
// that would let the page read the answer, and the page sees only
// "Failed to fetch": without this line nobody could tell why.
func refusedOrigins(log *slog.Logger, m *metrics.Metrics, allowed func(string) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !allowed(origin) && !sameOrigin(r) {
			m.CORSRefused()
			log.WarnContext(r.Context(), "origin refused: not in --cors-origins", "origin", origin, "method", r.Method,
				"path", r.URL.Path, "request_id", apierror.RequestID(r.Context()))
		}
		next.ServeHTTP(w, r)
	})
}

// countRefusedCredentials counts the requests authentication answered
// with 401 (the authenticator logs each with its reason).
func countRefusedCredentials(m *metrics.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusUnauthorized {
			m.AuthFailed("http")
		}
	})
}

// socketViewer authenticates a websocket from its connection_init payload
// (browsers cannot set headers on a websocket), with the rules of HTTP: no
// credential is anonymous, a bad one is refused and charged to the
// address's failures, and the socket's operations are charged to the
// budget of the credential it sent. With a live source the socket's viewer
// then follows the credential (live.Source.Attach): every delivery and
// operation sees the person's current roles, and the socket closes with
// 4403 once the credential is revoked or expires. A credential that could
// not be checked (the database or identity provider down) is refused
// without the cause, which goes to the log: the legacy protocol shows the
// refusal's text to the client.
func socketViewer(ctx context.Context, authn *auth.Authenticator, failures *ratelimit.Failures, src *live.Source, payload map[string]any, log *slog.Logger, m *metrics.Metrics) (context.Context, error) {
	header, _ := payload["Authorization"].(string)
	if header == "" {
		header, _ = payload["authorization"].(string)
	}
	if header == "" {
		return ratelimit.ForSocket(viewer.NewContext(ctx, &viewer.Viewer{})), nil
	}
	addr, _ := ratelimit.AddressFromContext(ctx)
	if err := failures.Check(ctx, addr); err != nil {
		return nil, err
	}
	v, err := authn.Authenticate(ctx, header)
	if err != nil {
		if errors.Is(err, auth.ErrUnauthenticated) {
			failures.Fail(ctx, addr)
			m.AuthFailed("websocket")
			log.InfoContext(ctx, "credential refused", "transport", "websocket", "reason", err.Error(), "request_id", apierror.RequestID(ctx))
			return nil, err
		}
		log.WarnContext(ctx, "websocket credential not checked", "request_id", apierror.RequestID(ctx), "error", err)
		return nil, errors.New("the credential could not be checked; try again shortly")
	}
	if src != nil {
		if ctx, err = src.Attach(ctx, v); err != nil {
			return nil, err
		}
	} else {
		ctx = viewer.NewContext(ctx, v)
	}
	if v.UserID != "" {
		ctx = changelog.WithActor(ctx, v.UserID)
	}
	return ratelimit.ForSocket(ctx), nil
}

// sameOrigin reports whether the Origin header names this host.
func sameOrigin(r *http.Request) bool {
	u, err := url.Parse(r.Header.Get("Origin"))
	return err == nil && u.Host == r.Host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// requestID gives every request an id, in the context (for logs and
// internal-error responses) and in the X-Request-Id response header.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(apierror.WithRequestID(r.Context(), id)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Hijack hands the connection to the websocket transport (which needs an
// http.Hijacker) and logs the upgrade as 101.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err == nil {
		s.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

// accessLog logs one line per request at debug level, and errors at warn.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		level := slog.LevelDebug
		if rec.status >= 500 {
			level = slog.LevelWarn
		}
		log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start), "request_id", apierror.RequestID(r.Context()))
	})
}

// watch exposes the websocket transport's and the broker's counters.
func watch(m *metrics.Metrics, sockets *ws.Transport, src *live.Source) {
	sm := sockets.Metrics()
	m.Gauge("usergroups_websocket_sockets", "Open websockets.", func() float64 { return float64(sm.ActiveSockets.Load()) })
	m.Gauge("usergroups_websocket_subscriptions", "Running subscriptions.", func() float64 { return float64(sm.ActiveSubscriptions.Load()) })
	m.Gauge("usergroups_websocket_shared_groups", "Shared subscription executions running (subscriptions of one document and viewer class).",
		func() float64 { return float64(sm.SharedGroups.Load()) })
	m.Gauge("usergroups_websocket_shared_members", "Subscriptions served by a shared execution.", func() float64 { return float64(sm.SharedMembers.Load()) })
	m.Counter("usergroups_websocket_disconnects_slow_total", "Websockets closed because the client could not keep up.",
		func() float64 { return float64(sm.DisconnectsSlow.Load()) })
	m.Counter("usergroups_websocket_messages_sent_total", "Messages written to websockets.", func() float64 { return float64(sm.MessagesSent.Load()) })
	m.Counter("usergroups_websocket_sessions_total", "Websockets opened (each is logged when it ends).", func() float64 { return float64(sm.SocketsAccepted.Load()) })
	m.Counter("usergroups_websocket_handshakes_refused_total", "Websocket handshakes answered with an HTTP error (origin, subprotocol, shutdown, too many pending).",
		func() float64 { return float64(sm.HandshakesRefused.Load()) })
	if src == nil || src.Broker == nil {
		return
	}
	b := src.Broker
	m.Gauge("usergroups_broker_lag", "Changes read from the log but not yet delivered to the slowest subscriber.",
		func() float64 { return float64(b.Metrics().Lag) })
	m.Gauge("usergroups_broker_subscribers", "Subscriptions held by the change broker for clients.", func() float64 { return float64(src.Subscribers()) })
	m.Counter("usergroups_broker_delivered_total", "Changes delivered to subscribers.", func() float64 { return float64(b.Metrics().Delivered) })
	m.Counter("usergroups_broker_fell_behind_total", "Subscriptions whose queue filled during a burst; each catches up from the change log.",
		func() float64 { return float64(b.Metrics().DroppedSlow) })
	m.Counter("usergroups_broker_gaps_skipped_total", "Sequence numbers delivered past after the hold time, then watched for a late commit.",
		func() float64 { return float64(b.Metrics().Skipped) })
	m.Gauge("usergroups_broker_gaps_watched", "Sequence numbers watched for a late commit.", func() float64 { return float64(b.Metrics().Holes) })
	m.Counter("usergroups_broker_late_total", "Changes that committed after later ones were delivered, delivered late.",
		func() float64 { return float64(b.Metrics().Late) })
	m.Counter("usergroups_broker_gaps_abandoned_total", "Sequence numbers no longer watched without proof that they stay empty.",
		func() float64 { return float64(b.Metrics().Abandoned) })
	m.Counter("usergroups_broker_listener_reconnects_total", "Times the PostgreSQL LISTEN connection was re-established.",
		func() float64 { return float64(b.Metrics().Reconnects) })
}
