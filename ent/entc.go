//go:build ignore

// Code generation for ent and the entgql GraphQL schema. Run from the module
// root through generate.go (`go generate .`), never from this directory: the
// paths below are relative to the root.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("./graph/ent.graphqls"),
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithSchemaHook(describeConnectionEdges),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	templates := append(entgql.AllTemplates, gen.MustParse(
		gen.NewTemplate("pulid").ParseFiles("./ent/schema/pulid/template/pulid.tmpl"),
	))
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:    "./ent",
		Package:   "github.com/usergroups/usergroups/ent",
		Templates: templates,
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureIntercept,
			gen.FeatureLock,
			gen.FeatureUpsert,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
			gen.FeatureNamedEdges,
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// describeConnectionEdges copies each edge's schema comment to its GraphQL
// field: entgql drops it when the edge is a Relay connection, and the
// descriptions are the API documentation.
func describeConnectionEdges(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		def := s.Types[n.Name]
		if def == nil {
			continue
		}
		for _, e := range n.Edges {
			if e.Comment() == "" {
				continue
			}
			if f := def.Fields.ForName(gen.Funcs["camel"].(func(string) string)(e.Name)); f != nil && f.Description == "" {
				f.Description = e.Comment()
			}
		}
	}
	return nil
}
