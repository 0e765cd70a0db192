// Package worker holds the queue's workers: the periodic sweeps (objection
// windows, elections, terms, obligation years, exports' files, the change
// log's pruning), the deliveries of email and webhooks and the writing of
// exports. Each worker is a thin adapter: the work itself is a workflow
// step, the only code that writes.
package worker

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent"

	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// Deps are what the workers need, passed in by whoever runs the queue.
type Deps struct {
	// Runner runs the workflow steps the jobs take, on its clock.
	Runner *workflow.Runner
	Log    *slog.Logger
	// Delivered counts one delivery attempt by kind and outcome (metrics); nil counts nothing.
	Delivered func(kind, outcome string)
	// Mail sends the outbox's emails: SMTP, or mail.LogSender without --smtp-url.
	Mail workflow.Sender
	// MailFrom is the From address of every email (--mail-from).
	MailFrom string
	// PublicURL is the server's public address (--public-url), for notices' one-click unsubscribe links.
	PublicURL string
	// HTTP is the client webhooks are delivered with (webhook.NewClient).
	HTTP *http.Client
	// Reflected is the change-log position a snapshot reflects (live.Source.Reflected),
	// which an export records; nil when the server has no live updates.
	Reflected func(ctx context.Context, c *ent.Client) (string, error)
}

// Workers registers every job kind's worker.
func Workers(d Deps) *river.Workers {
	ws := river.NewWorkers()
	river.AddWorker(ws, &sweep[ObjectionWindows]{run: func(ctx context.Context) error {
		_, err := workflow.FinishObjectionWindows(ctx, d.Runner)
		return err
	}})
	river.AddWorker(ws, &sweep[Elections]{run: func(ctx context.Context) error {
		_, err := workflow.CloseElections(ctx, d.Runner)
		return err
	}})
	river.AddWorker(ws, &sweep[Terms]{run: func(ctx context.Context) error {
		_, _, err := workflow.EndTerms(ctx, d.Runner)
		return err
	}})
	river.AddWorker(ws, &sweep[Obligations]{run: func(ctx context.Context) error {
		_, _, _, err := workflow.SettleObligations(ctx, d.Runner)
		return err
	}})
	river.AddWorker(ws, &sweep[Exports]{run: func(ctx context.Context) error {
		_, err := workflow.ExpireExports(ctx, d.Runner)
		return err
	}})
	river.AddWorker(ws, &exportWriter{d: d})
	river.AddWorker(ws, &pruner{d: d})
	addEmailWorkers(ws, d)
	addWebhookWorkers(ws, d)
	return ws
}

// Periodic schedules the sweeps every interval and, when retention is
// positive (--change-retention), the change log's pruning every
// PruneEvery. Only the replica elected leader inserts them, one per kind
// and period (a unique key), so each runs once across the replicas; each
// row a sweep acts on is its own transaction and is skipped if another
// already handled it.
func Periodic(every, retention time.Duration) []*river.PeriodicJob {
	periodic := func(args river.JobArgs, every time.Duration) *river.PeriodicJob {
		// River's unique periods are whole seconds at least.
		opts := &river.InsertOpts{MaxAttempts: sweepAttempts, UniqueOpts: river.UniqueOpts{ByPeriod: max(every, time.Second)}}
		return river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return args, opts },
			&river.PeriodicJobOpts{RunOnStart: true, ID: args.Kind()})
	}
	out := []*river.PeriodicJob{periodic(ObjectionWindows{}, every), periodic(Elections{}, every),
		periodic(Terms{}, every), periodic(Obligations{}, every), periodic(Exports{}, every)}
	if retention > 0 {
		out = append(out, periodic(PruneChanges{Retention: retention}, PruneEvery))
	}
	return out
}

// PruneEvery is how often the change log is pruned: what a run deletes is
// what aged past the retention since the last, and a run that finds
// nothing costs one read of the log's first rows.
const PruneEvery = 10 * time.Minute

// pruneTimeout bounds one pruning run (River's default is a minute),
// below the hour after which River rescues a running job. The first run
// on a long log deletes it batch by batch, each committed, so a run cut
// short has lost nothing: it fails, and its retry goes on.
const pruneTimeout = 30 * time.Minute

// sweepAttempts bounds a failing sweep's retries: the next period sweeps
// again anyway, and the rows that failed have their reason recorded where
// staff look (an application back in review, an election's note).
const sweepAttempts = 5

// The sweeps' job arguments: none, a sweep acts on whatever is due.
type (
	// ObjectionWindows approves new-group requests whose window ended.
	ObjectionWindows struct{}
	// Elections computes the result of elections past their deadline.
	Elections struct{}
	// Terms ends roles whose term ran out and seats elected winners.
	Terms struct{}
	// Obligations starts, warns about, renews and lapses members' years.
	Obligations struct{}
	// Exports deletes the files of exports downloaded or expired.
	Exports struct{}
	// PruneChanges deletes the change log's rows older than Retention
	// (--change-retention), the newest row excepted.
	PruneChanges struct {
		Retention time.Duration `json:"retention"`
	}
)

// Kind of ObjectionWindows.
func (ObjectionWindows) Kind() string { return workflow.JobObjectionWindow }

// Kind of Elections.
func (Elections) Kind() string { return workflow.JobCloseElection }

// Kind of Terms.
func (Terms) Kind() string { return workflow.JobEndTerm }

// Kind of Obligations.
func (Obligations) Kind() string { return workflow.JobObligations }

// Kind of Exports.
func (Exports) Kind() string { return workflow.JobExpireExports }

// Kind of PruneChanges.
func (PruneChanges) Kind() string { return workflow.JobPruneChanges }

// sweep works one sweep kind: the error joins one JobError per row that
// could not be finished, which River records on the job and retries.
type sweep[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	run func(ctx context.Context) error
}

// Work runs the sweep as the system: no person acts.
func (s *sweep[T]) Work(ctx context.Context, _ *river.Job[T]) error {
	return s.run(viewer.SystemContext(ctx))
}

// pruner works PruneChanges: the workflow step, batch by batch, as the
// system.
type pruner struct {
	river.WorkerDefaults[PruneChanges]
	d Deps
}

// Work prunes the log and logs what it deleted; a failure is the job's
// error, for River to record and retry.
func (p *pruner) Work(ctx context.Context, job *river.Job[PruneChanges]) error {
	rep, err := workflow.PruneChanges(viewer.SystemContext(ctx), p.d.Runner, job.Args.Retention, workflow.PruneBatch)
	if rep.Deleted > 0 && p.d.Log != nil {
		p.d.Log.InfoContext(ctx, "change log pruned", "deleted", rep.Deleted, "batches", rep.Batches, "retention", job.Args.Retention)
	}
	return err
}

// Timeout of a pruning run.
func (p *pruner) Timeout(*river.Job[PruneChanges]) time.Duration { return pruneTimeout }
