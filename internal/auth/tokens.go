package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TokenPrefix starts every API token, so a leaked one is recognisable (and
// secret scanners can find it) and so it is never mistaken for a JWT.
const TokenPrefix = "ugt_"

// tokenBytes is how many random bytes a token carries: 256 bits, beyond
// guessing.
const tokenBytes = 32

// hintLen is how much of a token is kept in clear to recognise it in lists.
const hintLen = len(TokenPrefix) + 6

// Scopes lists the scopes a token may carry.
var validScopes = []string{viewer.ScopeRead, viewer.ScopeWrite}

// NewTokenInput describes a token to create.
type NewTokenInput struct {
	OwnerID   pulid.ID
	Name      string
	Scopes    []string
	ExpiresAt *time.Time
}

// CreateToken stores a new API token and returns its secret, which is shown
// once: only its SHA-256 is kept. ctx's viewer must be allowed to create a
// token for the owner (the owner signed in, or the system).
func CreateToken(ctx context.Context, client *ent.Client, in NewTokenInput) (string, *ent.APIToken, error) {
	scopes, err := NormalizeScopes(in.Scopes)
	if err != nil {
		return "", nil, err
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(time.Now()) {
		return "", nil, apierror.Invalid("expiresAt", "expiresAt must be in the future")
	}
	var raw [tokenBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, fmt.Errorf("generating token: %w", err)
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	tok, err := client.APIToken.Create().
		SetOwnerID(in.OwnerID).
		SetName(in.Name).
		SetScopes(scopes).
		SetTokenHash(hashToken(secret)).
		SetHint(secret[:hintLen]).
		SetNillableExpiresAt(in.ExpiresAt).
		Save(ctx)
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// NormalizeScopes checks, deduplicates and orders scopes; write implies read.
func NormalizeScopes(in []string) ([]string, error) {
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

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// RevokeToken marks a token revoked; revoking twice is harmless. The
// viewer's policy limits it to the viewer's own tokens, so another person's
// token is "not found". The revocation leaves a change-log row in the same
// transaction (client's, or one of its own), from which every replica learns
// to close the sockets the token opened.
func RevokeToken(ctx context.Context, client *ent.Client, id pulid.ID) (*ent.APIToken, error) {
	tok, err := client.APIToken.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if tok.RevokedAt != nil {
		return tok, nil
	}
	err = inTx(ctx, client, func(c *ent.Client) error {
		if tok, err = c.APIToken.UpdateOne(tok).SetRevokedAt(time.Now()).Save(ctx); err != nil {
			return fmt.Errorf("revoking token %s: %w", id, err)
		}
		return changelog.Credential(ctx, c, "APIToken", id)
	})
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// inTx runs fn in client's transaction if it is a transaction's client (a
// GraphQL mutation), else in a transaction of its own (the command line).
func inTx(ctx context.Context, client *ent.Client, fn func(*ent.Client) error) error {
	tx, err := client.Tx(ctx)
	if errors.Is(err, ent.ErrTxStarted) {
		return fn(client)
	}
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// CurrentTokenViewer returns the viewer of API token id as it is now (its
// owner's current active roles), or an error wrapping ErrUnauthenticated
// once the token is revoked, has expired at now, or is gone. Long-lived
// connections recheck their token with it.
func CurrentTokenViewer(ctx context.Context, client *ent.Client, id pulid.ID, now time.Time) (*viewer.Viewer, error) {
	sys := viewer.SystemContext(ctx)
	tok, err := client.APIToken.Get(sys, id)
	switch {
	case ent.IsNotFound(err):
		return nil, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	case err != nil:
		return nil, err
	case tok.RevokedAt != nil:
		return nil, fmt.Errorf("%w: the token was revoked", ErrUnauthenticated)
	case tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt):
		return nil, fmt.Errorf("%w: the token has expired", ErrUnauthenticated)
	}
	v, err := authz.ViewerFor(sys, client, tok.OwnerID, &viewer.Token{ID: tok.ID, Scopes: tok.Scopes})
	if err != nil {
		return nil, err
	}
	if tok.ExpiresAt != nil {
		v.Expires = *tok.ExpiresAt
	}
	return v, nil
}
