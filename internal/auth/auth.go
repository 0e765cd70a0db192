// Package auth turns a request's credentials into a viewer: an API token
// ("Bearer ugt_…"), an OIDC bearer token from the configured identity
// provider (a JWT), or nobody. Bad credentials are an error, never a silent
// fall back to anonymous.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/apitoken"
	"github.com/usergroups/usergroups/ent/contact"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/oidc"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ErrUnauthenticated is returned for missing-but-required, malformed, wrong,
// expired or revoked credentials.
var ErrUnauthenticated = errors.New("unauthenticated")

// lastUsedEvery bounds how often a token's lastUsedAt is written: at most
// once per token per interval, not once per request.
const lastUsedEvery = time.Minute

// Authenticator resolves credentials to viewers.
type Authenticator struct {
	client *ent.Client
	oidc   *oidc.Verifier
	log    *slog.Logger
	now    func() time.Time
}

// New returns an Authenticator; verifier may be nil when no identity
// provider is configured (then only API tokens are accepted).
func New(client *ent.Client, verifier *oidc.Verifier, log *slog.Logger) *Authenticator {
	if log == nil {
		log = slog.Default()
	}
	return &Authenticator{client: client, oidc: verifier, log: log, now: time.Now}
}

// NewAt is New with a clock, for tests of expiry.
func NewAt(client *ent.Client, verifier *oidc.Verifier, log *slog.Logger, now func() time.Time) *Authenticator {
	a := New(client, verifier, log)
	a.now = now
	return a
}

// Authenticate returns the viewer for an Authorization header value ("" is
// anonymous). Errors wrap ErrUnauthenticated, or oidc.ErrProviderUnavailable.
func (a *Authenticator) Authenticate(ctx context.Context, header string) (*viewer.Viewer, error) {
	if header == "" {
		return &viewer.Viewer{}, nil
	}
	scheme, cred, ok := strings.Cut(header, " ")
	cred = strings.TrimSpace(cred)
	if !ok || !strings.EqualFold(scheme, "Bearer") || cred == "" {
		return nil, fmt.Errorf("%w: use \"Authorization: Bearer <token>\"", ErrUnauthenticated)
	}
	sys := viewer.SystemContext(ctx)
	switch {
	case strings.HasPrefix(cred, TokenPrefix):
		return a.fromAPIToken(sys, cred)
	case oidc.LooksLikeJWT(cred):
		if a.oidc == nil {
			return nil, fmt.Errorf("%w: no identity provider is configured", ErrUnauthenticated)
		}
		if !parsesAsJWT(cred) {
			return nil, fmt.Errorf("%w: the token is not valid", ErrUnauthenticated)
		}
		claims, err := a.oidc.Verify(ctx, cred)
		if err != nil {
			if errors.Is(err, oidc.ErrProviderUnavailable) {
				return nil, err
			}
			a.log.InfoContext(ctx, "rejected OIDC token", "error", err)
			return nil, fmt.Errorf("%w: the token is not valid", ErrUnauthenticated)
		}
		u, err := a.SignIn(sys, claims)
		if err != nil {
			return nil, err
		}
		v, err := a.viewerFor(sys, u.ID, nil)
		if err != nil {
			return nil, err
		}
		v.Expires = claims.Expiry
		return v, nil
	default:
		return nil, fmt.Errorf("%w: unrecognised token", ErrUnauthenticated)
	}
}

