package graph

import (
	"context"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
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
	memo, _ := ctx.Value(batchesKey{}).(*batches)
	fc := graphql.GetFieldContext(ctx)
	if memo == nil || fc == nil {
		return load([]pulid.ID{id})
	}
	var path []string
	for p := fc; p != nil; p = p.Parent {
		if p.Index == nil && p.Field.Field != nil {
			path = append(path, p.Field.Alias)
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

// idsOf maps the elements of a resolved list to ids, skipping those id
// rejects (nil edges, edges without a node).
func idsOf[T any](list []T, id func(T) (pulid.ID, bool)) []pulid.ID {
	out := make([]pulid.ID, 0, len(list))
	for _, x := range list {
		if v, ok := id(x); ok {
			out = append(out, v)
		}
	}
	return out
}

// groupsIn lists the groups of a resolved list value, nil for anything else.
func groupsIn(v any) []pulid.ID {
	switch l := v.(type) {
	case *ent.GroupConnection:
		if l != nil {
			return groupsIn(l.Edges)
		}
	case []*ent.GroupEdge:
		return idsOf(l, func(e *ent.GroupEdge) (pulid.ID, bool) {
			if e == nil || e.Node == nil {
				return "", false
			}
			return e.Node.ID, true
		})
	case []*ent.Group:
		return idsOf(l, func(g *ent.Group) (pulid.ID, bool) { return g.ID, true })
	}
	return nil
}

// usersIn lists the people of a resolved list value — users, or the holders
// of roles (rosters, the ambassador directory) — nil for anything else.
func usersIn(v any) []pulid.ID {
	switch l := v.(type) {
	case *ent.UserConnection:
		if l != nil {
			return usersIn(l.Edges)
		}
	case []*ent.UserEdge:
		return idsOf(l, func(e *ent.UserEdge) (pulid.ID, bool) {
			if e == nil || e.Node == nil {
				return "", false
			}
			return e.Node.ID, true
		})
	case []*ent.User:
		return idsOf(l, func(u *ent.User) (pulid.ID, bool) { return u.ID, true })
	case *ent.RoleConnection:
		if l != nil {
			return usersIn(l.Edges)
		}
	case []*ent.RoleEdge:
		return idsOf(l, func(e *ent.RoleEdge) (pulid.ID, bool) {
			if e == nil || e.Node == nil {
				return "", false
			}
			return e.Node.UserID, true
		})
	case []*ent.Role:
		return idsOf(l, func(r *ent.Role) (pulid.ID, bool) { return r.UserID, true })
	}
	return nil
}

// applicationsIn lists the applications of a resolved list value (the
// approval queue's pages), nil for anything else.
func applicationsIn(v any) []pulid.ID {
	switch l := v.(type) {
	case *ent.ApplicationConnection:
		if l != nil {
			return applicationsIn(l.Edges)
		}
	case []*ent.ApplicationEdge:
		return idsOf(l, func(e *ent.ApplicationEdge) (pulid.ID, bool) {
			if e == nil || e.Node == nil {
				return "", false
			}
			return e.Node.ID, true
		})
	case []*ent.Application:
		return idsOf(l, func(a *ent.Application) (pulid.ID, bool) { return a.ID, true })
	}
	return nil
}

// eventsIn lists the events of a resolved list value, nil for anything else.
func eventsIn(v any) []pulid.ID {
	switch l := v.(type) {
	case *ent.EventConnection:
		if l != nil {
			return eventsIn(l.Edges)
		}
	case []*ent.EventEdge:
		return idsOf(l, func(e *ent.EventEdge) (pulid.ID, bool) {
			if e == nil || e.Node == nil {
				return "", false
			}
			return e.Node.ID, true
		})
	case []*ent.Event:
		return idsOf(l, func(e *ent.Event) (pulid.ID, bool) { return e.ID, true })
	}
	return nil
}

// candidatesIn lists the candidates of a resolved list value, nil for
// anything else.
func candidatesIn(v any) []pulid.ID {
	if l, ok := v.([]*ent.Candidate); ok {
		return idsOf(l, func(c *ent.Candidate) (pulid.ID, bool) { return c.ID, true })
	}
	return nil
}
