package policy_test

import (
	"os"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestEveryMutationHasAScope: every mutation of the published schema is
// filed under a write scope (or none, deliberately), so that a new one
// cannot reach a token unchecked; and every filed name is a mutation.
func TestEveryMutationHasAScope(t *testing.T) {
	b, err := os.ReadFile("../../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	s, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(b)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	for _, f := range s.Mutation.Fields {
		scope, known := policy.MutationScope(f.Name)
		if !known {
			t.Errorf("mutation %s has no scope in policy.MutationScope", f.Name)
		}
		if scope != "" && !viewer.IsWriteScope(scope) {
			t.Errorf("mutation %s is filed under %q, not a write scope", f.Name, scope)
		}
	}
	for _, name := range []string{"cancelEvent", "checkIn", "registerForEvent", "grantGroupRole"} {
		if s.Mutation.Fields.ForName(name) == nil {
			t.Errorf("%s is not a mutation", name)
		}
	}
	// The API's enum is exactly the scopes tokens store.
	var names []string
	for _, v := range s.Types["APITokenScope"].EnumValues {
		names = append(names, v.Name)
	}
	var want []string
	for _, sc := range viewer.Scopes() {
		want = append(want, viewer.ScopeName(sc))
	}
	if !slices.Equal(names, want) {
		t.Errorf("APITokenScope = %v, want %v", names, want)
	}
	if _, known := policy.MutationScope("dropDatabase"); known {
		t.Error("an unknown mutation has a scope")
	}
	// Every type the table names exists, so a rename cannot leave a type
	// unguarded.
	for _, name := range []string{"Role", "RoleConnection", "Event", "Application", "Contribution", "ChangeEntry", "WebhookEndpoint", "ContactThread"} {
		if s.Types[name] == nil || policy.TypeArea(name) == "" {
			t.Errorf("type %s: in schema %v, area %q", name, s.Types[name] != nil, policy.TypeArea(name))
		}
	}
}

// TestTypeArea: a connection or edge is read under its node's area; the
// frame every tool reads (communities, people) needs none.
func TestTypeArea(t *testing.T) {
	for name, want := range map[string]string{
		"Role": viewer.AreaRoster, "RoleConnection": viewer.AreaRoster, "RoleEdge": viewer.AreaRoster,
		"Event": viewer.AreaEvents, "Group": viewer.AreaGroups, "ApplicationChange": viewer.AreaApplications,
		"ChangeFeed": viewer.AreaChanges, "Community": "", "User": "", "PageInfo": "",
	} {
		if got := policy.TypeArea(name); got != want {
			t.Errorf("TypeArea(%s) = %q, want %q", name, got, want)
		}
	}
}
