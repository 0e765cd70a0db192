package workflow

import (
	"context"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/viewer"
)

// JobPruneChanges names the change log's pruning in JobError, the queue's
// job kinds and metrics.
const JobPruneChanges = "prune_changes"

// DefaultChangeRetention is --change-retention's default: how long the
// change log keeps a change, and so how old a cursor a subscription may
// resume from.
const DefaultChangeRetention = 30 * 24 * time.Hour

// PruneBatch is how many change rows one transaction of PruneChanges
// deletes at most, so that pruning a long log never holds the write lock
// (SQLite) or a huge transaction (PostgreSQL) for long.
const PruneBatch = 5000

// PruneReport is what PruneChanges did.
type PruneReport struct {
	Deleted int // change rows deleted
	Batches int // transactions that deleted rows
}

// PruneChanges deletes the change rows committed more than retention
// before the runner's clock, the oldest first, in transactions of at most
// batch rows, until no such row is left. It deletes from the start of the
// log only, stopping at the first row inside the window even when older
// rows follow it (a transaction that committed late), so that everything
// after the oldest row kept is still in the log: a cursor from just
// before it resumes without a gap, and older ones are refused as expired
// (internal/broker). The newest row is never deleted, whatever its age:
// it is how cursors are told from ones the log never issued, and on
// SQLite what keeps its sequence from starting again. The audit trail is
// another table (AuditEntry) and is never pruned. Rows are deleted as the
// system; the error is a JobError.
func PruneChanges(ctx context.Context, r *Runner, retention time.Duration, batch int) (PruneReport, error) {
	var rep PruneReport
	if retention <= 0 || batch <= 0 {
		return rep, &JobError{Job: JobPruneChanges, Err: fmt.Errorf("retention %v and batch %d must be positive", retention, batch)}
	}
	sys := viewer.SystemContext(ctx)
	// Taken once: a clock that moves while the job runs does not keep it
	// going.
	cutoff := r.now().Add(-retention)
	for {
		if err := ctx.Err(); err != nil {
			return rep, &JobError{Job: JobPruneChanges, Err: err}
		}
		done, err := run(sys, r, authz.StepPruneChanges, func(ctx context.Context, c *ent.Client, _ time.Time) (pruned, error) {
			return pruneBatch(ctx, c, cutoff, batch)
		})
		if err != nil {
			return rep, &JobError{Job: JobPruneChanges, Err: err}
		}
		if done.deleted > 0 {
			rep.Deleted += done.deleted
			rep.Batches++
		}
		if !done.more {
			return rep, nil
		}
	}
}

// pruned is what one batch of PruneChanges did: how many rows it deleted,
// and whether rows older than the cutoff may remain.
type pruned struct {
	deleted int
	more    bool
}

// pruneBatch deletes up to batch rows from the start of the log, all
// committed before cutoff and none of them the newest row.
func pruneBatch(ctx context.Context, c *ent.Client, cutoff time.Time, batch int) (pruned, error) {
	latest, err := c.Change.Query().Order(change.ByID(entsql.OrderDesc())).FirstID(ctx)
	if ent.IsNotFound(err) {
		return pruned{}, nil
	}
	if err != nil {
		return pruned{}, err
	}
	rows, err := c.Change.Query().Where(change.IDLT(latest)).Order(change.ByID()).Limit(batch).
		Select(change.FieldID, change.FieldCreatedAt).All(ctx)
	if err != nil {
		return pruned{}, err
	}
	n := 0
	for n < len(rows) && rows[n].CreatedAt.Before(cutoff) {
		n++
	}
	if n == 0 {
		return pruned{}, nil
	}
	// The rows up to the last old one are the log's first n: deleting by
	// range is one index range, whatever the dialect.
	deleted, err := c.Change.Delete().Where(change.IDLTE(rows[n-1].ID)).Exec(ctx)
	if err != nil {
		return pruned{}, err
	}
	return pruned{deleted: deleted, more: n == batch}, nil
}
