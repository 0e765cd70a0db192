package main

import (
	"bytes"
	"testing"

	"github.com/usergroups/usergroups/graph"
	"github.com/usergroups/usergroups/graph/sdl"
)

// TestFromSourcesMatchesCompiled: printing graph/*.graphqls (what
// `make schema-diff` does for a commit without schema.graphql) gives the
// bytes the compiled schema gives, so an old schema is compared alike.
func TestFromSourcesMatchesCompiled(t *testing.T) {
	s, err := load("../../../graph")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sdl.Print(s), sdl.Print(graph.Published())) {
		t.Error("the SDL printed from graph/*.graphqls differs from the compiled schema's")
	}
	if _, err := load(t.TempDir()); err == nil {
		t.Error("an empty folder loaded")
	}
}
