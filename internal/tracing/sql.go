package tracing

import (
	"context"
	"database/sql"
	"strings"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// MaxStatement is how much of a statement's text a span keeps: ent's
// IN lists can hold thousands of placeholders.
const MaxStatement = 4096

// SQL returns a wrapper of ent drivers whose statements become spans
// (db.system, db.statement with its placeholders, never the values bound
// to them), children of the span in their context. A statement made
// outside a recorded span (the change broker's polling, River's own
// queries) makes none, so only the work of a traced operation or job is
// traced. With tracing off the wrapper returns the driver itself.
func SQL(tp trace.TracerProvider) func(dialect.Driver) dialect.Driver {
	if !Enabled(tp) {
		return func(d dialect.Driver) dialect.Driver { return d }
	}
	tr := tracer(tp)
	return func(d dialect.Driver) dialect.Driver {
		return &sqlDriver{Driver: d, s: statements{tr: tr, system: attribute.String("db.system", system(d.Dialect()))}}
	}
}

// system is the db.system of an ent dialect.
func system(name string) string {
	switch name {
	case dialect.SQLite:
		return "sqlite"
	case dialect.Postgres:
		return "postgresql"
	}
	return strings.ToLower(name)
}

// statements starts the spans of one driver's statements.
type statements struct {
	tr     trace.Tracer
	system attribute.KeyValue
}

// run runs one statement in a span of its own when ctx has a recording span.
func (s statements) run(ctx context.Context, query string, do func(context.Context) error) error {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return do(ctx)
	}
	ctx, span := s.tr.Start(ctx, verb(query), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(s.system, attribute.String("db.statement", statement(query))))
	err := do(ctx)
	endWith(span, err)
	return err
}

// verb names a statement's span by its first keyword (SELECT, INSERT…):
// low cardinality, as span names should be.
func verb(query string) string {
	q := strings.TrimLeft(query, " \t\r\n(")
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		end = len(q)
	}
	if end == 0 || end > 16 {
		return "SQL"
	}
	return strings.ToUpper(q[:end])
}

// statement is the text a span records: ent's statements carry every value
// as a bound argument, so the text holds placeholders only.
func statement(query string) string {
	if len(query) <= MaxStatement {
		return query
	}
	return query[:MaxStatement] + "…"
}

// endWith ends span, marked as failed by err without its text: a
// database error can quote the values it was given.
func endWith(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, "the statement failed")
	}
	span.End()
}

type sqlDriver struct {
	dialect.Driver
	s statements
}

func (d *sqlDriver) Exec(ctx context.Context, query string, args, v any) error {
	return d.s.run(ctx, query, func(ctx context.Context) error { return d.Driver.Exec(ctx, query, args, v) })
}

func (d *sqlDriver) Query(ctx context.Context, query string, args, v any) error {
	return d.s.run(ctx, query, func(ctx context.Context) error { return d.Driver.Query(ctx, query, args, v) })
}

func (d *sqlDriver) Tx(ctx context.Context) (dialect.Tx, error) { return d.BeginTx(ctx, nil) }

// BeginTx keeps ent's Client.BeginTx (a query's read-only snapshot)
// working through the wrapper; the transaction's BEGIN, COMMIT and
// ROLLBACK are spans too, since each is a round trip (COMMIT the one that
// waits for the disk).
func (d *sqlDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	var tx dialect.Tx
	err := d.s.run(ctx, "BEGIN", func(ctx context.Context) error {
		var err error
		if b, ok := d.Driver.(interface {
			BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
		}); ok {
			tx, err = b.BeginTx(ctx, opts)
		} else {
			tx, err = d.Driver.Tx(ctx)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &sqlTx{Tx: tx, s: d.s, ctx: ctx}, nil
}

// sqlTx is a transaction whose statements are spans; ctx is the one it
// began in, for COMMIT and ROLLBACK, which take none.
type sqlTx struct {
	dialect.Tx
	s   statements
	ctx context.Context
}

func (t *sqlTx) Exec(ctx context.Context, query string, args, v any) error {
	return t.s.run(ctx, query, func(ctx context.Context) error { return t.Tx.Exec(ctx, query, args, v) })
}

func (t *sqlTx) Query(ctx context.Context, query string, args, v any) error {
	return t.s.run(ctx, query, func(ctx context.Context) error { return t.Tx.Query(ctx, query, args, v) })
}

func (t *sqlTx) Commit() error {
	return t.s.run(t.ctx, "COMMIT", func(context.Context) error { return t.Tx.Commit() })
}

func (t *sqlTx) Rollback() error {
	return t.s.run(t.ctx, "ROLLBACK", func(context.Context) error { return t.Tx.Rollback() })
}
