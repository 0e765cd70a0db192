package queue

import (
	"context"
	"slices"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/globaleffort"
	"github.com/usergroups/usergroups/ent/globaleffortparticipation"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
)

// ApprovalsNeeded is, for each open funding request among ids the viewer
// may see, how many more staff approvals it needs under the community's
// current policy (1, or 2 above the four-eyes threshold, less those given):
// a board shows "awaiting second approval" from it. Decided requests and
// other kinds are left out. Three statements for any number of ids.
func ApprovalsNeeded(ctx context.Context, c *ent.Client, ids []pulid.ID) (map[pulid.ID]int, error) {
	apps, err := c.Application.Query().Where(application.IDIn(ids...), application.KindEQ(application.KindFUNDING),
		application.StatusIn(authz.OpenStatuses...)).WithCommunity().All(ctx)
	if err != nil || len(apps) == 0 {
		return nil, err
	}
	open := make([]pulid.ID, len(apps))
	for i, a := range apps {
		open[i] = a.ID
	}
	// The approvals are counted whoever may read the reviews: the number
	// is part of the application the viewer already sees.
	given, err := c.Review.Query().Where(review.ApplicationIDIn(open...), review.KindEQ(review.KindAPPROVAL)).
		Select(review.FieldApplicationID).Strings(authz.Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	count := map[pulid.ID]int{}
	for _, g := range given {
		count[pulid.ID(g)]++
	}
	out := make(map[pulid.ID]int, len(apps))
	for _, a := range apps {
		if a.Edges.Community == nil {
			continue
		}
		m := policy.Money{Currency: a.Answers.Currency, Minor: a.Answers.AmountCents}
		out[a.ID] = max(policy.FundingApprovalsRequired(a.Edges.Community.Policy, m)-count[a.ID], 0)
	}
	return out, nil
}

// EffortGroups lists, for each effort, the groups taking part, in the
// order they joined: two statements for any number of efforts.
func EffortGroups(ctx context.Context, c *ent.Client, efforts []pulid.ID) (map[pulid.ID][]*ent.Group, error) {
	ps, err := c.GlobalEffortParticipation.Query().Where(globaleffortparticipation.EffortIDIn(efforts...)).
		Order(ent.Asc(globaleffortparticipation.FieldCreatedAt), ent.Asc(globaleffortparticipation.FieldID)).WithGroup().All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID][]*ent.Group, len(efforts))
	for _, p := range ps {
		if p.Edges.Group != nil {
			out[p.EffortID] = append(out[p.EffortID], p.Edges.Group)
		}
	}
	return out, nil
}

// GroupEfforts lists, for each group, the efforts it takes part in, the
// latest first: two statements for any number of groups.
func GroupEfforts(ctx context.Context, c *ent.Client, groups []pulid.ID) (map[pulid.ID][]*ent.GlobalEffort, error) {
	ps, err := c.GlobalEffortParticipation.Query().Where(globaleffortparticipation.GroupIDIn(groups...)).
		WithEffort(func(q *ent.GlobalEffortQuery) { q.Order(ent.Desc(globaleffort.FieldStartsAt)) }).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID][]*ent.GlobalEffort, len(groups))
	for _, p := range ps {
		if p.Edges.Effort != nil {
			out[p.GroupID] = append(out[p.GroupID], p.Edges.Effort)
		}
	}
	for _, es := range out {
		slices.SortStableFunc(es, func(a, b *ent.GlobalEffort) int { return b.StartsAt.Compare(a.StartsAt) })
	}
	return out, nil
}
