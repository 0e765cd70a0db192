package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// feedQuery reads a page of a community's change feed with everything an
// entry has.
const feedQuery = `query Feed($c: ID!, $after: Cursor, $first: Int, $topics: [ChangeTopic!]) {
  changes(community: $c, after: $after, first: $first, topics: $topics) {
    changeCursor
    pageInfo { hasNextPage endCursor }
    edges { cursor node { cursor op topic nodeId nodeType actor { handle } node { __typename id } } }
  }
}`

// feedWorld is a community with one group, its people and their tokens,
// served live.
type feedWorld struct {
	s         *liveServer
	fx        context.Context
	com       *ent.Community
	g         *ent.Group
	staff     *ent.User
	member    *ent.User
	staffTok  string // read
	orgTok    string // read: tokens never read registrations
	memberTok string // read
	eventsTok string // events and changes
	noFeedTok string // events only
}

func newFeedWorld(t *testing.T, s *liveServer) *feedWorld {
	t.Helper()
	w := &feedWorld{s: s, fx: dbtest.FixtureContext(t)}
	w.commit(t, func(tx *ent.Client) {
		w.com = tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(w.fx)
		w.g = tx.Group.Create().SetCommunityID(w.com.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").SetCountry("US").
			SetStatus("ACTIVE").SaveX(w.fx)
		mk := func(h string, kind role.Kind, group bool, scopes ...string) (*ent.User, string) {
			u := tx.User.Create().SetHandle(h).SetName(h).SaveX(w.fx)
			if kind != "" {
				r := tx.Role.Create().SetUserID(u.ID).SetCommunityID(w.com.ID).SetKind(kind)
				if group {
					r.SetGroupID(w.g.ID)
				}
				r.ExecX(w.fx)
			}
			tok, _ := dbtest.APIToken(t, w.fx, tx, u.ID, scopes...)
			return u, tok
		}
		w.staff, w.staffTok = mk("staff", role.KindCOMMUNITY_MANAGER, false, "read")
		_, w.orgTok = mk("org", role.KindORGANIZER, true, "read")
		w.member, w.memberTok = mk("member", role.KindMEMBER, true, "read")
		_, w.eventsTok = mk("tool", role.KindORGANIZER, true, "events", "changes")
		_, w.noFeedTok = mk("oldtool", role.KindORGANIZER, true, "events")
	})
	return w
}

// commit lays out rows in one fixture transaction, as a workflow step would
// commit them (with their change rows).
func (w *feedWorld) commit(t *testing.T, fn func(tx *ent.Client)) {
	t.Helper()
	tx, err := w.s.db.Client.Tx(w.fx)
	if err != nil {
		t.Fatal(err)
	}
	fn(tx.Client())
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// found commits a new group named for its city.
func (w *feedWorld) found(t *testing.T, city string) *ent.Group {
	t.Helper()
	var g *ent.Group
	w.commit(t, func(tx *ent.Client) {
		g = tx.Group.Create().SetCommunityID(w.com.ID).SetName(city).SetSlug(strings.ReplaceAll(strings.ToLower(city), " ", "-")).SetCity(city).SetCountry("US").
			SetStatus("ACTIVE").SaveX(w.fx)
	})
	return g
}

// page polls the feed with a token ("" for anonymous).
func (w *feedWorld) page(t *testing.T, token string, after any, first any, topics ...string) gqlResponse {
	t.Helper()
	vars := map[string]any{"c": string(w.com.ID), "after": after, "first": first}
	if len(topics) > 0 {
		vars["topics"] = topics
	}
	if token == "" {
		return query(t, w.s.api, "", feedQuery, vars)
	}
	return w.s.post(t, token, feedQuery, vars)
}

// signedIn polls the feed as a person signed in (not with a token), over
// the same live source.
func (w *feedWorld) signedIn(t *testing.T, userID pulid.ID) func(after any, topics ...string) gqlResponse {
	t.Helper()
	v, err := auth.New(workflow.NewRunner(w.s.db.Client, nil), nil, quietLogger()).ViewerFor(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	h := server.GraphQL(w.s.db, server.Config{Logger: quietLogger(), Live: w.s.src})
	as := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(rw, r.WithContext(viewer.NewContext(r.Context(), v)))
	})
	return func(after any, topics ...string) gqlResponse {
		t.Helper()
		return query(t, as, "", feedQuery, map[string]any{"c": string(w.com.ID), "after": after, "topics": topics})
	}
}

// entries are a feed page's entries; it fails the test on errors.
func entries(t *testing.T, r gqlResponse) []map[string]any {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("feed: %+v", r.Errors)
	}
	var out []map[string]any
	edges, _ := dig(r.Data, "changes", "edges").([]any)
	for _, e := range edges {
		n, _ := dig(e, "node").(map[string]any)
		if dig(e, "cursor") != n["cursor"] {
			t.Errorf("edge cursor %v differs from its entry's %v", dig(e, "cursor"), n["cursor"])
		}
		out = append(out, n)
	}
	return out
}

