// Package attendance keeps each event's public registration counts (going,
// waitlisted, attended) in step with its registrations. Who registered is
// private, but how many is public: storing the counts on the event lets
// anyone read them without reading, or bypassing the rules on, a single
// registration row.
package attendance

import (
	"context"
	"fmt"

	entgo "entgo.io/ent"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/hook"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
)

// Hook recounts the affected events' registrations after every create,
// status change and delete of registrations, in the same transaction.
func Hook(next entgo.Mutator) entgo.Mutator {
	return hook.RegistrationFunc(func(ctx context.Context, m *ent.RegistrationMutation) (ent.Value, error) {
		_, statusChanged := m.Status()
		if m.Op().Is(entgo.OpUpdate|entgo.OpUpdateOne) && !statusChanged {
			return next.Mutate(ctx, m)
		}
		// The hook runs inside the workflow step that writes the
		// registrations, so the counters it writes are that step's writes;
		// counting reads every registration, not only those the actor sees.
		all := authz.Unfiltered(ctx)
		var events []pulid.ID
		if id, ok := m.EventID(); ok {
			events = []pulid.ID{id}
		} else {
			ids, err := m.IDs(all)
			if err != nil {
				return nil, err
			}
			if len(ids) > 0 {
				if err := m.Client().Registration.Query().Where(registration.IDIn(ids...)).
					Unique(true).Select(registration.FieldEventID).Scan(all, &events); err != nil {
					return nil, err
				}
			}
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		if b, ok := ctx.Value(batchKey{}).(*batch); ok {
			b.note(events)
			return v, nil
		}
		if err := Recount(all, m.Client(), events...); err != nil {
			return nil, fmt.Errorf("attendance: %w", err)
		}
		return v, nil
	})
}

type batchKey struct{}

// batch collects the events whose registrations changed inside Batch.
type batch struct {
	seen   map[pulid.ID]bool
	events []pulid.ID
}

func (b *batch) note(events []pulid.ID) {
	for _, id := range events {
		if !b.seen[id] {
			b.seen[id] = true
			b.events = append(b.events, id)
		}
	}
}

// Batch runs fn, a bulk write of registrations (a data import), with the
// recounts deferred: each affected event is recounted once when fn returns,
// instead of once per registration written. ctx must be a workflow step's,
// and fn must write with the context it is given.
func Batch(ctx context.Context, c *ent.Client, fn func(ctx context.Context) error) error {
	b := &batch{seen: map[pulid.ID]bool{}}
	if err := fn(context.WithValue(ctx, batchKey{}, b)); err != nil {
		return err
	}
	if err := Recount(authz.Unfiltered(ctx), c, b.events...); err != nil {
		return fmt.Errorf("attendance: %w", err)
	}
	return nil
}

// Recount sets the counts of the given events from their registrations.
// ctx must be a workflow step's (it writes the events), with reads
// unfiltered (authz.Unfiltered) so that every registration is counted.
func Recount(ctx context.Context, c *ent.Client, events ...pulid.ID) error {
	if len(events) == 0 {
		return nil
	}
	var rows []struct {
		EventID pulid.ID            `json:"event_id"`
		Status  registration.Status `json:"status"`
		Count   int                 `json:"count"`
	}
	if err := c.Registration.Query().Where(registration.EventIDIn(events...)).
		GroupBy(registration.FieldEventID, registration.FieldStatus).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return err
	}
	type counts struct{ going, waitlisted, attended int }
	byEvent := make(map[pulid.ID]*counts, len(events))
	for _, id := range events {
		byEvent[id] = &counts{}
	}
	for _, r := range rows {
		cs := byEvent[r.EventID]
		switch r.Status {
		case registration.StatusGOING:
			cs.going += r.Count
		case registration.StatusWAITLISTED:
			cs.waitlisted += r.Count
		case registration.StatusATTENDED:
			cs.attended += r.Count
		}
	}
	for id, cs := range byEvent {
		if err := c.Event.Update().Where(event.ID(id)).
			SetGoingCount(cs.going).SetWaitlistCount(cs.waitlisted).SetAttendedCount(cs.attended).
			Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
