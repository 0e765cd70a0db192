package workflow

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/region"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// GroupRequest is what someone asks for when they apply for a new group.
type GroupRequest struct {
	CommunityID           pulid.ID
	Name                  string
	City                  string
	Country               string
	Latitude, Longitude   *float64
	Links                 []schematype.Link
	Description           string
	AcceptedCodeOfConduct bool
}

// NewGroupRequest is a filed request for a new group: the application and
// the group it proposes.
type NewGroupRequest struct {
	Application *ent.Application
	Group       *ent.Group
}

// communityArg reads the community a request names; one that does not
// exist is a bad argument.
func communityArg(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Community, error) {
	com, err := c.Community.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apierror.Invalid("community", "no such community")
	}
	return com, err
}

// ApplyForGroup files a NEW_GROUP application: it creates the group as
// PROPOSED (so conflict checks and the public "waiting for approval" list
// see it), the application with the request, the applicant as its first
// supporter, and the automatic screening.
func (r *Runner) ApplyForGroup(ctx context.Context, req GroupRequest) (NewGroupRequest, error) {
	return act(ctx, r, "apply for group", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (NewGroupRequest, error) {
		com, err := communityArg(ctx, c, req.CommunityID)
		if err != nil {
			return NewGroupRequest{}, err
		}
		if err := checkRequest(com, &req); err != nil {
			return NewGroupRequest{}, err
		}
		// The database's other groups, the regions and the applicant's
		// organization are read whoever applies.
		all := authz.Unfiltered(ctx)
		if req.Latitude == nil || req.Longitude == nil {
			req.Latitude, req.Longitude = knownCoordinates(all, c, req.City, req.Country)
		}
		slug, err := freeSlug(all, c, com.ID, policy.Slugify(req.Name))
		if err != nil {
			return NewGroupRequest{}, err
		}
		gc := c.Group.Create().
			SetCommunityID(com.ID).SetName(req.Name).SetSlug(slug).SetCity(req.City).SetCountry(req.Country).
			SetNillableLatitude(req.Latitude).SetNillableLongitude(req.Longitude).SetStatus(group.StatusPROPOSED)
		if req.Description != "" {
			gc.SetDescription(req.Description)
		}
		if len(req.Links) > 0 {
			gc.SetWebsiteURL(req.Links[0].URL)
		}
		regionID, err := regionFor(all, c, com.ID, req.Country)
		if err != nil {
			return NewGroupRequest{}, err
		}
		if regionID != "" {
			gc.SetRegionID(regionID)
		}
		g, err := gc.Save(ctx)
		if err != nil {
			return NewGroupRequest{}, err
		}
		// Screen before the application exists, so it is written once: a
		// second write would show reviewers' queues an UPDATED item right after
		// the CREATED one. The applicant is the only supporter so far.
		supporters, err := countSupporters(all, c.User.Query().Where(user.ID(v.UserID)), g.City)
		if err != nil {
			return NewGroupRequest{}, err
		}
		screening, err := screen(all, c, com, g, req.Links, req.Description, supporters, nil, now)
		if err != nil {
			return NewGroupRequest{}, err
		}
		ac := c.Application.Create().
			SetCommunityID(com.ID).SetApplicantID(v.UserID).SetGroupID(g.ID).SetKind(application.KindNEW_GROUP).
			SetAnswers(schematype.ApplicationAnswers{
				ProposedName: req.Name, City: req.City, Country: req.Country,
				Latitude: req.Latitude, Longitude: req.Longitude, Links: req.Links,
				Description: req.Description, AcceptedCodeOfConduct: true,
			}).
			AddSupporterIDs(v.UserID).SetScreening(screening)
		if regionID != "" {
			ac.SetRegionID(regionID)
		}
		app, err := ac.Save(ctx)
		if err != nil {
			return NewGroupRequest{}, err
		}
		if app, err = c.Application.Get(ctx, app.ID); err != nil {
			return NewGroupRequest{}, err
		}
		if g, err = c.Group.Get(ctx, g.ID); err != nil {
			return NewGroupRequest{}, err
		}
		return NewGroupRequest{Application: app, Group: g}, nil
	})
}

