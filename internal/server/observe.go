package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/viewer"
)

// observe is the operation log and the metrics of every query and
// mutation: one log line (operation, type, duration, cost, outcome code,
// SQL statements, request id, viewer kind — never variables, which may
// hold private values) and the matching Prometheus series. Subscriptions
// are long-lived and counted by the websocket transport instead.
type observe struct {
	log     *slog.Logger
	metrics *metrics.Metrics
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = observe{}

func (observe) ExtensionName() string                   { return "Observe" }
func (observe) Validate(graphql.ExecutableSchema) error { return nil }
func (o observe) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
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
		opType := "unknown"
		if oc.Operation != nil {
			opType = string(oc.Operation.Operation)
		}
		code := "OK"
		if len(resp.Errors) > 0 {
			code = "ERROR"
			if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
				code = c
			}
		}
		o.metrics.Observe(metrics.Operation{Name: oc.OperationName, Type: opType, Code: code, Duration: d, Statements: statements.Load()})
		level := slog.LevelInfo
		if code == string(apierror.Internal) {
			level = slog.LevelError
		}
		cost, _ := limits.CostOf(oc)
		o.log.Log(ctx, level, "graphql", "operation", oc.OperationName, "type", opType, "code", code,
			"duration", d, "statements", statements.Load(), "cost", cost,
			"viewer", viewerKind(viewer.FromContext(ctx)), "request_id", apierror.RequestID(ctx))
		return resp
	}
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
