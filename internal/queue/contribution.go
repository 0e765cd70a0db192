package queue

import (
	"context"
	"slices"

	"entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
)

// ContributionCount is how many verified contributions of one kind, and
// the points they earned.
type ContributionCount struct {
	Kind   contribution.Kind
	Count  int
	Points int
}

// UserContributionCounts counts each person's verified contributions per
// kind, in one statement for any number of people. Counts are public even
// where the ledger is not (the person's consent covers the list, not how
// much they did), so they are read without the ledger's privacy filter.
func UserContributionCounts(ctx context.Context, c *ent.Client, users []pulid.ID) (map[pulid.ID][]ContributionCount, error) {
	return countContributions(ctx, c, contribution.FieldUserID, contribution.UserIDIn(users...))
}

// GroupContributionCounts counts the verified contributions credited to
// each group per kind, in one statement for any number of groups; public,
// as UserContributionCounts.
func GroupContributionCounts(ctx context.Context, c *ent.Client, groups []pulid.ID) (map[pulid.ID][]ContributionCount, error) {
	return countContributions(ctx, c, contribution.FieldGroupID, contribution.GroupIDIn(groups...))
}

func countContributions(ctx context.Context, c *ent.Client, by string, where predicate.Contribution) (map[pulid.ID][]ContributionCount, error) {
	var rows []struct {
		Owner  pulid.ID          `json:"owner"`
		Kind   contribution.Kind `json:"kind"`
		Count  int               `json:"count"`
		Points int               `json:"points"`
	}
	err := c.Contribution.Query().Where(where, contribution.StatusEQ(contribution.StatusVERIFIED)).
		Modify(func(s *sql.Selector) {
			s.Select(sql.As(s.C(by), "owner"), sql.As(s.C(contribution.FieldKind), "kind"), sql.As(sql.Count("*"), "count"),
				sql.As("COALESCE(SUM("+s.C(contribution.FieldPoints)+"), 0)", "points")).
				GroupBy(s.C(by), s.C(contribution.FieldKind))
		}).Scan(authz.Unfiltered(ctx), &rows)
	if err != nil {
		return nil, err
	}
	out := map[pulid.ID][]ContributionCount{}
	for _, r := range rows {
		out[r.Owner] = append(out[r.Owner], ContributionCount{Kind: r.Kind, Count: r.Count, Points: r.Points})
	}
	for id := range out {
		slices.SortFunc(out[id], func(a, b ContributionCount) int {
			return slices.Index(policy.ContributionKinds, string(a.Kind)) - slices.Index(policy.ContributionKinds, string(b.Kind))
		})
	}
	return out, nil
}
