package server

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/graph"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/workflow"
)

// errFieldFailed marks a mutation field that answered with an error: its
// unit is rolled back.
var errFieldFailed = errors.New("the mutation field failed")

// mutationUnits runs each root field of a mutation — the step its resolver
// takes and the payload read after it — as one workflow unit: one
// transaction, committed when the field answered without errors, rolled
// back otherwise. Fields run one after the other, so a later field sees
// what an earlier one saved, and one failing field saves nothing of its own
// without undoing the others. A transaction that cannot begin or commit is
// an error like any other, through the error presenter.
func mutationUnits(runner *workflow.Runner) graphql.RootFieldMiddleware {
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Mutation {
			return next(ctx)
		}
		before := len(graphql.GetErrors(ctx))
		var out graphql.Marshaler
		err := runner.Unit(ctx, func(ctx context.Context) error {
			out = next(ctx)
			if len(graphql.GetErrors(ctx)) > before {
				return errFieldFailed
			}
			return nil
		})
		switch {
		case err == nil:
			return out
		case workflow.ErrAnswered(err):
			// The payload carries the refusal (userErrors); the step's
			// writes were rolled back.
			return out
		case errors.Is(err, errFieldFailed):
		case workflow.ErrUnitFailed(err):
			graphql.AddError(ctx, err)
		default:
			graphql.AddError(ctx, err)
		}
		// Nothing of this field was saved: no data that says otherwise.
		return graphql.Null
	}
}

// querySnapshots runs each query operation in one read (workflow.Runner.Read:
// one snapshot of the database for all its fields) and, on a server with
// live updates, tells the client which position in the change log that
// snapshot reflects: `extensions.changeCursor` on the response and the
// Query.changeCursor field. The position is read first, inside the read,
// so that it is exactly what the query's reads show: a client that
// subscribes with `after:` set to it misses no change made after its
// query and gets none twice. Mutations (their own units) and subscriptions
// (their own deliveries) are left alone.
func querySnapshots(runner *workflow.Runner, src *live.Source, present graphql.ErrorPresenterFunc) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Query {
			return next(ctx)
		}
		var responses []*graphql.Response
		err := runner.Read(ctx, func(ctx context.Context) error {
			var cursor string
			if src != nil {
				var err error
				if cursor, err = src.Reflected(ctx, ent.FromContext(ctx)); err != nil {
					return err
				}
				ctx = graph.WithChangeCursor(ctx, cursor)
			}
			handle := next(ctx)
			// Every part of the response is made inside the read (a
			// deferred part too), then handed on.
			for resp := handle(ctx); resp != nil; resp = handle(ctx) {
				if src != nil {
					if resp.Extensions == nil {
						resp.Extensions = map[string]any{}
					}
					resp.Extensions["changeCursor"] = cursor
				}
				responses = append(responses, resp)
				if resp.HasNext == nil || !*resp.HasNext {
					break
				}
			}
			return nil
		})
		if err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{present(ctx, err)}})
		}
		return func(context.Context) *graphql.Response {
			if len(responses) == 0 {
				return nil
			}
			resp := responses[0]
			responses = responses[1:]
			return resp
		}
	}
}
