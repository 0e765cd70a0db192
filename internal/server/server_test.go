package server_test

import (
	"context"
	"encoding/json"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/client"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/limits"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newClient(db *store.DB, opts ...client.Option) *client.Client {
	return client.New(server.New(db, server.Config{Logger: quietLogger()}), append(opts, client.Path("/graphql"))...)
}

// signedIn is a client for the GraphQL handler acting as a signed-in person
// (what an OIDC sign-in yields), so tests need no identity provider.
func signedIn(t *testing.T, db *store.DB, userID pulid.ID) *client.Client {
	t.Helper()
	v, err := auth.New(workflow.NewRunner(db.Client, nil), nil, quietLogger()).ViewerFor(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	h := server.GraphQL(db, server.Config{Logger: quietLogger()})
	return client.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(viewer.NewContext(r.Context(), v)))
	}))
}

// asToken sends the request with an API token.
// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func rawErrors(t *testing.T, resp *client.Response) []gqlError {
	t.Helper()
	var errs []gqlError
	if len(resp.Errors) > 0 {
		if err := json.Unmarshal(resp.Errors, &errs); err != nil {
			t.Fatalf("decoding errors %s: %v", resp.Errors, err)
		}
	}
	return errs
}

const dashboardQuery = `query Dashboard($slug: String!, $n: Int!) {
  community(slug: $slug) {
    name
    policy { preset objectionWindowHours ambassadorScope }
    groups(first: $n, orderBy: [{field: NAME}]) {
      totalCount
      edges { node {
        id name status city
        roles(first: 20) {
          totalCount
          edges { node { kind status user { handle name organization { name } } } }
        }
        events(first: 5, orderBy: [{field: STARTS_AT, direction: DESC}]) {
          totalCount
          edges { node { title startsAt registrations { totalCount } } }
        }
      } }
    }
  }
}`

type dashboard struct {
	Community struct {
		Name   string
		Policy struct {
			Preset               string
			ObjectionWindowHours int
			AmbassadorScope      string
		}
		Groups struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Name, Status, City string
					Roles                  struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								Kind, Status string
								User         struct {
									Handle, Name string
									Organization *struct{ Name string }
								}
							}
						}
					}
					Events struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								Title         string
								StartsAt      string
								Registrations struct{ TotalCount int }
							}
						}
					}
				}
			}
		}
	}
}

// TestDashboardQueryCostsConstantSQL is the N+1 guard: the nested dashboard
// query must send the same number of SQL statements for 5 groups as for 50.
func TestDashboardQueryCostsConstantSQL(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	f := buildFixture(t, db, 50, 6, 3, 4)
	// The community manager, signed in, sees every registration.
	c := signedIn(t, db, f.manager)

	statements := map[int]int64{}
	for _, n := range []int{5, 50} {
		var resp dashboard
		counter.Reset()
		c.MustPost(dashboardQuery, &resp, client.Var("slug", "openstack"), client.Var("n", n))
		statements[n] = counter.Count()

		groups := resp.Community.Groups
		if groups.TotalCount != 50 || len(groups.Edges) != n {
			t.Fatalf("n=%d: totalCount %d, %d edges", n, groups.TotalCount, len(groups.Edges))
		}
		for _, e := range groups.Edges {
			g := e.Node
			if g.Roles.TotalCount != 6 || len(g.Roles.Edges) != 6 {
				t.Fatalf("group %s: %d roles (%d edges), want 6", g.Name, g.Roles.TotalCount, len(g.Roles.Edges))
			}
			if g.Roles.Edges[0].Node.User.Organization == nil {
				t.Fatalf("group %s: role user has no organization", g.Name)
			}
			if g.Events.TotalCount != 3 || len(g.Events.Edges) != 3 {
				t.Fatalf("group %s: %d events", g.Name, g.Events.TotalCount)
			}
			for _, ev := range g.Events.Edges {
				if ev.Node.Registrations.TotalCount != 4 {
					t.Fatalf("event %s: %d registrations, want 4", ev.Node.Title, ev.Node.Registrations.TotalCount)
				}
			}
		}
		if resp.Community.Policy.Preset != "OPENSTACK" || resp.Community.Policy.ObjectionWindowHours != 72 ||
			resp.Community.Policy.AmbassadorScope != "REGION" {
			t.Errorf("policy = %+v", resp.Community.Policy)
		}
	}
	if statements[5] != statements[50] {
		t.Errorf("SQL statements grow with the data: %d for 5 groups, %d for 50", statements[5], statements[50])
	}
	if statements[50] > 12 {
		t.Errorf("dashboard query sent %d statements; eager loading should keep it near one per level", statements[50])
	}
	t.Logf("dashboard query: %d SQL statements for 5 and for 50 groups", statements[50])
}

