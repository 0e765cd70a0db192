//go:build ignore

// Code generation for ent and the entgql GraphQL schema. Run from the module
// root through generate.go (`go generate .`), never from this directory: the
// paths below are relative to the root.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"log"
	"os"
	"slices"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	entschema "entgo.io/ent/schema"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("./graph/ent.graphqls"),
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithSchemaHook(
			describeConnectionEdges, dropPrivateEdgeFilters, shapeConnections,
			describeTypes, describeOrderFields, describeWhereInputs, describeScalars,
		),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	templates := append(entgql.AllTemplates,
		gen.MustParse(gen.NewTemplate("pulid").ParseFiles("./ent/schema/pulid/template/pulid.tmpl")),
		gen.MustParse(gen.NewTemplate("gql_nodes").Funcs(entgql.TemplateFuncs).ParseFiles("./ent/template/nodes.tmpl")),
		gen.MustParse(gen.NewTemplate("joinload").ParseFiles("./ent/template/joinload.tmpl")),
	)
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
	if err := followNodes("./ent/gql_pagination.go"); err != nil {
		log.Fatalf("patching field collection: %v", err)
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
			if f := def.Fields.ForName(camel(e.Name)); f != nil && f.Description == "" {
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

// shapeConnections gives every connection the shape typed clients want:
// non-null `edges: [XEdge!]!` and `node: X!` (a page never holds a null
// edge or node: rows the viewer may not read are filtered out before the
// page is cut), and the `nodes: [X!]!` shortcut for `edges { node }`,
// bound to the Nodes method of ent/template/nodes.tmpl.
func shapeConnections(g *gen.Graph, s *ast.Schema) error {
	for _, def := range s.Types {
		edges := def.Fields.ForName("edges")
		if def.Kind != ast.Object || !strings.HasSuffix(def.Name, "Connection") || edges == nil {
			continue
		}
		edge := s.Types[edges.Type.Name()]
		node := edge.Fields.ForName("node")
		if node == nil {
			return fmt.Errorf("%s has no node field", edge.Name)
		}
		node.Type = ast.NonNullNamedType(node.Type.Name(), nil)
		edges.Type = ast.NonNullListType(ast.NonNullNamedType(edge.Name, nil), nil)
		edges.Description = "The page's edges: each node with its cursor."
		if def.Fields.ForName("nodes") != nil {
			continue
		}
		nodes := &ast.FieldDefinition{
			Name:        "nodes",
			Description: "The page's nodes, in the order of `edges`: a shortcut for `edges { node }` when no cursor is needed.",
			Type:        ast.NonNullListType(ast.NonNullNamedType(node.Type.Name(), nil), nil),
		}
		at := slices.Index(def.Fields, edges) + 1
		def.Fields = slices.Insert(def.Fields, at, nodes)
	}
	return nil
}

// describeTypes carries the ent schema's own documentation into the SDL,
// where entgql leaves it out: each entity's schema.Comment becomes its
// type's description, an enum field's comment its enum's, and the
// ValueDocs annotation (ent/schema/annotations.go) describes each enum
// value. The root Query type is described here as entgql declares it.
func describeTypes(g *gen.Graph, s *ast.Schema) error {
	pascal := gen.Funcs["pascal"].(func(string) string)
	for _, n := range g.Nodes {
		def := s.Types[n.Name]
		if def == nil {
			continue
		}
		if c := typeComment(n); c != "" {
			def.Description = c
		}
		for _, f := range n.Fields {
			if !f.IsEnum() {
				continue
			}
			enum := s.Types[n.Name+pascal(f.Name)]
			if enum == nil || enum.Kind != ast.Enum {
				continue
			}
			if f.Comment() != "" {
				enum.Description = f.Comment()
			}
			docs, err := valueDocs(f)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", n.Name, f.Name, err)
			}
			for _, v := range enum.EnumValues {
				if docs[v.Name] == "" {
					return fmt.Errorf("%s.%s: value %s has no description in its ValueDocs annotation", n.Name, f.Name, v.Name)
				}
				v.Description = docs[v.Name]
			}
		}
	}
	if q := s.Types["Query"]; q != nil {
		q.Description = "The root of every read. Lists are Relay connections; a row the viewer may not see is left out, never an error."
	}
	return nil
}

// typeComment returns the text of a type's schema.Comment annotation.
func typeComment(n *gen.Type) string {
	var c entschema.CommentAnnotation
	v, ok := n.Annotations[c.Name()]
	if !ok {
		return ""
	}
	if b, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(b, &c)
	}
	return c.Text
}

