// Command execpatch rewrites gqlgen's generated executor after generation
// (generate.go runs it) to take out two costs that gqlgen v0.17.95 pays on
// every object of every response, whatever the query:
//
//   - a goroutine per element of every list of objects
//     (graphql.MarshalSliceConcurrently → marshalSliceSequentially, in
//     graph/generated/sequential.go);
//   - the response path computed for every object (graphql.GetPath) only
//     to be handed to ProcessDeferredGroup, which returns at once when the
//     query has no @defer: the call is now made only when there is one.
//
// It fails when a pattern is not found, so that a gqlgen upgrade that
// changes the generated code is noticed rather than silently unpatched.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"regexp"
)

var (
	sliceCall = []byte("graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {")
	seqCall   = []byte("marshalSliceSequentially(ctx, len(v), func(ctx context.Context, i int) graphql.Marshaler {")
	deferred  = regexp.MustCompile(`(?s)\n\tec\.ProcessDeferredGroup\(graphql\.DeferredGroup\{\n(.*?)\n\t\}\)\n`)
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: execpatch graph/generated/generated.go")
		os.Exit(2)
	}
	if err := patch(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "execpatch:", err)
		os.Exit(1)
	}
}

func patch(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := Rewrite(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// Rewrite applies both rewrites to generated source and formats it.
func Rewrite(src []byte) ([]byte, error) {
	if n := bytes.Count(src, sliceCall); n == 0 {
		return nil, fmt.Errorf("no call of graphql.MarshalSliceConcurrently in the expected form")
	}
	src = bytes.ReplaceAll(src, sliceCall, seqCall)
	if len(deferred.FindAllIndex(src, -1)) == 0 {
		return nil, fmt.Errorf("no ProcessDeferredGroup call in the expected form")
	}
	src = deferred.ReplaceAll(src, []byte("\n\tif len(deferLabelToView) > 0 {\n\tec.ProcessDeferredGroup(graphql.DeferredGroup{\n$1\n\t})\n\t}\n"))
	return format.Source(src)
}
