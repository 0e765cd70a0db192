package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/server"
)

// devSignIn walks the development provider's code flow with PKCE over
// HTTP, as the board does, and returns the access token for person.
func devSignIn(t *testing.T, base, person string) string {
	t.Helper()
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	redirect := base + "/app/"
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(base+"/dev/oidc/authorize", url.Values{"response_type": {"code"},
		"client_id": {"usergroups-board"}, "redirect_uri": {redirect}, "state": {"s"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}, "person": {person}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	resp, err = http.PostForm(base+"/dev/oidc/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {redirect}, "client_id": {"usergroups-board"}, "code_verifier": {verifier}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("token endpoint: %d %v", resp.StatusCode, err)
	}
	return body.AccessToken
}

// TestDevSignIn: with --dev the board offers the development provider and
// its tokens sign the chosen person in, roles and all, until they expire;
// without --dev the provider does not exist and its tokens are refused.
func TestDevSignIn(t *testing.T) {
	db := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SaveX(sys)
	ada := tx.User.Create().SetHandle("ada").SetName("Ada").SaveX(sys)
	tx.Role.Create().SetUserID(ada.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	dev := httptest.NewServer(server.New(db, server.Config{Dev: true, Logger: quietLogger(), Now: clock, DevTokenLifetime: time.Hour}))
	defer dev.Close()
	prod := httptest.NewServer(server.New(db, server.Config{Logger: quietLogger(), OIDCIssuer: "https://id.example.org", OIDCClientID: "board"}))
	defer prod.Close()

	// The board's configuration lists what each server offers.
	var cfg struct {
		Providers []struct {
			Issuer, ClientID string
			Dev              bool
		}
	}
	getJSON(t, dev.URL+"/app/config.json", &cfg)
	if len(cfg.Providers) != 1 || !cfg.Providers[0].Dev || cfg.Providers[0].Issuer != dev.URL+"/dev/oidc" {
		t.Fatalf("dev config: %+v", cfg)
	}
	getJSON(t, prod.URL+"/app/config.json", &cfg)
	if len(cfg.Providers) != 1 || cfg.Providers[0].Dev || cfg.Providers[0].Issuer != "https://id.example.org" || cfg.Providers[0].ClientID != "board" {
		t.Fatalf("prod config: %+v", cfg)
	}
	resp, err := http.Get(prod.URL + "/app/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); resp.StatusCode != 200 || !strings.Contains(csp, "connect-src 'self' ws: wss: https://id.example.org;") {
		t.Fatalf("board page: %d, CSP %q", resp.StatusCode, csp)
	}

	tok := devSignIn(t, dev.URL, string(ada.ID))
	me := query(t, dev.Config.Handler, "Bearer "+tok, `{ me { handle roles { edges { node { kind } } } } }`, nil)
	if dig(me.Data, "me", "handle") != "ada" || dig(me.Data, "me", "roles", "edges", "0", "node", "kind") != "COMMUNITY_MANAGER" {
		t.Fatalf("signed in as %v %v", me.Data, me.Errors)
	}
	// Without --dev: no provider, and its token is no credential.
	resp, err = http.Get(prod.URL + "/dev/oidc/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("development provider without --dev: %d", resp.StatusCode)
	}
	if r := query(t, prod.Config.Handler, "Bearer "+tok, `{ me { handle } }`, nil); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Fatalf("a development token without --dev: %+v", r)
	}
	// It ends with its lifetime.
	now = now.Add(time.Hour + time.Second)
	if r := query(t, dev.Config.Handler, "Bearer "+tok, `{ me { handle } }`, nil); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Fatalf("an expired development token: %+v", r)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}
