package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/agendaitem"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/sponsor"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// AgendaInput is one agenda slot: a talk, panel, workshop, sponsor pitch or
// break, with a speaker who is a user or a named guest.
type AgendaInput struct {
	Kind            agendaitem.Kind
	Title           string
	SpeakerID       pulid.ID
	SpeakerName     string
	StartsAt        string
	DurationMinutes int
	Track           string
}

func slotOf(it *ent.AgendaItem) policy.Slot {
	return policy.Slot{ID: string(it.ID), Title: it.Title, Track: it.Track, Start: it.StartsAt,
		Minutes: it.DurationMinutes, Pitch: it.Kind == agendaitem.KindSPONSOR_PITCH}
}

// AddAgendaItem puts an item on an event's agenda: inside the event, not
// overlapping its track, and a sponsor's pitch within the policy's caps on
// its length and on the pitches per event.
func (r *Runner) AddAgendaItem(ctx context.Context, eventID pulid.ID, in AgendaInput) (*ent.AgendaItem, error) {
	return act(ctx, r, "add agenda item", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.AgendaItem, error) {
		e, err := editableEvent(ctx, c, v, eventID)
		if err != nil {
			return nil, err
		}
		if err := changeable(e, "event's agenda"); err != nil {
			return nil, err
		}
		title, err := checkText("title", in.Title, 200)
		if err != nil {
			return nil, err
		}
		loc, _ := time.LoadLocation(e.TimeZone)
		start, err := policy.ParseEventTime("startsAt", in.StartsAt, loc)
		if err != nil {
			return nil, fieldError(err)
		}
		if in.Track = strings.TrimSpace(in.Track); in.Track == "" {
			in.Track = "main"
		}
		if in.Kind == "" {
			in.Kind = agendaitem.KindTALK
		}
		all := authz.Unfiltered(ctx)
		// Lock the event's row so two organizers adding items at once check
		// overlaps one after the other.
		if err := lockEvent(all, c, e.ID); err != nil {
			return nil, err
		}
		existing, err := c.AgendaItem.Query().Where(agendaitem.EventID(e.ID)).All(all)
		if err != nil {
			return nil, err
		}
		others := make([]policy.Slot, len(existing))
		for i, it := range existing {
			others[i] = slotOf(it)
		}
		slot := policy.Slot{Title: title, Track: in.Track, Start: start, Minutes: in.DurationMinutes, Pitch: in.Kind == agendaitem.KindSPONSOR_PITCH}
		p := e.Edges.Group.Edges.Community.Policy
		if err := policy.CheckAgenda(slot, others, e.StartsAt, e.EndsAt, p.MaxSponsorPitchMinutes); err != nil {
			return nil, fieldError(err)
		}
		if slot.Pitch {
			pitches := 0
			for _, o := range others {
				if o.Pitch {
					pitches++
				}
			}
			if err := pitchesLeft(e, p, pitches); err != nil {
				return nil, err
			}
		}
		ac := c.AgendaItem.Create().SetEventID(e.ID).SetKind(in.Kind).SetTitle(title).SetStartsAt(start).
			SetDurationMinutes(in.DurationMinutes).SetTrack(in.Track)
		switch {
		case in.SpeakerID != "":
			ok, err := c.User.Query().Where(user.ID(in.SpeakerID)).Exist(all)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, apierror.Invalid("speaker", "no such person")
			}
			ac.SetSpeakerID(in.SpeakerID)
		case strings.TrimSpace(in.SpeakerName) != "":
			ac.SetSpeakerName(strings.TrimSpace(in.SpeakerName))
		}
		it, err := ac.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.AgendaItem.Get(ctx, it.ID)
	})
}

