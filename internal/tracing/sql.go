package tracing

import (
	"context"
	"strings"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/usergroups/usergroups/internal/sqlhook"
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
		return sqlhook.Wrap(d, statements{tr: tr, system: attribute.String("db.system", system(d.Dialect()))}.run)
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

// run runs one round trip in a span of its own when ctx has a recording
// span. A transaction's BEGIN, COMMIT and ROLLBACK are spans too, since
// each is a round trip (COMMIT the one that waits for the disk).
func (s statements) run(ctx context.Context, rt sqlhook.RoundTrip, do func(context.Context) error) error {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return do(ctx)
	}
	ctx, span := s.tr.Start(ctx, verb(rt.Query), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(s.system, attribute.String("db.statement", statement(rt.Query))))
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