func feedCursor(t *testing.T, r gqlResponse) string {
	t.Helper()
	c, _ := dig(r.Data, "changes", "changeCursor").(string)
	if c == "" {
		t.Fatalf("no changeCursor: %+v %+v", r.Data, r.Errors)
	}
	return c
}

// TestChangeFeedTombstones: a poller sees a registration created and then,
// once deleted, its tombstone (id and type, no node, no actor); an
// organizer's token, which never reads registrations, still sees the
// tombstone; a member, who may not see the registration, sees neither,
// and their cursor passes both.
func TestChangeFeedTombstones(t *testing.T) {
	s := startLive(t)
	w := newFeedWorld(t, s)
	staff := w.signedIn(t, w.staff.ID)
	start := feedCursor(t, staff(nil))
	if es := entries(t, staff(nil)); len(es) != 0 {
		t.Fatalf("without after: the feed from now is empty, got %v", es)
	}

	startsAt := time.Now().Add(30 * 24 * time.Hour)
	var reg *ent.Registration
	w.commit(t, func(tx *ent.Client) {
		ev := tx.Event.Create().SetGroupID(w.g.ID).SetKind("MEETUP").SetTitle("Meetup").SetTimeZone("UTC").
			SetStatus(event.StatusPUBLISHED).SetVisibility(event.VisibilityPUBLIC).SetStartsAt(startsAt).SetEndsAt(startsAt.Add(time.Hour)).SaveX(w.fx)
		reg = tx.Registration.Create().SetEventID(ev.ID).SetUserID(w.member.ID).SetCheckInCode("C00001").SaveX(w.fx)
	})
	created := staff(start, "REGISTRATION")
	es := entries(t, created)
	if len(es) != 1 || es[0]["op"] != "CREATED" || dig(es[0], "node", "id") != string(reg.ID) || es[0]["nodeType"] != "Registration" {
		t.Fatalf("staff after the registration: %v", es)
	}
	w.commit(t, func(tx *ent.Client) { tx.Registration.DeleteOneID(reg.ID).ExecX(w.fx) })

	es = entries(t, staff(feedCursor(t, created), "REGISTRATION"))
	if len(es) != 1 {
		t.Fatalf("staff after the deletion: %v, want the tombstone", es)
	}
	if tomb := es[0]; tomb["op"] != "DELETED" || tomb["topic"] != "REGISTRATION" || tomb["nodeId"] != string(reg.ID) ||
		tomb["nodeType"] != "Registration" || tomb["node"] != nil || tomb["actor"] != nil {
		t.Errorf("the tombstone: %v", tomb)
	}

	// The organizer's token: both changes as tombstones (the row is gone),
	// never the registration itself.
	org := w.page(t, w.orgTok, start, nil, "REGISTRATION")
	es = entries(t, org)
	if len(es) != 2 || es[1]["op"] != "DELETED" || es[1]["nodeId"] != string(reg.ID) || es[0]["node"] != nil || es[1]["node"] != nil {
		t.Errorf("the organizer's token: %v", es)
	}
	// A member and an anonymous poller: nothing, and the same place to go on from.
	for name, tok := range map[string]string{"member": w.memberTok, "anonymous": ""} {
		r := w.page(t, tok, start, nil, "REGISTRATION")
		if es := entries(t, r); len(es) != 0 || dig(r.Data, "changes", "pageInfo", "hasNextPage") != false {
			t.Errorf("%s: %v", name, es)
		}
		if got := feedCursor(t, r); got != feedCursor(t, org) {
			t.Errorf("%s continues from %s, the organizer from %s", name, got, feedCursor(t, org))
		}
	}
}

