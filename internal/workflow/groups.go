package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// GroupUpdate is a change to a running group's public details: a nil field
// keeps its value, an empty string clears an optional text (the name and
// description's neighbours); latitude and longitude come together.
type GroupUpdate struct {
	Name, Description                       *string
	WebsiteURL, MeetupURL, ChatURL, LogoURL *string
	Latitude, Longitude                     *float64
}

// checkGroupName applies the community's naming rule to a group name,
// suggesting a name that follows it when the given one does not (the
// extension suggestedName), so a new group and a rename are held to one rule.
func checkGroupName(com *ent.Community, name string) error {
	if _, err := policy.CheckGroupName(com.Name, name); err != nil {
		e := apierror.Invalid("name", "name: %v", err)
		var ne *policy.NameError
		if errors.As(err, &ne) && ne.Suggestion != "" {
			e.Message += fmt.Sprintf(`; did you mean %q?`, ne.Suggestion)
			e.Extensions = map[string]any{"suggestedName": ne.Suggestion}
		}
		return e
	}
	return nil
}

// UpdateGroup changes a running group's name, description, links, logo or
// coordinates (its organizers and its community's staff). A rename follows
// the naming rule and takes a new free slug when the name's slug changes;
// every refusal names its input field and nothing changes.
func (r *Runner) UpdateGroup(ctx context.Context, id pulid.ID, in GroupUpdate) (*ent.Group, error) {
	return act(ctx, r, "update group", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Group, error) {
		id, err := ref.Group(ctx, c, "id", id)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		if err := lockGroup(all, c, id); err != nil {
			return nil, err
		}
		g, err := c.Group.Query().Where(group.ID(id)).WithCommunity().Only(all)
		if err != nil {
			return nil, notFound(err, "group")
		}
		if !authz.CanAdministerGroup(v, g) {
			return nil, apierror.Forbiddenf("only the group's organizers and the community's staff may change it")
		}
		if !editable(g.Status) {
			return nil, statusConflict(g.Status, "a %s group cannot be edited", strings.ToLower(string(g.Status)))
		}
		u := c.Group.UpdateOneID(g.ID)
		if in.Name != nil {
			name := strings.TrimSpace(*in.Name)
			if err := checkGroupName(g.Edges.Community, name); err != nil {
				return nil, err
			}
			if name != g.Name {
				u.SetName(name)
				if base := policy.Slugify(name); base != policy.Slugify(g.Name) {
					slug, err := freeSlug(all, c, g.CommunityID, base)
					if err != nil {
						return nil, err
					}
					u.SetSlug(slug)
				}
			}
		}
		texts := []struct {
			field string
			v     *string
			max   int
			set   func(string) *ent.GroupUpdateOne
			clear func() *ent.GroupUpdateOne
			check func(string) error
		}{
			{"description", in.Description, 5000, u.SetDescription, u.ClearDescription, nil},
			{"websiteURL", in.WebsiteURL, 2048, u.SetWebsiteURL, u.ClearWebsiteURL, policy.ValidateURL},
			{"meetupURL", in.MeetupURL, 2048, u.SetMeetupURL, u.ClearMeetupURL, policy.ValidateURL},
			{"chatURL", in.ChatURL, 2048, u.SetChatURL, u.ClearChatURL, policy.ValidateURL},
			{"logoURL", in.LogoURL, 2048, u.SetLogoURL, u.ClearLogoURL, policy.ValidateURL},
		}
		for _, f := range texts {
			if f.v == nil {
				continue
			}
			s := strings.TrimSpace(*f.v)
			switch {
			case s == "":
				f.clear()
				continue
			case utf8.RuneCountInString(s) > f.max:
				return nil, apierror.Invalid(f.field, "%s must be at most %d characters", f.field, f.max)
			}
			if f.check != nil {
				if err := f.check(s); err != nil {
					return nil, apierror.Invalid(f.field, "%s %v", f.field, err)
				}
			}
			f.set(s)
		}
		if (in.Latitude == nil) != (in.Longitude == nil) {
			field := "latitude"
			if in.Latitude != nil {
				field = "longitude"
			}
			return nil, apierror.Invalid(field, "give both latitude and longitude, or neither")
		}
		if in.Latitude != nil {
			if err := policy.ValidateLatitude(*in.Latitude); err != nil {
				return nil, apierror.Invalid("latitude", "latitude: %v", err)
			}
			if err := policy.ValidateLongitude(*in.Longitude); err != nil {
				return nil, apierror.Invalid("longitude", "longitude: %v", err)
			}
			u.SetLatitude(*in.Latitude).SetLongitude(*in.Longitude)
		}
		if err := u.Exec(ctx); err != nil {
			return nil, err
		}
		return c.Group.Get(ctx, g.ID)
	})
}

