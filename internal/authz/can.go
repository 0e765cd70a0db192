package authz

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/viewer"
)

// What a viewer may do with a row they can see. Dashboards show these as
// viewerCan* fields; the workflows that perform the actions check the same
// functions, so a button is shown exactly when the action would be allowed.

// CanAdministerGroup: the group's organizers and its community's staff.
func CanAdministerGroup(v *viewer.Viewer, g *ent.Group) bool {
	if !v.HasScope(viewer.WriteGroups) {
		return false
	}
	return v.IsStaff(g.CommunityID) || v.HasGroupRole(g.ID, viewer.Organizer)
}

// CanJoinGroup: a signed-in person who may write and is not yet in the
// group, while the group is running (active or official).
func CanJoinGroup(v *viewer.Viewer, g *ent.Group) bool {
	if !v.IsUser() || !v.HasScope(viewer.WriteRoster) {
		return false
	}
	if g.Status != group.StatusACTIVE && g.Status != group.StatusOFFICIAL {
		return false
	}
	return !v.HasGroupRole(g.ID)
}

// OpenStatuses lists the states in which an application still waits for a
// decision; the others are final.
var OpenStatuses = []application.Status{
	application.StatusSUBMITTED, application.StatusIN_REVIEW, application.StatusNEEDS_INFO, application.StatusOBJECTION_WINDOW,
}

// IsOpen reports whether an application in status s still waits for a decision.
func IsOpen(s application.Status) bool { return slices.Contains(OpenStatuses, s) }

// ReviewsApplication reports whether v is among an application's reviewers,
// whatever its state: the same scope ApplicationVisible grants beyond the
// applicant, except a group's organizers, who see its funding requests but
// do not review them.
func ReviewsApplication(v *viewer.Viewer, a *ent.Application) bool {
	if v.IsStaff(a.CommunityID) {
		return true
	}
	switch {
	case slices.Contains(v.AmbassadorCommunities(), a.CommunityID),
		a.RegionID != "" && slices.Contains(v.AmbassadorRegions(), a.RegionID),
		a.GroupID != "" && slices.Contains(v.AmbassadorGroups(), a.GroupID):
		return true
	case a.Kind == application.KindMEMBERSHIP || a.Kind == application.KindORGANIZER:
		return a.GroupID != "" && slices.Contains(v.OrganizerGroups(), a.GroupID)
	}
	return false
}

// CanReviewApplication: a reviewer in scope who is not the applicant, while
// the application is open.
func CanReviewApplication(v *viewer.Viewer, a *ent.Application) bool {
	if !v.IsUser() || !v.HasScope(viewer.WriteApplications) || a.ApplicantID == v.UserID {
		return false
	}
	return IsOpen(a.Status) && ReviewsApplication(v, a)
}

// CanEditEvent: the group's organizers and its community's staff.
func CanEditEvent(v *viewer.Viewer, e *ent.Event) bool {
	if !v.HasScope(viewer.WriteEvents) {
		return false
	}
	return v.IsStaff(e.CommunityID) || v.HasGroupRole(e.GroupID, viewer.Organizer)
}

// CanRegisterForEvent: a signed-in person who may write, for a published
// event that has not started; members-only events take the group's members.
func CanRegisterForEvent(v *viewer.Viewer, e *ent.Event, now time.Time) bool {
	if !v.IsUser() || !v.HasScope(viewer.WriteRegistrations) {
		return false
	}
	if e.Status != event.StatusPUBLISHED || !now.Before(e.StartsAt) {
		return false
	}
	return e.Visibility == event.VisibilityPUBLIC || v.HasGroupRole(e.GroupID)
}

// ViewerFor loads a person's active roles into a viewer (tok is the API
// token the request came with, or nil). Authentication uses it for the
// requester, workflows for people they act on (a reviewer being assigned).
func ViewerFor(ctx context.Context, c *ent.Client, userID pulid.ID, tok *viewer.Token) (*viewer.Viewer, error) {
	roles, err := c.Role.Query().
		Where(role.UserID(userID), role.StatusEQ(role.StatusACTIVE)).
		Select(role.FieldKind, role.FieldCommunityID, role.FieldRegionID, role.FieldGroupID).
		All(Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	v := &viewer.Viewer{UserID: userID, Token: tok}
	for _, r := range roles {
		v.Roles = append(v.Roles, viewer.Role{Kind: string(r.Kind), CommunityID: r.CommunityID, RegionID: r.RegionID, GroupID: r.GroupID})
	}
	return v, nil
}

// ErrDeactivated is the error of a token whose service account was
// deactivated (its tokens are revoked with it, so this is only a race).
var ErrDeactivated = errors.New("the service account was deactivated")

// TokenViewer returns the viewer of a request made with tok: its owner with
// their active roles, or, for a service account's token, the account's own
// user with the authority of the account's reach (the community's staff,
// or the group's organizers) and no person's roles; within the token's
// scopes either way. Checking that tok is neither revoked nor expired is
// the caller's.
func TokenViewer(ctx context.Context, c *ent.Client, tok *ent.APIToken) (*viewer.Viewer, error) {
	t := &viewer.Token{ID: tok.ID, Scopes: tok.Scopes}
	if tok.ServiceAccountID == "" {
		return ViewerFor(ctx, c, tok.OwnerID, t)
	}
	sa, err := c.ServiceAccount.Get(Unfiltered(ctx), tok.ServiceAccountID)
	if err != nil {
		return nil, err
	}
	if sa.DeactivatedAt != nil {
		return nil, ErrDeactivated
	}
	reach := viewer.Role{Kind: viewer.CommunityManager, CommunityID: sa.CommunityID}
	if sa.GroupID != "" {
		reach = viewer.Role{Kind: viewer.Organizer, CommunityID: sa.CommunityID, GroupID: sa.GroupID}
	}
	return &viewer.Viewer{UserID: sa.UserID, Token: t, Roles: []viewer.Role{reach},
		ServiceAccount: &viewer.ServiceAccount{ID: sa.ID, CommunityID: sa.CommunityID, GroupID: sa.GroupID}}, nil
}

// CanSeeJobs reports whether v may list and retry the background jobs of
// community: its staff; with no community (all jobs, the sweeps included),
// the platform's admins only.
func CanSeeJobs(v *viewer.Viewer, community pulid.ID) bool {
	if community == "" {
		return v.IsAdmin()
	}
	return v.IsStaff(community)
}
