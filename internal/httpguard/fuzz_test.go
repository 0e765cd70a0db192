package httpguard_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/usergroups/usergroups/internal/httpguard"
)

// refusals are all the messages a refused POST body may get.
var refusals = map[string]bool{
	"the request body is too large":                             true,
	"the request body is empty":                                 true,
	"the request body is not valid JSON":                        true,
	"batching is not supported: send one operation per request": true,
	"the request body must be a JSON object":                    true,
	"the request body is not a GraphQL request":                 true,
	"the query parameter is required":                           true,
	"query must be a string":                                    true,
	"operationName must be a string":                            true,
	"variables must be an object":                               true,
	"extensions must be an object":                              true,
	"the request parameters have the wrong types":               true,
}

// FuzzRequest checks the guard's promise to gqlgen and to clients on any
// POST body: what it lets through decodes the way gqlgen's POST transport
// decodes it (whose own failure path echoes the body and panics in entgql's
// transaction hook), with a query or an APQ hash; what it refuses gets a 400
// or 413 with a JSON error that does not repeat the body.
func FuzzRequest(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ __typename }"}`,
		`{"query":"query Q($id: ID!) { node(id: $id) { id } }","operationName":"Q","variables":{"id":"grp_1"}}`,
		`{"query":"{ a }","operationName":null,"variables":null,"extensions":null}`,
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}}`,
		`{"extensions":{"persistedQuery":null}}`,
		`{"query":"{ a }","variables":{"n":1e400,"s":"\u00e9\ud83c\udfc3"}}`,
		`[{"query":"{ a }"}]`,
		`{"query":{"obj":"ect"}}`,
		`{"query":"{ a }","variables":[1]}`,
		`{"Query":1,"query":"{ a }"}`,
		`{"query":"{ a }"} trailing`,
		`{ "not a JSON`,
		`"string"`,
		`null`,
		``,
		"{\"query\":\"\xff\"}",
		`{"query":"{ a }","query":5}`,
		`{"qeury":"{ a }"}`,
	} {
		f.Add([]byte(seed))
	}
	guard := httpguard.Middleware(httpguard.Config{MaxBodyBytes: 4 << 10})
	f.Fuzz(func(t *testing.T, body []byte) {
		var reached bool
		h := guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached = true
			got, _ := io.ReadAll(r.Body)
			if !bytes.Equal(got, body) {
				t.Fatalf("the body changed on its way: %q → %q", body, got)
			}
			// As gqlgen's transport.POST decodes it.
			var p graphql.RawParams
			dec := json.NewDecoder(bytes.NewReader(got))
			dec.UseNumber()
			if err := dec.Decode(&p); err != nil {
				t.Fatalf("let through %q, which gqlgen cannot decode: %v", body, err)
			}
			if p.Query == "" {
				if _, ok := p.Extensions["persistedQuery"].(map[string]any); !ok {
					t.Fatalf("let through %q, which has no query", body)
				}
			}
			w.WriteHeader(http.StatusOK)
		}))
		r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if reached {
			return
		}
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("refused %q with %d", body, rec.Code)
		}
		var resp struct {
			Errors []struct{ Message string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) != 1 {
			t.Fatalf("refusal of %q is not one GraphQL error: %s", body, rec.Body)
		}
		// Fixed wording is what guarantees that nothing of the body, which
		// may hold a token or personal data, comes back.
		if !refusals[resp.Errors[0].Message] {
			t.Fatalf("refusal of %q with an unexpected message: %s", body, rec.Body)
		}
	})
}
