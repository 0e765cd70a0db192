package workflow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Runner runs the workflow steps. It is the one owner of their
// transactions — it begins, commits and rolls back — and of their clock,
// and the only holder of the capability to write: a step's body gets a
// context with it (authz.Permit), for the step's transaction only.
type Runner struct {
	client *ent.Client
	now    func() time.Time
	jobs   *jobs.Inserter
	// jobsErr is why the inserter could not be built; a unit that queued
	// a job fails with it rather than lose the job.
	jobsErr error
	// webhooksAllowPrivate lets webhook endpoints use http and internal
	// addresses (SetWebhooksAllowPrivate).
	webhooksAllowPrivate bool
}

// NewRunner returns the runner of steps over client, taken at the times now
// gives (time.Now when nil).
func NewRunner(client *ent.Client, now func() time.Time) *Runner {
	if now == nil {
		now = time.Now
	}
	ins, err := jobs.NewInserter()
	return &Runner{client: client, now: now, jobs: ins, jobsErr: err}
}

// Now is the time on the runner's clock.
func (r *Runner) Now() time.Time { return r.now() }

// Client is the client reads outside a step go through.
func (r *Runner) Client() *ent.Client { return r.client }

// unit is a transaction several steps join: a GraphQL mutation field with
// its payload, or one step that calls another.
type unit struct {
	tx *ent.Tx
	// read is set on a Read: a snapshot for a query, where no step runs.
	read bool
	// failed is set when a step inside the unit failed: the unit is then
	// rolled back even if its caller carried on (a refusal shown as data).
	failed bool
	// answered is set by Answered: the caller showed the failure to its
	// client as data, so Unit reports ErrAnswered rather than a failure
	// the caller ignored.
	answered bool
}

type unitKey struct{}

// StepError is a step's failure, named after the step. It wraps the
// cause, so a refusal keeps its code for the error presenter.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }

func (e *StepError) Unwrap() error { return e.Err }