func TestPagination(t *testing.T) {
	db := dbtest.Open(t)
	buildFixture(t, db, 25, 1, 0, 0)
	c := newClient(db)

	t.Run("first over the cap is BAD_USER_INPUT", func(t *testing.T) {
		for _, q := range []string{
			`{ groups(first: 101) { totalCount } }`,
			`{ communities(first: 1) { edges { node { groups(last: 500) { totalCount } } } } }`,
			`query($n: Int) { groups(first: $n) { totalCount } }`,
			`{ groups(first: -1) { totalCount } }`,
			`fragment G on Community { groups(first: 1000) { totalCount } } { communities { edges { node { ...G } } } }`,
		} {
			resp, err := c.RawPost(q, client.Var("n", 101))
			if err != nil {
				t.Fatal(err)
			}
			errs := rawErrors(t, resp)
			if len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
				t.Errorf("%s: errors = %+v, want one BAD_USER_INPUT", q, errs)
				continue
			}
			if f := errs[0].Extensions["field"]; f != "first" && f != "last" {
				t.Errorf("%s: field = %v", q, f)
			}
		}
	})

	t.Run("default page size when neither first nor last", func(t *testing.T) {
		var resp struct {
			Groups struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
				PageInfo   struct{ HasNextPage bool }
			}
		}
		c.MustPost(`{ groups { totalCount edges { node { id } } pageInfo { hasNextPage } } }`, &resp)
		if resp.Groups.TotalCount != 25 || len(resp.Groups.Edges) != limits.DefaultPageSize || !resp.Groups.PageInfo.HasNextPage {
			t.Errorf("got totalCount %d, %d edges, hasNextPage %v; want 25, %d, true",
				resp.Groups.TotalCount, len(resp.Groups.Edges), resp.Groups.PageInfo.HasNextPage, limits.DefaultPageSize)
		}
		// A null variable counts as not given.
		c.MustPost(`query($n: Int) { groups(first: $n) { totalCount edges { node { id } } pageInfo { hasNextPage } } }`, &resp, client.Var("n", nil))
		if resp.Groups.TotalCount != 25 || len(resp.Groups.Edges) != limits.DefaultPageSize || !resp.Groups.PageInfo.HasNextPage {
			t.Errorf("got totalCount %d, %d edges, hasNextPage %v; want 25, %d, true",
				resp.Groups.TotalCount, len(resp.Groups.Edges), resp.Groups.PageInfo.HasNextPage, limits.DefaultPageSize)
		}
	})

	t.Run("cursors round-trip forwards and backwards", func(t *testing.T) {
		type page struct {
			Groups struct {
				TotalCount int
				Edges      []struct {
					Cursor string
					Node   struct{ Name string }
				}
				PageInfo struct {
					HasNextPage, HasPreviousPage bool
					EndCursor, StartCursor       *string
				}
			}
		}
		const q = `query($after: Cursor, $before: Cursor, $first: Int, $last: Int) {
		  groups(after: $after, before: $before, first: $first, last: $last, orderBy: [{field: NAME}]) {
		    totalCount
		    edges { cursor node { name } }
		    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
		  }
		}`
		var names []string
		var after *string
		pages := 0
		for {
			var p page
			c.MustPost(q, &p, client.Var("after", after), client.Var("first", 10))
			pages++
			if p.Groups.TotalCount != 25 {
				t.Fatalf("totalCount = %d", p.Groups.TotalCount)
			}
			for _, e := range p.Groups.Edges {
				names = append(names, e.Node.Name)
			}
			if !p.Groups.PageInfo.HasNextPage {
				break
			}
			after = p.Groups.PageInfo.EndCursor
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if pages != 3 || len(names) != 25 {
			t.Fatalf("forward: %d pages, %d names; want 3 and 25", pages, len(names))
		}
		seen := map[string]bool{}
		for i, n := range names {
			if seen[n] {
				t.Fatalf("duplicate %q", n)
			}
			seen[n] = true
			if i > 0 && names[i-1] > n {
				t.Fatalf("not in name order: %q before %q", names[i-1], n)
			}
		}
		// The last 5 before the 11th item are items 6..10.
		var first page
		c.MustPost(q, &first, client.Var("first", 11))
		before := first.Groups.Edges[10].Cursor
		var back page
		c.MustPost(q, &back, client.Var("before", before), client.Var("last", 5))
		if len(back.Groups.Edges) != 5 || back.Groups.Edges[0].Node.Name != names[5] || back.Groups.Edges[4].Node.Name != names[9] {
			t.Errorf("backward page = %+v, want %v", back.Groups.Edges, names[5:10])
		}
		if !back.Groups.PageInfo.HasPreviousPage {
			t.Error("backward page should have a previous page")
		}
	})

	t.Run("malformed cursor is BAD_USER_INPUT", func(t *testing.T) {
		resp, err := c.RawPost(`{ groups(after: "not-a-cursor", first: 2) { totalCount } }`)
		if err != nil {
			t.Fatal(err)
		}
		errs := rawErrors(t, resp)
		if len(errs) == 0 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("errors = %+v", errs)
		}
	})
}