// RemoveAgendaItem takes an item off an event's agenda.
func (r *Runner) RemoveAgendaItem(ctx context.Context, id pulid.ID) (*ent.Event, error) {
	return removeEventPart(ctx, r, "agenda item", func(ctx context.Context, c *ent.Client) (pulid.ID, error) {
		it, err := c.AgendaItem.Get(ctx, id)
		if err != nil {
			return "", err
		}
		return it.EventID, nil
	}, func(ctx context.Context, c *ent.Client) error { return c.AgendaItem.DeleteOneID(id).Exec(ctx) })
}

// removeEventPart deletes a part of an event (an agenda item, a sponsor)
// for someone who may edit the event; one the viewer cannot see is NOT_FOUND.
func removeEventPart(ctx context.Context, r *Runner, what string, eventOf func(context.Context, *ent.Client) (pulid.ID, error), del func(context.Context, *ent.Client) error) (*ent.Event, error) {
	return act(ctx, r, "remove "+what, func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Event, error) {
		eventID, err := eventOf(ctx, c)
		if err != nil {
			return nil, notFound(err, what)
		}
		e, err := editableEvent(ctx, c, v, eventID)
		if err != nil {
			return nil, err
		}
		if err := del(ctx, c); err != nil {
			return nil, err
		}
		return c.Event.Get(ctx, e.ID)
	})
}

// pitchesLeft refuses one more sponsor pitch at e when the policy's
// pitches per event are taken (taken counts those already there).
func pitchesLeft(e *ent.Event, p policy.Policy, taken int) error {
	if p.MaxSponsorPitchesPerEvent == 0 || taken < p.MaxSponsorPitchesPerEvent {
		return nil
	}
	err := apierror.Conflictf("this event already has %d sponsor pitch(es), the most the community allows per event", taken)
	err.Extensions = map[string]any{"status": string(e.Status), "maxSponsorPitchesPerEvent": p.MaxSponsorPitchesPerEvent}
	return err
}

// SponsorInput is a sponsor of an event, with the minutes of pitch it is
// granted (0: none).
type SponsorInput struct {
	Name, WebsiteURL, LogoURL, Covers string
	PitchMinutes                      int
}

// AddSponsor lists a sponsor on an event. A pitch is within the policy's
// length cap, and only as many sponsors get one as the policy allows per
// event; the event's row is locked while they are counted.
func (r *Runner) AddSponsor(ctx context.Context, eventID pulid.ID, in SponsorInput) (*ent.Sponsor, error) {
	return act(ctx, r, "add sponsor", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Sponsor, error) {
		e, err := editableEvent(ctx, c, v, eventID)
		if err != nil {
			return nil, err
		}
		name, err := checkText("name", in.Name, 200)
		if err != nil {
			return nil, err
		}
		p := e.Edges.Group.Edges.Community.Policy
		switch {
		case in.PitchMinutes < 0 || in.PitchMinutes > 120:
			return nil, apierror.Invalid("pitchMinutes", "must be between 0 and 120")
		case p.MaxSponsorPitchMinutes > 0 && in.PitchMinutes > p.MaxSponsorPitchMinutes:
			return nil, apierror.Invalid("pitchMinutes", "a sponsor's pitch lasts at most %d minutes here", p.MaxSponsorPitchMinutes)
		}
		if in.PitchMinutes > 0 {
			all := authz.Unfiltered(ctx)
			if err := lockEvent(all, c, e.ID); err != nil {
				return nil, err
			}
			taken, err := c.Sponsor.Query().Where(sponsor.EventID(e.ID), sponsor.PitchMinutesGT(0)).Count(all)
			if err != nil {
				return nil, err
			}
			if err := pitchesLeft(e, p, taken); err != nil {
				return nil, err
			}
		}
		sc := c.Sponsor.Create().SetEventID(e.ID).SetName(name).SetPitchMinutes(in.PitchMinutes)
		if s := strings.TrimSpace(in.WebsiteURL); s != "" {
			sc.SetWebsiteURL(s)
		}
		if s := strings.TrimSpace(in.LogoURL); s != "" {
			sc.SetLogoURL(s)
		}
		if s := strings.TrimSpace(in.Covers); s != "" {
			sc.SetCovers(s)
		}
		s, err := sc.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Sponsor.Get(ctx, s.ID)
	})
}

