package limits_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/usergroups/usergroups/internal/limits"
)

// ceiling is where the cost saturates (2^53-1).
const ceiling = 1<<53 - 1

func TestDefault(t *testing.T) {
	got := limits.Default()
	want := limits.Config{
		MaxDepth: 12, MaxAliases: 30, MaxRootFields: 10, MaxCost: 10000, DefaultPageSize: 20,
		MaxTokens: 15000, MaxSelections: 5000, MaxRepeats: 20000, Timeout: 10 * time.Second,
	}
	if got != want {
		t.Fatalf("Default() = %+v, want %+v", got, want)
	}
}

func TestInvalidConfig(t *testing.T) {
	for name, mutate := range map[string]func(*limits.Config){
		"zero":          func(c *limits.Config) { *c = limits.Config{} },
		"MaxDepth":      func(c *limits.Config) { c.MaxDepth = 0 },
		"MaxDepth>100":  func(c *limits.Config) { c.MaxDepth = 101 },
		"MaxCost":       func(c *limits.Config) { c.MaxCost = -1 },
		"Timeout":       func(c *limits.Config) { c.Timeout = 0 },
		"MaxRepeats":    func(c *limits.Config) { c.MaxRepeats = 0 },
		"MaxSelections": func(c *limits.Config) { c.MaxSelections = 0 },
	} {
		cfg := limits.Default()
		mutate(&cfg)
		if err := limits.New(cfg).Validate(nil); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if err := limits.New(limits.Default()).Validate(nil); err != nil {
		t.Fatal(err)
	}
}

func TestDepth(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	mustPass(t, query(t, srv, nest(12), nil))
	mustRefuse(t, query(t, srv, nest(13), nil), limits.CodeQueryTooDeep, 12, 13)

	// Fragments count as expanded; fragments and inline fragments add no
	// level of their own.
	viaFragments := `{ me { ...A } }
		fragment A on User { bestFriend { ... on User { bestFriend { ...B } } } }
		fragment B on User { ` + strings.Repeat("bestFriend { ", 8) + "%s" + strings.Repeat(" }", 8) + " }"
	mustPass(t, query(t, srv, fmt.Sprintf(viaFragments, "name"), nil))
	mustRefuse(t, query(t, srv, fmt.Sprintf(viaFragments, "bestFriend { name }"), nil), limits.CodeQueryTooDeep, 12, 13)

	// Selections nested past the hard cap are refused whatever MaxDepth
	// says: here inline fragments, which add no depth.
	deepInline := "{ " + strings.Repeat("... on Query { ", 101) + "a" + strings.Repeat(" }", 101) + " }"
	mustRefuse(t, query(t, srv, deepInline, nil), limits.CodeQueryTooDeep, 100, 102)
	// So are input values.
	deepValue := "{ nodes(ids: " + strings.Repeat("[", 101) + `"1"` + strings.Repeat("]", 101) + ") { name } }"
	mustRefuse(t, query(t, srv, deepValue, nil), limits.CodeQueryTooDeep, 100, 101)
	// And unused fragments, which the validator checks too.
	mustRefuse(t, query(t, srv, "{ a } fragment U on Query { "+strings.Repeat("... on Query { ", 101)+"a"+strings.Repeat(" }", 101)+" }", nil),
		limits.CodeQueryTooDeep, 100, 102)
}

func TestIntrospectionPassesDefaults(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	for name, q := range map[string]string{
		"gqlgen":         introspection.Query,
		"graphql-js 16":  introspectionQuery(7),
		"graphql-js 17":  introspectionQuery(9),
		"deep type refs": introspectionQuery(30),
		"type":           `{ __type(name: "User") { name fields { name type { ...T } } } } fragment T on __Type { kind name ofType { kind name ofType { kind name } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			r := query(t, srv, q, nil)
			mustPass(t, r)
			if r.Extensions.Cost == nil || r.Extensions.Cost.RequestedQueryCost != 1 {
				t.Fatalf("introspection should cost 1, got %+v", r.Extensions.Cost)
			}
		})
	}

	// Depth is counted the same way for introspection, except ofType:
	// the full query is 6 deep (__schema types fields args type kind).
	cfg := limits.Default()
	cfg.MaxDepth = 6
	six, _ := newServer(t, cfg)
	mustPass(t, query(t, six, introspectionQuery(9), nil))
	cfg.MaxDepth = 5
	five, _ := newServer(t, cfg)
	mustRefuse(t, query(t, five, introspectionQuery(9), nil), limits.CodeQueryTooDeep, 5, 6)

	// The leniency is for __Type.ofType inside introspection only: it
	// cannot be had by aliasing another field to ofType.
	aliased := `{ __schema { types { ofType: fields { ofType: type { ofType: fields { name } } } } } }`
	mustRefuse(t, query(t, five, aliased, nil), limits.CodeQueryTooDeep, 5, 6)
	// A chain of ofType still hits the hard cap.
	chain := "{ __type(name: \"User\") { " + strings.Repeat("ofType { ", 100) + "name" + strings.Repeat(" }", 100) + " } }"
	mustRefuse(t, query(t, srv, chain, nil), limits.CodeQueryTooDeep, 100, 101)
}

func TestAliases(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	mustPass(t, query(t, srv, aliases(30), nil))
	mustRefuse(t, query(t, srv, aliases(31), nil), limits.CodeTooManyAliases, 30, 31)
	mustRefuse(t, query(t, srv, aliases(500), nil), limits.CodeTooManyAliases, 30, 500)

	// Counted as expanded: 16 aliases in a fragment used in two objects.
	var b strings.Builder
	for i := range 16 {
		fmt.Fprintf(&b, "n%d: name ", i)
	}
	frag := "{ me { ...F bestFriend { ...F } } } fragment F on User { " + b.String() + "}"
	mustRefuse(t, query(t, srv, frag, nil), limits.CodeTooManyAliases, 30, 32)
	// A field aliased to its own name is not an alias.
	mustPass(t, query(t, srv, "{ me { name: name } }", nil))
}

func TestRootFields(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	mustPass(t, query(t, srv, "{ "+strings.Repeat("a ", 10)+"}", nil))
	mustRefuse(t, query(t, srv, "{ "+strings.Repeat("a ", 11)+"}", nil), limits.CodeTooManyRootFields, 10, 11)
	// Root fields reached through fragments count.
	mustRefuse(t, query(t, srv, "{ a ... on Query { a ...F } } fragment F on Query { "+strings.Repeat("tags ", 9)+"}", nil),
		limits.CodeTooManyRootFields, 10, 11)
	// 6,000 repeated fields, refused before gqlparser's validator (which
	// would take seconds on it: see BenchmarkRepeatedFields).
	mustRefuse(t, query(t, srv, "{ "+strings.Repeat("a ", 6000)+"}", nil), limits.CodeTooManyRootFields, 10, 6000)
}

func TestRepeatedFields(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	// 200 copies of a field make 19,900 pairs for the validator to
	// compare; 201 make 20,100.
	mustPass(t, query(t, srv, "{ me { "+strings.Repeat("name ", 200)+"} }", nil))
	mustRefuse(t, query(t, srv, "{ me { "+strings.Repeat("name ", 201)+"} }", nil), limits.CodeQueryTooComplex, 20000, 201*200/2)
	// Repeats merge across fragments and down the tree the way the
	// response does: 150 bestFriend make 11,175 pairs, and the 150 spreads
	// of F merged into the object below as many again.
	mustRefuse(t, query(t, srv, "{ me { "+strings.Repeat("bestFriend { ...F } ", 150)+"} } fragment F on User { bestFriend { name } }", nil),
		limits.CodeQueryTooComplex, 20000, 2*150*149/2)
	// Spreading the same fragment over and over.
	mustRefuse(t, query(t, srv, "{ me { "+strings.Repeat("...F ", 300)+"} } fragment F on User { name }", nil),
		limits.CodeQueryTooComplex, 20000, 300*299/2)
}

func TestSelections(t *testing.T) {
	cfg := limits.Default()
	cfg.MaxSelections = 50
	srv, _ := newServer(t, cfg)
	// me + 49 names = 50 selections.
	mustPass(t, query(t, srv, "{ me { "+strings.Repeat("name ", 49)+"} }", nil))
	mustRefuse(t, query(t, srv, "{ me { "+strings.Repeat("name ", 50)+"} }", nil), limits.CodeQueryTooComplex, 50, 51)

	// Fragments that double at each level would expand to 2^40 fields; the
	// budget stops the walk long before.
	var b strings.Builder
	b.WriteString("{ me { ...F40 } } fragment F0 on User { name }")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, " fragment F%d on User { bestFriend { ...F%d } friends { ...F%d } }", i, i-1, i-1)
	}
	cfg = limits.Default()
	cfg.MaxDepth = 100
	deep, _ := newServer(t, cfg)
	if code := query(t, deep, b.String(), nil).code(t); code != limits.CodeQueryTooComplex {
		t.Fatalf("doubling fragments: got %q", code)
	}
}

func TestTokens(t *testing.T) {
	cfg := limits.Default()
	cfg.MaxTokens = 10
	srv, _ := newServer(t, cfg)
	mustPass(t, query(t, srv, "{ me { name bestFriend { name } } }", nil)) // 10 tokens
	mustRefuse(t, query(t, srv, "{ me { name bestFriend { name name } } }", nil), limits.CodeQueryTooLarge, 10, -1)
	// Comments are tokens too.
	mustRefuse(t, query(t, srv, "# hi\n{ me { name bestFriend { name } } }", nil), limits.CodeQueryTooLarge, 10, -1)

	def, _ := newServer(t, limits.Default())
	mustRefuse(t, query(t, def, "{ me { "+strings.Repeat("name ", 15000)+"} }", nil), limits.CodeQueryTooLarge, 15000, -1)
}

func TestParseErrorsAsGqlgen(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	r := query(t, srv, "{ me { name }", nil)
	if r.code(t) != limits.CodeParseFailed || r.status != http.StatusUnprocessableEntity {
		t.Fatalf("got %d %+v", r.status, r.Errors)
	}
	// Validation errors are still gqlgen's.
	if code := query(t, srv, "{ nope }", nil).code(t); code != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("got %q", code)
	}
}

func TestCost(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		cost  int64
	}{
		{"scalar", "{ a }", nil, 1},
		{"object", "{ me { name bestFriend { name } } }", nil, 4},
		{"list with first", "{ groups(first: 5) { name members(first: 3) { name } } }", nil, 1 + 5*(1+(1+3*1))},
		{"default page size", "{ groups { name } }", nil, 1 + 20},
		{"variable", "query($n: Int) { groups(first: $n) { name } }", map[string]any{"n": 50}, 1 + 50},
		{"variable default", "query($n: Int = 7) { groups(first: $n) { name } }", nil, 1 + 7},
		{"null is absent", "query($n: Int) { groups(first: $n) { name } }", map[string]any{"n": nil}, 1 + 20},
		{"negative", "{ groups(first: -5) { name } }", nil, 1},
		{"larger of first and last", "{ groupConnection(first: 3, last: 9) { totalCount } }", nil, 2},
		{
			// The connection passes its page to edges; totalCount and
			// pageInfo are counted once.
			"connection",
			"{ groupConnection(first: 10) { totalCount pageInfo { hasNextPage } edges { cursor node { name } } } }",
			nil, 1 + (1 + 2 + (1 + 10*(1+2))),
		},
		{"connection default page", "{ groupConnection { edges { node { name } } } }", nil, 1 + (1 + 20*2)},
		{"plain list", "{ groups(first: 2) { tags } }", nil, 1 + 2*1},
		{"plain list children", "{ groups(first: 2) { members(first: 1) { friends { name } } } }", nil, 1 + 2*(1+1*(1+20*1))},
		{"list argument", "query($ids: [ID!]!) { nodes(ids: $ids) { name } }", map[string]any{"ids": make([]string, 25)}, 1 + 25},
		{"short list argument", `{ nodes(ids: ["1"]) { name } }`, nil, 1 + 20},
		{"merged", "{ groups(first: 5) { name } groups(first: 5) { name } }", nil, 1 + 5},
		{"fragments", "{ groups(first: 5) { ...G } } fragment G on Group { name members(first: 2) { name } }", nil, 1 + 5*(1+(1+2))},
		{"typename", "{ __typename groups(first: 5) { __typename } }", nil, 1 + 1 + 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := query(t, srv, tc.query, tc.vars)
			mustPass(t, r)
			want := limits.Cost{RequestedQueryCost: tc.cost, Maximum: 10000}
			if r.Extensions.Cost == nil || *r.Extensions.Cost != want {
				t.Fatalf("cost %+v, want %+v", r.Extensions.Cost, want)
			}
		})
	}

	// Just under and just over.
	mustPass(t, query(t, srv, "{ groups(first: 9999) { name } }", nil))
	r := query(t, srv, "{ groups(first: 10000) { name } }", nil)
	mustRefuse(t, r, limits.CodeQueryTooComplex, 10000, 10001)
	if r.Extensions.Cost == nil || r.Extensions.Cost.RequestedQueryCost != 10001 {
		t.Fatalf("a refused response still reports its cost: %+v", r.Extensions.Cost)
	}
	mustRefuse(t, query(t, srv, "{ groups(first: 100000) { name } }", nil), limits.CodeQueryTooComplex, 10000, 100001)
	mustRefuse(t, query(t, srv, "query($n: Int) { groups(first: $n) { name } }", map[string]any{"n": 100000}),
		limits.CodeQueryTooComplex, 10000, 100001)
}

func TestCostSaturates(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	// 2147483647^3 ≈ 2^93: in int64 arithmetic it wraps around; the cost
	// must instead stop at its ceiling, and be refused.
	for name, tc := range map[string]struct {
		q    string
		vars map[string]any
	}{
		"literals": {"{ groups(first: 2147483647) { members(first: 2147483647) { friends(first: 2147483647) { name } } } }", nil},
		"variables": {
			"query($n: Int) { groups(first: $n) { members(first: $n) { friends(first: $n) { name } } } }",
			map[string]any{"n": 2147483647},
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := query(t, srv, tc.q, tc.vars)
			if got := r.code(t); got != limits.CodeQueryTooComplex {
				t.Fatalf("got %q %+v", got, r.Errors)
			}
			if r.Extensions.Cost == nil || r.Extensions.Cost.RequestedQueryCost != ceiling {
				t.Fatalf("cost %+v, want the ceiling %d", r.Extensions.Cost, int64(ceiling))
			}
		})
	}
}

// TestCyclicFragments checks that documents whose fragments form a cycle
// are refused before gqlparser validates them. Some of them kill the
// process without the guard: with gqlparser v2.5.37, validating "#173" or
// "minimal crasher" below recurses between findConflict and
// collectConflictsBetweenFieldsAndFragment (OverlappingFieldsCanBeMerged)
// until
//
//	runtime: goroutine stack exceeds 1000000000-byte limit
//	fatal error: stack overflow
//
// which recover cannot catch (vektah/gqlparser#173). So the guard is asked
// alone first, and the server only once the guard has refused.
func TestCyclicFragments(t *testing.T) {
	srv, _ := newServer(t, limits.Default())
	ring := func(n int) string {
		var b strings.Builder
		b.WriteString("{ ...F0 }")
		for i := range n {
			fmt.Fprintf(&b, " fragment F%d on Query { a ...F%d }", i, (i+1)%n)
		}
		return b.String()
	}
	for name, q := range map[string]string{
		"self":           "{ ...A } fragment A on Query { ...A }",
		"self nested":    "{ ...A } fragment A on Query { me { bestFriend { ... on User { name } } } ... on Query { ...A } }",
		"two":            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
		"three":          "{ ...A } fragment A on Query { a ...B } fragment B on Query { a ...C } fragment C on Query { a ...A }",
		"through fields": "{ me { ...A } } fragment A on User { bestFriend { ...B } } fragment B on User { friends { ...A } }",
		"unused":         "{ a } fragment A on Query { ...B } fragment B on Query { ...A }",
		"ring of 1000":   ring(1000),
		"#173": `query Q { me { ...F } }
			fragment F on User { name friends { ...F friends { ...F friends { ...F } } } }`,
		"minimal crasher": "{ me { ...F } } fragment F on User { friends { ...F } friends { ...F } }",
	} {
		t.Run(name, func(t *testing.T) {
			if code := guard(limits.Default(), q); code != limits.CodeCyclicFragments {
				t.Fatalf("the guard must refuse this document itself; got %q", code)
			}
			r := query(t, srv, q, nil)
			if r.code(t) != limits.CodeCyclicFragments || !strings.Contains(r.Errors[0].Message, "→") {
				t.Fatalf("got %+v", r.Errors)
			}
		})
	}
	// The message shows the cycle.
	r := query(t, srv, "{ ...A } fragment A on Query { a ...B } fragment B on Query { a ...C } fragment C on Query { a ...A }", nil)
	if msg := r.Errors[0].Message; !strings.Contains(msg, "A → B → C → A") {
		t.Fatalf("message %q should show the cycle", msg)
	}

	// A spread means the first fragment of its name, as in gqlparser: a
	// second definition does not close a cycle (and is a validation error).
	dup := "{ ...A } fragment A on Query { a } fragment B on Query { ...A } fragment A on Query { ...B }"
	if code := guard(limits.Default(), dup); code != "" {
		t.Fatalf("duplicate name: got %q", code)
	}
	if r := query(t, srv, dup, nil); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("duplicate name: got %+v", r.Errors)
	}

	// A long chain without a cycle is refused for its depth, not walked
	// recursively.
	var b strings.Builder
	b.WriteString("{ ...F0 }")
	for i := range 1500 {
		fmt.Fprintf(&b, " fragment F%d on Query { ...F%d }", i, i+1)
	}
	b.WriteString(" fragment F1500 on Query { a }")
	if code := guard(limits.Default(), b.String()); code != limits.CodeQueryTooDeep {
		t.Fatalf("chain: got %q", code)
	}
	// Fragments reused without a cycle are fine.
	mustPass(t, query(t, srv, "{ me { ...A bestFriend { ...A ...B } } } fragment A on User { name ...B } fragment B on User { name }", nil))
}

func TestTimeout(t *testing.T) {
	cfg := limits.Default()
	srv, rec := newServer(t, cfg)
	for _, op := range []string{"{ a }", `mutation { rename(name: "x") { name } }`} {
		before := time.Now()
		mustPass(t, query(t, srv, op, nil))
		after := time.Now()
		exec, resp := rec.contexts()
		for name, ctx := range map[string]context.Context{"Exec": exec, "response": resp} {
			d, ok := ctx.Deadline()
			if !ok || d.Before(before.Add(cfg.Timeout)) || d.After(after.Add(cfg.Timeout)) {
				t.Fatalf("%s: %s context deadline %v (ok %v), want Timeout after the request began", op, name, d, ok)
			}
		}
		// Released once the response is out.
		if !errors.Is(resp.Err(), context.Canceled) || errors.Is(context.Cause(resp), limits.ErrTimeout) {
			t.Fatalf("%s: the operation's context should be released, not timed out: %v", op, context.Cause(resp))
		}
	}

	// Subscriptions live as long as their connection.
	r := query(t, srv, "subscription { ticks }", nil)
	mustPass(t, r)
	exec, _ := rec.contexts()
	if _, ok := exec.Deadline(); ok {
		t.Fatal("a subscription must not get a deadline")
	}
}

func TestTimeoutError(t *testing.T) {
	cfg := limits.Default()
	cfg.Timeout = 20 * time.Millisecond
	srv, rec := newServer(t, cfg)
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		if gqlErr := limits.TimeoutError(ctx, err); gqlErr != nil {
			return gqlErr
		}
		return graphql.DefaultErrorPresenter(ctx, err)
	})
	// A resolver waiting on the database when the deadline passes: the
	// driver reports some error of its own.
	rec.run = func(ctx context.Context) *graphql.Response {
		<-ctx.Done()
		graphql.AddError(ctx, errors.New("driver: statement canceled"))
		return &graphql.Response{Data: []byte(`{"a":null}`)}
	}
	r := query(t, srv, "{ a }", nil)
	if r.code(t) != limits.CodeTimeout || !strings.Contains(r.Errors[0].Message, "20ms") {
		t.Fatalf("got %+v", r.Errors)
	}

	// Errors before the deadline are not timeouts.
	if limits.TimeoutError(context.Background(), errors.New("boom")) != nil {
		t.Fatal("not a timeout")
	}
	if limits.TimeoutError(context.Background(), nil) != nil {
		t.Fatal("nil is no error")
	}
	if e := limits.TimeoutError(context.Background(), fmt.Errorf("wrapped: %w", limits.ErrTimeout)); e == nil || e.Extensions["code"] != limits.CodeTimeout {
		t.Fatalf("ErrTimeout itself is a timeout: %v", e)
	}
}

// A transport that calls the response handler with some other context
// still gets the deadline.
func TestTimeoutForeignContext(t *testing.T) {
	ext := limits.New(limits.Default())
	oc := &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Query}}
	ctx := graphql.WithOperationContext(context.Background(), oc)
	var got context.Context
	h := ext.InterceptOperation(ctx, func(ctx context.Context) graphql.ResponseHandler {
		return func(ctx context.Context) *graphql.Response {
			got = ctx
			return &graphql.Response{}
		}
	})
	h(context.Background())
	if _, ok := got.Deadline(); !ok {
		t.Fatal("no deadline")
	}
	if got.Err() == nil {
		t.Fatal("the context should be released after the last response")
	}
}

func TestPersistedQueries(t *testing.T) {
	q := "{ " + strings.Repeat("a ", 11) + "}"
	sum := sha256.Sum256([]byte(q))
	hash := hex.EncodeToString(sum[:])
	apq := func(withQuery bool) map[string]any {
		body := map[string]any{"extensions": map[string]any{
			"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash},
		}}
		if withQuery {
			body["query"] = q
		}
		return body
	}

	// Right order: persisted queries fill the query in, then it is checked.
	rec := &execRecorder{}
	srv := handler.New(rec.schema(t))
	srv.AddTransport(transport.POST{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](10)})
	srv.Use(limits.New(limits.Default()))
	mustRefuse(t, post(t, srv, apq(true)), limits.CodeTooManyRootFields, 10, 11)
	mustRefuse(t, post(t, srv, apq(false)), limits.CodeTooManyRootFields, 10, 11)

	// Wrong order: the guard sees no query, so the request must not run.
	cache := lru.New[string](10)
	cache.Add(context.Background(), hash, q)
	srv = handler.New(rec.schema(t))
	srv.AddTransport(transport.POST{})
	srv.Use(limits.New(limits.Default()))
	srv.Use(extension.AutomaticPersistedQuery{Cache: cache})
	mustRefuse(t, post(t, srv, apq(true)), limits.CodeTooManyRootFields, 10, 11)
	if code := post(t, srv, apq(false)).code(t); code != limits.CodeInternal {
		t.Fatalf("misordered extensions must fail closed, got %q", code)
	}
}

func TestQueryCache(t *testing.T) {
	// gqlgen skips parsing and validation for cached documents; the
	// limits still apply, and the cost follows each request's variables.
	rec := &execRecorder{}
	srv := handler.New(rec.schema(t))
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](10))
	srv.Use(limits.New(limits.Default()))
	q := "query($n: Int) { groups(first: $n) { name } }"
	mustPass(t, query(t, srv, q, map[string]any{"n": 10}))
	r := query(t, srv, q, map[string]any{"n": 20000})
	mustRefuse(t, r, limits.CodeQueryTooComplex, 10000, 20001)
	r = query(t, srv, q, map[string]any{"n": 3})
	mustPass(t, r)
	if r.Extensions.Cost.RequestedQueryCost != 4 {
		t.Fatalf("cost %+v", r.Extensions.Cost)
	}
}
