package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/errmap"
)

// The sweeps, as named in JobError, the queue's job kinds and metrics.
const (
	JobObjectionWindow = "objection_window" // approving new groups whose objection window ended
	JobCloseElection   = "close_election"   // computing the result of elections past their deadline
	JobEndTerm         = "end_term"         // ending roles whose term ran out
	JobSeatElection    = "seat_election"    // seating the winners of elections whose term began
	JobObligations     = "obligations"      // starting, warning about, renewing and lapsing members' obligation years
)

// JobError is one row a sweep could not finish (ID is empty when the sweep
// could not even list its rows). The sweep has already recorded why on the
// row where staff look, when the row has such a place; the queue records
// the error on the job, retries it and counts it.
type JobError struct {
	Job string
	ID  pulid.ID
	Err error
}

func (e *JobError) Error() string {
	if e.ID == "" {
		return e.Job + ": " + e.Err.Error()
	}
	return fmt.Sprintf("%s %s: %v", e.Job, e.ID, e.Err)
}

func (e *JobError) Unwrap() error { return e.Err }

// JobErrors lists the JobErrors joined in err (as Tick returns them); an
// error that is not one counts as a failure of an unnamed job.
func JobErrors(err error) []*JobError {
	if err == nil {
		return nil
	}
	if je, ok := err.(*JobError); ok {
		return []*JobError{je}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*JobError
		for _, e := range j.Unwrap() {
			out = append(out, JobErrors(e)...)
		}
		return out
	}
	return []*JobError{{Job: "unknown", Err: err}}
}

// errSkip tells a job that the row was already handled (by another
// replica or a person): roll back quietly and go on.
var errSkip = errors.New("workflow: already handled")

// orSkip passes a real error through and turns "nothing to do" into errSkip.
func orSkip(err error) error {
	if err != nil {
		return err
	}
	return errSkip
}

// failureReason is what a row records about a failure. Staff read it, and
// some rows are public, so an unexpected error (SQL text, a driver message)
// is not repeated there: the log has it.
func failureReason(err error) string {
	if ae := errmap.Classify(err); ae != nil && ae.Code != apierror.Internal {
		return ae.Message
	}
	return "an internal error (the operators' log has the details)"
}

// job is one kind of scheduled work: a step per row, and how to record on
// the row that the step failed.
type job struct {
	name string
	step func(ctx context.Context, c *ent.Client, id pulid.ID, now time.Time) error
	// record writes on the row, in a transaction of its own, why step
	// failed. It returns errSkip when the row is no longer due (another
	// replica or a person handled it meanwhile, so the failure was a lost
	// race, not a fault); nil record means the row has no place for it.
	record func(ctx context.Context, c *ent.Client, id pulid.ID, failure error) error
}

// run runs the step for each id in a transaction of its own, so one row's
// failure loses nothing of the others. A step that finds its row already
// handled is rolled back and not counted. Any other failure — a rule the
// row breaks included — is recorded on the row and returned as a JobError
// after the rest have run: a job never swallows an error.
func (j job) run(ctx context.Context, r *Runner, ids []pulid.ID) (int, error) {
	var (
		done int
		errs []error
	)
	for _, id := range ids {
		_, err := run(ctx, r, j.name, func(ctx context.Context, c *ent.Client, now time.Time) (struct{}, error) {
			return struct{}{}, j.step(ctx, c, id, now)
		})
		if err == nil {
			done++
			continue
		}
		if errors.Is(err, errSkip) {
			continue
		}
		if j.record != nil {
			_, rerr := run(ctx, r, j.name+" failure", func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
				return struct{}{}, j.record(ctx, c, id, err)
			})
			if errors.Is(rerr, errSkip) {
				continue
			}
			if rerr != nil {
				err = errors.Join(err, fmt.Errorf("recording the failure: %w", rerr))
			}
		}
		errs = append(errs, &JobError{Job: j.name, ID: id, Err: err})
	}
	return done, errors.Join(errs...)
}

// Tick runs every sweep once, in the order the queue's periodic jobs run
// them (internal/worker): objection windows that ended, elections past
// their deadline, terms that ran out, elected terms that began and members'
// obligation years (warnings, renewals, lapses). Tests and tools step a
// clock with it. Every replica may run it; each step acts on each row once.
// The error joins a JobError per row that could not be finished.
func Tick(ctx context.Context, wf *Runner) (TickReport, error) {
	var r TickReport
	var e1, e2, e3, e4 error
	r.Approved, e1 = FinishObjectionWindows(ctx, wf)
	r.ElectionsClosed, e2 = CloseElections(ctx, wf)
	r.TermsEnded, r.Seated, e3 = EndTerms(ctx, wf)
	r.Warned, r.Renewed, r.Lapsed, e4 = SettleObligations(ctx, wf)
	err := errors.Join(e1, e2, e3, e4)
	r.Failed = len(JobErrors(err))
	return r, err
}

// TickReport counts what one Tick did.
type TickReport struct {
	Approved        int // applications approved after their objection window
	ElectionsClosed int // elections whose result was computed
	TermsEnded      int // roles whose term ran out
	Seated          int // elections whose winners took office
	Warned          int // obligation warnings queued (30 and 7 days before a member's year ends)
	Renewed         int // memberships whose obligation year was met and renewed
	Lapsed          int // memberships ended (LAPSED) for want of a verified contribution
	Failed          int // rows a job could not finish (see the error)
}

// backToReview records on an application why its approval failed when the
// objection window ended (the group cannot become active, its applicant
// cannot take the organizer's seat): it goes back to IN_REVIEW with the
// reason in its history, so it is in the reviewers' queue again and a
// person decides. A failure of the database leaves it in its window, to be
// tried again on the next tick.
func backToReview(ctx context.Context, c *ent.Client, id pulid.ID, failure error) error {
	if ae := errmap.Classify(failure); ae == nil || ae.Code == apierror.Internal {
		return nil
	}
	app, err := c.Application.Get(ctx, id)
	if err != nil {
		return err
	}
	if app.Status != application.StatusOBJECTION_WINDOW {
		return errSkip // decided meanwhile
	}
	_, err = transition(ctx, c, app, application.StatusIN_REVIEW, "",
		"The objection window ended, but the approval could not take effect: "+failureReason(failure)+". A reviewer must decide again.")
	return err
}
