package main

import (
	"strings"
	"testing"
)

const sample = `package generated

func (ec *executionContext) _Role(ctx context.Context, sel ast.SelectionSet, obj *ent.Role) graphql.Marshaler {
	atomic.AddInt32(&ec.Deferred, int32(min(len(deferLabelToView), math.MaxInt32)))

	ec.ProcessDeferredGroup(graphql.DeferredGroup{
		Defers:   deferLabelToView,
		Path:     graphql.GetPath(ctx),
		FieldSet: deferredFieldSet,
		Context:  ctx,
	})

	return out
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
	for _, want := range []string{"if len(deferLabelToView) > 0 {", "marshalSliceSequentially(ctx, len(v), func(ctx context.Context, i int) graphql.Marshaler {"} {
		if !strings.Contains(s, want) {
			t.Errorf("rewritten source lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "MarshalSliceConcurrently") {
		t.Error("a concurrent slice call is left")
	}
	// Rewriting is not repeatable on its own output, and an unknown shape is an error.
	if _, err := Rewrite(out); err == nil {
		t.Error("patterns found in already rewritten source")
	}
	if _, err := Rewrite([]byte("package generated\n")); err == nil {
		t.Error("no patterns: want an error")
	}
}
