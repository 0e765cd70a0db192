package workflow

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/invite"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// JoinRequest is what a person sends to join a group.
type JoinRequest struct {
	GroupID     pulid.ID
	Affiliation string
	ArticleURL  string
}

// JoinResult is a membership granted at once, or a request for the
// organizers' queue.
type JoinResult struct {
	Role        *ent.Role
	Application *ent.Application
}

// liveRoles are the statuses that tie a person to a group.
var liveRoles = []role.Status{role.StatusPENDING, role.StatusACTIVE}

// JoinGroup makes the viewer a member of a running group: at once where the
// community's policy has open membership, otherwise as a MEMBERSHIP
// application the group's organizers decide (openEuler asks for a published
// article). A person is in a roster once.
func (r *Runner) JoinGroup(ctx context.Context, req JoinRequest) (JoinResult, error) {
	return act(ctx, r, "join group", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (JoinResult, error) {
		g, err := loadGroup(ctx, c, req.GroupID)
		if err != nil {
			return JoinResult{}, err
		}
		if err := running(g); err != nil {
			return JoinResult{}, err
		}
		member, err := inGroup(ctx, c, g.ID, v.UserID)
		if err != nil {
			return JoinResult{}, err
		}
		if member || !authz.CanJoinGroup(v, g) {
			return JoinResult{}, apierror.Conflictf("you are already in this group")
		}
		pending, err := c.Application.Query().Where(application.ApplicantID(v.UserID), application.GroupID(g.ID),
			application.KindEQ(application.KindMEMBERSHIP), application.StatusIn(authz.OpenStatuses...)).Exist(authz.Unfiltered(ctx))
		if err != nil {
			return JoinResult{}, err
		}
		if pending {
			return JoinResult{}, apierror.Conflictf("your request to join is already waiting for the organizers")
		}
		p, com := g.Edges.Community.Policy, g.Edges.Community
		if !p.MembershipNeedsApproval {
			if err := grant(authz.Unfiltered(ctx), c, v.UserID, role.KindMEMBER, com, g.ID, "", now); err != nil {
				return JoinResult{}, err
			}
			ro, err := activeRole(ctx, c, g.ID, v.UserID, role.KindMEMBER)
			return JoinResult{Role: ro}, err
		}
		req.ArticleURL = strings.TrimSpace(req.ArticleURL)
		if p.MembershipRequiresArticle && req.ArticleURL == "" {
			return JoinResult{}, apierror.Invalid("articleURL", "%s asks members for a link to an article they published", com.Name)
		}
		if req.ArticleURL != "" {
			if err := policy.ValidateURL(req.ArticleURL); err != nil {
				return JoinResult{}, apierror.Invalid("articleURL", "articleURL: %v", err)
			}
		}
		if len([]rune(req.Affiliation)) > 200 {
			return JoinResult{}, apierror.Invalid("affiliation", "affiliation must be at most 200 characters")
		}
		ac := c.Application.Create().SetCommunityID(com.ID).SetApplicantID(v.UserID).SetGroupID(g.ID).
			SetKind(application.KindMEMBERSHIP).
			SetAnswers(schematype.ApplicationAnswers{Affiliation: strings.TrimSpace(req.Affiliation), ArticleURL: req.ArticleURL})
		if g.RegionID != "" {
			ac.SetRegionID(g.RegionID)
		}
		app, err := ac.Save(ctx)
		if err != nil {
			return JoinResult{}, err
		}
		app, err = c.Application.Get(ctx, app.ID)
		return JoinResult{Application: app}, err
	})
}

// endGroupRoles ends a person's live roles in a group with the given status.
// keepOrganizer refuses to leave the group without an organizer: people
// leaving on their own need a successor, while staff removing someone (with
// a reason) may leave the group organizer-less, listed among
// groupsWithoutOrganizer until they appoint the next.
func endGroupRoles(ctx context.Context, c *ent.Client, groupID, userID pulid.ID, status role.Status, reason string, keepOrganizer bool, now time.Time) ([]*ent.Role, error) {
	all := authz.Unfiltered(ctx)
	// The group's row is locked before anything is counted (see
	// organizersLeft).
	if err := lockGroup(authz.Unfiltered(ctx), c, groupID); err != nil {
		return nil, err
	}
	roles, err := c.Role.Query().Where(role.UserID(userID), role.GroupID(groupID), role.StatusIn(liveRoles...)).All(all)
	if err != nil {
		return nil, err
	}
	if len(roles) == 0 {
		return nil, apierror.Conflictf("the person is not in this group")
	}
	for _, ro := range roles {
		if keepOrganizer && ro.Kind == role.KindORGANIZER && ro.Status == role.StatusACTIVE {
			if err := organizersLeft(ctx, c, groupID, role.UserID(userID)); err != nil {
				return nil, err
			}
		}
	}
	upd := c.Role.Update().Where(role.UserID(userID), role.GroupID(groupID), role.StatusIn(liveRoles...)).
		SetStatus(status).SetEndedAt(now)
	if reason != "" {
		upd.SetEndReason(reason)
	}
	if err := upd.Exec(ctx); err != nil {
		return nil, err
	}
	return c.Role.Query().Where(role.IDIn(ids(roles)...)).All(all)
}

