package server_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/client"

	"github.com/usergroups/usergroups/internal/dbtest"
)

// TestConnectionNodes: a connection's `nodes` answers what `edges { node }`
// answers, at every level of a nested query, with the same SQL statements
// (eager loading follows `nodes` too) whatever the page size; both may be
// selected together.
func TestConnectionNodes(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	f := buildFixture(t, db, 30, 6, 3, 4)
	c := signedIn(t, db, f.manager)

	// The dashboard query with every `edges { node { … } }` as `nodes { … }`.
	const nodesQuery = `query Dashboard($slug: String!, $n: Int!) {
  community(slug: $slug) {
    name
    policy { preset objectionWindowHours ambassadorScope }
    groups(first: $n, orderBy: [{field: NAME}]) {
      totalCount
      nodes {
        id name status city
        roles(first: 20) {
          totalCount
          nodes { kind status user { handle name organization { name } } }
        }
        events(first: 5, orderBy: [{field: STARTS_AT, direction: DESC}]) {
          totalCount
          nodes { title startsAt registrations { totalCount } }
        }
      }
    }
  }
}`
	// Both at once: the outer page by edges, its nested pages by nodes.
	const mixedQuery = `query($slug: String!, $n: Int!) { community(slug: $slug) { groups(first: $n, orderBy: [{field: NAME}]) {
		edges { cursor node { name } }
		nodes { name roles(first: 20) { nodes { user { handle } } } } } } }`

	post := func(q string, n int) (map[string]any, int64) {
		t.Helper()
		var resp map[string]any
		counter.Reset()
		c.MustPost(q, &resp, client.Var("slug", "openstack"), client.Var("n", n))
		return resp, counter.Count()
	}
	statements := map[string][]int64{}
	for _, n := range []int{5, 30} {
		byEdges, se := post(dashboardQuery, n)
		byNodes, sn := post(nodesQuery, n)
		statements["edges"] = append(statements["edges"], se)
		statements["nodes"] = append(statements["nodes"], sn)
		if want := edgesToNodes(byEdges); !reflect.DeepEqual(byNodes, want) {
			a, _ := json.Marshal(byNodes)
			b, _ := json.Marshal(want)
			t.Fatalf("n=%d: nodes answered\n%s\nedges { node } answered\n%s", n, a, b)
		}
		if groups := dig(byNodes, "community", "groups", "nodes"); len(groups.([]any)) != n {
			t.Fatalf("n=%d: %d groups", n, len(groups.([]any)))
		}

		mixed, sm := post(mixedQuery, n)
		statements["mixed"] = append(statements["mixed"], sm)
		edges, nodes := items(mixed, "community", "groups", "edges"), items(mixed, "community", "groups", "nodes")
		if len(edges) != n || len(nodes) != n {
			t.Fatalf("n=%d: %d edges, %d nodes", n, len(edges), len(nodes))
		}
		for i := range edges {
			if dig(edges[i], "node", "name") != dig(nodes[i], "name") || len(items(nodes[i], "roles", "nodes")) != 6 {
				t.Fatalf("n=%d: edge %d is %v, node %v", n, i, edges[i], nodes[i])
			}
		}
	}
	for name, got := range statements {
		if got[0] != got[1] {
			t.Errorf("%s: SQL statements grow with the data: %v", name, got)
		}
	}
	t.Logf("SQL statements for 5 and 30 groups: %v", statements)
	if statements["nodes"][0] != statements["edges"][0] {
		t.Errorf("nodes costs %d statements, edges { node } %d", statements["nodes"][0], statements["edges"][0])
	}
}

