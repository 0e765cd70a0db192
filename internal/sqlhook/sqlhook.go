// Package sqlhook wraps an ent driver so that one function sees every round
// trip to the database (statements, BEGIN, COMMIT, ROLLBACK), inside
// transactions too: statement counts and SQL tracing are hooks on it, and
// nothing else re-implements ent's driver and transaction interfaces.
package sqlhook

import (
	"context"
	"database/sql"
	"errors"

	"entgo.io/ent/dialect"
)

// Kind is what a round trip does.
type Kind uint8

// The kinds of round trip.
const (
	Exec Kind = iota + 1
	Query
	Begin
	Commit
	Rollback
)

// String is the kind's SQL keyword (BEGIN, COMMIT, ROLLBACK) or its ent
// method (Exec, Query).
func (k Kind) String() string {
	switch k {
	case Exec:
		return "Exec"
	case Query:
		return "Query"
	case Begin:
		return "BEGIN"
	case Commit:
		return "COMMIT"
	case Rollback:
		return "ROLLBACK"
	}
	return "Kind(?)"
}

// RoundTrip is one call to the database that a hook intercepts.
type RoundTrip struct {
	Kind Kind
	// Query is a statement's text, with placeholders for its arguments;
	// for Begin, Commit and Rollback it is their keyword.
	Query string
}

// Statement reports whether the round trip is a statement (Exec or Query)
// rather than a transaction's BEGIN, COMMIT or ROLLBACK.
func (rt RoundTrip) Statement() bool { return rt.Kind == Exec || rt.Kind == Query }

// Hook intercepts a round trip: it calls do once, with ctx or a context
// derived from it, and returns its error (or one of its own). For Commit and
// Rollback, which take no context, ctx is the one the transaction began in
// and do ignores the context it is given.
type Hook func(ctx context.Context, rt RoundTrip, do func(context.Context) error) error

// Driver is an ent driver whose round trips go through a hook. It keeps
// BeginTx (ent's Client.BeginTx requires it, and a query's read-only
// snapshot asks for it), so wrapping never loses transaction options.
type Driver struct {
	dialect.Driver
	hook Hook
}

// Wrap returns d with every round trip, and every round trip of the
// transactions it begins, passed through h. Wrappers compose: in
// Wrap(Wrap(d, inner), outer), outer sees a round trip first.
func Wrap(d dialect.Driver, h Hook) *Driver { return &Driver{Driver: d, hook: h} }

// Exec runs a statement through the hook.
func (d *Driver) Exec(ctx context.Context, query string, args, v any) error {
	return d.hook(ctx, RoundTrip{Kind: Exec, Query: query}, func(ctx context.Context) error {
		return d.Driver.Exec(ctx, query, args, v)
	})
}

// Query runs a query through the hook.
func (d *Driver) Query(ctx context.Context, query string, args, v any) error {
	return d.hook(ctx, RoundTrip{Kind: Query, Query: query}, func(ctx context.Context) error {
		return d.Driver.Query(ctx, query, args, v)
	})
}

// Tx begins a transaction whose round trips go through the hook too.
func (d *Driver) Tx(ctx context.Context) (dialect.Tx, error) {
	return d.begin(ctx, d.Driver.Tx)
}

// BeginTx is Tx with options, handed to the wrapped driver when it takes
// them; one that does not (no ent SQL driver) begins a plain transaction.
func (d *Driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	return d.begin(ctx, func(ctx context.Context) (dialect.Tx, error) { return b.BeginTx(ctx, opts) })
}

// begin runs BEGIN through the hook and wraps the transaction it opened.
func (d *Driver) begin(ctx context.Context, open func(context.Context) (dialect.Tx, error)) (dialect.Tx, error) {
	var tx dialect.Tx
	err := d.hook(ctx, RoundTrip{Kind: Begin, Query: Begin.String()}, func(ctx context.Context) error {
		var err error
		tx, err = open(ctx)
		return err
	})
	switch {
	case err != nil && tx != nil:
		// The hook refused a transaction that had begun: end it rather
		// than leave it holding a connection.
		return nil, errors.Join(err, tx.Rollback())
	case err != nil:
		return nil, err
	case tx == nil:
		return nil, errors.New("sqlhook: the hook did not begin the transaction")
	}
	return &hookedTx{Tx: tx, hook: d.hook, ctx: ctx}, nil
}

// hookedTx is a transaction whose round trips go through the hook; ctx is
// the one it began in, for COMMIT and ROLLBACK, which take none.
type hookedTx struct {
	dialect.Tx
	hook Hook
	ctx  context.Context
}

func (t *hookedTx) Exec(ctx context.Context, query string, args, v any) error {
	return t.hook(ctx, RoundTrip{Kind: Exec, Query: query}, func(ctx context.Context) error {
		return t.Tx.Exec(ctx, query, args, v)
	})
}

func (t *hookedTx) Query(ctx context.Context, query string, args, v any) error {
	return t.hook(ctx, RoundTrip{Kind: Query, Query: query}, func(ctx context.Context) error {
		return t.Tx.Query(ctx, query, args, v)
	})
}

func (t *hookedTx) Commit() error {
	return t.hook(t.ctx, RoundTrip{Kind: Commit, Query: Commit.String()}, func(context.Context) error { return t.Tx.Commit() })
}

func (t *hookedTx) Rollback() error {
	return t.hook(t.ctx, RoundTrip{Kind: Rollback, Query: Rollback.String()}, func(context.Context) error { return t.Tx.Rollback() })
}
