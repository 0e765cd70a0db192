package limits_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/usergroups/usergroups/internal/limits"
)

func benchGuard(b *testing.B, q, wantCode string) {
	ext := limits.New(limits.Default())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		err := ext.MutateOperationParameters(ctx, &graphql.RawParams{Query: q})
		if code := codeOf(err); code != wantCode {
			b.Fatalf("got %q, want %q", code, wantCode)
		}
	}
}

func benchServer(b *testing.B, h http.Handler, q, wantCode string) {
	b.ReportAllocs()
	for b.Loop() {
		r := query(b, h, q, nil)
		if code := r.code(b); code != wantCode {
			b.Fatalf("got %q, want %q: %+v", code, wantCode, r.Errors)
		}
	}
}

func codeOf(err *gqlerror.Error) string {
	if err == nil {
		return ""
	}
	c, _ := err.Extensions["code"].(string)
	return c
}

// BenchmarkRepeatedFields measures `{ a a a … }` with 6,000 fields. The
// guard refuses it in the time it takes to parse it (a few milliseconds,
// which gqlgen would spend anyway); without it ("unguarded"), gqlparser's
// validator takes seconds, quadratic in the repeats, before any limit
// applied after validation could refuse it.
func BenchmarkRepeatedFields(b *testing.B) {
	q := "{ " + strings.Repeat("a ", 6000) + "}"
	b.Run("guard", func(b *testing.B) { benchGuard(b, q, limits.CodeTooManyRootFields) })
	srv, _ := newServer(b, limits.Default())
	b.Run("server", func(b *testing.B) { benchServer(b, srv, q, limits.CodeTooManyRootFields) })
	b.Run("unguarded", func(b *testing.B) {
		rec := &execRecorder{}
		bare := handler.New(rec.schema(b))
		bare.AddTransport(transport.POST{})
		benchServer(b, bare, q, "")
	})
}

// BenchmarkOverhead measures what the guard adds to ordinary requests: it
// parses every document once more than gqlgen (which caches).
func BenchmarkOverhead(b *testing.B) {
	for name, q := range map[string]string{
		"typical":       "query($n: Int) { groupConnection(first: $n) { totalCount edges { cursor node { name members(first: 5) { name bestFriend { name } } } } } }",
		"introspection": introspectionQuery(9),
	} {
		b.Run(name, func(b *testing.B) { benchGuard(b, q, "") })
	}
}

// BenchmarkWorstAccepted runs, through the whole server, documents built
// to cost gqlparser's validator the most while staying just within
// MaxRepeats and MaxSelections: the worst a single request can cost before
// any resolver runs.
func BenchmarkWorstAccepted(b *testing.B) {
	frags := func(n int, body string) string {
		var s strings.Builder
		s.WriteString("{ me { ")
		for i := range n {
			fmt.Fprintf(&s, "...F%d ", i)
		}
		s.WriteString("} }")
		for i := range n {
			fmt.Fprintf(&s, " fragment F%d on User { %s }", i, body)
		}
		return s.String()
	}
	srv, _ := newServer(b, limits.Default())
	for name, q := range map[string]string{
		"repeated leaves":       "{ me { " + strings.Repeat("name ", 200) + "} }",
		"repeated subselection": "{ me { " + strings.Repeat("bestFriend { name } ", 141) + "} }",
		"distinct fragments":    frags(141, "name"),
		"nested fragments":      frags(100, "bestFriend { bestFriend { name } }"),
		"nested repeats":        "{ me { " + strings.Repeat("bestFriend { "+strings.Repeat("bestFriend { name } ", 12)+"} ", 11) + "} }",
	} {
		b.Run(name, func(b *testing.B) { benchServer(b, srv, q, "") })
	}
}