func TestNodeLookup(t *testing.T) {
	db := dbtest.Open(t)
	f := buildFixture(t, db, 3, 2, 1, 1)
	c := newClient(db)
	g := f.groups[1]

	var one struct {
		Node struct {
			Typename string `json:"__typename"`
			ID, Name string
		}
	}
	c.MustPost(`query($id: ID!) { node(id: $id) { __typename id ... on Group { name } } }`, &one, client.Var("id", g.ID))
	if one.Node.Typename != "Group" || one.Node.ID != string(g.ID) || one.Node.Name != g.Name {
		t.Errorf("node = %+v", one.Node)
	}
	if !strings.HasPrefix(string(g.ID), "grp_") {
		t.Errorf("group id %q lacks its type prefix", g.ID)
	}

	var many struct {
		Nodes []*struct {
			Typename string `json:"__typename"`
			ID       string
		}
	}
	c.MustPost(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, &many,
		client.Var("ids", []string{string(f.groups[0].ID), string(f.community.ID), string(f.groups[2].ID)}))
	if len(many.Nodes) != 3 || many.Nodes[0].Typename != "Group" || many.Nodes[1].Typename != "Community" || many.Nodes[2].ID != string(f.groups[2].ID) {
		t.Errorf("nodes = %+v", many.Nodes)
	}

	for _, id := range []string{"grp_01JZZZZZZZZZZZZZZZZZZZZZZZ", "nope_01JZZZZZZZZZZZZZZZZZZZZZZZ", "garbage"} {
		resp, err := c.RawPost(`query($id: ID!) { node(id: $id) { id } }`, client.Var("id", id))
		if err != nil {
			t.Fatal(err)
		}
		errs := rawErrors(t, resp)
		if len(errs) != 1 || errs[0].Extensions["code"] != "NOT_FOUND" {
			t.Errorf("node(%q): errors = %+v, want NOT_FOUND", id, errs)
		}
	}

	ids := make([]string, 101)
	for i := range ids {
		ids[i] = string(g.ID)
	}
	resp, err := c.RawPost(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, client.Var("ids", ids))
	if err != nil {
		t.Fatal(err)
	}
	if errs := rawErrors(t, resp); len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("101 ids: errors = %+v", errs)
	}
}

