package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/auth/secret"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TokenPrefix starts every API token (see package secret, which mints
// them; tokens are created and revoked by workflow steps).
const TokenPrefix = secret.Prefix

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
	v, err := authz.TokenViewer(sys, client, tok)
	if errors.Is(err, authz.ErrDeactivated) {
		return nil, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	if err != nil {
		return nil, err
	}
	if tok.ExpiresAt != nil {
		v.Expires = *tok.ExpiresAt
	}
	return v, nil
}
