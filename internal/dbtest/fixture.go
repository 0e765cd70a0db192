package dbtest

import (
	"context"
	"testing"

	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/viewer"
)

// FixtureContext is the system's context with the capability to write, for
// a test that lays out its rows one by one (the workflow's tests use
// Runner.Import instead). Only a test can hold it: it takes the test.
func FixtureContext(t testing.TB) context.Context {
	t.Helper()
	return authz.ForFixtures(viewer.SystemContext(context.Background()), t)
}