// TestChangeFeedPagesAndCursors: first pages the feed, changeCursor goes
// on from the last change read; a cursor from the feed resumes the
// subscription and a subscription's cursor resumes the feed; a topic
// filter keeps only its topic.
func TestChangeFeedPagesAndCursors(t *testing.T) {
	s := startLive(t)
	w := newFeedWorld(t, s)
	start := feedCursor(t, w.page(t, w.staffTok, nil, nil))
	for _, city := range []string{"Austin", "Boston", "Chicago"} {
		w.found(t, city)
	}
	id := func(e map[string]any) any { return dig(e, "node", "id") }
	byCity := map[any]string{}
	for _, g := range s.db.Client.Group.Query().AllX(w.fx) {
		byCity[string(g.ID)] = g.City
	}
	var got []string
	after := start
	for range 3 {
		r := w.page(t, w.staffTok, after, 1)
		es := entries(t, r)
		if len(es) != 1 {
			t.Fatalf("a page of 1: %v", es)
		}
		got = append(got, byCity[id(es[0])])
		if next := feedCursor(t, r); next != es[0]["cursor"] && dig(r.Data, "changes", "pageInfo", "hasNextPage") == true {
			t.Errorf("changeCursor %s, want the last entry's %s", next, es[0]["cursor"])
		}
		after = feedCursor(t, r)
	}
	if strings.Join(got, ",") != "Austin,Boston,Chicago" {
		t.Errorf("pages: %v", got)
	}
	last := w.page(t, w.staffTok, after, 1)
	if es := entries(t, last); len(es) != 0 || dig(last.Data, "changes", "pageInfo", "hasNextPage") != false {
		t.Errorf("after the last page: %v", es)
	}
	if es := entries(t, w.page(t, w.staffTok, start, 10, "ROLE")); len(es) != 0 {
		t.Errorf("topics [ROLE]: %v", es)
	}

	// The feed's cursor after Austin resumes the subscription at Boston.
	afterAustin := feedCursor(t, w.page(t, w.staffTok, start, 1))
	const sub = `subscription($c: ID!, $after: Cursor) { changes(community: $c, topics: [GROUP], after: $after) { cursor node { id } } }`
	ws := s.dial(t, w.staffTok)
	ws.subscribe("s", sub, map[string]any{"c": string(w.com.ID), "after": afterAustin})
	m := ws.next()
	if byCity[dig(m, "changes", "node", "id")] != "Boston" {
		t.Fatalf("the subscription after the feed's cursor: %v, want Boston", m)
	}
	// And the subscription's cursor after Boston resumes the feed at Chicago.
	es := entries(t, w.page(t, w.staffTok, dig(m, "changes", "cursor"), nil))
	if len(es) != 1 || byCity[id(es[0])] != "Chicago" {
		t.Errorf("the feed after the subscription's cursor: %v, want Chicago", es)
	}

	// first out of range, and a cursor the log never issued.
	for _, first := range []int{0, 101} {
		if r := w.page(t, w.staffTok, start, first); code(r) != "BAD_USER_INPUT" {
			t.Errorf("first: %d: %+v", first, r.Errors)
		}
	}
	ahead := live.Cursor(broker.Position{Seq: 1 << 40})
	if r := w.page(t, w.staffTok, ahead, nil); code(r) != "BAD_USER_INPUT" {
		t.Errorf("a cursor ahead of the log: %+v", r.Errors)
	}
}

// TestChangeFeedScopes: a token with the events and changes scopes is fed
// events and nothing of the roster or groups; a token without changes is
// refused, polling and subscribing, naming the CHANGES scope.
func TestChangeFeedScopes(t *testing.T) {
	s := startLive(t)
	w := newFeedWorld(t, s)
	start := feedCursor(t, w.page(t, w.staffTok, nil, nil))
	w.found(t, "Austin")
	startsAt := time.Now().Add(30 * 24 * time.Hour)
	w.commit(t, func(tx *ent.Client) {
		tx.Event.Create().SetGroupID(w.g.ID).SetKind("MEETUP").SetTitle("Meetup").SetTimeZone("UTC").
			SetStatus(event.StatusPUBLISHED).SetVisibility(event.VisibilityPUBLIC).SetStartsAt(startsAt).SetEndsAt(startsAt.Add(time.Hour)).ExecX(w.fx)
		u := tx.User.Create().SetHandle("joiner").SetName("Joiner").SaveX(w.fx)
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(w.com.ID).SetGroupID(w.g.ID).SetKind(role.KindMEMBER).ExecX(w.fx)
	})
	topics := func(es []map[string]any) string {
		var out []string
		for _, e := range es {
			out = append(out, e["topic"].(string))
		}
		return strings.Join(out, ",")
	}
	if got := topics(entries(t, w.page(t, w.staffTok, start, nil))); got != "GROUP,EVENT,ROLE" {
		t.Errorf("a read token: %s", got)
	}
	if got := topics(entries(t, w.page(t, w.eventsTok, start, nil))); got != "EVENT" {
		t.Errorf("an events and changes token: %s, want EVENT only", got)
	}
	r := w.page(t, w.noFeedTok, start, nil)
	if code(r) != "FORBIDDEN" || len(r.Errors) == 0 || r.Errors[0].Extensions["missingScope"] != "CHANGES" {
		t.Errorf("a token without changes: %+v", r.Errors)
	}
	ws := s.dial(t, w.noFeedTok)
	ws.subscribe("s", `subscription($c: ID!) { changes(community: $c) { cursor } }`, map[string]any{"c": string(w.com.ID)})
	if m := ws.read(); m["type"] != "error" || !strings.Contains(string(mustJSON(m)), `"missingScope":"CHANGES"`) {
		t.Errorf("subscribing without changes: %v", m)
	}
	// The events token's subscription is fed events only too.
	ev := s.dial(t, w.eventsTok)
	ev.subscribe("s", `subscription($c: ID!, $after: Cursor) { changes(community: $c, after: $after) { topic } }`,
		map[string]any{"c": string(w.com.ID), "after": start})
	if m := ev.next(); dig(m, "changes", "topic") != "EVENT" {
		t.Errorf("the events token's subscription: %v", m)
	}
}