// Unit runs fn in one transaction that every step fn takes joins, so what
// fn reads after a step (a mutation's payload) sees the step's writes. It
// commits when fn returns nil and no step inside failed, and rolls back
// otherwise; fn's context carries the transaction's client for reads.
func (r *Runner) Unit(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(unitKey{}).(*unit); ok {
		return fn(ctx)
	}
	ctx, captured := jobs.WithTx(ctx)
	tx, err := r.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("beginning a transaction: %w", err)
	}
	ctx, batch := jobs.WithBatch(ctx)
	// The change rows of webhook topics the unit writes are collected, so
	// one fan-out job for all of them commits with them.
	ctx, written := changelog.Collect(ctx, WebhookTopics...)
	u := &unit{tx: tx}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	uctx := context.WithValue(ent.NewContext(ctx, tx.Client()), unitKey{}, u)
	err = fn(uctx)
	if err == nil && u.failed {
		err = errUnitFailed
		if u.answered {
			err = errAnswered
		}
	}
	if err == nil {
		err = queueWebhookFanOut(uctx, tx.Client(), written)
	}
	if err == nil {
		err = r.insertJobs(ctx, captured, batch)
	}
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("rolling back: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// insertJobs inserts the background jobs the unit queued, in its
// transaction, so they commit with the change that caused them.
func (r *Runner) insertJobs(ctx context.Context, tx *jobs.Tx, b *jobs.Batch) error {
	params := b.Take()
	if len(params) == 0 {
		return nil
	}
	if r.jobsErr != nil {
		return r.jobsErr
	}
	return r.jobs.InsertTx(ctx, tx, params)
}

// Read runs fn in one read-only transaction, so that every read fn makes
// through the client its context carries sees one snapshot of the
// database: what the query reflects is one state, the state its first
// statement saw. On PostgreSQL it is REPEATABLE READ, whose snapshot is
// taken by the first statement and kept to the end (READ COMMITTED takes
// one per statement); on SQLite it is a deferred transaction, whose first
// read starts a snapshot that WAL keeps until it ends (a writer commits
// meanwhile without waiting for it). No step may run inside (a read-only
// transaction refuses writes), and like a unit its one connection is used
// by one goroutine at a time (InUnit is true). Inside a unit fn runs in it.
func (r *Runner) Read(ctx context.Context, fn func(ctx context.Context) error) error {
	if InUnit(ctx) {
		return fn(ctx)
	}
	// Captured so that staff's reads of the job queue see the same snapshot.
	ctx, _ = jobs.WithTx(ctx)
	tx, err := r.client.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning a read: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	err = fn(context.WithValue(ent.NewContext(ctx, tx.Client()), unitKey{}, &unit{tx: tx, read: true}))
	// Nothing was written: ending it either way only releases the snapshot.
	if rerr := tx.Rollback(); err == nil && rerr != nil && ctx.Err() == nil {
		return fmt.Errorf("ending a read: %w", rerr)
	}
	return err
}

// errStepInRead refuses a step inside a Read: a query changes nothing.
var errStepInRead = errors.New("workflow: a step cannot run inside a read (a query)")

// errUnitFailed is Unit's answer when fn reported success after a step of
// it failed: nothing was saved.
var errUnitFailed = errors.New("workflow: a step of this unit failed, nothing was saved")

// ErrUnitFailed tells whether err is Unit refusing to commit a unit whose
// step failed although its caller carried on.
func ErrUnitFailed(err error) bool { return errors.Is(err, errUnitFailed) }

// errAnswered is Unit's answer when a step failed and its caller answered
// the failure as data (Answered): rolled back, nothing for the caller to add.
var errAnswered = errors.New("workflow: a step of this unit was refused and the refusal answered, nothing was saved")

// ErrAnswered tells whether err is Unit rolling back a unit whose failed
// step its caller answered with Answered: the caller's result stands.
func ErrAnswered(err error) bool { return errors.Is(err, errAnswered) }

// Answered records that the caller of ctx's unit showed a failed step's
// error to its client as data (a mutation's userErrors): the unit is still
// rolled back, and Unit returns an error ErrAnswered recognises. Outside a
// unit it does nothing.
func Answered(ctx context.Context) {
	if u, ok := ctx.Value(unitKey{}).(*unit); ok {
		u.answered = true
	}
}

// run runs one step named name: fn gets the capability to write, the
// client of the step's transaction and the time the step is taken at. A
// step inside a Unit joins its transaction; otherwise it has its own.
func run[T any](ctx context.Context, r *Runner, name string, fn func(ctx context.Context, c *ent.Client, now time.Time) (T, error)) (T, error) {
	var out T
	err := r.Unit(ctx, func(ctx context.Context) error {
		u := ctx.Value(unitKey{}).(*unit)
		if u.read {
			return &StepError{Step: name, Err: errStepInRead}
		}
		var err error
		out, err = fn(authz.Permit(ctx, name), u.tx.Client(), r.now())
		if err != nil {
			u.failed = true
			var se *StepError
			if !errors.As(err, &se) {
				err = &StepError{Step: name, Err: err}
			}
		}
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// act is run for a step a person takes: it refuses anonymous viewers and
// tokens without the write scope before anything is read, and hands fn the
// acting viewer.
func act[T any](ctx context.Context, r *Runner, name string, fn func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (T, error)) (T, error) {
	v, err := requireWriter(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return run(ctx, r, name, func(ctx context.Context, c *ent.Client, now time.Time) (T, error) {
		return fn(ctx, c, v, now)
	})
}

// Import runs fn as one step on behalf of the system: the demo data, test
// fixtures, a bulk load from the command line. fn's writes pass no process
// rule, so only the system viewer may run it.
func (r *Runner) Import(ctx context.Context, name string, fn func(ctx context.Context, c *ent.Client) error) error {
	if !viewer.FromContext(ctx).IsSystem() {
		return apierror.Forbiddenf("only the system imports data")
	}
	_, err := run(ctx, r, "import "+name, func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
		return struct{}{}, fn(ctx, c)
	})
	return err
}

// InUnit tells whether ctx runs inside a unit. Its transaction is one
// database connection, which one goroutine at a time may use: code that
// would fan reads out over goroutines runs them one by one there.
func InUnit(ctx context.Context) bool {
	_, ok := ctx.Value(unitKey{}).(*unit)
	return ok
}