// organizersLeft refuses (LAST_ORGANIZER) to let the active organizer
// roles matched by leaving end when no other active organizer would remain.
// The caller has locked the group's row: two organizers leaving at once
// count each other one after the other, so the second sees the first gone
// and is refused.
func organizersLeft(ctx context.Context, c *ent.Client, groupID pulid.ID, leaving predicate.Role) error {
	others, err := c.Role.Query().Where(role.GroupID(groupID), role.KindEQ(role.KindORGANIZER),
		role.StatusEQ(role.StatusACTIVE), role.Not(leaving)).Count(authz.Unfiltered(ctx))
	if err != nil {
		return err
	}
	if others == 0 {
		return lastOrganizer(ctx, c, groupID)
	}
	return nil
}

func ids(roles []*ent.Role) []pulid.ID {
	out := make([]pulid.ID, len(roles))
	for i, r := range roles {
		out[i] = r.ID
	}
	return out
}

// LeaveGroup ends the viewer's roles in a group (LEFT).
func (r *Runner) LeaveGroup(ctx context.Context, groupID pulid.ID) ([]*ent.Role, error) {
	return act(ctx, r, "leave group", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) ([]*ent.Role, error) {
		return endGroupRoles(ctx, c, groupID, v.UserID, role.StatusLEFT, "", true, now)
	})
}

// RemoveMember ends another person's roles in a group (REMOVED) with a
// reason. The person and the group are named by one of the person's live
// roles there (roleID), as a roster lists roles, not people. Organizers may
// remove members; removing an organizer takes staff.
func (r *Runner) RemoveMember(ctx context.Context, roleID pulid.ID, reason string) ([]*ent.Role, error) {
	return act(ctx, r, "remove member", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) ([]*ent.Role, error) {
		ro, err := c.Role.Get(ctx, roleID)
		if err != nil {
			return nil, notFound(err, "role")
		}
		if ro.GroupID == "" {
			return nil, apierror.Invalid("id", "the role is not a role in a group: to end it, use revokeRole")
		}
		groupID, userID := ro.GroupID, ro.UserID
		g, err := administeredGroup(ctx, c, v, groupID, "remove members")
		if err != nil {
			return nil, err
		}
		if userID == v.UserID {
			return nil, apierror.Invalid("id", "to leave a group yourself, use leaveGroup")
		}
		if !slices.Contains(liveRoles, ro.Status) {
			return nil, statusConflict(ro.Status, "the role has ended already (status %s)", ro.Status)
		}
		if reason, err = checkText("reason", reason, 500); err != nil {
			return nil, err
		}
		isOrganizer, err := holds(ctx, c, groupID, userID, role.KindORGANIZER)
		if err != nil {
			return nil, err
		}
		if isOrganizer && !v.IsStaff(g.CommunityID) {
			return nil, apierror.Forbiddenf("removing an organizer takes a community manager")
		}
		// Only staff get here for an organizer, and they may remove the last.
		ended, err := endGroupRoles(ctx, c, groupID, userID, role.StatusREMOVED, reason, false, now)
		if err != nil {
			return nil, err
		}
		for _, ro := range ended {
			if err := auditRevoked(ctx, c, now, ro); err != nil {
				return nil, err
			}
		}
		return ended, nil
	})
}