// checkRequest validates a request field by field, suggesting a name that
// follows the naming rule when the given one does not.
func checkRequest(com *ent.Community, req *GroupRequest) error {
	req.Name = strings.TrimSpace(req.Name)
	req.City = strings.TrimSpace(req.City)
	req.Country = strings.ToUpper(strings.TrimSpace(req.Country))
	if err := checkGroupName(com, req.Name); err != nil {
		return err
	}
	if req.City == "" || len([]rune(req.City)) > 100 {
		return apierror.Invalid("city", "city: give the city the group meets in (at most 100 characters)")
	}
	if err := policy.ValidateCountry(req.Country); err != nil {
		return apierror.Invalid("country", "country: %v", err)
	}
	if (req.Latitude == nil) != (req.Longitude == nil) {
		return apierror.Invalid("latitude", "give both latitude and longitude, or neither")
	}
	if req.Latitude != nil {
		if err := policy.ValidateLatitude(*req.Latitude); err != nil {
			return apierror.Invalid("latitude", "latitude: %v", err)
		}
		if err := policy.ValidateLongitude(*req.Longitude); err != nil {
			return apierror.Invalid("longitude", "longitude: %v", err)
		}
	}
	if len(req.Links) > 10 {
		return apierror.Invalid("links", "at most 10 links")
	}
	for _, l := range req.Links {
		if err := policy.ValidateURL(l.URL); err != nil {
			return apierror.Invalid("links", "link %q: %v", l.URL, err)
		}
	}
	if len([]rune(req.Description)) > 5000 {
		return apierror.Invalid("description", "description: must be at most 5000 characters")
	}
	if !req.AcceptedCodeOfConduct {
		return apierror.Invalid("acceptCodeOfConduct", "accept the community's code of conduct to apply")
	}
	return nil
}

// knownCoordinates looks the city up among the groups the database already
// knows, for requests that give no coordinates (ctx must see them all).
func knownCoordinates(ctx context.Context, c *ent.Client, city, country string) (*float64, *float64) {
	g, err := c.Group.Query().
		Where(group.CityEqualFold(city), group.Country(country), group.LatitudeNotNil(), group.LongitudeNotNil()).
		First(ctx)
	if err != nil {
		return nil, nil
	}
	return g.Latitude, g.Longitude
}

// freeSlug returns base, or base-2, base-3… if taken in the community.
func freeSlug(ctx context.Context, c *ent.Client, community pulid.ID, base string) (string, error) {
	if len(base) < 2 {
		base = "group"
	}
	if len(base) > 70 {
		base = strings.Trim(base[:70], "-")
	}
	taken, err := c.Group.Query().Where(group.CommunityID(community), group.SlugHasPrefix(base)).Select(group.FieldSlug).Strings(ctx)
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, s := range taken {
		used[s] = true
	}
	slug := base
	for i := 2; used[slug]; i++ {
		slug = fmt.Sprintf("%s-%d", base, i)
	}
	return slug, nil
}

// regionFor finds the community's region that lists the country, if any.
func regionFor(ctx context.Context, c *ent.Client, community pulid.ID, country string) (pulid.ID, error) {
	regions, err := c.Region.Query().Where(region.CommunityID(community)).All(ctx)
	if err != nil {
		return "", err
	}
	for _, r := range regions {
		for _, rc := range r.Countries {
			if rc == country {
				return r.ID, nil
			}
		}
	}
	return "", nil
}