// SetHomeGroup marks a running group as the home group of the viewer's
// active ambassador roles in its community, which places them on the map of
// the ambassador directory (ambassadors(near:)). A nil group clears the home
// group of all the viewer's active ambassador roles.
func (r *Runner) SetHomeGroup(ctx context.Context, groupRef *pulid.ID) ([]*ent.Role, error) {
	return act(ctx, r, "set home group", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) ([]*ent.Role, error) {
		all := authz.Unfiltered(ctx)
		mine := c.Role.Query().Where(role.UserID(v.UserID), role.KindEQ(role.KindAMBASSADOR), role.StatusEQ(role.StatusACTIVE))
		var g *ent.Group
		if groupRef != nil {
			id, err := ref.Group(ctx, c, "group", *groupRef)
			if err != nil {
				return nil, err
			}
			if g, err = c.Group.Get(all, id); err != nil {
				return nil, notFound(err, "group")
			}
			if g.Status != group.StatusACTIVE && g.Status != group.StatusOFFICIAL {
				return nil, apierror.Invalid("group", "a home group must be an active or official group")
			}
			mine.Where(role.CommunityID(g.CommunityID))
		}
		if !v.HasScope(viewer.WriteProfile) {
			return nil, apierror.MissingScope(viewer.ScopeName(viewer.WriteProfile), "setting a home group")
		}
		roles, err := mine.Order(ent.Asc(role.FieldID)).All(all)
		if err != nil {
			return nil, err
		}
		if len(roles) == 0 {
			return nil, apierror.Forbiddenf("only the community's ambassadors have a home group")
		}
		ids := make([]pulid.ID, len(roles))
		for i, ro := range roles {
			ids[i] = ro.ID
		}
		u := c.Role.Update().Where(role.IDIn(ids...))
		if g != nil {
			u.SetHomeGroupID(g.ID)
		} else {
			u.ClearHomeGroupID()
		}
		if err := u.Exec(ctx); err != nil {
			return nil, err
		}
		return c.Role.Query().Where(role.IDIn(ids...)).Order(ent.Asc(role.FieldID)).All(ctx)
	})
}

// RetireGroup archives a running group for good (staff): it becomes
// ARCHIVED with the time and the staff's reason, every live role in it ends
// (REMOVED, with the reason), ambassadors whose home group it was lose it,
// and everyone who held a role is sent a message.
func (r *Runner) RetireGroup(ctx context.Context, id pulid.ID, reason string) (*ent.Group, error) {
	return act(ctx, r, "retire group", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Group, error) {
		return archiveGroup(ctx, c, v, id, nil, reason, now)
	})
}

// MergeGroup archives a running group into another running group of the
// same community (staff): like RetireGroup, and it records the survivor in
// mergedInto and moves everyone who held an active role in the merged group
// into the survivor as an ACTIVE MEMBER (keeping their obligation year),
// unless they are already in its roster. Moving rather than inviting keeps
// people's standing and their group; each is told and may leave at once.
func (r *Runner) MergeGroup(ctx context.Context, id, into pulid.ID, reason string) (*ent.Group, error) {
	return act(ctx, r, "merge group", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Group, error) {
		return archiveGroup(ctx, c, v, id, &into, reason, now)
	})
}

