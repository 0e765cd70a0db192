// Package devidp is the development identity provider that `serve --dev`
// runs at /dev/oidc/: an OpenID Connect issuer whose sign-in page is a
// picker of the database's people, so the approval board (and any client
// under development) signs in with the same authorization-code flow with
// PKCE as against a real provider. It exists only in development mode: its
// keys live in memory and are new at every start.
package devidp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Path is where the provider is served; its issuer is the server's origin
// followed by this path, without the trailing slash.
const Path = "/dev/oidc/"

// ClientID is the public client id the provider issues tokens for (their
// audience); the board uses it.
const ClientID = "usergroups-board"

// codeLifetime bounds how long an authorization code waits to be redeemed.
const codeLifetime = time.Minute

// Person is one entry of the picker.
type Person struct {
	// ID is the person's id: the subject of the tokens issued for them.
	ID string
	// Handle and Name identify them on the picker.
	Handle, Name string
	// Roles summarises what they hold ("staff of openEuler"), empty for
	// people without a role.
	Roles []string
}

// Config is what the provider needs from its server.
type Config struct {
	// People lists the picker's entries matching a search ("" lists the
	// people holding roles first); Lookup finds one by id.
	People func(ctx context.Context, search string) ([]Person, error)
	Lookup func(ctx context.Context, id string) (Person, error)
	// TokenLifetime is how long an access token lasts (0: 8 hours).
	TokenLifetime time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Claims is what a verified development token says.
type Claims struct {
	// Subject is the person's id.
	Subject string
	// Expiry is the token's exp.
	Expiry time.Time
}

// Provider issues and verifies development tokens.
type Provider struct {
	cfg    Config
	key    *ecdsa.PrivateKey
	kid    string
	signer jose.Signer

	mu    sync.Mutex
	codes map[string]grant
}

// grant is an authorization code waiting for its token request.
type grant struct {
	subject, clientID, redirectURI, challenge, nonce, issuer string
	expires                                                  time.Time
}

// New makes a provider with a fresh signing key.
func New(cfg Config) (*Provider, error) {
	if cfg.People == nil || cfg.Lookup == nil {
		return nil, errors.New("devidp: People and Lookup are required")
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = 8 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	kid := "dev-" + hex.EncodeToString(b[:])
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return nil, err
	}
	return &Provider{cfg: cfg, key: key, kid: kid, signer: signer, codes: map[string]grant{}}, nil
}

// Issuer is the provider's issuer URL as reached through r.
func Issuer(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + strings.TrimSuffix(Path, "/")
}

// Owns reports whether a compact JWT was signed by this provider (its kid),
// without verifying it: the caller then verifies it here and not at the
// configured identity provider.
func (p *Provider) Owns(raw string) bool {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(tok.Headers) != 1 {
		return false
	}
	return tok.Headers[0].KeyID == p.kid
}

// Verify checks a token this provider issued: its signature, audience and
// expiry (no clock skew: the clock is ours).
func (p *Provider) Verify(raw string) (Claims, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return Claims{}, fmt.Errorf("devidp: %w", err)
	}
	var c jwt.Claims
	if err := tok.Claims(&p.key.PublicKey, &c); err != nil {
		return Claims{}, fmt.Errorf("devidp: %w", err)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{AnyAudience: jwt.Audience{ClientID}, Time: p.cfg.Now()}, 0); err != nil {
		return Claims{}, fmt.Errorf("devidp: %w", err)
	}
	if c.Subject == "" || c.Expiry == nil {
		return Claims{}, errors.New("devidp: the token names no person or no expiry")
	}
	return Claims{Subject: c.Subject, Expiry: c.Expiry.Time()}, nil
}

// Handler serves discovery, keys, the picker (authorize) and the token
// endpoint under Path.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path+".well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET "+Path+"jwks", p.jwks)
	mux.HandleFunc("GET "+Path+"authorize", p.authorize)
	mux.HandleFunc("POST "+Path+"authorize", p.choose)
	mux.HandleFunc("POST "+Path+"token", p.token)
	return mux
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	iss := Issuer(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"scopes_supported":                      []string{"openid", "profile"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: string(jose.ES256), Use: "sig"}}}
	writeJSON(w, http.StatusOK, set)
}

// request is an authorization request's parameters, checked.
type request struct {
	ClientID, RedirectURI, State, Challenge, Nonce string
}

