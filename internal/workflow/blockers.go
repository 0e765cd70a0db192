package workflow

import (
	"context"
	"strings"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
)

// ApprovalBlockers lists, for each application among ids, what stands
// between it and approval now: a new-group request's
// policy.NewGroupBlockers, a funding request's policy.FundingBlockers, from
// the very state Approve and ApproveFunding decide on (approvalStates,
// fundingStates); other kinds have none. A constant number of statements
// for any number of applications; the caller decides who may read them.
func ApprovalBlockers(ctx context.Context, c *ent.Client, ids []pulid.ID) (map[pulid.ID][]*policy.Blocker, error) {
	apps, err := c.Application.Query().Where(application.IDIn(ids...)).WithCommunity().All(authz.Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	var newGroups, funding []*ent.Application
	for _, a := range apps {
		switch a.Kind {
		case application.KindNEW_GROUP:
			newGroups = append(newGroups, a)
		case application.KindFUNDING:
			funding = append(funding, a)
		}
	}
	out := make(map[pulid.ID][]*policy.Blocker, len(apps))
	states, err := approvalStates(ctx, c, newGroups)
	if err != nil {
		return nil, err
	}
	for _, a := range newGroups {
		out[a.ID] = pointers(policy.NewGroupBlockers(a.Edges.Community.Policy, states[a.ID]))
	}
	fstates, err := fundingStates(ctx, c, funding)
	if err != nil {
		return nil, err
	}
	for _, a := range funding {
		out[a.ID] = pointers(policy.FundingBlockers(fstates[a.ID]))
	}
	return out, nil
}

// approvalStates gathers what the approval rules look at for each of apps,
// from rows the reviewer may not all see (the supporters, other
// ambassadors' objections): unresolved conflicts, the mentor, the
// supporters from the proposed group's city, open objections.
func approvalStates(ctx context.Context, c *ent.Client, apps []*ent.Application) (map[pulid.ID]policy.ApprovalState, error) {
	out := make(map[pulid.ID]policy.ApprovalState, len(apps))
	if len(apps) == 0 {
		return out, nil
	}
	all := authz.Unfiltered(ctx)
	ids := make([]pulid.ID, len(apps))
	var groupIDs []pulid.ID
	for i, a := range apps {
		ids[i] = a.ID
		if a.Kind == application.KindNEW_GROUP && a.GroupID != "" {
			groupIDs = append(groupIDs, a.GroupID)
		}
	}
	objections, err := openObjectionCounts(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	cities := map[pulid.ID]string{}
	supporters := map[pulid.ID][]*ent.User{}
	if len(groupIDs) > 0 {
		groups, err := c.Group.Query().Where(group.IDIn(groupIDs...)).All(all)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			cities[g.ID] = g.City
		}
		backed, err := c.Application.Query().Where(application.IDIn(ids...)).WithSupporters().All(all)
		if err != nil {
			return nil, err
		}
		for _, a := range backed {
			supporters[a.ID] = a.Edges.Supporters
		}
	}
	for _, a := range apps {
		var st policy.ApprovalState
		for _, cf := range a.Screening.Conflicts {
			if cf.ResolvedAt == nil {
				st.UnresolvedConflicts++
			}
		}
		st.HasMentor = a.MentorID != ""
		if city, ok := cities[a.GroupID]; ok && a.Kind == application.KindNEW_GROUP {
			st.Supporters = supportersIn(supporters[a.ID], city)
		}
		st.OpenObjections = objections[a.ID]
		out[a.ID] = st
	}
	return out, nil
}

// approvalState is approvalStates for one application.
func approvalState(ctx context.Context, c *ent.Client, app *ent.Application) (policy.ApprovalState, error) {
	st, err := approvalStates(ctx, c, []*ent.Application{app})
	return st[app.ID], err
}

// supportersIn counts the people who live in city, and their organizations.
func supportersIn(people []*ent.User, city string) policy.Supporters {
	var local []*ent.User
	for _, p := range people {
		if strings.EqualFold(p.City, city) {
			local = append(local, p)
		}
	}
	return policy.Supporters{People: len(local), Organizations: organizationsOf(local)}
}

// openObjectionCounts counts each application's objections nobody resolved.
func openObjectionCounts(ctx context.Context, c *ent.Client, ids []pulid.ID) (map[pulid.ID]int, error) {
	of, err := c.Review.Query().Where(review.ApplicationIDIn(ids...), review.KindEQ(review.KindOBJECTION), review.ResolvedAtIsNil()).
		Select(review.FieldApplicationID).Strings(authz.Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID]int, len(ids))
	for _, id := range of {
		out[pulid.ID(id)]++
	}
	return out, nil
}

