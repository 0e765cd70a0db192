package live

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/viewer"
)

// An event's registrations stream to everyone who may see the event: each
// change brings the event's live counts. The registration itself, and who
// made the change, go only to subscribers whose privacy rules show them the
// registration (its registrant, the group's organizers, staff). Which event
// a registration belongs to is not in the change log (only its group is),
// so it is read from the registration as the loader loaded it for everyone,
// with every column. The event and the registration are loaded once per
// change, as the system, and each subscriber is held to their rules in
// memory (authz.CanSeeEvent, CanSeeRegistration): a change costs the same
// statements for one subscriber as for ten thousand.

// RegistrationChange is a change to one of an event's registrations as one
// subscriber may see it.
type RegistrationChange struct {
	*Item
	// Event is the event as the subscriber sees it now, with its counts.
	Event *ent.Event
	// Registration is the registration, or nil when the subscriber may not
	// see it; Item.Actor is nil then too.
	Registration *ent.Registration
}

// EventRegistrations streams the changes to the registrations of the event
// with id eventID, after the cursor (or from now), each converted by
// convert, until ctx ends. An event the subscriber cannot see is NOT_FOUND.
func EventRegistrations[T any](ctx context.Context, s *Source, eventID pulid.ID, after *string, convert func(*RegistrationChange) T) (<-chan T, error) {
	if err := s.available(); err != nil {
		return nil, err
	}
	ev, err := s.Client.Event.Get(ctx, eventID)
	if ent.IsNotFound(err) {
		return nil, apierror.NotFoundf("no event with that id")
	}
	if err != nil {
		return nil, err
	}
	sub, err := s.Subscribe(ctx, after, func(c *ent.Change) bool {
		return c.Topic == changelog.TopicRegistration && c.GroupID == string(ev.GroupID)
	})
	if err != nil {
		return nil, err
	}
	sub.scope = func(n ent.Noder) bool {
		reg, ok := n.(*ent.Registration)
		return ok && reg.EventID == eventID
	}
	return Deliver(ctx, sub, func(it *Item) (T, bool) {
		// The event with its counts is loaded once per change for every
		// subscriber, and each is held to the event's rule in memory.
		current, _ := s.loader().related(ctx, it.loaded, eventID).(*ent.Event)
		if current == nil || !authz.CanSeeEvent(viewer.FromContext(ctx), current) {
			var zero T
			return zero, false // the event is gone, or hidden from the subscriber now
		}
		cp := *current // each subscriber resolves its own copy
		rc := &RegistrationChange{Item: it, Event: &cp}
		if reg, ok := it.Node.(*ent.Registration); ok {
			rc.Registration = reg
		} else {
			it.Actor = nil
		}
		return convert(rc), true
	}), nil
}