// GrantGroupRole makes an active member of a group an ORGANIZER (or, where
// ambassadors serve groups, an AMBASSADOR), within the policy's caps. Where
// the community appoints first terms (openEuler) only staff appoint;
// elsewhere (OpenStack) any organizer may make another member an
// administrator, as on the old groups portal.
func (r *Runner) GrantGroupRole(ctx context.Context, groupID, userID pulid.ID, kind role.Kind) (*ent.Role, error) {
	return act(ctx, r, "grant group role", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Role, error) {
		g, err := loadGroup(ctx, c, groupID)
		if err != nil {
			return nil, err
		}
		com := g.Edges.Community
		switch {
		case kind == role.KindAMBASSADOR && com.Policy.AmbassadorScope != policy.AmbassadorsPerGroup:
			return nil, apierror.Invalid("kind", "%s's ambassadors serve regions, not groups", com.Name)
		case kind != role.KindORGANIZER && kind != role.KindAMBASSADOR:
			return nil, apierror.Invalid("kind", "a group role is ORGANIZER or AMBASSADOR")
		}
		staffOnly := com.Policy.FirstTermAppointed || kind == role.KindAMBASSADOR
		if !v.IsStaff(g.CommunityID) && (staffOnly || !authz.CanAdministerGroup(v, g)) {
			return nil, apierror.Forbiddenf("only %s may appoint this role", map[bool]string{true: "the community's staff", false: "the group's organizers and staff"}[staffOnly])
		}
		isMember, err := holds(ctx, c, groupID, userID, role.KindMEMBER)
		if err != nil {
			return nil, err
		}
		if !isMember {
			return nil, apierror.Invalid("user", "only an active member of the group can be given a group role")
		}
		if err := fromPartner(ctx, c, com, userID, "user", "organizers and ambassadors"); err != nil {
			return nil, err
		}
		if err := grant(authz.Unfiltered(ctx), c, userID, kind, com, groupID, "", now); err != nil {
			return nil, err
		}
		return activeRole(ctx, c, groupID, userID, kind)
	})
}

// Ender says whose role an EndRole call may end.
type Ender int

// Whose role may be ended.
const (
	AnyRole    Ender = iota // your own, or (staff) anyone's
	OwnRole                 // stepping down
	OthersRole              // revoking
)

// EndRole ends a role: an ambassador stepping down becomes EMERITUS; an
// organizer stepping down leaves the group's administrators (LEFT); staff may
// revoke any role with a reason (REMOVED), e.g. for misuse of the title. A
// group's last organizer cannot step down without a successor; staff may
// revoke it, and the group waits in groupsWithoutOrganizer for the next.
func (r *Runner) EndRole(ctx context.Context, roleID pulid.ID, reason string, who Ender) (*ent.Role, error) {
	return act(ctx, r, "end role", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Role, error) {
		ro, err := c.Role.Get(ctx, roleID)
		if err != nil {
			return nil, notFound(err, "role")
		}
		if ro.Status != role.StatusACTIVE {
			return nil, statusConflict(ro.Status, "the role is not active (status %s)", ro.Status)
		}
		self := ro.UserID == v.UserID
		if (who == OwnRole && !self) || (who == OthersRole && self) {
			return nil, apierror.Forbiddenf("%s", map[Ender]string{OwnRole: "you can step down only from your own role", OthersRole: "to end your own role, step down"}[who])
		}
		status := role.StatusREMOVED
		switch {
		case self && ro.Kind == role.KindAMBASSADOR:
			status = role.StatusEMERITUS
		case self:
			status = role.StatusLEFT
		case ro.CommunityID != "" && v.IsStaff(ro.CommunityID):
			if reason, err = checkText("reason", reason, 500); err != nil {
				return nil, err
			}
		default:
			return nil, apierror.Forbiddenf("you may end your own roles; staff may revoke others'")
		}
		if self && ro.Kind == role.KindORGANIZER && ro.GroupID != "" {
			if err := lockGroup(authz.Unfiltered(ctx), c, ro.GroupID); err != nil {
				return nil, err
			}
			if err := organizersLeft(ctx, c, ro.GroupID, role.ID(ro.ID)); err != nil {
				return nil, err
			}
		}
		upd := c.Role.UpdateOneID(ro.ID).SetStatus(status).SetEndedAt(now)
		if reason = strings.TrimSpace(reason); reason != "" {
			upd.SetEndReason(reason)
		}
		ended, err := upd.Save(ctx)
		if err != nil || status != role.StatusREMOVED {
			return ended, err
		}
		if err := auditRevoked(ctx, c, now, ended); err != nil {
			return nil, err
		}
		return ended, nil
	})
}

