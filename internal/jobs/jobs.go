// Package jobs is the one queue of background work: River's job tables in
// our database, jobs inserted in the transaction of the change that causes
// them (an approval and its letter commit together or not at all), and a
// queue client per replica that works them, periodic sweeps included.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/usergroups/usergroups/internal/tracing"
)

// ErrNoBatch refuses a job queued outside a unit of work: background work is
// only ever caused by a change, and commits with it.
var ErrNoBatch = errors.New("jobs: a job can only be queued inside a workflow unit (its transaction inserts it)")

// Batch collects the jobs one transaction queues; they are inserted in that
// transaction just before it commits.
type Batch struct {
	mu     sync.Mutex
	params []river.InsertManyParams
}

type batchKey struct{}

// WithBatch returns a context whose Add calls collect into the returned batch.
func WithBatch(ctx context.Context) (context.Context, *Batch) {
	b := &Batch{}
	return context.WithValue(ctx, batchKey{}, b), b
}

// Add queues args (with opts, which may be nil) in the batch of ctx's unit.
// The job carries the trace context of ctx's span, if any, so that its run
// continues the trace of the request that caused it.
func Add(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	b, ok := ctx.Value(batchKey{}).(*Batch)
	if !ok {
		return ErrNoBatch
	}
	opts, err := tracing.CarryToJob(ctx, scope(args, opts))
	if err != nil {
		return fmt.Errorf("jobs: %s's metadata: %w", args.Kind(), err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.params = append(b.params, river.InsertManyParams{Args: args, InsertOpts: opts})
	return nil
}

// Take returns the jobs collected so far and empties the batch.
func (b *Batch) Take() []river.InsertManyParams {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.params
	b.params = nil
	return p
}

// Tx is the database/sql transaction under an ent transaction, which River
// inserts into. CaptureTx fills it when the transaction begins.
type Tx struct {
	SQL     *sql.Tx
	Dialect string
}

type txKey struct{}

// WithTx returns a context in which the driver wrapped by CaptureTx records
// the transaction it begins into the returned Tx.
func WithTx(ctx context.Context) (context.Context, *Tx) {
	t := &Tx{}
	return context.WithValue(ctx, txKey{}, t), t
}

// CaptureTx wraps ent's SQL driver so that a transaction begun with a
// context from WithTx is recorded there: ent keeps its *sql.Tx private, and
// River needs it to insert jobs in the same transaction.
func CaptureTx(d *entsql.Driver) dialect.Driver { return capture{d} }

type capture struct{ *entsql.Driver }

func (c capture) Tx(ctx context.Context) (dialect.Tx, error) { return c.BeginTx(ctx, nil) }

func (c capture) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	tx, err := c.Driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if t, ok := ctx.Value(txKey{}).(*Tx); ok {
		if et, ok := tx.(*entsql.Tx); ok {
			if st, ok := et.Tx.(*sql.Tx); ok {
				t.SQL, t.Dialect = st, c.Dialect()
			}
		}
	}
	return tx, nil
}

// Inserter inserts batches into a captured transaction of either dialect,
// whether or not this process works the queue.
type Inserter struct {
	sqlite, postgres *river.Client[*sql.Tx]
}

// NewInserter returns an inserter; its River clients are insert-only.
func NewInserter() (*Inserter, error) {
	lite, err := river.NewClient(riversqlite.New(nil), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("jobs: SQLite inserter: %w", err)
	}
	pg, err := river.NewClient(riverdatabasesql.New(nil), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("jobs: PostgreSQL inserter: %w", err)
	}
	return &Inserter{sqlite: lite, postgres: pg}, nil
}

// InsertTx inserts params in tx; nothing to insert costs nothing.
func (i *Inserter) InsertTx(ctx context.Context, tx *Tx, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if tx == nil || tx.SQL == nil {
		return errors.New("jobs: the transaction was not captured (open the database with store.Open)")
	}
	if _, err := i.client(tx).InsertManyTx(ctx, tx.SQL, params); err != nil {
		return fmt.Errorf("jobs: inserting %d job(s): %w", len(params), err)
	}
	return nil
}

// client is the insert-only client of tx's dialect.
func (i *Inserter) client(tx *Tx) *river.Client[*sql.Tx] {
	if tx.Dialect == dialect.SQLite {
		return i.sqlite
	}
	return i.postgres
}
