package workflow

import (
	"context"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Run exposes run, the runner's step primitive, to the runner's tests.
func Run[T any](ctx context.Context, r *Runner, name string, fn func(ctx context.Context, c *ent.Client, now time.Time) (T, error)) (T, error) {
	return run(ctx, r, name, fn)
}

// Act exposes act, the step primitive for a person's step, to the runner's tests.
func Act[T any](ctx context.Context, r *Runner, name string, fn func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (T, error)) (T, error) {
	return act(ctx, r, name, fn)
}

// QueueLetter exposes queueLetter (one letter to several people) and
// QueueToList (a letter to a list address) to the notice tests.
var (
	QueueLetter = queueLetter
	QueueToList = queueToList
)
