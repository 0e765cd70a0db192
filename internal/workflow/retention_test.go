package workflow_test

import (
	"slices"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestPruneChangesDeletesTheOldStartOfTheLog: the change rows older than
// the retention on the runner's clock go, in batches, from the start of the
// log only (an old row that committed after a recent one stays, so the log
// has no gap after its oldest row); the newest row and the audit trail
// stay whatever their age.
func TestPruneChangesDeletesTheOldStartOfTheLog(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fx := dbtest.FixtureContext(t)
	const retention = 30 * day
	now := w.Now()
	old, recent := now.Add(-retention-time.Hour), now.Add(-retention+time.Hour)
	add := func(at time.Time, topic string) int64 {
		t.Helper()
		return w.Client.Change.Create().SetTopic(topic).SetNodeType("Group").SetNodeID("grp_1").
			SetOp(change.OpCREATED).SetCreatedAt(at).SaveX(fx).ID
	}
	for range 7 {
		add(old, changelog.TopicGroup)
	}
	add(old, changelog.TopicAudit) // an audit row from before the audit trail had its table: pruned like any
	kept := []int64{add(recent, changelog.TopicGroup), add(old, changelog.TopicRole), add(recent, changelog.TopicGroup)}
	w.Client.AuditEntry.Create().SetAction(auditentry.ActionACCESSED).SetNodeType("Event").SetNodeID("evt_1").
		SetCreatedAt(now.Add(-10 * retention)).ExecX(fx)
	left := func() []int64 { return w.Client.Change.Query().Order(change.ByID()).IDsX(w.System()) }

	if _, err := workflow.PruneChanges(w.System(), w.Runner, 0, 3); err == nil {
		t.Error("a retention of 0 pruned")
	}
	// Eight old rows in batches of three: three transactions.
	rep, err := workflow.PruneChanges(w.System(), w.Runner, retention, 3)
	if err != nil || rep.Deleted != 8 || rep.Batches != 3 {
		t.Fatalf("prune = %+v, %v; want 8 rows in 3 batches", rep, err)
	}
	if got := left(); !slices.Equal(got, kept) {
		t.Errorf("left %v, want %v", got, kept)
	}
	if rep, err := workflow.PruneChanges(w.System(), w.Runner, retention, 3); err != nil || rep.Deleted != 0 {
		t.Errorf("second prune = %+v, %v; want nothing", rep, err)
	}
	// Two days on everything is old, but the newest row is kept.
	w.Clock.Advance(2 * day)
	if rep, err := workflow.PruneChanges(w.System(), w.Runner, retention, workflow.PruneBatch); err != nil || rep.Deleted != 2 || rep.Batches != 1 {
		t.Errorf("prune two days on = %+v, %v; want 2 rows in 1 batch", rep, err)
	}
	if got := left(); !slices.Equal(got, kept[2:]) {
		t.Errorf("left %v, want the newest row %v", got, kept[2:])
	}
	if n := w.Client.AuditEntry.Query().CountX(w.System()); n != 1 {
		t.Errorf("%d audit entries after pruning, want 1", n)
	}
}
