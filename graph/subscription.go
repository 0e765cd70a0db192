package graph

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/live"
)

// stream subscribes to the change log through the live source, or refuses
// when this server runs without one. Delivery starts with forward.
func (r *Resolver) stream(ctx context.Context, after *string, match func(*ent.Change) bool) (*live.Subscription, error) {
	if r.live == nil {
		return nil, apierror.Unavailablef("live updates are not available on this server")
	}
	return r.live.Subscribe(ctx, after, match)
}

// forward delivers a subscription's items as its payloads, dropping those
// convert rejects (not visible to this subscriber, not asked for). convert
// runs on the subscription's one delivery goroutine, so an idle
// subscription parks no goroutine of its own here.
func forward[T any](ctx context.Context, items *live.Subscription, convert func(*live.Item) (T, bool)) <-chan T {
	return live.Deliver(ctx, items, convert)
}

// actor is who made a change; people's profiles are public, so the live
// source loads it once for every subscriber of the change, and each gets
// its own copy to resolve.
func (r *Resolver) actor(ctx context.Context, it *live.Item) *ent.User {
	if it.Actor != nil {
		u := *it.Actor
		return &u
	}
	if it.ActorID == "" {
		return nil
	}
	u, err := r.client.User.Get(ctx, it.ActorID)
	if err != nil {
		return nil
	}
	return u
}
