package broker

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// Channel is the PostgreSQL notification channel that committed changes are
// announced on; the payload is a sequence number, as decimal text.
const Channel = "usergroups_changes"

// notifySQL announces a commit. The payload is the highest id visible to the
// transaction rather than the exact ids it inserted: ent reads those from
// RETURNING rows its caller consumes, out of the wrapper's sight. The payload
// is only a hint (listeners read the log itself), so an upper bound will do,
// and max over the primary key is one index probe.
const notifySQL = `SELECT pg_notify('` + Channel + `', (SELECT COALESCE(max("id"), 0) FROM "changes")::text)`

// WrapDriver returns a driver wrapper for store.Options.WrapDriver that
// announces every commit which appended to the change log: on PostgreSQL a
// NOTIFY sent inside the committing transaction, and on every dialect a call
// to poke after the commit succeeded. poke must not block (Broker.Poke does
// not); name is the store dialect ("postgres" or "sqlite3").
func WrapDriver(name string, poke func()) func(dialect.Driver) dialect.Driver {
	return func(drv dialect.Driver) dialect.Driver {
		pg := name == dialect.Postgres
		if name == "" {
			pg = drv.Dialect() == dialect.Postgres
		}
		if poke == nil {
			poke = func() {}
		}
		return &notifyingDriver{Driver: drv, pg: pg, poke: poke}
	}
}

// insertsChange reports whether query appends to the change log. ent quotes
// identifiers with double quotes on PostgreSQL and backquotes on SQLite.
func insertsChange(query string) bool {
	q := strings.TrimLeftFunc(query, unicode.IsSpace)
	return strings.HasPrefix(q, `INSERT INTO "changes"`) || strings.HasPrefix(q, "INSERT INTO `changes`")
}

type notifyingDriver struct {
	dialect.Driver
	pg   bool
	poke func()
}

// Exec forwards a statement; an autocommitted insert into the change log is
// announced once it has returned, i.e. committed.
func (d *notifyingDriver) Exec(ctx context.Context, query string, args, v any) error {
	if err := d.Driver.Exec(ctx, query, args, v); err != nil {
		return err
	}
	if insertsChange(query) {
		d.announce(ctx)
	}
	return nil
}

// Query forwards a query. An autocommitted INSERT ... RETURNING commits only
// once its rows are read and closed, so the announcement waits for Close:
// announcing earlier could wake readers before the row is visible.
func (d *notifyingDriver) Query(ctx context.Context, query string, args, v any) error {
	if err := d.Driver.Query(ctx, query, args, v); err != nil {
		return err
	}
	if !insertsChange(query) {
		return nil
	}
	rows, ok := v.(*entsql.Rows)
	if !ok || rows.ColumnScanner == nil {
		d.announce(ctx)
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	rows.ColumnScanner = &announcingRows{ColumnScanner: rows.ColumnScanner, announce: func() { d.announce(ctx) }}
	return nil
}

// announce tells listeners about a change that is already committed. A
// failed NOTIFY is not an error for the caller: the write has happened, and
// every broker polls the log anyway.
func (d *notifyingDriver) announce(ctx context.Context) {
	if d.pg {
		_ = d.Driver.Exec(ctx, notifySQL, []any{}, nil)
	}
	d.poke()
}

// Tx opens a transaction that announces its commit if it appended changes.
func (d *notifyingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &notifyingTx{Tx: tx, d: d}, nil
}

// BeginTx is Tx with options; ent's Client.BeginTx requires the driver to
// have it, so the wrapper must not hide it.
func (d *notifyingDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, errors.New("broker: wrapped driver does not support BeginTx")
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &notifyingTx{Tx: tx, d: d}, nil
}

type notifyingTx struct {
	dialect.Tx
	d *notifyingDriver
	// appended is atomic because nothing stops a caller from sharing an
	// ent transaction between goroutines.
	appended atomic.Bool
}

func (t *notifyingTx) Exec(ctx context.Context, query string, args, v any) error {
	err := t.Tx.Exec(ctx, query, args, v)
	if err == nil && insertsChange(query) {
		t.appended.Store(true)
	}
	return err
}

func (t *notifyingTx) Query(ctx context.Context, query string, args, v any) error {
	err := t.Tx.Query(ctx, query, args, v)
	if err == nil && insertsChange(query) {
		t.appended.Store(true)
	}
	return err
}

// Commit sends the NOTIFY as the transaction's last statement: PostgreSQL
// delivers it only if the COMMIT succeeds, so a rolled-back transaction
// notifies nobody. The poke follows the commit, when the rows are visible.
func (t *notifyingTx) Commit() error {
	if !t.appended.Load() {
		return t.Tx.Commit()
	}
	if t.d.pg {
		// Commit has no context; the transaction's own context still
		// aborts it if cancelled.
		if err := t.Tx.Exec(context.Background(), notifySQL, []any{}, nil); err != nil {
			// A failed statement aborts a PostgreSQL transaction, so the
			// commit could not succeed any more.
			return errors.Join(err, t.Tx.Rollback())
		}
	}
	if err := t.Tx.Commit(); err != nil {
		return err
	}
	t.d.poke()
	return nil
}

// announcingRows runs announce once, after the rows are closed.
type announcingRows struct {
	entsql.ColumnScanner
	once     sync.Once
	announce func()
}

func (r *announcingRows) Close() error {
	err := r.ColumnScanner.Close()
	if err == nil {
		r.once.Do(r.announce)
	}
	return err
}
