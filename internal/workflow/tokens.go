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
	"github.com/usergroups/usergroups/internal/changelog"
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

// validScopes lists the scopes a token may carry, in their stored order.
var validScopes = []string{viewer.ScopeRead, viewer.ScopeWrite}

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
	scopes, err := normalizeScopes(in.Scopes)
	if err != nil {
		return IssuedToken{}, err
	}
	if in.ExpiresInDays != nil {
		if err := policy.TokenLifetime(*in.ExpiresInDays); err != nil {
			return IssuedToken{}, apierror.Invalid("expiresInDays", "expiresInDays %s", err)
		}
	}
	s, err := secret.New()
	if err != nil {
		return IssuedToken{}, err
	}
	return run(ctx, r, "create API token", func(ctx context.Context, c *ent.Client, now time.Time) (IssuedToken, error) {
		create := c.APIToken.Create().
			SetOwnerID(owner).
			SetName(in.Name).
			SetScopes(scopes).
			SetTokenHash(secret.Hash(s)).
			SetHint(secret.Hint(s))
		if in.ExpiresInDays != nil {
			create.SetExpiresAt(now.AddDate(0, 0, *in.ExpiresInDays))
		}
		tok, err := create.Save(ctx)
		if err != nil {
			return IssuedToken{}, err
		}
		return IssuedToken{Secret: s, Token: tok}, nil
	})
}

// normalizeScopes checks, deduplicates and orders scopes; write implies read.
func normalizeScopes(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, apierror.Invalid("scopes", "give at least one scope: read or write")
	}
	set := map[string]bool{}
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if !slices.Contains(validScopes, s) {
			return nil, apierror.Invalid("scopes", "unknown scope %q: use read or write", s)
		}
		set[s] = true
	}
	if set[viewer.ScopeWrite] {
		set[viewer.ScopeRead] = true
	}
	var out []string
	for _, s := range validScopes {
		if set[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// RevokeAPIToken marks a token revoked; revoking twice is harmless. A
// person revokes their own tokens, signed in; another person's token is
// NOT_FOUND, as it is to their reads. The system revokes anyone's. The
// revocation leaves a change-log row in the same transaction, from which
// every replica learns to close the sockets the token opened.
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
		if !v.IsSystem() && tok.OwnerID != v.UserID {
			return nil, apierror.NotFoundf("no API token with that id")
		}
		if tok.RevokedAt != nil {
			return tok, nil
		}
		if tok, err = c.APIToken.UpdateOne(tok).SetRevokedAt(now).Save(ctx); err != nil {
			return nil, err
		}
		if err := changelog.Credential(ctx, c, "APIToken", id); err != nil {
			return nil, err
		}
		return tok, nil
	})
}

// RecordTokenUse notes that tok was just used, at most once per token a
// minute (the check on the loaded row spares a transaction per request;
// the conditional update makes concurrent requests write once). Only the
// system records it: authentication does, before anyone is signed in.
func (r *Runner) RecordTokenUse(ctx context.Context, tok *ent.APIToken) error {
	if !viewer.FromContext(ctx).IsSystem() {
		return apierror.Forbiddenf("only the system records token use")
	}
	if tok.LastUsedAt != nil && r.now().Sub(*tok.LastUsedAt) < tokenUseEvery {
		return nil
	}
	_, err := run(ctx, r, "record token use", func(ctx context.Context, c *ent.Client, now time.Time) (struct{}, error) {
		return struct{}{}, c.APIToken.Update().
			Where(apitoken.ID(tok.ID), apitoken.Or(apitoken.LastUsedAtIsNil(), apitoken.LastUsedAtLT(now.Add(-tokenUseEvery)))).
			SetLastUsedAt(now).Exec(ctx)
	})
	return err
}
