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

// code is the API error code of a response's first error (nil without one).
func code(r gqlResponse) any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions["code"]
}
