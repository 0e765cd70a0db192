package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestResumingAfterThePrunedLog: once the change log's old rows are pruned,
// a subscription resuming from before the oldest row kept is refused with
// CURSOR_EXPIRED and the oldest cursor still resumable, which itself
// resumes and delivers what follows; a cursor inside the window resumes
// with nothing missed.
func TestResumingAfterThePrunedLog(t *testing.T) {
	s := startLive(t)
	fx := dbtest.FixtureContext(t)
	sys := viewer.SystemContext(context.Background())
	tx, err := s.db.Client.Tx(fx)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(fx)
	staff := tx.User.Create().SetHandle("staff").SetName("Staff").SaveX(fx)
	tx.Role.Create().SetUserID(staff.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(fx)
	staffTok, _ := dbtest.APIToken(t, fx, tx.Client(), staff.ID, "read")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// found commits one change: a new group named for its city (an item
	// shows its node as it is when delivered, so each change has its own).
	found := func(city string) {
		t.Helper()
		tx, err := s.db.Client.Tx(fx)
		if err != nil {
			t.Fatal(err)
		}
		tx.Group.Create().SetCommunityID(com.ID).SetName(city).SetSlug(strings.ToLower(city)).SetCity(city).SetCountry("US").
			SetStatus("ACTIVE").ExecX(fx)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	changeCursor := func() string {
		t.Helper()
		r := s.post(t, staffTok, `{ changeCursor }`, nil)
		c, _ := dig(r.Data, "changeCursor").(string)
		if c == "" {
			t.Fatalf("changeCursor: %+v %+v", r.Data, r.Errors)
		}
		return c
	}
	latest := func() int64 {
		t.Helper()
		id, err := s.db.Client.Change.Query().Order(change.ByID(entsql.OrderDesc())).FirstID(sys)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	before := changeCursor()
	found("Austin")
	found("Boston")
	pruned := latest()
	found("Chicago")
	inside := changeCursor()
	found("Denver")

	// The rows up to Boston's are 40 days old; the retention is 30 days.
	now := time.Now()
	q := `UPDATE changes SET created_at = ? WHERE id <= ?`
	if s.db.Dialect == dialect.Postgres {
		q = `UPDATE changes SET created_at = $1 WHERE id <= $2`
	}
	if _, err := s.db.SQL.Exec(q, now.Add(-40*24*time.Hour), pruned); err != nil {
		t.Fatal(err)
	}
	rep, err := workflow.PruneChanges(sys, workflow.NewRunner(s.db.Client, at(now)), 30*24*time.Hour, workflow.PruneBatch)
	if err != nil || rep.Deleted == 0 {
		t.Fatalf("prune = %+v, %v", rep, err)
	}
	oldest, err := s.db.Client.Change.Query().Order(change.ByID()).FirstID(sys)
	if err != nil || oldest <= pruned {
		t.Fatalf("oldest row %d (%v), want one above the pruned %d", oldest, err, pruned)
	}
	wantOldest := live.Cursor(broker.Position{Seq: oldest - 1})

	const feed = `subscription($c: ID!, $after: Cursor) { changes(community: $c, topics: [GROUP], after: $after) { cursor node { ... on Group { city } } } }`
	vars := func(after string) map[string]any { return map[string]any{"c": string(com.ID), "after": after} }
	city := func(m map[string]any) any { return dig(m, "changes", "node", "city") }

	// From before the oldest row kept: CURSOR_EXPIRED, with where to resume.
	expired := s.dial(t, staffTok)
	expired.subscribe("old", feed, vars(before))
	m := expired.read()
	errs, _ := m["payload"].([]any)
	if m["type"] != "error" || len(errs) != 1 || dig(errs[0], "extensions", "code") != "CURSOR_EXPIRED" ||
		dig(errs[0], "extensions", "field") != "after" || dig(errs[0], "extensions", "oldestCursor") != wantOldest {
		t.Fatalf("resuming from a pruned cursor: %v, want CURSOR_EXPIRED with oldestCursor %s", m, wantOldest)
	}

	// The oldest cursor resumes: everything the log still holds, then live.
	fromOldest := s.dial(t, staffTok)
	fromOldest.subscribe("oldest", feed, vars(wantOldest))
	// Inside the window: exactly what followed it.
	fromInside := s.dial(t, staffTok)
	fromInside.subscribe("inside", feed, vars(inside))
	for _, want := range []string{"Chicago", "Denver"} {
		if got := city(fromOldest.next()); got != want {
			t.Errorf("from the oldest cursor: got %v, want %s", got, want)
		}
	}
	if got := city(fromInside.next()); got != "Denver" {
		t.Errorf("from inside the window: got %v, want Denver", got)
	}
	waitSubscribers(t, s, 2)
	found("Eugene")
	for name, sub := range map[string]*socket{"the oldest cursor": fromOldest, "inside the window": fromInside} {
		if got := city(sub.next()); got != "Eugene" {
			t.Errorf("from %s, live: got %v, want Eugene", name, got)
		}
	}
}
