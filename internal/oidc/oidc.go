// Package oidc verifies bearer tokens (JWTs) issued by an external OpenID
// Connect provider, so that people signed in there can call the API without
// an account-specific API token.
//
// The provider's discovery document and signing keys are fetched over HTTP on
// first use rather than at startup, so a provider outage degrades OIDC sign-in
// only and never keeps the server from starting. Those fetches run detached
// from the caller and are bounded by the HTTP client's timeout; the ctx given
// to Verify bounds only how long that call waits for them.
package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// ErrInvalidToken is wrapped by every rejection caused by the token itself, so
// callers can answer 401 without inspecting messages.
var ErrInvalidToken = errors.New("oidc: invalid token")

// ErrProviderUnavailable is wrapped when the token could not be judged because
// the identity provider (discovery or key set) could not be reached or gave an
// unusable answer; callers should answer 503 rather than blame the token.
var ErrProviderUnavailable = errors.New("oidc: identity provider unavailable")

const (
	// clockSkew tolerates small clock differences between us and the provider
	// on exp and nbf, so freshly issued or just-expiring tokens are not refused.
	clockSkew = time.Minute

	// defaultHTTPTimeout bounds discovery and key fetches, which run in the
	// background and would otherwise block every later fetch if one hung.
	defaultHTTPTimeout = 10 * time.Second

	// defaultRetryAfter spaces discovery attempts while the provider is down,
	// so a burst of requests does not turn into a burst of outbound calls.
	defaultRetryAfter = 2 * time.Second

	// maxTokenLen refuses absurdly large credentials before any parsing work.
	maxTokenLen = 16 << 10
)

// signingAlgs is every asymmetric algorithm go-oidc supports; symmetric (HS*)
// and unsigned ("none") tokens are refused because anyone holding the client
// secret, or nobody at all, could have made them.
var signingAlgs = []string{
	gooidc.RS256, gooidc.RS384, gooidc.RS512,
	gooidc.PS256, gooidc.PS384, gooidc.PS512,
	gooidc.ES256, gooidc.ES384, gooidc.ES512,
	gooidc.EdDSA,
}

// Config names the identity provider to trust.
type Config struct {
	// Issuer is the provider's issuer URL, e.g. https://id.example.org; it must
	// match the discovery document's and each token's "iss" exactly.
	Issuer string
	// Audience is the client id tokens must be issued for (one of "aud").
	Audience string
	// HTTPClient is used for discovery and key fetches; nil means a client with
	// a 10 s timeout, and a client without a timeout is given one.
	HTTPClient *http.Client
}

// Claims is what we take from a verified ID or access token.
type Claims struct {
	Issuer            string
	Subject           string
	Email             string
	EmailVerified     bool
	Name              string
	PreferredUsername string
	// Expiry is the token's exp: a connection opened with it (a
	// websocket) is closed then.
	Expiry time.Time
}

// Verifier checks bearer tokens against one provider; it is safe for
// concurrent use and should be shared so the provider's keys are cached once.
type Verifier struct {
	issuer     string
	audience   string
	client     *http.Client
	retryAfter time.Duration

	mu  sync.Mutex
	cur *discovery // latest discovery attempt; replaced only after a failure
}

// discovery is one attempt at loading the provider's metadata, shared by every
// Verify call that arrives while it runs.
type discovery struct {
	done     chan struct{} // closed once verifier/err are set
	finished bool          // guarded by Verifier.mu; mirrors done for cheap checks
	at       time.Time
	verifier *gooidc.IDTokenVerifier
	err      error
}

// New returns a Verifier without contacting the provider, so startup does not
// depend on it; the error reports only an unusable Config.
func New(cfg Config) (*Verifier, error) {
	if err := checkIssuer(cfg.Issuer); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Audience) == "" {
		return nil, errors.New("oidc: audience (client id) is required")
	}
	client := &http.Client{Timeout: defaultHTTPTimeout}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		if c.Timeout == 0 {
			c.Timeout = defaultHTTPTimeout
		}
		client = &c
	}
	return &Verifier{
		issuer:     cfg.Issuer,
		audience:   cfg.Audience,
		client:     client,
		retryAfter: defaultRetryAfter,
	}, nil
}

