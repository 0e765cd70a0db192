package limits_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/internal/limits"
)

// testSDL has what the limits care about: lists paginated by first/last,
// a Relay connection, a plain list, a list sized by an argument, and a
// non-list chain (bestFriend) to nest deeply without paying for lists.
const testSDL = `
type Query {
  me: User
  groups(first: Int): [Group!]!
  groupConnection(first: Int, last: Int, after: String): GroupConnection!
  nodes(ids: [ID!]!): [Group]!
  tags: [String!]!
  a: Int
}
type Mutation { rename(name: String!): User }
type Subscription { ticks: Int }
type Group {
  name: String
  members(first: Int): [User!]!
  tags: [String!]!
}
type User {
  name: String
  friends(first: Int): [User!]!
  bestFriend: User
}
type GroupConnection {
  totalCount: Int!
  pageInfo: PageInfo!
  edges: [GroupEdge!]!
}
type GroupEdge { cursor: String! node: Group! }
type PageInfo { hasNextPage: Boolean! }
`

// execRecorder is a fake executable schema: it runs no resolvers, so the
// handler exercises exactly parsing, validation and the extensions, and it
// records the contexts the operation ran under.
type execRecorder struct {
	mu sync.Mutex
	// execCtx is the context Exec was called with; respCtx the one the
	// response handler was (where generated code resolves fields).
	execCtx, respCtx context.Context
	// run, when set, produces the response instead of an empty object.
	run func(ctx context.Context) *graphql.Response
}

func (r *execRecorder) contexts() (exec, resp context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.execCtx, r.respCtx
}

func (r *execRecorder) schema(t testing.TB) graphql.ExecutableSchema {
	t.Helper()
	schema := gqlparser.MustLoadSchema(&ast.Source{Name: "test.graphql", Input: testSDL})
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			r.mu.Lock()
			r.execCtx = ctx
			r.mu.Unlock()
			done := false
			return func(ctx context.Context) *graphql.Response {
				if done {
					return nil
				}
				done = true
				r.mu.Lock()
				r.respCtx = ctx
				run := r.run
				r.mu.Unlock()
				if run != nil {
					return run(ctx)
				}
				return &graphql.Response{Data: []byte(`{}`)}
			}
		},
	}
}

// newServer installs the extension as the server does: introspection,
// persisted queries, then limits.
func newServer(t testing.TB, cfg limits.Config) (*handler.Server, *execRecorder) {
	t.Helper()
	rec := &execRecorder{}
	srv := handler.New(rec.schema(t))
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})
	srv.Use(limits.New(cfg))
	return srv, rec
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	status     int
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost *limits.Cost `json:"cost"`
	} `json:"extensions"`
}

func post(t testing.TB, h http.Handler, body map[string]any) response {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var resp response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("status %d, body %q: %v", w.Code, w.Body.String(), err)
	}
	resp.status = w.Code
	return resp
}

func query(t testing.TB, h http.Handler, q string, vars map[string]any) response {
	t.Helper()
	body := map[string]any{"query": q}
	if vars != nil {
		body["variables"] = vars
	}
	return post(t, h, body)
}

// code is the extensions.code of the only error, or "" when there is none.
func (r response) code(t testing.TB) string {
	t.Helper()
	switch len(r.Errors) {
	case 0:
		return ""
	case 1:
		c, _ := r.Errors[0].Extensions["code"].(string)
		return c
	}
	t.Fatalf("want at most one error, got %+v", r.Errors)
	return ""
}

func mustPass(t testing.TB, r response) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("want no error, got %+v", r.Errors)
	}
}

// mustRefuse checks the single error's code, and the limit and the value
// it reports, in extensions and in the message (value -1: none reported).
func mustRefuse(t testing.TB, r response, code string, limit, value int) {
	t.Helper()
	if got := r.code(t); got != code {
		t.Fatalf("want code %s, got %q (%+v)", code, got, r.Errors)
	}
	ext, msg := r.Errors[0].Extensions, r.Errors[0].Message
	if ext["limit"] != float64(limit) || !strings.Contains(msg, fmt.Sprint(limit)) {
		t.Fatalf("want limit %d in extensions and message, got %v: %q", limit, ext["limit"], msg)
	}
	if value < 0 {
		if _, ok := ext["value"]; ok {
			t.Fatalf("want no value, got %v", ext["value"])
		}
		return
	}
	if ext["value"] != float64(value) || !strings.Contains(msg, fmt.Sprint(value)) {
		t.Fatalf("want value %d in extensions and message, got %v: %q", value, ext["value"], msg)
	}
}

// guard runs only the pre-parse check, without gqlgen: for documents that
// must never reach gqlparser's validator.
func guard(cfg limits.Config, q string) string {
	err := limits.New(cfg).MutateOperationParameters(context.Background(), &graphql.RawParams{Query: q})
	if err == nil {
		return ""
	}
	c, _ := err.Extensions["code"].(string)
	return c
}

// introspectionQuery builds the full introspection query as graphql-js's
// getIntrospectionQuery does with every option on; typeDepth is how many
// ofType levels TypeRef asks for (9 in graphql-js 16.9 and later, 7 before,
// as in gqlgen's introspection.Query).
func introspectionQuery(typeDepth int) string {
	typeRef := "kind name"
	for range typeDepth {
		typeRef = "kind name ofType { " + typeRef + " }"
	}
	return `
query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types { ...FullType }
    directives {
      name
      description
      isRepeatable
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}
fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  isOneOf
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}
fragment TypeRef on __Type { ` + typeRef + ` }
`
}

// nest returns `{ me { bestFriend { … { name } } } }` with depth levels of
// fields in all (name included).
func nest(depth int) string {
	return "{ me { " + strings.Repeat("bestFriend { ", depth-2) + "name" + strings.Repeat(" }", depth-1) + " }"
}

func aliases(n int) string {
	var b strings.Builder
	b.WriteString("{ me { ")
	for i := range n {
		fmt.Fprintf(&b, "n%d: name ", i)
	}
	b.WriteString("} }")
	return b.String()
}
