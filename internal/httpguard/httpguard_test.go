package httpguard_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/httpguard"
)

// reached is a handler standing for gqlgen: it records that it ran and
// what body it was given.
type reached struct {
	called bool
	body   string
	w      http.ResponseWriter
}

func (h *reached) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.called = true
	h.w = w
	b, _ := io.ReadAll(r.Body)
	h.body = string(b)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"data":{"__typename":"Query"}}`)
}

func serve(t *testing.T, cfg httpguard.Config, r *http.Request) (*httptest.ResponseRecorder, *reached) {
	t.Helper()
	next := &reached{}
	rec := httptest.NewRecorder()
	httpguard.Middleware(cfg)(next).ServeHTTP(rec, r)
	return rec, next
}

func post(body, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func get(params url.Values) *http.Request {
	return httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil)
}

type gqlResponse struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// refused checks that the guard answered status with one error of code and
// did not call the GraphQL handler, and returns the error's message.
func refused(t *testing.T, rec *httptest.ResponseRecorder, next *reached, status int, code string) string {
	t.Helper()
	if next.called {
		t.Fatalf("the request reached the GraphQL handler; want %d", status)
	}
	if rec.Code != status {
		t.Fatalf("status = %d, want %d (%s)", rec.Code, status, rec.Body)
	}
	var resp gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("body %q is not a GraphQL response: %v", rec.Body, err)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != code {
		t.Fatalf("errors = %+v, want one with code %s", resp.Errors, code)
	}
	if resp.Data != nil {
		t.Errorf("a refusal has a data entry: %s", rec.Body)
	}
	return resp.Errors[0].Message
}

func passed(t *testing.T, rec *httptest.ResponseRecorder, next *reached) {
	t.Helper()
	if !next.called || rec.Code != http.StatusOK {
		t.Fatalf("refused with %d: %s", rec.Code, rec.Body)
	}
}

func TestAcceptsWellFormedRequests(t *testing.T) {
	for name, body := range map[string]string{
		"query":             `{"query":"{ __typename }"}`,
		"all parameters":    `{"query":"query Q($n: Int) { __typename }","operationName":"Q","variables":{"n":1},"extensions":{"x":1}}`,
		"null parameters":   `{"query":"{ __typename }","operationName":null,"variables":null,"extensions":null}`,
		"apq hash only":     `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
		"unknown parameter": `{"query":"{ __typename }","reserved":true}`,
		"huge number":       `{"query":"{ __typename }","variables":{"n":1e400}}`,
		"surrounding space": " \n{\"query\":\"{ __typename }\"}\n ",
	} {
		t.Run(name, func(t *testing.T) {
			rec, next := serve(t, httpguard.Config{}, post(body, "application/json"))
			passed(t, rec, next)
			if next.body != body {
				t.Errorf("the GraphQL handler read %q, want %q", next.body, body)
			}
		})
	}
	for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/json; charset=utf8"} {
		rec, next := serve(t, httpguard.Config{}, post(`{"query":"{ __typename }"}`, ct))
		passed(t, rec, next)
	}
}

