// Package graph holds the GraphQL resolvers. They stay thin: translate
// arguments, call ent or an internal/ workflow, return.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/graph/generated"
)

// Resolver is the root resolver; it holds the dependencies resolvers share.
type Resolver struct {
	client *ent.Client
}

// NewSchema returns the executable schema over the given ent client.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers: &Resolver{client: client},
	})
}

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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
