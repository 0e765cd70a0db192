package tracing

import (
	"net/http"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// w3c reads and writes the traceparent and tracestate headers; it holds
// no state, so a value serves every caller.
var w3c propagation.TraceContext

// Incoming continues the trace a client's request names in its
// traceparent (and tracestate) headers: the request's operations, and on a
// websocket handshake the socket's operations, become its children. With
// tracing off it returns next itself.
func Incoming(tp trace.TracerProvider, next http.Handler) http.Handler {
	if !Enabled(tp) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("traceparent") != "" {
			r = r.WithContext(w3c.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
		}
		next.ServeHTTP(w, r)
	})
}

// Outgoing is an HTTP client's transport whose requests carry the
// traceparent (and tracestate) of the span in their context; a request
// without one goes out as it is.
type Outgoing struct {
	// Base sends the requests.
	Base http.RoundTripper
}

// RoundTrip sends r through Base, with its trace context.
func (o *Outgoing) RoundTrip(r *http.Request) (*http.Response, error) {
	if !trace.SpanContextFromContext(r.Context()).IsValid() {
		return o.Base.RoundTrip(r)
	}
	// A RoundTripper must not change the request it was given.
	r = r.Clone(r.Context())
	w3c.Inject(r.Context(), propagation.HeaderCarrier(r.Header))
	return o.Base.RoundTrip(r)
}
