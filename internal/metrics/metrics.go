// Package metrics keeps the numbers an operator watches — requests by
// operation and outcome, latency, SQL statements per request, websockets,
// subscriptions, broker lag, rate-limit, credential and origin refusals,
// failures of the shared rate-limit store — and serves them to Prometheus
// at /metrics.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/usergroups/usergroups/internal/sqlhook"
)

// maxOperations bounds the operation-name label: names come from clients,
// and an unbounded label would let anyone grow the metrics without limit.
const maxOperations = 200

// Unnamed labels an operation without a name. The parentheses keep it
// apart from every name a client can give (GraphQL names are letters,
// digits and underscores), and from the anonymous viewer.
const Unnamed = "(unnamed)"

// Metrics is one process's registry and collectors.
type Metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	statements  prometheus.Histogram
	rateLimited prometheus.Counter
	jobFailures *prometheus.CounterVec
	deliveries  *prometheus.CounterVec
	authFailed  *prometheus.CounterVec
	corsRefused prometheus.Counter
	storeErrors prometheus.Counter

	mu    sync.Mutex
	names map[string]bool
}

// New registers the collectors (and Go runtime and process metrics).
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usergroups_graphql_requests_total",
			Help: "GraphQL operations by operation name, type and outcome code (OK or extensions.code of the first error).",
		}, []string{"operation", "type", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "usergroups_graphql_request_duration_seconds",
			Help:    "Time to answer a GraphQL query or mutation.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation", "type"}),
		statements: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "usergroups_sql_statements_per_request",
			Help:    "SQL statements one GraphQL query or mutation sent; it should not grow with the data.",
			Buckets: []float64{1, 2, 4, 8, 12, 16, 24, 32, 64, 128},
		}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "usergroups_rate_limited_total",
			Help: "Requests refused because their credential or address ran out of budget.",
		}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usergroups_job_failures_total",
			Help: "Failed attempts of background jobs, by job kind (River retries them with backoff and records the error on the job).",
		}, []string{"job"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usergroups_deliveries_total",
			Help: "Delivery attempts of email and webhooks, by kind (email, webhook) and outcome (sent, logged, retry, failed, bounced, skipped).",
		}, []string{"kind", "outcome"}),
		authFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usergroups_auth_failures_total",
			Help: "Credentials refused as malformed, unknown, expired or revoked, by transport (http: answered 401; websocket: a connection_init closed with 4403).",
		}, []string{"transport"}),
		corsRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "usergroups_cors_refused_total",
			Help: "Requests and websocket handshakes from a browser page of a site outside the allowed origins (--cors-origins).",
		}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "usergroups_ratelimit_store_errors_total",
			Help: "Calls to the shared rate-limit store (Redis, --redis-url) that failed or timed out; this replica decided them with its own in-process budgets.",
		}),
		names: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.duration, m.statements, m.rateLimited, m.jobFailures, m.deliveries, m.authFailed, m.corsRefused,
		m.storeErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Operation is what one GraphQL operation did.
type Operation struct {
	Name, Type, Code string
	Duration         time.Duration
	Statements       int64
}

// Observe records one query or mutation.
func (m *Metrics) Observe(op Operation) {
	name := m.label(op.Name)
	m.requests.WithLabelValues(name, op.Type, op.Code).Inc()
	m.duration.WithLabelValues(name, op.Type).Observe(op.Duration.Seconds())
	m.statements.Observe(float64(op.Statements))
}

// Refused records an operation answered without running: its document
// did not parse or validate, or was over a limit. It counts in the
// requests total, not in the latency and statement histograms, which
// describe work done.
func (m *Metrics) Refused(op Operation) {
	m.requests.WithLabelValues(m.label(op.Name), op.Type, op.Code).Inc()
}

// AuthFailed counts one refused credential on a transport ("http" or
// "websocket").
func (m *Metrics) AuthFailed(transport string) { m.authFailed.WithLabelValues(transport).Inc() }

// CORSRefused counts one request from a browser origin that is not allowed.
func (m *Metrics) CORSRefused() { m.corsRefused.Inc() }

// RateLimited counts one refusal for want of budget.
func (m *Metrics) RateLimited() { m.rateLimited.Inc() }

// RateLimitStoreFailed counts one call to the shared rate-limit store
// that failed or timed out.
func (m *Metrics) RateLimitStoreFailed() { m.storeErrors.Inc() }

// Delivered counts one delivery attempt of kind ("email", "webhook") with
// its outcome.
func (m *Metrics) Delivered(kind, outcome string) { m.deliveries.WithLabelValues(kind, outcome).Inc() }

// JobStates are the states of River's jobs that JobDepth reports.
var JobStates = []string{"available", "scheduled", "running", "retryable", "pending", "completed", "cancelled", "discarded"}

// JobDepth exposes the queue's depth by job state, read at scrape time
// (one grouped statement); a failed read reports nothing for that scrape.
func (m *Metrics) JobDepth(read func() (map[string]int, error)) {
	m.registry.MustRegister(depthCollector{
		desc: prometheus.NewDesc("usergroups_jobs", "Background jobs in the queue, by state.", []string{"state"}, nil),
		read: read,
	})
}

type depthCollector struct {
	desc *prometheus.Desc
	read func() (map[string]int, error)
}

func (d depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }

func (d depthCollector) Collect(ch chan<- prometheus.Metric) {
	counts, err := d.read()
	if err != nil {
		return
	}
	for _, s := range JobStates {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(counts[s]), s)
	}
}

// JobFailed counts one failed attempt of a background job. Job names are
// the registered job kinds, so the label stays bounded.
func (m *Metrics) JobFailed(job string) { m.jobFailures.WithLabelValues(job).Inc() }

// label keeps the first maxOperations names and folds the rest into "other".
func (m *Metrics) label(name string) string {
	if name == "" {
		return Unnamed
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= maxOperations {
		return "other"
	}
	m.names[name] = true
	return name
}

// Pool exposes the database pool's connections (open, in use, idle, the
// cap) and its waits as go_sql_* metrics labelled db_name="usergroups":
// what --db-max-conns is sized by.
func (m *Metrics) Pool(db *sql.DB) {
	m.registry.MustRegister(collectors.NewDBStatsCollector(db, "usergroups"))
}

// Gauge exposes a value read when Prometheus scrapes (open sockets, broker
// lag), so the components keep plain counters and know nothing of Prometheus.
func (m *Metrics) Gauge(name, help string, read func() float64) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read))
}

// Counter exposes a monotonic count read when Prometheus scrapes.
func (m *Metrics) Counter(name, help string, read func() float64) {
	m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, read))
}

type statementsKey struct{}

// WithStatementCounter returns a context whose SQL statements are counted
// (by a driver wrapped with CountStatements) into the returned counter.
func WithStatementCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, statementsKey{}, n), n
}

// CountStatements wraps an ent driver so statements sent under a context
// from WithStatementCounter are counted, transactions included.
func CountStatements(drv dialect.Driver) dialect.Driver {
	return sqlhook.Wrap(drv, func(ctx context.Context, rt sqlhook.RoundTrip, do func(context.Context) error) error {
		if n, ok := ctx.Value(statementsKey{}).(*atomic.Int64); ok && rt.Statement() {
			n.Add(1)
		}
		return do(ctx)
	})
}
