package server_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
)

// nextWithin is next with a longer deadline, for deliveries that wait on a
// slow transaction.
func (s *socket) nextWithin(d time.Duration) map[string]any {
	s.t.Helper()
	_ = s.conn.SetReadDeadline(time.Now().Add(d))
	var m map[string]any
	if err := s.conn.ReadJSON(&m); err != nil {
		s.t.Fatalf("reading from the socket: %v", err)
	}
	if m["type"] != "next" {
		s.t.Fatalf("want next, got %v", m)
	}
	data, _ := dig(m, "payload", "data").(map[string]any)
	return data
}

// TestLateCommitReachesSubscribers: a transaction that keeps its changes
// uncommitted for 10 s, far past the broker's 2 s hold on the hole they
// leave, while another member joins. On PostgreSQL the join is delivered
// first and the slow transaction's roles arrive late when it commits; on
// SQLite the slow transaction holds the write lock, so the join waits for
// it and everything arrives in order. Either way every change reaches the
// live subscriber once, and a subscriber resuming from the cursor it held
// during the hold is replayed exactly what it had not seen.
func TestLateCommitReachesSubscribers(t *testing.T) {
	const slowHold = 10 * time.Second
	s := serveLive(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
		return dbtest.OpenConcurrent(t, dbtest.WithDriver(wrap))
	}, broker.Options{})
	pg := s.db.Dialect == dialect.Postgres
	sys := dbtest.FixtureContext(t)
	tx, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(com.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").SetCountry("US").SetStatus("ACTIVE").SaveX(sys)
	user := func(h string) (*ent.User, string) {
		u := tx.User.Create().SetHandle(h).SetName(h).SaveX(sys)
		tok, _ := dbtest.APIToken(t, sys, tx.Client(), u.ID, "read", "write")
		return u, tok
	}
	org, orgTok := user("org")
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	_, earlyTok := user("early")
	_, quickTok := user("quick")
	_, lastTok := user("last")
	var slowUsers []*ent.User
	for i := range 3 {
		u, _ := user(fmt.Sprintf("slow%d", i))
		slowUsers = append(slowUsers, u)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	const roster = `subscription($g: ID!, $after: Cursor) { groupRoster(group: $g, after: $after) { cursor op node { user { handle } } } }`
	join := func(tok string) {
		if r := s.post(t, tok, `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`, map[string]any{"g": string(g.ID)}); dig(r.Data, "joinGroup", "role", "status") != "ACTIVE" {
			t.Errorf("join: %+v %+v", r.Data, r.Errors)
		}
	}
	type item struct{ handle, cursor string }
	itemOf := func(m map[string]any) item {
		h, _ := dig(m, "groupRoster", "node", "user", "handle").(string)
		c, _ := dig(m, "groupRoster", "cursor").(string)
		return item{h, c}
	}
	// "From now" is the broker's position: let it pass the setup first.
	latest, err := s.broker.Latest(sys)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); s.broker.Metrics().Position < latest; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the broker did not catch up")
		}
	}
	board := s.dial(t, orgTok)
	board.subscribe("r", roster, map[string]any{"g": string(g.ID)})
	waitSubscribers(t, s, 1)
	join(earlyTok)
	early := itemOf(board.next())
	if early.handle != "early" {
		t.Fatalf("first item: %+v", early)
	}

	// The slow transaction: three roles, their change rows inserted at
	// once and committed slowHold later (on SQLite it holds the write lock
	// all along: its transactions begin IMMEDIATE).
	slow, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = slow.Rollback() }()
	began := time.Now()
	for _, u := range slowUsers {
		slow.Role.Create().SetUserID(u.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindMEMBER).ExecX(sys)
	}
	joined := make(chan struct{})
	go func() {
		defer close(joined)
		if !pg {
			// Waits for the lock; started late enough that the wait stays
			// within SQLite's 10 s busy timeout.
			time.Sleep(slowHold / 2)
		}
		join(quickTok)
	}()

	// held is the cursor the board holds when the slow transaction
	// commits: on PostgreSQL that of the join, delivered once the hold on
	// the slow transaction's hole expired; on SQLite nothing could commit
	// meanwhile.
	var got []item
	held := early.cursor
	if pg {
		got = append(got, itemOf(board.nextWithin(slowHold)))
		if got[0].handle != "quick" {
			t.Fatalf("during the hold: %+v", got)
		}
		held = got[0].cursor
	}
	before := len(got)
	time.Sleep(slowHold - time.Since(began))
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	<-joined
	for len(got) < 4 {
		got = append(got, itemOf(board.nextWithin(slowHold)))
	}
	var handles []string
	for _, it := range got {
		handles = append(handles, it.handle)
	}
	want := []string{"slow0", "slow1", "slow2", "quick"}
	if pg {
		want = []string{"quick", "slow0", "slow1", "slow2"} // late, out of sequence order
	}
	if !slices.Equal(handles, want) {
		t.Fatalf("the board received %v, want %v", handles, want)
	}
	t.Logf("broker after the slow commit: %+v", s.broker.Metrics())

	// Resuming from the cursor held during the hold replays what the board
	// received after it (in sequence order), and nothing it had already;
	// resuming from the last cursor replays nothing.
	resumed := s.dial(t, orgTok)
	resumed.subscribe("r", roster, map[string]any{"g": string(g.ID), "after": held})
	var replayed []string
	for range len(got) - before {
		replayed = append(replayed, itemOf(resumed.next()).handle)
	}
	if !slices.Equal(replayed, handles[before:]) {
		t.Errorf("resuming from the cursor held during the hold replayed %v, want %v", replayed, handles[before:])
	}
	current := s.dial(t, orgTok)
	current.subscribe("r", roster, map[string]any{"g": string(g.ID), "after": got[len(got)-1].cursor})
	waitSubscribers(t, s, 3)
	join(lastTok)
	for name, sock := range map[string]*socket{"board": board, "resumed": resumed, "current": current} {
		if it := itemOf(sock.next()); it.handle != "last" {
			t.Errorf("%s: next item %+v, want last (nothing twice)", name, it)
		}
	}
}