// RemoveSponsor takes a sponsor off an event.
func (r *Runner) RemoveSponsor(ctx context.Context, id pulid.ID) (*ent.Event, error) {
	return removeEventPart(ctx, r, "sponsor", func(ctx context.Context, c *ent.Client) (pulid.ID, error) {
		sp, err := c.Sponsor.Get(ctx, id)
		if err != nil {
			return "", err
		}
		return sp.EventID, nil
	}, func(ctx context.Context, c *ent.Client) error { return c.Sponsor.DeleteOneID(id).Exec(ctx) })
}

// seatHolders are the registrations that take a seat.
var seatHolders = []registration.Status{registration.StatusGOING, registration.StatusATTENDED}

// newCheckInCode is a registration's check-in code, typed when a QR scan
// fails.
func newCheckInCode() (string, error) { return randomCode(10) }

// written re-reads the registration a step has just written, to return it
// in the payload. It reads unfiltered because API tokens never read
// registrations: a token acting for its owner gets back the one row its
// step wrote — its owner's own, or the one whose id or code the door
// scanner read from a ticket — and nothing else (the check-in code stays
// hidden from tokens: see CheckInCode).
func written(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Registration, error) {
	return c.Registration.Get(authz.Unfiltered(ctx), id)
}

// CheckInCode is the check-in code of a registration as v may read it:
// only the registrant, signed in, holds it. An API token never reads the
// code, not even its owner's (it gets back the rows its steps write), so a
// leaked token cannot check anyone in.
func CheckInCode(v *viewer.Viewer, reg *ent.Registration) *string {
	if v.IsUser() && !v.ViaToken() && reg.UserID == v.UserID {
		return &reg.CheckInCode
	}
	return nil
}

// RegisterForEvent registers the viewer for a published event that has not
// started: GOING while seats are left, else WAITLISTED. Members-only events
// take the group's members only. Seats hold under concurrency: the event's
// row is locked (PostgreSQL) or writes are serial (SQLite) while counting.
func (r *Runner) RegisterForEvent(ctx context.Context, eventID pulid.ID) (*ent.Registration, error) {
	return act(ctx, r, "register for event", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Registration, error) {
		e, err := loadEvent(ctx, c, eventID)
		if err != nil {
			return nil, err
		}
		switch {
		case e.Status != event.StatusPUBLISHED:
			return nil, eventConflict(e, "the event does not take registrations")
		case !now.Before(e.StartsAt):
			return nil, eventConflict(e, "the event has started")
		case !authz.CanRegisterForEvent(v, e, now):
			return nil, apierror.Forbiddenf("this event is for the group's members")
		}
		all := authz.Unfiltered(ctx)
		if err := lockEvent(all, c, e.ID); err != nil {
			return nil, err
		}
		status := registration.StatusGOING
		if e.Capacity != nil {
			taken, err := c.Registration.Query().Where(registration.EventID(e.ID), registration.StatusIn(seatHolders...)).Count(all)
			if err != nil {
				return nil, err
			}
			if taken >= *e.Capacity {
				status = registration.StatusWAITLISTED
			}
		}
		prev, err := c.Registration.Query().Where(registration.EventID(e.ID), registration.UserID(v.UserID)).Only(all)
		switch {
		case err == nil && prev.Status != registration.StatusCANCELLED:
			return nil, apierror.Conflictf("you are already registered (%s)", prev.Status)
		case err == nil:
			// Registering again after cancelling: same row, back of the queue.
			err = c.Registration.UpdateOne(prev).SetStatus(status).SetQueuedAt(now).ClearCancelledAt().Exec(ctx)
			if err != nil {
				return nil, err
			}
			return written(ctx, c, prev.ID)
		case !ent.IsNotFound(err):
			return nil, err
		}
		code, err := newCheckInCode()
		if err != nil {
			return nil, err
		}
		reg, err := c.Registration.Create().SetEventID(e.ID).SetUserID(v.UserID).SetStatus(status).
			SetCheckInCode(code).SetQueuedAt(now).Save(ctx)
		if ent.IsConstraintError(err) {
			return nil, apierror.Conflictf("you are already registered")
		}
		if err != nil {
			return nil, err
		}
		return written(ctx, c, reg.ID)
	})
}

