package workflow

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// JobState is a job's state as the API names it (River's, in capitals).
type JobState string

// Job is a background job as staff see it: what it is, where it stands and
// why its attempts failed.
type Job struct {
	ID          string
	Kind        string
	State       JobState
	Attempt     int
	MaxAttempts int
	Errors      []JobAttempt
	CreatedAt   time.Time
	ScheduledAt time.Time
	AttemptedAt *time.Time
	FinalizedAt *time.Time
	CommunityID pulid.ID
	// Community is the community the job concerns, loaded with the list
	// (nil when none, or one the viewer may not see).
	Community *ent.Community
}

// JobAttempt is one failed attempt of a job.
type JobAttempt struct {
	Attempt int
	At      time.Time
	Error   string
}

// MaxJobsListed caps one listing of jobs.
const MaxJobsListed = 200

// ListJobs lists the newest background jobs of community (its staff), or of
// every community and the sweeps when community is empty (admins only),
// optionally of some states and kinds, at most first (≤ MaxJobsListed).
func ListJobs(ctx context.Context, r *Runner, community pulid.ID, states []JobState, kinds []string, first int) ([]*Job, error) {
	if first < 1 || first > MaxJobsListed {
		return nil, apierror.Invalid("first", "first must be between 1 and %d", MaxJobsListed)
	}
	var out []*Job
	err := r.Read(ctx, func(ctx context.Context) error {
		if community != "" {
			var err error
			if community, err = ref.Community(ctx, ent.FromContext(ctx), "community", community); err != nil {
				return err
			}
		}
		if !authz.CanSeeJobs(viewer.FromContext(ctx), community) {
			return apierror.Forbiddenf("only the community's staff (or, for every community, an admin) see its background jobs")
		}
		f := jobs.Filter{Community: string(community), Kinds: kinds, First: first}
		for _, s := range states {
			f.States = append(f.States, rivertype.JobState(strings.ToLower(string(s))))
		}
		rows, err := r.jobs.List(ctx, f)
		if err != nil {
			return err
		}
		ids := map[pulid.ID]bool{}
		for _, row := range rows {
			j := jobOf(row)
			ids[j.CommunityID] = j.CommunityID != ""
			out = append(out, j)
		}
		return attachCommunities(ctx, ent.FromContext(ctx), out, ids)
	})
	return out, err
}

// attachCommunities loads the jobs' communities in one statement.
func attachCommunities(ctx context.Context, c *ent.Client, out []*Job, ids map[pulid.ID]bool) error {
	var want []pulid.ID
	for id, ok := range ids {
		if ok {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil
	}
	coms, err := c.Community.Query().Where(community.IDIn(want...)).All(ctx)
	if err != nil {
		return err
	}
	byID := map[pulid.ID]*ent.Community{}
	for _, com := range coms {
		byID[com.ID] = com
	}
	for _, j := range out {
		j.Community = byID[j.CommunityID]
	}
	return nil
}

// RetryJob runs a job again now: one that failed for good (discarded),
// was cancelled, or waits for its next attempt. Staff of the job's
// community may, and admins; a job they may not see is NOT_FOUND.
func (r *Runner) RetryJob(ctx context.Context, id string) (*Job, error) {
	return act(ctx, r, "retryJob", func(ctx context.Context, _ *ent.Client, v *viewer.Viewer, _ time.Time) (*Job, error) {
		// A job that does not exist and one the viewer may not see answer alike.
		unknown := apierror.NotFoundf("no background job with that id")
		unknown.Field = "id"
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, unknown
		}
		if r.jobsErr != nil {
			return nil, r.jobsErr
		}
		row, err := r.jobs.Get(ctx, n)
		if errors.Is(err, rivertype.ErrNotFound) || err == nil && !authz.CanSeeJobs(v, pulid.ID(jobs.Community(row))) {
			return nil, unknown
		}
		if err != nil {
			return nil, err
		}
		if row.State == rivertype.JobStateRunning || row.State == rivertype.JobStateAvailable {
			return nil, apierror.Conflictf("the job is %s already", strings.ToUpper(string(row.State)))
		}
		row, err = r.jobs.Retry(ctx, n)
		if err != nil {
			return nil, err
		}
		return jobOf(row), nil
	})
}

func jobOf(row *rivertype.JobRow) *Job {
	j := &Job{
		ID: strconv.FormatInt(row.ID, 10), Kind: row.Kind, State: JobState(strings.ToUpper(string(row.State))),
		Attempt: row.Attempt, MaxAttempts: row.MaxAttempts, CreatedAt: row.CreatedAt, ScheduledAt: row.ScheduledAt,
		AttemptedAt: row.AttemptedAt, FinalizedAt: row.FinalizedAt, CommunityID: pulid.ID(jobs.Community(row)),
	}
	for _, e := range row.Errors {
		j.Errors = append(j.Errors, JobAttempt{Attempt: e.Attempt, At: e.At, Error: e.Error})
	}
	slices.Reverse(j.Errors) // the latest first
	return j
}
