// Package httpguard refuses malformed or abusive GraphQL-over-HTTP requests
// before they reach gqlgen, and brings gqlgen's answers in line with the
// GraphQL over HTTP specification where they stray.
//
// gqlgen reads a POST body whole and without limit, echoes an undecodable
// body back to the client (and into the log), accepts any JSON shape it can
// half-decode, and answers a mutation sent over GET with 406. The guard reads
// at most Config.MaxBodyBytes, refuses what is not a single well-formed
// request object with a fixed message, and leaves GraphQL parse and
// validation errors to gqlgen, which reports them better.
//
// It is placed in front of the /graphql handler, before authentication so
// that garbage costs no credential lookup. WebSocket upgrades and OPTIONS
// requests pass through untouched: the websocket transport checks its own
// handshake, and CORS preflights must reach the CORS middleware's answer.
package httpguard

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/usergroups/usergroups/internal/apierror"
)

// Error codes of the refusals, sent as extensions.code. They are transport
// errors, raised before GraphQL sees the request, so they are not among the
// GraphQL layer's codes in apierror.
const (
	// BadRequest: the body is not one GraphQL-over-HTTP request object.
	BadRequest apierror.Code = "BAD_REQUEST"
	// PayloadTooLarge: the body or query string exceeds Config.MaxBodyBytes.
	PayloadTooLarge apierror.Code = "PAYLOAD_TOO_LARGE"
	// UnsupportedMediaType: a POST that is not application/json.
	UnsupportedMediaType apierror.Code = "UNSUPPORTED_MEDIA_TYPE"
	// MethodNotAllowed: a method other than GET and POST, or a mutation or
	// subscription sent over GET.
	MethodNotAllowed apierror.Code = "METHOD_NOT_ALLOWED"
)

// DefaultMaxBodyBytes is the default cap on a request body (and on a GET
// query string). The largest operations of the schema with their variables
// take a few KiB; the cap exists so that a client cannot make the server
// hold megabytes per request.
const DefaultMaxBodyBytes = 64 << 10

// Config sets the guard's limits. The zero value uses the defaults.
type Config struct {
	// MaxBodyBytes caps a POST body and a GET query string; 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// KeepGQLGenStatus leaves gqlgen's responses as they are. By default the
	// guard changes two things the spec and its audit ask for: 422 becomes
	// 200 on application/json responses (a document that fails to parse or
	// validate is a well-formed request: the GraphQL errors say what is
	// wrong), and a 4xx application/graphql-response+json response loses
	// its "data": null entry (no data entry means the request was not
	// executed). A mutation sent over GET that only gqlgen can recognise
	// (an APQ hash without the query) is answered 405 instead of 406.
	KeepGQLGenStatus bool
}

func (c Config) maxBody() int64 {
	if c.MaxBodyBytes > 0 {
		return c.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// Middleware returns the guard for the /graphql handler next.
func Middleware(cfg Config) func(next http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return &guard{cfg: cfg, next: next}
	}
}

type guard struct {
	cfg  Config
	next http.Handler
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if IsWebSocket(r) || r.Method == http.MethodOptions {
		g.next.ServeHTTP(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		if !g.checkGet(w, r) {
			return
		}
	case http.MethodPost:
		var ok bool
		if r, ok = g.readPost(w, r); !ok {
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		refuse(w, r, http.StatusMethodNotAllowed, MethodNotAllowed,
			"use POST (or GET for queries) to send GraphQL requests")
		return
	}
	if g.cfg.KeepGQLGenStatus {
		g.next.ServeHTTP(w, r)
		return
	}
	cw := &conformWriter{ResponseWriter: w, get: r.Method == http.MethodGet}
	g.next.ServeHTTP(cw, r)
	cw.finish()
}

// IsWebSocket reports whether r asks for a WebSocket upgrade, by the same
// rule as the websocket transport, so that every request it would claim
// passes the HTTP middlewares untouched.
func IsWebSocket(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), "websocket") {
				return true
			}
		}
	}
	return false
}

// checkGet refuses a GET that is too long, names no query, or would run a
// mutation or subscription. It parses the query only to learn the
// operation's type: a query that does not parse goes on to gqlgen, whose
// parse errors carry locations.
func (g *guard) checkGet(w http.ResponseWriter, r *http.Request) bool {
	if int64(len(r.URL.RawQuery)) > g.cfg.maxBody() {
		refuse(w, r, http.StatusRequestURITooLong, PayloadTooLarge, "the query string is too long: send the request with POST")
		return false
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return true // gqlgen answers 400 with the reason
	}
	query := params.Get("query")
	if query == "" {
		if ext := params.Get("extensions"); ext != "" {
			m, err := decodeExtensions(ext)
			if err != nil || hasPersistedQuery(m) {
				return true // gqlgen answers a bad extensions parameter, or runs the APQ
			}
		}
		refuse(w, r, http.StatusBadRequest, BadRequest, "the query parameter is required")
		return false
	}
	if !strings.Contains(query, "mutation") && !strings.Contains(query, "subscription") {
		return true // no other operation can be written without its keyword
	}
	doc, perr := parser.ParseQuery(&ast.Source{Input: query})
	if perr != nil {
		return true
	}
	op := doc.Operations.ForName(params.Get("operationName"))
	if op == nil || op.Operation == ast.Query {
		return true // no such operation: gqlgen says so
	}
	w.Header().Set("Allow", "POST")
	how := "send a mutation with POST"
	if op.Operation == ast.Subscription {
		how = "subscriptions are served over WebSocket only (the graphql-transport-ws protocol, on this same path)"
	}
	refuse(w, r, http.StatusMethodNotAllowed, MethodNotAllowed, "GET may only run queries: "+how)
	return false
}

// readPost checks the media type, reads the body up to the limit and checks
// its shape, and returns the request with the body to be read again.
func (g *guard) readPost(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if msg := checkContentType(r.Header); msg != "" {
		// Form and multipart bodies must go: a browser sends them cross-site
		// without a CORS preflight, so accepting them would open the API to
		// CSRF. application/json always needs a preflight.
		w.Header().Set("Accept-Post", "application/json")
		refuse(w, r, http.StatusUnsupportedMediaType, UnsupportedMediaType, msg)
		return r, false
	}
	limit := g.cfg.maxBody()
	if r.ContentLength > limit {
		refuse(w, r, http.StatusRequestEntityTooLarge, PayloadTooLarge, tooLarge)
		return r, false
	}
	size := max(r.ContentLength, 0)
	var buf bytes.Buffer
	// ReadFrom wants MinRead bytes free before each read, EOF included:
	// growing by that once keeps a declared length to one allocation.
	buf.Grow(int(size) + bytes.MinRead)
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			refuse(w, r, http.StatusRequestEntityTooLarge, PayloadTooLarge, tooLarge)
		} else {
			refuse(w, r, http.StatusBadRequest, BadRequest, "the request body could not be read")
		}
		return r, false
	}
	if msg := checkBody(buf.Bytes()); msg != "" {
		refuse(w, r, http.StatusBadRequest, BadRequest, msg)
		return r, false
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	r2.ContentLength = int64(buf.Len())
	return r2, true
}

const tooLarge = "the request body is too large"

// checkContentType returns why a POST's Content-Type is refused, or "".
func checkContentType(h http.Header) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return "the Content-Type header is missing: send application/json"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return "the request body must be application/json"
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return "the request body must be encoded in UTF-8"
	}
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return "compressed request bodies are not supported"
	}
	return ""
}
