package transport

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/usergroups/usergroups/internal/apierror"
)

// unavailableWhole reports whether a response failed as a whole because
// a part of the service is down: an UNAVAILABLE error and no root field
// with a value. Such a response goes out as 503, which tells a load
// balancer or client to retry (elsewhere, or later) rather than take the
// empty answer for one; a partial answer stays 200.
func unavailableWhole(resp *graphql.Response) bool {
	if resp == nil || len(resp.Errors) == 0 {
		return false
	}
	unavailable := false
	for _, e := range resp.Errors {
		if e.Extensions["code"] == string(apierror.Unavailable) {
			unavailable = true
			break
		}
	}
	if !unavailable {
		return false
	}
	if len(resp.Data) == 0 || string(resp.Data) == "null" {
		return true
	}
	var root map[string]json.RawMessage
	if err := json.Unmarshal(resp.Data, &root); err != nil {
		return false
	}
	for _, v := range root {
		if string(v) != "null" {
			return false
		}
	}
	return true
}

// wholeStatus is the HTTP status of a response: 503 when it is
// unavailableWhole; 403 when it was refused before it ran (no data at all)
// because the API token lacks a scope (extensions.missingScope), which a
// client tells from any other refusal without reading the body; else 200.
func wholeStatus(resp *graphql.Response) int {
	if unavailableWhole(resp) {
		return http.StatusServiceUnavailable
	}
	if resp != nil && len(resp.Data) == 0 {
		for _, e := range resp.Errors {
			if _, ok := e.Extensions["missingScope"]; ok {
				return http.StatusForbidden
			}
		}
	}
	return http.StatusOK
}

// GET is gqlgen's GET transport with the status of POST: 503 for a
// response unavailableWhole.
type GET struct{ transport.GET }

// Do serves a query sent as GET.
func (t GET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	t.GET.Do(w, r, statusExecutor{GraphExecutor: exec, w: w})
}

// statusExecutor writes the status of an operation's response before the
// transport writes its body.
type statusExecutor struct {
	graphql.GraphExecutor
	w http.ResponseWriter
}

// CreateOperationContext refuses a subscription with a code before gqlgen's
// GET refuses every operation but a query without one.
func (e statusExecutor) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	rc, errs := e.GraphExecutor.CreateOperationContext(ctx, params)
	if errs == nil {
		errs = refuseSubscription(rc)
	}
	return rc, errs
}

func (e statusExecutor) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	responses, ctx := e.GraphExecutor.DispatchOperation(ctx, rc)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if status := wholeStatus(resp); status != http.StatusOK {
			e.w.WriteHeader(status)
		}
		return resp
	}, ctx
}
