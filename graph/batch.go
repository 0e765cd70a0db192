package graph

import (
	"context"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/queue"
)

// A field resolved for every element of a list (a count per group of a page
// of groups) would cost one query per element. batched instead loads it once
// for all the elements of the nearest enclosing list, which the executor has
// already resolved and keeps in the parent field contexts: no timers, no
// waiting for siblings, and a constant number of statements per request.

type batchesKey struct{}

// batches is one operation's memo of batched loads.
type batches struct {
	mu sync.Mutex
	m  map[batchKey]*batch
}

type batchKey struct {
	anchor *graphql.FieldContext // the enclosing list field
	path   string                // the response path from it to the batched field
}

type batch struct {
	once sync.Once
	ids  map[pulid.ID]bool
	val  any
	err  error
}

// WithBatches gives an operation its memo of batched loads; without it,
// each element loads on its own (still correct, just not batched).
func WithBatches(ctx context.Context) context.Context {
	return context.WithValue(ctx, batchesKey{}, &batches{m: map[batchKey]*batch{}})
}

// batched returns load's result for the ids of every element in the nearest
// enclosing list that collect recognises, computed once per list and field.
// The caller picks its own element out of the result.
func batched[R any](ctx context.Context, id pulid.ID, collect func(any) []pulid.ID, load func([]pulid.ID) (R, error)) (R, error) {
	return batchedAt(ctx, id, collect, load, false)
}

// batchedOuter is batched anchored at the outermost enclosing value collect
// recognises: for ids found inside the elements of a list (the people named
// in each application's screening), so that a page of them loads once
// rather than once per element.
func batchedOuter[R any](ctx context.Context, id pulid.ID, collect func(any) []pulid.ID, load func([]pulid.ID) (R, error)) (R, error) {
	return batchedAt(ctx, id, collect, load, true)
}

func batchedAt[R any](ctx context.Context, id pulid.ID, collect func(any) []pulid.ID, load func([]pulid.ID) (R, error), outermost bool) (R, error) {
	memo, _ := ctx.Value(batchesKey{}).(*batches)
	fc := graphql.GetFieldContext(ctx)
	if memo == nil || fc == nil {
		return load([]pulid.ID{id})
	}
	var outer *graphql.FieldContext
	if outermost {
		for p := fc; p != nil; p = p.Parent {
			if collect(p.Result) != nil {
				outer = p
			}
		}
	}
	var path []string
	for p := fc; p != nil; p = p.Parent {
		if p.Index == nil && p.Field.Field != nil {
			path = append(path, p.Field.Alias)
		}
		if outer != nil && p != outer {
			continue
		}
		ids := collect(p.Result)
		if ids == nil {
			continue
		}
		key := batchKey{anchor: p, path: strings.Join(path, ".")}
		memo.mu.Lock()
		b := memo.m[key]
		if b == nil {
			b = &batch{}
			memo.m[key] = b
		}
		memo.mu.Unlock()
		b.once.Do(func() {
			b.ids = make(map[pulid.ID]bool, len(ids))
			for _, i := range ids {
				b.ids[i] = true
			}
			b.val, b.err = load(ids)
		})
		if !b.ids[id] {
			break // reached through another path: load alone
		}
		if b.err != nil {
			var zero R
			return zero, b.err
		}
		return b.val.(R), nil
	}
	return load([]pulid.ID{id})
}

// list describes how the lists of one entity look once resolved — a Relay
// connection (C) of edges (E), the edges alone, or a plain slice of nodes
// (T) — and which id of a node a batched field is keyed by.
type list[T, E, C any] struct {
	edges func(*C) []*E
	node  func(*E) *T
	id    func(*T) pulid.ID
}

// ids lists the ids of the nodes of a resolved list value, skipping nil
// edges and edges without a node, and nil for a value of another type.
func (l list[T, E, C]) ids(v any) []pulid.ID {
	var nodes []*T
	switch x := v.(type) {
	case *C:
		if x == nil || l.edges == nil {
			return nil
		}
		return l.ids(l.edges(x))
	case []*E:
		if l.node == nil {
			return nil
		}
		nodes = make([]*T, 0, len(x))
		for _, e := range x {
			if e != nil {
				nodes = append(nodes, l.node(e))
			}
		}
	case []*T:
		nodes = x
	default:
		return nil
	}
	out := make([]pulid.ID, 0, len(nodes))
	for _, n := range nodes {
		if n != nil {
			out = append(out, l.id(n))
		}
	}
	return out
}

// unpaged stands for the connection and edge types of an entity listed
// only as plain slices.
type unpaged struct{}

