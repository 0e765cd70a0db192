package server

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

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
