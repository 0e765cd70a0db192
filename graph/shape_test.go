package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// TestConnectionShape holds every connection, generated or hand-written, to
// the shape typed clients rely on: `edges: [XEdge!]!` with `node: X!`, and
// the `nodes: [X!]!` shortcut, so a client needs no null check at any
// level of a page.
func TestConnectionShape(t *testing.T) {
	s := loadSchema(t)
	var seen int
	for _, def := range s.Types {
		if def.Kind != ast.Object || !strings.HasSuffix(def.Name, "Connection") {
			continue
		}
		seen++
		edges := def.Fields.ForName("edges")
		if edges == nil {
			t.Errorf("%s has no edges", def.Name)
			continue
		}
		if !edges.Type.NonNull || edges.Type.Elem == nil || !edges.Type.Elem.NonNull {
			t.Errorf("%s.edges is %s, want [%s!]!", def.Name, edges.Type, edges.Type.Name())
		}
		edge := s.Types[edges.Type.Name()]
		node := edge.Fields.ForName("node")
		if node == nil || !node.Type.NonNull || node.Type.Elem != nil {
			t.Errorf("%s.node must be a non-null object", edge.Name)
			continue
		}
		nodes := def.Fields.ForName("nodes")
		want := "[" + node.Type.Name() + "!]!"
		if nodes == nil || nodes.Type.String() != want {
			t.Errorf("%s.nodes must be %s", def.Name, want)
		}
		if def.Fields.ForName("pageInfo") == nil {
			t.Errorf("%s has no pageInfo", def.Name)
		}
	}
	if seen < 15 {
		t.Fatalf("only %d connection types found: is the schema loaded?", seen)
	}
}

// TestScalarsDescribed: a custom scalar says what its values look like, and
// Time names its specification, so code generators can map it.
func TestScalarsDescribed(t *testing.T) {
	s := loadSchema(t)
	for _, def := range s.Types {
		if def.Kind != ast.Scalar || def.BuiltIn {
			continue
		}
		if def.Description == "" {
			t.Errorf("scalar %s has no description", def.Name)
		}
	}
	if d := s.Types["Time"].Directives.ForName("specifiedBy"); d == nil || d.Arguments.ForName("url") == nil {
		t.Error("Time has no @specifiedBy(url:)")
	}
}

// TestGeneratedSchemaDescribed: everything entgql generates carries a
// description (ent/entc.go's schema hooks fill what entgql leaves empty),
// so the published schema documents the entities, their enums and filters.
func TestGeneratedSchemaDescribed(t *testing.T) {
	s := loadSchema(t)
	for _, def := range s.Types {
		if def.BuiltIn || def.Position == nil || def.Position.Src.Name != "ent.graphqls" {
			continue
		}
		if def.Description == "" {
			t.Errorf("type %s has no description", def.Name)
		}
		for _, f := range def.Fields {
			if f.Position == nil || f.Position.Src.Name != "ent.graphqls" {
				continue // hand-written: the schema linter's business
			}
			if f.Description == "" {
				t.Errorf("%s.%s has no description", def.Name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					t.Errorf("%s.%s(%s) has no description", def.Name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				t.Errorf("%s.%s has no description", def.Name, v.Name)
			}
		}
	}
}
