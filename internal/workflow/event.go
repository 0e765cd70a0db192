package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/agendaitem"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// EventInput is an event's editable details. On update, nil fields keep
// their value; times are RFC 3339 instants or wall-clock times in the
// event's zone (policy.ParseEventTime).
type EventInput struct {
	Kind               *event.Kind
	Title, Description *string
	StartsAt, EndsAt   *string
	TimeZone           *string
	VenueName          *string
	VenueAddress       *string
	Latitude           *float64
	Longitude          *float64
	OnlineURL          *string
	Capacity           *int
	// ClearCapacity removes the limit (a nil Capacity keeps it).
	ClearCapacity bool
	Visibility    *event.Visibility
}

// loadEvent reads an event the viewer can see, with its group and community.
func loadEvent(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Event, error) {
	e, err := c.Event.Query().Where(event.ID(id)).WithGroup(func(q *ent.GroupQuery) { q.WithCommunity() }).Only(ctx)
	return e, notFound(err, "event")
}

// editableEvent loads an event v may edit (the group's organizers, the
// community's staff).
func editableEvent(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID) (*ent.Event, error) {
	e, err := loadEvent(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if !authz.CanEditEvent(v, e) {
		return nil, apierror.Forbiddenf("only the group's organizers and the community's staff may change its events")
	}
	return e, nil
}

// changeable refuses to change a cancelled or completed event (what names
// the part that would change: "event", "event's agenda").
func changeable(e *ent.Event, what string) error {
	if e.Status == event.StatusCANCELLED || e.Status == event.StatusCOMPLETED {
		return eventConflict(e, "a cancelled or completed "+what+" cannot change")
	}
	return nil
}

func eventConflict(e *ent.Event, msg string) error {
	return statusConflict(e.Status, "%s", msg)
}

// fieldError turns a policy rule's refusal into BAD_USER_INPUT on its field.
func fieldError(err error) error {
	var fe *policy.FieldError
	if errors.As(err, &fe) {
		return apierror.Invalid(fe.Field, "%s", fe.Reason)
	}
	return err
}

// resolved applies in over an event's current values (cur is nil on create)
// and checks the result as a whole.
type resolved struct {
	start, end time.Time
	zone       string
}

func resolveSchedule(in EventInput, cur *ent.Event) (resolved, error) {
	var r resolved
	zone := ""
	if cur != nil {
		r.start, r.end, zone = cur.StartsAt, cur.EndsAt, cur.TimeZone
	}
	if in.TimeZone != nil {
		zone = *in.TimeZone
	}
	loc, err := policy.LoadZone(zone)
	if err != nil {
		return r, fieldError(err)
	}
	r.zone = zone
	if in.StartsAt != nil {
		if r.start, err = policy.ParseEventTime("startsAt", *in.StartsAt, loc); err != nil {
			return r, fieldError(err)
		}
	}
	if in.EndsAt != nil {
		if r.end, err = policy.ParseEventTime("endsAt", *in.EndsAt, loc); err != nil {
			return r, fieldError(err)
		}
	}
	if r.start.IsZero() {
		return r, apierror.Invalid("startsAt", "startsAt is required")
	}
	if r.end.IsZero() {
		return r, apierror.Invalid("endsAt", "endsAt is required")
	}
	s := policy.Schedule{Start: r.start, End: r.end, Capacity: in.Capacity}
	s.Venue = nonEmpty(in.VenueName) || (in.VenueName == nil && cur != nil && cur.VenueName != "")
	s.Online = nonEmpty(in.OnlineURL) || (in.OnlineURL == nil && cur != nil && cur.OnlineURL != "")
	return r, fieldError(policy.CheckSchedule(s))
}

func nonEmpty(s *string) bool { return s != nil && strings.TrimSpace(*s) != "" }

// CreateEvent adds a DRAFT event to a running group (its organizers and the
// community's staff).
func (r *Runner) CreateEvent(ctx context.Context, groupID pulid.ID, in EventInput) (*ent.Event, error) {
	return act(ctx, r, "create event", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Event, error) {
		g, err := administeredGroup(ctx, c, v, groupID, "create its events")
		if err != nil {
			return nil, err
		}
		if err := running(g); err != nil {
			return nil, err
		}
		if in.Title == nil {
			return nil, apierror.Invalid("title", "title is required")
		}
		if in.TimeZone == nil {
			return nil, apierror.Invalid("timeZone", "timeZone is required")
		}
		sch, err := resolveSchedule(in, nil)
		if err != nil {
			return nil, err
		}
		ec := c.Event.Create().SetGroupID(g.ID).SetStartsAt(sch.start).SetEndsAt(sch.end).SetTimeZone(sch.zone)
		applyEventInput(ec.Mutation(), in)
		e, err := ec.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Event.Get(ctx, e.ID)
	})
}