// CancelRegistration cancels the viewer's registration for an event that has
// not started; a freed seat goes to the first person on the waitlist.
func (r *Runner) CancelRegistration(ctx context.Context, eventID pulid.ID) (*ent.Registration, error) {
	return act(ctx, r, "cancel registration", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Registration, error) {
		e, err := loadEvent(ctx, c, eventID)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		reg, err := c.Registration.Query().Where(registration.EventID(e.ID), registration.UserID(v.UserID)).Only(all)
		if ent.IsNotFound(err) {
			return nil, apierror.NotFoundf("you are not registered for this event")
		}
		if err != nil {
			return nil, err
		}
		if !now.Before(e.StartsAt) {
			return nil, eventConflict(e, "the event has started")
		}
		if err := lockEvent(all, c, e.ID); err != nil {
			return nil, err
		}
		n, err := c.Registration.Update().Where(registration.ID(reg.ID),
			registration.StatusIn(registration.StatusGOING, registration.StatusWAITLISTED)).
			SetStatus(registration.StatusCANCELLED).SetCancelledAt(now).Save(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, statusConflict(reg.Status, "the registration is %s", reg.Status)
		}
		if err := seatWaitlist(ctx, c, e.ID, now); err != nil {
			return nil, err
		}
		return written(ctx, c, reg.ID)
	})
}

// seatWaitlist gives free seats to the waitlist in the order people joined
// it, telling each through the outbox. The caller holds the event's row.
func seatWaitlist(ctx context.Context, c *ent.Client, eventID pulid.ID, now time.Time) error {
	all := authz.Unfiltered(ctx)
	e, err := c.Event.Get(all, eventID)
	if err != nil {
		return err
	}
	if e.Status != event.StatusPUBLISHED || !now.Before(e.StartsAt) {
		return nil
	}
	q := c.Registration.Query().Where(registration.EventID(eventID), registration.StatusEQ(registration.StatusWAITLISTED)).
		Order(ent.Asc(registration.FieldQueuedAt), ent.Asc(registration.FieldID))
	if e.Capacity != nil {
		taken, err := c.Registration.Query().Where(registration.EventID(eventID), registration.StatusIn(seatHolders...)).Count(all)
		if err != nil {
			return err
		}
		if taken >= *e.Capacity {
			return nil
		}
		q.Limit(*e.Capacity - taken)
	}
	next, err := q.All(all)
	if err != nil {
		return err
	}
	for _, r := range next {
		if err := c.Registration.UpdateOne(r).SetStatus(registration.StatusGOING).Exec(ctx); err != nil {
			return err
		}
		loc, _ := time.LoadLocation(e.TimeZone)
		if err := queueMessage(ctx, c, e.CommunityID, r.UserID, letters.KindWaitlistPromoted,
			letters.WaitlistPromoted{Event: e.Title, StartsAt: e.StartsAt.In(loc)}, string(r.ID)+":"+r.UpdatedAt.Format(time.RFC3339Nano)); err != nil {
			return err
		}
	}
	return nil
}

