package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// TxFrom returns the transaction WithTx recorded in ctx, or nil outside one.
func TxFrom(ctx context.Context) *Tx {
	t, _ := ctx.Value(txKey{}).(*Tx)
	if t == nil || t.SQL == nil {
		return nil
	}
	return t
}

// Scoped is implemented by the arguments of a job that concerns one
// community: Add tags the job with it, so that community's staff see it.
type Scoped interface {
	// JobCommunity is the id of the community the job concerns.
	JobCommunity() string
}

// communityTag prefixes the tag naming a job's community (River's tags
// allow letters, digits, "_" and "-").
const communityTag = "community-"

// CommunityTag is the tag of the jobs that concern community.
func CommunityTag(community string) string { return communityTag + community }

// Community is the community a job is tagged with, or "".
func Community(job *rivertype.JobRow) string {
	for _, t := range job.Tags {
		if c, ok := strings.CutPrefix(t, communityTag); ok {
			return c
		}
	}
	return ""
}

// scope tags opts for args that name a community.
func scope(args river.JobArgs, opts *river.InsertOpts) *river.InsertOpts {
	s, ok := args.(Scoped)
	if !ok || s.JobCommunity() == "" {
		return opts
	}
	o := river.InsertOpts{}
	if opts != nil {
		o = *opts
	}
	o.Tags = append(append([]string(nil), o.Tags...), CommunityTag(s.JobCommunity()))
	return &o
}

// Filter selects jobs to list: by community (its tag; empty for all), by
// states and kinds (empty for any), newest first, at most First.
type Filter struct {
	Community string
	States    []rivertype.JobState
	Kinds     []string
	First     int
}

// ErrNoTx is returned when a job operation runs outside a transaction the
// runner began (the captured *sql.Tx).
var ErrNoTx = errors.New("jobs: no captured transaction in the context")

// List lists jobs in the transaction of ctx.
func (i *Inserter) List(ctx context.Context, f Filter) ([]*rivertype.JobRow, error) {
	tx := TxFrom(ctx)
	if tx == nil {
		return nil, ErrNoTx
	}
	p := river.NewJobListParams().First(f.First).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(f.States) > 0 {
		p = p.States(f.States...)
	}
	if len(f.Kinds) > 0 {
		p = p.Kinds(f.Kinds...)
	}
	if f.Community != "" {
		p = p.TagsAny(CommunityTag(f.Community))
	}
	res, err := i.client(tx).JobListTx(ctx, tx.SQL, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: listing: %w", err)
	}
	return res.Jobs, nil
}

// Get reads one job, whole, in the transaction of ctx; rivertype.ErrNotFound
// when there is none.
func (i *Inserter) Get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	tx := TxFrom(ctx)
	if tx == nil {
		return nil, ErrNoTx
	}
	return i.client(tx).JobGetTx(ctx, tx.SQL, id)
}

// Retry makes a job available to run again now, in the transaction of ctx
// (a discarded or cancelled job included, with its attempts kept).
func (i *Inserter) Retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	tx := TxFrom(ctx)
	if tx == nil {
		return nil, ErrNoTx
	}
	return i.client(tx).JobRetryTx(ctx, tx.SQL, id)
}
