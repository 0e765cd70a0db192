package tracing

import (
	"context"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/usergroups/usergroups/internal/limits"
)

// Unnamed is the name of an operation the document leaves unnamed, in
// span names and attributes (the logs' and metrics' word for it).
const Unnamed = "unnamed"

// The attributes of an operation's span.
const (
	attrType     = "graphql.operation.type"
	attrName     = "graphql.operation.name"
	attrCost     = "graphql.operation.cost"
	attrOutcome  = "graphql.outcome"
	attrCodes    = "graphql.error.codes"
	attrDelivery = "graphql.subscription.delivery"
	attrShared   = "graphql.subscription.shared"
	attrMembers  = "graphql.subscription.members"
	outcomeOK    = "ok"
)

// Operations is the gqlgen extension that runs each query and mutation
// in a span "<type> <name>" (its type, name, cost and outcome: ok or its
// errors' extensions.code), over HTTP and websockets alike, and records
// an operation refused before it ran (a document that does not parse,
// validate or fit the limits) as a span of its own. Subscriptions are the
// websocket transport's (Subscribe). Nil when tracing is off: install
// nothing.
func Operations(tp trace.TracerProvider) graphql.HandlerExtension {
	if !Enabled(tp) {
		return nil
	}
	return operations{tr: tracer(tp)}
}

type operations struct{ tr trace.Tracer }

var _ interface {
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = operations{}

// tracedKey marks the context of an operation that has its span, so that
// InterceptResponse leaves its responses alone.
type tracedKey struct{}

func (operations) ExtensionName() string                   { return "Tracing" }
func (operations) Validate(graphql.ExecutableSchema) error { return nil }

func (o operations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	ctx = context.WithValue(ctx, tracedKey{}, true)
	if oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	ctx, span := StartOperation(ctx, o.tr, oc, oc.Stats.OperationStart)
	handler := next(ctx)
	done := false
	return func(ctx context.Context) *graphql.Response {
		resp := handler(ctx)
		if !done {
			done = true
			var errs gqlerror.List
			if resp != nil {
				errs = resp.Errors
			}
			EndOperation(span, errs)
		}
		return resp
	}
}

// InterceptResponse records the answer to an operation that never ran.
func (o operations) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || ctx.Value(tracedKey{}) != nil {
		return resp
	}
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
	}
	start := time.Now()
	if oc != nil && !oc.Stats.OperationStart.IsZero() {
		start = oc.Stats.OperationStart
	}
	_, span := StartOperation(ctx, o.tr, oc, start)
	span.SetAttributes(attribute.Bool("graphql.refused", true))
	EndOperation(span, resp.Errors)
	return resp
}

// StartOperation starts the span of operation oc at start: its name is
// "<type> <name>", and its attributes the operation's type, name and cost
// (limits computed it while validating). Variables are never recorded.
func StartOperation(ctx context.Context, tr trace.Tracer, oc *graphql.OperationContext, start time.Time) (context.Context, trace.Span) {
	typ, name := describe(oc)
	attrs := []attribute.KeyValue{attribute.String(attrType, typ), attribute.String(attrName, name)}
	if cost, ok := limits.CostOf(oc); ok {
		attrs = append(attrs, attribute.Int64(attrCost, cost))
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...)}
	if !start.IsZero() {
		opts = append(opts, trace.WithTimestamp(start))
	}
	return tr.Start(ctx, typ+" "+name, opts...)
}

// describe is oc's type ("unknown" for a document that did not parse) and
// name: the document's, else the one asked for, else Unnamed.
func describe(oc *graphql.OperationContext) (typ, name string) {
	typ, name = "unknown", Unnamed
	if oc == nil {
		return typ, name
	}
	if oc.Operation != nil {
		typ = string(oc.Operation.Operation)
		if oc.Operation.Name != "" {
			name = oc.Operation.Name
		}
	} else if oc.OperationName != "" {
		name = oc.OperationName
	}
	return typ, name
}

// EndOperation records the outcome of errs on span and ends it: "ok", or
// the errors' extensions.code values (their messages are not recorded:
// one can quote a variable).
func EndOperation(span trace.Span, errs gqlerror.List) {
	setOutcome(span, errs)
	span.End()
}

// setOutcome records errs' outcome on span.
func setOutcome(span trace.Span, errs gqlerror.List) {
	if len(errs) == 0 {
		span.SetAttributes(attribute.String(attrOutcome, outcomeOK))
		return
	}
	codeList := make([]string, 0, len(errs))
	for _, e := range errs {
		c, _ := e.Extensions["code"].(string)
		if c == "" {
			c = "ERROR"
		}
		dup := false
		for _, seen := range codeList {
			dup = dup || seen == c
		}
		if !dup {
			codeList = append(codeList, c)
		}
	}
	span.SetAttributes(attribute.String(attrOutcome, strings.Join(codeList, ",")), attribute.StringSlice(attrCodes, codeList))
	span.SetStatus(codes.Error, codeList[0])
}

// Subscriptions traces the subscriptions of a websocket transport: a
// subscribe is a span that ends once the subscription has started (it
// may then run for hours), and each response it delivers is a short span
// of its own, the subscribe's child. The zero value traces nothing.
type Subscriptions struct{ tr trace.Tracer }

// NewSubscriptions returns the subscriptions' tracer of tp; the zero
// value when tracing is off.
func NewSubscriptions(tp trace.TracerProvider) Subscriptions {
	if !Enabled(tp) {
		return Subscriptions{}
	}
	return Subscriptions{tr: tracer(tp)}
}

// Subscribe starts the span of subscribing to oc, received at start; with
// tracing off it returns ctx and nil.
func (s Subscriptions) Subscribe(ctx context.Context, oc *graphql.OperationContext, start time.Time) (context.Context, trace.Span) {
	if s.tr == nil {
		return ctx, nil
	}
	return StartOperation(ctx, s.tr, oc, start)
}

// Subscribed ends a subscribe's span (nil: not traced); shared tells that
// the subscription joined an execution other subscribers share.
func (s Subscriptions) Subscribed(span trace.Span, shared bool) {
	if span == nil {
		return
	}
	span.SetAttributes(attribute.Bool(attrShared, shared))
	EndOperation(span, nil)
}

// Delivery starts the span of delivering resp, the n-th response of the
// subscription whose subscribe span is in ctx; Delivered ends it once the
// response is queued to its sockets. With tracing off it returns nil.
func (s Subscriptions) Delivery(ctx context.Context, oc *graphql.OperationContext, resp *graphql.Response, n int64) trace.Span {
	if s.tr == nil {
		return nil
	}
	_, name := describe(oc)
	_, span := s.tr.Start(ctx, "subscription "+name+" delivery", trace.WithAttributes(
		attribute.String(attrType, "subscription"), attribute.String(attrName, name), attribute.Int64(attrDelivery, n)))
	var errs gqlerror.List
	if resp != nil {
		errs = resp.Errors
	}
	setOutcome(span, errs)
	return span
}

// Delivered ends a delivery's span (nil: not traced): the response went
// to members subscribers, more than one for a shared execution.
func (Subscriptions) Delivered(span trace.Span, members int) {
	if span == nil {
		return
	}
	span.SetAttributes(attribute.Int(attrMembers, members))
	span.End()
}