// TestChangeFeedExpiredCursor: a cursor from before the oldest change kept
// is CURSOR_EXPIRED with the oldest cursor, exactly as a subscription is
// refused, and that cursor reads what the log still holds.
func TestChangeFeedExpiredCursor(t *testing.T) {
	s := startLive(t)
	w := newFeedWorld(t, s)
	sys := viewer.SystemContext(context.Background())
	before := feedCursor(t, w.page(t, w.staffTok, nil, nil))
	w.found(t, "Austin")
	pruned, err := s.db.Client.Change.Query().Order(change.ByID(entsql.OrderDesc())).FirstID(sys)
	if err != nil {
		t.Fatal(err)
	}
	kept := w.found(t, "Boston")
	now := time.Now()
	q := `UPDATE changes SET created_at = ? WHERE id <= ?`
	if s.db.Dialect == dialect.Postgres {
		q = `UPDATE changes SET created_at = $1 WHERE id <= $2`
	}
	if _, err := s.db.SQL.Exec(q, now.Add(-40*24*time.Hour), pruned); err != nil {
		t.Fatal(err)
	}
	if rep, err := workflow.PruneChanges(sys, workflow.NewRunner(s.db.Client, at(now)), 30*24*time.Hour, workflow.PruneBatch); err != nil || rep.Deleted == 0 {
		t.Fatalf("prune = %+v, %v", rep, err)
	}
	oldest, err := s.db.Client.Change.Query().Order(change.ByID()).FirstID(sys)
	if err != nil {
		t.Fatal(err)
	}
	want := live.Cursor(broker.Position{Seq: oldest - 1})
	r := w.page(t, w.staffTok, before, nil)
	if code(r) != "CURSOR_EXPIRED" || r.Errors[0].Extensions["oldestCursor"] != want || r.Errors[0].Extensions["field"] != "after" {
		t.Fatalf("an expired cursor: %+v, want CURSOR_EXPIRED with oldestCursor %s", r.Errors, want)
	}
	es := entries(t, w.page(t, w.staffTok, want, nil, "GROUP"))
	if len(es) != 1 || dig(es[0], "node", "id") != string(kept.ID) {
		t.Errorf("from the oldest cursor: %v, want Boston", es)
	}
}