// The lists batched fields are resolved in.
var (
	groupLists = list[ent.Group, ent.GroupEdge, ent.GroupConnection]{
		edges: func(c *ent.GroupConnection) []*ent.GroupEdge { return c.Edges },
		node:  func(e *ent.GroupEdge) *ent.Group { return e.Node },
		id:    func(g *ent.Group) pulid.ID { return g.ID },
	}
	userLists = list[ent.User, ent.UserEdge, ent.UserConnection]{
		edges: func(c *ent.UserConnection) []*ent.UserEdge { return c.Edges },
		node:  func(e *ent.UserEdge) *ent.User { return e.Node },
		id:    func(u *ent.User) pulid.ID { return u.ID },
	}
	// Rosters and the ambassador directory list people by their roles.
	holderLists = list[ent.Role, ent.RoleEdge, ent.RoleConnection]{
		edges: func(c *ent.RoleConnection) []*ent.RoleEdge { return c.Edges },
		node:  func(e *ent.RoleEdge) *ent.Role { return e.Node },
		id:    func(r *ent.Role) pulid.ID { return r.UserID },
	}
	applicationLists = list[ent.Application, ent.ApplicationEdge, ent.ApplicationConnection]{
		edges: func(c *ent.ApplicationConnection) []*ent.ApplicationEdge { return c.Edges },
		node:  func(e *ent.ApplicationEdge) *ent.Application { return e.Node },
		id:    func(a *ent.Application) pulid.ID { return a.ID },
	}
	eventLists = list[ent.Event, ent.EventEdge, ent.EventConnection]{
		edges: func(c *ent.EventConnection) []*ent.EventEdge { return c.Edges },
		node:  func(e *ent.EventEdge) *ent.Event { return e.Node },
		id:    func(e *ent.Event) pulid.ID { return e.ID },
	}
	candidateLists = list[ent.Candidate, unpaged, unpaged]{id: func(c *ent.Candidate) pulid.ID { return c.ID }}
)

// groupsIn lists the groups of a resolved list value, nil for anything else.
func groupsIn(v any) []pulid.ID { return groupLists.ids(v) }

// usersIn lists the people of a resolved list value — users, or the holders
// of roles (rosters, the ambassador directory) — nil for anything else.
func usersIn(v any) []pulid.ID {
	if ids := userLists.ids(v); ids != nil {
		return ids
	}
	return holderLists.ids(v)
}

// applicationsIn lists the applications of a resolved list value (the
// approval queue's pages), nil for anything else.
func applicationsIn(v any) []pulid.ID { return applicationLists.ids(v) }

// eventsIn lists the events of a resolved list value, nil for anything else.
func eventsIn(v any) []pulid.ID { return eventLists.ids(v) }

// candidatesIn lists the candidates of a resolved list value, nil for
// anything else.
func candidatesIn(v any) []pulid.ID { return candidateLists.ids(v) }

// peopleNamedIn lists the people an application's screening (who settled
// each conflict), handover checklist (who did each step) and funding
// report (who filed it) name, for a
// resolved application or list of them; nil for anything else.
func peopleNamedIn(v any) []pulid.ID {
	var apps []*ent.Application
	switch x := v.(type) {
	case *ent.Application:
		apps = []*ent.Application{x}
	case []*ent.Application:
		apps = x
	case *ent.ApplicationConnection:
		if x == nil {
			return nil
		}
		return peopleNamedIn(x.Edges)
	case []*ent.ApplicationEdge:
		for _, e := range x {
			if e != nil {
				apps = append(apps, e.Node)
			}
		}
	default:
		return nil
	}
	out := []pulid.ID{}
	for _, a := range apps {
		if a == nil {
			continue
		}
		for _, c := range a.Screening.Conflicts {
			if c.ResolvedBy != "" {
				out = append(out, pulid.ID(c.ResolvedBy))
			}
		}
		for _, it := range a.Checklist.Items {
			if it.DoneBy != "" {
				out = append(out, pulid.ID(it.DoneBy))
			}
		}
		if a.FundingReport.FiledByID != "" {
			out = append(out, pulid.ID(a.FundingReport.FiledByID))
		}
	}
	return out
}

// person is the user id names as the viewer may see them (nil when they
// may not, or when id is empty), loaded once for every person named in the
// outermost application or list of them the field sits in.
func (r *Resolver) person(ctx context.Context, id pulid.ID) (*ent.User, error) {
	if id == "" {
		return nil, nil
	}
	users, err := batchedOuter(ctx, id, peopleNamedIn, func(ids []pulid.ID) (map[pulid.ID]*ent.User, error) {
		return queue.People(ctx, r.db(ctx), ids)
	})
	return users[id], err
}
