package server_test

import (
	"net/url"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/store"
)

func urlEscape(s string) string { return url.QueryEscape(s) }

func pulidID(s string) pulid.ID { return pulid.ID(s) }

// dbClient bundles the store with its client for handlers under test.
type dbClient struct {
	*store.DB
	Client *ent.Client
	// now is the handler's clock; nil means time.Now.
	now func() time.Time
}

// at is a clock stopped at t, for a runner whose steps must see a given time.
func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// code is the API error code of a response: its first GraphQL error's
// extensions.code or, without one, the code of the first userErrors entry of
// a root field's payload (the document must select userErrors { code });
// nil when the response has neither.
func code(r gqlResponse) any {
	if len(r.Errors) > 0 {
		return r.Errors[0].Extensions["code"]
	}
	for _, f := range r.Data {
		p, _ := f.(map[string]any)
		if ue, _ := p["userErrors"].([]any); len(ue) > 0 {
			return ue[0].(map[string]any)["code"]
		}
	}
	return nil
}

// userError is the first userErrors entry of the root field name's payload,
// or nil.
func userError(r gqlResponse, name string) map[string]any {
	p, _ := r.Data[name].(map[string]any)
	ue, _ := p["userErrors"].([]any)
	if len(ue) == 0 {
		return nil
	}
	e, _ := ue[0].(map[string]any)
	return e
}
