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
		entgql.WithSchemaHook(describeConnectionEdges, dropPrivateEdgeFilters),
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

// privateTypes are the entities whose rows privacy rules filter per viewer
// (internal/authz). A where-input predicate that follows an edge to one of
// them ("events that have a registration with …") is a join the rules do
// not see: an oracle for rows the viewer may not read. Those predicates are
// left out of the schema; filters on the rows themselves stay.
var privateTypes = map[string]bool{
	"AgendaItem": true, "APIToken": true, "Application": true, "Contact": true, "Event": true,
	"Registration": true, "Report": true, "Review": true, "Role": true, "ShippingAddress": true,
	"Sponsor": true, "Submission": true, "Invite": true, "Voter": true,
}

// dropPrivateEdgeFilters removes has<Edge> and has<Edge>With from every
// where input when the edge leads to a private type.
func dropPrivateEdgeFilters(g *gen.Graph, s *ast.Schema) error {
	camel := gen.Funcs["camel"].(func(string) string)
	pascal := gen.Funcs["pascal"].(func(string) string)
	for _, n := range g.Nodes {
		def := s.Types[n.Name+"WhereInput"]
		if def == nil {
			continue
		}
		for _, e := range n.Edges {
			if !privateTypes[e.Type.Name] {
				continue
			}
			drop := map[string]bool{"has" + pascal(camel(e.Name)): true, "has" + pascal(camel(e.Name)) + "With": true}
			kept := def.Fields[:0]
			for _, f := range def.Fields {
				if !drop[f.Name] {
					kept = append(kept, f)
				}
			}
			def.Fields = kept
		}
	}
	return nil
}