// TestConnectionNodesPageLimits: `nodes` pages like `edges`: the default
// page size applies, and the cap on first/last still refuses.
func TestConnectionNodesPageLimits(t *testing.T) {
	db := dbtest.Open(t)
	buildFixture(t, db, 25, 1, 0, 0)
	c := newClient(db)
	var resp struct {
		Groups struct {
			TotalCount int
			Nodes      []struct{ Name string }
			PageInfo   struct{ HasNextPage bool }
		}
	}
	c.MustPost(`{ groups { totalCount nodes { name } pageInfo { hasNextPage } } }`, &resp)
	if resp.Groups.TotalCount != 25 || len(resp.Groups.Nodes) != 20 || !resp.Groups.PageInfo.HasNextPage {
		t.Errorf("default page: %+v", resp.Groups)
	}
	raw, err := c.RawPost(`{ groups(first: 101) { nodes { name } } }`)
	if err != nil {
		t.Fatal(err)
	}
	if errs := rawErrors(t, raw); len(errs) == 0 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("first: 101 over nodes: %+v", errs)
	}
}

// edgesToNodes rewrites an answer's every `edges: [{node: X}]` as
// `nodes: [X]`, what the same query written with `nodes` answers.
func edgesToNodes(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k == "edges" {
				var nodes []any
				for _, e := range x.([]any) {
					nodes = append(nodes, edgesToNodes(e.(map[string]any)["node"]))
				}
				if nodes == nil {
					nodes = []any{}
				}
				out["nodes"] = nodes
				continue
			}
			out[k] = edgesToNodes(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = edgesToNodes(x)
		}
		return out
	}
	return v
}

// TestConnectionAliases: an aliased edges, node or totalCount is loaded as
// the unaliased one is (entgql matched the field by its alias, so an alias
// gave an empty page), and two aliases of one connection read the same
// page with everything either selects, in as many statements.
func TestConnectionAliases(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	f := buildFixture(t, db, 8, 4, 2, 2)
	c := signedIn(t, db, f.manager)
	post := func(q string) (map[string]any, int64) {
		t.Helper()
		var resp map[string]any
		counter.Reset()
		c.MustPost(q, &resp, client.Var("slug", "openstack"))
		return resp, counter.Count()
	}
	plain, sp := post(`query($slug: String!) { community(slug: $slug) { groups(first: 5, orderBy: [{field: NAME}]) {
		totalCount edges { node { name roles(first: 3) { totalCount edges { node { kind user { handle } } } } } } } } }`)
	aliased, sa := post(`query($slug: String!) { community(slug: $slug) { groups(first: 5, orderBy: [{field: NAME}]) {
		total: totalCount items: edges { group: node { name roles(first: 3) { n: totalCount list: edges { r: node { kind user { handle } } } } } }
		more: edges { node { city } } } } }`)
	items := func(m map[string]any, path ...string) []any { v, _ := dig(m, path...).([]any); return v }
	pg, ag := items(plain, "community", "groups", "edges"), items(aliased, "community", "groups", "items")
	if len(pg) != 5 || len(ag) != 5 || len(items(aliased, "community", "groups", "more")) != 5 {
		t.Fatalf("plain %d groups, aliased %d", len(pg), len(ag))
	}
	if dig(aliased, "community", "groups", "total") != dig(plain, "community", "groups", "totalCount") {
		t.Errorf("total = %v, totalCount = %v", dig(aliased, "community", "groups", "total"), dig(plain, "community", "groups", "totalCount"))
	}
	for i := range pg {
		p, a := pg[i].(map[string]any)["node"].(map[string]any), ag[i].(map[string]any)["group"].(map[string]any)
		pr, ar := p["roles"].(map[string]any), a["roles"].(map[string]any)
		if p["name"] != a["name"] || pr["totalCount"] != ar["n"] || len(pr["edges"].([]any)) != len(ar["list"].([]any)) || len(ar["list"].([]any)) == 0 {
			t.Errorf("group %d: plain %v, aliased %v", i, p, a)
		}
		if more := items(aliased, "community", "groups", "more")[i].(map[string]any)["node"].(map[string]any); more["city"] == nil {
			t.Errorf("group %d: the second alias lost its own field: %v", i, more)
		}
	}
	if sa != sp {
		t.Errorf("aliased query: %d statements, plain: %d", sa, sp)
	}
}
