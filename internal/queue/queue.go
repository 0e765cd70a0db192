// Package queue builds a community's review queue — the approval board —
// from a filter: which applications, how many per status, and how long the
// oldest has waited. Privacy rules apply as everywhere: a reviewer's board
// holds what they may see.
package queue

import (
	"context"
	"slices"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Filter narrows a queue; zero values mean "any".
type Filter struct {
	Kinds             []application.Kind
	Statuses          []application.Status
	Region            pulid.ID
	AssignedTo        pulid.ID
	HasConflicts      *bool
	HasOpenObjections *bool
	OlderThan         time.Duration
}

// Queue is one community's queue under a filter. Its applications are
// paged apart (Paginate), so that its counts and oldest open application do
// not depend on the page.
type Queue struct {
	Community pulid.ID
	Filter    Filter
	Now       time.Time
}

// Page is a Relay page request over the queue's applications.
type Page struct {
	After, Before *entgql.Cursor[pulid.ID]
	First, Last   *int
	OrderBy       []*ent.ApplicationOrder
}

// Ask is a queue's filter as a client asks for it, before Open checks it.
type Ask struct {
	Kinds             []application.Kind
	Statuses          []application.Status
	Region            pulid.ID
	AssignedToMe      bool
	HasConflicts      *bool
	HasOpenObjections *bool
	OlderThanHours    int
}

// Open returns a community's queue — named by its id or slug, resolved
// through c as the viewer may see it — under ask for the viewer of ctx at now.
// "Assigned to me" needs someone signed in, and an age cannot be negative.
func Open(ctx context.Context, c *ent.Client, community pulid.ID, ask Ask, now time.Time) (*Queue, error) {
	community, err := ref.Community(ctx, c, "community", community)
	if err != nil {
		return nil, err
	}
	return open(ctx, community, ask, now)
}

// open is Open for a community already resolved.
func open(ctx context.Context, community pulid.ID, ask Ask, now time.Time) (*Queue, error) {
	f := Filter{Kinds: ask.Kinds, Statuses: ask.Statuses, Region: ask.Region,
		HasConflicts: ask.HasConflicts, HasOpenObjections: ask.HasOpenObjections}
	if ask.AssignedToMe {
		v := viewer.FromContext(ctx)
		if !v.IsUser() {
			return nil, apierror.Unauthenticatedf("sign in to see what is assigned to you")
		}
		f.AssignedTo = v.UserID
	}
	if ask.OlderThanHours < 0 {
		return nil, apierror.Invalid("olderThanHours", "olderThanHours must not be negative")
	}
	f.OlderThan = time.Duration(ask.OlderThanHours) * time.Hour
	return &Queue{Community: community, Filter: f, Now: now}, nil
}

// Follow checks a subscription to a community's queue: the community
// reference (its id or slug) resolved as the viewer may see it through c,
// and the filter as Open checks it. A stream follows applications as they
// change, so statuses omitted mean all of them (an application leaving the
// open columns is news to a board), and hasOpenObjections, which rests on
// other rows than the application's, is refused.
func Follow(ctx context.Context, c *ent.Client, community pulid.ID, ask Ask) (pulid.ID, Filter, error) {
	com, err := ref.Community(ctx, c, "community", community)
	if err != nil {
		return "", Filter{}, err
	}
	if ask.HasOpenObjections != nil {
		return "", Filter{}, apierror.Invalid("filter.hasOpenObjections", "a subscription cannot filter on open objections: filter on the items it delivers")
	}
	q, err := open(ctx, com, ask, time.Time{})
	if err != nil {
		return "", Filter{}, err
	}
	return com, q.Filter, nil
}

// Admits reports whether the application, as it is at now, passes the
// filter of a stream (see Follow): the same predicates as a queue's, but
// checked on one application in memory, and no statuses meaning all.
func (f Filter) Admits(a *ent.Application, now time.Time) bool {
	switch {
	case len(f.Kinds) > 0 && !slices.Contains(f.Kinds, a.Kind),
		len(f.Statuses) > 0 && !slices.Contains(f.Statuses, a.Status),
		f.Region != "" && a.RegionID != f.Region,
		f.AssignedTo != "" && a.ReviewerID != f.AssignedTo,
		f.HasConflicts != nil && *f.HasConflicts != (a.UnresolvedConflicts > 0),
		f.OlderThan > 0 && !a.CreatedAt.Before(now.Add(-f.OlderThan)):
		return false
	}
	return true
}

// Paginate returns the page asked for of the queue's applications, oldest
// first unless ordered otherwise.
func (q Queue) Paginate(ctx context.Context, c *ent.Client, page Page) (*ent.ApplicationConnection, error) {
	order := page.OrderBy
	if len(order) == 0 {
		order = []*ent.ApplicationOrder{{Field: ent.ApplicationOrderFieldCreatedAt, Direction: entgql.OrderDirectionAsc}}
	}
	return q.Applications(c).Paginate(ctx, page.After, page.First, page.Before, page.Last,
		ent.WithApplicationOrder(order))
}

// base is every predicate but the statuses.
func (q Queue) base() []predicate.Application {
	f := q.Filter
	ps := []predicate.Application{application.CommunityID(q.Community)}
	if len(f.Kinds) > 0 {
		ps = append(ps, application.KindIn(f.Kinds...))
	}
	if f.Region != "" {
		ps = append(ps, application.RegionID(f.Region))
	}
	if f.AssignedTo != "" {
		ps = append(ps, application.ReviewerID(f.AssignedTo))
	}
	if f.HasConflicts != nil {
		if *f.HasConflicts {
			ps = append(ps, application.UnresolvedConflictsGT(0))
		} else {
			ps = append(ps, application.UnresolvedConflicts(0))
		}
	}
	if f.HasOpenObjections != nil {
		// Reviews are visible exactly when their application is, so this
		// join reveals nothing the viewer could not read.
		open := application.HasReviewsWith(review.KindEQ(review.KindOBJECTION), review.ResolvedAtIsNil())
		if *f.HasOpenObjections {
			ps = append(ps, open)
		} else {
			ps = append(ps, application.Not(open))
		}
	}
	if f.OlderThan > 0 {
		ps = append(ps, application.CreatedAtLT(q.Now.Add(-f.OlderThan)))
	}
	return ps
}

func (q Queue) statuses() []application.Status {
	if len(q.Filter.Statuses) > 0 {
		return q.Filter.Statuses
	}
	return authz.OpenStatuses
}

// Applications is the query for the queue's rows.
func (q Queue) Applications(c *ent.Client) *ent.ApplicationQuery {
	return c.Application.Query().Where(append(q.base(), application.StatusIn(q.statuses()...))...)
}

// Count is one column of the board.
type Count struct {
	Status application.Status `json:"status"`
	Count  int                `json:"count"`
}

// Counts returns how many applications match the filter in each status
// (every status, zero included, in lifecycle order), in one query.
func (q Queue) Counts(ctx context.Context, c *ent.Client) ([]Count, error) {
	var rows []Count
	if err := c.Application.Query().Where(q.base()...).
		GroupBy(application.FieldStatus).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	by := map[application.Status]int{}
	for _, r := range rows {
		by[r.Status] = r.Count
	}
	all := append(append([]application.Status{}, authz.OpenStatuses...), application.StatusAPPROVED, application.StatusREJECTED,
		application.StatusWITHDRAWN, application.StatusEXPIRED)
	out := make([]Count, len(all))
	for i, s := range all {
		out[i] = Count{Status: s, Count: by[s]}
	}
	return out, nil
}

// OldestOpen returns when the oldest open application matching the filter
// arrived, or nil.
func (q Queue) OldestOpen(ctx context.Context, c *ent.Client) (*time.Time, error) {
	a, err := c.Application.Query().Where(append(q.base(), application.StatusIn(authz.OpenStatuses...))...).
		Order(ent.Asc(application.FieldCreatedAt)).Select(application.FieldCreatedAt).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a.CreatedAt, nil
}

// OpenObjections lists, for each application among ids, its objections no
// reviewer has resolved yet, oldest first, as the caller may see them (the
// review entries are visible with their application). One statement for
// any number of applications.
func OpenObjections(ctx context.Context, c *ent.Client, ids []pulid.ID) (map[pulid.ID][]*ent.Review, error) {
	rows, err := c.Review.Query().Where(review.ApplicationIDIn(ids...), review.KindEQ(review.KindOBJECTION), review.ResolvedAtIsNil()).
		Order(ent.Asc(review.FieldCreatedAt), ent.Asc(review.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID][]*ent.Review, len(ids))
	for _, r := range rows {
		out[r.ApplicationID] = append(out[r.ApplicationID], r)
	}
	return out, nil
}
