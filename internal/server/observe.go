package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/viewer"
)

// observe is the operation log and the metrics of every query and
// mutation: one log line (operation, type, duration, cost, outcome code,
// SQL statements, request id, viewer kind — never variables, which may
// hold private values) and the matching Prometheus series. An operation
// refused before it ran (a document that does not parse or validate, or
// is over a limit) is logged and counted too, by InterceptResponse.
// Subscriptions are long-lived and counted by the websocket transport
// instead.
type observe struct {
	log     *slog.Logger
	metrics *metrics.Metrics
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = observe{}

// observedKey marks a context whose operation InterceptOperation saw, so
// that InterceptResponse leaves its responses alone.
type observedKey struct{}

func (observe) ExtensionName() string                   { return "Observe" }
func (observe) Validate(graphql.ExecutableSchema) error { return nil }
func (o observe) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	ctx = context.WithValue(ctx, observedKey{}, true)
	if oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	ctx, statements := metrics.WithStatementCounter(ctx)
	start := time.Now()
	handler := next(ctx)
	done := false
	return func(ctx context.Context) *graphql.Response {
		resp := handler(ctx)
		if done || resp == nil {
			return resp
		}
		done = true
		d := time.Since(start)
		op := metrics.Operation{Name: operationName(oc), Type: operationType(oc), Code: outcome(resp), Duration: d, Statements: statements.Load()}
		o.metrics.Observe(op)
		level := slog.LevelInfo
		if op.Code == string(apierror.Internal) {
			level = slog.LevelError
		}
		cost, _ := limits.CostOf(oc)
		o.log.Log(ctx, level, "graphql", "operation", op.Name, "type", op.Type, "code", op.Code,
			"duration", d, "statements", op.Statements, "cost", cost,
			"viewer", viewerKind(viewer.FromContext(ctx)), "request_id", apierror.RequestID(ctx))
		return resp
	}
}

// InterceptResponse logs and counts the answers to operations that never
// ran: gqlgen answers a document that does not parse or validate (or that
// a limit refuses) without an operation, so InterceptOperation does not
// see it, and a client's typo would otherwise leave no trace.
func (o observe) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || ctx.Value(observedKey{}) != nil {
		return resp
	}
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
	}
	op := metrics.Operation{Name: operationName(oc), Type: operationType(oc), Code: outcome(resp)}
	if oc != nil && oc.Operation == nil && op.Code == string(errcode.ValidationFailed) {
		// gqlgen keeps no document that failed validation; it parsed
		// within the limits, so parsing it again to name it is cheap.
		if doc, err := parser.ParseQuery(&ast.Source{Input: oc.RawQuery}); err == nil {
			if named := doc.Operations.ForName(oc.OperationName); named != nil {
				op.Type = string(named.Operation)
				if named.Name != "" {
					op.Name = named.Name
				}
			}
		}
	}
	o.metrics.Refused(op)
	o.log.InfoContext(ctx, "graphql refused", "operation", op.Name, "type", op.Type, "code", op.Code,
		"error", firstMessage(resp), "viewer", viewerKind(viewer.FromContext(ctx)), "request_id", apierror.RequestID(ctx))
	return resp
}

// operationName is the operation's name for logs and metrics: the one
// the document gives it (a client need not repeat it as operationName),
// else the one asked for, else metrics.Unnamed — never empty, so an
// unnamed operation is not mistaken for the anonymous viewer.
func operationName(oc *graphql.OperationContext) string {
	switch {
	case oc == nil:
		return metrics.Unnamed
	case oc.Operation != nil && oc.Operation.Name != "":
		return oc.Operation.Name
	case oc.OperationName != "":
		return oc.OperationName
	}
	return metrics.Unnamed
}

// operationType is query, mutation or subscription, or "unknown" for a
// document that did not parse.
func operationType(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil {
		return "unknown"
	}
	return string(oc.Operation.Operation)
}

// outcome is OK or the first error's extensions.code.
func outcome(resp *graphql.Response) string {
	if len(resp.Errors) == 0 {
		return "OK"
	}
	if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
		return c
	}
	return "ERROR"
}

// firstMessage is the first error's message when it is about the
// document ("Cannot query field …"), which says what was wrong with it.
// An error about a variable has a path ("variable.slug") and may quote
// the value, which the log never holds: its message is left out.
func firstMessage(resp *graphql.Response) string {
	if len(resp.Errors) == 0 || len(resp.Errors[0].Path) > 0 {
		return ""
	}
	return resp.Errors[0].Message
}

// viewerKind names who asked, without naming them.
func viewerKind(v *viewer.Viewer) string {
	switch {
	case v.IsSystem():
		return "system"
	case v.Token != nil:
		return "token"
	case v.IsUser():
		return "person"
	}
	return "anonymous"
}
