package workflow

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/apitoken"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/auth/secret"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// NewToken describes an API token to create.
type NewToken struct {
	// OwnerID is whose token it is: the system names the owner (the
	// command line, fixtures); a person may leave it empty or name
	// themselves, as a token is only ever created for oneself.
	OwnerID pulid.ID
	Name    string
	Scopes  []string
	// ExpiresInDays is the token's lifetime (policy.TokenLifetime); nil
	// never expires.
	ExpiresInDays *int
}

// IssuedToken is a token just created, with its secret: shown this once,
// as only its hash is kept.
type IssuedToken struct {
	Secret string
	Token  *ent.APIToken
}

// tokenUseEvery bounds how often a token's lastUsedAt is written: at most
// once per token per interval, not once per request.
const tokenUseEvery = time.Minute

// tokenManager is who may create or revoke API tokens: the system (the
// command line, fixtures), or a person signed in with a session. A token
// never mints or revokes tokens, whatever its scopes: a leaked one must not
// make itself permanent or revoke its owner's others.
func tokenManager(v *viewer.Viewer) error {
	switch {
	case v.IsSystem():
		return nil
	case v.ViaToken():
		return apierror.TokenScopef("API tokens are managed by a signed-in person, not with an API token")
	case !v.IsUser():
		return apierror.Unauthenticatedf("sign in to manage API tokens")
	}
	return nil
}

// tokenOwner is whose token a creation makes: the owner the system names,
// or the person themselves, as a person creates tokens for nobody else.
func tokenOwner(v *viewer.Viewer, owner pulid.ID) (pulid.ID, error) {
	switch {
	case v.IsSystem() && owner == "":
		return "", apierror.Invalid("owner", "name the token's owner")
	case v.IsSystem():
		return owner, nil
	case owner != "" && owner != v.UserID:
		return "", apierror.Forbiddenf("a token can only be created for yourself")
	}
	return v.UserID, nil
}

// CreateAPIToken stores a new API token and returns it with its secret.
// A person creates their own tokens, signed in (not with a token); the
// system creates anyone's. The lifetime is checked against the one limit
// (policy.TokenLifetime) and counted from the runner's clock.
func (r *Runner) CreateAPIToken(ctx context.Context, in NewToken) (IssuedToken, error) {
	v := viewer.FromContext(ctx)
	if err := tokenManager(v); err != nil {
		return IssuedToken{}, err
	}
	owner, err := tokenOwner(v, in.OwnerID)
	if err != nil {
		return IssuedToken{}, err
	}
	spec, s, err := r.tokenSpec(in.Scopes, in.ExpiresInDays)
	if err != nil {
		return IssuedToken{}, err
	}
	return run(ctx, r, "create API token", func(ctx context.Context, c *ent.Client, now time.Time) (IssuedToken, error) {
		tok, err := spec.create(c, owner, in.Name, s, now).Save(ctx)
		if err != nil {
			return IssuedToken{}, err
		}
		return IssuedToken{Secret: s, Token: tok}, nil
	})
}

// tokenSpec is a token's checked scopes and lifetime.
type tokenSpec struct {
	scopes []string
	days   *int
}

// tokenSpec checks a new token's scopes and lifetime and mints its secret.
func (r *Runner) tokenSpec(scopes []string, days *int) (tokenSpec, string, error) {
	norm, err := normalizeScopes(scopes)
	if err != nil {
		return tokenSpec{}, "", err
	}
	if days != nil {
		if err := policy.TokenLifetime(*days); err != nil {
			return tokenSpec{}, "", apierror.Invalid("expiresInDays", "expiresInDays %s", err)
		}
	}
	s, err := secret.New()
	if err != nil {
		return tokenSpec{}, "", err
	}
	return tokenSpec{scopes: norm, days: days}, s, nil
}

