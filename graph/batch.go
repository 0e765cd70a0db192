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

// groupsIn lists the groups of a resolved list value, nil for anything else.
func groupsIn(v any) []pulid.ID {
	switch l := v.(type) {
	case *ent.GroupConnection:
		if l != nil {
			return groupsIn(l.Edges)
		}
	case []*ent.GroupEdge:
		out := make([]pulid.ID, 0, len(l))
		for _, e := range l {
			if e != nil && e.Node != nil {
				out = append(out, e.Node.ID)
			}
		}
		return out
	case []*ent.Group:
		out := make([]pulid.ID, 0, len(l))
		for _, g := range l {
			out = append(out, g.ID)
		}
		return out
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
		out := make([]pulid.ID, 0, len(l))
		for _, e := range l {
			if e != nil && e.Node != nil {
				out = append(out, e.Node.ID)
			}
		}
		return out
	case []*ent.User:
		out := make([]pulid.ID, 0, len(l))
		for _, u := range l {
			out = append(out, u.ID)
		}
		return out
	case *ent.RoleConnection:
		if l != nil {
			return usersIn(l.Edges)
		}
	case []*ent.RoleEdge:
		out := make([]pulid.ID, 0, len(l))
		for _, e := range l {
			if e != nil && e.Node != nil {
				out = append(out, e.Node.UserID)
			}
		}
		return out
	case []*ent.Role:
		out := make([]pulid.ID, 0, len(l))
		for _, r := range l {
			out = append(out, r.UserID)
		}
		return out
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
		out := make([]pulid.ID, 0, len(l))
		for _, e := range l {
			if e != nil && e.Node != nil {
				out = append(out, e.Node.ID)
			}
		}
		return out
	case []*ent.Application:
		out := make([]pulid.ID, 0, len(l))
		for _, a := range l {
			out = append(out, a.ID)
		}
		return out
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
		out := make([]pulid.ID, 0, len(l))
		for _, e := range l {
			if e != nil && e.Node != nil {
				out = append(out, e.Node.ID)
			}
		}
		return out
	case []*ent.Event:
		out := make([]pulid.ID, 0, len(l))
		for _, e := range l {
			out = append(out, e.ID)
		}
		return out
	}
	return nil
}
