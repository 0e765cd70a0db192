package workflow

import (
	"context"
	"fmt"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/viewer"
)

// administeredGroup loads a group, with its community, that v administers
// (its organizers, the community's staff); doing completes the refusal
// ("open an election").
func administeredGroup(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID, doing string) (*ent.Group, error) {
	g, err := loadGroup(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if !authz.CanAdministerGroup(v, g) {
		return nil, apierror.Forbiddenf("only the group's organizers and the community's staff may %s", doing)
	}
	return g, nil
}

// statusConflict is the CONFLICT of a step refused because of the state a
// row is in, which it names in extensions.status.
func statusConflict[S ~string](status S, format string, args ...any) error {
	err := apierror.Conflictf("%s", fmt.Sprintf(format, args...))
	err.Extensions = map[string]any{"status": string(status)}
	return err
}

// inGroup reports whether a person holds a live (pending or active) role in
// a group: people are in a roster once.
func inGroup(ctx context.Context, c *ent.Client, groupID, userID pulid.ID) (bool, error) {
	return c.Role.Query().Where(role.UserID(userID), role.GroupID(groupID), role.StatusIn(liveRoles...)).
		Exist(authz.Unfiltered(ctx))
}

// activeInGroup reports whether a person holds any active role in a group.
func activeInGroup(ctx context.Context, c *ent.Client, groupID, userID pulid.ID) (bool, error) {
	return c.Role.Query().Where(role.UserID(userID), role.GroupID(groupID), role.StatusEQ(role.StatusACTIVE)).
		Exist(authz.Unfiltered(ctx))
}

// holds reports whether a person holds an active role of a kind in a group.
func holds(ctx context.Context, c *ent.Client, groupID, userID pulid.ID, kind role.Kind) (bool, error) {
	return c.Role.Query().Where(role.UserID(userID), role.GroupID(groupID), role.KindEQ(kind), role.StatusEQ(role.StatusACTIVE)).
		Exist(authz.Unfiltered(ctx))
}

// activeRole reads, as the actor sees it, the active role of a kind a
// person holds in a group: the payload of a step that granted it.
func activeRole(ctx context.Context, c *ent.Client, groupID, userID pulid.ID, kind role.Kind) (*ent.Role, error) {
	return c.Role.Query().Where(role.UserID(userID), role.GroupID(groupID), role.KindEQ(kind), role.StatusEQ(role.StatusACTIVE)).Only(ctx)
}

// fromPartner refuses a leader who does not work for one of the community's
// partner enterprises where its policy asks for that (openEuler); field
// and role name the refusal.
func fromPartner(ctx context.Context, c *ent.Client, com *ent.Community, userID pulid.ID, field, roles string) error {
	if !com.Policy.LeadersRequirePartner {
		return nil
	}
	ok, err := worksForPartner(authz.Unfiltered(ctx), c, userID, com.ID)
	if err != nil {
		return err
	}
	if !ok {
		return apierror.Invalid(field, "%s's %s come from partner enterprises", com.Name, roles)
	}
	return nil
}

// reader is the client a read outside a step goes through: the transaction
// of the unit ctx is in, if any (a mutation's payload sees the mutation's
// writes and never waits on them), else the runner's client.
func (r *Runner) reader(ctx context.Context) *ent.Client {
	if u, ok := ctx.Value(unitKey{}).(*unit); ok {
		return u.tx.Client()
	}
	return r.client
}
