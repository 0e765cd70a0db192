package worker

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// exportTimeout bounds one run of an export job, below the hour after
// which River rescues a running job; a run cut short resumes from the last
// page written.
const exportTimeout = 30 * time.Minute

// exportWriter works workflow.ExportJob: the export's pages, each read as
// its requester is when it is read.
type exportWriter struct {
	river.WorkerDefaults[workflow.ExportJob]
	d Deps
}

// Timeout of an export run.
func (w *exportWriter) Timeout(*river.Job[workflow.ExportJob]) time.Duration { return exportTimeout }

// Work writes the export; on its last attempt a failure is recorded on
// the export (FAILED, for its requester to see) as well as returned.
func (w *exportWriter) Work(ctx context.Context, job *river.Job[workflow.ExportJob]) error {
	err := workflow.RunExport(ctx, w.d.Runner, job.Args.ExportID, ExportDeps(w.d))
	if err != nil && job.Attempt >= job.MaxAttempts {
		return errors.Join(err, workflow.GiveUpExport(ctx, w.d.Runner, job.Args.ExportID, err))
	}
	return err
}

// ExportDeps are the export's dependencies the worker gives the workflow:
// the requester's viewer rebuilt now, with the API token the export was
// started with when there was one (revoked or expired, it refuses the
// export: UNAUTHENTICATED), and the change-log position of a snapshot.
func ExportDeps(d Deps) workflow.ExportDeps {
	return workflow.ExportDeps{
		ViewerOf: func(ctx context.Context, userID, tokenID pulid.ID) (*viewer.Viewer, error) {
			if tokenID == "" {
				return authz.ViewerFor(viewer.SystemContext(ctx), d.Runner.Client(), userID, nil)
			}
			v, err := auth.CurrentTokenViewer(ctx, d.Runner.Client(), tokenID, d.Runner.Now())
			if errors.Is(err, auth.ErrUnauthenticated) {
				return nil, apierror.Unauthenticatedf("the API token this export was started with no longer works (%s)", err)
			}
			return v, err
		},
		Reflected: d.Reflected,
	}
}