// valueDocs returns the descriptions of an enum field's values, from its
// ValueDocs annotation; an enum without one is an error, so that no value
// reaches the API undocumented.
func valueDocs(f *gen.Field) (map[string]string, error) {
	v, ok := f.Annotations["ValueDocs"]
	if !ok {
		return nil, fmt.Errorf("enum field has no ValueDocs annotation describing its values")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var docs map[string]string
	return docs, json.Unmarshal(b, &docs)
}

// describeOrderFields describes the values of every <T>OrderField enum by
// the field (or edge count) they order by.
func describeOrderFields(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		def := s.Types[n.Name+"OrderField"]
		if def == nil {
			continue
		}
		fields := map[string]string{}
		for _, f := range append([]*gen.Field{n.ID}, n.Fields...) {
			if f == nil {
				continue
			}
			ant := &entgql.Annotation{}
			if err := ant.Decode(f.Annotations[ant.Name()]); err == nil && ant.OrderField != "" {
				fields[ant.OrderField] = camel(f.Name)
			}
		}
		for _, v := range def.EnumValues {
			if name, ok := fields[v.Name]; ok {
				v.Description = fmt.Sprintf("Order by `%s`.", name)
			} else {
				v.Description = fmt.Sprintf("Order by %s.", strings.ToLower(strings.ReplaceAll(v.Name, "_", " ")))
			}
		}
	}
	return nil
}

// opDocs describes each where-input predicate; %s is the field's name.
var opDocs = map[string]string{
	"EQ":           "`%s` equals the value.",
	"NEQ":          "`%s` differs from the value.",
	"In":           "`%s` is one of the values.",
	"NotIn":        "`%s` is none of the values.",
	"GT":           "`%s` is greater (later) than the value.",
	"GTE":          "`%s` is greater (later) than or equal to the value.",
	"LT":           "`%s` is less (earlier) than the value.",
	"LTE":          "`%s` is less (earlier) than or equal to the value.",
	"IsNil":        "`%s` is not set.",
	"NotNil":       "`%s` is set.",
	"Contains":     "`%s` contains the value, case-sensitive.",
	"HasPrefix":    "`%s` starts with the value, case-sensitive.",
	"HasSuffix":    "`%s` ends with the value, case-sensitive.",
	"EqualFold":    "`%s` equals the value, ignoring case.",
	"ContainsFold": "`%s` contains the value, ignoring case.",
}

// describeWhereInputs gives every field of the generated where inputs a
// description built from the predicate it stands for; entgql describes
// only the first predicate of each field, and not the combinators.
func describeWhereInputs(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		def := s.Types[n.Name+"WhereInput"]
		if def == nil {
			continue
		}
		docs := map[string]string{
			"not": "Matches the objects the given filter does not match.",
			"and": "Matches the objects every given filter matches.",
			"or":  "Matches the objects at least one given filter matches.",
		}
		for _, f := range append([]*gen.Field{n.ID}, n.Fields...) {
			if f == nil {
				continue
			}
			for _, op := range f.Ops() {
				name := camel(f.Name + "_" + op.Name())
				if op == gen.EQ {
					name = camel(f.Name)
				}
				if d, ok := opDocs[op.Name()]; ok {
					docs[name] = fmt.Sprintf(d, camel(f.Name))
				}
			}
		}
		for _, e := range n.Edges {
			docs[camel("has_"+e.Name)] = fmt.Sprintf("Whether `%s` leads to at least one object.", camel(e.Name))
			docs[camel("has_"+e.Name+"_with")] = fmt.Sprintf("`%s` leads to at least one object that one of the given filters matches.", camel(e.Name))
		}
		for _, f := range def.Fields {
			d, ok := docs[f.Name]
			if !ok {
				return fmt.Errorf("%s.%s: no description for this predicate", def.Name, f.Name)
			}
			f.Description = d
		}
	}
	return nil
}

