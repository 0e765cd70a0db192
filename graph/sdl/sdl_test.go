package sdl_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/graph"
	"github.com/usergroups/usergroups/graph/sdl"
)

const small = `
directive @goField(forceResolver: Boolean, name: String) on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @goModel(model: String) on OBJECT | INPUT_OBJECT | SCALAR | ENUM
directive @goTag(key: String!, value: String) on INPUT_FIELD_DEFINITION | FIELD_DEFINITION | ARGUMENT_DEFINITION
"""An object a client can name."""
type Thing @goModel(model: "x.Thing") {
  """Its name."""
  name: String! @goField(name: "Title") @deprecated(reason: "Use title.")
  """Its title."""
  title(
    """The language."""
    lang: Lang @goTag(key: "json", value: "lang")
  ): String
}
"""A language."""
enum Lang @goModel(model: "x.Lang") {
  """English."""
  EN
}
"""A filter."""
input ThingFilter @goModel(model: "x.Filter") {
  """Its name."""
  name: String @goTag(key: "json", value: "name")
}
type Query {
  """The thing."""
  thing(filter: ThingFilter): Thing
}
type Mutation {
  """Changes nothing."""
  nothing: Boolean
}
`

func load(t *testing.T, text string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "test.graphqls", Input: text})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPublishedWithholds: no go* directive, defined or used, and no @defer
// reach the published schema; @deprecated and descriptions do; the schema
// given is not changed.
func TestPublishedWithholds(t *testing.T) {
	s := load(t, small)
	out := string(sdl.Print(sdl.Published(s)))
	for _, bad := range []string{"@go", "directive @defer"} {
		if strings.Contains(out, bad) {
			t.Errorf("published SDL contains %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{`@deprecated(reason: "Use title.")`, "Its title.", "The language.", "type Query {", "enum Lang {", "input ThingFilter {"} {
		if !strings.Contains(out, want) {
			t.Errorf("published SDL lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasPrefix(out, "type Query {") || strings.Index(out, "type Mutation") > strings.Index(out, "enum Lang") {
		t.Errorf("the root types do not come first:\n%s", out)
	}
	if s.Directives["goField"] == nil || s.Directives["defer"] == nil || s.Types["Thing"].Fields.ForName("name").Directives.ForName("goField") == nil {
		t.Error("Published changed the schema it was given")
	}
	p := sdl.Published(s)
	if p.Directives["defer"] != nil || p.Query != p.Types["Query"] || p.PossibleTypes["Thing"][0] != p.Types["Thing"] {
		t.Error("the published schema's definitions are not its own, or @defer is still defined")
	}
}

// TestPrintIsStable: the served schema prints the same bytes every time,
// parses back, and prints again to the same bytes (what the committed
// schema.graphql and its CHANGELOG hash rely on).
func TestPrintIsStable(t *testing.T) {
	first := sdl.Print(graph.Published())
	for range 3 {
		if again := sdl.Print(graph.Published()); !bytes.Equal(first, again) {
			t.Fatal("two prints of the same schema differ")
		}
	}
	if bytes.Contains(first, []byte("@go")) || bytes.Contains(first, []byte("@defer")) {
		t.Error("the published SDL mentions a go* directive or @defer")
	}
	back := load(t, string(first))
	if again := sdl.Print(sdl.Published(back)); !bytes.Equal(first, again) {
		t.Error("the published SDL does not print back to itself once parsed")
	}
	if len(back.Types) != len(graph.Published().Types) {
		t.Errorf("parsed back, %d types; served, %d", len(back.Types), len(graph.Published().Types))
	}
}
