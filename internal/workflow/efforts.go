package workflow

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/globaleffortparticipation"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/region"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Global efforts: a campaign with dates that staff (any region, or the
// whole community) or a regional ambassador (their region) announce to the
// groups in scope; each group's organizers opt it in or out until it ends.

// EffortAnnouncement is a global effort to announce.
type EffortAnnouncement struct {
	// CommunityID is the community running it (an id or its slug).
	CommunityID pulid.ID
	// RegionID scopes it to one region; nil for every group of the community.
	RegionID *pulid.ID
	// Title, Description and URL say what it is.
	Title, Description string
	URL                *string
	// StartsAt and EndsAt bound it.
	StartsAt, EndsAt time.Time
}

// runningGroups are the statuses of the groups an effort is announced to.
var runningGroups = []group.Status{group.StatusACTIVE, group.StatusOFFICIAL}

// AnnounceGlobalEffort announces an effort and tells the organizers of
// every running group in scope, one letter per group and organizer.
func (r *Runner) AnnounceGlobalEffort(ctx context.Context, in EffortAnnouncement) (*ent.GlobalEffort, error) {
	return act(ctx, r, "announce global effort", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.GlobalEffort, error) {
		cid, err := ref.Community(ctx, c, "community", in.CommunityID)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		var rid pulid.ID
		if in.RegionID != nil {
			rid = *in.RegionID
			if rid.Prefix() != "reg" {
				return nil, apierror.Invalid("region", "region must be a region's id")
			}
			if ok, err := c.Region.Query().Where(region.ID(rid), region.CommunityID(cid)).Exist(all); err != nil || !ok {
				return nil, orInvalid(err, "region", "the community has no such region")
			}
		}
		switch {
		case v.IsStaff(cid):
		case rid != "" && slices.Contains(v.AmbassadorRegions(), rid):
		default:
			return nil, apierror.Forbiddenf("only the community's staff, or an ambassador for their own region, announce a global effort")
		}
		title, err := checkText("title", in.Title, 200)
		if err != nil {
			return nil, err
		}
		if len([]rune(title)) < 3 {
			return nil, apierror.Invalid("title", "title must be at least 3 characters")
		}
		desc, err := checkText("description", in.Description, 5000)
		if err != nil {
			return nil, err
		}
		if !in.StartsAt.Before(in.EndsAt) {
			return nil, apierror.Invalid("endsAt", "endsAt must be after startsAt")
		}
		if !in.EndsAt.After(now) {
			return nil, apierror.Invalid("endsAt", "endsAt must be in the future")
		}
		ec := c.GlobalEffort.Create().SetCommunityID(cid).SetAnnouncedByID(v.UserID).SetTitle(title).SetDescription(desc).
			SetStartsAt(in.StartsAt).SetEndsAt(in.EndsAt)
		if rid != "" {
			ec.SetRegionID(rid)
		}
		if in.URL != nil && strings.TrimSpace(*in.URL) != "" {
			u := strings.TrimSpace(*in.URL)
			if err := policy.ValidateURL(u); err != nil {
				return nil, apierror.Invalid("url", "url %v", err)
			}
			ec.SetURL(u)
		}
		e, err := ec.Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := tellOrganizers(ctx, c, e); err != nil {
			return nil, err
		}
		return c.GlobalEffort.Get(ctx, e.ID)
	})
}

// tellOrganizers queues the announcement to the active organizers of the
// running groups in scope, in a constant number of statements: one letter
// per group and organizer (the dedupe key holds both), as each letter
// invites its own group.
func tellOrganizers(ctx context.Context, c *ent.Client, e *ent.GlobalEffort) error {
	all := authz.Unfiltered(ctx)
	q := c.Group.Query().Where(group.CommunityID(e.CommunityID), group.StatusIn(runningGroups...))
	if e.RegionID != "" {
		q.Where(group.RegionID(e.RegionID))
	}
	groups, err := q.All(all)
	if err != nil || len(groups) == 0 {
		return err
	}
	names := make(map[pulid.ID]string, len(groups))
	ids := make([]pulid.ID, len(groups))
	for i, g := range groups {
		names[g.ID], ids[i] = g.Name, g.ID
	}
	orgs, err := c.Role.Query().Where(role.GroupIDIn(ids...), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).
		Order(ent.Asc(role.FieldID)).All(all)
	if err != nil {
		return err
	}
	var ns []notice
	seen := map[string]bool{}
	for _, o := range orgs {
		key := string(e.ID) + ":" + string(o.GroupID) + ":" + string(o.UserID)
		if seen[key] {
			continue
		}
		seen[key] = true
		ns = append(ns, notice{to: []pulid.ID{o.UserID}, dedupe: key, data: letters.GlobalEffort{Group: names[o.GroupID],
			Title: e.Title, Description: e.Description, StartsAt: e.StartsAt.UTC(), EndsAt: e.EndsAt.UTC(), URL: e.URL}})
	}
	if len(ns) == 0 {
		return nil
	}
	n, err := notices(ctx, c, e.CommunityID)
	if err != nil {
		return err
	}
	return n.queue(ctx, c, letters.KindGlobalEffort, ns...)
}

