package server_test

import (
	"os"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/internal/bench"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/viewer"
)

// s1Operation is the S1 dashboard query, validated against the published
// schema, as the scope check sees it.
func s1Operation(tb testing.TB) *graphql.OperationContext {
	tb.Helper()
	b, err := os.ReadFile("../../schema.graphql")
	if err != nil {
		tb.Fatal(err)
	}
	s := gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphql", Input: string(b)})
	doc, errs := gqlparser.LoadQueryWithRules(s, bench.S1Query, nil) // nil: the default rules
	if errs != nil {
		tb.Fatal(errs)
	}
	return &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
}

// TestCheckScopesS1: the dashboard needs GROUPS and ROSTER (its members),
// and EVENTS for its upcoming events; a token lacking any is refused
// naming the first it meets.
func TestCheckScopesS1(t *testing.T) {
	oc := s1Operation(t)
	tok := func(scopes ...string) *viewer.Viewer {
		return &viewer.Viewer{UserID: "usr_1", Token: &viewer.Token{ID: "tok_1", Scopes: scopes}}
	}
	if err := server.CheckScopes(tok(viewer.AreaGroups, viewer.AreaRoster, viewer.AreaEvents), oc); err != nil {
		t.Errorf("with every area: %v", err)
	}
	if err := server.CheckScopes(tok(viewer.AreaGroups, viewer.AreaEvents), oc); err == nil {
		t.Error("without ROSTER: allowed")
	}
	if err := server.CheckScopes(&viewer.Viewer{UserID: "usr_1"}, oc); err != nil {
		t.Errorf("signed in: %v", err)
	}
}

// BenchmarkCheckScopes is what the scope check adds to a token's S1
// request: one walk of the operation's selections.
func BenchmarkCheckScopes(b *testing.B) {
	oc := s1Operation(b)
	v := &viewer.Viewer{UserID: "usr_1", Token: &viewer.Token{ID: "tok_1", Scopes: []string{viewer.ScopeRead}}}
	b.ReportAllocs()
	for b.Loop() {
		if err := server.CheckScopes(v, oc); err != nil {
			b.Fatal(err)
		}
	}
}
