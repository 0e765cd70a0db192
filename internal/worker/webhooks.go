package worker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/webhook"
	"github.com/usergroups/usergroups/internal/workflow"
)

// addWebhookWorkers registers the webhook fan-out and delivery workers.
func addWebhookWorkers(ws *river.Workers, d Deps) {
	river.AddWorker(ws, &webhookFanOut{d: d})
	river.AddWorker(ws, &webhookDeliver{d: d, schedule: webhook.Schedule{Jitter: rand.Int64N}})
}

// webhookFanOut turns one unit's changes into deliveries.
type webhookFanOut struct {
	river.WorkerDefaults[workflow.WebhookFanOut]
	d Deps
}

// Work writes the deliveries as the system.
func (w *webhookFanOut) Work(ctx context.Context, job *river.Job[workflow.WebhookFanOut]) error {
	_, err := workflow.FanOutWebhooks(viewer.SystemContext(ctx), w.d.Runner, job.Args.ChangeIDs)
	return err
}

// webhookDeliver sends one delivery; River retries it on webhook's
// schedule (30 s doubling to 4 h, with jitter) for webhook.MaxAttempts
// attempts, over a day.
type webhookDeliver struct {
	river.WorkerDefaults[workflow.WebhookDeliver]
	d        Deps
	schedule webhook.Schedule
}

// NextRetry follows webhook.Schedule instead of River's default backoff.
func (w *webhookDeliver) NextRetry(job *river.Job[workflow.WebhookDeliver]) time.Time {
	return time.Now().Add(w.schedule.Backoff(job.Attempt))
}

// Timeout leaves room for the HTTP client's own 10 s limit and the steps
// that record the attempt.
func (w *webhookDeliver) Timeout(*river.Job[workflow.WebhookDeliver]) time.Duration {
	return 30 * time.Second
}

// Work makes one attempt: a retryable failure is returned so River tries
// again later; a final one cancels the job once its outcome is recorded.
func (w *webhookDeliver) Work(ctx context.Context, job *river.Job[workflow.WebhookDeliver]) error {
	if w.d.HTTP == nil {
		return river.JobCancel(fmt.Errorf("webhooks: no HTTP client configured"))
	}
	res, err := workflow.DeliverWebhook(viewer.SystemContext(ctx), w.d.Runner, w.d.HTTP,
		job.Args.DeliveryID, job.Attempt, job.MaxAttempts)
	if err != nil {
		return err
	}
	if w.d.Delivered != nil {
		w.d.Delivered("webhook", res.Outcome)
	}
	switch {
	case res.Retry:
		return fmt.Errorf("webhook delivery %s: %w", job.Args.DeliveryID, res.Err)
	case res.Outcome == "failed":
		return river.JobCancel(fmt.Errorf("webhook delivery %s: %w", job.Args.DeliveryID, res.Err))
	}
	return nil
}