// CheckIn marks an attendee present (the group's organizers and staff), by
// registration id or by the code of their QR; a code works once. Check-in
// opens three hours before the start; after completion it corrects a NO_SHOW.
func (r *Runner) CheckIn(ctx context.Context, eventID, registrationID pulid.ID, code string) (*ent.Registration, error) {
	return act(ctx, r, "check in", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Registration, error) {
		e, err := editableEvent(ctx, c, v, eventID)
		if err != nil {
			return nil, err
		}
		switch {
		case e.Status != event.StatusPUBLISHED && e.Status != event.StatusCOMPLETED:
			return nil, eventConflict(e, "check-in is for published events")
		case now.Before(e.StartsAt.Add(-3 * time.Hour)):
			return nil, eventConflict(e, "check-in opens three hours before the start")
		}
		q := c.Registration.Query().Where(registration.EventID(e.ID))
		by := "registration" // the input field the attendee was named by
		switch {
		case registrationID != "":
			q.Where(registration.ID(registrationID))
		case strings.TrimSpace(code) != "":
			by = "code"
			q.Where(registration.CheckInCode(strings.ToUpper(strings.TrimSpace(code))))
		default:
			return nil, apierror.Invalid("registration", "give a registration or a check-in code")
		}
		reg, err := q.Only(authz.Unfiltered(ctx))
		if ent.IsNotFound(err) {
			// Named by the field, so a door scanner can tell a mistyped code
			// from an unknown event.
			nf := apierror.NotFoundf("no registration for this event matches that %s", by)
			nf.Field = by
			return nil, nf
		}
		if err != nil {
			return nil, err
		}
		n, err := c.Registration.Update().Where(registration.ID(reg.ID), registration.StatusIn(registration.StatusGOING, registration.StatusNO_SHOW)).
			SetStatus(registration.StatusATTENDED).SetCheckedInAt(now).Save(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, statusConflict(reg.Status, "cannot check in a registration that is %s", reg.Status)
		}
		if err := participated(ctx, c, e, reg, now); err != nil {
			return nil, err
		}
		return written(ctx, c, reg.ID)
	})
}

// Attendee is one line of an event's attendee export.
type Attendee struct {
	RegistrationID pulid.ID
	Name           string
	Email          string
	Status         registration.Status
	CheckedInAt    *time.Time
}

// ExportAttendees returns an event's registrations with the registrants'
// names and email addresses, for the group's own organizers only (staff
// included only when they organize the group): registration details are for
// running the event, never for marketing. Every export is recorded in the
// change log as an audit entry, in the same transaction.
func (r *Runner) ExportAttendees(ctx context.Context, eventID pulid.ID) ([]Attendee, error) {
	return act(ctx, r, "export attendees", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) ([]Attendee, error) {
		if v.ViaToken() {
			return nil, apierror.TokenScopef("attendees are exported by an organizer signed in, never with an API token")
		}
		e, err := loadEvent(ctx, c, eventID)
		if err != nil {
			return nil, err
		}
		if !v.HasGroupRole(e.GroupID, "ORGANIZER") {
			return nil, apierror.Forbiddenf("only the group's organizers, signed in, may export its attendees")
		}
		regs, err := c.Registration.Query().Where(registration.EventID(e.ID), registration.StatusNEQ(registration.StatusCANCELLED)).
			WithUser(func(q *ent.UserQuery) {
				q.WithContact(func(q *ent.ContactQuery) { q.Select(contact.FieldUserID, contact.FieldEmail) })
			}).
			Order(ent.Asc(registration.FieldQueuedAt), ent.Asc(registration.FieldID)).All(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		out := make([]Attendee, len(regs))
		for i, reg := range regs {
			a := Attendee{RegistrationID: reg.ID, Status: reg.Status, CheckedInAt: reg.CheckedInAt}
			if u := reg.Edges.User; u != nil {
				a.Name = u.Name
				if u.Edges.Contact != nil {
					a.Email = u.Edges.Contact.Email
				}
			}
			out[i] = a
		}
		if err := changelog.Audit(ctx, c, now, changelog.AuditRecord{Action: auditentry.ActionACCESSED,
			NodeType: "Event", NodeID: string(e.ID), Community: e.CommunityID, Group: e.GroupID}); err != nil {
			return nil, err
		}
		return out, nil
	})
}
