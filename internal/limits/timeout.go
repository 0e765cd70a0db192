package limits

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// ErrTimeout is the cause (context.Cause) of an operation context the
// Extension cancelled because the operation ran longer than Config.Timeout.
var ErrTimeout = errors.New("operation timed out")

// timeoutCause is the cause set on the deadline: it is ErrTimeout and
// remembers the limit for the message.
type timeoutCause struct{ limit time.Duration }

func (c timeoutCause) Error() string {
	return fmt.Sprintf("the operation ran longer than its time limit of %s and was stopped", c.limit)
}

func (c timeoutCause) Unwrap() error { return ErrTimeout }

// InterceptOperation gives each query and mutation a deadline of
// Config.Timeout, so that database work still running then is cancelled
// (and a mutation's transaction rolled back). Subscriptions are exempt:
// they are meant to live long, and are bounded by their connection.
//
// The deadline carries ErrTimeout as its cause: see TimeoutError for
// turning the errors it produces into CodeTimeout.
func (e *Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := operationOf(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	deadline := time.Now().Add(e.cfg.Timeout)
	cause := timeoutCause{e.cfg.Timeout}
	ctx, cancel := context.WithDeadlineCause(ctx, deadline, cause)
	responses := next(ctx)
	cancels := []context.CancelFunc{cancel}
	return func(rctx context.Context) *graphql.Response {
		// gqlgen's transports call this with the context given to next
		// (which has the deadline); one that does not still gets it.
		if d, ok := rctx.Deadline(); !ok || d.After(deadline) {
			var c context.CancelFunc
			rctx, c = context.WithDeadlineCause(rctx, deadline, cause)
			cancels = append(cancels, c)
		}
		resp := responses(rctx)
		// Release the timer when the last response is out, and not
		// before: with @defer, deferred fragments still run.
		if resp == nil || resp.HasNext == nil || !*resp.HasNext {
			for _, c := range cancels {
				c()
			}
			cancels = nil
		}
		return resp
	}
}

// TimeoutError returns the client error (code TIMEOUT) for an error that
// happened because the operation ran out of time, or nil for any other.
// ctx is the context the error presenter is given.
//
// A resolver cut off by the deadline fails with whatever its database
// driver makes of a cancelled context (context.DeadlineExceeded wrapped, a
// "statement canceled" error, a closed connection...). So rather than
// recognise those, this asks the context: once the operation's deadline
// has passed, an error is attributed to it. Call it in the error presenter
// for errors not otherwise classified, before treating them as internal:
//
//	if gqlErr := limits.TimeoutError(ctx, err); gqlErr != nil {
//		return gqlErr
//	}
func TimeoutError(ctx context.Context, err error) *gqlerror.Error {
	if err == nil {
		return nil
	}
	var cause timeoutCause
	if !errors.As(context.Cause(ctx), &cause) && !errors.As(err, &cause) && !errors.Is(err, ErrTimeout) {
		return nil
	}
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	out := &gqlerror.Error{
		Message:    ErrTimeout.Error(),
		Path:       gqlErr.Path,
		Locations:  gqlErr.Locations,
		Extensions: map[string]any{"code": CodeTimeout},
	}
	if cause.limit > 0 {
		out.Message = cause.Error()
	}
	return out
}

func operationOf(ctx context.Context) *graphql.OperationContext {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	return graphql.GetOperationContext(ctx)
}
