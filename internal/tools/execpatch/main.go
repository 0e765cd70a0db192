// Command execpatch rewrites gqlgen's generated executor after generation
// (generate.go runs it) to take out two costs that gqlgen v0.17.95 pays on
// every object of every response, whatever the query:
//
//   - a goroutine per element of every list of objects
//     (graphql.MarshalSliceConcurrently → marshalSliceSequentially, in
//     graph/generated/sequential.go);
//   - the response path computed for every object (graphql.GetPath) only
//     to be handed to ProcessDeferredGroup, which returns at once when the
//     query has no @defer: the call is now made only when there is one;
//   - for a scalar or enum field read straight from a struct field
//     (`return obj.Name, nil`), gqlgen's ResolveField: a field context,
//     a context value, three closures, an error value and an interface
//     box per field and object, to run a resolver middleware we do not
//     have (the server registers no field middleware) and recover from a
//     panic a field read cannot raise. Such fields now call their
//     marshaller directly. Fields with resolvers, methods, arguments,
//     directives or object values keep the full path;
//   - a field with a resolver is handed to the object's FieldSet to run
//     on a goroutine of its own (FieldSet.Concurrently); inside a
//     mutation's workflow unit, whose one transaction a single goroutine
//     at a time may use, it now runs at once (concurrently, in
//     graph/generated/sequential.go).
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
	"strings"
)

var (
	sliceCall = []byte("graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {")
	seqCall   = []byte("marshalSliceSequentially(ctx, len(v), func(ctx context.Context, i int) graphql.Marshaler {")
	// scalarField matches a generated field function whose value is a
	// struct field and whose marshaller is named in group 3.
	scalarField = regexp.MustCompile(`(?m)^(func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*?[\w.]+\) \(ret graphql\.Marshaler\) \{)\n` +
		`\treturn graphql\.ResolveField\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
		`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.fieldContext_\w+\(ctx, field\)\n\t\t\},\n` +
		`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn (obj\.\w+), nil\n\t\t\},\n` +
		`\t\tnil,\n` +
		`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v [^\n]+\) graphql\.Marshaler \{\n\t\t\treturn ec\.(marshal[^\s(]+)\(ctx, selections, v\)\n\t\t\},\n` +
		`\t\t(?:true|false),\n\t\t(?:true|false),\n\t\)\n\}\n`)
	concurrentField = []byte("out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })")
	inlineInUnit    = []byte("concurrently(ctx, out, i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })")
	// A query's root fields share its read transaction too (Runner.Read).
	concurrentRoot = []byte("out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })")
	inlineRoot     = []byte("concurrently(ctx, out, i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })")
	deferred       = regexp.MustCompile(`(?s)\n\tec\.ProcessDeferredGroup\(graphql\.DeferredGroup\{\n(.*?)\n\t\}\)\n`)
)

// scalarMarshaller reports whether the generated marshaller name writes a
// single scalar or enum value: not a list, and not an object (whose fields
// would need this field's context as their parent).
func scalarMarshaller(src []byte, name string) bool {
	if strings.Contains(name, "ᚕ") {
		return false
	}
	head := []byte("\nfunc (ec *executionContext) " + name + "(")
	i := bytes.Index(src, head)
	if i < 0 {
		return false
	}
	body := src[i+len(head):]
	if end := bytes.Index(body, []byte("\n}\n")); end >= 0 {
		body = body[:end]
	}
	return !bytes.Contains(body, []byte("ec._")) && !bytes.Contains(body, []byte("FieldContext{")) && !bytes.Contains(body, []byte("ec.marshal"))
}

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

// Rewrite applies the rewrites to generated source and formats it.
func Rewrite(src []byte) ([]byte, error) {
	if n := bytes.Count(src, sliceCall); n == 0 {
		return nil, fmt.Errorf("no call of graphql.MarshalSliceConcurrently in the expected form")
	}
	src = bytes.ReplaceAll(src, sliceCall, seqCall)
	if n := bytes.Count(src, concurrentField); n == 0 {
		return nil, fmt.Errorf("no call of FieldSet.Concurrently in the expected form")
	}
	src = bytes.ReplaceAll(src, concurrentField, inlineInUnit)
	if n := bytes.Count(src, concurrentRoot); n == 0 {
		return nil, fmt.Errorf("no root FieldSet.Concurrently call in the expected form")
	}
	src = bytes.ReplaceAll(src, concurrentRoot, inlineRoot)
	if len(deferred.FindAllIndex(src, -1)) == 0 {
		return nil, fmt.Errorf("no ProcessDeferredGroup call in the expected form")
	}
	src = deferred.ReplaceAll(src, []byte("\n\tif len(deferLabelToView) > 0 {\n\tec.ProcessDeferredGroup(graphql.DeferredGroup{\n$1\n\t})\n\t}\n"))
	direct := 0
	src = scalarField.ReplaceAllFunc(src, func(m []byte) []byte {
		g := scalarField.FindSubmatch(m)
		if !scalarMarshaller(src, string(g[3])) {
			return m
		}
		direct++
		return []byte(fmt.Sprintf("%s\n\treturn ec.%s(ctx, field.Selections, %s)\n}\n", g[1], g[3], g[2]))
	})
	if direct == 0 {
		return nil, fmt.Errorf("no scalar field function in the expected form")
	}
	return format.Source(src)
}
