package dbtest

import (
	"context"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/auth/secret"
)

// APIToken stores an API token of owner with scopes (as stored: "write"
// comes with "read") through c — a fixture's own transaction, which the
// workflow's CreateAPIToken step cannot join — and returns its secret and
// row. Tests that are not laying out rows in a transaction create tokens
// with workflow.Runner.CreateAPIToken, as the API and command line do.
func APIToken(t testing.TB, ctx context.Context, c *ent.Client, owner pulid.ID, scopes ...string) (string, *ent.APIToken) {
	t.Helper()
	s, err := secret.New()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.APIToken.Create().SetOwnerID(owner).SetName("fixture").SetScopes(scopes).
		SetTokenHash(secret.Hash(s)).SetHint(secret.Hint(s)).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s, tok
}