// applyEventInput copies the plain fields of in onto a create or update.
func applyEventInput(m *ent.EventMutation, in EventInput) {
	set := func(p *string, setter func(string), clear func()) {
		switch {
		case p == nil:
		case strings.TrimSpace(*p) == "" && clear != nil:
			clear()
		default:
			setter(strings.TrimSpace(*p))
		}
	}
	if in.Kind != nil {
		m.SetKind(*in.Kind)
	}
	set(in.Title, m.SetTitle, nil)
	set(in.Description, m.SetDescription, m.ClearDescription)
	set(in.VenueName, m.SetVenueName, m.ClearVenueName)
	set(in.VenueAddress, m.SetVenueAddress, m.ClearVenueAddress)
	set(in.OnlineURL, m.SetOnlineURL, m.ClearOnlineURL)
	if in.Latitude != nil {
		m.SetLatitude(*in.Latitude)
	}
	if in.Longitude != nil {
		m.SetLongitude(*in.Longitude)
	}
	if in.Capacity != nil {
		m.SetCapacity(*in.Capacity)
	} else if in.ClearCapacity {
		m.ClearCapacity()
	}
	if in.Visibility != nil {
		m.SetVisibility(*in.Visibility)
	}
}

// UpdateEvent changes an event that is neither cancelled nor completed. The
// agenda must still fit the new times; more seats seat the waitlist.
func (r *Runner) UpdateEvent(ctx context.Context, id pulid.ID, in EventInput) (*ent.Event, error) {
	return act(ctx, r, "update event", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Event, error) {
		e, err := editableEvent(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		if err := changeable(e, "event"); err != nil {
			return nil, err
		}
		if in.Capacity == nil && !in.ClearCapacity {
			in.Capacity = e.Capacity
		}
		sch, err := resolveSchedule(in, e)
		if err != nil {
			return nil, err
		}
		items, err := c.AgendaItem.Query().Where(agendaitem.EventID(e.ID)).All(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.StartsAt.Before(sch.start) || slotOf(it).End().After(sch.end) {
				return nil, apierror.Invalid("startsAt", "the agenda item %q would fall outside the event: move it first", it.Title)
			}
		}
		upd := c.Event.UpdateOneID(e.ID).SetStartsAt(sch.start).SetEndsAt(sch.end).SetTimeZone(sch.zone)
		applyEventInput(upd.Mutation(), in)
		if err := upd.Exec(ctx); err != nil {
			return nil, err
		}
		if err := seatWaitlist(ctx, c, e.ID, now); err != nil {
			return nil, err
		}
		return c.Event.Get(ctx, e.ID)
	})
}

// PublishEvent makes a DRAFT event visible and open for registration; it
// must not have started.
func (r *Runner) PublishEvent(ctx context.Context, id pulid.ID) (*ent.Event, error) {
	return act(ctx, r, "publish event", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Event, error) {
		e, err := editableEvent(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		if !now.Before(e.StartsAt) {
			return nil, apierror.Invalid("startsAt", "the event has already started: move it before publishing")
		}
		return setEventStatus(ctx, c, e, event.StatusDRAFT, event.StatusPUBLISHED, nil)
	})
}

