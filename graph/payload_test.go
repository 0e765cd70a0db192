package graph

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// notYetPayloads are the mutations still answering with the old shared
// payloads while the contract of CHANGELOG.md is applied; remove a name
// when its mutation gets its own payload. The list only shrinks.
var notYetPayloads = map[string]bool{
	"applyForGroup":             true,
	"supportGroupApplication":   true,
	"commentOnApplication":      true,
	"requestApplicationInfo":    true,
	"updateApplicationProposal": true,
	"assignApplicationReviewer": true,
	"assignGroupMentor":         true,
	"resolveConflict":           true,
	"rejectApplication":         true,
	"withdrawApplication":       true,
	"approveApplication":        true,
	"objectToApplication":       true,
	"endorseApplication":        true,
	"resolveObjection":          true,
	"applyForOfficialStatus":    true,
	"completeHandoverStep":      true,
	"applyToBeAmbassador":       true,
	"applyToOrganize":           true,
	"createEvent":               true,
	"updateEvent":               true,
	"publishEvent":              true,
	"cancelEvent":               true,
	"completeEvent":             true,
	"addAgendaItem":             true,
	"removeAgendaItem":          true,
	"addSponsor":                true,
	"removeSponsor":             true,
	"registerForEvent":          true,
	"cancelRegistration":        true,
	"checkIn":                   true,
	"exportEventAttendees":      true,
}

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
		if notYetPayloads[f.Name] {
			continue
		}
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
	for n := range notYetPayloads {
		if s.Mutation.Fields.ForName(n) == nil {
			t.Errorf("notYetPayloads names %s, which is not a mutation: remove it", n)
		}
	}
}