// create is the creation of a token owned by owner with secret s.
func (t tokenSpec) create(c *ent.Client, owner pulid.ID, name, s string, now time.Time) *ent.APITokenCreate {
	create := c.APIToken.Create().SetOwnerID(owner).SetName(name).SetScopes(t.scopes).
		SetTokenHash(secret.Hash(s)).SetHint(secret.Hint(s))
	if t.days != nil {
		create.SetExpiresAt(now.AddDate(0, 0, *t.days))
	}
	return create
}

// normalizeScopes checks, deduplicates and orders scopes (viewer.Scopes
// order); the broad write keeps read beside it, as tokens always showed.
func normalizeScopes(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, apierror.Invalid("scopes", "give at least one scope, e.g. READ, or EVENTS and CHECKIN")
	}
	set := map[string]bool{}
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if !slices.Contains(viewer.Scopes(), s) {
			return nil, apierror.Invalid("scopes", "unknown scope %q", s)
		}
		set[s] = true
	}
	if set[viewer.ScopeWrite] {
		set[viewer.ScopeRead] = true
	}
	var out []string
	for _, s := range viewer.Scopes() {
		if set[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// RevokeAPIToken marks a token revoked; revoking twice is harmless. A
// person revokes their own tokens, signed in, and the community's staff
// (or a group's organizers) any token of the service accounts they manage;
// another token is NOT_FOUND, as it is to their reads. The system revokes
// anyone's. The revocation leaves a change-log row in the same
// transaction, from which every replica learns to close the sockets the
// token opened; a service account's token's revocation is also audited.
func (r *Runner) RevokeAPIToken(ctx context.Context, id pulid.ID) (*ent.APIToken, error) {
	v := viewer.FromContext(ctx)
	if err := tokenManager(v); err != nil {
		return nil, err
	}
	return run(ctx, r, "revoke API token", func(ctx context.Context, c *ent.Client, now time.Time) (*ent.APIToken, error) {
		// Locked, so that two revocations at once leave one change row.
		q := c.APIToken.Query().Where(apitoken.ID(id))
		q.Modify(forUpdate)
		tok, err := q.Only(authz.Unfiltered(ctx))
		if err != nil {
			return nil, notFound(err, "API token")
		}
		var sa *ent.ServiceAccount
		if tok.ServiceAccountID != "" {
			if sa, err = c.ServiceAccount.Get(authz.Unfiltered(ctx), tok.ServiceAccountID); err != nil {
				return nil, err
			}
		}
		switch {
		case v.IsSystem(), tok.OwnerID == v.UserID:
		case sa != nil && authz.CanManageServiceAccount(v, sa.CommunityID, sa.GroupID):
		default:
			return nil, apierror.NotFoundf("no API token with that id")
		}
		if tok.RevokedAt != nil {
			return tok, nil
		}
		if err := revokeToken(ctx, c, tok, sa, now); err != nil {
			return nil, err
		}
		return c.APIToken.Get(authz.Unfiltered(ctx), tok.ID)
	})
}

// RecordTokenUse notes that tok was just used, at most once per token a
// minute, with the client address it came from (the check on the loaded row spares a transaction per request;
// the conditional update makes concurrent requests write once). Only the
// system records it: authentication does, before anyone is signed in.
func (r *Runner) RecordTokenUse(ctx context.Context, tok *ent.APIToken, addr string) error {
	if !viewer.FromContext(ctx).IsSystem() {
		return apierror.Forbiddenf("only the system records token use")
	}
	if tok.LastUsedAt != nil && r.now().Sub(*tok.LastUsedAt) < tokenUseEvery {
		return nil
	}
	_, err := run(ctx, r, "record token use", func(ctx context.Context, c *ent.Client, now time.Time) (struct{}, error) {
		return struct{}{}, c.APIToken.Update().
			Where(apitoken.ID(tok.ID), apitoken.Or(apitoken.LastUsedAtIsNil(), apitoken.LastUsedAtLT(now.Add(-tokenUseEvery)))).
			SetLastUsedAt(now).SetLastUsedAddress(addr).Exec(ctx)
	})
	return err
}
