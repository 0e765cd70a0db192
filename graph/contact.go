package graph

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/workflow"
)

// contactThreadLists are the lists contact threads are resolved in, for
// counterpartEmail's batch.
var contactThreadLists = list[ent.ContactThread, ent.ContactThreadEdge, ent.ContactThreadConnection]{
	edges: func(c *ent.ContactThreadConnection) []*ent.ContactThreadEdge { return c.Edges },
	node:  func(e *ent.ContactThreadEdge) *ent.ContactThread { return e.Node },
	id:    func(t *ent.ContactThread) pulid.ID { return t.ID },
}

// counterpartEmail is the other side's email on thread id for the viewer,
// loaded once for every thread of the list it is in.
func counterpartEmail(ctx context.Context, c *ent.Client, id pulid.ID) (*string, error) {
	emails, err := batched(ctx, id, contactThreadLists.ids, func(ids []pulid.ID) (map[pulid.ID]string, error) {
		return workflow.CounterpartEmails(ctx, c, ids)
	})
	if e, ok := emails[id]; ok && err == nil {
		return &e, nil
	}
	return nil, err
}
