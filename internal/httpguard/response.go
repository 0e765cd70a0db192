package httpguard

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/usergroups/usergroups/internal/apierror"
)

// The response media types of the GraphQL over HTTP specification.
const (
	// MediaTypeJSON is the legacy type: status codes other than 200 may come
	// from intermediaries, so clients cannot trust them.
	MediaTypeJSON = "application/json"
	// MediaTypeGraphQLResponse is the spec's own type, whose 4xx and 5xx
	// statuses clients may trust.
	MediaTypeGraphQLResponse = "application/graphql-response+json"
)

// ResponseMediaType returns the media type a response to r should use: the
// one of the two GraphQL media types the Accept header prefers (by q value,
// then by order), and application/json when it names neither — as gqlgen
// does when Accept is missing or a wildcard, and as the spec's audit
// expects.
func ResponseMediaType(r *http.Request) string {
	best, bestQ := MediaTypeJSON, -1.0
	for _, v := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(s, 64); err != nil {
					continue
				}
			}
			var candidate string
			switch mt {
			case MediaTypeGraphQLResponse:
				candidate = MediaTypeGraphQLResponse
			case MediaTypeJSON, "application/*", "*/*":
				candidate = MediaTypeJSON
			default:
				continue
			}
			if q > 0 && q > bestQ {
				best, bestQ = candidate, q
			}
		}
	}
	return best
}

// WriteError answers r with status and a GraphQL response holding e alone,
// with extensions.code, in the media type r accepts. It has no data entry:
// the request was not executed, which is what a 4xx or 5xx status says in
// application/graphql-response+json.
func WriteError(w http.ResponseWriter, r *http.Request, status int, e *apierror.Error) {
	ext := make(map[string]any, len(e.Extensions)+1)
	for k, v := range e.Extensions {
		ext[k] = v
	}
	ext["code"] = string(e.Code)
	body, _ := json.Marshal(map[string]any{
		"errors": []map[string]any{{"message": e.Message, "extensions": ext}},
	})
	h := w.Header()
	h.Set("Content-Type", ResponseMediaType(r)+"; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func refuse(w http.ResponseWriter, r *http.Request, status int, code apierror.Code, msg string) {
	WriteError(w, r, status, &apierror.Error{Code: code, Message: msg})
}

// maxHeld bounds the error body conformWriter holds back to rewrite; gqlgen's
// error bodies are a few hundred bytes, and a larger one passes unchanged.
const maxHeld = 64 << 10

// conformWriter fixes the few statuses and bodies of gqlgen that the GraphQL
// over HTTP spec words otherwise (see Config.KeepGQLGenStatus).
type conformWriter struct {
	http.ResponseWriter
	get         bool // the request was a GET
	wroteHeader bool
	held        *bytes.Buffer // a graphql-response+json error body, until finish
	status      int
}

func (c *conformWriter) WriteHeader(code int) {
	if c.wroteHeader {
		return
	}
	c.wroteHeader = true
	mt, _, _ := mime.ParseMediaType(c.Header().Get("Content-Type"))
	switch {
	case c.get && code == http.StatusNotAcceptable:
		// gqlgen's GET answer to a mutation it found through an APQ hash.
		c.Header().Set("Allow", "POST")
		code = http.StatusMethodNotAllowed
	case code == http.StatusUnprocessableEntity && mt == MediaTypeJSON:
		// A document that does not parse or validate: the spec asks for 200
		// with application/json, whose other statuses clients cannot trust.
		code = http.StatusOK
	}
	if code >= 400 && mt == MediaTypeGraphQLResponse {
		c.held, c.status = new(bytes.Buffer), code
		return
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *conformWriter) Write(p []byte) (int, error) {
	if !c.wroteHeader {
		c.WriteHeader(http.StatusOK)
	}
	if c.held == nil {
		return c.ResponseWriter.Write(p)
	}
	if c.held.Len()+len(p) <= maxHeld {
		return c.held.Write(p)
	}
	c.release(c.held.Bytes())
	return c.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (c *conformWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// finish sends a held body once the handler is done with it.
func (c *conformWriter) finish() {
	if c.held != nil {
		c.release(withoutNullData(c.held.Bytes()))
	}
}

func (c *conformWriter) release(body []byte) {
	c.held = nil
	c.Header().Del("Content-Length")
	c.ResponseWriter.WriteHeader(c.status)
	_, _ = c.ResponseWriter.Write(body)
}

// withoutNullData drops a "data": null entry from a GraphQL response: a 4xx
// application/graphql-response+json response means the request was not
// executed, which the spec expresses by leaving data out.
func withoutNullData(body []byte) []byte {
	var resp map[string]json.RawMessage
	if json.Unmarshal(body, &resp) != nil {
		return body
	}
	data, ok := resp["data"]
	if !ok || string(bytes.TrimSpace(data)) != "null" {
		return body
	}
	delete(resp, "data")
	out, err := json.Marshal(resp)
	if err != nil {
		return body
	}
	return out
}
