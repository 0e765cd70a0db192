package authz

import (
	"context"
	"reflect"
	"strings"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// denyOutOfArea refuses an API token's read of an entity whose read area
// (policy.TypeArea) its scopes do not hold: FORBIDDEN naming the scope, not
// an empty list, so that a tool's owner learns which scope to add rather
// than reading "nothing there". It runs first in every read policy, on
// every path (node lookups, edges, counts, exports); reads a workflow makes
// for its own checks (Unfiltered) are not the token's and pass.
var denyOutOfArea = privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
	v := viewer.FromContext(ctx)
	if !v.ViaToken() || isUnfiltered(ctx) {
		return privacy.Skip
	}
	name := strings.TrimSuffix(reflect.TypeOf(q).Elem().Name(), "Query")
	if area := policy.TypeArea(name); area != "" && !v.CanRead(area) {
		return apierror.MissingScope(viewer.ScopeName(area), "reading "+name)
	}
	return privacy.Skip
})
