package generated

// This file is written by hand; generated.go is rewritten to call it by
// internal/tools/execpatch (see generate.go).

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/usergroups/usergroups/internal/workflow"
)

// marshalSliceSequentially is graphql.MarshalSliceConcurrently without a
// goroutine per element. gqlgen starts one for every element of every list
// of objects; for a 20×20 dashboard that is over 500 goroutines a request,
// whose stack growth alone took a fifth of the CPU. Our list elements do
// not wait on each other (ent edges are eager-loaded, and graph/batch.go
// loads per-element fields once for the whole list from the parent), so
// marshalling them in order loses no parallelism worth having. Semantics
// are gqlgen's: each element gets its index in the field context, and a
// panic in one element is reported and nulls the whole list.
func marshalSliceSequentially(ctx context.Context, length int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Array) {
	ret = make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		failed := func() (failed bool) {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					failed = true
				}
			}()
			ret[i] = marshalElement(childCtx, i)
			return false
		}()
		if failed {
			return nil
		}
	}
	return ret
}

// concurrently hands a resolver field to the object's FieldSet, which runs
// it on a goroutine of its own when the object is dispatched — except
// inside a mutation's workflow unit, where it runs at once: the fields of a
// mutation's payload all read through the unit's one transaction, whose
// connection PostgreSQL's drivers refuse to share between goroutines
// ("conn busy").
func concurrently(ctx context.Context, out *graphql.FieldSet, i int, f func(context.Context) graphql.Marshaler) {
	if workflow.InUnit(ctx) {
		out.Values[i] = f(ctx)
		return
	}
	out.Concurrently(i, f)
}
