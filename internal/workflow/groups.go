package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
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
		switch g.Status {
		case group.StatusACTIVE, group.StatusOFFICIAL, group.StatusDORMANT:
		default:
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
		if !v.HasScope(viewer.ScopeWrite) {
			return nil, apierror.Forbiddenf("setting a home group needs the write scope")
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