// TestChangeFeedStatements: a page costs the same statements whatever its
// size: its nodes and actors are loaded a type at a time.
func TestChangeFeedStatements(t *testing.T) {
	var counter *dbtest.Counter
	s := serveLive(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
		return dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
			counter = dbtest.NewCounter(wrap(d))
			return counter
		}))
	}, broker.Options{PollInterval: time.Hour})
	w := newFeedWorld(t, s)
	start := feedCursor(t, w.page(t, w.staffTok, nil, nil))
	for i := range 12 {
		w.found(t, "City "+string(rune('A'+i)))
		w.commit(t, func(tx *ent.Client) {
			u := tx.User.Create().SetHandle(fmt.Sprintf("joiner%d", i)).SetName("Joiner").SaveX(w.fx)
			tx.Role.Create().SetUserID(u.ID).SetCommunityID(w.com.ID).SetGroupID(w.g.ID).SetKind(role.KindMEMBER).
				SetStatus(role.StatusPENDING).ExecX(w.fx)
		})
	}
	// Let the broker settle what was committed: its reads are not the page's.
	latest, _ := s.broker.Latest(context.Background())
	for deadline := time.Now().Add(10 * time.Second); s.broker.Metrics().Position < latest && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	w.page(t, w.memberTok, start, 1) // its first request looks the token up
	counts := map[int]int64{}
	for _, n := range []int{4, 24} {
		counter.Reset()
		// Staff see the pending roles; the member's token hides them (one more load, as the system).
		for _, tok := range []string{w.staffTok, w.memberTok} {
			r := w.page(t, tok, start, n)
			if es := entries(t, r); len(es) == 0 {
				t.Fatalf("an empty page of %d", n)
			}
		}
		counts[n] = counter.Count()
	}
	if counts[4] != counts[24] {
		t.Errorf("statements for pages of 4 and 24: %v, want the same", counts)
	}
	t.Logf("statements for two pages: %v", counts)
}

// recipe returns the GraphQL operations of a doc's ```graphql blocks, by
// operation name.
func recipe(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]string{}
	for _, block := range strings.Split(string(b), "```graphql\n")[1:] {
		op, _, _ := strings.Cut(block, "```")
		fields := strings.Fields(op)
		if len(fields) < 2 {
			t.Fatalf("%s: a graphql block without an operation: %q", path, op)
		}
		name, _, _ := strings.Cut(fields[1], "(")
		ops[name] = op
	}
	return ops
}

// TestToolsSyncRecipe runs docs/tools-sync.md as a tool would: an initial
// copy, changes (a group founded, one deleted), then the sync from the
// copy's changeCursor; the tool's copy ends as the server's.
func TestToolsSyncRecipe(t *testing.T) {
	s := startLive(t)
	w := newFeedWorld(t, s)
	doomed := w.found(t, "Boston")
	ops := recipe(t, "../../docs/tools-sync.md")
	if ops["InitialCopy"] == "" || ops["Sync"] == "" {
		t.Fatalf("the recipe's operations: %v", ops)
	}
	initialCopy := func() (map[string]string, string) {
		t.Helper()
		copied := map[string]string{}
		var cursor string
		var after any
		for {
			r := w.s.post(t, w.staffTok, ops["InitialCopy"], map[string]any{"slug": "openstack", "after": after})
			if len(r.Errors) > 0 {
				t.Fatalf("InitialCopy: %+v", r.Errors)
			}
			if cursor == "" {
				cursor, _ = dig(r.Data, "changeCursor").(string)
			}
			groups, _ := dig(r.Data, "community", "groups").(map[string]any)
			for _, n := range groups["nodes"].([]any) {
				copied[dig(n, "id").(string)] = dig(n, "city").(string)
			}
			if dig(groups, "pageInfo", "hasNextPage") != true {
				return copied, cursor
			}
			after = dig(groups, "pageInfo", "endCursor")
		}
	}
	copied, cursor := initialCopy()
	if len(copied) != 2 || cursor == "" {
		t.Fatalf("the initial copy: %v at %q", copied, cursor)
	}

	w.found(t, "Austin")
	w.commit(t, func(tx *ent.Client) {
		tx.Group.UpdateOneID(w.g.ID).SetCity("Alameda").ExecX(w.fx)
		tx.Group.DeleteOneID(doomed.ID).ExecX(w.fx)
	})
	com := string(w.com.ID)
	for {
		r := w.s.post(t, w.staffTok, ops["Sync"], map[string]any{"community": com, "after": cursor})
		if len(r.Errors) > 0 {
			t.Fatalf("Sync: %+v", r.Errors)
		}
		for _, e := range dig(r.Data, "changes", "nodes").([]any) {
			id := dig(e, "nodeId").(string)
			if dig(e, "node") == nil {
				delete(copied, id)
				continue
			}
			copied[id] = dig(e, "node", "city").(string)
		}
		cursor = dig(r.Data, "changes", "changeCursor").(string)
		if dig(r.Data, "changes", "pageInfo", "hasNextPage") != true {
			break
		}
	}
	server, _ := initialCopy()
	if fmt.Sprint(copied) != fmt.Sprint(server) {
		t.Errorf("the synced copy %v, the server's %v", copied, server)
	}
	if _, kept := copied[string(doomed.ID)]; kept {
		t.Errorf("the deleted group is still in the copy")
	}
}
