package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/apitoken"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/serviceaccount"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// NewServiceAccount describes a service account to create.
type NewServiceAccount struct {
	// Community is the community's id or slug.
	Community pulid.ID
	// Group, when set, limits the account to one group (id or
	// community-slug/group-slug); a group's organizers create only these.
	Group   *pulid.ID
	Name    string
	Purpose string
	// OwnerID is the person answerable for the tool; the creator when empty.
	OwnerID *pulid.ID
}

// serviceAccountManager refuses API tokens and anonymous viewers: service
// accounts hold credentials, which a person signed in manages.
func serviceAccountManager(v *viewer.Viewer) error {
	switch {
	case v.ViaToken():
		return apierror.TokenScopef("service accounts are managed by a signed-in person, not with an API token")
	case !v.IsUser() && !v.IsSystem():
		return apierror.Unauthenticatedf("sign in to manage service accounts")
	}
	return nil
}

// CreateServiceAccount creates a service account and its own user (named
// after the tool, with no sign-in and no roles). The community's staff
// create accounts for the community or any of its groups; a group's
// organizers for their group only. The creation is audited.
func (r *Runner) CreateServiceAccount(ctx context.Context, in NewServiceAccount) (*ent.ServiceAccount, error) {
	return act(ctx, r, "create service account", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.ServiceAccount, error) {
		if err := serviceAccountManager(v); err != nil {
			return nil, err
		}
		comID, groupID, err := reachOf(ctx, c, in.Community, in.Group)
		if err != nil {
			return nil, err
		}
		if !authz.CanManageServiceAccount(v, comID, groupID) {
			return nil, apierror.Forbiddenf("only the community's staff, or the group's organizers for their group, create service accounts")
		}
		name, err := checkText("name", in.Name, 100)
		if err != nil {
			return nil, err
		}
		purpose, err := checkText("purpose", in.Purpose, 500)
		if err != nil {
			return nil, err
		}
		owner := v.UserID
		if in.OwnerID != nil {
			if owner, err = accountOwner(ctx, c, *in.OwnerID); err != nil {
				return nil, err
			}
		}
		id := pulid.New("usr")
		u, err := c.User.Create().SetID(id).SetHandle(serviceHandle(id)).SetName(name + " (service account)").Save(ctx)
		if err != nil {
			return nil, err
		}
		create := c.ServiceAccount.Create().SetCommunityID(comID).SetOwnerID(owner).SetUserID(u.ID).
			SetName(name).SetPurpose(purpose).SetCreatedAt(now).SetUpdatedAt(now)
		if groupID != "" {
			create.SetGroupID(groupID)
		}
		sa, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		return sa, changelog.Audit(ctx, c, now, changelog.AuditRecord{Action: auditentry.ActionCREATED,
			NodeType: "ServiceAccount", NodeID: string(sa.ID), Community: comID, Group: groupID})
	})
}

// serviceHandle is the handle of a service account's user: "svc-" and the
// user's id, so it never takes a handle a person might want.
func serviceHandle(id pulid.ID) string {
	return "svc-" + strings.ToLower(string(id))
}

// reachOf resolves a community and an optional group in it.
func reachOf(ctx context.Context, c *ent.Client, community pulid.ID, grp *pulid.ID) (pulid.ID, pulid.ID, error) {
	comID, err := ref.Community(ctx, c, "community", community)
	if err != nil || grp == nil {
		return comID, "", err
	}
	groupID, err := ref.Group(ctx, c, "group", *grp)
	if err != nil {
		return "", "", err
	}
	ok, err := c.Group.Query().Where(group.ID(groupID), group.CommunityID(comID)).Exist(authz.Unfiltered(ctx))
	switch {
	case err != nil:
		return "", "", err
	case !ok:
		return "", "", apierror.Invalid("group", "the group is not in that community")
	}
	return comID, groupID, nil
}

// accountOwner checks that the named owner is a person, not another
// service account's user.
func accountOwner(ctx context.Context, c *ent.Client, id pulid.ID) (pulid.ID, error) {
	all := authz.Unfiltered(ctx)
	if ok, err := c.User.Query().Where(user.ID(id)).Exist(all); err != nil || !ok {
		if err == nil {
			err = apierror.Invalid("owner", "no person with that id")
		}
		return "", err
	}
	bot, err := c.ServiceAccount.Query().Where(serviceaccount.UserID(id)).Exist(all)
	if err != nil {
		return "", err
	}
	if bot {
		return "", apierror.Invalid("owner", "a service account is owned by a person")
	}
	return id, nil
}

// managedAccount loads a service account v manages, locked against a
// concurrent deactivation; one v cannot see is NOT_FOUND.
func managedAccount(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID) (*ent.ServiceAccount, error) {
	q := c.ServiceAccount.Query().Where(serviceaccount.ID(id))
	q.Modify(forUpdate)
	sa, err := q.Only(authz.Unfiltered(ctx))
	if err != nil {
		return nil, notFound(err, "service account")
	}
	if !authz.CanManageServiceAccount(v, sa.CommunityID, sa.GroupID) {
		if sa.OwnerID == v.UserID && !v.ViaToken() {
			return nil, apierror.Forbiddenf("the community's staff (or the group's organizers) manage this service account's tokens")
		}
		return nil, apierror.NotFoundf("no service account with that id")
	}
	return sa, nil
}

