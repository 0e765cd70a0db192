package main

import (
	"strings"
	"testing"
)

const sample = `package generated

func (ec *executionContext) _Role(ctx context.Context, sel ast.SelectionSet, obj *ent.Role) graphql.Marshaler {
	out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })
	out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })
	atomic.AddInt32(&ec.Deferred, int32(min(len(deferLabelToView), math.MaxInt32)))

	ec.ProcessDeferredGroup(graphql.DeferredGroup{
		Defers:   deferLabelToView,
		Path:     graphql.GetPath(ctx),
		FieldSet: deferredFieldSet,
		Context:  ctx,
	})

	return out
}

func (ec *executionContext) _Role_kind(ctx context.Context, field graphql.CollectedField, obj *ent.Role) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_Role_kind(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.Kind, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v role.Kind) graphql.Marshaler {
			return ec.marshalNRoleKind2role(ctx, selections, v)
		},
		true,
		true,
	)
}

func (ec *executionContext) _Role_user(ctx context.Context, field graphql.CollectedField, obj *ent.Role) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_Role_user(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.Owner, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v *ent.User) graphql.Marshaler {
			return ec.marshalNUser2ᚖentᚐUser(ctx, selections, v)
		},
		true,
		true,
	)
}

func (ec *executionContext) marshalNRoleKind2role(ctx context.Context, sel ast.SelectionSet, v role.Kind) graphql.Marshaler {
	return v
}

func (ec *executionContext) marshalNUser2ᚖentᚐUser(ctx context.Context, sel ast.SelectionSet, v *ent.User) graphql.Marshaler {
	return ec._User(ctx, sel, v)
}

func (ec *executionContext) marshalRoles(ctx context.Context, sel ast.SelectionSet, v []*ent.Role) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		return ec._Role(ctx, sel, v[i])
	})
	return ret
}
`

func TestRewrite(t *testing.T) {
	out, err := Rewrite([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"if len(deferLabelToView) > 0 {", "marshalSliceSequentially(ctx, len(v), func(ctx context.Context, i int) graphql.Marshaler {",
		"\treturn ec.marshalNRoleKind2role(ctx, field.Selections, obj.Kind)\n}",
		"concurrently(ctx, out, i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })",
		"concurrently(ctx, out, i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })"} {
		if !strings.Contains(s, want) {
			t.Errorf("rewritten source lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "MarshalSliceConcurrently") {
		t.Error("a concurrent slice call is left")
	}
	// An object-valued field keeps its field context: its children need it.
	if strings.Contains(s, "field.Selections, obj.Owner)") || !strings.Contains(s, "return ec.fieldContext_Role_user(ctx, field)") {
		t.Errorf("object field rewritten:\n%s", s)
	}
	// Rewriting is not repeatable on its own output, and an unknown shape is an error.
	if _, err := Rewrite(out); err == nil {
		t.Error("patterns found in already rewritten source")
	}
	if _, err := Rewrite([]byte("package generated\n")); err == nil {
		t.Error("no patterns: want an error")
	}
}