func TestFiltersAndPrivateFields(t *testing.T) {
	db := dbtest.Open(t)
	buildFixture(t, db, 4, 3, 1, 2)
	c := newClient(db)

	var resp struct {
		Groups struct {
			TotalCount int
			Edges      []struct{ Node struct{ Name string } }
		}
	}
	c.MustPost(`{ groups(where: {nameIn: ["City A", "City C"]}, orderBy: [{field: NAME, direction: DESC}]) { totalCount edges { node { name } } } }`, &resp)
	if resp.Groups.TotalCount != 2 || resp.Groups.Edges[0].Node.Name != "City C" {
		t.Errorf("filtered groups = %+v", resp.Groups)
	}

	// Private values cannot be selected, filtered on or ordered by.
	for _, q := range []string{
		`{ users(first: 1) { edges { node { email } } } }`,
		`{ users(where: {email: "u0-0@example.org"}) { totalCount } }`,
		`{ users(where: {emailContains: "example"}) { totalCount } }`,
		`{ users(orderBy: [{field: EMAIL}]) { totalCount } }`,
		`{ users(first: 1) { edges { node { phone shippingAddress } } } }`,
		// The check-in code is a field only its holder reads (TestEventLifecycle); never a filter or an order.
		`{ events(first: 1) { edges { node { registrations(where: {checkInCode: "ABCDEFGHJK"}) { totalCount } } } } }`,
		`{ events(first: 1) { edges { node { registrations(orderBy: [{field: CHECK_IN_CODE}]) { totalCount } } } } }`,
		`{ events(first: 1) { edges { node { registrations(where: {userID: "usr_x"}) { totalCount } } } } }`,
		// Edge filters into private rows are joins privacy rules cannot see.
		`{ events(where: {hasRegistrationsWith: {status: GOING}}) { totalCount } }`,
		`{ groups(where: {hasRolesWith: {status: PENDING}}) { totalCount } }`,
		`{ users(where: {hasApplications: true}) { totalCount } }`,
		`{ groups(where: {hasEventsWith: {visibility: MEMBERS_ONLY}}) { totalCount } }`,
	} {
		// Over application/json a refused document is HTTP 200 with the error (GraphQL over HTTP).
		resp, err := c.RawPost(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if errs := string(resp.Errors); !strings.Contains(errs, `"code":"GRAPHQL_VALIDATION_FAILED"`) {
			t.Errorf("%s: errors = %s, want GRAPHQL_VALIDATION_FAILED", q, errs)
		} else if strings.Contains(errs, "example.org") {
			t.Errorf("%s leaked private data: %s", q, errs)
		}
	}
}

func TestHealthAndTransports(t *testing.T) {
	db := dbtest.Open(t)
	h := server.New(db, server.Config{Logger: quietLogger()})

	for path, want := range map[string]int{"/livez": 200, "/readyz": 200, "/": 404} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
		}
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/graphql?query="+urlEscape(`{ communities { totalCount } }`), nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"totalCount":0`) {
		t.Errorf("GET query = %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id header")
	}

	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("query=%7B__typename%7D"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, req)
	if rec.Code == 200 {
		t.Errorf("url-encoded POST accepted: %s", rec.Body)
	}

	// The explorer is served, from the binary, only when configured; the
	// server's other routes are the same either way.
	withExplorer := server.New(db, server.Config{Explorer: true, Logger: quietLogger()})
	for path, want := range map[string]string{
		"/explorer/":             "text/html; charset=utf-8",
		"/explorer/explorer.js":  "text/javascript; charset=utf-8",
		"/explorer/explorer.css": "text/css; charset=utf-8",
	} {
		rec = httptest.NewRecorder()
		withExplorer.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != want {
			t.Errorf("explorer: GET %s = %d %q, want 200 %q", path, rec.Code, rec.Header().Get("Content-Type"), want)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("no explorer: GET %s = %d, want 404", path, rec.Code)
		}
	}
	rec = httptest.NewRecorder()
	withExplorer.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/explorer/" {
		t.Errorf("explorer: GET / = %d to %q, want 302 to /explorer/", rec.Code, rec.Header().Get("Location"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("no explorer: GET / = %d, want 404", rec.Code)
	}

	// Runtime profiles only with Profiling (serve --pprof).
	profiled := server.New(db, server.Config{Profiling: true, Logger: quietLogger()})
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=1"} {
		rec = httptest.NewRecorder()
		profiled.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("profiling: GET %s = %d, %d bytes", path, rec.Code, rec.Body.Len())
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("no profiling: GET %s = %d, want 404", path, rec.Code)
		}
	}

	if err := db.SQL.Close(); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz with a closed database = %d", rec.Code)
	}

	// An unexpected failure reaches the client as a generic message with the
	// request id of the response, never the driver's text.
	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ groups(first: 3) { edges { node { name } } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	var body struct{ Errors []gqlError }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body, err)
	}
	if len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "INTERNAL_SERVER_ERROR" ||
		body.Errors[0].Message != "internal server error" {
		t.Fatalf("errors = %+v", body.Errors)
	}
	if body.Errors[0].Extensions["requestId"] != rec.Header().Get("X-Request-Id") {
		t.Errorf("requestId %v differs from header %q", body.Errors[0].Extensions["requestId"], rec.Header().Get("X-Request-Id"))
	}
	if low := strings.ToLower(rec.Body.String()); strings.Contains(low, "sql") || strings.Contains(low, "select") {
		t.Errorf("response leaks SQL: %s", rec.Body)
	}
}

func TestCORS(t *testing.T) {
	db := dbtest.Open(t)
	h := server.New(db, server.Config{Logger: quietLogger(), CORSOrigins: []string{"https://dash.example.org"}})
	for origin, allowed := range map[string]bool{"https://dash.example.org": true, "https://evil.example.com": false} {
		req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("Access-Control-Allow-Origin") == origin
		if got != allowed {
			t.Errorf("origin %s allowed = %v, want %v", origin, got, allowed)
		}
	}
}