// setEventStatus moves an event from one status to another, conditionally,
// so a concurrent change makes the loser's step a CONFLICT.
func setEventStatus(ctx context.Context, c *ent.Client, e *ent.Event, from, to event.Status, also func(*ent.EventUpdate)) (*ent.Event, error) {
	if e.Status != from {
		return nil, eventConflict(e, fmt.Sprintf("the event is %s, not %s", e.Status, from))
	}
	upd := c.Event.Update().Where(event.ID(e.ID), event.StatusEQ(from)).SetStatus(to)
	if also != nil {
		also(upd)
	}
	n, err := upd.Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, eventConflict(e, "the event changed meanwhile")
	}
	return c.Event.Get(ctx, e.ID)
}

// CancelEvent calls an event off with a reason; everyone holding a seat or
// waiting for one is told through the outbox and their registration ends.
func (r *Runner) CancelEvent(ctx context.Context, id pulid.ID, reason string) (*ent.Event, error) {
	return act(ctx, r, "cancel event", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Event, error) {
		e, err := editableEvent(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		if reason, err = checkText("reason", reason, 2000); err != nil {
			return nil, err
		}
		from := e.Status
		if from != event.StatusDRAFT && from != event.StatusPUBLISHED {
			return nil, eventConflict(e, "only a draft or published event can be cancelled")
		}
		out, err := setEventStatus(ctx, c, e, from, event.StatusCANCELLED, func(u *ent.EventUpdate) { u.SetCancelReason(reason) })
		if err != nil {
			return nil, err
		}
		held := registration.StatusIn(registration.StatusGOING, registration.StatusWAITLISTED)
		regs, err := c.Registration.Query().Where(registration.EventID(e.ID), held).All(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		if len(regs) == 0 {
			return out, nil
		}
		if err := c.Registration.Update().Where(registration.EventID(e.ID), held).
			SetStatus(registration.StatusCANCELLED).SetCancelledAt(now).Exec(ctx); err != nil {
			return nil, err
		}
		loc, _ := time.LoadLocation(e.TimeZone)
		ns := make([]notice, len(regs))
		for i, reg := range regs {
			ns[i] = notice{to: []pulid.ID{reg.UserID}, dedupe: string(reg.ID),
				data: letters.EventCancelled{Event: e.Title, StartsAt: e.StartsAt.In(loc), Note: reason}}
		}
		n, err := notices(ctx, c, e.CommunityID)
		if err != nil {
			return nil, err
		}
		if err := n.queue(ctx, c, letters.KindEventCancelled, ns...); err != nil {
			return nil, err
		}
		return c.Event.Get(ctx, out.ID) // with the counts the cancellations changed
	})
}

// CompleteEvent closes a published event once it has started: whoever held
// a seat and was not checked in becomes NO_SHOW. Attendance then counts
// towards the group's official-status record.
func (r *Runner) CompleteEvent(ctx context.Context, id pulid.ID) (*ent.Event, error) {
	return act(ctx, r, "complete event", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Event, error) {
		e, err := editableEvent(ctx, c, v, id)
		if err != nil {
			return nil, err
		}
		if now.Before(e.StartsAt) {
			return nil, eventConflict(e, "the event has not started yet")
		}
		out, err := setEventStatus(ctx, c, e, event.StatusPUBLISHED, event.StatusCOMPLETED, nil)
		if err != nil {
			return nil, err
		}
		if err := c.Registration.Update().Where(registration.EventID(e.ID), registration.StatusEQ(registration.StatusGOING)).
			SetStatus(registration.StatusNO_SHOW).Exec(ctx); err != nil {
			return nil, err
		}
		return c.Event.Get(ctx, out.ID)
	})
}