// editable reports whether a group's status lets it be edited, merged or
// retired.
func editable(s group.Status) bool {
	return s == group.StatusACTIVE || s == group.StatusOFFICIAL || s == group.StatusDORMANT
}

// archiveGroup is RetireGroup, or MergeGroup when into is not nil.
func archiveGroup(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID, into *pulid.ID, reason string, now time.Time) (*ent.Group, error) {
	all := authz.Unfiltered(ctx)
	id, err := ref.Group(ctx, c, "id", id)
	if err != nil {
		return nil, err
	}
	var survivorID pulid.ID
	if into != nil {
		if survivorID, err = ref.Group(ctx, c, "into", *into); err != nil {
			return nil, err
		}
		if survivorID == id {
			return nil, apierror.Invalid("into", "a group cannot be merged into itself")
		}
	}
	// Lock both rows in one order, so two merges of the same pair cannot
	// deadlock and each decides on the statuses as they are.
	lock := []pulid.ID{id}
	if survivorID != "" {
		lock = append(lock, survivorID)
		if survivorID < id {
			lock[0], lock[1] = survivorID, id
		}
	}
	for _, l := range lock {
		if err := lockGroup(all, c, l); err != nil {
			return nil, err
		}
	}
	g, err := c.Group.Query().Where(group.ID(id)).WithCommunity().Only(all)
	if err != nil {
		return nil, notFound(err, "group")
	}
	if !v.HasScope(viewer.WriteGroups) || !v.IsStaff(g.CommunityID) {
		return nil, apierror.Forbiddenf("only the community's staff may retire or merge a group")
	}
	if reason, err = checkText("reason", reason, 500); err != nil {
		return nil, err
	}
	if !editable(g.Status) {
		return nil, statusConflict(g.Status, "only a running group can be retired or merged; this one is %s", strings.ToLower(string(g.Status)))
	}
	var survivor *ent.Group
	if survivorID != "" {
		if survivor, err = c.Group.Get(all, survivorID); err != nil {
			return nil, notFound(err, "group")
		}
		if survivor.CommunityID != g.CommunityID {
			return nil, apierror.Invalid("into", "the surviving group must belong to the same community")
		}
		if survivor.Status != group.StatusACTIVE && survivor.Status != group.StatusOFFICIAL {
			return nil, apierror.Invalid("into", "the surviving group must be active or official")
		}
	}
	u := c.Group.UpdateOneID(g.ID).SetStatus(group.StatusARCHIVED).SetEndedAt(now).SetEndReason(reason)
	if survivor != nil {
		u.SetMergedIntoID(survivor.ID)
	}
	if err := u.Exec(ctx); err != nil {
		return nil, err
	}
	live, err := c.Role.Query().Where(role.GroupID(g.ID), role.StatusIn(liveRoles...)).Order(ent.Asc(role.FieldID)).All(all)
	if err != nil {
		return nil, err
	}
	ended := "the group was retired: " + reason
	if survivor != nil {
		ended = "the group was merged into " + survivor.Name + ": " + reason
	}
	if len([]rune(ended)) > 500 {
		ended = string([]rune(ended)[:500])
	}
	if err := c.Role.Update().Where(role.GroupID(g.ID), role.StatusIn(liveRoles...)).
		SetStatus(role.StatusREMOVED).SetEndedAt(now).SetEndReason(ended).Exec(ctx); err != nil {
		return nil, err
	}
	if err := c.Role.Update().Where(role.HomeGroupID(g.ID)).ClearHomeGroupID().Exec(ctx); err != nil {
		return nil, err
	}
	if err := closeApplicationsTo(ctx, c, v, g, ended, now); err != nil {
		return nil, err
	}
	com := g.Edges.Community
	told := map[pulid.ID]bool{}
	moved, newcomers := map[pulid.ID]bool{}, 0
	for _, ro := range live {
		if survivor != nil && ro.Status == role.StatusACTIVE && !moved[ro.UserID] {
			added, err := moveMember(ctx, c, ro, survivor, live, now)
			if err != nil {
				return nil, err
			}
			moved[ro.UserID] = true
			if added {
				newcomers++
			}
		}
		if told[ro.UserID] {
			continue
		}
		told[ro.UserID] = true
		if err := tellArchived(ctx, c, com, g, survivor, ro.UserID, reason, moved[ro.UserID]); err != nil {
			return nil, err
		}
	}
	if survivor != nil {
		orgs, err := c.Role.Query().Where(role.GroupID(survivor.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).
			Order(ent.Asc(role.FieldID)).All(all)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			if err := queueMessage(ctx, c, com.ID, o.UserID, letters.KindGroupMergedIn, letters.GroupMergedIn{
				Community: com.Name, Group: g.Name, Survivor: survivor.Name, Reason: reason, Newcomers: newcomers},
				string(g.ID)+":"+string(o.UserID)); err != nil {
				return nil, err
			}
		}
	}
	return c.Group.Get(ctx, g.ID)
}

