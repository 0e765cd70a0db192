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

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/apitoken"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/auth/secret"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/devidp"
	"github.com/usergroups/usergroups/internal/oidc"
	"github.com/usergroups/usergroups/internal/ratelimit"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// ErrUnauthenticated is returned for missing-but-required, malformed, wrong,
// expired or revoked credentials.
var ErrUnauthenticated = errors.New("unauthenticated")

// Authenticator resolves credentials to viewers. What authentication
// writes — a person created at first sign-in, a token's last use — it
// writes through workflow steps; its clock is the runner's.
type Authenticator struct {
	wf   *workflow.Runner
	oidc *oidc.Verifier
	dev  *devidp.Provider
	log  *slog.Logger
}

// New returns an Authenticator writing through wf; verifier may be nil
// when no identity provider is configured (then only API tokens are
// accepted).
func New(wf *workflow.Runner, verifier *oidc.Verifier, log *slog.Logger) *Authenticator {
	if log == nil {
		log = slog.Default()
	}
	return &Authenticator{wf: wf, oidc: verifier, log: log}
}

// WithDev returns a copy of a that also accepts the tokens of the
// development identity provider (serve --dev), whose subject is a person's id.
func (a *Authenticator) WithDev(p *devidp.Provider) *Authenticator {
	c := *a
	c.dev = p
	return &c
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
	case a.dev != nil && oidc.LooksLikeJWT(cred) && a.dev.Owns(cred):
		return a.fromDevToken(sys, cred)
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
		u, err := a.wf.SignIn(sys, workflow.Identity{Issuer: claims.Issuer, Subject: claims.Subject, Name: claims.Name,
			PreferredUsername: claims.PreferredUsername, Email: claims.Email, EmailVerified: claims.EmailVerified})
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

// fromDevToken signs in the person a development token names; a token for
// someone who no longer exists is refused like any bad credential.
func (a *Authenticator) fromDevToken(sys context.Context, cred string) (*viewer.Viewer, error) {
	claims, err := a.dev.Verify(cred)
	if err != nil {
		a.log.InfoContext(sys, "rejected development token", "error", err)
		return nil, fmt.Errorf("%w: the token is not valid", ErrUnauthenticated)
	}
	exists, err := a.wf.Client().User.Query().Where(user.ID(pulid.ID(claims.Subject))).Exist(sys)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("%w: the token names no person", ErrUnauthenticated)
	}
	v, err := a.viewerFor(sys, pulid.ID(claims.Subject), nil)
	if err != nil {
		return nil, err
	}
	v.Expires = claims.Expiry
	return v, nil
}

func (a *Authenticator) fromAPIToken(sys context.Context, cred string) (*viewer.Viewer, error) {
	if !secret.WellFormed(cred) {
		// Not a token we could have issued: no lookup can find it.
		return nil, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	tok, err := a.wf.Client().APIToken.Query().Where(apitoken.TokenHash(secret.Hash(cred))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	now := a.wf.Now()
	switch {
	case tok.RevokedAt != nil:
		return nil, fmt.Errorf("%w: the token was revoked", ErrUnauthenticated)
	case tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt):
		return nil, fmt.Errorf("%w: the token has expired", ErrUnauthenticated)
	}
	addr, _ := ratelimit.AddressFromContext(sys)
	if err := a.wf.RecordTokenUse(sys, tok, strings.TrimPrefix(addr, "ip:")); err != nil {
		a.log.WarnContext(sys, "recording token use", "token", tok.ID, "error", err)
	}
	v, err := authz.TokenViewer(sys, a.wf.Client(), tok)
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

// ViewerFor returns the viewer of a signed-in person (as after an OIDC
// sign-in), with their active roles.
func (a *Authenticator) ViewerFor(ctx context.Context, userID pulid.ID) (*viewer.Viewer, error) {
	return a.viewerFor(viewer.SystemContext(ctx), userID, nil)
}

// viewerFor loads the person's active roles into a viewer.
func (a *Authenticator) viewerFor(sys context.Context, userID pulid.ID, tok *viewer.Token) (*viewer.Viewer, error) {
	return authz.ViewerFor(sys, a.wf.Client(), userID, tok)
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
			} else {
				// The reasons are our own words ("unknown token"), never
				// the credential.
				a.log.InfoContext(r.Context(), "credential refused", "transport", "http", "reason", msg,
					"request_id", apierror.RequestID(r.Context()))
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
