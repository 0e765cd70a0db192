package board_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

var (
	// document is one graphql`…` constant of queries.js, with its name.
	document = regexp.MustCompile("(?s)const (\\w+) = graphql`(.*?)`")
	// insertion is a ${NAME} inside a document: another constant, whole.
	insertion = regexp.MustCompile(`\$\{(\w+)\}`)
	// operation spots a GraphQL operation written anywhere else.
	operation = regexp.MustCompile(`\b(query|mutation|subscription)\s+[A-Z]\w*\s*[({]`)
)

// TestDocumentsAgainstThePublishedSchema: the board sends only documents
// from queries.js, and each is a named operation valid against
// schema.graphql, the schema any third party builds against. Nothing the
// board does is private to it.
func TestDocumentsAgainstThePublishedSchema(t *testing.T) {
	sdl, err := os.ReadFile("../../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(sdl)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	src, err := os.ReadFile("web/src/queries.js")
	if err != nil {
		t.Fatal(err)
	}
	docs := document.FindAllStringSubmatch(string(src), -1)
	if len(docs) == 0 {
		t.Fatal("queries.js holds no document")
	}
	constants := map[string]string{}
	for _, m := range docs {
		constants[m[1]] = m[2]
	}
	inserted := map[string]bool{}
	var expand func(string, int) string
	expand = func(doc string, depth int) string {
		return insertion.ReplaceAllStringFunc(doc, func(ref string) string {
			name := insertion.FindStringSubmatch(ref)[1]
			inner, ok := constants[name]
			if !ok || depth > 5 {
				t.Errorf("${%s}: no such document in queries.js", name)
				return ""
			}
			inserted[name] = true
			return expand(inner, depth+1)
		})
	}
	names := map[string]bool{}
	for _, m := range docs {
		if strings.HasPrefix(strings.TrimSpace(m[2]), "fragment ") {
			continue // validated where it is inserted
		}
		text := expand(m[2], 0)
		q, errs := gqlparser.LoadQueryWithRules(schema, text, rules.NewDefaultRules())
		if errs != nil {
			t.Errorf("%s\n%v", strings.TrimSpace(text), errs)
			continue
		}
		for _, op := range q.Operations {
			if op.Name == "" || names[op.Name] {
				t.Errorf("operation %q: every document is one uniquely named operation", op.Name)
			}
			names[op.Name] = true
		}
	}
	for name, doc := range constants {
		if strings.HasPrefix(strings.TrimSpace(doc), "fragment ") && !inserted[name] {
			t.Errorf("the fragment %s is inserted in no operation", name)
		}
	}
	err = filepath.WalkDir("web/src", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") || strings.HasSuffix(path, "queries.js") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := operation.FindIndex(b); loc != nil {
			t.Errorf("%s: a GraphQL operation outside queries.js: %q", path, b[loc[0]:loc[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
