package workflow

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/organization"
	"github.com/usergroups/usergroups/ent/region"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
)

// AmbassadorRequest is an application to become an ambassador: where, and
// the three questions of the ambassador programme.
type AmbassadorRequest struct {
	CommunityID        pulid.ID
	RegionID, GroupID  pulid.ID
	Why, Participation string
	Ideas              string
}

// ApplyToBeAmbassador files an AMBASSADOR application for a region (or, where
// the community's ambassadors serve groups, a group) of the community.
func ApplyToBeAmbassador(ctx context.Context, c *ent.Client, req AmbassadorRequest) (*ent.Application, error) {
	v, err := requireWriter(ctx)
	if err != nil {
		return nil, err
	}
	com, err := c.Community.Get(ctx, req.CommunityID)
	if ent.IsNotFound(err) {
		return nil, apierror.Invalid("community", "no such community")
	}
	if err != nil {
		return nil, err
	}
	bk := bookkeeping(ctx)
	scope := role.CommunityID(com.ID)
	switch com.Policy.AmbassadorScope {
	case policy.AmbassadorsPerGroup:
		if req.GroupID == "" {
			return nil, apierror.Invalid("group", "%s's ambassadors serve a group: name it", com.Name)
		}
		ok, err := c.Group.Query().Where(group.ID(req.GroupID), group.CommunityID(com.ID)).Exist(bk)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apierror.Invalid("group", "no such group in %s", com.Name)
		}
		req.RegionID, scope = "", role.GroupID(req.GroupID)
	default:
		if req.RegionID == "" {
			return nil, apierror.Invalid("region", "%s's ambassadors serve a region: name it", com.Name)
		}
		ok, err := c.Region.Query().Where(region.ID(req.RegionID), region.CommunityID(com.ID)).Exist(bk)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apierror.Invalid("region", "no such region in %s", com.Name)
		}
		req.GroupID, scope = "", role.RegionID(req.RegionID)
	}
	for field, text := range map[string]*string{"why": &req.Why, "participation": &req.Participation, "ideas": &req.Ideas} {
		if *text, err = checkText(field, *text, 5000); err != nil {
			return nil, err
		}
	}
	if com.Policy.LeadersRequirePartner {
		partner, err := worksForPartner(ctx, c, v.UserID, com.ID)
		if err != nil {
			return nil, err
		}
		if !partner {
			return nil, apierror.Forbiddenf("%s's ambassadors come from partner enterprises", com.Name)
		}
	}
	already, err := c.Role.Query().Where(role.UserID(v.UserID), role.KindEQ(role.KindAMBASSADOR), role.StatusEQ(role.StatusACTIVE), scope).Exist(bk)
	if err != nil {
		return nil, err
	}
	if already {
		return nil, apierror.Conflictf("you are already an ambassador there")
	}
	pending, err := c.Application.Query().Where(application.ApplicantID(v.UserID), application.CommunityID(com.ID),
		application.KindEQ(application.KindAMBASSADOR), application.StatusIn(authz.OpenStatuses...)).Exist(bk)
	if err != nil {
		return nil, err
	}
	if pending {
		return nil, apierror.Conflictf("your ambassador application is already in review")
	}
	ac := c.Application.Create().SetCommunityID(com.ID).SetApplicantID(v.UserID).SetKind(application.KindAMBASSADOR).
		SetAnswers(schematype.ApplicationAnswers{Why: req.Why, Participation: req.Participation, Ideas: req.Ideas})
	if req.RegionID != "" {
		ac.SetRegionID(req.RegionID)
	}
	if req.GroupID != "" {
		ac.SetGroupID(req.GroupID)
	}
	app, err := ac.Save(bk)
	if err != nil {
		return nil, err
	}
	return c.Application.Get(ctx, app.ID)
}

// worksForPartner reports whether a person works for a partner enterprise of
// the community (openEuler's rule for organizers and ambassadors).
func worksForPartner(ctx context.Context, c *ent.Client, userID, communityID pulid.ID) (bool, error) {
	return c.User.Query().Where(user.ID(userID),
		user.HasOrganizationWith(organization.HasPartnerOfWith(community.ID(communityID)))).Exist(bookkeeping(ctx))
}
