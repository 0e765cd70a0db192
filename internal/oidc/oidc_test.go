package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const testAudience = "usergroups-api"

// testKeys are generated once per test binary: RSA generation is the slowest
// part of these tests.
type testKeys struct {
	rsa, rsaOther, rsaRotated *rsa.PrivateKey
	ec                        *ecdsa.PrivateKey
}

var loadTestKeys = sync.OnceValues(func() (testKeys, error) {
	var k testKeys
	var err error
	for _, dst := range []**rsa.PrivateKey{&k.rsa, &k.rsaOther, &k.rsaRotated} {
		if *dst, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return k, err
		}
	}
	k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return k, err
})

func keys(t *testing.T) testKeys {
	t.Helper()
	k, err := loadTestKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// provider is an in-process OpenID provider: discovery plus a JWKS whose keys
// and availability the test controls.
type provider struct {
	srv       *httptest.Server
	issuer    string
	discovery atomic.Int32 // discovery requests served (or refused)
	jwks      atomic.Int32 // JWKS requests served (or refused)

	mu          sync.Mutex
	keys        []jose.JSONWebKey
	down        bool          // answer 503 on every endpoint
	claimIssuer string        // issuer advertised in discovery, if not issuer
	hold        chan struct{} // if set, discovery waits for it to close
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	k := keys(t)
	p := &provider{}
	p.keys = []jose.JSONWebKey{
		{Key: &k.rsa.PublicKey, KeyID: "rsa-1", Algorithm: "RS256", Use: "sig"},
		{Key: &k.ec.PublicKey, KeyID: "ec-1", Algorithm: "ES256", Use: "sig"},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		p.discovery.Add(1)
		p.mu.Lock()
		down, hold, iss := p.down, p.hold, p.claimIssuer
		p.mu.Unlock()
		if hold != nil {
			<-hold
		}
		if down {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		if iss == "" {
			iss = p.issuer
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                iss,
			"authorization_endpoint":                p.issuer + "/authorize",
			"token_endpoint":                        p.issuer + "/token",
			"jwks_uri":                              p.issuer + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		p.jwks.Add(1)
		p.mu.Lock()
		down := p.down
		set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), p.keys...)}
		p.mu.Unlock()
		if down {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	})
	p.srv = httptest.NewServer(mux)
	p.issuer = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
}

func (p *provider) addKey(k jose.JSONWebKey) {
	p.mu.Lock()
	p.keys = append(p.keys, k)
	p.mu.Unlock()
}

