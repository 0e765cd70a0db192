package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/server"
)

// sharingPair is one database and change broker served twice: shared
// with subscriptions sharing executions, alone with each running alone.
type sharingPair struct {
	shared, alone *liveServer
}

func serveSharingPair(t *testing.T) sharingPair {
	t.Helper()
	var p sharingPair
	p.shared = startLive(t)
	var cfg server.Config
	cfg.Logger, cfg.Live, cfg.UnsharedSubscriptions = quietLogger(), p.shared.src, true
	alone := server.New(p.shared.db, cfg)
	hs := httptest.NewServer(alone)
	t.Cleanup(func() {
		_ = alone.Shutdown(context.Background())
		hs.Close()
	})
	p.alone = &liveServer{db: p.shared.db, url: hs.URL, broker: p.shared.broker, src: p.shared.src}
	return p
}

// shareWorld is a community with three managers (read tokens for their
// sockets, write tokens to act) and an applicant.
type shareWorld struct {
	community pulid.ID
	roles     []pulid.ID
	read      []string
	write     []string
	applicant string // a write token
}

func buildShareWorld(t *testing.T, s *liveServer) shareWorld {
	t.Helper()
	sys := dbtest.FixtureContext(t)
	tx, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	var w shareWorld
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	w.community = com.ID
	for _, h := range []string{"m1", "m2", "m3"} {
		u := tx.User.Create().SetHandle(h).SetName(h).SaveX(sys)
		w.roles = append(w.roles, tx.Role.Create().SetUserID(u.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).SaveX(sys).ID)
		r, _ := dbtest.APIToken(t, sys, tx.Client(), u.ID, "read")
		wr, _ := dbtest.APIToken(t, sys, tx.Client(), u.ID, "read", "write")
		w.read, w.write = append(w.read, r), append(w.write, wr)
	}
	a := tx.User.Create().SetHandle("applicant").SetName("applicant").SaveX(sys)
	w.applicant, _ = dbtest.APIToken(t, sys, tx.Client(), a.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	settle(t, s)
	return w
}

func (w shareWorld) apply(t *testing.T, s *liveServer, token, name string) string {
	t.Helper()
	r := s.post(t, token, `mutation($c: ID!, $n: String!) { applyForGroup(input: {community: $c, name: $n,
		city: "Lyon", country: "FR", description: "Operators meeting monthly.", acceptCodeOfConduct: true}) { application { id } userErrors { code message } } }`,
		map[string]any{"c": string(w.community), "n": name})
	if len(r.Errors) > 0 || code(r) != nil {
		t.Fatalf("apply: %+v %+v", r.Data, r.Errors)
	}
	id, _ := dig(r.Data, "applyForGroup", "application", "id").(string)
	return id
}

// waitJoins waits until n subscriptions joined shared executions on s:
// joining one registers no broker subscription of its own.
func waitJoins(t *testing.T, s *liveServer, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.metrics().SharedJoins.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d subscriptions joined", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawNext returns the payload of the next message, which must be next.
func (s *socket) rawNext() json.RawMessage {
	s.t.Helper()
	_ = s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m struct {
		Type    string
		Payload json.RawMessage
	}
	if err := s.conn.ReadJSON(&m); err != nil {
		s.t.Fatalf("reading from the socket: %v", err)
	}
	if m.Type != "next" {
		s.t.Fatalf("want next, got %s %s", m.Type, m.Payload)
	}
	return m.Payload
}

// queueDocument is S7's: it selects only fields a manager's role decides.
const queueDocument = `subscription Queue($c: ID!) { approvalQueue(community: $c) { cursor op at actor { handle } node { id status kind } } }`

// TestSharedQueueRendersOnceAndAlike: three managers on one community's
// queue share one execution; each receives, byte for byte, what the same
// subscription running alone sends them, including the manager who is
// the applicant and actor of the changed application.
func TestSharedQueueRendersOnceAndAlike(t *testing.T) {
	p := serveSharingPair(t)
	w := buildShareWorld(t, p.shared)
	vars := map[string]any{"c": string(w.community)}
	var shared, alone []*socket
	for _, tok := range w.read {
		s := p.shared.dial(t, tok)
		s.subscribe("q", queueDocument, vars)
		a := p.alone.dial(t, tok)
		a.subscribe("q", queueDocument, vars)
		shared, alone = append(shared, s), append(alone, a)
	}
	waitSubscribers(t, p.shared, 1+len(alone))
	waitJoins(t, p.shared, int64(len(shared)))

	w.apply(t, p.shared, w.write[1], "Lyon") // m2 applies: applicant and actor
	var first json.RawMessage
	for i := range shared {
		got, want := shared[i].rawNext(), alone[i].rawNext()
		if !bytes.Equal(got, want) {
			t.Errorf("manager %d: shared %s, alone %s", i+1, got, want)
		}
		if first == nil {
			first = got
		} else if !bytes.Equal(got, first) {
			t.Errorf("manager %d got %s, manager 1 %s", i+1, got, first)
		}
	}
	if n := p.shared.metrics().SharedExecutions.Load(); n != 1 {
		t.Errorf("executions for three managers of one class: %d, want 1", n)
	}
}

// TestIdentityDependentDocumentIsNotSharedAcrossPeople: a field that
// reads the viewer's identity keeps each person to their own execution;
// two sockets of one person still share.
func TestIdentityDependentDocumentIsNotSharedAcrossPeople(t *testing.T) {
	p := serveSharingPair(t)
	w := buildShareWorld(t, p.shared)
	vars := map[string]any{"c": string(w.community)}
	const doc = `subscription($c: ID!) { approvalQueue(community: $c) { cursor node { id viewerCanReview } } }`
	var socks []*socket
	for _, tok := range append(w.read, w.read[0]) {
		s := p.shared.dial(t, tok)
		s.subscribe("q", doc, vars)
		socks = append(socks, s)
	}
	waitSubscribers(t, p.shared, len(w.read))
	waitJoins(t, p.shared, int64(len(socks)))
	w.apply(t, p.shared, w.write[0], "Lyon")
	for _, s := range socks {
		s.rawNext()
	}
	if n := p.shared.metrics().SharedExecutions.Load(); n != int64(len(w.read)) {
		t.Errorf("executions: %d, want one per person (%d)", n, len(w.read))
	}
	if n := p.shared.metrics().SharedJoins.Load(); n != int64(len(socks)) {
		t.Errorf("joins: %d, want %d", n, len(socks))
	}
}

// TestDemotedManagerLeavesTheSharedQueue: a manager whose role ends while
// sharing the queue with another stops receiving the queue's items (their
// own application still arrives: they go on alone), while the other
// manager keeps receiving everything.
func TestDemotedManagerLeavesTheSharedQueue(t *testing.T) {
	p := serveSharingPair(t)
	w := buildShareWorld(t, p.shared)
	vars := map[string]any{"c": string(w.community)}
	demoted, kept := p.shared.dial(t, w.read[0]), p.shared.dial(t, w.read[2])
	demoted.subscribe("q", queueDocument, vars)
	kept.subscribe("q", queueDocument, vars)
	waitSubscribers(t, p.shared, 1)
	waitJoins(t, p.shared, 2)

	first := w.apply(t, p.shared, w.applicant, "Lyon")
	for _, s := range []*socket{demoted, kept} {
		if m := s.next(); dig(m, "approvalQueue", "node", "id") != first {
			t.Fatalf("before the demotion: %v", m)
		}
	}
	demote(t, p.shared.db, w.roles[0])
	other := w.apply(t, p.shared, w.applicant, "Nantes")
	own := w.apply(t, p.shared, w.write[0], "Lille")
	m := demoted.next()
	for dig(m, "approvalQueue", "node", "id") == first {
		m = demoted.next() // the first application's later changes
	}
	if dig(m, "approvalQueue", "node", "id") != own {
		t.Errorf("after the demotion the next application must be their own, not someone else's: %v", m)
	}
	seen := map[any]bool{}
	for !seen[own] {
		seen[dig(kept.next(), "approvalQueue", "node", "id")] = true
	}
	if !seen[other] {
		t.Errorf("the manager still in the class missed %s", other)
	}
	if n := p.shared.metrics().SharedExecutions.Load(); n != 1 {
		t.Errorf("shared executions: %d, want 1", n)
	}
}