// describeScalars says what each custom scalar's values look like, with
// @specifiedBy where a specification exists, so that clients can map them
// to their own types.
func describeScalars(g *gen.Graph, s *ast.Schema) error {
	if t := s.Types["Time"]; t != nil {
		t.Description = "A point in time: an RFC 3339 date-time string with its offset, e.g. `2026-12-03T11:00:00Z`, with fractional seconds when the value has them. For older clients an input may also omit the offset (`2026-12-03 11:00:00`, read as UTC)."
		t.Directives = ast.DirectiveList{specifiedBy("https://scalars.graphql.org/andimarek/date-time")}
	}
	if t := s.Types["Cursor"]; t != nil {
		t.Description = "An opaque position in a connection, as a string: pass a page's `endCursor` as `after` (or `startCursor` as `before`) to get the next page. Do not build or parse one; its form may change."
		t.Directives = nil
	}
	return nil
}

// specifiedBy returns the @specifiedBy directive naming a scalar's
// specification.
func specifiedBy(url string) *ast.Directive {
	return &ast.Directive{
		Name:      "specifiedBy",
		Arguments: ast.ArgumentList{{Name: "url", Value: &ast.Value{Kind: ast.StringValue, Raw: url}}},
	}
}

// camel is ent's camel-case function, as entgql names fields with it.
var camel = gen.Funcs["camel"].(func(string) string)

// collectedFieldFrom is entgql v0.7.0's collectedField; collectedFieldTo
// replaces it with one that reads the `nodes` shortcut as `edges { node }`.
// entgql uses this one function to decide whether a page is loaded
// (hasCollectedField(ctx, "edges")), which nested edges are eager loaded
// (collectedField(ctx, ..., "edges", "node")) and where their arguments are
// (fieldArgs), so one change covers pagination, eager loading and nested
// arguments. When a client selects both edges and nodes, their selections
// are merged, as both list the same nodes.
const (
	collectedFieldFrom = `func collectedField(ctx context.Context, path ...string) *graphql.CollectedField {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	field := fc.Field
	oc := graphql.GetOperationContext(ctx)
walk:
	for _, name := range path {
		for _, f := range graphql.CollectFields(oc, field.Selections, nil) {
			if f.Alias == name {
				field = f
				continue walk
			}
		}
		return nil
	}
	return &field
}
`
	collectedFieldTo = `// nodesField is the connections' shortcut for edges { node } (ent/entc.go).
const nodesField = "nodes"

// collectedField returns the field selected at path below the current one,
// matched by name (not alias), selections of one field under several
// aliases merged. A connection's nodes field counts as its edges { node }
// (ent/entc.go).
func collectedField(ctx context.Context, path ...string) *graphql.CollectedField {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	field := fc.Field
	oc := graphql.GetOperationContext(ctx)
	for i := 0; i < len(path); i++ {
		fields := graphql.CollectFields(oc, field.Selections, nil)
		// Fields are matched by name, whatever their alias: an aliased
		// edges or totalCount is still what the page must load.
		var same, nodes []graphql.CollectedField
		for _, f := range fields {
			switch {
			case f.Name == path[i]:
				same = append(same, f)
			case path[i] == edgesField && f.Name == nodesField:
				nodes = append(nodes, f)
			}
		}
		switch {
		case len(same) == 0 && len(nodes) == 0:
			return nil
		case len(nodes) > 0 && i+1 < len(path) && path[i+1] == nodeField:
			// edges { node { … } } and nodes { … } select the same rows.
			merged := graphql.CollectedField{Field: nodes[0].Field}
			for _, e := range same {
				for _, f := range graphql.CollectFields(oc, e.Selections, nil) {
					if f.Name == nodeField {
						merged.Selections = append(merged.Selections, f.Selections...)
					}
				}
			}
			for _, n := range nodes {
				merged.Selections = append(merged.Selections, n.Selections...)
			}
			field = merged
			i++
		default:
			// Several selections of one field (aliases) read one page:
			// load what any of them asks for.
			all := append(same, nodes...)
			field = all[0]
			for _, f := range all[1:] {
				n := len(field.Selections)
				field.Selections = append(field.Selections[:n:n], f.Selections...)
			}
		}
	}
	return &field
}
`
)

// followNodes patches the generated field collection (see
// collectedFieldFrom). It fails when entgql's code is not found, so that an
// upgrade is noticed rather than silently unpatched.
func followNodes(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if bytes.Contains(src, []byte(collectedFieldTo)) {
		return nil
	}
	if bytes.Count(src, []byte(collectedFieldFrom)) != 1 {
		return fmt.Errorf("%s: entgql's collectedField not found; update ent/entc.go for the new entgql", path)
	}
	src = bytes.Replace(src, []byte(collectedFieldFrom), []byte(collectedFieldTo), 1)
	out, err := format.Source(src)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
