package workflow

import (
	"context"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/organization"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/region"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
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
func (r *Runner) ApplyToBeAmbassador(ctx context.Context, req AmbassadorRequest) (*ent.Application, error) {
	return act(ctx, r, "apply to be ambassador", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		com, err := communityArg(ctx, c, req.CommunityID)
		if err != nil {
			return nil, err
		}
		scope, err := ambassadorScope(ctx, c, com, &req)
		if err != nil {
			return nil, err
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
		already, err := c.Role.Query().Where(role.UserID(v.UserID), role.KindEQ(role.KindAMBASSADOR), role.StatusEQ(role.StatusACTIVE), scope).
			Exist(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		if already {
			return nil, apierror.Conflictf("you are already an ambassador there")
		}
		pending, err := hasOpenApplication(ctx, c, application.ApplicantID(v.UserID), application.CommunityID(com.ID),
			application.KindEQ(application.KindAMBASSADOR))
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
		app, err := ac.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, app.ID)
	})
}

// worksForPartner reports whether a person works for a partner enterprise of
// the community (openEuler's rule for organizers and ambassadors).
func worksForPartner(ctx context.Context, c *ent.Client, userID, communityID pulid.ID) (bool, error) {
	return c.User.Query().Where(user.ID(userID),
		user.HasOrganizationWith(organization.HasPartnerOfWith(community.ID(communityID)))).Exist(authz.Unfiltered(ctx))
}

// ambassadorScope checks the region or group a request names against the
// community's ambassador scope, clears the other, and returns the roles
// that already serve there.
func ambassadorScope(ctx context.Context, c *ent.Client, com *ent.Community, req *AmbassadorRequest) (predicate.Role, error) {
	all := authz.Unfiltered(ctx)
	if com.Policy.AmbassadorScope == policy.AmbassadorsPerGroup {
		if req.GroupID == "" {
			return nil, apierror.Invalid("group", "%s's ambassadors serve a group: name it", com.Name)
		}
		ok, err := c.Group.Query().Where(group.ID(req.GroupID), group.CommunityID(com.ID)).Exist(all)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apierror.Invalid("group", "no such group in %s", com.Name)
		}
		req.RegionID = ""
		return role.GroupID(req.GroupID), nil
	}
	if req.RegionID == "" {
		return nil, apierror.Invalid("region", "%s's ambassadors serve a region: name it", com.Name)
	}
	ok, err := c.Region.Query().Where(region.ID(req.RegionID), region.CommunityID(com.ID)).Exist(all)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apierror.Invalid("region", "no such region in %s", com.Name)
	}
	req.GroupID = ""
	return role.RegionID(req.RegionID), nil
}
