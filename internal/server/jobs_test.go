package server_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// refused is a job kind of this test whose every attempt fails.
type refused struct{ Community string }

func (refused) Kind() string { return "test_refused" }

func (a refused) JobCommunity() string { return a.Community }

// TestBackgroundJobsForStaff: a job that failed on its last attempt is
// DISCARDED with its error; its community's staff see and retry it, staff
// of another community neither see nor retry it, and only admins list
// every community's jobs.
func TestBackgroundJobsForStaff(t *testing.T) {
	t.Parallel()
	base := dbtest.OpenConcurrent(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	a := tx.Community.Create().SetName("Alpha").SetSlug("alpha").SetPolicy(policy.OpenStack()).SaveX(sys)
	b := tx.Community.Create().SetName("Beta").SetSlug("beta").SetPolicy(policy.OpenStack()).SaveX(sys)
	mk := func(handle string, kind role.Kind, com *ent.Community) *ent.User {
		u := tx.User.Create().SetHandle(handle).SetName(handle).SaveX(sys)
		r := tx.Role.Create().SetUserID(u.ID).SetKind(kind)
		if com != nil {
			r.SetCommunityID(com.ID)
		}
		r.ExecX(sys)
		return u
	}
	staffA, staffB, admin := mk("staffa", role.KindCOMMUNITY_MANAGER, a), mk("staffb", role.KindCOMMUNITY_MANAGER, b), mk("root", role.KindADMIN, nil)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	err = workflow.NewRunner(base.Client, nil).Import(viewer.SystemContext(context.Background()), "jobs", func(ctx context.Context, _ *ent.Client) error {
		return errors.Join(jobs.Add(ctx, refused{Community: string(a.ID)}, &river.InsertOpts{MaxAttempts: 1}),
			jobs.Add(ctx, refused{}, &river.InsertOpts{MaxAttempts: 1}))
	})
	if err != nil {
		t.Fatal(err)
	}
	ws := river.NewWorkers()
	river.AddWorker(ws, river.WorkFunc(func(context.Context, *river.Job[refused]) error { return errors.New("the receiver said no") }))
	q, err := jobs.Open(jobs.Config{DB: base.SQL, Dialect: base.Dialect, Workers: ws, Logger: slog.New(slog.DiscardHandler), PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	const list = `query($c: ID, $s: [BackgroundJobState!]) { backgroundJobs(community: $c, states: $s) {
		id kind state attempt maxAttempts errors { attempt error } community { slug } } }`
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r := query(t, h, as(admin), list, map[string]any{"s": []string{"DISCARDED"}})
		if jobsOf(r) != nil && len(jobsOf(r)) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the jobs were not discarded: %+v %+v", r.Data, r.Errors)
		}
	}
	stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := q.Stop(stop); err != nil {
		t.Fatal(err)
	}

	r := query(t, h, as(staffA), list, map[string]any{"c": "alpha"})
	got := jobsOf(r)
	if len(got) != 1 || dig(r.Data, "backgroundJobs", "0", "state") != "DISCARDED" ||
		dig(r.Data, "backgroundJobs", "0", "community", "slug") != "alpha" ||
		!strings.Contains(dig(r.Data, "backgroundJobs", "0", "errors", "0", "error").(string), "the receiver said no") {
		t.Fatalf("staff of A list A's jobs: %+v %+v", r.Data, r.Errors)
	}
	id := dig(r.Data, "backgroundJobs", "0", "id")
	for _, c := range []struct {
		who  *ent.User
		vars map[string]any
	}{{staffA, map[string]any{"c": "beta"}}, {staffB, map[string]any{"c": "alpha"}}, {staffA, map[string]any{}}} {
		if r := query(t, h, as(c.who), list, c.vars); code(r) != "FORBIDDEN" {
			t.Errorf("%s lists %v: %+v %+v", c.who.Handle, c.vars, r.Data, r.Errors)
		}
	}
	if r := query(t, h, as(staffB), list, map[string]any{"c": "beta"}); len(jobsOf(r)) != 0 || r.Errors != nil {
		t.Errorf("staff of B see jobs of B: %+v %+v", r.Data, r.Errors)
	}

	const retry = `mutation($id: ID!) { retryBackgroundJob(input: {id: $id}) { job { state } userErrors { code field } } }`
	for _, bad := range []struct {
		who *ent.User
		id  any
	}{{staffB, id}, {staffA, "not-a-number"}, {staffA, "999999999"}} {
		r := query(t, h, as(bad.who), retry, map[string]any{"id": bad.id})
		if ue := userError(r, "retryBackgroundJob"); ue == nil || ue["code"] != "NOT_FOUND" {
			t.Errorf("%s retries %v: %+v %+v", bad.who.Handle, bad.id, r.Data, r.Errors)
		}
	}
	if r := query(t, h, as(staffA), retry, map[string]any{"id": id}); dig(r.Data, "retryBackgroundJob", "job", "state") != "AVAILABLE" {
		t.Fatalf("staff of A retry: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(staffA), retry, map[string]any{"id": id}); code(r) != "CONFLICT" && userError(r, "retryBackgroundJob")["code"] != "CONFLICT" {
		t.Errorf("retrying an available job: %+v %+v", r.Data, r.Errors)
	}
}

func jobsOf(r gqlResponse) []any {
	l, _ := dig(r.Data, "backgroundJobs").([]any)
	return l
}
