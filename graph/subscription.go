package graph

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/live"
)

// stream subscribes to the change log through the live source, or refuses
// when this server runs without one.
func (r *Resolver) stream(ctx context.Context, after *string, match func(*ent.Change) bool) (<-chan *live.Item, error) {
	if r.live == nil {
		return nil, apierror.Unavailablef("live updates are not available on this server")
	}
	return r.live.Stream(ctx, after, match)
}

// forward converts stream items into a subscription's payloads, dropping
// those convert rejects (not visible to this subscriber, not asked for).
func forward[T any](ctx context.Context, items <-chan *live.Item, convert func(*live.Item) (T, bool)) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		for it := range items {
			v, ok := convert(it)
			if !ok {
				continue
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// actor loads who made a change; people's profiles are public.
func (r *Resolver) actor(ctx context.Context, it *live.Item) *ent.User {
	if it.ActorID == "" {
		return nil
	}
	u, err := r.client.User.Get(ctx, it.ActorID)
	if err != nil {
		return nil
	}
	return u
}