// NewServiceToken describes an API token to issue to a service account.
type NewServiceToken struct {
	ServiceAccount pulid.ID
	Name           string
	Scopes         []string
	// ExpiresInDays is the token's lifetime (policy.TokenLifetime); nil
	// never expires.
	ExpiresInDays *int
}

// CreateServiceAccountToken issues a token to a service account its
// viewer manages (CanManageServiceAccount), signed in; the token's
// requests act as the account's user with the authority of its reach,
// within the token's scopes. The issue is audited.
func (r *Runner) CreateServiceAccountToken(ctx context.Context, in NewServiceToken) (IssuedToken, error) {
	v := viewer.FromContext(ctx)
	if err := serviceAccountManager(v); err != nil {
		return IssuedToken{}, err
	}
	spec, s, err := r.tokenSpec(in.Scopes, in.ExpiresInDays)
	if err != nil {
		return IssuedToken{}, err
	}
	return act(ctx, r, "create service account token", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (IssuedToken, error) {
		sa, err := managedAccount(ctx, c, v, in.ServiceAccount)
		if err != nil {
			return IssuedToken{}, err
		}
		if sa.DeactivatedAt != nil {
			return IssuedToken{}, apierror.Conflictf("the service account is deactivated")
		}
		tok, err := spec.create(c, sa.UserID, in.Name, s, now).SetServiceAccountID(sa.ID).Save(ctx)
		if err != nil {
			return IssuedToken{}, err
		}
		return IssuedToken{Secret: s, Token: tok}, changelog.Audit(ctx, c, now, changelog.AuditRecord{
			Action: auditentry.ActionCREATED, NodeType: "APIToken", NodeID: string(tok.ID),
			Community: sa.CommunityID, Group: sa.GroupID, Reason: "issued to service account " + string(sa.ID)})
	})
}

// DeactivateServiceAccount revokes every token of a service account its
// viewer manages and marks it deactivated, so that no token is issued to
// it again; deactivating twice is harmless. Each revocation is audited and
// closes the sockets the token opened, as revokeAPIToken does.
func (r *Runner) DeactivateServiceAccount(ctx context.Context, id pulid.ID) (*ent.ServiceAccount, error) {
	if err := serviceAccountManager(viewer.FromContext(ctx)); err != nil {
		return nil, err
	}
	return act(ctx, r, "deactivate service account", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.ServiceAccount, error) {
		sa, err := managedAccount(ctx, c, v, id)
		if err != nil || sa.DeactivatedAt != nil {
			return sa, err
		}
		live, err := c.APIToken.Query().Where(apitoken.ServiceAccountID(sa.ID), apitoken.RevokedAtIsNil()).
			All(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		for _, tok := range live {
			if err := revokeToken(ctx, c, tok, sa, now); err != nil {
				return nil, err
			}
		}
		return c.ServiceAccount.UpdateOne(sa).SetDeactivatedAt(now).SetUpdatedAt(now).Save(ctx)
	})
}

// revokeToken revokes tok in the caller's transaction: the change-log row
// every replica closes the token's sockets on, and, for a service
// account's token, an audit entry.
func revokeToken(ctx context.Context, c *ent.Client, tok *ent.APIToken, sa *ent.ServiceAccount, now time.Time) error {
	if err := c.APIToken.UpdateOne(tok).SetRevokedAt(now).Exec(ctx); err != nil {
		return err
	}
	if err := changelog.Credential(ctx, c, "APIToken", tok.ID); err != nil {
		return err
	}
	if sa == nil {
		return nil
	}
	return changelog.Audit(ctx, c, now, changelog.AuditRecord{Action: auditentry.ActionREVOKED,
		NodeType: "APIToken", NodeID: string(tok.ID), Community: sa.CommunityID, Group: sa.GroupID,
		Reason: "token of service account " + string(sa.ID)})
}

// ServiceAccounts lists a community's service accounts the viewer may see
// (optionally one group's), oldest first.
func ServiceAccounts(ctx context.Context, c *ent.Client, communityRef pulid.ID, groupRef *pulid.ID) ([]*ent.ServiceAccount, error) {
	comID, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	q := c.ServiceAccount.Query().Where(serviceaccount.CommunityID(comID))
	if groupRef != nil {
		gid, err := ref.Group(ctx, c, "group", *groupRef)
		if err != nil {
			return nil, err
		}
		q = q.Where(serviceaccount.GroupID(gid))
	}
	return q.Order(ent.Asc(serviceaccount.FieldCreatedAt), ent.Asc(serviceaccount.FieldID)).All(ctx)
}

// ViewerServiceAccount is the service account v's token belongs to, read
// for v itself (which no token may list), or nil.
func ViewerServiceAccount(ctx context.Context, c *ent.Client, v *viewer.Viewer) (*ent.ServiceAccount, error) {
	if v.ServiceAccount == nil {
		return nil, nil
	}
	return c.ServiceAccount.Get(authz.Unfiltered(ctx), v.ServiceAccount.ID)
}

// ViewerToken is the API token v's request came with, or nil.
func ViewerToken(ctx context.Context, c *ent.Client, v *viewer.Viewer) (*ent.APIToken, error) {
	if v.Token == nil {
		return nil, nil
	}
	return c.APIToken.Get(ctx, v.Token.ID)
}

// ViewerUser is v's person (or service account's user), or nil when
// anonymous or the system.
func ViewerUser(ctx context.Context, c *ent.Client, v *viewer.Viewer) (*ent.User, error) {
	if !v.IsUser() {
		return nil, nil
	}
	return c.User.Get(ctx, v.UserID)
}
