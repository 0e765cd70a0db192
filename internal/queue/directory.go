package queue

import (
	"context"
	"math"
	"slices"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
)

// Point is a place to measure distances from; a non-nil Km keeps only what
// lies within that radius.
type Point struct {
	Lat, Lng float64
	Km       *float64
}

// Ambassadors lists a community's active ambassadors (of one region when
// given), nearest first from near by their home group, at most limit; with
// near.Km, only those whose home group lies within it.
// Nested fields of the roles are loaded by the caller's field collection, so
// the cost stays two queries however many ambassadors there are.
func Ambassadors(ctx context.Context, c *ent.Client, q *ent.RoleQuery, community, region pulid.ID, near *Point, limit int) ([]*ent.Role, error) {
	community, err := ref.Community(ctx, c, "community", community)
	if err != nil {
		return nil, err
	}
	if near != nil && (policy.ValidateLatitude(near.Lat) != nil || policy.ValidateLongitude(near.Lng) != nil ||
		near.Km != nil && (*near.Km <= 0 || *near.Km > 1000)) {
		return nil, apierror.Invalid("near", "near must be a latitude in [-90, 90], a longitude in [-180, 180] and, if given, 0 < km <= 1000")
	}
	q = q.Where(role.CommunityID(community), role.KindEQ(role.KindAMBASSADOR), role.StatusEQ(role.StatusACTIVE))
	if region != "" {
		q = q.Where(role.RegionID(region))
	}
	if near == nil {
		return q.Order(ent.Asc(role.FieldTermStart), ent.Asc(role.FieldID)).Limit(limit).All(ctx)
	}
	roles, err := q.WithHomeGroup().Order(ent.Asc(role.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	dist := func(r *ent.Role) float64 {
		if g := r.Edges.HomeGroup; g != nil && g.Latitude != nil && g.Longitude != nil {
			return policy.DistanceKm(near.Lat, near.Lng, *g.Latitude, *g.Longitude)
		}
		return math.Inf(1)
	}
	slices.SortStableFunc(roles, func(a, b *ent.Role) int {
		da, db := dist(a), dist(b)
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
	if near.Km != nil {
		// Sorted: those within the radius come first.
		n, _ := slices.BinarySearchFunc(roles, *near.Km, func(r *ent.Role, km float64) int {
			if dist(r) <= km {
				return -1
			}
			return 1
		})
		roles = roles[:n]
	}
	if len(roles) > limit {
		roles = roles[:limit]
	}
	return roles, nil
}
