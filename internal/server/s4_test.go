package server_test

import (
	"testing"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/client"

	"github.com/usergroups/usergroups/internal/bench"
	"github.com/usergroups/usergroups/internal/dbtest"
)

// TestNestedDashboardStatements holds the benchmark's nested dashboard (S1:
// groups → roles → person → organization, groups → events) to its goal of
// at most 1 + 2 statements per connection level, whatever the size: the
// person and their organization come with one statement (a join load).
func TestNestedDashboardStatements(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	f := buildFixture(t, db, 12, 6, 3, 4)
	c := signedIn(t, db, f.manager)
	const levels = 3 // groups, roles, events
	for _, n := range []int{3, 12} {
		var resp map[string]any
		counter.Reset()
		c.MustPost(bench.S1Query, &resp, client.Var("slug", "openstack"), client.Var("groups", n), client.Var("members", 5))
		if got := counter.Count(); got > 1+2*levels {
			t.Errorf("%d groups: %d statements, want at most %d", n, got, 1+2*levels)
		}
		groups := dig(resp, "community", "groups", "edges").([]any)
		if len(groups) != n {
			t.Fatalf("%d groups, want %d", len(groups), n)
		}
		for _, g := range groups {
			roles := dig(g, "node", "roles", "edges").([]any)
			if len(roles) != 5 {
				t.Fatalf("%d roles, want 5", len(roles))
			}
			for _, r := range roles {
				if dig(r, "node", "user", "handle") == "" || dig(r, "node", "user", "organization", "name") == "" {
					t.Fatalf("role without its person or organization: %v", r)
				}
			}
		}
	}
}
