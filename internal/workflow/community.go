package workflow

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/policy"
)

// CommunityPolicyUpdate changes some of a community's policy values; the
// fields left nil keep their value.
type CommunityPolicyUpdate struct {
	Community pulid.ID
	policy.Patch
}

// UpdateCommunityPolicy lets a community's staff (its community managers,
// and admins) change its policy values — the objection window, the
// supporter rule, the caps, the windows and terms. Each value is checked
// and only the values given change; the change is audited in the change
// log with the actor. A new value applies to what happens next (the next
// approval's window, the next term), not to deadlines already set.
func UpdateCommunityPolicy(ctx context.Context, c *ent.Client, in CommunityPolicyUpdate) (*ent.Community, error) {
	v, err := requireWriter(ctx)
	if err != nil {
		return nil, err
	}
	bk := bookkeeping(ctx)
	// Locked: two staff members changing different values at once must
	// not write back each other's stale copy of the whole policy.
	q := c.Community.Query().Where(community.ID(in.Community))
	q.Modify(forUpdate)
	com, err := q.Only(bk)
	if ent.IsNotFound(err) {
		return nil, apierror.NotFoundf("no community with that id")
	}
	if err != nil {
		return nil, err
	}
	if !v.IsStaff(com.ID) {
		return nil, apierror.Forbiddenf("only the community's staff may change its policy")
	}
	p, err := in.Patch.Apply(com.Policy)
	if err != nil {
		return nil, err
	}
	if p == com.Policy {
		return com, nil
	}
	if err := c.Community.UpdateOneID(com.ID).SetPolicy(p).Exec(bk); err != nil {
		return nil, err
	}
	if err := changelog.Updated(bk, c, changelog.TopicCommunity, "Community", string(com.ID), com.ID, ""); err != nil {
		return nil, err
	}
	return c.Community.Get(ctx, com.ID)
}
