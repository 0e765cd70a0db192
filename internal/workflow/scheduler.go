package workflow

import (
	"context"
	"errors"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
)

// errSkip tells eachInTx that the row was already handled (by another
// replica or a person): roll back quietly and go on.
var errSkip = errors.New("workflow: already handled")

// orSkip passes a real error through and turns "nothing to do" into errSkip.
func orSkip(err error) error {
	if err != nil {
		return err
	}
	return errSkip
}

// eachInTx runs step for each id in a transaction of its own, so one row's
// failure loses nothing of the others. A step that finds its row already
// handled, or loses a race (CONFLICT), is rolled back and not counted; other
// failures are collected and returned after the rest have run.
func eachInTx(ctx context.Context, client *ent.Client, ids []pulid.ID, step func(context.Context, *ent.Client, pulid.ID) error) (int, error) {
	var (
		done int
		errs []error
	)
	for _, id := range ids {
		tx, err := client.Tx(ctx)
		if err != nil {
			return done, errors.Join(append(errs, err)...)
		}
		if err := step(ctx, tx.Client(), id); err != nil {
			_ = tx.Rollback()
			if ae := apierror.Classify(err); !errors.Is(err, errSkip) && (ae == nil || ae.Code != apierror.Conflict) {
				errs = append(errs, err)
			}
			continue
		}
		if err := tx.Commit(); err != nil {
			errs = append(errs, err)
			continue
		}
		done++
	}
	return done, errors.Join(errs...)
}

// Tick runs every time-driven step once: objection windows that ended,
// elections past their deadline, terms that ran out and elected terms that
// began. Every replica may run it; each step acts on each row once.
func Tick(ctx context.Context, client *ent.Client, now time.Time) (TickReport, error) {
	var r TickReport
	var e1, e2, e3 error
	r.Approved, e1 = FinishObjectionWindows(ctx, client, now)
	r.ElectionsClosed, e2 = CloseElections(ctx, client, now)
	r.TermsEnded, r.Seated, e3 = EndTerms(ctx, client, now)
	return r, errors.Join(e1, e2, e3)
}

// TickReport counts what one Tick did.
type TickReport struct {
	Approved        int // applications approved after their objection window
	ElectionsClosed int // elections whose result was computed
	TermsEnded      int // roles whose term ran out
	Seated          int // elections whose winners took office
}

// RunScheduler runs Tick every interval until ctx ends.
func RunScheduler(ctx context.Context, client *ent.Client, every time.Duration, log interface {
	InfoContext(context.Context, string, ...any)
	ErrorContext(context.Context, string, ...any)
}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r, err := Tick(ctx, client, time.Now())
			if err != nil && ctx.Err() == nil {
				log.ErrorContext(ctx, "scheduled work", "error", err)
			}
			if r != (TickReport{}) {
				log.InfoContext(ctx, "scheduled work done", "approved", r.Approved, "electionsClosed", r.ElectionsClosed,
					"termsEnded", r.TermsEnded, "seated", r.Seated)
			}
		}
	}
}
