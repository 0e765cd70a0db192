package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/generated.golden from testdata/generated.input")

// testdata/generated.input is gqlgen v0.17.95's output for our schema,
// trimmed to one function or marshaller of each shape: the root Query
// (node only), the Role object (id, kind and user), field functions that
// read a struct field into a scalar, an enum, a nullable generic cursor, an
// object, a list of objects and a list of scalars, one ent edge method and
// one resolver, and every marshaller those call.
func readInput(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/generated.input")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestGolden rewrites the trimmed gqlgen output and compares it byte for
// byte with testdata/generated.golden (go test -update rewrites it).
func TestGolden(t *testing.T) {
	out, n, err := Rewrite(readInput(t))
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{Slice: 1, Deferred: 2, Direct: 3, Field: 1, Root: 1}
	if n.String() != want.String() {
		t.Errorf("rewrote %s, want %s", n, want)
	}
	if *update {
		if err := os.WriteFile("testdata/generated.golden", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile("testdata/generated.golden")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, golden) {
		t.Errorf("rewritten source differs from testdata/generated.golden (go test -update rewrites it):\n%s", out)
	}
	// The fields kept on gqlgen's path: an object, lists, a method, a resolver.
	for _, kept := range []string{"return obj.Node, nil", "return obj.Edges, nil", "return obj.Countries, nil", "return obj.User(ctx)", "ec.Resolvers.Message().Subject(ctx, obj)"} {
		if !bytes.Contains(out, []byte(kept)) {
			t.Errorf("%q rewritten: it must keep graphql.ResolveField", kept)
		}
	}
	// Its output is fully patched, and not a valid input.
	if left, done, err := Unpatched(out); err != nil || len(left) > 0 || done.String() != want.String() {
		t.Errorf("Unpatched(output) = %v, %s, %v", left, done, err)
	}
	if _, _, err := Rewrite(out); err == nil || !strings.Contains(err.Error(), "already rewritten") {
		t.Errorf("rewriting the output again: %v, want an already-rewritten error", err)
	}
}

// TestUnknownShapes: any site whose shape the rewrite does not know, or a
// kind with no site at all, fails the rewrite.
func TestUnknownShapes(t *testing.T) {
	src := string(readInput(t))
	for name, c := range map[string]struct{ old, new, err string }{
		"worker limit":  {"MarshalSliceConcurrently(ctx, len(v), 0, false,", "MarshalSliceConcurrently(ctx, len(v), 4, false,", "MarshalSliceConcurrently call of unknown shape"},
		"panic handler": {"MarshalSliceConcurrently(ctx, len(v), 0, false,", "MarshalSliceConcurrently(ctx, len(v), 0, true,", "MarshalSliceConcurrently call of unknown shape"},
		"receiver":      {"out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })", "fs.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })", "unknown receiver"},
		"closure":       {"out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })", "out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, nil) })", "FieldSet.Concurrently call of unknown shape"},
		"defer group":   {"Defers:   deferLabelToView,", "Defers:   labels,", "ProcessDeferredGroup call of unknown shape"},
		"resolve field": {"\t\ttrue,\n\t\ttrue,\n\t)", "\t\ttrue,\n\t)", "graphql.ResolveField call of unknown shape"},
		"marshaller":    {"return ec.marshalNRoleKind2githubᚗcomᚋusergroupsᚋusergroupsᚋentᚋroleᚐKind(ctx, selections, v)", "return ec.marshalNRoleKind2githubᚗcomᚋusergroupsᚋusergroupsᚋentᚋroleᚐKind(ctx, nil, v)", "marshaller of unknown shape"},
		"no slice":      {"graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func", "marshalSliceSequentially(ctx, len(v), func", "already rewritten"},
	} {
		if !strings.Contains(src, c.old) {
			t.Fatalf("%s: input lacks %q", name, c.old)
		}
		_, _, err := Rewrite([]byte(strings.Replace(src, c.old, c.new, 1)))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: err = %v, want %q", name, err, c.err)
		}
	}
	if _, _, err := Rewrite([]byte("package generated\n")); err == nil {
		t.Error("no sites: want an error")
	}
}

// TestCommittedExecutor: graph/generated/generated.go, as committed, has
// every site rewritten (make check-generate checks it is regenerated).
func TestCommittedExecutor(t *testing.T) {
	src, err := os.ReadFile("../../../graph/generated/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	left, done, err := Unpatched(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("%d sites left unpatched, first %s: run go generate", len(left), left[0])
	}
	for _, k := range Kinds {
		if done[k] == 0 {
			t.Errorf("no rewritten %s site: %s", k, done)
		}
	}
	t.Logf("rewritten: %s", done)
}
