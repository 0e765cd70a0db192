package server

import (
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// checkScopes refuses a whole operation from an API token whose scopes do
// not cover it, naming the first missing scope (extensions.missingScope),
// before anything runs: each mutation's write scope (policy.MutationScope),
// then the read area of every type the operation selects, in document
// order (policy.TypeArea). A node reached through an interface without a
// fragment is decided by the privacy rules, which refuse the same way.
func checkScopes(v *viewer.Viewer, oc *graphql.OperationContext) error {
	if !v.ViaToken() || oc.Operation == nil {
		return nil
	}
	if oc.Operation.Operation == ast.Mutation {
		for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
			scope, known := policy.MutationScope(f.Name)
			if !known {
				return apierror.TokenScopef("no API token scope covers %s", f.Name)
			}
			if scope != "" && !v.HasScope(scope) {
				return apierror.MissingScope(viewer.ScopeName(scope), f.Name)
			}
		}
	}
	w := areaWalk{v: v, seen: map[string]bool{}}
	w.selections(oc.Operation.SelectionSet)
	return w.err
}

// areaWalk visits an operation's selections for the first type whose read
// area the token lacks; each named fragment is visited once.
type areaWalk struct {
	v    *viewer.Viewer
	seen map[string]bool
	err  error
}

func (w *areaWalk) selections(set ast.SelectionSet) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			if s.Definition != nil {
				w.typ(s.Definition.Type.Name(), s.Name)
			}
			w.selections(s.SelectionSet)
		case *ast.InlineFragment:
			w.typ(s.TypeCondition, s.TypeCondition)
			w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition != nil && !w.seen[s.Name] {
				w.seen[s.Name] = true
				w.typ(s.Definition.TypeCondition, s.Definition.TypeCondition)
				w.selections(s.Definition.SelectionSet)
			}
		}
	}
}

func (w *areaWalk) typ(name, what string) {
	if area := policy.TypeArea(name); area != "" && !w.v.CanRead(area) {
		w.err = apierror.MissingScope(viewer.ScopeName(area), "reading "+what)
	}
}
