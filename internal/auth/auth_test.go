package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/oidc"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newUser adds a person through an import step, as every fixture row is.
func newUser(t *testing.T, c *ent.Client, handle string) *ent.User {
	t.Helper()
	var u *ent.User
	err := workflow.NewRunner(c, nil).Import(dbtest.FixtureContext(t), "user", func(ctx context.Context, c *ent.Client) (err error) {
		u, err = c.User.Create().SetHandle(handle).SetName(handle).Save(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestTokenLifecycle follows a token from its creation through use (its
// last use written at most once a minute), revocation and expiry, all by
// the runner's clock.
func TestTokenLifecycle(t *testing.T) {
	ctx := context.Background()
	sys := viewer.SystemContext(ctx)
	db := dbtest.Open(t)
	now := time.Now().UTC().Truncate(time.Second) // what every database stores exactly
	wf := workflow.NewRunner(db.Client, func() time.Time { return now })
	a := auth.New(wf, nil, quiet())
	ada := newUser(t, db.Client, "ada")

	issued, err := wf.CreateAPIToken(sys, workflow.NewToken{OwnerID: ada.ID, Name: "sync", Scopes: []string{"write"}})
	if err != nil {
		t.Fatal(err)
	}
	secret, tok := issued.Secret, issued.Token
	stored := db.Client.APIToken.GetX(sys, tok.ID)
	if stored.TokenHash == secret || len(stored.TokenHash) != 64 || stored.Hint != secret[:10] {
		t.Errorf("stored hash %q hint %q: the secret must not be stored", stored.TokenHash, stored.Hint)
	}
	if len(tok.Scopes) != 2 {
		t.Errorf("write should imply read: scopes %v", tok.Scopes)
	}

	v, err := a.Authenticate(ctx, "Bearer "+secret)
	if err != nil {
		t.Fatal(err)
	}
	if v.UserID != ada.ID || !v.ViaToken() || !v.HasScope(viewer.ScopeWrite) {
		t.Errorf("viewer = %+v", v)
	}
	first := db.Client.APIToken.GetX(sys, tok.ID).LastUsedAt
	if first == nil || !first.Equal(now) {
		t.Fatalf("lastUsedAt = %v, want %v", first, now)
	}
	// A second use within the interval does not write again; one after it does.
	now = now.Add(59 * time.Second)
	if _, err := a.Authenticate(ctx, "bearer "+secret); err != nil {
		t.Fatal(err)
	}
	if again := db.Client.APIToken.GetX(sys, tok.ID).LastUsedAt; !again.Equal(*first) {
		t.Errorf("lastUsedAt rewritten within the interval: %v then %v", first, again)
	}
	now = now.Add(2 * time.Second)
	if _, err := a.Authenticate(ctx, "Bearer "+secret); err != nil {
		t.Fatal(err)
	}
	if again := db.Client.APIToken.GetX(sys, tok.ID).LastUsedAt; again == nil || !again.Equal(now) {
		t.Errorf("lastUsedAt after the interval: %v, want %v", again, now)
	}

	for name, header := range map[string]string{
		"wrong token":     "Bearer ugt_thisisnotarealtoken",
		"basic auth":      "Basic YWRhOnNlY3JldA==",
		"no credential":   "Bearer ",
		"no scheme":       secret,
		"unknown format":  "Bearer hello",
		"jwt without idp": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
	} {
		if _, err := a.Authenticate(ctx, header); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("%s: err = %v, want ErrUnauthenticated", name, err)
		}
	}
	if v, err := a.Authenticate(ctx, ""); err != nil || !v.IsAnonymous() {
		t.Errorf("no header: %+v, %v; want anonymous", v, err)
	}

	if _, err := wf.RevokeAPIToken(sys, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, "Bearer "+secret); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("revoked token: err = %v", err)
	}

	day := 1
	short, err := wf.CreateAPIToken(sys, workflow.NewToken{OwnerID: ada.ID, Name: "short", Scopes: []string{"read"}, ExpiresInDays: &day})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(24*time.Hour - time.Second)
	if _, err := a.Authenticate(ctx, "Bearer "+short.Secret); err != nil {
		t.Fatalf("unexpired token refused: %v", err)
	}
	now = now.Add(time.Second)
	if _, err := a.Authenticate(ctx, "Bearer "+short.Secret); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("expired token: err = %v", err)
	}
}

func TestMiddlewareRejectsBadCredentials(t *testing.T) {
	db := dbtest.Open(t)
	a := auth.New(workflow.NewRunner(db.Client, nil), nil, quiet())
	reached := false
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("Authorization", "Bearer ugt_nope")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body struct {
		Errors []struct {
			Extensions map[string]string
		}
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if reached || rec.Code != http.StatusUnauthorized || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("reached=%v status=%d body=%s", reached, rec.Code, rec.Body)
	}
}

// idp is an OpenID provider in a test server: discovery, JWKS and a signer.
type idp struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	signer jose.Signer
}

func newIDP(t *testing.T) *idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{key: key}
	mux := http.NewServeMux()
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/jwks",
			"authorization_endpoint": p.srv.URL + "/auth", "token_endpoint": p.srv.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	p.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *idp) token(t *testing.T, sub, name, email string) string {
	t.Helper()
	raw, err := jwt.Signed(p.signer).Claims(jwt.Claims{
		Issuer: p.srv.URL, Subject: sub, Audience: jwt.Audience{"usergroups"},
		Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour)), IssuedAt: jwt.NewNumericDate(time.Now()),
	}).Claims(map[string]any{"name": name, "email": email, "email_verified": true, "preferred_username": "ada"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestOIDCFirstSignInCreatesThePersonOnce signs the same new person in from
// many requests at once: exactly one user (with their email) must result.
func TestOIDCFirstSignInCreatesThePersonOnce(t *testing.T) {
	ctx := context.Background()
	db := dbtest.OpenConcurrent(t)
	p := newIDP(t)
	v, err := oidc.New(oidc.Config{Issuer: p.srv.URL, Audience: "usergroups", HTTPClient: p.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	a := auth.New(workflow.NewRunner(db.Client, nil), v, quiet())
	newUser(t, db.Client, "ada") // the preferred handle is taken: sign-in must pick another
	tok := p.token(t, "subject-42", "Ada Lovelace", "ada@example.org")

	const n = 12
	var wg sync.WaitGroup
	ids := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vw, err := a.Authenticate(ctx, "Bearer "+tok)
			if err != nil {
				t.Errorf("sign-in: %v", err)
				return
			}
			ids <- string(vw.UserID)
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	sys := viewer.SystemContext(ctx)
	users := db.Client.User.Query().Where(user.OidcSubject("subject-42")).WithContact().AllX(sys)
	if len(users) != 1 || len(seen) != 1 {
		t.Fatalf("%d users created, %d distinct viewers; want 1 and 1", len(users), len(seen))
	}
	u := users[0]
	if u.Name != "Ada Lovelace" || u.Handle == "ada" || u.Edges.Contact == nil || u.Edges.Contact.Email != "ada@example.org" {
		t.Errorf("user = %+v, contact %+v", u, u.Edges.Contact)
	}

	// Signing in again finds the same person.
	vw, err := a.Authenticate(ctx, "Bearer "+p.token(t, "subject-42", "Ada L.", "ada@example.org"))
	if err != nil || string(vw.UserID) != string(u.ID) || vw.ViaToken() {
		t.Errorf("second sign-in: %+v, %v", vw, err)
	}

	// A token for another audience is refused, never anonymous.
	other, err := jwt.Signed(p.signer).Claims(jwt.Claims{Issuer: p.srv.URL, Subject: "x", Audience: jwt.Audience{"someone-else"},
		Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, "Bearer "+other); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("wrong audience: err = %v", err)
	}
}
