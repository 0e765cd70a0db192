package limits

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/internal/apierror"
)

// Page sizes for every connection. An unbounded connection would return every
// row, and its nested connections every row of theirs.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// MaxNodeIDs caps nodes(ids:).
	MaxNodeIDs = 100
)

// PagedCache wraps gqlgen's parsed-query cache. A document is added once,
// right after it was parsed and validated and before anyone else can see
// it, so this is the one race-free place to give every connection field
// without first/last an explicit `first: DefaultPageSize`. Rewriting the
// document (rather than the resolver arguments) matters: ent's eager loading
// reads the arguments from the document, so nested connections are limited
// in SQL too.
type PagedCache struct {
	graphql.Cache[*ast.QueryDocument]
}

// Add applies the default page size, then caches the document.
func (c PagedCache) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	for _, op := range doc.Operations {
		defaultFirst(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		defaultFirst(f.SelectionSet)
	}
	c.Cache.Add(ctx, key, doc)
}

func defaultFirst(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if isConnection(s) && s.Arguments.ForName("first") == nil && s.Arguments.ForName("last") == nil {
				s.Arguments = append(s.Arguments, &ast.Argument{
					Name:  "first",
					Value: &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(DefaultPageSize)},
				})
			}
			defaultFirst(s.SelectionSet)
		case *ast.InlineFragment:
			defaultFirst(s.SelectionSet)
		}
	}
}

// isConnection reports whether a field is paginated by first/last: a Relay
// connection field.
func isConnection(f *ast.Field) bool {
	if f.Definition == nil || f.Definition.Type == nil {
		return false
	}
	return f.Definition.Arguments.ForName("first") != nil && f.Definition.Arguments.ForName("last") != nil
}

// CheckPageSizes rejects, before anything runs, an operation that asks any
// connection for more than MaxPageSize items or nodes(ids:) for more than
// MaxNodeIDs, with variables applied.
func CheckPageSizes(oc *graphql.OperationContext, maxPage int) *apierror.Error {
	if oc.Operation == nil {
		return nil
	}
	seen := map[string]bool{}
	return walkSizes(oc.Doc, oc.Operation.SelectionSet, oc.Variables, seen, maxPage)
}

func walkSizes(doc *ast.QueryDocument, set ast.SelectionSet, vars map[string]any, seen map[string]bool, maxPage int) *apierror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if isConnection(s) {
				args := s.ArgumentMap(vars)
				if args["first"] == nil && args["last"] == nil {
					// `first: $n` with $n null: the cached document cannot
					// carry a default, so give this request's variable one.
					if a := s.Arguments.ForName("first"); a != nil && a.Value.Kind == ast.Variable && vars != nil {
						vars[a.Value.Raw] = int64(DefaultPageSize)
						args = s.ArgumentMap(vars)
					}
				}
				for _, name := range []string{"first", "last"} {
					v, ok := args[name]
					if !ok || v == nil {
						continue
					}
					n, ok := asInt(v)
					if !ok {
						continue
					}
					if n < 0 || n > int64(maxPage) {
						return apierror.Invalid(name, "%s on %s must be between 0 and %d, got %d", name, s.Alias, maxPage, n)
					}
				}
			}
			if s.Name == "nodes" && s.Definition != nil && s.Definition.Arguments.ForName("ids") != nil {
				if ids, ok := s.ArgumentMap(vars)["ids"].([]any); ok && len(ids) > MaxNodeIDs {
					return apierror.Invalid("ids", "nodes takes at most %d ids, got %d", MaxNodeIDs, len(ids))
				}
			}
			if err := walkSizes(doc, s.SelectionSet, vars, seen, maxPage); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := walkSizes(doc, s.SelectionSet, vars, seen, maxPage); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if f := doc.Fragments.ForName(s.Name); f != nil {
				if err := walkSizes(doc, f.SelectionSet, vars, seen, maxPage); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	case int32:
		return int64(n), true
	}
	if s, ok := v.(interface{ String() string }); ok {
		n, err := strconv.ParseInt(s.String(), 10, 64)
		return n, err == nil
	}
	return 0, false
}