// auditRevoked writes the audit entry of a role someone else ended
// (REMOVED): the trail outlives the change log, which is pruned.
func auditRevoked(ctx context.Context, c *ent.Client, now time.Time, ro *ent.Role) error {
	return changelog.Audit(ctx, c, now, changelog.AuditRecord{Action: auditentry.ActionREVOKED, NodeType: "Role",
		NodeID: string(ro.ID), Community: ro.CommunityID, Group: ro.GroupID, Reason: ro.EndReason})
}

// ReasonLastOrganizer is extensions.reason of the refusal to let a group's
// last organizer leave without a successor.
const ReasonLastOrganizer = "LAST_ORGANIZER"

// lastOrganizer is the CONFLICT for a group's last organizer leaving on their
// own. It names who can resolve it under the community's policy, in
// extensions.resolvedBy: the organizer themself, by making an active member
// an organizer first, where organizers may appoint and the cap leaves room;
// and always the community's staff, who may revoke the role with a reason
// and appoint the next organizer.
func lastOrganizer(ctx context.Context, c *ent.Client, groupID pulid.ID) error {
	g, err := loadGroup(authz.Unfiltered(ctx), c, groupID)
	if err != nil {
		return err
	}
	p := g.Edges.Community.Policy
	resolvedBy := []string{viewer.CommunityManager}
	msg := "this is the group's last organizer, and only the community's staff may appoint the next: " +
		"ask a community manager to end your role (revokeRole, with a reason) and appoint a successor (grantGroupRole)"
	if !p.FirstTermAppointed && (p.MaxOrganizersPerGroup == 0 || p.MaxOrganizersPerGroup > 1) {
		resolvedBy = []string{viewer.Organizer, viewer.CommunityManager}
		msg = "this is the group's last organizer: make an active member an organizer first (grantGroupRole), then step down; " +
			"or ask a community manager, who may end your role (revokeRole, with a reason) and appoint a successor"
	}
	e := apierror.Conflictf("%s", msg)
	e.Extensions = map[string]any{"reason": ReasonLastOrganizer, "resolvedBy": resolvedBy}
	return e
}

// inviteAlphabet is the letters of every code people type (invites,
// check-ins, certificates): no look-alike characters.
const inviteAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// randomCode returns n random letters of inviteAlphabet; 256 is a multiple
// of its 32 letters, so no letter is likelier than another.
func randomCode(n int) (string, error) {
	raw := make([]byte, n)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	for i, b := range raw {
		raw[i] = inviteAlphabet[int(b)%len(inviteAlphabet)]
	}
	return string(raw), nil
}

// Defaults of an invite whose creator leaves them out.
const (
	DefaultInviteDays = 14
	DefaultInviteUses = 50
)

// CreateInvite makes a "scan to join" code for a group the viewer
// administers, valid for days (1–90, DefaultInviteDays when nil) and maxUses
// redemptions (1–1000, DefaultInviteUses when nil).
func (r *Runner) CreateInvite(ctx context.Context, groupID pulid.ID, days, maxUses *int) (*ent.Invite, error) {
	return act(ctx, r, "create invite", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Invite, error) {
		g, err := administeredGroup(ctx, c, v, groupID, "invite")
		if err != nil {
			return nil, err
		}
		d, uses := orDefault(days, DefaultInviteDays), orDefault(maxUses, DefaultInviteUses)
		if d < 1 || d > 90 {
			return nil, apierror.Invalid("expiresInDays", "an invite lasts from 1 to 90 days")
		}
		if uses < 1 || uses > 1000 {
			return nil, apierror.Invalid("maxUses", "maxUses must be between 1 and 1000")
		}
		code, err := randomCode(12)
		if err != nil {
			return nil, err
		}
		inv, err := c.Invite.Create().SetGroupID(g.ID).SetCreatedByID(v.UserID).SetCode(code).
			SetExpiresAt(now.Add(time.Duration(d) * 24 * time.Hour)).SetMaxUses(uses).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Invite.Get(ctx, inv.ID)
	})
}

func orDefault(n *int, def int) int {
	if n == nil {
		return def
	}
	return *n
}

