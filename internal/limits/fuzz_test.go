package limits_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/introspection"

	"github.com/usergroups/usergroups/internal/limits"
)

// hostile returns documents that stress the guard: malformed, cyclic,
// deep, wide, repetitive, huge.
func hostile() []string {
	ring := func(n int) string {
		var b strings.Builder
		b.WriteString("{ ...F0 }")
		for i := range n {
			fmt.Fprintf(&b, " fragment F%d on Query { a ...F%d }", i, (i+1)%n)
		}
		return b.String()
	}
	doubling := func(n int) string {
		var b strings.Builder
		b.WriteString("{ me { ...F" + fmt.Sprint(n) + " } } fragment F0 on User { name }")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, " fragment F%d on User { bestFriend { ...F%d } friends { ...F%d } }", i, i-1, i-1)
		}
		return b.String()
	}
	return []string{
		"",
		"{",
		"}}}}",
		"{ a }",
		"query { me { name } } mutation { rename(name: \"x\") { name } }",
		"subscription { ticks }",
		`query($n: Int = 3, $ids: [ID!]! = ["1"]) @skip(if: false) { nodes(ids: $ids) { name members(first: $n) { name } } }`,
		`{ nodes(ids: """block""") { name } }`,
		"{ groups(first: 99999999999999999999999) { name } }",
		"{ groups(first: -9223372036854775809) { name } }",
		"{ a } # trailing comment",
		"{ ...Missing }",
		"{ ... { ... { a } } }",
		"{ me { ...A } } fragment A on User { ...A }",
		"{ me { ...F } } fragment F on User { friends { ...F } friends { ...F } }",
		"{ ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...A }",
		ring(50),
		doubling(30),
		nest(200),
		"{ " + strings.Repeat("a ", 6000) + "}",
		"{ me { " + strings.Repeat("...F ", 500) + "} } fragment F on User { name }",
		aliases(500),
		"{ " + strings.Repeat("... on Query { ", 150) + "a" + strings.Repeat(" }", 150) + " }",
		"{ nodes(ids: " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + ") { name } }",
		"{ nodes(ids: " + strings.Repeat("{a: ", 150) + "1" + strings.Repeat("}", 150) + ") { name } }",
		introspection.Query,
		introspectionQuery(9),
		"\ufeff{ a }",
		"{ a(x: \"\\u00e9\\uD83D\\uDE00\") }",
	}
}

// FuzzGuard feeds arbitrary documents to the pre-parse guard, which must
// never panic; whatever it accepts then goes through the whole server,
// where it must not crash either (gqlgen turns a panic into a 500).
// `go test` runs the seeds; `go test -fuzz FuzzGuard` explores.
func FuzzGuard(f *testing.F) {
	for _, q := range hostile() {
		f.Add(q)
	}
	srv, _ := newServer(f, limits.Default())
	ext := limits.New(limits.Default())
	known := map[any]bool{
		limits.CodeQueryTooLarge: true, limits.CodeQueryTooDeep: true, limits.CodeTooManyAliases: true,
		limits.CodeTooManyRootFields: true, limits.CodeQueryTooComplex: true, limits.CodeCyclicFragments: true,
		limits.CodeParseFailed: true,
	}
	f.Fuzz(func(t *testing.T, q string) {
		if err := ext.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: q}); err != nil {
			if !known[err.Extensions["code"]] {
				t.Fatalf("refusal without a known code: %+v", err)
			}
			return
		}
		r := query(t, srv, q, nil)
		if r.status == http.StatusInternalServerError {
			t.Fatalf("server failed on an accepted document: %+v", r.Errors)
		}
	})
}
