package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// liveFixture is a community with one group, its organizer (with a token)
// and a way to add members, each addition committed as its own change.
type liveFixture struct {
	com, group string
	orgTok     string
	join       func(handle string)
}

func newLiveFixture(t *testing.T, s *liveServer) liveFixture {
	t.Helper()
	sys := dbtest.FixtureContext(t)
	tx, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(com.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").SetCountry("US").SetStatus("ACTIVE").SaveX(sys)
	org := tx.User.Create().SetHandle("org").SetName("org").SaveX(sys)
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	tok, _ := dbtest.APIToken(t, sys, tx.Client(), org.ID, "read")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	join := func(handle string) {
		t.Helper()
		tx, err := s.db.Client.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		u := tx.User.Create().SetHandle(handle).SetName(handle).SaveX(sys)
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindMEMBER).ExecX(sys)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return liveFixture{com: string(com.ID), group: string(g.ID), orgTok: tok, join: join}
}

// TestQueryCursorContinuesWithoutAGap: a board loads with a query, a change
// commits before the client subscribes, and the subscription started after
// the query's change cursor delivers that change once — not the changes
// the query already reflected, not one twice — then continues live. The
// cursor comes in the response's extensions and as Query.changeCursor, the
// same over HTTP and over the websocket.
func TestQueryCursorContinuesWithoutAGap(t *testing.T) {
	s := startLive(t)
	f := newLiveFixture(t, s)
	f.join("before") // reflected by the query: must not come again

	const board = `query($g: ID!) { changeCursor node(id: $g) { ... on Group { roster(first: 10) { totalCount } } } }`
	r := s.post(t, f.orgTok, board, map[string]any{"g": f.group})
	if len(r.Errors) > 0 {
		t.Fatalf("board: %+v", r.Errors)
	}
	cursor, _ := r.Extensions["changeCursor"].(string)
	if cursor == "" || dig(r.Data, "changeCursor") != cursor {
		t.Fatalf("the response's change cursor: extensions %v, field %v", r.Extensions, dig(r.Data, "changeCursor"))
	}
	if n := dig(r.Data, "node", "roster", "totalCount"); n != float64(2) {
		t.Fatalf("the board shows %v roles, want 2 (organizer and the member who joined before)", n)
	}

	f.join("between") // after the query, before the subscription

	ws := s.dial(t, f.orgTok)
	ws.subscribe("r", `subscription($g: ID!, $after: Cursor) { groupRoster(group: $g, after: $after) { cursor node { user { handle } } } }`,
		map[string]any{"g": f.group, "after": cursor})
	if m := ws.next(); dig(m, "groupRoster", "node", "user", "handle") != "between" {
		t.Fatalf("first item after the query's cursor: %v, want the member who joined between query and subscription", m)
	}
	waitSubscribers(t, s, 1)
	f.join("after")
	if m := ws.next(); dig(m, "groupRoster", "node", "user", "handle") != "after" {
		t.Fatalf("the next item: %v, want the member who joined after subscribing (none twice)", m)
	}

	// A query over the websocket carries its cursor too.
	ws.subscribe("q", `{ changeCursor }`, nil)
	m := ws.read()
	ext, _ := dig(m, "payload", "extensions").(map[string]any)
	if m["type"] != "next" || ext["changeCursor"] == nil || ext["changeCursor"] != dig(m, "payload", "data", "changeCursor") {
		t.Fatalf("a query over the websocket: %v", m)
	}
}

// TestSubscriptionOverHTTPIsRefused: a subscription sent as a POST or GET
// is refused at once, with a code, instead of waiting for a change.
func TestSubscriptionOverHTTPIsRefused(t *testing.T) {
	s := startLive(t)
	f := newLiveFixture(t, s)
	const sub = `subscription($c: ID!) { changes(community: $c) { cursor } }`
	client := &http.Client{Timeout: 5 * time.Second}
	vars, _ := json.Marshal(map[string]any{"c": f.com})
	body, _ := json.Marshal(map[string]any{"query": sub, "variables": json.RawMessage(vars)})
	post, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	post.Header.Set("Content-Type", "application/json")
	get, _ := http.NewRequest(http.MethodGet, s.url+"/graphql?query="+url.QueryEscape(sub)+"&variables="+url.QueryEscape(string(vars)), nil)
	// application/json answers a GraphQL error with 200 (graphql-over-HTTP);
	// GET is refused by method before the operation is looked at.
	for _, c := range []struct {
		req    *http.Request
		status int
		code   string
	}{{post, http.StatusOK, "SUBSCRIPTION_OVER_HTTP"}, {get, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"}} {
		resp, err := client.Do(c.req)
		if err != nil {
			t.Fatalf("%s: %v (a subscription over HTTP must be answered at once)", c.req.Method, err)
		}
		var r gqlResponse
		_ = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if resp.StatusCode != c.status || len(r.Errors) != 1 || r.Data != nil ||
			r.Errors[0].Extensions["code"] != c.code || !strings.Contains(r.Errors[0].Message, "WebSocket") {
			t.Errorf("%s: status %d, %+v", c.req.Method, resp.StatusCode, r.Errors)
		}
	}
}

// TestUnknownReferencesAreNotFound: a community named by its slug works
// wherever a community is named; an unknown id or slug is NOT_FOUND, never
// an empty board or a silent subscription.
func TestUnknownReferencesAreNotFound(t *testing.T) {
	s := startLive(t)
	f := newLiveFixture(t, s)
	const board = `query($c: ID!) { approvalQueue(community: $c) { counts { status count } } }`
	for _, c := range []string{f.com, "openstack"} {
		if r := s.post(t, f.orgTok, board, map[string]any{"c": c}); len(r.Errors) > 0 {
			t.Errorf("approvalQueue(community: %q): %+v", c, r.Errors)
		}
	}
	for _, q := range []struct{ doc, ref string }{
		{board, "com_01JZZZZZZZZZZZZZZZZZZZZZZZ"},
		{board, "no-such-community"},
		{board, f.group}, // an id of another type
		{`query($c: ID!) { groupsWithoutOrganizer(community: $c) { id } }`, "nope"},
		{`query($c: ID!) { ambassadors(community: $c) { id } }`, "nope"},
		{`query($c: ID!) { officialRequirements(group: $c) { key } }`, "openstack/nope"},
		{`query($c: ID!) { events(community: $c) { totalCount } }`, "nope"},
	} {
		r := s.post(t, f.orgTok, q.doc, map[string]any{"c": q.ref})
		if code(r) != "NOT_FOUND" {
			t.Errorf("%s with %q: %+v, want NOT_FOUND", q.doc, q.ref, r.Errors)
		}
	}
	if r := s.post(t, f.orgTok, `query { events(community: "openstack") { totalCount } }`, nil); len(r.Errors) > 0 {
		t.Errorf("a community named by its slug: %+v", r.Errors)
	}
	if r := s.post(t, f.orgTok, `query { officialRequirements(group: "openstack/oakland") { key } }`, nil); code(r) == "NOT_FOUND" {
		t.Errorf("a group named by its slugs: %+v", r.Errors)
	}

	ws := s.dial(t, f.orgTok)
	for id, doc := range map[string]string{
		"q": `subscription { approvalQueue(community: "nope") { cursor } }`,
		"c": `subscription { changes(community: "com_01JZZZZZZZZZZZZZZZZZZZZZZZ") { cursor } }`,
		"r": `subscription { groupRoster(group: "oakland") { cursor } }`,
	} {
		ws.subscribe(id, doc, nil)
		if m := ws.read(); m["type"] != "error" || !strings.Contains(string(mustJSON(m)), "NOT_FOUND") {
			t.Errorf("%s: %v, want an error NOT_FOUND", doc, m)
		}
	}
	// By slug, a subscription delivers.
	ws.subscribe("ok", `subscription { groupRoster(group: "openstack/oakland") { node { user { handle } } } }`, nil)
	waitSubscribers(t, s, 1)
	f.join("newcomer")
	if m := ws.next(); dig(m, "groupRoster", "node", "user", "handle") != "newcomer" {
		t.Errorf("roster by slug: %v", m)
	}
}
