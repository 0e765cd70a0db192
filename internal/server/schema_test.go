package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/server"
)

// TestSchemaServed checks GET /schema.graphql: the committed schema.graphql
// byte for byte (so the file clients generate from is what runs), with an
// ETag that answers 304.
func TestSchemaServed(t *testing.T) {
	h := server.New(dbtest.Open(t), server.Config{Logger: quietLogger()})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/schema.graphql", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /schema.graphql = %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	committed, err := os.ReadFile("../../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Body.String() != string(committed) {
		t.Error("schema.graphql at the repository root is not the schema the server serves: run `make generate` and commit schema.graphql (and record the change in CHANGELOG.md)")
	}
	sum := sha256.Sum256(committed)
	etag := rec.Header().Get("ETag")
	if etag != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("ETag = %s, want the SDL's SHA-256", etag)
	}

	req := httptest.NewRequest(http.MethodGet, "/schema.graphql", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("GET with If-None-Match = %d (%d bytes), want 304", rec.Code, rec.Body.Len())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/schema.graphql", strings.NewReader("x")))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /schema.graphql = %d, want 405", rec.Code)
	}
}

// TestSchemaHiddenWithIntrospection: a server with introspection turned
// off does not hand out its schema another way.
func TestSchemaHiddenWithIntrospection(t *testing.T) {
	h := server.New(dbtest.Open(t), server.Config{Logger: quietLogger(), DisableIntrospection: true})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/schema.graphql", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /schema.graphql without introspection = %d, want 404", rec.Code)
	}
}

// TestIntrospectionMatchesPublishedSchema: introspection offers neither
// gqlgen's code-generation directives nor @defer, and a document using
// @defer is refused rather than answered without its deferred part.
func TestIntrospectionMatchesPublishedSchema(t *testing.T) {
	h := server.New(dbtest.Open(t), server.Config{Logger: quietLogger()})
	r := query(t, h, "", `{ __schema { directives { name } } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	var names []string
	for _, d := range dig(r.Data, "__schema", "directives").([]any) {
		names = append(names, d.(map[string]any)["name"].(string))
	}
	for _, name := range names {
		if name == "defer" || strings.HasPrefix(name, "go") {
			t.Errorf("introspection offers @%s (directives: %v)", name, names)
		}
	}
	if !strings.Contains(strings.Join(names, " "), "deprecated") {
		t.Errorf("directives = %v, want the built-in ones (@deprecated…)", names)
	}

	r = query(t, h, "", `{ ... @defer { communities { totalCount } } }`, nil)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("@defer answered %+v, want GRAPHQL_VALIDATION_FAILED", r)
	}
}
