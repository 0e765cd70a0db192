// Package sdl makes the schema clients see out of the schema gqlgen
// compiles: Published drops what is ours alone (gqlgen's code-generation
// directives) and what the server does not do (@defer), and Print writes
// the result as SDL, the same bytes for the same schema every time. The
// server executes and introspects the published schema, serves its SDL at
// /schema.graphql, and the repository commits it as schema.graphql.
package sdl

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// Withheld are the directives the published schema leaves out. gqlgen's
// go* directives steer Go code generation and mean nothing to a client.
// @defer is in gqlparser's prelude, and gqlgen would run it, but none of
// our transports delivers the deferred parts (over HTTP they were dropped
// without a word): a document using it is refused as an unknown directive,
// and introspection does not offer it.
var Withheld = []string{"goExtraField", "goField", "goEnum", "goModel", "goTag", "defer"}

func withheld(name string) bool { return slices.Contains(Withheld, name) }

// Published returns a copy of s without the Withheld directives: neither
// their definitions nor their uses on types, fields, arguments, input
// fields and enum values. s itself is not changed (gqlgen shares it).
func Published(s *ast.Schema) *ast.Schema {
	out := *s
	out.Directives = make(map[string]*ast.DirectiveDefinition, len(s.Directives))
	for name, d := range s.Directives {
		if !withheld(name) {
			out.Directives[name] = d
		}
	}
	out.SchemaDirectives = directives(s.SchemaDirectives)
	out.Types = make(map[string]*ast.Definition, len(s.Types))
	for name, def := range s.Types {
		out.Types[name] = definition(def)
	}
	// Every pointer to a definition must point into the copy: the
	// validator and introspection follow them.
	same := func(d *ast.Definition) *ast.Definition {
		if d == nil {
			return nil
		}
		return out.Types[d.Name]
	}
	out.Query, out.Mutation, out.Subscription = same(s.Query), same(s.Mutation), same(s.Subscription)
	remap := func(m map[string][]*ast.Definition) map[string][]*ast.Definition {
		r := make(map[string][]*ast.Definition, len(m))
		for name, defs := range m {
			for _, d := range defs {
				r[name] = append(r[name], same(d))
			}
		}
		return r
	}
	out.PossibleTypes, out.Implements = remap(s.PossibleTypes), remap(s.Implements)
	return &out
}

// definition copies a type without the withheld directives.
func definition(def *ast.Definition) *ast.Definition {
	d := *def
	d.Directives = directives(def.Directives)
	d.Fields = make(ast.FieldList, len(def.Fields))
	for i, f := range def.Fields {
		fc := *f
		fc.Directives = directives(f.Directives)
		fc.Arguments = make(ast.ArgumentDefinitionList, len(f.Arguments))
		for j, a := range f.Arguments {
			ac := *a
			ac.Directives = directives(a.Directives)
			fc.Arguments[j] = &ac
		}
		d.Fields[i] = &fc
	}
	d.EnumValues = make(ast.EnumValueList, len(def.EnumValues))
	for i, v := range def.EnumValues {
		vc := *v
		vc.Directives = directives(v.Directives)
		d.EnumValues[i] = &vc
	}
	return &d
}

// directives filters a list of directive uses.
func directives(list ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range list {
		if !withheld(d.Name) {
			out = append(out, d)
		}
	}
	return out
}

// Print writes s as SDL without the built-in scalars, directives and
// introspection types: the directive definitions by name, then Query,
// Mutation and Subscription, then every other type by name, a blank line
// between two definitions, fields and values in their source order. The
// output depends on s alone.
func Print(s *ast.Schema) []byte {
	var buf bytes.Buffer
	write := func(doc *ast.SchemaDocument) {
		if buf.Len() > 0 {
			buf.WriteByte('\n')
		}
		formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatSchemaDocument(doc)
	}
	// Root types named otherwise than Query, Mutation and Subscription
	// need a schema definition saying which they are.
	schema := &ast.SchemaDefinition{}
	usual := true
	var roots []string
	for _, r := range []struct {
		def   *ast.Definition
		op    ast.Operation
		usual string
	}{{s.Query, ast.Query, "Query"}, {s.Mutation, ast.Mutation, "Mutation"}, {s.Subscription, ast.Subscription, "Subscription"}} {
		if r.def != nil {
			roots = append(roots, r.def.Name)
			schema.OperationTypes = append(schema.OperationTypes, &ast.OperationTypeDefinition{Operation: r.op, Type: r.def.Name})
			usual = usual && r.def.Name == r.usual
		}
	}
	if !usual {
		write(&ast.SchemaDocument{Schema: ast.SchemaDefinitionList{schema}})
	}
	var names []string
	for name, d := range s.Directives {
		if !builtin(d.Position) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		write(&ast.SchemaDocument{Directives: ast.DirectiveDefinitionList{s.Directives[name]}})
	}
	names = names[:0]
	for name, def := range s.Types {
		if !def.BuiltIn && !strings.HasPrefix(name, "__") && !slices.Contains(roots, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range append(roots, names...) {
		write(&ast.SchemaDocument{Definitions: ast.DefinitionList{s.Types[name]}})
	}
	return buf.Bytes()
}

// builtin reports whether a definition comes from gqlparser's prelude.
func builtin(p *ast.Position) bool { return p != nil && p.Src != nil && p.Src.BuiltIn }
