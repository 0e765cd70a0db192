// Package transport holds the ways a GraphQL operation reaches the server:
// GraphQL over HTTP (GET and POST, with the status codes of the
// graphql-over-HTTP specification and 503 for a service that is down) here,
// and GraphQL over WebSocket in transport/ws. None of them knows the schema,
// the database or who may do what; internal/server assembles them.
package transport

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// POST is gqlgen's transport.POST with one change: a response is
// written as it is rather than through json.Marshal. json.Marshal
// re-validates and compacts the executor's `data` (a json.RawMessage the
// executor has just written itself): for a 110 KB dashboard that was a
// quarter of the executor's time. Content negotiation and status codes
// are gqlgen's (the graphql-http audit checks them), plus 503 for a
// response unavailableWhole.
type POST struct{}

var _ graphql.Transport = POST{}

// Supports accepts POST requests with a JSON body (the HTTP guard has
// refused every other content type already).
func (POST) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mediaType == "application/json"
}

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// Do runs the operation in the body and writes the answer.
func (POST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)
	start := graphql.Now()
	var params graphql.RawParams
	body, err := io.ReadAll(r.Body)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		err = dec.Decode(&params)
	}
	if err != nil {
		// The guard refuses bodies that do not decode before they get
		// here; this is for handlers mounted without it. The body is not
		// echoed.
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("the request body is not a GraphQL request")}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr == nil {
		opErr = refuseSubscription(rc)
	}
	if opErr != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
			if contentType == mediaGraphQLResponse {
				status = http.StatusBadRequest
			}
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if status := wholeStatus(resp); status != http.StatusOK {
		w.WriteHeader(status)
	}
	writeResponse(w, resp)
}

// CodeSubscriptionOverHTTP is the extensions.code of a subscription sent
// over HTTP GET or POST: it is served on the websocket only.
const CodeSubscriptionOverHTTP = "SUBSCRIPTION_OVER_HTTP"

func init() { errcode.RegisterErrorType(CodeSubscriptionOverHTTP, errcode.KindProtocol) }

// refuseSubscription refuses a subscription sent over HTTP at once. The
// executor would otherwise start it and answer with its first event, so
// the request hung until something changed; a protocol error answers with
// 422 (400 for application/graphql-response+json), as for any operation
// this transport cannot run.
func refuseSubscription(rc *graphql.OperationContext) gqlerror.List {
	if rc == nil || rc.Operation == nil || rc.Operation.Operation != ast.Subscription {
		return nil
	}
	err := gqlerror.Errorf("subscriptions are served over WebSocket only (the graphql-transport-ws protocol, on this same path), not over HTTP GET or POST")
	errcode.Set(err, CodeSubscriptionOverHTTP)
	return gqlerror.List{err}
}

// responseContentType picks the media type the client accepts, as gqlgen
// does: application/json unless only application/graphql-response+json
// (or nothing we know) is acceptable.
func responseContentType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

// writeResponse writes r as JSON. The common case (data, no errors, no
// incremental delivery) is assembled around the executor's bytes; the rest
// goes through encoding/json.
func writeResponse(w io.Writer, r *graphql.Response) {
	if r == nil {
		_, _ = io.WriteString(w, `{"data":null}`)
		return
	}
	if len(r.Errors) > 0 || r.Label != "" || r.Path != nil || r.HasNext != nil || len(r.Data) == 0 {
		b, err := json.Marshal(r)
		if err != nil {
			b = []byte(`{"errors":[{"message":"the response could not be encoded"}]}`)
		}
		_, _ = w.Write(b)
		return
	}
	// Written in pieces, not copied into one buffer: the response writer
	// buffers already.
	_, _ = io.WriteString(w, `{"data":`)
	_, _ = w.Write(r.Data)
	if len(r.Extensions) > 0 {
		if ext, err := json.Marshal(r.Extensions); err == nil {
			_, _ = io.WriteString(w, `,"extensions":`)
			_, _ = w.Write(ext)
		}
	}
	_, _ = io.WriteString(w, "}")
}

// AddHTTP adds the HTTP transports to srv: gqlgen's OPTIONS, then GET and
// POST.
func AddHTTP(srv *handler.Server) {
	srv.AddTransport(transport.Options{})
	srv.AddTransport(GET{})
	srv.AddTransport(POST{})
}