// effortGroup loads an effort and a group an organizer opts in or out,
// checking the viewer organizes the group, the group is in the effort's
// scope and the effort has not ended.
func effortGroup(ctx context.Context, c *ent.Client, v *viewer.Viewer, effortID, groupID pulid.ID, now time.Time) (*ent.GlobalEffort, *ent.Group, error) {
	if effortID.Prefix() != "gef" {
		return nil, nil, apierror.Invalid("effort", "effort must be a global effort's id")
	}
	all := authz.Unfiltered(ctx)
	e, err := c.GlobalEffort.Get(all, effortID)
	if ent.IsNotFound(err) {
		return nil, nil, apierror.NotFoundf("no global effort with that id")
	}
	if err != nil {
		return nil, nil, err
	}
	gid, err := ref.Group(ctx, c, "group", groupID)
	if err != nil {
		return nil, nil, err
	}
	if err := lockGroup(all, c, gid); err != nil {
		return nil, nil, err
	}
	g, err := c.Group.Get(all, gid)
	if err != nil {
		return nil, nil, notFound(err, "group")
	}
	if !v.HasGroupRole(g.ID, viewer.Organizer) {
		return nil, nil, apierror.Forbiddenf("only the group's organizers opt it in or out of a global effort")
	}
	if g.CommunityID != e.CommunityID || (e.RegionID != "" && g.RegionID != e.RegionID) || !slices.Contains(runningGroups, g.Status) {
		return nil, nil, apierror.Invalid("group", "the group is not among those the effort was announced to")
	}
	if !now.Before(e.EndsAt) {
		return nil, nil, apierror.Conflictf("the effort ended on %s", e.EndsAt.UTC().Format(time.RFC3339))
	}
	return e, g, nil
}

// JoinGlobalEffort opts a group in to an effort (its organizers, before
// the effort ends, for a group in scope).
func (r *Runner) JoinGlobalEffort(ctx context.Context, effortID, groupID pulid.ID) (*ent.GlobalEffort, error) {
	return act(ctx, r, "join global effort", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.GlobalEffort, error) {
		e, g, err := effortGroup(ctx, c, v, effortID, groupID, now)
		if err != nil {
			return nil, err
		}
		in, err := c.GlobalEffortParticipation.Query().Where(globaleffortparticipation.EffortID(e.ID), globaleffortparticipation.GroupID(g.ID)).
			Exist(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		if in {
			return nil, apierror.Conflictf("%s already takes part", g.Name)
		}
		if err := c.GlobalEffortParticipation.Create().SetEffortID(e.ID).SetGroupID(g.ID).SetOptedInByID(v.UserID).Exec(ctx); err != nil {
			return nil, err
		}
		return c.GlobalEffort.Get(ctx, e.ID)
	})
}

// LeaveGlobalEffort opts a group out again, on the same terms.
func (r *Runner) LeaveGlobalEffort(ctx context.Context, effortID, groupID pulid.ID) (*ent.GlobalEffort, error) {
	return act(ctx, r, "leave global effort", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.GlobalEffort, error) {
		e, g, err := effortGroup(ctx, c, v, effortID, groupID, now)
		if err != nil {
			return nil, err
		}
		n, err := c.GlobalEffortParticipation.Delete().Where(globaleffortparticipation.EffortID(e.ID), globaleffortparticipation.GroupID(g.ID)).Exec(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apierror.Conflictf("%s does not take part", g.Name)
		}
		return c.GlobalEffort.Get(ctx, e.ID)
	})
}