// fundingStates gathers what stops the approval of each funding request of
// apps (their community loaded), from rows the approver may not all see
// (the ambassadors' roles): the ambassadors in its scope under the
// community's policy — its group (GROUP) or its region (REGION) — other
// than the requester, whether one of them endorsed it, its open objections.
func fundingStates(ctx context.Context, c *ent.Client, apps []*ent.Application) (map[pulid.ID]policy.FundingState, error) {
	out := make(map[pulid.ID]policy.FundingState, len(apps))
	if len(apps) == 0 {
		return out, nil
	}
	all := authz.Unfiltered(ctx)
	ids := make([]pulid.ID, len(apps))
	var groups, regions []pulid.ID
	for i, a := range apps {
		ids[i] = a.ID
		switch g, r := fundingScope(a); {
		case g != "":
			groups = append(groups, g)
		case r != "":
			regions = append(regions, r)
		}
	}
	objections, err := openObjectionCounts(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	var ambassadors []*ent.Role
	if len(groups)+len(regions) > 0 {
		ambassadors, err = c.Role.Query().Where(role.KindEQ(role.KindAMBASSADOR), role.StatusEQ(role.StatusACTIVE), role.Or(
			role.GroupIDIn(groups...), role.And(role.RegionIDIn(regions...), role.GroupIDIsNil()),
		)).Select(role.FieldUserID, role.FieldCommunityID, role.FieldGroupID, role.FieldRegionID).All(all)
		if err != nil {
			return nil, err
		}
	}
	endorsements, err := c.Review.Query().Where(review.ApplicationIDIn(ids...), review.KindEQ(review.KindENDORSEMENT)).
		Select(review.FieldApplicationID, review.FieldAuthorID).All(all)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		st := policy.FundingState{OpenObjections: objections[a.ID]}
		g, r := fundingScope(a)
		endorsers := map[pulid.ID]bool{}
		for _, ro := range ambassadors {
			inScope := (g != "" && ro.GroupID == g) || (g == "" && r != "" && ro.RegionID == r && ro.GroupID == "")
			if inScope && ro.CommunityID == a.CommunityID && ro.UserID != a.ApplicantID {
				st.Endorsers++
				endorsers[ro.UserID] = true
			}
		}
		for _, e := range endorsements {
			if e.ApplicationID == a.ID && endorsers[e.AuthorID] {
				st.Endorsed = true
			}
		}
		out[a.ID] = st
	}
	return out, nil
}

// fundingScope is where a funding request's endorsers are ambassadors: its
// group where the policy has ambassadors per group, else its region; both
// empty when it has neither.
func fundingScope(a *ent.Application) (groupID, regionID pulid.ID) {
	if a.Edges.Community.Policy.AmbassadorScope == policy.AmbassadorsPerGroup && a.GroupID != "" {
		return a.GroupID, ""
	}
	return "", a.RegionID
}

// fundingState is fundingStates for one request.
func fundingState(ctx context.Context, c *ent.Client, app *ent.Application) (policy.FundingState, error) {
	st, err := fundingStates(ctx, c, []*ent.Application{app})
	return st[app.ID], err
}

func pointers(bs []policy.Blocker) []*policy.Blocker {
	out := make([]*policy.Blocker, len(bs))
	for i := range bs {
		out[i] = &bs[i]
	}
	return out
}