func (p *provider) verifier(t *testing.T) *Verifier {
	t.Helper()
	v, err := New(Config{Issuer: p.issuer, Audience: testAudience, HTTPClient: p.srv.Client()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// claims returns a valid claim set for p that cases then spoil.
func (p *provider) claims() map[string]any {
	now := time.Now()
	return map[string]any{
		"iss":                p.issuer,
		"sub":                "user-42",
		"aud":                testAudience,
		"iat":                now.Unix(),
		"exp":                now.Add(10 * time.Minute).Unix(),
		"email":              "ada@example.org",
		"email_verified":     true,
		"name":               "Ada Lovelace",
		"preferred_username": "ada",
	}
}

func sign(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	return raw
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

func wantInvalid(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("want ErrInvalidToken, got %v", err)
	}
	t.Logf("rejected: %v", err)
	if errors.Is(err, ErrProviderUnavailable) {
		t.Fatalf("error wraps both sentinels: %v", err)
	}
}

func wantUnavailable(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrProviderUnavailable) {
		t.Fatalf("want ErrProviderUnavailable, got %v", err)
	}
	t.Logf("unavailable: %v", err)
	if errors.Is(err, ErrInvalidToken) {
		t.Fatalf("error wraps both sentinels: %v", err)
	}
}

func TestVerifyValidRS256(t *testing.T) {
	p := newProvider(t)
	v := p.verifier(t)
	claims := p.claims()
	got, err := v.Verify(ctx(t), sign(t, jose.RS256, keys(t).rsa, "rsa-1", claims))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if exp := time.Unix(claims["exp"].(int64), 0); !got.Expiry.Equal(exp) {
		t.Errorf("expiry = %v, want %v", got.Expiry, exp)
	}
	got.Expiry = time.Time{}
	want := Claims{
		Issuer:            p.issuer,
		Subject:           "user-42",
		Email:             "ada@example.org",
		EmailVerified:     true,
		Name:              "Ada Lovelace",
		PreferredUsername: "ada",
	}
	if got != want {
		t.Fatalf("claims = %+v, want %+v", got, want)
	}
}

func TestVerifyValidES256(t *testing.T) {
	p := newProvider(t)
	v := p.verifier(t)
	c := p.claims()
	c["sub"] = "ec-user"
	c["email_verified"] = "true" // some providers send a string
	got, err := v.Verify(ctx(t), sign(t, jose.ES256, keys(t).ec, "ec-1", c))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.Subject != "ec-user" || !got.EmailVerified || got.Issuer != p.issuer {
		t.Fatalf("claims = %+v", got)
	}
}

func TestVerifyClaimChecks(t *testing.T) {
	p := newProvider(t)
	v := p.verifier(t)
	now := time.Now()
	cases := []struct {
		name  string
		edit  func(map[string]any)
		valid bool
	}{
		{"audience list containing ours", func(c map[string]any) { c["aud"] = []string{"other", testAudience} }, true},
		{"wrong audience", func(c map[string]any) { c["aud"] = "someone-else" }, false},
		{"audience list without ours", func(c map[string]any) { c["aud"] = []string{"a", "b"} }, false},
		{"no audience", func(c map[string]any) { delete(c, "aud") }, false},
		{"wrong issuer", func(c map[string]any) { c["iss"] = "https://evil.example.org" }, false},
		{"issuer with trailing slash", func(c map[string]any) { c["iss"] = p.issuer + "/" }, false},
		{"expired 5 minutes ago", func(c map[string]any) { c["exp"] = now.Add(-5 * time.Minute).Unix() }, false},
		{"expired within skew", func(c map[string]any) { c["exp"] = now.Add(-20 * time.Second).Unix() }, true},
		{"no exp", func(c map[string]any) { delete(c, "exp") }, false},
		{"nbf 5 minutes ahead", func(c map[string]any) { c["nbf"] = now.Add(5 * time.Minute).Unix() }, false},
		{"nbf within skew", func(c map[string]any) { c["nbf"] = now.Add(20 * time.Second).Unix() }, true},
		{"nbf in the past", func(c map[string]any) { c["nbf"] = now.Add(-time.Hour).Unix() }, true},
		{"no sub", func(c map[string]any) { delete(c, "sub") }, false},
		{"empty sub", func(c map[string]any) { c["sub"] = "" }, false},
		{"email_verified false", func(c map[string]any) { c["email_verified"] = false }, true},
		{"email_verified of a wrong type", func(c map[string]any) { c["email_verified"] = 1 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := p.claims()
			tc.edit(c)
			_, err := v.Verify(ctx(t), sign(t, jose.RS256, keys(t).rsa, "rsa-1", c))
			if tc.valid {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			wantInvalid(t, err)
		})
	}
}

func TestVerifyWrongSignatureSameKid(t *testing.T) {
	p := newProvider(t)
	v := p.verifier(t)
	// Same kid as a published key, signed by a key the provider never had.
	_, err := v.Verify(ctx(t), sign(t, jose.RS256, keys(t).rsaOther, "rsa-1", p.claims()))
	wantInvalid(t, err)

	// A genuine token whose signature bytes were tampered with.
	good := sign(t, jose.RS256, keys(t).rsa, "rsa-1", p.claims())
	parts := strings.Split(good, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 0xff
	_, err = v.Verify(ctx(t), parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(sig))
	wantInvalid(t, err)

	// A payload changed after signing.
	c := p.claims()
	c["sub"] = "admin"
	forged := sign(t, jose.RS256, keys(t).rsaOther, "x", c)
	_, err = v.Verify(ctx(t), parts[0]+"."+strings.Split(forged, ".")[1]+"."+parts[2])
	wantInvalid(t, err)
}

func TestVerifyUnknownKidRefetchesAndRotates(t *testing.T) {
	p := newProvider(t)
	v := p.verifier(t)
	rotated := keys(t).rsaRotated

	// Warm the key cache.
	if _, err := v.Verify(ctx(t), sign(t, jose.RS256, keys(t).rsa, "rsa-1", p.claims())); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	before := p.jwks.Load()

	token := sign(t, jose.RS256, rotated, "rsa-2", p.claims())
	// go-oidc shares a finished fetch with callers until its goroutine
	// clears it, so a request right after another may reuse that result:
	// the refetch is guaranteed only once no fetch is in flight. Retry
	// briefly rather than depend on scheduling.
	refetched := false
	for i := 0; i < 100 && !refetched; i++ {
		_, err := v.Verify(ctx(t), token)
		wantInvalid(t, err)
		refetched = p.jwks.Load() > before
		if !refetched {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !refetched {
		t.Fatalf("JWKS fetched %d times before and %d after an unknown kid; want a refetch", before, p.jwks.Load())
	}

	// The provider rotates in the new key; the same Verifier picks it up.
	p.addKey(jose.JSONWebKey{Key: &rotated.PublicKey, KeyID: "rsa-2", Algorithm: "RS256", Use: "sig"})
	var got Claims
	var err error
	for i := 0; i < 100; i++ {
		if got, err = v.Verify(ctx(t), token); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Verify after rotation: %v", err)
	}
	if got.Subject != "user-42" {
		t.Fatalf("claims = %+v", got)
	}
	// Known kids are served from the cache.
	n := p.jwks.Load()
	if _, err := v.Verify(ctx(t), sign(t, jose.RS256, rotated, "rsa-2", p.claims())); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if p.jwks.Load() != n {
		t.Fatal("JWKS refetched for a cached kid")
	}
}

func TestVerifyMalformedAndForbiddenAlgs(t *testing.T) {
	p := newProvider(t)
	v := p.verifier(t)

	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	payload, _ := json.Marshal(p.claims())
	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("usergroups-api-client-secret-32b")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hsToken, err := jwt.Signed(hs).Claims(p.claims()).Serialize()
	if err != nil {
		t.Fatal(err)
	}

	for name, raw := range map[string]string{
		"empty":             "",
		"one part":          "abc",
		"junk parts":        "a.b.c",
		"two parts":         "a.b",
		"four parts":        "a.b.c.d",
		"bad base64":        "eyJ!.eyJ.sig",
		"header not json":   b64("nope") + "." + b64(string(payload)) + ".c2ln",
		"alg none":          b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(string(payload)) + ".",
		"alg none with sig": b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(string(payload)) + ".c2ln",
		"HS256":             hsToken,
		"oversized":         b64(`{"alg":"RS256"}`) + "." + strings.Repeat("A", maxTokenLen) + ".c2ln",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(ctx(t), raw)
			wantInvalid(t, err)
		})
	}
}

func TestVerifyProviderDownThenUp(t *testing.T) {
	p := newProvider(t)
	v := p.verifier(t)
	token := sign(t, jose.RS256, keys(t).rsa, "rsa-1", p.claims())

	p.setDown(true)
	_, err := v.Verify(ctx(t), token)
	wantUnavailable(t, err)

	// Within the retry interval the failure is answered without a new request.
	n := p.discovery.Load()
	_, err = v.Verify(ctx(t), token)
	wantUnavailable(t, err)
	if p.discovery.Load() != n {
		t.Fatal("discovery retried within the retry interval")
	}

	p.setDown(false)
	v.mu.Lock()
	v.retryAfter = 0 // stands in for waiting out the interval
	v.mu.Unlock()
	got, err := v.Verify(ctx(t), token)
	if err != nil {
		t.Fatalf("Verify after provider came back: %v", err)
	}
	if got.Subject != "user-42" {
		t.Fatalf("claims = %+v", got)
	}

	// Once discovered, the verifier keeps its metadata even if the provider
	// goes away again; cached keys still verify.
	p.setDown(true)
	if _, err := v.Verify(ctx(t), token); err != nil {
		t.Fatalf("Verify with cached keys: %v", err)
	}
	// An unknown kid needs the JWKS, which is down: that is not the token's
	// fault. (Retried briefly: go-oidc may hand the previous, finished fetch
	// to a caller that arrives before that fetch's goroutine clears it.)
	unknown := sign(t, jose.RS256, keys(t).rsaRotated, "rsa-9", p.claims())
	for i := 0; i < 100; i++ {
		if _, err = v.Verify(ctx(t), unknown); errors.Is(err, ErrProviderUnavailable) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	wantUnavailable(t, err)
}

func TestVerifyProviderUnreachable(t *testing.T) {
	p := newProvider(t)
	issuer := p.issuer
	p.srv.Close() // nothing listens there any more
	v, err := New(Config{Issuer: issuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(ctx(t), sign(t, jose.RS256, keys(t).rsa, "rsa-1", p.claims()))
	wantUnavailable(t, err)
}

func TestVerifyDiscoveryIssuerMismatch(t *testing.T) {
	p := newProvider(t)
	p.mu.Lock()
	p.claimIssuer = p.issuer + "/"
	p.mu.Unlock()
	v := p.verifier(t)
	_, err := v.Verify(ctx(t), sign(t, jose.RS256, keys(t).rsa, "rsa-1", p.claims()))
	wantUnavailable(t, err)
}

func TestVerifyCallerDeadlineDoesNotAbortDiscovery(t *testing.T) {
	p := newProvider(t)
	hold := make(chan struct{})
	p.mu.Lock()
	p.hold = hold
	p.mu.Unlock()
	v := p.verifier(t)
	token := sign(t, jose.RS256, keys(t).rsa, "rsa-1", p.claims())

	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := v.Verify(short, token)
	wantUnavailable(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the caller's deadline in the chain, got %v", err)
	}

	close(hold)
	if _, err := v.Verify(ctx(t), token); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if n := p.discovery.Load(); n != 1 {
		t.Fatalf("discovery requested %d times, want 1 shared attempt", n)
	}
}

func TestVerifyConcurrent(t *testing.T) {
	p := newProvider(t)
	v := p.verifier(t)
	k := keys(t)
	good := sign(t, jose.RS256, k.rsa, "rsa-1", p.claims())
	goodEC := sign(t, jose.ES256, k.ec, "ec-1", p.claims())
	c := p.claims()
	c["aud"] = "someone-else"
	bad := sign(t, jose.RS256, k.rsa, "rsa-1", c)

	var wg sync.WaitGroup
	errs := make(chan error, 20*3)
	for range 20 {
		wg.Go(func() {
			for _, raw := range []string{good, goodEC} {
				if _, err := v.Verify(ctx(t), raw); err != nil {
					errs <- err
				}
			}
			if _, err := v.Verify(ctx(t), bad); !errors.Is(err, ErrInvalidToken) {
				errs <- errors.New("bad audience accepted or misclassified: " + errString(err))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := p.discovery.Load(); n != 1 {
		t.Errorf("discovery requested %d times by concurrent callers, want 1", n)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	for _, tc := range []struct {
		issuer, audience string
		ok               bool
	}{
		{"https://id.example.org", "client", true},
		{"https://id.example.org/realms/openstack", "client", true},
		{"http://127.0.0.1:8080", "client", true},
		{"http://localhost:8080", "client", true},
		{"http://[::1]:8080", "client", true},
		{"", "client", false},
		{"https://id.example.org", "", false},
		{"https://id.example.org", "  ", false},
		{"http://id.example.org", "client", false},
		{"http://10.0.0.1", "client", false},
		{"ftp://id.example.org", "client", false},
		{"id.example.org", "client", false},
		{"https://", "client", false},
		{"https://id.example.org?tenant=1", "client", false},
		{"https://id.example.org#x", "client", false},
		{"https://user:pw@id.example.org", "client", false},
		{"://bad", "client", false},
	} {
		_, err := New(Config{Issuer: tc.issuer, Audience: tc.audience})
		if (err == nil) != tc.ok {
			t.Errorf("New(%q, %q) error = %v, want ok=%v", tc.issuer, tc.audience, err, tc.ok)
		}
	}
}

func TestLooksLikeJWT(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", true},
		{"a.b.c", true},
		{"A-_z.09.x_-", true},
		{"", false},
		{"abc", false},
		{"a.b", false},
		{"a.b.c.d", false},
		{"a..c", false},
		{".b.c", false},
		{"a.b.", false},
		{"a.b.c=", false},  // padding is not base64url in JWS
		{"a+b.c.d", false}, // standard base64 alphabet
		{"a.b.c ", false},  // stray whitespace
		{"ug_0123456789abcdef", false},
	} {
		if got := LooksLikeJWT(tc.in); got != tc.want {
			t.Errorf("LooksLikeJWT(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
