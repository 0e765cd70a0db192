// Package authz holds every privacy rule of usergroups: who may read and
// write which rows. The ent schemas wire these policies to their entities,
// so the rules hold on every path — node lookups, nested edges, filters,
// counts — and the dashboards' viewerCan* fields use the same functions.
//
// Read rules filter rather than fail: rows the viewer may not see are left
// out of lists and totals, and a direct lookup of one is "not found".
package authz

import (
	"context"
	"fmt"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/viewer"
)

// allowSystem lets the system context (seeding, jobs, the command line) through.
var allowSystem = privacy.ContextQueryMutationRule(func(ctx context.Context) error {
	if viewer.FromContext(ctx).IsSystem() {
		return privacy.Allow
	}
	return privacy.Skip
})

// allowAdminRead lets global admins read everything.
var allowAdminRead = privacy.QueryRuleFunc(func(ctx context.Context, _ ent.Query) error {
	if viewer.FromContext(ctx).IsAdmin() {
		return privacy.Allow
	}
	return privacy.Skip
})

// allowEveryone makes an entity public.
var allowEveryone = privacy.QueryRuleFunc(func(context.Context, ent.Query) error { return privacy.Allow })

// requireWriteScope refuses writes from anonymous viewers and from API
// tokens without the write scope, before any other rule is asked.
var requireWriteScope = privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
	v := viewer.FromContext(ctx)
	if v.IsSystem() {
		return privacy.Skip
	}
	if v.ViaToken() && !v.HasScope(viewer.ScopeWrite) {
		return denyTokenScope("this API token may not make changes (it lacks the write scope)")
	}
	if !v.HasScope(viewer.ScopeWrite) {
		return privacy.Denyf("this credential may not make changes")
	}
	return privacy.Skip
})

// denyTokenScope is a privacy denial about the credential rather than the
// person, which the presenter shows as FORBIDDEN with reason TOKEN_SCOPE.
func denyTokenScope(msg string) error {
	return fmt.Errorf("%w: %w", apierror.TokenScopef("%s", msg), privacy.Deny)
}

// allowAdminWrite lets global admins write.
var allowAdminWrite = privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
	if viewer.FromContext(ctx).IsAdmin() {
		return privacy.Allow
	}
	return privacy.Skip
})

// publicPolicy is for rows anyone may read: writes go through workflows
// run by admins or the system until their own issues add finer rules.
func publicPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowEveryone, privacy.AlwaysDenyRule()},
		Mutation: defaultWrites(),
	}
}

// defaultWrites: system, then scope check, then admins; everyone else is refused.
func defaultWrites(extra ...privacy.MutationRule) privacy.MutationPolicy {
	rules := privacy.MutationPolicy{allowStep, allowSystem, requireWriteScope, allowAdminWrite}
	rules = append(rules, extra...)
	return append(rules, privacy.AlwaysDenyRule())
}

// filtered builds a read policy whose filter rule narrows the query to what
// the viewer may see and then allows it.
func filtered(filter privacy.QueryRule) privacy.QueryPolicy {
	return privacy.QueryPolicy{allowSystem, allowUnfiltered, allowAdminRead, filter, privacy.AlwaysDenyRule()}
}

// Public entities.

// CommunityPolicy: communities are public.
func CommunityPolicy() ent.Policy { return publicPolicy() }

// RegionPolicy: regions are public.
func RegionPolicy() ent.Policy { return publicPolicy() }

// OrganizationPolicy: organizations are public.
func OrganizationPolicy() ent.Policy { return publicPolicy() }

// GroupPolicy: groups in every status are public, proposed ones included
// (the "waiting for approval" list).
func GroupPolicy() ent.Policy { return publicPolicy() }

// UserPolicy: public profiles; private details are other rows.
func UserPolicy() ent.Policy { return publicPolicy() }

// ContributionPolicy: contributions are public (they are what awards tally).
func ContributionPolicy() ent.Policy { return publicPolicy() }

// AwardPolicy: awards are public.
func AwardPolicy() ent.Policy { return publicPolicy() }

// ElectionPolicy: elections are public like the groups holding them.
func ElectionPolicy() ent.Policy { return publicPolicy() }

// CandidatePolicy: candidates are public; their tallies stay hidden until
// the deadline (the column is not in the API; a resolver shows it then).
func CandidatePolicy() ent.Policy { return publicPolicy() }
