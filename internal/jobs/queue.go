package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/trace"

	"github.com/usergroups/usergroups/internal/tracing"
)

// Config is how one replica works the queue.
type Config struct {
	// DB is the database the jobs live in, of Dialect (ent's dialect name).
	DB      *sql.DB
	Dialect string
	// ListenDSN, on PostgreSQL, opens a small pgx pool for LISTEN, so a
	// committed job starts at once; empty polls every PollInterval.
	ListenDSN string
	// Workers work the job kinds; Periodic are the sweeps the elected
	// leader among the replicas inserts on their schedule.
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	Logger   *slog.Logger
	// PollInterval is how often an idle replica looks for due jobs
	// (default one second).
	PollInterval time.Duration
	// RescueAfter is how long a running job may go without finishing before
	// another replica takes it over, as when its replica was killed
	// (default one hour, River's).
	RescueAfter time.Duration
	// MaxWorkers caps the jobs one replica runs at once (default 4).
	MaxWorkers int
	// Failed, if set, is told the kind of each failed attempt (metrics).
	Failed func(kind string)
	// TracerProvider, if it traces, runs each attempt in a span, in the
	// trace of the request that queued the job (tracing.Jobs).
	TracerProvider trace.TracerProvider
}

// Queue works jobs on one replica; every replica may run one.
type Queue struct {
	client *river.Client[*sql.Tx]
	pool   *pgxpool.Pool
}

// Open builds the replica's queue client; Start runs it.
func Open(cfg Config) (*Queue, error) {
	q := &Queue{}
	var drv riverdriver.Driver[*sql.Tx]
	switch {
	case cfg.Dialect == dialect.SQLite:
		drv = riversqlite.New(cfg.DB)
	case cfg.ListenDSN != "":
		pcfg, err := pgxpool.ParseConfig(cfg.ListenDSN)
		if err != nil {
			return nil, fmt.Errorf("jobs: listener pool: %w", err)
		}
		pcfg.MinConns, pcfg.MaxConns = 0, 1
		if q.pool, err = pgxpool.NewWithConfig(context.Background(), pcfg); err != nil {
			return nil, fmt.Errorf("jobs: listener pool: %w", err)
		}
		drv = riverdatabasesql.NewWithPgxListener(cfg.DB, q.pool)
	default:
		drv = riverdatabasesql.New(cfg.DB)
	}
	workers := cfg.MaxWorkers
	if workers == 0 {
		workers = 4
	}
	rc := &river.Config{
		Logger:               cfg.Logger,
		Workers:              cfg.Workers,
		PeriodicJobs:         cfg.Periodic,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		FetchPollInterval:    cfg.PollInterval,
		RescueStuckJobsAfter: cfg.RescueAfter,
		PollOnly:             cfg.Dialect == dialect.SQLite || cfg.ListenDSN == "",
	}
	if cfg.RescueAfter > 0 && cfg.RescueAfter < river.JobTimeoutDefault {
		// River rescues only jobs past their timeout.
		rc.JobTimeout = cfg.RescueAfter
	}
	if cfg.PollInterval > 0 && cfg.PollInterval < river.FetchCooldownDefault {
		rc.FetchCooldown = cfg.PollInterval
	}
	if cfg.Failed != nil {
		rc.ErrorHandler = countFailures(cfg.Failed)
	}
	if mw := tracing.Jobs(cfg.TracerProvider); mw != nil {
		rc.Middleware = []rivertype.Middleware{mw}
	}
	c, err := river.NewClient(drv, rc)
	if err != nil {
		q.close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	q.client = c
	return q, nil
}

// Start starts working jobs; it returns once the client runs.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish (until ctx ends) and releases the
// listener pool.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	q.close()
	return err
}

func (q *Queue) close() {
	if q.pool != nil {
		q.pool.Close()
	}
}

// Client is the River client, for tests and tools that wait on its events.
func (q *Queue) Client() *river.Client[*sql.Tx] { return q.client }

// countFailures reports each failed attempt and leaves River's retry
// schedule as it is.
type countFailures func(kind string)

func (f countFailures) HandleError(_ context.Context, job *rivertype.JobRow, _ error) *river.ErrorHandlerResult {
	f(job.Kind)
	return nil
}

func (f countFailures) HandlePanic(_ context.Context, job *rivertype.JobRow, _ any, _ string) *river.ErrorHandlerResult {
	f(job.Kind)
	return nil
}

// Depth counts the jobs in each state, for /metrics: one grouped statement.
func Depth(ctx context.Context, db *sql.DB) (map[string]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT state, COUNT(*) FROM river_job GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("jobs: counting: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			state string
			n     int
		)
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		out[state] = n
	}
	return out, errors.Join(rows.Err(), rows.Close())
}
