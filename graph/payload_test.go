package graph

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// loadSchema parses the schema the server serves.
func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	names, err := filepath.Glob("*.graphqls")
	if err != nil || len(names) == 0 {
		t.Fatalf("schema files: %v %v", names, err)
	}
	var srcs []*ast.Source
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, &ast.Source{Name: n, Input: string(b)})
	}
	s, gerr := gqlparser.LoadSchema(srcs...)
	if gerr != nil {
		t.Fatal(gerr)
	}
	return s
}

// TestMutationPayloads holds every mutation to the contract: one argument,
// input: <Name>Input!, and its own nullable <Name>Payload whose userErrors
// is [UserError!]!, so one refused mutation never nulls a whole response
// and a typed client finds refusals in one place.
func TestMutationPayloads(t *testing.T) {
	s := loadSchema(t)
	for _, f := range s.Mutation.Fields {
		name := strings.ToUpper(f.Name[:1]) + f.Name[1:]
		if len(f.Arguments) != 1 || f.Arguments[0].Name != "input" || f.Arguments[0].Type.String() != name+"Input!" {
			t.Errorf("%s: want the single argument input: %sInput!", f.Name, name)
		}
		if got := f.Type.String(); got != name+"Payload" {
			t.Errorf("%s returns %s, want its own nullable %sPayload", f.Name, got, name)
			continue
		}
		ue := s.Types[name+"Payload"].Fields.ForName("userErrors")
		if ue == nil || ue.Type.String() != "[UserError!]!" {
			t.Errorf("%sPayload: want userErrors: [UserError!]!", name)
		}
	}
}
