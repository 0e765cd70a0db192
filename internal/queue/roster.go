package queue

import (
	"context"
	"slices"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// KindCount is how many roles of one kind.
type KindCount struct {
	Kind  role.Kind
	Count int
}

// kindOrder lists kinds in the order the enum declares them.
var kindOrder = []role.Kind{role.KindMEMBER, role.KindORGANIZER, role.KindAMBASSADOR, role.KindCOMMUNITY_MANAGER, role.KindADMIN}

// ActiveIfNone defaults a roster's status filter to ACTIVE.
func ActiveIfNone(statuses []role.Status) []role.Status {
	if len(statuses) == 0 {
		return []role.Status{role.StatusACTIVE}
	}
	return statuses
}

// Roster returns a page of a group's roles of the given kinds (every kind
// when none) and statuses (ACTIVE when none), as the caller may see them.
func Roster(ctx context.Context, c *ent.Client, group pulid.ID, kinds []role.Kind, statuses []role.Status,
	after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy []*ent.RoleOrder) (*ent.RoleConnection, error) {
	q := c.Role.Query().Where(role.GroupID(group), role.StatusIn(ActiveIfNone(statuses)...))
	if len(kinds) > 0 {
		q = q.Where(role.KindIn(kinds...))
	}
	return q.Paginate(ctx, after, first, before, last, ent.WithRoleOrder(orderBy))
}

// countRoles counts the roles matching where per owner (the column named
// by by) and kind, in one statement, under the caller's privacy rules: a
// viewer counts only the roles they could list. Kinds with none are left out.
func countRoles(ctx context.Context, c *ent.Client, by string, where ...predicate.Role) (map[pulid.ID][]KindCount, error) {
	var rows []struct {
		Owner pulid.ID  `json:"owner"`
		Kind  role.Kind `json:"kind"`
		Count int       `json:"count"`
	}
	err := c.Role.Query().Where(where...).
		Modify(func(s *sql.Selector) {
			s.Select(sql.As(s.C(by), "owner"), sql.As(s.C(role.FieldKind), "kind"), sql.As(sql.Count("*"), "count")).
				GroupBy(s.C(by), s.C(role.FieldKind))
		}).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := map[pulid.ID][]KindCount{}
	for _, r := range rows {
		out[r.Owner] = append(out[r.Owner], KindCount{Kind: r.Kind, Count: r.Count})
	}
	for id := range out {
		slices.SortFunc(out[id], func(a, b KindCount) int {
			return slices.Index(kindOrder, a.Kind) - slices.Index(kindOrder, b.Kind)
		})
	}
	return out, nil
}

// RosterCounts counts each group's roles per kind with the given statuses
// (ACTIVE when none), in one statement for any number of groups.
func RosterCounts(ctx context.Context, c *ent.Client, groups []pulid.ID, statuses []role.Status) (map[pulid.ID][]KindCount, error) {
	return countRoles(ctx, c, role.FieldGroupID, role.GroupIDIn(groups...), role.StatusIn(ActiveIfNone(statuses)...))
}

// UserRoleCounts counts each person's roles per kind with the given
// statuses (ACTIVE when none), in one statement for any number of people.
func UserRoleCounts(ctx context.Context, c *ent.Client, users []pulid.ID, statuses []role.Status) (map[pulid.ID][]KindCount, error) {
	return countRoles(ctx, c, role.FieldUserID, role.UserIDIn(users...), role.StatusIn(ActiveIfNone(statuses)...))
}

// TrackRecord is what reviewers see of an applicant in the application's
// community: what they did, and (for ambassador applications) how many
// ambassadors already serve where they would.
type TrackRecord struct {
	Contributions      int
	EventsOrganized    int
	Roles              []KindCount
	AmbassadorsInScope *int
}

// TrackRecords computes the track record of the applicant of each
// application among ids that the caller reviews (authz.ReviewsApplication,
// decided on the application as stored); the others are absent from the
// map. It takes a constant number of statements for any number of
// applications. The counts behind a record are bookkeeping: they are read
// whoever may see the rows counted.
func TrackRecords(ctx context.Context, c *ent.Client, ids []pulid.ID) (map[pulid.ID]*TrackRecord, error) {
	v := viewer.FromContext(ctx)
	apps, err := c.Application.Query().Where(application.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	apps = slices.DeleteFunc(apps, func(a *ent.Application) bool { return !authz.ReviewsApplication(v, a) })
	ctx = authz.Unfiltered(ctx)
	var people, communities, regions, groups []pulid.ID
	for _, a := range apps {
		people, communities = append(people, a.ApplicantID), append(communities, a.CommunityID)
		if a.Kind == application.KindAMBASSADOR {
			if a.RegionID != "" {
				regions = append(regions, a.RegionID)
			} else if a.GroupID != "" {
				groups = append(groups, a.GroupID)
			}
		}
	}
	type pair struct{ user, community pulid.ID }

	var contribs []struct {
		UserID      pulid.ID `json:"user_id"`
		CommunityID pulid.ID `json:"community_id"`
		Count       int      `json:"count"`
	}
	if err := c.Contribution.Query().Where(contribution.UserIDIn(people...), contribution.CommunityIDIn(communities...), contribution.VerifiedAtNotNil()).
		GroupBy(contribution.FieldUserID, contribution.FieldCommunityID).Aggregate(ent.Count()).Scan(ctx, &contribs); err != nil {
		return nil, err
	}
	contributions := map[pair]int{}
	for _, r := range contribs {
		contributions[pair{r.UserID, r.CommunityID}] = r.Count
	}

	held, err := c.Role.Query().Where(role.UserIDIn(people...), role.CommunityIDIn(communities...)).
		Select(role.FieldUserID, role.FieldCommunityID, role.FieldGroupID, role.FieldKind).All(ctx)
	if err != nil {
		return nil, err
	}
	roles := map[pair]map[role.Kind]int{}
	organized := map[pair][]pulid.ID{}
	var organizedGroups []pulid.ID
	for _, r := range held {
		p := pair{r.UserID, r.CommunityID}
		if roles[p] == nil {
			roles[p] = map[role.Kind]int{}
		}
		roles[p][r.Kind]++
		if r.Kind == role.KindORGANIZER && r.GroupID != "" && !slices.Contains(organized[p], r.GroupID) {
			organized[p] = append(organized[p], r.GroupID)
			organizedGroups = append(organizedGroups, r.GroupID)
		}
	}

	var evs []struct {
		GroupID pulid.ID `json:"group_id"`
		Count   int      `json:"count"`
	}
	if len(organizedGroups) > 0 {
		if err := c.Event.Query().Where(event.GroupIDIn(organizedGroups...), event.StatusIn(event.StatusPUBLISHED, event.StatusCOMPLETED)).
			GroupBy(event.FieldGroupID).Aggregate(ent.Count()).Scan(ctx, &evs); err != nil {
			return nil, err
		}
	}
	events := map[pulid.ID]int{}
	for _, r := range evs {
		events[r.GroupID] = r.Count
	}

	inScope := map[pulid.ID]int{}
	for _, s := range []struct {
		ids []pulid.ID
		by  string
		in  func(...pulid.ID) predicate.Role
	}{{regions, role.FieldRegionID, role.RegionIDIn}, {groups, role.FieldGroupID, role.GroupIDIn}} {
		if len(s.ids) == 0 {
			continue
		}
		counts, err := countRoles(ctx, c, s.by, s.in(s.ids...), role.KindEQ(role.KindAMBASSADOR), role.StatusEQ(role.StatusACTIVE))
		if err != nil {
			return nil, err
		}
		for id, kc := range counts {
			for _, k := range kc {
				inScope[id] += k.Count
			}
		}
	}

	out := make(map[pulid.ID]*TrackRecord, len(apps))
	for _, a := range apps {
		p := pair{a.ApplicantID, a.CommunityID}
		tr := &TrackRecord{Contributions: contributions[p]}
		for _, g := range organized[p] {
			tr.EventsOrganized += events[g]
		}
		for _, k := range kindOrder {
			if n := roles[p][k]; n > 0 {
				tr.Roles = append(tr.Roles, KindCount{Kind: k, Count: n})
			}
		}
		if a.Kind == application.KindAMBASSADOR {
			n := inScope[a.RegionID]
			if a.RegionID == "" {
				n = inScope[a.GroupID]
			}
			tr.AmbassadorsInScope = &n
		}
		out[a.ID] = tr
	}
	return out, nil
}

// Leaderless lists a community's running groups that have no active
// organizer — after a term ended with nobody elected, say — by name, for
// the community's staff only (authz.CanListLeaderlessGroups).
func Leaderless(ctx context.Context, c *ent.Client, community pulid.ID) ([]*ent.Group, error) {
	community, err := ref.Community(ctx, c, "community", community)
	if err != nil {
		return nil, err
	}
	if !authz.CanListLeaderlessGroups(viewer.FromContext(ctx), community) {
		return nil, apierror.Forbiddenf("only the community's staff see which groups lack an organizer")
	}
	return c.Group.Query().Where(
		group.CommunityID(community),
		group.StatusIn(group.StatusACTIVE, group.StatusOFFICIAL),
		group.Not(group.HasRolesWith(role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE))),
	).Order(ent.Asc(group.FieldName)).All(ctx)
}

// People loads the users ids name, as the viewer of ctx may see them, in one
// query: someone they may not see is missing from the map (a field naming
// them shows null, and nothing about them leaks).
func People(ctx context.Context, c *ent.Client, ids []pulid.ID) (map[pulid.ID]*ent.User, error) {
	users, err := c.User.Query().Where(user.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID]*ent.User, len(users))
	for _, u := range users {
		out[u.ID] = u
	}
	return out, nil
}