// RedeemInvite joins the viewer to the invite's group as a member: the
// organizers' invite stands in for their approval. An unknown code is
// NOT_FOUND; an expired, withdrawn or used-up one is CONFLICT.
func (r *Runner) RedeemInvite(ctx context.Context, code string) (*ent.Role, error) {
	return act(ctx, r, "redeem invite", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Role, error) {
		// Whoever holds the code may read the invite: it is not theirs to see.
		inv, err := c.Invite.Query().Where(invite.Code(strings.ToUpper(strings.TrimSpace(code)))).
			WithGroup(func(q *ent.GroupQuery) { q.WithCommunity() }).Only(authz.Unfiltered(ctx))
		if ent.IsNotFound(err) {
			return nil, apierror.NotFoundf("no invite with that code")
		}
		if err != nil {
			return nil, err
		}
		switch {
		case inv.RevokedAt != nil:
			return nil, apierror.Conflictf("the invite was withdrawn")
		case !now.Before(inv.ExpiresAt):
			return nil, apierror.Conflictf("the invite has expired")
		}
		g := inv.Edges.Group
		if err := running(g); err != nil {
			return nil, err
		}
		member, err := inGroup(ctx, c, g.ID, v.UserID)
		if err != nil {
			return nil, err
		}
		if member {
			return nil, apierror.Conflictf("you are already in this group")
		}
		// Count the use only while uses remain: concurrent redemptions cannot
		// exceed the limit.
		n, err := c.Invite.Update().Where(invite.ID(inv.ID), invite.UsesLT(inv.MaxUses)).AddUses(1).Save(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apierror.Conflictf("the invite has been used up")
		}
		if err := grant(authz.Unfiltered(ctx), c, v.UserID, role.KindMEMBER, g.Edges.Community, g.ID, "", now); err != nil {
			return nil, err
		}
		ro, err := activeRole(ctx, c, g.ID, v.UserID, role.KindMEMBER)
		if err != nil {
			return nil, err
		}
		if err := referred(ctx, c, inv, ro, now); err != nil {
			return nil, err
		}
		return ro, nil
	})
}

// RevokeInvite withdraws an invite code (the group's organizers and staff).
func (r *Runner) RevokeInvite(ctx context.Context, id pulid.ID) (*ent.Invite, error) {
	return act(ctx, r, "revoke invite", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Invite, error) {
		// The invite's read rule already limits it to organizers and staff.
		inv, err := c.Invite.Query().Where(invite.ID(id)).WithGroup().Only(ctx)
		if err != nil {
			return nil, notFound(err, "invite")
		}
		if !authz.CanAdministerGroup(v, inv.Edges.Group) {
			return nil, apierror.Forbiddenf("only the group's organizers and staff may withdraw an invite")
		}
		n, err := c.Invite.Update().Where(invite.ID(id), invite.RevokedAtIsNil()).SetRevokedAt(now).Save(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apierror.Conflictf("the invite was already withdrawn")
		}
		return c.Invite.Get(ctx, id)
	})
}

// ApplyToOrganize files an ORGANIZER application for a group the viewer is
// an active member of, for its organizers and the community's reviewers to
// decide. Where organizers must come from partner enterprises (openEuler),
// only such people may apply.
func (r *Runner) ApplyToOrganize(ctx context.Context, groupID pulid.ID, why string) (*ent.Application, error) {
	return act(ctx, r, "apply to organize", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		g, err := loadGroup(ctx, c, groupID)
		if err != nil {
			return nil, err
		}
		com := g.Edges.Community
		if err := running(g); err != nil {
			return nil, err
		}
		if why, err = checkText("why", why, 5000); err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		held, err := c.Role.Query().Where(role.UserID(v.UserID), role.GroupID(g.ID), role.StatusEQ(role.StatusACTIVE)).All(all)
		if err != nil {
			return nil, err
		}
		member := false
		for _, ro := range held {
			if ro.Kind == role.KindORGANIZER {
				return nil, apierror.Conflictf("you already organize this group")
			}
			member = member || ro.Kind == role.KindMEMBER
		}
		if !member {
			return nil, apierror.Forbiddenf("only active members of the group may apply to organize it")
		}
		if err := fromPartner(ctx, c, com, v.UserID, "group", "organizers"); err != nil {
			return nil, err
		}
		open, err := c.Application.Query().Where(application.ApplicantID(v.UserID), application.GroupID(g.ID),
			application.KindEQ(application.KindORGANIZER), application.StatusIn(authz.OpenStatuses...)).Exist(all)
		if err != nil {
			return nil, err
		}
		if open {
			return nil, apierror.Conflictf("you already have an open request to organize this group")
		}
		app, err := c.Application.Create().SetCommunityID(com.ID).SetGroupID(g.ID).SetApplicantID(v.UserID).
			SetKind(application.KindORGANIZER).SetAnswers(schematype.ApplicationAnswers{Why: why}).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, app.ID)
	})
}
