package graph

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/live"
)

// subscribe streams the changes match accepts whose node, as the
// subscriber may see it when the change is delivered, is an N; convert
// makes the payload of each, or drops it (a filter the client asked for).
// Visibility is the live source's (the privacy rules, per subscriber);
// convert runs on the source's delivery workers, so it must not block.
// A server without a live source answers UNAVAILABLE.
func subscribe[N ent.Noder, T any](ctx context.Context, src *live.Source, after *string,
	match func(*ent.Change) bool, convert func(*live.Item, N) (T, bool)) (<-chan T, error) {
	items, err := src.Subscribe(ctx, after, match)
	if err != nil {
		return nil, err
	}
	return live.Deliver(ctx, items, func(it *live.Item) (T, bool) {
		n, ok := it.Node.(N)
		if !ok {
			var zero T
			return zero, false // not visible to this subscriber (any more)
		}
		return convert(it, n)
	}), nil
}
