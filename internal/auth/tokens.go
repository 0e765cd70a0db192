package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
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
// token is "not found".
func RevokeToken(ctx context.Context, client *ent.Client, id pulid.ID) (*ent.APIToken, error) {
	tok, err := client.APIToken.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if tok.RevokedAt != nil {
		return tok, nil
	}
	return client.APIToken.UpdateOne(tok).SetRevokedAt(time.Now()).Save(ctx)
}
