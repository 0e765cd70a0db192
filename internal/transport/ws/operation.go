package ws

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"
)

// startOperation registers and runs a subscribe (or legacy start).
func (c *conn) startOperation(id string, params *graphql.RawParams) {
	start := graphql.Now()
	c.mu.Lock()
	if old, dup := c.ops[id]; dup {
		if !c.proto.legacy() {
			c.mu.Unlock()
			c.requestClose(CloseSubscriberExists, "Subscriber for "+id+" already exists", false)
			return
		}
		// subscriptions-transport-ws replaces an operation restarted
		// under the same id.
		delete(c.ops, id)
		old.cancel()
	}
	if limit := c.t.cfg.MaxSubscriptionsPerSocket; len(c.ops) >= limit {
		c.mu.Unlock()
		c.t.metrics.SubscriptionsRefused.Add(1)
		c.enqueue(c.errorFrameList(id, gqlerror.List{{
			Message: "too many operations running on this socket (at most " + strconv.Itoa(limit) + ")",
			// Same code as apierror.RateLimited, so clients treat it alike.
			Extensions: map[string]any{"code": "RATE_LIMITED"},
		}}))
		return
	}
	ctx, cancel := context.WithCancel(c.opBase)
	op := &operation{id: id, ctx: ctx, cancel: cancel}
	c.ops[id] = op
	c.opsWG.Add(1)
	c.mu.Unlock()
	c.t.metrics.SubscriptionsStarted.Add(1)
	c.operations.Add(1)
	c.t.metrics.ActiveSubscriptions.Add(1)
	go c.run(op, params, start)
}

// stopOperation ends an operation at the client's request; nothing more is
// sent for it, not even complete.
func (c *conn) stopOperation(id string) {
	c.mu.Lock()
	op := c.ops[id]
	delete(c.ops, id)
	c.mu.Unlock()
	if op != nil {
		op.cancel()
	}
}

// forget removes op from the active set, so that its id can be reused as
// soon as the client has its last message.
func (c *conn) forget(op *operation) {
	c.mu.Lock()
	if c.ops[op.id] == op {
		delete(c.ops, op.id)
	}
	c.mu.Unlock()
}

// finish sends an operation's last message unless the operation was
// stopped (by the client or the socket's end).
func (c *conn) finish(op *operation, frame []byte) {
	c.forget(op)
	if op.ctx.Err() == nil {
		c.enqueue(frame)
	}
}

// run executes one operation the way gqlgen's transports do. Errors that
// come before any result (parse, validation, a refused operation, a
// subscription that could not start: a response without data) become an
// error message and no complete; results, including those with field
// errors, are next messages followed by complete. A subscription that may
// share its execution (Config.Share) joins a group once it has parsed and
// validated, and this goroutine ends: the group delivers to it.
func (c *conn) run(op *operation, params *graphql.RawParams, start time.Time) {
	ctx := graphql.StartOperationTrace(op.ctx)
	var rc *graphql.OperationContext
	shared := false
	defer func() {
		if !shared {
			c.guard(ctx, op, rc, recover())
		}
	}()

	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	params.Headers = c.headers
	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		c.finish(op, c.errorFrameList(op.id, c.presentedErrors(ctx, rc, errs)))
		return
	}
	var subscribe trace.Span
	if subscription(rc) {
		ctx, subscribe = c.t.cfg.Tracing.Subscribe(ctx, rc, start)
	}
	if shared = c.share(ctx, op, rc); shared {
		c.t.cfg.Tracing.Subscribed(subscribe, true)
		return
	}
	c.execute(ctx, op, rc, subscribe)
}

// subscription reports whether rc is a subscription's.
func subscription(rc *graphql.OperationContext) bool {
	return rc.Operation != nil && rc.Operation.Operation == ast.Subscription
}

// guard ends an operation whose goroutine returns: a panic becomes an
// error message, and the operation is forgotten.
func (c *conn) guard(ctx context.Context, op *operation, rc *graphql.OperationContext, r any) {
	if r != nil {
		var err error
		if rc != nil && rc.RecoverFunc != nil {
			err = rc.Recover(ctx, r)
		} else {
			err = fmt.Errorf("internal system error: %v", r)
		}
		c.finish(op, c.errorFrameList(op.id, c.presentedErrors(ctx, rc, gqlerror.List{asGQLError(err)})))
	}
	c.end(op)
}

// end releases a finished operation.
func (c *conn) end(op *operation) {
	c.forget(op)
	op.cancel()
	c.t.metrics.ActiveSubscriptions.Add(-1)
	c.opsWG.Done()
}

// execute executes rc on its own and sends what it yields; subscribe, if
// not nil, is the span of subscribing, ended once the subscription has
// started. Each response of a subscription is a delivery span.
func (c *conn) execute(ctx context.Context, op *operation, rc *graphql.OperationContext, subscribe trace.Span) {
	responses, rctx := c.exec.DispatchOperation(graphql.WithOperationContext(ctx, rc), rc)
	c.t.cfg.Tracing.Subscribed(subscribe, false)
	traced := subscription(rc)
	first := true
	for n := int64(1); ; n++ {
		resp := responses(rctx)
		if resp == nil || op.ctx.Err() != nil {
			break
		}
		var delivery trace.Span
		if traced {
			delivery = c.t.cfg.Tracing.Delivery(ctx, rc, resp, n)
		}
		if first && len(resp.Data) == 0 && len(resp.Errors) > 0 {
			c.finish(op, c.errorFrameList(op.id, resp.Errors))
			c.t.cfg.Tracing.Delivered(delivery, 1)
			return
		}
		first = false
		sent := c.enqueue(encodeResponse(c.proto.next(), op.id, resp))
		c.t.cfg.Tracing.Delivered(delivery, 1)
		if !sent {
			return
		}
	}
	c.finish(op, encode("complete", op.id, nil))
}

// presentedErrors runs errors raised outside execution through the error
// presenter and response middleware, as gqlgen's transports do.
func (c *conn) presentedErrors(ctx context.Context, rc *graphql.OperationContext, errs gqlerror.List) gqlerror.List {
	if rc != nil {
		ctx = graphql.WithOperationContext(ctx, rc)
	}
	if resp := c.exec.DispatchError(ctx, errs); resp != nil && len(resp.Errors) > 0 {
		return resp.Errors
	}
	return errs
}

// errorFrameList renders an error message: an array of GraphQL errors.
func (c *conn) errorFrameList(id string, errs gqlerror.List) []byte {
	return encode("error", id, errs)
}

// errorFrame renders an error message with one GraphQL error.
func (c *conn) errorFrame(id, msg string) []byte {
	return c.errorFrameList(id, gqlerror.List{{Message: msg}})
}

func asGQLError(err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) {
		return gqlErr
	}
	if err == nil {
		return &gqlerror.Error{Message: "internal system error"}
	}
	return &gqlerror.Error{Message: err.Error(), Err: err}
}
