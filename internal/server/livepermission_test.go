package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/oidc"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/workflow"
)

// identityProvider is an OpenID provider in a test server, so that sockets
// can sign in as people (API tokens never read registrations).
type identityProvider struct {
	srv    *httptest.Server
	signer jose.Signer
}

func newIdentityProvider(t *testing.T) *identityProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &identityProvider{}
	mux := http.NewServeMux()
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/jwks",
			"authorization_endpoint": p.srv.URL + "/auth", "token_endpoint": p.srv.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	if p.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *identityProvider) verifier(t *testing.T) *oidc.Verifier {
	t.Helper()
	v, err := oidc.New(oidc.Config{Issuer: p.srv.URL, Audience: "usergroups", HTTPClient: p.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// token signs an ID token for subject that expires at exp.
func (p *identityProvider) token(t *testing.T, subject string, exp time.Time) string {
	t.Helper()
	raw, err := jwt.Signed(p.signer).Claims(jwt.Claims{
		Issuer: p.srv.URL, Subject: subject, Audience: jwt.Audience{"usergroups"},
		Expiry: jwt.NewNumericDate(exp), IssuedAt: jwt.NewNumericDate(time.Now()),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// replicaPair returns two replicas of the API on one database: on
// PostgreSQL two servers with brokers of their own, so that what is done
// through a reaches b only through the change log (with a long poll, so
// through NOTIFY); on SQLite, whose in-memory database one process owns,
// the same server twice. People sign in through idp; a clock, if given,
// is the one credentials expire by.
func replicaPair(t *testing.T, idp *identityProvider, clock ...*manualClock) (a, b *liveServer) {
	t.Helper()
	setup := func(db *store.DB, src *live.Source, cfg *server.Config) {
		cfg.Auth = auth.New(workflow.NewRunner(db.Client, nil), idp.verifier(t), quietLogger())
		if len(clock) > 0 {
			cfg.Auth = auth.New(workflow.NewRunner(db.Client, clock[0].Now), idp.verifier(t), quietLogger())
			src.Clock = clock[0]
		}
	}
	if os.Getenv(dbtest.EnvDatabase) == "" {
		s := serveLiveWith(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
			return dbtest.Open(t, dbtest.WithDriver(wrap))
		}, broker.Options{}, setup)
		return s, s
	}
	dsn := dbtest.DSN(t)
	replicas := make([]*liveServer, 2)
	for i := range replicas {
		replicas[i] = serveLiveWith(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
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
		}, broker.Options{ListenDSN: dsn, PollInterval: time.Minute}, setup)
	}
	return replicas[0], replicas[1]
}

// settle waits until s's broker has delivered everything in the log, so
// that a subscription from now starts after what the test set up.
func settle(t *testing.T, s *liveServer) {
	t.Helper()
	latest, err := s.broker.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.broker.Metrics().Position < latest {
		if time.Now().After(deadline) {
			t.Fatalf("the broker did not reach change %d", latest)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// liveWorld is one group with an event, its organizer, a community
// manager and people who come and go; everyone signs in through idp.
type liveWorld struct {
	community, group, event pulid.ID
	organizer, manager      *ent.User
	managerRole             pulid.ID
	// managerToken is a read and write API token of the manager's.
	managerToken string
	// people are the others, by handle.
	people map[string]*ent.User
}

func buildLiveWorld(t *testing.T, db *store.DB, idp *identityProvider, people ...string) liveWorld {
	t.Helper()
	sys := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	var w liveWorld
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(com.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").
		SetCountry("US").SetLatitude(37.80).SetLongitude(-122.27).SetStatus("ACTIVE").SaveX(sys)
	start := time.Now().AddDate(0, 0, 7)
	ev := tx.Event.Create().SetGroupID(g.ID).SetTitle("Meetup").SetTimeZone("America/Los_Angeles").
		SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetStatus("PUBLISHED").SaveX(sys)
	w.community, w.group, w.event = com.ID, g.ID, ev.ID
	person := func(handle string) *ent.User {
		u := tx.User.Create().SetHandle(handle).SetName(handle).SetOidcIssuer(idp.srv.URL).SetOidcSubject(handle).SaveX(sys)
		tx.Contact.Create().SetUserID(u.ID).SetEmail(handle + "@example.org").ExecX(sys)
		return u
	}
	w.organizer = person("organizer")
	tx.Role.Create().SetUserID(w.organizer.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	w.manager = person("manager")
	w.managerRole = tx.Role.Create().SetUserID(w.manager.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).SaveX(sys).ID
	w.managerToken, _ = dbtest.APIToken(t, sys, tx.Client(), w.manager.ID, "read", "write")
	w.people = map[string]*ent.User{}
	for _, h := range people {
		w.people[h] = person(h)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return w
}

// buildSettledLiveWorld is buildLiveWorld through a, once b has delivered it.
func buildSettledLiveWorld(t *testing.T, a, b *liveServer, idp *identityProvider, people ...string) liveWorld {
	t.Helper()
	w := buildLiveWorld(t, a.db, idp, people...)
	settle(t, b)
	return w
}

// signIn is the bearer token of a person of the world for an hour.
func signIn(t *testing.T, idp *identityProvider, handle string) string {
	return idp.token(t, handle, time.Now().Add(time.Hour))
}

// demote ends a role as the system would (a term's end, a staff decision
// taken elsewhere): only the change log tells the replicas.
func demote(t *testing.T, db *store.DB, roleID pulid.ID) {
	t.Helper()
	sys := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	tx.Role.UpdateOneID(roleID).SetStatus(role.StatusREMOVED).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestDemotedOrganizerLosesPrivateFieldsLive: an organizer watching the
// roster and an event's registrations sees members' emails and the
// registrations; once demoted (through the other replica), the very next
// deliveries carry neither, on both subscriptions — the viewer of a socket
// is the person as they are now, not as they were at connection_init.
func TestDemotedOrganizerLosesPrivateFieldsLive(t *testing.T) {
	idp := newIdentityProvider(t)
	a, b := replicaPair(t, idp)
	w := buildSettledLiveWorld(t, a, b, idp, "ada", "bob")
	vars := map[string]any{"g": string(w.group), "e": string(w.event)}

	orgJWT := signIn(t, idp, "organizer")
	roster := b.dial(t, orgJWT)
	roster.subscribe("r", `subscription($g: ID!) { groupRoster(group: $g) { op node { status user { handle contact { email } } } } }`, vars)
	regs := b.dial(t, orgJWT)
	regs.subscribe("e", `subscription($e: ID!) { eventRegistrations(event: $e) { op node { status user { handle contact { email } } } } }`, vars)
	waitSubscribers(t, b, 2)

	const join = `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } userErrors { code } } }`
	const register = `mutation($e: ID!) { registerForEvent(input: {id: $e}) { registration { status } userErrors { code } } }`
	for _, m := range []struct{ q, who string }{{join, "ada"}, {register, "ada"}} {
		if r := a.post(t, signIn(t, idp, m.who), m.q, vars); len(r.Errors) > 0 || code(r) != nil {
			t.Fatalf("%s: %+v %+v", m.who, r.Data, r.Errors)
		}
	}
	if m := roster.next(); dig(m, "groupRoster", "node", "user", "contact", "email") != "ada@example.org" {
		t.Fatalf("the organizer sees a new member's email: %v", m)
	}
	if m := regs.next(); dig(m, "eventRegistrations", "node", "user", "contact", "email") != "ada@example.org" {
		t.Fatalf("the organizer sees the registration: %v", m)
	}

	orgRole := a.db.Client.Role.Query().Where(role.UserID(w.organizer.ID)).OnlyX(dbtest.FixtureContext(t))
	demote(t, a.db, orgRole.ID)
	for _, m := range []struct{ q, who string }{{join, "bob"}, {register, "bob"}} {
		if r := a.post(t, signIn(t, idp, m.who), m.q, vars); len(r.Errors) > 0 || code(r) != nil {
			t.Fatalf("%s: %+v %+v", m.who, r.Data, r.Errors)
		}
	}
	if m := roster.next(); dig(m, "groupRoster", "node", "user", "handle") != "organizer" || dig(m, "groupRoster", "node", "status") != "REMOVED" {
		t.Errorf("the organizer sees their own role end: %v", m)
	}
	m := roster.next()
	if dig(m, "groupRoster", "node", "user", "handle") != "bob" {
		t.Fatalf("the roster's next item is bob joining: %v", m)
	}
	if email := dig(m, "groupRoster", "node", "user", "contact"); email != nil {
		t.Errorf("a demoted organizer was sent a new member's contact: %v", email)
	}
	m = regs.next()
	if node := dig(m, "eventRegistrations", "node"); node != nil {
		t.Errorf("a demoted organizer was sent a registration: %v", node)
	}
}

// TestDemotedManagerLosesTheQueueLive: a community manager's approval
// board and activity feed stop receiving other people's applications as
// soon as the role ends; their own application still arrives, so the
// stream goes on.
func TestDemotedManagerLosesTheQueueLive(t *testing.T) {
	idp := newIdentityProvider(t)
	a, b := replicaPair(t, idp)
	w := buildSettledLiveWorld(t, a, b, idp, "applicant", "second")
	vars := map[string]any{"c": string(w.community)}
	queue := b.dial(t, w.managerToken)
	queue.subscribe("q", `subscription($c: ID!) { approvalQueue(community: $c) { op node { id } } }`, vars)
	feed := b.dial(t, w.managerToken)
	feed.subscribe("f", `subscription($c: ID!) { changes(community: $c, topics: [APPLICATION]) { op node { id } } }`, vars)
	waitSubscribers(t, b, 2)

	apply := func(token, name, city, country string) string {
		t.Helper()
		r := a.post(t, token, `mutation($c: ID!, $n: String!, $city: String!, $cc: String!) { applyForGroup(input: {community: $c, name: $n,
			city: $city, country: $cc, description: "Operators meeting monthly.", acceptCodeOfConduct: true}) { application { id } userErrors { code message } } }`,
			map[string]any{"c": string(w.community), "n": name, "city": city, "cc": country})
		if len(r.Errors) > 0 || code(r) != nil {
			t.Fatalf("apply: %+v %+v", r.Data, r.Errors)
		}
		id, _ := dig(r.Data, "applyForGroup", "application", "id").(string)
		return id
	}
	first := apply(signIn(t, idp, "applicant"), "Lyon", "Lyon", "FR")
	if m := queue.next(); dig(m, "approvalQueue", "node", "id") != first {
		t.Fatalf("the manager's queue: %v", m)
	}
	if m := feed.next(); dig(m, "changes", "node", "id") != first {
		t.Fatalf("the manager's feed: %v", m)
	}

	demote(t, a.db, w.managerRole)
	_ = apply(signIn(t, idp, "second"), "Nantes", "Nantes", "FR")
	own := apply(w.managerToken, "Lille", "Lille", "FR")
	// Submitting writes more than one change of an application; those of
	// the first one, committed before the demotion, may still come.
	for sock, field := range map[*socket]string{queue: "approvalQueue", feed: "changes"} {
		m := sock.next()
		for dig(m, field, "node", "id") == first {
			m = sock.next()
		}
		if dig(m, field, "node", "id") != own {
			t.Errorf("%s: after the demotion the next application must be their own, not someone else's: %v", field, m)
		}
	}
}

// expectClose reads until the server closes the socket and fails unless it
// closes with code before deadline; no data may arrive first.
func (s *socket) expectClose(code int, deadline time.Time) {
	s.t.Helper()
	_ = s.conn.SetReadDeadline(deadline)
	for {
		var m map[string]any
		err := s.conn.ReadJSON(&m)
		if err == nil {
			if m["type"] == "ping" || m["type"] == "pong" {
				continue
			}
			s.t.Fatalf("want close %d, got %v", code, m)
		}
		if !websocket.IsCloseError(err, code) {
			s.t.Fatalf("want close %d, got %v", code, err)
		}
		return
	}
}

// TestRevokedTokenClosesItsSocketsLive: revoking an API token (through
// the other replica) closes every socket it opened with 4403 within a
// second — a busy one and an idle one; the owner's other token goes on,
// and the revoked one cannot open a socket again. Nothing is left running.
func TestRevokedTokenClosesItsSocketsLive(t *testing.T) {
	idp := newIdentityProvider(t)
	a, b := replicaPair(t, idp)
	w := buildSettledLiveWorld(t, a, b, idp, "owner", "joiner")
	sys := dbtest.FixtureContext(t)
	mint := func() (string, pulid.ID) {
		it, err := workflow.NewRunner(a.db.Client, nil).CreateAPIToken(sys, workflow.NewToken{OwnerID: w.people["owner"].ID, Name: "sync", Scopes: []string{"read"}})
		if err != nil {
			t.Fatal(err)
		}
		return it.Secret, it.Token.ID
	}
	revoked, revokedID := mint()
	kept, _ := mint()

	vars := map[string]any{"g": string(w.group)}
	const roster = `subscription($g: ID!) { groupRoster(group: $g) { op node { user { handle } } } }`
	busy := b.dial(t, revoked)
	busy.subscribe("r", roster, vars)
	idle := b.dial(t, revoked)
	other := b.dial(t, kept)
	other.subscribe("r", roster, vars)
	waitSubscribers(t, b, 2)

	r := a.post(t, signIn(t, idp, "owner"), `mutation($id: ID!) { revokeAPIToken(input: {id: $id}) { apiToken { revokedAt } } }`,
		map[string]any{"id": string(revokedID)})
	if dig(r.Data, "revokeAPIToken", "apiToken", "revokedAt") == nil {
		t.Fatalf("revoke: %+v %+v", r.Data, r.Errors)
	}
	revokedAt := time.Now()
	busy.expectClose(4403, revokedAt.Add(time.Second))
	idle.expectClose(4403, revokedAt.Add(time.Second))
	t.Logf("the revocation closed both sockets %v after it committed", time.Since(revokedAt))

	if r := a.post(t, signIn(t, idp, "joiner"), `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`, vars); dig(r.Data, "joinGroup", "role", "status") != "ACTIVE" {
		t.Fatalf("join: %+v %+v", r.Data, r.Errors)
	}
	if m := other.next(); dig(m, "groupRoster", "node", "user", "handle") != "joiner" {
		t.Errorf("the owner's other token: %v", m)
	}
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(b.url, "http")+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	again := &socket{t: t, conn: conn}
	again.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + revoked}})
	again.expectClose(4403, time.Now().Add(10*time.Second))

	_ = other.conn.Close()
	waitQuiet(t)
}

// waitQuiet waits (bounded) until no goroutine runs code of the websocket
// transport or of live delivery — every socket, subscription, credential
// worker and expiry timer of the test has ended — and fails otherwise.
// (Goroutines of the database pools and HTTP keep-alives come and go on
// their own, so a bare count would not tell.)
func waitQuiet(t *testing.T) {
	t.Helper()
	ours := func() (string, bool) {
		buf := make([]byte, 1<<20)
		all := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(all, "\n\n") {
			if strings.Contains(g, "usergroups/internal/transport/ws.") || strings.Contains(g, "usergroups/internal/live.") {
				return g, true
			}
		}
		return "", false
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, busy := ours(); !busy {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	if g, busy := ours(); busy {
		t.Fatalf("a goroutine of the sockets or of live delivery outlived them:\n%s", g)
	}
}

// manualClock is a clock that moves only when the test says, and then
// fires the timers whose time has come.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*manualTimer]struct{}
}

type manualTimer struct {
	at time.Time
	f  func()
}

func newManualClock(now time.Time) *manualClock {
	return &manualClock{now: now, timers: map[*manualTimer]struct{}{}}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm := &manualTimer{at: c.now.Add(d), f: f}
	c.timers[tm] = struct{}{}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, pending := c.timers[tm]
		delete(c.timers, tm)
		return pending
	}
}

// Advance moves the clock by d and fires the timers due by then.
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	for tm := range c.timers {
		if !tm.at.After(c.now) {
			due = append(due, tm.f)
			delete(c.timers, tm)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		go f()
	}
}

// TestExpiredCredentialsCloseTheirSocketsLive: a socket opened with an API
// token that expires, or with an OIDC token, is closed with 4403 when that
// credential expires — each at its own time, by the server's clock — and
// the expired token cannot open another.
func TestExpiredCredentialsCloseTheirSocketsLive(t *testing.T) {
	idp := newIdentityProvider(t)
	clock := newManualClock(time.Now())
	a, b := replicaPair(t, idp, clock)
	w := buildSettledLiveWorld(t, a, b, idp, "owner", "joiner")
	day := 1 // the shortest lifetime a token may have
	tok, err := workflow.NewRunner(a.db.Client, clock.Now).CreateAPIToken(dbtest.FixtureContext(t),
		workflow.NewToken{OwnerID: w.people["owner"].ID, Name: "sync", Scopes: []string{"read"}, ExpiresInDays: &day})
	if err != nil {
		t.Fatal(err)
	}
	secret := tok.Secret
	vars := map[string]any{"g": string(w.group)}
	const roster = `subscription($g: ID!) { groupRoster(group: $g) { op node { user { handle } } } }`
	byToken := b.dial(t, secret)
	byToken.subscribe("r", roster, vars)
	// The identity provider's token: exp two minutes from now (OIDC
	// verification allows a minute of clock skew, by the real clock).
	byOIDC := b.dial(t, idp.token(t, "owner", time.Now().Add(2*time.Minute)))
	byOIDC.subscribe("r", roster, vars)
	waitSubscribers(t, b, 2)

	clock.Advance(90 * time.Second)
	if r := a.post(t, signIn(t, idp, "joiner"), `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`, vars); dig(r.Data, "joinGroup", "role", "status") != "ACTIVE" {
		t.Fatalf("join: %+v %+v", r.Data, r.Errors)
	}
	for _, s := range []*socket{byToken, byOIDC} {
		if m := s.next(); dig(m, "groupRoster", "node", "user", "handle") != "joiner" {
			t.Errorf("before either credential expired: %v", m)
		}
	}

	clock.Advance(time.Minute) // past the OIDC token's exp
	byOIDC.expectClose(4403, time.Now().Add(10*time.Second))
	clock.Advance(24 * time.Hour) // past the API token's expiry
	byToken.expectClose(4403, time.Now().Add(10*time.Second))

	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(b.url, "http")+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	again := &socket{t: t, conn: conn}
	again.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + secret}})
	again.expectClose(4403, time.Now().Add(10*time.Second))
	waitQuiet(t)
}
