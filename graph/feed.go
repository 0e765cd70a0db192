package graph

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/graph/scalar"
	"github.com/usergroups/usergroups/internal/live"
)

// changeFeed reads a page of a community's change feed (live.Source.Page)
// through c, the query's snapshot, from the position the query reflects,
// and shows it as a ChangeFeed.
func changeFeed(ctx context.Context, src *live.Source, c *ent.Client, f live.Feed, after *ent.Cursor, first *int) (*generated.ChangeFeed, error) {
	reflected, err := changeCursor(ctx)
	if err != nil {
		return nil, err
	}
	page, err := src.Page(ctx, c, f, scalar.ChangeText(after), first, *scalar.ChangeText(reflected))
	if err != nil {
		return nil, err
	}
	out := &generated.ChangeFeed{Edges: []*generated.ChangeFeedEdge{}, Nodes: []*generated.ChangeEntry{},
		PageInfo: &ent.PageInfo{HasNextPage: page.More}, ChangeCursor: scalar.ChangeCursor(page.Next)}
	for _, it := range page.Items {
		e := &generated.ChangeEntry{Cursor: scalar.ChangeCursor(it.Cursor), Op: it.Op, At: it.At, Actor: it.Actor,
			Topic: changeTopic(it.Topic), NodeID: pulid.ID(it.Change.NodeID), NodeType: it.Change.NodeType, Node: it.Node}
		out.Edges = append(out.Edges, &generated.ChangeFeedEdge{Cursor: e.Cursor, Node: e})
		out.Nodes = append(out.Nodes, e)
	}
	if n := len(out.Nodes); n > 0 {
		out.PageInfo.StartCursor, out.PageInfo.EndCursor = &out.Nodes[0].Cursor, &out.Nodes[n-1].Cursor
	}
	return out, nil
}

// followFeed streams a community's change feed (live.Source.Follow) as
// ChangeItems: the changes whose node the subscriber may see when each is
// delivered.
func followFeed(ctx context.Context, src *live.Source, f live.Feed, after *ent.Cursor) (<-chan *generated.ChangeItem, error) {
	sub, err := src.Follow(ctx, f, scalar.ChangeText(after))
	if err != nil {
		return nil, err
	}
	return deliverNodes(ctx, sub, func(it *live.Item, n ent.Noder) (*generated.ChangeItem, bool) {
		return &generated.ChangeItem{Cursor: scalar.ChangeCursor(it.Cursor), Op: it.Op, At: it.At, Actor: it.Actor, Topic: changeTopic(it.Topic), Node: n}, true
	}), nil
}
