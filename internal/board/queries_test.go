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
	// document is one graphql`…` constant of queries.js.
	document = regexp.MustCompile("(?s)=\\s*graphql`(.*?)`")
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
	names := map[string]bool{}
	for _, m := range docs {
		q, errs := gqlparser.LoadQueryWithRules(schema, m[1], rules.NewDefaultRules())
		if errs != nil {
			t.Errorf("%s\n%v", strings.TrimSpace(m[1]), errs)
			continue
		}
		for _, op := range q.Operations {
			if op.Name == "" || names[op.Name] {
				t.Errorf("operation %q: every document is one uniquely named operation", op.Name)
			}
			names[op.Name] = true
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
