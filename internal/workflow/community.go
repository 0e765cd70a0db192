package workflow

import (
	"context"
	"reflect"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// CommunityPolicyUpdate changes some of a community's policy values; the
// fields left nil keep their value.
type CommunityPolicyUpdate struct {
	// ID names the community whose policy changes.
	ID pulid.ID
	policy.Patch
}

// UpdateCommunityPolicy lets a community's staff (its community managers,
// and admins) change its policy values — the objection window, the
// supporter rule, the caps, the windows and terms. Each value is checked
// and only the values given change; the change goes to the change log
// (subscribers) and the audit trail, with the actor. A new value applies to what happens next (the next
// approval's window, the next term), not to deadlines already set.
func (r *Runner) UpdateCommunityPolicy(ctx context.Context, in CommunityPolicyUpdate) (*ent.Community, error) {
	return act(ctx, r, "update community policy", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Community, error) {
		// Locked: two staff members changing different values at once must
		// not write back each other's stale copy of the whole policy.
		com, err := lockCommunityForStaff(ctx, c, v, in.ID, "policy")
		if err != nil {
			return nil, err
		}
		p, err := in.Patch.Apply(com.Policy)
		if err != nil {
			return nil, err
		}
		if reflect.DeepEqual(p, com.Policy) {
			return com, nil
		}
		if err := c.Community.UpdateOneID(com.ID).SetPolicy(p).Exec(ctx); err != nil {
			return nil, err
		}
		if err := changelog.Updated(ctx, c, changelog.TopicCommunity, "Community", string(com.ID), com.ID, ""); err != nil {
			return nil, err
		}
		if err := changelog.Audit(ctx, c, now, changelog.AuditRecord{Action: auditentry.ActionUPDATED,
			NodeType: "Community", NodeID: string(com.ID), Community: com.ID}); err != nil {
			return nil, err
		}
		return c.Community.Get(ctx, com.ID)
	})
}

// lockCommunityForStaff locks a community's row for a change of its
// settings (what names them, for the refusal): only its staff make one.

func lockCommunityForStaff(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID, what string) (*ent.Community, error) {
	q := c.Community.Query().Where(community.ID(id))
	q.Modify(forUpdate)
	com, err := q.Only(ctx)
	if err != nil {
		return nil, notFound(err, "community")
	}
	if !v.IsStaff(com.ID) {
		return nil, apierror.Forbiddenf("only the community's staff may change its %s", what)
	}
	return com, nil
}
