// Command execpatch rewrites gqlgen's generated executor after generation
// (generate.go runs it) to take out costs that gqlgen v0.17.95 pays on
// every object of every response, whatever the query. Four kinds of site
// are rewritten:
//
//   - slice: a goroutine per element of every list of objects
//     (graphql.MarshalSliceConcurrently → marshalSliceSequentially, in
//     graph/generated/sequential.go);
//   - deferred: the response path computed for every object
//     (graphql.GetPath) only to be handed to ProcessDeferredGroup, which
//     returns at once when the query has no @defer: the call is now made
//     only when there is one;
//   - direct: for a scalar or enum field read straight from a struct field
//     (`return obj.Name, nil`), gqlgen's ResolveField: a field context,
//     a context value, three closures, an error value and an interface
//     box per field and object, to run a field middleware we do not have
//     and recover from a panic a field read cannot raise. Such fields now
//     call their marshaller directly. Fields with resolvers, methods,
//     arguments, directives, middleware or object values keep the full
//     path. This is only sound while the server registers no field
//     middleware (graphql.FieldInterceptor): internal/server's tests fail
//     if one is ever registered;
//   - field and root: a field with a resolver is handed to the object's
//     FieldSet to run on a goroutine of its own (FieldSet.Concurrently);
//     inside a mutation's workflow unit, whose one transaction a single
//     goroutine at a time may use, it now runs at once (concurrently, in
//     graph/generated/sequential.go).
//
// The rewrite works on the syntax tree (go/parser), not on text patterns:
// it finds every call of graphql.MarshalSliceConcurrently,
// FieldSet.Concurrently, ProcessDeferredGroup and graphql.ResolveField,
// fails on any whose shape it does not know, rewrites all of them it
// must (the expected count of each kind is what the tree holds) and then
// checks its own output with Unpatched. A gqlgen upgrade that changes the
// generated code therefore fails generation instead of leaving sites
// silently unpatched. gqlgen v0.17.98 is such a change: its objects resolve
// fields with FieldSet.ResolveConcurrently and build a DeferredGroup (and
// its path) up front, so the field, root and deferred rewrites find no
// site there.
package main

import (
	"fmt"
	"os"
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
	out, n, err := Rewrite(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(os.Stderr, "execpatch: %s: %s\n", path, n)
	return os.WriteFile(path, out, 0o644)
}