// screen computes a proposed group's screening under its community's
// policy. A conflict settled in the previous screening keeps its resolution
// while the conflict is still there.
func screen(ctx context.Context, c *ent.Client, com *ent.Community, g *ent.Group, links []schematype.Link, description string,
	supporters policy.Supporters, previous []schematype.Conflict, now time.Time) (schematype.Screening, error) {
	proposed := placeOf(g)
	q := c.Group.Query().Where(
		group.CommunityID(com.ID), group.IDNEQ(g.ID),
		group.StatusIn(group.StatusPROPOSED, group.StatusACTIVE, group.StatusOFFICIAL),
	)
	if com.Policy.ConflictRadiusKm > 0 && g.Latitude != nil && g.Longitude != nil {
		// A bounding box around the radius keeps the candidate set small;
		// FindConflicts measures the real distance.
		dLat := com.Policy.ConflictRadiusKm/111.0 + 0.01
		dLon := dLat / math.Max(0.05, math.Cos(*g.Latitude*math.Pi/180))
		q.Where(group.Or(
			group.And(group.CityEqualFold(g.City), group.Country(g.Country)),
			group.And(group.LatitudeGTE(*g.Latitude-dLat), group.LatitudeLTE(*g.Latitude+dLat),
				group.LongitudeGTE(*g.Longitude-dLon), group.LongitudeLTE(*g.Longitude+dLon)),
		))
	} else {
		q.Where(group.CityEqualFold(g.City), group.Country(g.Country))
	}
	nearby, err := q.All(ctx)
	if err != nil {
		return schematype.Screening{}, err
	}
	places := make([]policy.Place, len(nearby))
	for i, n := range nearby {
		places[i] = placeOf(n)
	}
	var urls []string
	for _, l := range links {
		urls = append(urls, l.URL)
	}
	flags, missing := policy.Screen(com.Policy, com.Name, policy.Request{
		Name: g.Name, Description: description, Links: urls, HasLocation: g.Latitude != nil, Supporters: supporters,
	})
	s := schematype.Screening{
		Flags: flags, Missing: missing,
		Supporters: supporters.People, SupporterOrganizations: supporters.Organizations,
		ScreenedAt: now.UTC(),
	}
	settled := map[string]schematype.Conflict{}
	for _, old := range previous {
		if old.ResolvedAt != nil {
			settled[old.GroupID] = old
		}
	}
	for _, cf := range policy.FindConflicts(com.Policy, proposed, places) {
		nc := schematype.Conflict{GroupID: cf.ID, Name: cf.Name, City: cf.City, Status: cf.Status, DistanceKm: cf.DistanceKm}
		if old, ok := settled[cf.ID]; ok {
			nc.ResolvedAt, nc.ResolvedBy, nc.Resolution = old.ResolvedAt, old.ResolvedBy, old.Resolution
		}
		s.Conflicts = append(s.Conflicts, nc)
	}
	return s, nil
}

func placeOf(g *ent.Group) policy.Place {
	return policy.Place{ID: string(g.ID), Name: g.Name, City: g.City, Country: g.Country, Status: string(g.Status),
		Latitude: g.Latitude, Longitude: g.Longitude}
}

// countSupporters counts the people of q who live in city, and their
// organizations, as the approval rules count them (supportersIn).
func countSupporters(ctx context.Context, q *ent.UserQuery, city string) (policy.Supporters, error) {
	people, err := q.All(ctx)
	if err != nil {
		return policy.Supporters{}, err
	}
	return supportersIn(people, city), nil
}

// organizationsOf counts the distinct organizations people work for.
func organizationsOf(people []*ent.User) int {
	orgs := map[pulid.ID]bool{}
	for _, p := range people {
		if p.OrganizationID != "" {
			orgs[p.OrganizationID] = true
		}
	}
	return len(orgs)
}

// GroupSupport is what backing a request leaves: the request, its proposed
// group and the supporters counted for it now.
type GroupSupport struct {
	Application *ent.Application
	Group       *ent.Group
	policy.Supporters
}