func (a *Authenticator) fromAPIToken(sys context.Context, secret string) (*viewer.Viewer, error) {
	if !wellFormedAPIToken(secret) {
		// Not a token we could have issued: no lookup can find it.
		return nil, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	tok, err := a.client.APIToken.Query().Where(apitoken.TokenHash(hashToken(secret))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	now := a.now()
	switch {
	case tok.RevokedAt != nil:
		return nil, fmt.Errorf("%w: the token was revoked", ErrUnauthenticated)
	case tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt):
		return nil, fmt.Errorf("%w: the token has expired", ErrUnauthenticated)
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= lastUsedEvery {
		// Conditional, so concurrent requests write it once per interval.
		err := a.client.APIToken.Update().
			Where(apitoken.ID(tok.ID), apitoken.Or(apitoken.LastUsedAtIsNil(), apitoken.LastUsedAtLT(now.Add(-lastUsedEvery)))).
			SetLastUsedAt(now).Exec(sys)
		if err != nil {
			a.log.WarnContext(sys, "recording token use", "token", tok.ID, "error", err)
		}
	}
	v, err := a.viewerFor(sys, tok.OwnerID, &viewer.Token{ID: tok.ID, Scopes: tok.Scopes})
	if err != nil {
		return nil, err
	}
	if tok.ExpiresAt != nil {
		v.Expires = *tok.ExpiresAt
	}
	return v, nil
}

// ViewerFor returns the viewer of a signed-in person (as after an OIDC
// sign-in), with their active roles.
func (a *Authenticator) ViewerFor(ctx context.Context, userID pulid.ID) (*viewer.Viewer, error) {
	return a.viewerFor(viewer.SystemContext(ctx), userID, nil)
}

// viewerFor loads the person's active roles into a viewer.
func (a *Authenticator) viewerFor(sys context.Context, userID pulid.ID, tok *viewer.Token) (*viewer.Viewer, error) {
	return authz.ViewerFor(sys, a.client, userID, tok)
}

// SignIn finds the person an identity provider vouches for, creating them on
// first sign-in from the token's name and email. Concurrent first sign-ins
// create one person: the loser of the race finds the winner's row.
func (a *Authenticator) SignIn(sys context.Context, c oidc.Claims) (*ent.User, error) {
	find := func() (*ent.User, error) {
		return a.client.User.Query().Where(user.OidcIssuer(c.Issuer), user.OidcSubject(c.Subject)).Only(sys)
	}
	u, err := find()
	if err == nil || !ent.IsNotFound(err) {
		return u, err
	}
	u, err = a.createFromClaims(sys, c)
	if ent.IsConstraintError(err) {
		return find()
	}
	return u, err
}

func (a *Authenticator) createFromClaims(sys context.Context, c oidc.Claims) (*ent.User, error) {
	tx, err := a.client.Tx(sys)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name = c.PreferredUsername
	}
	if name == "" {
		name, _, _ = strings.Cut(c.Email, "@")
	}
	if name == "" {
		name = "New member"
	}
	handle, err := a.freeHandle(sys, tx, c)
	if err != nil {
		return nil, err
	}
	u, err := tx.User.Create().
		SetHandle(handle).
		SetName(truncate(name, 100)).
		SetOidcIssuer(c.Issuer).
		SetOidcSubject(c.Subject).
		Save(sys)
	if err != nil {
		return nil, err
	}
	// Keep a verified email the provider vouches for, unless another person
	// already uses it (their account is theirs; staff can merge later).
	if c.Email != "" && c.EmailVerified && policy.ValidateEmail(c.Email) == nil {
		taken, err := tx.Contact.Query().Where(contact.EmailEqualFold(c.Email)).Exist(sys)
		if err != nil {
			return nil, err
		}
		if !taken {
			if err := tx.Contact.Create().SetUserID(u.ID).SetEmail(c.Email).Exec(sys); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return u, nil
}

// freeHandle derives an unused handle from the claims.
func (a *Authenticator) freeHandle(sys context.Context, tx *ent.Tx, c oidc.Claims) (string, error) {
	base := c.PreferredUsername
	if base == "" {
		base, _, _ = strings.Cut(c.Email, "@")
	}
	base = strings.Trim(handleChars(strings.ToLower(base)), "-_.")
	if len(base) < 2 {
		base = "member"
	}
	base = truncate(base, 30)
	for i := 0; i < 50; i++ {
		h := base
		if i > 0 {
			h = fmt.Sprintf("%s-%d", base, i+1)
		}
		taken, err := tx.User.Query().Where(user.Handle(h)).Exist(sys)
		if err != nil {
			return "", err
		}
		if !taken {
			return h, nil
		}
	}
	return fmt.Sprintf("%s-%s", truncate(base, 20), strings.ToLower(string(pulid.New("x"))[2:10])), nil
}

func handleChars(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, s)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Middleware authenticates each request and puts the viewer (and the actor
// for the change log) in its context. Bad credentials get 401 with a
// GraphQL-shaped UNAUTHENTICATED error; an unreachable identity provider 503.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := a.Authenticate(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			status, code, msg := http.StatusUnauthorized, "UNAUTHENTICATED", err.Error()
			if !errors.Is(err, ErrUnauthenticated) {
				status, code, msg = http.StatusServiceUnavailable, "UNAVAILABLE", "the identity provider cannot be reached; try again"
				if !errors.Is(err, oidc.ErrProviderUnavailable) {
					status, code, msg = http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error"
				}
				a.log.ErrorContext(r.Context(), "authentication failed", "error", err)
			}
			w.Header().Set("Content-Type", "application/json")
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="usergroups"`)
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"errors":[{"message":%q,"extensions":{"code":%q}}],"data":null}`, msg, code)
			return
		}
		ctx := viewer.NewContext(r.Context(), v)
		if v.UserID != "" {
			ctx = changelog.WithActor(ctx, v.UserID)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
