// Command sdl prints the published GraphQL schema (graph/sdl): the SDL the
// server serves at /schema.graphql. generate.go runs it last to write
// schema.graphql at the repository root:
//
//	go run ./internal/tools/sdl -o schema.graphql
//
// With -from it prints the schema of a folder of .graphqls files instead of
// the compiled one, for a commit from before schema.graphql was committed
// (`make schema-diff BASE=86579f8` checks such a commit's graph/ out):
//
//	go run ./internal/tools/sdl -from /tmp/old/graph -o /tmp/old.graphql
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/graph"
	"github.com/usergroups/usergroups/graph/sdl"
)

func main() {
	from := flag.String("from", "", "print the schema of the `folder`'s *.graphqls files rather than the compiled one")
	out := flag.String("o", "", "write to `file` rather than standard output")
	flag.Parse()
	if err := run(*from, *out); err != nil {
		fmt.Fprintln(os.Stderr, "sdl:", err)
		os.Exit(1)
	}
}

func run(from, out string) error {
	schema := graph.Published()
	if from != "" {
		var err error
		if schema, err = load(from); err != nil {
			return err
		}
	}
	text := sdl.Print(schema)
	if out == "" {
		_, err := os.Stdout.Write(text)
		return err
	}
	// Written aside and renamed, so that a failed run leaves the old
	// file rather than half of a new one.
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, text, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// load reads dir/*.graphqls as gqlgen does and withholds what the server
// withholds, so that an old schema and today's are compared alike.
func load(dir string) (*ast.Schema, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.graphqls"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.graphqls files in %s", dir)
	}
	sort.Strings(files)
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sources = append(sources, &ast.Source{Name: filepath.Base(f), Input: string(b)})
	}
	s, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return sdl.Published(s), nil
}