func TestRefusesLargeBodies(t *testing.T) {
	const limit = 1 << 10
	cfg := httpguard.Config{MaxBodyBytes: limit}
	fits := `{"query":"{ __typename }","extensions":{"pad":"` + strings.Repeat("x", limit-50) + `"}}`
	if len(fits) != limit {
		t.Fatalf("len = %d", len(fits))
	}
	rec, next := serve(t, cfg, post(fits, "application/json"))
	passed(t, rec, next)

	over := strings.Replace(fits, "xx", "xxx", 1)
	rec, next = serve(t, cfg, post(over, "application/json"))
	refused(t, rec, next, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")

	// Without a Content-Length the guard must read, but no further than
	// the limit.
	r := post("", "application/json")
	counted := &countingReader{r: io.MultiReader(strings.NewReader(`{"query":"`), infinite{})}
	r.Body, r.ContentLength = io.NopCloser(counted), -1
	rec, next = serve(t, cfg, r)
	refused(t, rec, next, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	if counted.n > limit+1 {
		t.Errorf("read %d bytes of a body over the %d limit", counted.n, limit)
	}

	// A declared length over the limit is refused before reading anything.
	r = post("", "application/json")
	counted = &countingReader{r: infinite{}}
	r.Body, r.ContentLength = io.NopCloser(counted), 10<<20
	rec, next = serve(t, cfg, r)
	refused(t, rec, next, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	if counted.n != 0 {
		t.Errorf("read %d bytes of a body declared too large", counted.n)
	}

	if httpguard.DefaultMaxBodyBytes != 64<<10 {
		t.Errorf("DefaultMaxBodyBytes = %d", httpguard.DefaultMaxBodyBytes)
	}
}

// TestRefusesTenMegabytesFast sends a 10 MB chunked body (no length to
// refuse it by) over a real connection: the 413 must come while the client
// is still sending, not after the server has swallowed it all.
func TestRefusesTenMegabytesFast(t *testing.T) {
	next := &reached{}
	srv := httptest.NewServer(httpguard.Middleware(httpguard.Config{})(next))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	sent := make(chan int64, 1)
	go func() {
		bw := bufio.NewWriter(conn)
		fmt.Fprint(bw, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		var n int64
		for n < 10<<20 {
			if _, err := fmt.Fprintf(bw, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
				break // the server hung up, as it should
			}
			n += int64(len(chunk))
		}
		_, _ = io.WriteString(bw, "0\r\n\r\n")
		_ = bw.Flush()
		sent <- n
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("413 after %v", elapsed)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413", resp.StatusCode)
	}
	if elapsed > 2*time.Second {
		t.Errorf("the 413 took %v", elapsed)
	}
	if next.called {
		t.Error("the body reached the GraphQL handler")
	}
	_ = conn.Close()
	<-sent
}

func TestRefusesOtherMediaTypes(t *testing.T) {
	for name, r := range map[string]*http.Request{
		"form":      post("query=%7B__typename%7D", "application/x-www-form-urlencoded"),
		"multipart": post("--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":\"{ __typename }\"}\r\n--b--\r\n", "multipart/form-data; boundary=b"),
		"text":      post(`{"query":"{ __typename }"}`, "text/plain"),
		"graphql":   post(`{ __typename }`, "application/graphql"),
		"missing":   post(`{"query":"{ __typename }"}`, ""),
		"latin-1":   post(`{"query":"{ __typename }"}`, "application/json; charset=iso-8859-1"),
		"malformed": post(`{"query":"{ __typename }"}`, "application/json; charset"),
		"gzip": func() *http.Request {
			r := post(`{"query":"{ __typename }"}`, "application/json")
			r.Header.Set("Content-Encoding", "gzip")
			return r
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			rec, next := serve(t, httpguard.Config{}, r)
			refused(t, rec, next, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
			if got := rec.Header().Get("Accept-Post"); got != "application/json" {
				t.Errorf("Accept-Post = %q", got)
			}
		})
	}
}

func TestRefusesMalformedBodies(t *testing.T) {
	const secret = "ugt_s3cr3t-token-value"
	for name, tc := range map[string]struct{ body, want string }{
		"broken json":     {`{"query":"{ viewer }","variables":{"token":"` + secret + `"`, "not valid JSON"},
		"trailing data":   {`{"query":"{ __typename }"} {"` + secret + `":1}`, "not valid JSON"},
		"batch":           {`[{"query":"{ __typename }"},{"query":"` + secret + `"}]`, "batching is not supported"},
		"empty":           {"", "empty"},
		"blank":           {" \r\n\t", "empty"},
		"string":          {`"` + secret + `"`, "must be a JSON object"},
		"number":          {`42`, "must be a JSON object"},
		"null":            {`null`, "must be a JSON object"},
		"no query":        {`{"qeury":"` + secret + `"}`, "query parameter is required"},
		"empty query":     {`{"query":""}`, "query parameter is required"},
		"null query":      {`{"query":null}`, "query parameter is required"},
		"apq not object":  {`{"extensions":{"persistedQuery":"` + secret + `"}}`, "query parameter is required"},
		"query object":    {`{"query":{"` + secret + `":1}}`, "query must be a string"},
		"query number":    {`{"query":0}`, "query must be a string"},
		"query boolean":   {`{"query":false}`, "query must be a string"},
		"query array":     {`{"query":["` + secret + `"]}`, "query must be a string"},
		"query any case":  {`{"QUERY":7,"query":"{ __typename }"}`, "query must be a string"},
		"operation name":  {`{"query":"{ __typename }","operationName":0}`, "operationName must be a string"},
		"variables":       {`{"query":"{ __typename }","variables":["` + secret + `"]}`, "variables must be an object"},
		"variables text":  {`{"query":"{ __typename }","variables":"string"}`, "variables must be an object"},
		"extensions":      {`{"query":"{ __typename }","extensions":false}`, "extensions must be an object"},
		"extensions case": {`{"query":"{ __typename }","Extensions":[1]}`, "extensions must be an object"},
	} {
		t.Run(name, func(t *testing.T) {
			rec, next := serve(t, httpguard.Config{}, post(tc.body, "application/json"))
			msg := refused(t, rec, next, http.StatusBadRequest, "BAD_REQUEST")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q, want it to mention %q", msg, tc.want)
			}
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("the response echoes the body: %s", rec.Body)
			}
		})
	}
}

func TestGETRefusesMutations(t *testing.T) {
	for name, params := range map[string]url.Values{
		"mutation":     {"query": {"mutation { logout }"}},
		"subscription": {"query": {"subscription { changes { id } }"}},
		"named":        {"query": {"query Q { a } mutation M { b }"}, "operationName": {"M"}},
	} {
		t.Run(name, func(t *testing.T) {
			rec, next := serve(t, httpguard.Config{}, get(params))
			refused(t, rec, next, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
			if got := rec.Header().Get("Allow"); got != "POST" {
				t.Errorf("Allow = %q, want POST", got)
			}
		})
	}
	// Everything else about the query is for gqlgen to judge.
	for name, params := range map[string]url.Values{
		"query":          {"query": {"{ __typename }"}},
		"named query":    {"query": {"query Q { a } mutation M { b }"}, "operationName": {"Q"}},
		"unnamed choice": {"query": {"query Q { a } mutation M { b }"}},
		"unknown name":   {"query": {"mutation M { b }"}, "operationName": {"X"}},
		"syntax error":   {"query": {"mutation {"}},
		"apq hash only":  {"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"abc"}}`}},
		"bad extensions": {"extensions": {`{"persistedQuery":`}},
	} {
		t.Run(name, func(t *testing.T) {
			rec, next := serve(t, httpguard.Config{}, get(params))
			passed(t, rec, next)
		})
	}
	rec, next := serve(t, httpguard.Config{}, get(url.Values{"variables": {"{}"}}))
	refused(t, rec, next, http.StatusBadRequest, "BAD_REQUEST")

	long := url.Values{"query": {"{ " + strings.Repeat("a ", 600) + "}"}}
	rec, next = serve(t, httpguard.Config{MaxBodyBytes: 1 << 10}, get(long))
	refused(t, rec, next, http.StatusRequestURITooLong, "PAYLOAD_TOO_LARGE")
}

func TestRefusesOtherMethods(t *testing.T) {
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead, "PROPFIND"} {
		r := httptest.NewRequest(method, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		r.Header.Set("Content-Type", "application/json")
		rec, next := serve(t, httpguard.Config{}, r)
		if next.called || rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s = %d, want 405", method, rec.Code)
		}
		if got := rec.Header().Get("Allow"); got != "GET, POST" {
			t.Errorf("%s: Allow = %q", method, got)
		}
	}
	// CORS preflights are the CORS middleware's; one that reaches here
	// (no Origin) goes on to gqlgen's OPTIONS answer.
	rec, next := serve(t, httpguard.Config{}, httptest.NewRequest(http.MethodOptions, "/graphql", nil))
	passed(t, rec, next)
}

// hijackable is a ResponseWriter a websocket transport could take over.
type hijackable struct{ *httptest.ResponseRecorder }

func (hijackable) Hijack() (net.Conn, *bufio.ReadWriter, error) { return nil, nil, nil }

func TestWebSocketUpgradesPassUntouched(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "WebSocket")
	w := hijackable{httptest.NewRecorder()}
	next := &reached{}
	httpguard.Middleware(httpguard.Config{})(next).ServeHTTP(w, r)
	if !next.called {
		t.Fatal("the upgrade did not reach the websocket transport")
	}
	if next.w != http.ResponseWriter(w) {
		t.Errorf("the websocket transport got a wrapped writer %T: it could not hijack", next.w)
	}
	if !httpguard.IsWebSocket(r) {
		t.Error("IsWebSocket = false")
	}
}

func TestResponseMediaType(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                  httpguard.MediaTypeJSON,
		"*/*":                               httpguard.MediaTypeJSON,
		"application/*":                     httpguard.MediaTypeJSON,
		"text/html":                         httpguard.MediaTypeJSON,
		"application/json":                  httpguard.MediaTypeJSON,
		"application/graphql-response+json": httpguard.MediaTypeGraphQLResponse,
		"application/graphql-response+json, application/json;q=0.9": httpguard.MediaTypeGraphQLResponse,
		"application/json, application/graphql-response+json":       httpguard.MediaTypeJSON,
		"application/json;q=0.5, application/graphql-response+json": httpguard.MediaTypeGraphQLResponse,
		"application/graphql-response+json;q=0, */*":                httpguard.MediaTypeJSON,
	} {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := httpguard.ResponseMediaType(r); got != want {
			t.Errorf("Accept %q: %s, want %s", accept, got, want)
		}
	}
	// Refusals follow it.
	r := post("[]", "application/json")
	r.Header.Set("Accept", "application/graphql-response+json")
	rec, _ := serve(t, httpguard.Config{}, r)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, httpguard.MediaTypeGraphQLResponse) {
		t.Errorf("Content-Type = %q", ct)
	}
	rec, _ = serve(t, httpguard.Config{}, post("[]", "application/json"))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}

