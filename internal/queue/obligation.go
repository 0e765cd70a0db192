package queue

import (
	"context"
	"slices"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Obligation is where one membership stands in its current obligation
// window: what the end of the window will be decided on, the first
// verified contribution that met it and how many wait for verification.
type Obligation struct {
	State   policy.ObligationState
	MetBy   *ent.Contribution
	Pending int
}

// obligationChunk bounds the roles whose facts one pair of statements
// gathers, well inside both databases' limits on bound parameters.
const obligationChunk = 500

// Obligations gathers, for memberships (MEMBER roles with a window), what
// the end of their window is decided on, in two statements per 500 roles
// whatever the number of contributions: the members' contributions credited
// to their groups inside their windows, and which of them organize the
// group. It reads every row (the job and the counts need them all, and
// MetBy is only ever shown to the member whose contribution it is).
func Obligations(ctx context.Context, c *ent.Client, roles []*ent.Role) (map[pulid.ID]*Obligation, error) {
	out := make(map[pulid.ID]*Obligation, len(roles))
	for chunk := range slices.Chunk(roles, obligationChunk) {
		if err := obligations(authz.Unfiltered(ctx), c, chunk, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type pair struct{ user, group pulid.ID }

func obligations(ctx context.Context, c *ent.Client, roles []*ent.Role, out map[pulid.ID]*Obligation) error {
	var users, groups []pulid.ID
	var from, to time.Time
	for _, ro := range roles {
		out[ro.ID] = &Obligation{}
		if ro.ObligationStartedAt == nil || ro.ObligationDueAt == nil {
			continue
		}
		users, groups = append(users, ro.UserID), append(groups, ro.GroupID)
		if from.IsZero() || ro.ObligationStartedAt.Before(from) {
			from = *ro.ObligationStartedAt
		}
		if ro.ObligationDueAt.After(to) {
			to = *ro.ObligationDueAt
		}
	}
	if len(users) == 0 {
		return nil
	}
	users, groups = uniq(users), uniq(groups)
	cs, err := c.Contribution.Query().Where(contribution.UserIDIn(users...), contribution.GroupIDIn(groups...),
		contribution.StatusIn(contribution.StatusVERIFIED, contribution.StatusPENDING),
		contribution.OccurredOnGTE(from), contribution.OccurredOnLT(to)).
		Order(ent.Asc(contribution.FieldOccurredOn), ent.Asc(contribution.FieldID)).All(ctx)
	if err != nil {
		return err
	}
	byPair := map[pair][]*ent.Contribution{}
	for _, ct := range cs {
		k := pair{ct.UserID, ct.GroupID}
		byPair[k] = append(byPair[k], ct)
	}
	leaders, err := c.Role.Query().Where(role.UserIDIn(users...), role.GroupIDIn(groups...),
		role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).All(ctx)
	if err != nil {
		return err
	}
	leads := map[pair]bool{}
	for _, l := range leaders {
		leads[pair{l.UserID, l.GroupID}] = true
	}
	for _, ro := range roles {
		if ro.ObligationStartedAt == nil || ro.ObligationDueAt == nil {
			continue
		}
		o := out[ro.ID]
		k := pair{ro.UserID, ro.GroupID}
		o.State.Leads = leads[k]
		for _, ct := range byPair[k] {
			if !policy.InObligationWindow(*ro.ObligationStartedAt, *ro.ObligationDueAt, ct.OccurredOn) {
				continue
			}
			switch ct.Status {
			case contribution.StatusVERIFIED:
				if o.MetBy == nil {
					o.MetBy = ct
				}
				o.State.Met = true
			case contribution.StatusPENDING:
				o.Pending++
				o.State.Pending = true
			}
		}
	}
	return nil
}

func uniq(ids []pulid.ID) []pulid.ID {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Membership is the viewer's own membership of a group and its current
// obligation window (nil times where the community has no obligation).
type Membership struct {
	Role                *ent.Role
	ObligationStartedAt *time.Time
	ObligationDueAt     *time.Time
	// MetBy is the first verified contribution of the member credited to
	// the group that occurred inside the current window.
	MetBy *ent.Contribution
}

// ViewerMembership is the viewer's active membership of group, or nil when
// they hold none (anonymous viewers included).
func ViewerMembership(ctx context.Context, c *ent.Client, groupID pulid.ID) (*Membership, error) {
	v := viewer.FromContext(ctx)
	if !v.IsUser() {
		return nil, nil
	}
	ro, err := c.Role.Query().Where(role.GroupID(groupID), role.UserID(v.UserID), role.KindEQ(role.KindMEMBER),
		role.StatusEQ(role.StatusACTIVE)).WithCommunity().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m := &Membership{Role: ro}
	com := ro.Edges.Community
	if com == nil || com.Policy.ObligationWindowDays <= 0 || ro.ObligationDueAt == nil {
		return m, nil // no obligation (any more: the rule was dropped, nobody lapses)
	}
	m.ObligationStartedAt, m.ObligationDueAt = ro.ObligationStartedAt, ro.ObligationDueAt
	facts, err := Obligations(ctx, c, []*ent.Role{ro})
	if err != nil {
		return nil, err
	}
	m.MetBy = facts[ro.ID].MetBy
	return m, nil
}

// MemberAtRisk is a member whose obligation window ends soon (or has
// ended, while a contribution awaits a decision) and who has not met it.
type MemberAtRisk struct {
	Role                 *ent.Role
	Member               *ent.User
	ObligationDueAt      time.Time
	PendingContributions int
}

// MaxAtRiskDays is the furthest ahead membersAtRisk looks: a year's window.
const MaxAtRiskDays = 366

// MembersAtRisk lists the active members of group whose window ends within
// withinDays of now without a verified contribution (organizers excluded:
// running the group is their contribution), soonest first, for the group's
// organizers and ambassadors and its community's staff. Its statements do
// not grow with the number of members.
func MembersAtRisk(ctx context.Context, c *ent.Client, groupID pulid.ID, withinDays int, now time.Time) ([]*MemberAtRisk, error) {
	if withinDays < 1 || withinDays > MaxAtRiskDays {
		return nil, apierror.Invalid("withinDays", "withinDays must be between 1 and %d", MaxAtRiskDays)
	}
	// The full row, with its community, decides who may ask: never the
	// partly loaded group the field was resolved on.
	g, err := c.Group.Query().Where(group.ID(groupID)).WithCommunity().Only(ctx)
	if err != nil {
		return nil, err
	}
	if !authz.CanSeeMembersAtRisk(viewer.FromContext(ctx), g.ID, g.CommunityID) {
		return nil, apierror.Forbiddenf("only the group's organizers and ambassadors and the community's staff see who is at risk")
	}
	if g.Edges.Community == nil || g.Edges.Community.Policy.ObligationWindowDays <= 0 {
		return []*MemberAtRisk{}, nil
	}
	roles, err := c.Role.Query().Where(role.GroupID(g.ID), role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE),
		role.ObligationDueAtNotNil(), role.ObligationDueAtLTE(now.AddDate(0, 0, withinDays))).
		WithUser().Order(ent.Asc(role.FieldObligationDueAt), ent.Asc(role.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	facts, err := Obligations(ctx, c, roles)
	if err != nil {
		return nil, err
	}
	out := []*MemberAtRisk{}
	for _, ro := range roles {
		f := facts[ro.ID]
		if f.State.Met || f.State.Leads || ro.Edges.User == nil {
			continue
		}
		out = append(out, &MemberAtRisk{Role: ro, Member: ro.Edges.User, ObligationDueAt: *ro.ObligationDueAt, PendingContributions: f.Pending})
	}
	return out, nil
}
