package limits_test

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/limits"
)

// pagedSchema has a connection (first and last), a list that is not one,
// and nodes(ids:).
var pagedSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "paged.graphqls", Input: `
type Query {
  groups(first: Int, last: Int): GroupConnection
  tags(first: Int): [String]
  nodes(ids: [ID!]!): [Group]
}
type GroupConnection { totalCount: Int, edges: [Group] }
type Group { name: String, members(first: Int, last: Int): GroupConnection }
`})

func parse(t *testing.T, q string) *ast.QueryDocument {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(pagedSchema, q, nil) // nil: the default rules
	if errs != nil {
		t.Fatalf("%s: %v", q, errs)
	}
	return doc
}

// TestPagedCacheAddsDefaultFirst gives every connection without first or
// last an explicit first: DefaultPageSize, nested and in fragments, and
// leaves other lists and explicit pages alone.
func TestPagedCacheAddsDefaultFirst(t *testing.T) {
	cache := limits.PagedCache{Cache: lru.New[*ast.QueryDocument](10)}
	doc := parse(t, `{ groups { edges { members { totalCount } ...M } } tags a: groups(last: 3) { totalCount } }
		fragment M on Group { m: members { totalCount } }`)
	cache.Add(context.Background(), "q", doc)
	got, ok := cache.Get(context.Background(), "q")
	if !ok {
		t.Fatal("document not cached")
	}
	first := func(f *ast.Field) string {
		if a := f.Arguments.ForName("first"); a != nil {
			return a.Value.Raw
		}
		return ""
	}
	root := got.Operations[0].SelectionSet
	groups := root[0].(*ast.Field)
	members := groups.SelectionSet[0].(*ast.Field).SelectionSet[0].(*ast.Field)
	fragment := got.Fragments.ForName("M").SelectionSet[0].(*ast.Field)
	for name, f := range map[string]*ast.Field{"groups": groups, "nested members": members, "members in a fragment": fragment} {
		if first(f) != "20" {
			t.Errorf("%s: first = %q, want 20", name, first(f))
		}
	}
	if first(root[1].(*ast.Field)) != "" {
		t.Error("a list that is not a connection got a page size")
	}
	if first(root[2].(*ast.Field)) != "" {
		t.Error("a connection asked for its last 3 got a first too")
	}
}

// TestCheckPageSizes refuses pages over the maximum (or negative), with
// variables applied and through fragments, and too many node ids.
func TestCheckPageSizes(t *testing.T) {
	ids := make([]any, limits.MaxNodeIDs+1)
	for i := range ids {
		ids[i] = "x"
	}
	for _, tt := range []struct {
		query string
		vars  map[string]any
		field string // "" when accepted
	}{
		{`{ groups(first: 100) { totalCount } }`, nil, ""},
		{`{ groups(first: 101) { totalCount } }`, nil, "first"},
		{`{ groups(first: -1) { totalCount } }`, nil, "first"},
		{`{ groups(first: 1) { edges { members(last: 500) { totalCount } } } }`, nil, "last"},
		{`query($n: Int) { groups(first: $n) { totalCount } }`, map[string]any{"n": int64(101)}, "first"},
		{`query($n: Int) { groups(first: $n) { totalCount } }`, map[string]any{"n": nil}, ""},
		{`{ ...G } fragment G on Query { groups(first: 1000) { totalCount } }`, nil, "first"},
		{`query($ids: [ID!]!) { nodes(ids: $ids) { name } }`, map[string]any{"ids": ids}, "ids"},
		{`query($ids: [ID!]!) { nodes(ids: $ids) { name } }`, map[string]any{"ids": ids[1:]}, ""},
	} {
		doc := parse(t, tt.query)
		oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: tt.vars}
		err := limits.CheckPageSizes(oc, limits.MaxPageSize)
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: refused: %v", tt.query, err)
		case tt.field != "" && (err == nil || err.Code != apierror.BadUserInput || err.Field != tt.field):
			t.Errorf("%s: got %+v, want BAD_USER_INPUT on %s", tt.query, err, tt.field)
		}
	}
	// A null variable page is the default page, written into the variables.
	doc := parse(t, `query($n: Int) { groups(first: $n) { totalCount } }`)
	vars := map[string]any{"n": nil}
	if err := limits.CheckPageSizes(&graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: vars}, limits.MaxPageSize); err != nil || vars["n"] != int64(limits.DefaultPageSize) {
		t.Errorf("err %v, n = %v; want nil and %d", err, vars["n"], limits.DefaultPageSize)
	}
}