// SupportGroupRequest records the viewer as a supporter of the open
// new-group request id, and updates the screening's counts. id is the
// request's application or its proposed group: the application is only its
// applicant's and reviewers' to read, so the public, who back a request
// from the "waiting for approval" list, know it by its group. Supporting
// twice counts once.
func (r *Runner) SupportGroupRequest(ctx context.Context, id pulid.ID) (GroupSupport, error) {
	return act(ctx, r, "support group request", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (GroupSupport, error) {
		// Found whether or not the supporter may read the application.
		all := authz.Unfiltered(ctx)
		app, err := c.Application.Query().Where(application.Or(
			application.ID(id),
			application.And(application.GroupID(id), application.KindEQ(application.KindNEW_GROUP)),
		)).Order(ent.Desc(application.FieldCreatedAt)).First(all)
		if err != nil {
			return GroupSupport{}, notFound(err, "request for a new group")
		}
		if app.Kind != application.KindNEW_GROUP || app.GroupID == "" {
			return GroupSupport{}, apierror.Invalid("id", "only a request for a new group can be supported")
		}
		if err := stillOpen(app, "the request is no longer open for support"); err != nil {
			return GroupSupport{}, err
		}
		already, err := c.Application.Query().Where(application.ID(app.ID)).QuerySupporters().Where(user.ID(v.UserID)).Exist(all)
		if err != nil {
			return GroupSupport{}, err
		}
		if !already {
			if err := c.Application.UpdateOneID(app.ID).AddSupporterIDs(v.UserID).Exec(ctx); err != nil {
				return GroupSupport{}, err
			}
		}
		s, err := rescreen(ctx, c, app.ID, now)
		if err != nil {
			return GroupSupport{}, err
		}
		g, err := c.Group.Get(ctx, app.GroupID)
		if err != nil {
			return GroupSupport{}, notFound(err, "group")
		}
		// The request as the supporter may see it: nil for someone who is
		// neither its applicant nor a reviewer.
		seen, err := c.Application.Query().Where(application.ID(app.ID)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return GroupSupport{}, err
		}
		return GroupSupport{Application: seen, Group: g, Supporters: policy.Supporters{People: s.Supporters, Organizations: s.SupporterOrganizations}}, nil
	})
}

// stateConflict is the CONFLICT error for an action the application's
// current status does not allow; the status travels in extensions.
func stateConflict(app *ent.Application, msg string) error {
	return authz.ApplicationConflict(app, msg)
}

// rescreen runs the automatic checks of a new-group application again and
// stores the result: conflicts with nearby groups of the same community,
// flags, missing information, and the supporters counted so far.
func rescreen(ctx context.Context, c *ent.Client, appID pulid.ID, now time.Time) (schematype.Screening, error) {
	all := authz.Unfiltered(ctx)
	app, err := c.Application.Query().Where(application.ID(appID)).WithGroup().WithCommunity().Only(all)
	if err != nil {
		return schematype.Screening{}, err
	}
	g, com := app.Edges.Group, app.Edges.Community
	if g == nil {
		return schematype.Screening{}, fmt.Errorf("application %s has no proposed group", appID)
	}
	supporters, err := supportersOf(all, c, app.ID, g.City)
	if err != nil {
		return schematype.Screening{}, err
	}
	s, err := screen(all, c, com, g, app.Answers.Links, app.Answers.Description, supporters, app.Screening.Conflicts, now)
	if err != nil {
		return schematype.Screening{}, err
	}
	if err := c.Application.UpdateOneID(app.ID).SetScreening(s).Exec(ctx); err != nil {
		return schematype.Screening{}, err
	}
	return s, nil
}

// supportersOf counts a request's supporters who live in its city, and
// the distinct organizations they work for (openEuler: "10 users from 10
// different enterprises from the city").
func supportersOf(ctx context.Context, c *ent.Client, appID pulid.ID, city string) (policy.Supporters, error) {
	return countSupporters(ctx, c.Application.Query().Where(application.ID(appID)).QuerySupporters(), city)
}
