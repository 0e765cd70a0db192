// Package graph holds the GraphQL resolvers. They hold no rules: each maps
// its arguments, calls one function — a workflow step, an authz or policy
// rule, a read of internal/queue, discover or live — and returns what it
// returns, in at most ten lines (resolvers_test.go holds them to it).
package graph

import (
	"context"
	"github.com/usergroups/usergroups/internal/viewer"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/graph/sdl"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/queue"
	"github.com/usergroups/usergroups/internal/workflow"
)

// Resolver is the root resolver; it holds the dependencies resolvers share.
type Resolver struct {
	// wf runs the workflow steps mutations take.
	wf     *workflow.Runner
	client *ent.Client
	// now is the clock deadlines are checked against (time.Now outside tests).
	now func() time.Time
	// live feeds the subscriptions; nil when this server has none.
	live *live.Source
	// zones caches loaded time zones by name.
	zones sync.Map
}

// NewSchema returns the executable schema whose mutations take their steps
// with wf, which also gives the clock deadlines and windows are measured
// with; subscriptions are fed by src (nil: subscriptions answer UNAVAILABLE).
func NewSchema(wf *workflow.Runner, src *live.Source) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Schema:    Published(),
		Resolvers: &Resolver{wf: wf, client: wf.Client(), now: wf.Now, live: src},
	})
}

// Published is the schema the server validates, executes and introspects:
// gqlgen's, less what sdl.Published withholds. Its SDL (sdl.Print) is
// served at /schema.graphql and committed as schema.graphql.
var Published = sync.OnceValue(func() *ast.Schema {
	return sdl.Published(generated.NewExecutableSchema(generated.Config{}).Schema())
})

// nullIfNotFound turns "no such row" into a null result for lookups by a
// natural key, where absence is an answer rather than an error.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

// links converts GraphQL link inputs to stored links.
func links(in []*generated.LinkInput) []schematype.Link {
	out := make([]schematype.Link, 0, len(in))
	for _, l := range in {
		if l != nil {
			out = append(out, schematype.Link{Label: l.Label, URL: l.URL})
		}
	}
	return out
}

// deref is the value p points to, or the zero value for an absent argument.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// rosterCounts counts a group's roles per kind, once for all the groups of
// the list it is resolved in.
func (r *Resolver) rosterCounts(ctx context.Context, groupID pulid.ID, statuses []role.Status) ([]*queue.KindCount, error) {
	counts, err := batched(ctx, groupID, groupsIn, func(ids []pulid.ID) (map[pulid.ID][]queue.KindCount, error) {
		return queue.RosterCounts(ctx, r.db(ctx), ids, statuses)
	})
	return pointers(counts[groupID]), err
}

func pointers[T any](in []T) []*T {
	out := make([]*T, len(in))
	for i := range in {
		out[i] = &in[i]
	}
	return out
}

// db is the one way a resolver reaches the database: the mutation's
// transaction when the field is part of a mutation's payload (so it sees
// the mutation's own writes, and never waits on them), else the shared
// client. Nothing else reads r.client (TestResolversReachTheDatabaseOnce).
func (r *Resolver) db(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return r.client
}

// localTime shows an instant in an event's own zone. Zones are loaded once
// per resolver: time.LoadLocation parses the zone database on every call,
// and event lists ask for two local times per event.
func (r *Resolver) localTime(t time.Time, zone string) string {
	loc, ok := r.zones.Load(zone)
	if !ok {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return t.UTC().Format(time.RFC3339)
		}
		loc, _ = r.zones.LoadOrStore(zone, l)
	}
	return t.In(loc.(*time.Location)).Format(time.RFC3339)
}

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// messageTemplates presents message templates with the variables and
// functions they may use.
func messageTemplates(ts ...workflow.MessageTemplate) []*generated.MessageTemplate {
	out := make([]*generated.MessageTemplate, len(ts))
	for i, t := range ts {
		out[i] = &generated.MessageTemplate{Kind: t.Kind, Language: t.Language, Subject: t.Subject, Body: t.Body,
			Custom: t.Custom, Variables: letters.Variables(t.Kind), Functions: letters.FuncNames, Mandatory: policy.NoticeMandatory(t.Kind)}
	}
	return out
}

// scopeNames are API token scopes as the workflow and the tokens' rows
// spell them (read, events:write): see viewer.ScopeFromName.
func scopeNames(scopes []generated.APITokenScope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = viewer.ScopeFromName(string(s))
	}
	return out
}

// scopeEnums shows stored scopes as the APITokenScope enum.
func scopeEnums(scopes []string) []generated.APITokenScope {
	out := make([]generated.APITokenScope, len(scopes))
	for i, s := range scopes {
		out[i] = generated.APITokenScope(viewer.ScopeName(s))
	}
	return out
}

// stringsOf is the stored values of GraphQL enum values.
func stringsOf[E ~string](values []E) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// upperEnums shows values stored in lower case (a token's scopes, a
// screening's missing information) as the enum E, whose names are theirs in
// upper case.
func upperEnums[E ~string](values []string) []E {
	out := make([]E, len(values))
	for i, v := range values {
		out[i] = E(strings.ToUpper(v))
	}
	return out
}
