// Package discover finds events for people looking for a meeting: by
// community, group, place and time, and each group's next meetings. Reads go
// through the caller's privacy rules, so members-only events and drafts show
// only to those who may see them.
package discover

import (
	"context"
	"errors"
	"math"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/predicate"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
)

// Near is a circle to search in; Km is required (a nil Km is bad input).
type Near struct {
	Lat, Lng float64
	Km       *float64
}

// Search is what events to find: the community and the circle the
// GraphQL filter cannot say (an event's community is a private column, a
// radius is computed), and the filter itself, the same EventWhereInput as
// Group.events. Zero fields do not filter.
type Search struct {
	Community pulid.ID
	Near      *Near
	Where     *ent.EventWhereInput
}

// filtersStatus reports whether w names statuses at its top level; without
// that, a search lists published and completed events only.
func filtersStatus(w *ent.EventWhereInput) bool {
	return w != nil && (w.Status != nil || w.StatusNEQ != nil || len(w.StatusIn) > 0 || len(w.StatusNotIn) > 0)
}

// Predicates turns a search into query predicates; its community may be
// named by id or slug (an unknown one is NOT_FOUND, see ref). A radius search reads
// the candidates inside the circle's bounding box (one query) and keeps
// those truly within the radius, so pagination and totals stay exact.
func Predicates(ctx context.Context, c *ent.Client, s Search) ([]predicate.Event, error) {
	var ps []predicate.Event
	var err error
	if s.Community != "" {
		if s.Community, err = ref.Community(ctx, c, "community", s.Community); err != nil {
			return nil, err
		}
		ps = append(ps, event.HasGroupWith(group.CommunityID(s.Community)))
	}
	if s.Where != nil {
		p, err := s.Where.P()
		if err != nil && !errors.Is(err, ent.ErrEmptyEventWhereInput) {
			return nil, err
		}
		if p != nil {
			ps = append(ps, p)
		}
	}
	if !filtersStatus(s.Where) {
		ps = append(ps, event.StatusIn(event.StatusPUBLISHED, event.StatusCOMPLETED))
	}
	if s.Near == nil {
		return ps, nil
	}
	n := *s.Near
	if policy.ValidateLatitude(n.Lat) != nil || policy.ValidateLongitude(n.Lng) != nil || n.Km == nil || *n.Km <= 0 || *n.Km > 1000 {
		return nil, apierror.Invalid("near", "near needs a latitude in [-90, 90], a longitude in [-180, 180] and 0 < km <= 1000")
	}
	km := *n.Km
	// One degree of latitude is ~111.2 km; a degree of longitude shrinks with the cosine.
	dLat := km / 111.2
	dLng := 180.0
	if cos := math.Cos(n.Lat * math.Pi / 180); cos > 0.01 {
		dLng = math.Min(180, km/(111.2*cos))
	}
	box := append(append([]predicate.Event(nil), ps...),
		event.LatitudeGTE(n.Lat-dLat), event.LatitudeLTE(n.Lat+dLat))
	if dLng < 180 {
		box = append(box, event.LongitudeGTE(n.Lng-dLng), event.LongitudeLTE(n.Lng+dLng))
	}
	cands, err := c.Event.Query().Where(box...).Select(event.FieldID, event.FieldLatitude, event.FieldLongitude).All(ctx)
	if err != nil {
		return nil, err
	}
	var within []pulid.ID
	for _, e := range cands {
		if e.Latitude != nil && e.Longitude != nil && policy.DistanceKm(n.Lat, n.Lng, *e.Latitude, *e.Longitude) <= km {
			within = append(within, e.ID)
		}
	}
	return append(ps, event.IDIn(within...)), nil
}

// Events returns a page of the events s finds, soonest first unless
// ordered otherwise.
func Events(ctx context.Context, c *ent.Client, s Search,
	after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy []*ent.EventOrder) (*ent.EventConnection, error) {
	preds, err := Predicates(ctx, c, s)
	if err != nil {
		return nil, err
	}
	if len(orderBy) == 0 {
		orderBy = []*ent.EventOrder{{Field: ent.EventOrderFieldStartsAt, Direction: entgql.OrderDirectionAsc}}
	}
	return c.Event.Query().Where(preds...).Paginate(ctx, after, first, before, last, ent.WithEventOrder(orderBy))
}

// Registrations returns user's registration for each of events that has
// one, as the caller's privacy rules show it (nothing for an anonymous
// user), in one query for all the events.
func Registrations(ctx context.Context, c *ent.Client, user pulid.ID, events []pulid.ID) (map[pulid.ID]*ent.Registration, error) {
	if user == "" {
		return nil, nil
	}
	regs, err := c.Registration.Query().Where(registration.EventIDIn(events...), registration.UserID(user)).All(ctx)
	out := make(map[pulid.ID]*ent.Registration, len(regs))
	for _, reg := range regs {
		out[reg.EventID] = reg
	}
	return out, err
}

// Upcoming returns each group's published events that have not ended by
// now, soonest first, at most limit per group, in one query for all groups.
func Upcoming(ctx context.Context, c *ent.Client, groups []pulid.ID, now time.Time, limit int) (map[pulid.ID][]*ent.Event, error) {
	evs, err := c.Event.Query().Where(event.GroupIDIn(groups...), event.StatusEQ(event.StatusPUBLISHED), event.EndsAtGT(now)).
		Order(ent.Asc(event.FieldStartsAt), ent.Asc(event.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID][]*ent.Event, len(groups))
	for _, e := range evs {
		if len(out[e.GroupID]) < limit {
			out[e.GroupID] = append(out[e.GroupID], e)
		}
	}
	return out, nil
}

// GroupsNear is the predicate of groups whose coordinates lie within n
// (where: {near}): like the event search, it reads the candidates inside the
// circle's bounding box in one query and keeps those truly within the
// radius, so pagination and totals stay exact. Groups without coordinates
// are never near.
func GroupsNear(ctx context.Context, c *ent.Client, n Near) (predicate.Group, error) {
	if policy.ValidateLatitude(n.Lat) != nil || policy.ValidateLongitude(n.Lng) != nil || n.Km == nil || *n.Km <= 0 || *n.Km > 1000 {
		return nil, apierror.Invalid("near", "near needs a latitude in [-90, 90], a longitude in [-180, 180] and 0 < km <= 1000")
	}
	km := *n.Km
	dLat := km / 111.2
	dLng := 180.0
	if cos := math.Cos(n.Lat * math.Pi / 180); cos > 0.01 {
		dLng = math.Min(180, km/(111.2*cos))
	}
	box := []predicate.Group{group.LatitudeGTE(n.Lat - dLat), group.LatitudeLTE(n.Lat + dLat)}
	if dLng < 180 {
		box = append(box, group.LongitudeGTE(n.Lng-dLng), group.LongitudeLTE(n.Lng+dLng))
	}
	cands, err := c.Group.Query().Where(box...).Select(group.FieldID, group.FieldLatitude, group.FieldLongitude).All(ctx)
	if err != nil {
		return nil, err
	}
	within := []pulid.ID{}
	for _, g := range cands {
		if g.Latitude != nil && g.Longitude != nil && policy.DistanceKm(n.Lat, n.Lng, *g.Latitude, *g.Longitude) <= km {
			within = append(within, g.ID)
		}
	}
	return group.IDIn(within...), nil
}