// parseRequest checks an authorization request: our client, a redirect
// back to this server's own origin (never elsewhere: the picker is no open
// redirector) and a S256 code challenge (PKCE is required).
func parseRequest(r *http.Request, q url.Values) (request, error) {
	req := request{ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Challenge: q.Get("code_challenge"), Nonce: q.Get("nonce")}
	switch {
	case q.Get("response_type") != "code":
		return req, errors.New("response_type must be code")
	case req.ClientID != ClientID:
		return req, fmt.Errorf("unknown client_id; this provider serves %q", ClientID)
	case q.Get("code_challenge_method") != "S256" || len(req.Challenge) < 43:
		return req, errors.New("a S256 code_challenge is required (PKCE)")
	}
	u, err := url.Parse(req.RedirectURI)
	if err != nil || u.Host != r.Host || (u.Scheme != "http" && u.Scheme != "https") {
		return req, errors.New("redirect_uri must be a page of this server")
	}
	return req, nil
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	req, err := parseRequest(r, r.URL.Query())
	if err != nil {
		http.Error(w, "sign-in request refused: "+err.Error(), http.StatusBadRequest)
		return
	}
	search := strings.TrimSpace(r.URL.Query().Get("q"))
	people, err := p.cfg.People(r.Context(), search)
	if err != nil {
		http.Error(w, "the people could not be listed", http.StatusInternalServerError)
		return
	}
	renderPicker(w, r, req, search, people)
}

func (p *Provider) choose(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	req, err := parseRequest(r, r.PostForm)
	if err != nil {
		http.Error(w, "sign-in request refused: "+err.Error(), http.StatusBadRequest)
		return
	}
	person, err := p.cfg.Lookup(r.Context(), r.PostForm.Get("person"))
	if err != nil {
		http.Error(w, "no such person", http.StatusBadRequest)
		return
	}
	code, err := randomString()
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	now := p.cfg.Now()
	p.mu.Lock()
	for c, g := range p.codes {
		if now.After(g.expires) {
			delete(p.codes, c)
		}
	}
	p.codes[code] = grant{subject: person.ID, clientID: req.ClientID, redirectURI: req.RedirectURI,
		challenge: req.Challenge, nonce: req.Nonce, issuer: Issuer(r), expires: now.Add(codeLifetime)}
	p.mu.Unlock()
	back, _ := url.Parse(req.RedirectURI)
	q := back.Query()
	q.Set("code", code)
	if req.State != "" {
		q.Set("state", req.State)
	}
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}

// token redeems a code once, checking the PKCE verifier, and answers an
// access token and an ID token (both JWTs for the same person).
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", "bad form")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		tokenError(w, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	p.mu.Lock()
	g, ok := p.codes[f.Get("code")]
	delete(p.codes, f.Get("code"))
	p.mu.Unlock()
	now := p.cfg.Now()
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	switch {
	case !ok || now.After(g.expires):
		tokenError(w, "invalid_grant", "unknown, used or expired code")
		return
	case g.clientID != f.Get("client_id") || g.redirectURI != f.Get("redirect_uri"):
		tokenError(w, "invalid_grant", "client_id or redirect_uri differ from the authorization request")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		tokenError(w, "invalid_grant", "the code_verifier does not match the code_challenge")
		return
	}
	person, err := p.cfg.Lookup(r.Context(), g.subject)
	if err != nil {
		tokenError(w, "invalid_grant", "the person no longer exists")
		return
	}
	exp := now.Add(p.cfg.TokenLifetime)
	base := jwt.Claims{Issuer: g.issuer, Subject: person.ID, Audience: jwt.Audience{ClientID},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(exp)}
	access, err := jwt.Signed(p.signer).Claims(base).Serialize()
	if err != nil {
		tokenError(w, "server_error", "signing failed")
		return
	}
	id, err := jwt.Signed(p.signer).Claims(base).Claims(map[string]any{
		"nonce": g.nonce, "name": person.Name, "preferred_username": person.Handle}).Serialize()
	if err != nil {
		tokenError(w, "server_error", "signing failed")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "id_token": id, "token_type": "Bearer",
		"expires_in": int(p.cfg.TokenLifetime / time.Second)})
}

func tokenError(w http.ResponseWriter, code, description string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": description})
}

func randomString() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
