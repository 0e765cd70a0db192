package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/testserver"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/usergroups/usergroups/internal/transport"
)

// do sends one request to h and returns the recorded answer.
func do(h http.Handler, method, query, accept string) *httptest.ResponseRecorder {
	var req *http.Request
	if method == http.MethodGet {
		req = httptest.NewRequest(method, "/graphql?query="+url.QueryEscape(query), nil)
	} else {
		req = httptest.NewRequest(method, "/graphql", strings.NewReader(`{"query":`+quote(query)+`}`))
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// TestPOSTWritesTheExecutorsBytes answers a plain query with the executor's
// data as it is, in the media type the client accepts, and a malformed
// document with the status the graphql-over-HTTP specification asks for.
func TestPOSTWritesTheExecutorsBytes(t *testing.T) {
	es := testserver.New()
	transport.AddHTTP(es.Server)
	rec := do(es, http.MethodPost, `{ name }`, "")
	if rec.Code != http.StatusOK || rec.Body.String() != `{"data":{"name":"test"}}` || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("POST = %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = do(es, http.MethodPost, `{ name }`, "application/graphql-response+json")
	if rec.Header().Get("Content-Type") != "application/graphql-response+json" {
		t.Errorf("Content-Type = %q", rec.Header().Get("Content-Type"))
	}
	for accept, want := range map[string]int{"": http.StatusUnprocessableEntity, "application/graphql-response+json": http.StatusBadRequest} {
		if rec := do(es, http.MethodPost, `{ name`, accept); rec.Code != want || !strings.Contains(rec.Body.String(), `"errors"`) {
			t.Errorf("malformed document, Accept %q = %d %s, want %d", accept, rec.Code, rec.Body, want)
		}
	}
}

// TestUnavailableWholeIs503 answers 503, over GET and POST, a response
// with an UNAVAILABLE error and no data; another error stays 200.
func TestUnavailableWholeIs503(t *testing.T) {
	for code, want := range map[string]int{"UNAVAILABLE": http.StatusServiceUnavailable, "INTERNAL_SERVER_ERROR": http.StatusOK} {
		es := testserver.NewError()
		transport.AddHTTP(es.Server)
		es.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
			e := graphql.DefaultErrorPresenter(ctx, err)
			e.Extensions = map[string]any{"code": code}
			return e
		})
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if rec := do(es, method, `{ name }`, ""); rec.Code != want || !strings.Contains(rec.Body.String(), code) {
				t.Errorf("%s with %s = %d %s, want %d", method, code, rec.Code, rec.Body, want)
			}
		}
	}
}
