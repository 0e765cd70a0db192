package graph

import (
	"context"
	"slices"
	"strings"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/graph/scalar"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/live"
)

// subscribe streams the changes match accepts whose node, as the
// subscriber may see it when the change is delivered, is an N; convert
// makes the payload of each, or drops it (a filter the client asked for).
// Visibility is the live source's (the privacy rules, per subscriber);
// convert runs on the source's delivery workers, so it must not block.
// A server without a live source answers UNAVAILABLE.
func subscribe[N ent.Noder, T any](ctx context.Context, src *live.Source, after *ent.Cursor,
	match func(*ent.Change) bool, convert func(*live.Item, N) (T, bool)) (<-chan T, error) {
	sub, err := src.Subscribe(ctx, scalar.ChangeText(after), match)
	if err != nil {
		return nil, err
	}
	return deliverNodes(ctx, sub, convert), nil
}

// deliverNodes delivers the items of sub whose node, as the subscriber may
// see it when the change is delivered, is an N, converted by convert (see
// subscribe).
func deliverNodes[N ent.Noder, T any](ctx context.Context, sub *live.Subscription, convert func(*live.Item, N) (T, bool)) <-chan T {
	return live.Deliver(ctx, sub, func(it *live.Item) (T, bool) {
		n, ok := it.Node.(N)
		if !ok {
			var zero T
			return zero, false // not visible to this subscriber (any more)
		}
		return convert(it, n)
	})
}

type changeCursorKey struct{}

// WithChangeCursor records the change cursor a query's snapshot reflects
// (see internal/server's querySnapshots), for Query.changeCursor.
func WithChangeCursor(ctx context.Context, cursor string) context.Context {
	return context.WithValue(ctx, changeCursorKey{}, cursor)
}

// changeCursor is the change cursor of the query in ctx; UNAVAILABLE on a
// server without live updates, where no query has one.
func changeCursor(ctx context.Context) (*ent.Cursor, error) {
	cursor, ok := ctx.Value(changeCursorKey{}).(string)
	if !ok {
		return nil, apierror.Unavailablef("live updates are not available on this server: queries carry no change cursor")
	}
	c := scalar.ChangeCursor(cursor)
	return &c, nil
}

// inCommunity matches the changes of a community of the given topics (any
// topic when none is given).
func inCommunity(community pulid.ID, topics ...string) func(*ent.Change) bool {
	return func(c *ent.Change) bool {
		return c.CommunityID == string(community) && (len(topics) == 0 || slices.Contains(topics, c.Topic))
	}
}

// inGroup matches the changes of a group of one topic.
func inGroup(group pulid.ID, topic string) func(*ent.Change) bool {
	return func(c *ent.Change) bool { return c.GroupID == string(group) && c.Topic == topic }
}

// changeTopics maps the topics a client asks for to the change log's.
func changeTopics(ts []generated.ChangeTopic) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = strings.ToLower(string(t))
	}
	return out
}

// changeTopic shows a change log topic as the API's enum value.
func changeTopic(topic string) generated.ChangeTopic {
	return generated.ChangeTopic(strings.ToUpper(topic))
}
