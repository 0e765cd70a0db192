package live

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestCredentialViewersFollowTheLog: the sockets of one credential share
// one current viewer; a change delivered to a dozen of its subscriptions
// costs no query for the viewer; a demotion costs two queries (whose role,
// their roles) however many subscriptions the person holds, and no
// delivery after it in the log is rendered with the old roles; revoking the
// token ends every context attached with it.
func TestCredentialViewersFollowTheLog(t *testing.T) {
	db, b := runBroker(t)
	sys := dbtest.FixtureContext(t)

	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("Alpha").SetSlug("alpha").SaveX(sys)
	g := tx.Group.Create().SetCommunityID(com.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SaveX(sys)
	org := tx.User.Create().SetHandle("org").SetName("Org").SaveX(sys)
	orgRole := tx.Role.Create().SetUserID(org.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).SaveX(sys)
	start := time.Now().AddDate(0, 0, 7)
	draft := tx.Event.Create().SetGroupID(g.ID).SetTitle("Draft").SetTimeZone("UTC").SetStartsAt(start).
		SetEndsAt(start.Add(time.Hour)).SaveX(sys) // drafts: organizers and staff only
	_, tok := dbtest.APIToken(t, sys, tx.Client(), org.ID, "read")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, b)

	// The source loads through a counted client of its own; the broker and
	// the writes below are not counted.
	gate := &ownerGate{Driver: entsql.OpenDB(db.Dialect, db.SQL), entered: make(chan struct{}, 1)}
	counter := dbtest.NewCounter(gate)
	src := &Source{Broker: b, Client: ent.NewClient(ent.Driver(counter))}
	v, err := authz.ViewerFor(sys, db.Client, org.ID, &viewer.Token{ID: tok.ID, Scopes: tok.Scopes})
	if err != nil {
		t.Fatal(err)
	}
	var (
		sockets []context.Context
		items   []<-chan *Item
	)
	for range 3 {
		sock, closeSocket := context.WithCancel(context.Background())
		t.Cleanup(closeSocket)
		ctx, err := src.Attach(sock, v)
		if err != nil {
			t.Fatal(err)
		}
		sockets = append(sockets, ctx)
		for range 4 {
			sub, err := src.Subscribe(ctx, nil, func(c *ent.Change) bool { return c.Topic == "event" })
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, Deliver(ctx, sub, func(it *Item) (*Item, bool) { return it, true }))
		}
	}
	if viewer.FromContext(sockets[0]) != viewer.FromContext(sockets[2]) {
		t.Error("two sockets of one credential hold different viewers")
	}
	if n := src.Subscribers(); n != 12 {
		t.Errorf("Subscribers() = %d, want the 12 subscriptions (not the source's own)", n)
	}

	write := func(f func(tx *ent.Tx)) {
		t.Helper()
		tx, err := db.Client.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		f(tx)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	rename := func(title string) {
		write(func(tx *ent.Tx) { tx.Event.UpdateOneID(draft.ID).SetTitle(title).ExecX(sys) })
	}
	read := func(ch <-chan *Item) *Item {
		t.Helper()
		select {
		case it, ok := <-ch:
			if !ok {
				t.Fatal("the stream closed")
			}
			return it
		case <-time.After(10 * time.Second):
			t.Fatal("no item within 10 s")
			return nil
		}
	}

	counter.Reset()
	rename("Still a draft")
	for i, ch := range items {
		if it := read(ch); it.Node == nil {
			t.Fatalf("subscription %d: the organizer did not see the draft", i)
		}
	}
	if n := counter.Count(); n != 2 {
		t.Errorf("%d queries to deliver one change to 12 subscriptions of one credential, want 2 (the node as the system, then as its viewer class)", n)
	}

	// The demotion and the next change commit back to back. While the
	// source is still finding out whose role changed, the second change
	// waits; then it goes out without the organizer's roles.
	counter.Reset()
	gate.shut()
	write(func(tx *ent.Tx) { tx.Role.UpdateOneID(orgRole.ID).SetStatus(role.StatusREMOVED).ExecX(sys) })
	rename("Draft again")
	<-gate.entered
	select {
	case it := <-items[0]:
		t.Fatalf("a change after the demotion went out before the demotion was applied (node %v)", it.Node)
	case <-time.After(200 * time.Millisecond):
	}
	gate.open()
	for i, ch := range items {
		if it := read(ch); it.Node != nil {
			t.Fatalf("subscription %d: the draft reached a demoted organizer", i)
		}
	}
	if n := counter.Count(); n != 4 {
		t.Errorf("%d queries for a demotion and one change to 12 subscriptions, want 4 (whose role, their roles, the node twice)", n)
	}
	if got := viewer.FromContext(sockets[1]); got.HasGroupRole(g.ID, viewer.Organizer) || got.Token == nil || got.Token.ID != tok.ID {
		t.Errorf("the socket's viewer after the demotion: %+v", got)
	}

	if _, err := workflow.NewRunner(db.Client, nil).RevokeAPIToken(sys, tok.ID); err != nil {
		t.Fatal(err)
	}
	for i, ctx := range sockets {
		select {
		case <-ctx.Done():
			if !errors.Is(context.Cause(ctx), ErrRevoked) {
				t.Errorf("socket %d ended with %v", i, context.Cause(ctx))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("socket %d outlived its revoked token", i)
		}
	}
	for i, ch := range items {
		select {
		case _, ok := <-ch:
			if ok {
				t.Fatalf("subscription %d: an item after the revocation", i)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("subscription %d did not end with its socket", i)
		}
	}
	if _, err := src.Attach(context.Background(), v); !errors.Is(err, ErrRevoked) {
		t.Errorf("attaching the revoked token again: %v", err)
	}

	// Sockets that come and go leave nothing behind: the credential goes
	// with its last socket, and its expiry timer with it.
	person, err := authz.ViewerFor(sys, db.Client, org.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	person.Expires = time.Now().Add(time.Hour)
	for range 50 {
		sock, closeSocket := context.WithCancel(context.Background())
		if _, err := src.Attach(sock, person); err != nil {
			t.Fatal(err)
		}
		closeSocket()
	}
	cs := src.credentials()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		cs.mu.Lock()
		left := len(cs.byKey) + len(cs.byUser)
		cs.mu.Unlock()
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d credentials outlived their sockets", left)
		}
	}
}

// ownerGate holds the query that finds whose roles changed while shut, so a
// test can catch the source in the middle of applying a demotion.
type ownerGate struct {
	dialect.Driver
	entered chan struct{}
	mu      sync.Mutex
	wait    chan struct{} // nil when open
}

func (g *ownerGate) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.wait = make(chan struct{})
}

func (g *ownerGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.wait)
	g.wait = nil
}

func (g *ownerGate) Query(ctx context.Context, q string, args, v any) error {
	if strings.Contains(q, "user_id") && strings.Contains(q, " IN (") {
		g.mu.Lock()
		wait := g.wait
		g.mu.Unlock()
		if wait != nil {
			g.entered <- struct{}{}
			<-wait
		}
	}
	return g.Driver.Query(ctx, q, args, v)
}

// caughtUp waits until b has delivered everything in the log: a
// subscription from now then starts after what the test set up.
func caughtUp(t *testing.T, b *broker.Broker) {
	t.Helper()
	latest, err := b.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); b.Metrics().Position < latest; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the broker did not catch up with the log")
		}
	}
}
