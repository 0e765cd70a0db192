package worker

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/mail"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// addEmailWorkers registers the delivery of outbox messages.
func addEmailWorkers(ws *river.Workers, d Deps) {
	river.AddWorker(ws, &deliverMessage{d: d})
}

// deliverMessage sends one outbox message (workflow.DeliverMessage).
type deliverMessage struct {
	river.WorkerDefaults[jobs.DeliverMessage]
	d Deps
}

// Work delivers the message as the system. A message nobody can receive
// is cancelled (no retry); a transient failure is returned for River to
// retry with backoff, and on the last attempt the message is marked FAILED.
func (w *deliverMessage) Work(ctx context.Context, job *river.Job[jobs.DeliverMessage]) error {
	ctx = viewer.SystemContext(ctx)
	sender := w.d.Mail
	if sender == nil {
		sender = mail.LogSender{Log: w.d.Log}
	}
	out := workflow.Outbound{Sender: sender, From: w.d.MailFrom, PublicURL: w.d.PublicURL, Counted: func(outcome string) {
		if w.d.Delivered != nil {
			w.d.Delivered("email", outcome)
		}
	}}
	id := pulid.ID(job.Args.ID)
	err := workflow.DeliverMessage(ctx, w.d.Runner, id, out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, workflow.ErrUndeliverable):
		if w.d.Delivered != nil {
			w.d.Delivered("email", "failed")
		}
		return river.JobCancel(err)
	case job.Attempt >= job.MaxAttempts:
		if w.d.Delivered != nil {
			w.d.Delivered("email", "failed")
		}
		return errors.Join(err, workflow.GiveUpMessage(ctx, w.d.Runner, id, err))
	}
	return err
}
