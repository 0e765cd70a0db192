package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/transport/ws"
)

// liveServer is the whole API (HTTP and websockets) over a database whose
// commits wake a running change broker, as `usergroups serve` wires it.
type liveServer struct {
	db     *store.DB
	url    string
	broker *broker.Broker
	src    *live.Source
	api    *server.Server
}

// metrics are the server's websocket counters.
func (s *liveServer) metrics() *ws.Metrics { return s.api.WebSocketMetrics() }

func startLive(t *testing.T) *liveServer {
	t.Helper()
	return serveLive(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
		return dbtest.Open(t, dbtest.WithDriver(wrap))
	}, broker.Options{})
}

// serveLive runs the API and a change broker over the database open opens
// with the given driver wrapper, which announces its commits to that broker.
// An optional config sets the server's limits (its logger and live source
// are filled in).
func serveLive(t *testing.T, open func(wrap func(dialect.Driver) dialect.Driver) *store.DB, opts broker.Options, config ...server.Config) *liveServer {
	t.Helper()
	return serveLiveWith(t, open, opts, func(_ *store.DB, _ *live.Source, cfg *server.Config) {
		if len(config) > 0 {
			*cfg = config[0]
		}
	})
}

// serveLiveWith is serveLive with setup filling in the server's config
// (its logger and live source are set afterwards) and the live source.
func serveLiveWith(t *testing.T, open func(wrap func(dialect.Driver) dialect.Driver) *store.DB, opts broker.Options,
	setup func(db *store.DB, src *live.Source, cfg *server.Config)) *liveServer {
	t.Helper()
	var b atomic.Pointer[broker.Broker]
	db := open(broker.WrapDriver("", func() {
		if x := b.Load(); x != nil {
			x.Poke()
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	br := broker.New(db, opts)
	b.Store(br)
	done := make(chan struct{})
	go func() { defer close(done); _ = br.Run(ctx) }()
	var cfg server.Config
	src := &live.Source{Broker: br, Client: db.Client}
	setup(db, src, &cfg)
	cfg.Logger, cfg.Live = quietLogger(), src
	api := server.New(db, cfg)
	hs := httptest.NewServer(api)
	t.Cleanup(func() {
		_ = api.Shutdown(context.Background())
		hs.Close()
		cancel()
		<-done
	})
	return &liveServer{db: db, url: hs.URL, broker: br, src: src, api: api}
}

// post runs a GraphQL operation over HTTP with a bearer token.
func (s *liveServer) post(t *testing.T, token, q string, vars map[string]any) gqlResponse {
	t.Helper()
	return s.postWith(t, token, nil, q, vars)
}

// postWith is post with more request headers.
func (s *liveServer) postWith(t *testing.T, token string, header http.Header, q string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

// socket is a raw graphql-transport-ws client.
type socket struct {
	t    *testing.T
	conn *websocket.Conn
}

func (s *liveServer) dial(t *testing.T, token string) *socket {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(s.url, "http")+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ws := &socket{t: t, conn: conn}
	payload := map[string]any{}
	if token != "" {
		payload["Authorization"] = "Bearer " + token
	}
	ws.send(map[string]any{"type": "connection_init", "payload": payload})
	if m := ws.read(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	return ws
}

func (s *socket) send(m map[string]any) {
	s.t.Helper()
	if err := s.conn.WriteJSON(m); err != nil {
		s.t.Fatal(err)
	}
}

func (s *socket) subscribe(id, q string, vars map[string]any) {
	s.send(map[string]any{"type": "subscribe", "id": id, "payload": map[string]any{"query": q, "variables": vars}})
}

// read returns the next message, failing the test after 10 s: every read
// here expects a message the test itself caused.
func (s *socket) read() map[string]any {
	s.t.Helper()
	_ = s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m map[string]any
	if err := s.conn.ReadJSON(&m); err != nil {
		s.t.Fatalf("reading from the socket: %v", err)
	}
	return m
}

// next returns the payload data of the next `next` message.
func (s *socket) next() map[string]any {
	s.t.Helper()
	m := s.read()
	if m["type"] != "next" {
		s.t.Fatalf("want next, got %v", m)
	}
	data, _ := dig(m, "payload", "data").(map[string]any)
	if data == nil {
		s.t.Fatalf("next without data: %v", m)
	}
	return data
}

// TestSubscriptionsOverWebSocket: committed changes reach subscribers over
// the websocket transport, filtered by what each may see at delivery time;
// a rolled-back mutation delivers nothing; a demoted organizer stops
// receiving what only organizers see; `after:` resumes without a gap.
func TestSubscriptionsOverWebSocket(t *testing.T) {
	s := startLive(t)
	sys := dbtest.FixtureContext(t)
	tx, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	na := tx.Region.Create().SetCommunityID(com.ID).SetName("North America").SetSlug("north-america").SetCountries([]string{"US"}).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(com.ID).SetRegionID(na.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").SetCountry("US").SetStatus("ACTIVE").SaveX(sys)
	token := func(u *ent.User) string {
		tok, _ := dbtest.APIToken(t, sys, tx.Client(), u.ID, "read", "write")
		return tok
	}
	mk := func(h string, kind role.Kind) (*ent.User, string) {
		u := tx.User.Create().SetHandle(h).SetName(h).SaveX(sys)
		switch kind {
		case role.KindCOMMUNITY_MANAGER:
			tx.Role.Create().SetUserID(u.ID).SetCommunityID(com.ID).SetKind(kind).ExecX(sys)
		case role.KindORGANIZER, role.KindMEMBER:
			tx.Role.Create().SetUserID(u.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(kind).ExecX(sys)
		}
		return u, token(u)
	}
	_, staffTok := mk("staff", role.KindCOMMUNITY_MANAGER)
	org1, org1Tok := mk("org1", role.KindORGANIZER)
	_, _ = mk("org2", role.KindORGANIZER)
	_, aTok := mk("ma", role.KindMEMBER)
	_, bTok := mk("mb", role.KindMEMBER)
	_, cTok := mk("mc", "")
	_, applicantTok := mk("applicant", "")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// The queue: staff see the new request; anonymous see only the public proposed group.
	staff := s.dial(t, staffTok)
	staff.subscribe("q", `subscription($c: ID!) { approvalQueue(community: $c) { cursor op node { status kind } } }`, map[string]any{"c": string(com.ID)})
	anon := s.dial(t, "")
	anon.subscribe("f", `subscription($c: ID!) { changes(community: $c) { cursor op topic node { __typename id } } }`, map[string]any{"c": string(com.ID)})
	// Subscriptions start from now: let the server register both before committing.
	waitSubscribers(t, s, 2)

	const apply = `mutation($c: ID!) { applyForGroup(input: {community: $c, name: "East Bay", city: "Berkeley", country: "US",
		description: "Operators in the East Bay.", acceptCodeOfConduct: true, links: [{label: "Meetup", url: "https://meetup.example.com/eb"}]}) { application { id } userErrors { code } } }`
	// A refused mutation (answered in userErrors) rolls back and delivers
	// nothing: the next item is the accepted one's.
	if r := s.post(t, applicantTok, `mutation($c: ID!) { applyForGroup(input: {community: $c, name: "x", city: "", country: "ZZ", acceptCodeOfConduct: false}) {
		application { id } userErrors { code } } }`, map[string]any{"c": string(com.ID)}); code(r) != "BAD_USER_INPUT" {
		t.Fatalf("the bad application: %+v %+v", r.Data, r.Errors)
	}
	if r := s.post(t, applicantTok, apply, map[string]any{"c": string(com.ID)}); len(r.Errors) > 0 || code(r) != nil {
		t.Fatalf("apply: %+v %+v", r.Data, r.Errors)
	}
	q := staff.next()
	if dig(q, "approvalQueue", "op") != "CREATED" || dig(q, "approvalQueue", "node", "status") != "SUBMITTED" {
		t.Errorf("staff's queue: %v", q)
	}
	f := anon.next()
	if dig(f, "changes", "topic") != "GROUP" || dig(f, "changes", "node", "__typename") != "Group" {
		t.Errorf("anonymous feed: %v (applications must never reach it)", f)
	}

	// The roster: a demoted organizer stops receiving what organizers see.
	roster := s.dial(t, org1Tok)
	roster.subscribe("r", `subscription($g: ID!) { groupRoster(group: $g) { cursor op node { status user { handle } } } }`, map[string]any{"g": string(g.ID)})
	waitSubscribers(t, s, 3)
	leave := `mutation($g: ID!) { leaveGroup(input: {id: $g}) { roles { status } } }`
	s.post(t, aTok, leave, map[string]any{"g": string(g.ID)})
	if m := roster.next(); dig(m, "groupRoster", "node", "user", "handle") != "ma" || dig(m, "groupRoster", "node", "status") != "LEFT" {
		t.Errorf("organizer sees ma leave: %v", m)
	}
	orgRole := s.db.Client.Role.Query().Where(role.UserID(org1.ID), role.KindEQ(role.KindORGANIZER)).OnlyX(sys)
	if r := s.post(t, staffTok, `mutation($r: ID!) { revokeRole(input: {id: $r, reason: "Stepping back."}) { role { status } } }`,
		map[string]any{"r": string(orgRole.ID)}); dig(r.Data, "revokeRole", "role", "status") != "REMOVED" {
		t.Fatalf("revoke: %+v %+v", r.Data, r.Errors)
	}
	m := roster.next()
	lastCursor, _ := dig(m, "groupRoster", "cursor").(string)
	if dig(m, "groupRoster", "node", "user", "handle") != "org1" || dig(m, "groupRoster", "node", "status") != "REMOVED" {
		t.Errorf("org1 sees their own role end: %v", m)
	}
	s.post(t, bTok, leave, map[string]any{"g": string(g.ID)}) // private now: org1 is no organizer
	s.post(t, cTok, `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`, map[string]any{"g": string(g.ID)})
	if m := roster.next(); dig(m, "groupRoster", "node", "user", "handle") != "mc" {
		t.Errorf("after the demotion the next item must be mc joining (public), not mb leaving: %v", m)
	}

	// Resuming: a new socket with after: the last cursor replays exactly what followed it.
	again := s.dial(t, staffTok)
	again.subscribe("r2", `subscription($g: ID!, $after: Cursor) { groupRoster(group: $g, after: $after) { cursor node { status user { handle } } } }`,
		map[string]any{"g": string(g.ID), "after": lastCursor})
	for _, want := range []string{"mb", "mc"} {
		if m := again.next(); dig(m, "groupRoster", "node", "user", "handle") != want {
			t.Errorf("replay: want %s, got %v", want, m)
		}
	}
	// A cursor that was never issued is a clear error.
	bad := s.dial(t, staffTok)
	bad.subscribe("x", `subscription($g: ID!) { groupRoster(group: $g, after: "bm90LWEtY3Vyc29y") { cursor } }`, map[string]any{"g": string(g.ID)})
	if m := bad.read(); m["type"] != "error" || !strings.Contains(string(mustJSON(m)), "BAD_USER_INPUT") {
		t.Errorf("bad cursor: %v", m)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// waitSubscribers waits until the server holds n live subscriptions.
func waitSubscribers(t *testing.T, s *liveServer, n int) {
	t.Helper()
	// A subscription starts asynchronously after `subscribe`: poll the
	// broker's count of client subscriptions rather than sleeping.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s.src.Subscribers() >= int64(n) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("fewer than %d subscriptions registered", n)
}

// TestSubscriptionCyclesLeakNothing: 1,000 sockets that subscribe and go
// away leave no goroutine behind (socket, stream, broker subscription).
func TestSubscriptionCyclesLeakNothing(t *testing.T) {
	s := startLive(t)
	sys := dbtest.FixtureContext(t)
	tx, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SaveX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	baseline := runtime.NumGoroutine()
	for i := range 1000 {
		ws := s.dial(t, "")
		ws.subscribe("s", `subscription($c: ID!) { changes(community: $c) { cursor } }`, map[string]any{"c": string(com.ID)})
		if i%2 == 0 {
			ws.send(map[string]any{"type": "complete", "id": "s"})
		}
		_ = ws.conn.Close()
	}
	// Sockets end asynchronously after the client closes: wait (bounded)
	// for their goroutines and broker subscriptions to go.
	deadline := time.Now().Add(20 * time.Second)
	for (runtime.NumGoroutine() > baseline+5 || s.broker.Metrics().Subscribers != 0) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline+5 {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after 1000 cycles, baseline %d\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
	if m := s.broker.Metrics(); m.Subscribers != 0 {
		t.Errorf("%d broker subscriptions left", m.Subscribers)
	}
}

// TestTwoReplicasOnePostgres: a mutation through replica A reaches a
// subscriber on replica B (NOTIFY wakes B's broker, which reads the log).
func TestTwoReplicasOnePostgres(t *testing.T) {
	if os.Getenv(dbtest.EnvDatabase) == "" {
		t.Skip("replicas share a database through PostgreSQL; SQLite is one process")
	}
	dsn := dbtest.DSN(t)
	replicas := make([]*liveServer, 2)
	for i := range replicas {
		// A long poll: delivery on B must come from the notification.
		replicas[i] = serveLive(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
			db, err := store.Open(dsn, store.Options{WrapDriver: wrap})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if i == 0 {
				if err := db.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			return db
		}, broker.Options{ListenDSN: dsn, PollInterval: time.Minute})
	}
	a, b := replicas[0], replicas[1]
	sys := dbtest.FixtureContext(t)
	tx, err := a.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(com.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").SetCountry("US").SetStatus("ACTIVE").SaveX(sys)
	u := tx.User.Create().SetHandle("joiner").SetName("J").SaveX(sys)
	tok, _ := dbtest.APIToken(t, sys, tx.Client(), u.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	sub := b.dial(t, "")
	sub.subscribe("r", `subscription($g: ID!) { groupRoster(group: $g) { op node { status user { handle } } } }`, map[string]any{"g": string(g.ID)})
	waitSubscribers(t, b, 1)
	start := time.Now()
	if r := a.post(t, tok, `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`, map[string]any{"g": string(g.ID)}); dig(r.Data, "joinGroup", "role", "status") != "ACTIVE" {
		t.Fatalf("join through A: %+v %+v", r.Data, r.Errors)
	}
	if m := sub.next(); dig(m, "groupRoster", "node", "user", "handle") != "joiner" {
		t.Errorf("B's subscriber: %v", m)
	}
	t.Logf("A's commit reached B's subscriber in %v", time.Since(start))
}

// TestWebSocketOrigins: a browser page from another site cannot open a
// socket (cross-site websocket hijacking); tools without an Origin can.
func TestWebSocketOrigins(t *testing.T) {
	s := startLive(t)
	url := "ws" + strings.TrimPrefix(s.url, "http") + "/graphql"
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	for origin, want := range map[string]int{"https://evil.example": http.StatusForbidden, "": http.StatusSwitchingProtocols, s.url: http.StatusSwitchingProtocols} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		conn, resp, err := d.Dial(url, h)
		if resp == nil || resp.StatusCode != want {
			t.Errorf("origin %q: %v %v, want %d", origin, resp, err, want)
		}
		if conn != nil {
			_ = conn.Close()
		}
	}
	// No subprotocol: refused before upgrading.
	if _, resp, _ := (&websocket.Dialer{}).Dial(url, nil); resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no subprotocol: %v", resp)
	}
}

// TestWebSocketCaps: the configured caps hold — sockets per anonymous
// address (1008), subscriptions per socket (an error for the extra id, the
// socket lives on) and message size (1009).
func TestWebSocketCaps(t *testing.T) {
	s := serveLive(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
		return dbtest.Open(t, dbtest.WithDriver(wrap))
	}, broker.Options{}, server.Config{MaxSocketsPerAddress: 2, MaxSubscriptionsPerSocket: 1, MaxMessageBytes: 2048})
	sys := dbtest.FixtureContext(t)
	com := s.db.Client.Community.Create().SetName("OpenStack").SetSlug("openstack").SaveX(sys)
	feed := `subscription($c: ID!) { changes(community: $c) { cursor } }`
	vars := map[string]any{"c": string(com.ID)}

	first := s.dial(t, "")
	first.subscribe("a", feed, vars)
	waitSubscribers(t, s, 1)
	first.subscribe("b", feed, vars)
	if m := first.read(); m["type"] != "error" || m["id"] != "b" {
		t.Errorf("a second subscription on a socket capped at one: %v", m)
	}
	_ = s.dial(t, "")

	// A third socket from the same address is closed once it says who it is.
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(s.url, "http")+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.WriteJSON(map[string]any{"type": "connection_init"})
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
		t.Errorf("third socket: %v, want close 1008", err)
	}

	// An oversized message closes the socket that sent it.
	big := strings.Repeat("x", 4096)
	first.subscribe("c", `{ __typename }`, map[string]any{"pad": big})
	_ = first.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := first.conn.ReadMessage()
		if err == nil {
			continue
		}
		if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
			t.Errorf("oversized message: %v, want close 1009", err)
		}
		break
	}
}