// moveMember gives the holder of an active role in a merged group an ACTIVE
// MEMBER role in the survivor, unless they are already in its roster; the
// obligation year of their membership carries over. It is a move, not a
// join: no certificate or souvenir is owed again. It reports whether it
// added a role.
func moveMember(ctx context.Context, c *ent.Client, ro *ent.Role, survivor *ent.Group, live []*ent.Role, now time.Time) (bool, error) {
	already, err := inGroup(ctx, c, survivor.ID, ro.UserID)
	if err != nil || already {
		return false, err
	}
	rc := c.Role.Create().SetUserID(ro.UserID).SetKind(role.KindMEMBER).SetCommunityID(survivor.CommunityID).
		SetGroupID(survivor.ID).SetTermStart(now)
	for _, m := range live {
		if m.UserID == ro.UserID && m.Kind == role.KindMEMBER && m.Status == role.StatusACTIVE {
			rc.SetNillableObligationStartedAt(m.ObligationStartedAt).SetNillableObligationDueAt(m.ObligationDueAt)
		}
	}
	return true, rc.Exec(ctx)
}

// tellArchived queues the message telling someone who held a role in g that
// it was retired, or merged into survivor (and whether they were moved).
func tellArchived(ctx context.Context, c *ent.Client, com *ent.Community, g, survivor *ent.Group, userID pulid.ID, reason string, moved bool) error {
	if survivor == nil {
		return queueMessage(ctx, c, com.ID, userID, letters.KindGroupRetired,
			letters.GroupRetired{Community: com.Name, Group: g.Name, Reason: reason}, "group_ended:"+string(g.ID)+":"+string(userID))
	}
	return queueMessage(ctx, c, com.ID, userID, letters.KindGroupMerged, letters.GroupMerged{
		Community: com.Name, Group: g.Name, Survivor: survivor.Name, Reason: reason, Moved: moved}, "group_ended:"+string(g.ID)+":"+string(userID))
}

// closeApplicationsTo rejects the applications still open for a group that
// is being archived (join and organizer requests, official status, a group
// ambassador's request), each with why and a message to its applicant: left
// open, one approved later would grant a role in a group that no longer runs.
func closeApplicationsTo(ctx context.Context, c *ent.Client, v *viewer.Viewer, g *ent.Group, why string, now time.Time) error {
	open, err := c.Application.Query().Where(application.GroupID(g.ID), application.StatusIn(authz.OpenStatuses...)).
		All(authz.Unfiltered(ctx))
	if err != nil {
		return err
	}
	for _, app := range open {
		if err := c.Application.UpdateOneID(app.ID).SetStatus(application.StatusREJECTED).SetDecidedByID(v.UserID).
			SetDecidedAt(now).SetDecisionReason(why).Exec(ctx); err != nil {
			return err
		}
		if err := queueMessage(ctx, c, g.CommunityID, app.ApplicantID, letters.KindApplicationClosed,
			letters.ApplicationClosed{Group: g.Name, Request: string(app.Kind), Reason: why}, string(app.ID)); err != nil {
			return err
		}
	}
	return nil
}
