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

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// allowSystem lets the system context (jobs, the command line) read
// everything; it writes like anyone else, through workflow steps.
var allowSystem = privacy.QueryRuleFunc(func(ctx context.Context, _ ent.Query) error {
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

// publicPolicy is for rows anyone may read: writes go through workflows
// run by admins or the system until their own issues add finer rules.
func publicPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{denyOutOfArea, allowEveryone, privacy.AlwaysDenyRule()},
		Mutation: writes(),
	}
}

// writes is every entity's write policy: one rule, requireStep. Who may
// take a step is decided by the step, in internal/workflow, so a write has
// exactly one place that allows it and any other write is refused.
func writes() privacy.MutationPolicy {
	return privacy.MutationPolicy{requireStep}
}

// filtered builds a read policy whose filter rule narrows the query to what
// the viewer may see and then allows it.
func filtered(filter privacy.QueryRule) privacy.QueryPolicy {
	return privacy.QueryPolicy{allowSystem, allowUnfiltered, denyOutOfArea, allowAdminRead, filter, privacy.AlwaysDenyRule()}
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

// AwardPolicy: awards are public.
func AwardPolicy() ent.Policy { return publicPolicy() }

// ElectionPolicy: elections are public like the groups holding them.
func ElectionPolicy() ent.Policy { return publicPolicy() }

// CandidatePolicy: candidates are public; their tallies stay hidden until
// the deadline (the column is not in the API; a resolver shows it then).
func CandidatePolicy() ent.Policy { return publicPolicy() }
