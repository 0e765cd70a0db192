package letters

import (
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent/schematype"
)

// TestDefaultsRender: every default renders against the sample data, so a
// community that never edits its letters can always send them.
func TestDefaultsRender(t *testing.T) {
	for _, k := range Kinds() {
		l, err := Render(nil, k, "en", sample)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if !strings.Contains(l.Body, sample.Group) || !strings.Contains(l.Body, sample.LogoURL) || strings.Contains(l.Body, "\n\n\n") {
			t.Errorf("%s renders badly:\n%s", k, l.Body)
		}
		t.Logf("%s\nSubject: %s\n\n%s", k, l.Subject, l.Body)
	}
}

// TestSetRefusesWhatDoesNotRender: a template is checked before it is stored.
func TestSetRefusesWhatDoesNotRender(t *testing.T) {
	for _, tc := range []struct{ subject, body, field string }{
		{"{{.Group}}", "{{.Missing}}", "body"},
		{"{{.Group", "x", "subject"},
		{"a\n{{.Group}}", "x", "subject"},
		{"x", "{{range .Group}}{{end}}", "body"},
	} {
		_, err := Set(nil, schematype.MessageTemplate{Kind: KindOfficialRecognition, Language: "en", Subject: tc.subject, Body: tc.body})
		if fe, ok := err.(*FieldError); !ok || fe.Field != tc.field {
			t.Errorf("%q/%q: %v, want a refusal of %s", tc.subject, tc.body, err, tc.field)
		}
	}
}