// checkIssuer insists on https so keys cannot be swapped in transit, except on
// loopback where tests and local development run plain http servers.
func checkIssuer(issuer string) error {
	if issuer == "" {
		return errors.New("oidc: issuer is required")
	}
	u, err := url.Parse(issuer)
	if err != nil {
		return fmt.Errorf("oidc: issuer is not a URL: %w", err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("oidc: issuer %q must be an absolute URL without credentials, query or fragment", issuer)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("oidc: issuer %q must use https (http is allowed only for loopback hosts)", issuer)
	default:
		return fmt.Errorf("oidc: issuer %q must use https", issuer)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Verify checks signature, issuer, audience, exp and nbf (with one minute of
// clock skew) and sub, wrapping ErrInvalidToken or ErrProviderUnavailable on
// failure so callers can tell a bad token (401) from an outage (503).
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	if raw == "" || len(raw) > maxTokenLen || !LooksLikeJWT(raw) {
		return Claims{}, fmt.Errorf("%w: not a compact JWS", ErrInvalidToken)
	}
	idv, err := v.idTokenVerifier(ctx)
	if err != nil {
		return Claims{}, err
	}

	// go-oidc flattens key-fetch errors into strings, so the key set reports
	// them here instead to keep provider outages apart from bad tokens.
	var fetch fetchFailure
	tok, err := idv.Verify(context.WithValue(ctx, fetchFailureKey{}, &fetch), raw)
	if err != nil {
		if fetch.err != nil {
			return Claims{}, fmt.Errorf("%w: fetching signing keys: %w", ErrProviderUnavailable, fetch.err)
		}
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	return v.claims(tok)
}

// claims applies the checks left to us (exp and nbf with skew, sub) and
// extracts the profile claims.
func (v *Verifier) claims(tok *gooidc.IDToken) (Claims, error) {
	var c struct {
		NotBefore         *float64 `json:"nbf"`
		Email             string   `json:"email"`
		EmailVerified     flexBool `json:"email_verified"`
		Name              string   `json:"name"`
		PreferredUsername string   `json:"preferred_username"`
	}
	if err := tok.Claims(&c); err != nil {
		return Claims{}, fmt.Errorf("%w: claims: %w", ErrInvalidToken, err)
	}
	now := time.Now()
	if tok.Expiry.IsZero() {
		return Claims{}, fmt.Errorf("%w: no exp claim", ErrInvalidToken)
	}
	if !now.Before(tok.Expiry.Add(clockSkew)) {
		return Claims{}, fmt.Errorf("%w: expired at %s", ErrInvalidToken, tok.Expiry.UTC().Format(time.RFC3339))
	}
	// Compared as seconds so an absurd nbf cannot overflow a time.Duration.
	if c.NotBefore != nil && *c.NotBefore > float64(now.Add(clockSkew).UnixNano())/1e9 {
		return Claims{}, fmt.Errorf("%w: not valid before %.0f (unix time)", ErrInvalidToken, *c.NotBefore)
	}
	if tok.Subject == "" {
		return Claims{}, fmt.Errorf("%w: no sub claim", ErrInvalidToken)
	}
	return Claims{
		Issuer:            tok.Issuer,
		Subject:           tok.Subject,
		Email:             c.Email,
		EmailVerified:     bool(c.EmailVerified),
		Name:              c.Name,
		PreferredUsername: c.PreferredUsername,
		Expiry:            tok.Expiry,
	}, nil
}

// idTokenVerifier returns the go-oidc verifier, running discovery if it has
// not succeeded yet. Concurrent callers share one attempt, and after a failure
// a new attempt starts only once retryAfter has passed.
func (v *Verifier) idTokenVerifier(ctx context.Context) (*gooidc.IDTokenVerifier, error) {
	v.mu.Lock()
	d := v.cur
	if d == nil || (d.finished && d.err != nil && time.Since(d.at) >= v.retryAfter) {
		d = &discovery{done: make(chan struct{})}
		v.cur = d
		// Detached from ctx so one impatient caller cannot fail the attempt
		// that everyone else is waiting for.
		go v.discover(d)
	}
	v.mu.Unlock()

	// Finished discovery wins over an expired ctx: cached keys need no wait.
	select {
	case <-d.done:
		return d.verifier, d.err
	default:
	}
	select {
	case <-d.done:
		return d.verifier, d.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: waiting for discovery: %w", ErrProviderUnavailable, ctx.Err())
	}
}

func (v *Verifier) discover(d *discovery) {
	idv, err := v.load()
	v.mu.Lock()
	d.verifier, d.at, d.finished = idv, time.Now(), true
	if err != nil {
		d.err = fmt.Errorf("%w: discovery: %w", ErrProviderUnavailable, err)
	}
	close(d.done)
	v.mu.Unlock()
}

func (v *Verifier) load() (*gooidc.IDTokenVerifier, error) {
	ctx := gooidc.ClientContext(context.Background(), v.client)
	p, err := gooidc.NewProvider(ctx, v.issuer)
	if err != nil {
		return nil, err
	}
	var meta struct {
		JWKSURL string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, err
	}
	if meta.JWKSURL == "" {
		return nil, errors.New("discovery document has no jwks_uri")
	}
	keys := &reportingKeySet{inner: gooidc.NewRemoteKeySet(ctx, meta.JWKSURL)}
	return gooidc.NewVerifier(v.issuer, keys, &gooidc.Config{
		ClientID:             v.audience,
		SupportedSigningAlgs: signingAlgs,
		// Checked in claims with clock skew, which go-oidc does not allow.
		SkipExpiryCheck: true,
	}), nil
}

// fetchFailure carries a key-fetch error from reportingKeySet back to Verify
// through the context, because go-oidc does not wrap it.
type fetchFailure struct{ err error }

type fetchFailureKey struct{}

// reportingKeySet wraps go-oidc's remote key set (which caches the JWKS and
// refetches on an unknown key id) and records fetch failures for Verify.
type reportingKeySet struct{ inner gooidc.KeySet }

func (k *reportingKeySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.inner.VerifySignature(ctx, jwt)
	// The remote key set returns an unwrappable error for "no key matched"
	// and a wrapping one ("fetching keys: <cause>") when the refetch failed.
	if err != nil && errors.Unwrap(err) != nil {
		if f, ok := ctx.Value(fetchFailureKey{}).(*fetchFailure); ok {
			f.err = err
		}
	}
	return payload, err
}

// flexBool accepts email_verified as a JSON boolean or as the string "true"
// or "false", which some providers send.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch t := v.(type) {
	case bool:
		*b = flexBool(t)
	case string:
		*b = flexBool(strings.EqualFold(t, "true"))
	case nil:
		*b = false
	default:
		return fmt.Errorf("email_verified: unexpected %T", v)
	}
	return nil
}

// LooksLikeJWT reports whether a bearer credential has the three-part JWS
// compact shape (base64url segments separated by dots), a cheap test for
// routing a credential to OIDC rather than to our own API tokens.
func LooksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
