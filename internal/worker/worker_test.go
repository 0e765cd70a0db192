package worker_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/worker"
	"github.com/usergroups/usergroups/internal/workflow"
)

var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// probe is a job kind of the tests only.
type probe struct{}

func (probe) Kind() string { return "test_probe" }

func countJobs(t *testing.T, db *sql.DB, kind string, states ...string) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM river_job WHERE kind = '` + kind + `'`
	for i, s := range states {
		if i == 0 {
			q += ` AND state IN (`
		} else {
			q += `, `
		}
		q += `'` + s + `'`
		if i == len(states)-1 {
			q += `)`
		}
	}
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestJobCommitsWithItsChange: a job queued in a unit is inserted in its
// transaction — there after a commit, gone with a rollback, like the change.
func TestJobCommitsWithItsChange(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	r := workflow.NewRunner(db.Client, nil)
	sys := viewer.SystemContext(context.Background())
	add := func(slug string, fail error) error {
		return r.Import(sys, "probe", func(ctx context.Context, c *ent.Client) error {
			if err := c.Community.Create().SetName(slug).SetSlug(slug).SetPolicy(policy.OpenStack()).Exec(ctx); err != nil {
				return err
			}
			if err := jobs.Add(ctx, probe{}, nil); err != nil {
				return err
			}
			return fail
		})
	}
	if err := add("kept", nil); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("a later step failed")
	if err := add("lost", boom); !errors.Is(err, boom) {
		t.Fatalf("failing unit = %v", err)
	}
	if n := countJobs(t, db.SQL, "test_probe"); n != 1 {
		t.Errorf("%d probe jobs, want 1 (the committed unit's)", n)
	}
	if n := db.Client.Community.Query().Where(community.Slug("lost")).CountX(sys); n != 0 {
		t.Errorf("the rolled-back community exists")
	}
	if err := jobs.Add(sys, probe{}, nil); !errors.Is(err, jobs.ErrNoBatch) {
		t.Errorf("Add outside a unit = %v, want ErrNoBatch", err)
	}
}

// windows lays out n new-group requests whose objection window ended an
// hour before now, each for its own proposed group.
func windows(t *testing.T, r *workflow.Runner, n int, now time.Time) (apps []*ent.Application) {
	t.Helper()
	err := r.Import(viewer.SystemContext(context.Background()), "fixture", func(ctx context.Context, c *ent.Client) error {
		com, err := c.Community.Create().SetName("Replicas").SetSlug("replicas").SetPolicy(policy.OpenStack()).Save(ctx)
		if err != nil {
			return err
		}
		for i := range n {
			u, err := c.User.Create().SetHandle(fmt.Sprintf("applicant%d", i)).SetName(fmt.Sprintf("Applicant %d", i)).Save(ctx)
			if err != nil {
				return err
			}
			if err := c.Contact.Create().SetUserID(u.ID).SetEmail(u.Handle + "@example.org").Exec(ctx); err != nil {
				return err
			}
			g, err := c.Group.Create().SetCommunityID(com.ID).SetName("Paris " + dbtest.Letters(i+1)).
				SetSlug(fmt.Sprintf("paris-%d", i)).SetCity("Paris").SetCountry("FR").SetStatus(group.StatusPROPOSED).Save(ctx)
			if err != nil {
				return err
			}
			app, err := c.Application.Create().SetCommunityID(com.ID).SetApplicantID(u.ID).SetKind(application.KindNEW_GROUP).
				SetGroupID(g.ID).SetStatus(application.StatusOBJECTION_WINDOW).SetObjectionDeadline(now.Add(-time.Hour)).Save(ctx)
			if err != nil {
				return err
			}
			apps = append(apps, app)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

// startQueue runs a replica's queue until the test ends.
func startQueue(t *testing.T, db *store.DB, ws *river.Workers, periodic []*river.PeriodicJob, rescue time.Duration) *jobs.Queue {
	t.Helper()
	q, err := jobs.Open(jobs.Config{DB: db.SQL, Dialect: db.Dialect, Workers: ws, Periodic: periodic, Logger: quiet,
		PollInterval: 20 * time.Millisecond, RescueAfter: rescue})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return q
}

func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// approvedOnce checks that each request was approved exactly once: one
// organizer per group and one approval letter per applicant.
func approvedOnce(t *testing.T, c *ent.Client, apps []*ent.Application) {
	t.Helper()
	sys := viewer.SystemContext(context.Background())
	for _, app := range apps {
		organizers := c.Role.Query().Where(role.GroupID(app.GroupID), role.KindEQ(role.KindORGANIZER)).CountX(sys)
		letters := c.Message.Query().Where(message.Template("application_approved"), message.RecipientID(app.ApplicantID)).CountX(sys)
		if organizers != 1 || letters != 1 {
			t.Errorf("request %s: %d organizer roles, %d approval letters; want 1 of each", app.ID, organizers, letters)
		}
	}
}

// TestSweepsRunOnceAcrossFourReplicas: four replicas run the queue with the
// periodic sweeps; every due request is approved, each exactly once, and
// the sweep jobs end completed.
func TestSweepsRunOnceAcrossFourReplicas(t *testing.T) {
	t.Parallel()
	dbs := dbtest.OpenReplicas(t, 4)
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	apps := windows(t, workflow.NewRunner(dbs[0].Client, clock), 3, now)
	for _, db := range dbs {
		r := workflow.NewRunner(db.Client, clock)
		startQueue(t, db, worker.Workers(worker.Deps{Runner: r, Log: quiet}), worker.Periodic(50*time.Millisecond, 0), 0)
	}
	sys := viewer.SystemContext(context.Background())
	waitFor(t, "every request approved", func() bool {
		return dbs[0].Client.Application.Query().Where(application.StatusEQ(application.StatusAPPROVED)).CountX(sys) == len(apps)
	})
	// A few more periods: the sweeps keep running and find nothing more.
	waitFor(t, "more sweeps", func() bool {
		return countJobs(t, dbs[0].SQL, workflow.JobObjectionWindow, "completed") >= 2
	})
	approvedOnce(t, dbs[0].Client, apps)
	if n := countJobs(t, dbs[0].SQL, workflow.JobObjectionWindow, "discarded", "retryable"); n != 0 {
		t.Errorf("%d objection-window sweeps failed", n)
	}
}

// TestKilledReplicaLosesNothing: the replica working a job dies mid-run (its
// worker never returns and its pool is gone); another replica rescues the
// job once it has run too long and finishes the work, once.
func TestKilledReplicaLosesNothing(t *testing.T) {
	t.Parallel()
	dbs := dbtest.OpenReplicas(t, 2)
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	apps := windows(t, workflow.NewRunner(dbs[0].Client, clock), 2, now)

	// Replica 0 takes the sweep and hangs in it.
	started, hang := make(chan struct{}), make(chan struct{})
	defer close(hang)
	var once atomic.Bool
	doomed := river.NewWorkers()
	river.AddWorker(doomed, river.WorkFunc(func(ctx context.Context, _ *river.Job[worker.ObjectionWindows]) error {
		if once.CompareAndSwap(false, true) {
			close(started)
		}
		<-hang
		return nil
	}))
	q0, err := jobs.Open(jobs.Config{DB: dbs[0].SQL, Dialect: dbs[0].Dialect, Workers: doomed, Logger: quiet, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q0.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	err = workflow.NewRunner(dbs[0].Client, clock).Import(viewer.SystemContext(context.Background()), "queue the sweep",
		func(ctx context.Context, _ *ent.Client) error { return jobs.Add(ctx, worker.ObjectionWindows{}, nil) })
	if err != nil {
		t.Fatal(err)
	}
	<-started
	// "Kill" replica 0: it stops fetching and its connections go, while its
	// job stays running in the table, as after a crash.
	stopCtx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	_ = q0.Stop(stopCtx)
	cancel()
	_ = dbs[0].Close()

	// Replica 1 rescues it, the job having run past the rescue threshold
	// when replica 1's rescuer first looks (it looks at start, then every
	// 30 s), and approves both requests once.
	time.Sleep(1500 * time.Millisecond)
	r1 := workflow.NewRunner(dbs[1].Client, clock)
	startQueue(t, dbs[1], worker.Workers(worker.Deps{Runner: r1, Log: quiet}), nil, time.Second)
	sys := viewer.SystemContext(context.Background())
	waitFor(t, "the rescued sweep to approve every request", func() bool {
		return dbs[1].Client.Application.Query().Where(application.StatusEQ(application.StatusAPPROVED)).CountX(sys) == len(apps)
	})
	waitFor(t, "the rescued job to complete", func() bool {
		return countJobs(t, dbs[1].SQL, workflow.JobObjectionWindow, "completed") == 1
	})
	approvedOnce(t, dbs[1].Client, apps)
}

// TestChangeLogPrunedPeriodically: with a retention, the periodic jobs
// include the change log's pruning, which runs when the queue starts and
// deletes the changes older than the retention on the runner's clock, the
// newest kept; without one it is not scheduled.
func TestChangeLogPrunedPeriodically(t *testing.T) {
	t.Parallel()
	const retention = 30 * 24 * time.Hour
	if n := len(worker.Periodic(time.Hour, 0)) + 1; n != len(worker.Periodic(time.Hour, retention)) {
		t.Errorf("a retention schedules %d periodic jobs, want one more than without (%d)", len(worker.Periodic(time.Hour, retention)), n-1)
	}
	db := dbtest.Open(t)
	now := time.Now().UTC().Truncate(time.Second)
	fx := dbtest.FixtureContext(t)
	add := func(at time.Time) int64 {
		return db.Client.Change.Create().SetTopic("group").SetNodeType("Group").SetNodeID("grp_1").
			SetOp(change.OpCREATED).SetCreatedAt(at).SaveX(fx).ID
	}
	for range 3 {
		add(now.Add(-retention - time.Hour))
	}
	kept := add(now.Add(-time.Hour))
	r := workflow.NewRunner(db.Client, func() time.Time { return now })
	startQueue(t, db, worker.Workers(worker.Deps{Runner: r, Log: quiet}), worker.Periodic(time.Hour, retention), 0)
	sys := viewer.SystemContext(context.Background())
	waitFor(t, "the pruning job to complete", func() bool {
		return countJobs(t, db.SQL, workflow.JobPruneChanges, "completed") == 1
	})
	if ids := db.Client.Change.Query().IDsX(sys); len(ids) != 1 || ids[0] != kept {
		t.Errorf("changes left %v, want %d", ids, kept)
	}
}
