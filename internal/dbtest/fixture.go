package dbtest

import (
	"context"
	"testing"

	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/viewer"
)

// FixtureContext is the system's context with the capability to write, for
// a test that lays out its rows one by one in its own transaction (the
// workflow's tests use Runner.Import instead). It takes the test so that
// only tests can hold it: production code has no testing.TB to give.
func FixtureContext(t testing.TB) context.Context {
	t.Helper()
	return authz.Permit(viewer.SystemContext(context.Background()), "test fixture")
}