// TestConformsGQLGenResponses feeds gqlgen's answers through the guard.
func TestConformsGQLGenResponses(t *testing.T) {
	answer := func(status int, contentType, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		})
	}
	const parseError = `{"errors":[{"message":"Expected Name","extensions":{"code":"GRAPHQL_PARSE_FAILED"}}],"data":null}`
	for name, tc := range map[string]struct {
		r          *http.Request
		h          http.Handler
		status     int
		body, tail string
	}{
		"422 json": {post(`{"query":"{"}`, "application/json"), answer(422, "application/json", parseError), 200, parseError, ""},
		"400 graphql-response": {post(`{"query":"{"}`, "application/json"), answer(400, httpguard.MediaTypeGraphQLResponse, parseError), 400,
			`{"errors":[{"message":"Expected Name","extensions":{"code":"GRAPHQL_PARSE_FAILED"}}]}`, ""},
		"200 graphql-response": {post(`{"query":"{ a }"}`, "application/json"), answer(200, httpguard.MediaTypeGraphQLResponse, `{"data":null}`), 200, `{"data":null}`, ""},
		"406 get": {get(url.Values{"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"abc"}}`}}),
			answer(406, "application/json", `{"errors":[{"message":"GET requests only allow query operations"}],"data":null}`), 405, "", "POST"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpguard.Middleware(httpguard.Config{})(tc.h).ServeHTTP(rec, tc.r)
			if rec.Code != tc.status {
				t.Errorf("status = %d, want %d", rec.Code, tc.status)
			}
			if tc.body != "" && rec.Body.String() != tc.body {
				t.Errorf("body = %s\nwant   %s", rec.Body, tc.body)
			}
			if rec.Header().Get("Allow") != tc.tail {
				t.Errorf("Allow = %q, want %q", rec.Header().Get("Allow"), tc.tail)
			}
		})
	}
	rec := httptest.NewRecorder()
	httpguard.Middleware(httpguard.Config{KeepGQLGenStatus: true})(answer(422, "application/json", parseError)).
		ServeHTTP(rec, post(`{"query":"{"}`, "application/json"))
	if rec.Code != 422 {
		t.Errorf("KeepGQLGenStatus: status = %d, want gqlgen's 422", rec.Code)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

type infinite struct{}

func (infinite) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
