package devidp_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/devidp"
)

var people = []devidp.Person{{ID: "usr_1", Handle: "ada", Name: "Ada", Roles: []string{"community manager · openEuler"}},
	{ID: "usr_2", Handle: "bob", Name: "Bob"}}

type fixture struct {
	p   *devidp.Provider
	srv *httptest.Server
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{now: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)}
	var err error
	f.p, err = devidp.New(devidp.Config{
		People: func(_ context.Context, search string) ([]devidp.Person, error) {
			var out []devidp.Person
			for _, p := range people {
				if strings.Contains(p.Handle, search) {
					out = append(out, p)
				}
			}
			return out, nil
		},
		Lookup: func(_ context.Context, id string) (devidp.Person, error) {
			for _, p := range people {
				if p.ID == id {
					return p, nil
				}
			}
			return devidp.Person{}, errors.New("not found")
		},
		TokenLifetime: time.Hour,
		Now:           func() time.Time { return f.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.p.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const verifier = "a-verifier-of-at-least-forty-three-characters-long"

// authorize picks person and returns the code the redirect carries.
func (f *fixture) authorize(t *testing.T, person, redirect string) (string, *http.Response) {
	t.Helper()
	form := url.Values{"response_type": {"code"}, "client_id": {devidp.ClientID}, "redirect_uri": {redirect},
		"state": {"st"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}, "person": {person}}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(f.srv.URL+devidp.Path+"authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", resp
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("state") != "st" {
		t.Fatalf("redirect %s lost the state", loc)
	}
	return loc.Query().Get("code"), resp
}

func (f *fixture) redeem(t *testing.T, code, redirect, verifier string) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(f.srv.URL+devidp.Path+"token", url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {redirect}, "client_id": {devidp.ClientID}, "code_verifier": {verifier}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestCodeFlowWithPKCE(t *testing.T) {
	f := newFixture(t)
	redirect := f.srv.URL + "/app/"
	code, _ := f.authorize(t, "usr_1", redirect)
	status, body := f.redeem(t, code, redirect, verifier)
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, body)
	}
	tok, _ := body["access_token"].(string)
	if !f.p.Owns(tok) {
		t.Fatal("the provider does not recognise its own token")
	}
	claims, err := f.p.Verify(tok)
	if err != nil || claims.Subject != "usr_1" || !claims.Expiry.Equal(f.now.Add(time.Hour)) {
		t.Fatalf("claims %+v, %v", claims, err)
	}
	// A code is redeemed once.
	if status, body := f.redeem(t, code, redirect, verifier); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("second redemption: %d %v", status, body)
	}
	// The token expires with its lifetime.
	f.now = f.now.Add(time.Hour + time.Second)
	if _, err := f.p.Verify(tok); err == nil {
		t.Fatal("an expired token verified")
	}
}

func TestTokenRefusals(t *testing.T) {
	f := newFixture(t)
	redirect := f.srv.URL + "/app/"
	code, _ := f.authorize(t, "usr_2", redirect)
	if status, body := f.redeem(t, code, redirect, "another-verifier-that-does-not-match-the-challenge"); status != http.StatusBadRequest ||
		!strings.Contains(body["error_description"].(string), "code_verifier") {
		t.Fatalf("wrong verifier: %d %v", status, body)
	}
	code, _ = f.authorize(t, "usr_2", redirect)
	if status, _ := f.redeem(t, code, f.srv.URL+"/elsewhere/", verifier); status != http.StatusBadRequest {
		t.Fatalf("another redirect_uri: %d", status)
	}
	code, _ = f.authorize(t, "usr_2", redirect)
	f.now = f.now.Add(2 * time.Minute)
	if status, _ := f.redeem(t, code, redirect, verifier); status != http.StatusBadRequest {
		t.Fatalf("stale code: %d", status)
	}
	// A token from another provider (another key) is not this one's.
	other := newFixture(t)
	code, _ = other.authorize(t, "usr_1", other.srv.URL+"/app/")
	_, body := other.redeem(t, code, other.srv.URL+"/app/", verifier)
	if tok := body["access_token"].(string); f.p.Owns(tok) {
		t.Fatal("a token of another provider passed as this one's")
	} else if _, err := f.p.Verify(tok); err == nil {
		t.Fatal("a token of another provider verified")
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	f := newFixture(t)
	// Never an open redirector: the way back must be a page of this server.
	if _, resp := f.authorize(t, "usr_1", "https://evil.example/app/"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("foreign redirect: %d", resp.StatusCode)
	}
	if _, resp := f.authorize(t, "usr_404", f.srv.URL+"/app/"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown person: %d", resp.StatusCode)
	}
	for name, q := range map[string]url.Values{
		"no PKCE":    {"response_type": {"code"}, "client_id": {devidp.ClientID}, "redirect_uri": {f.srv.URL + "/app/"}},
		"plain PKCE": {"response_type": {"code"}, "client_id": {devidp.ClientID}, "redirect_uri": {f.srv.URL + "/app/"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"plain"}},
		"client":     {"response_type": {"code"}, "client_id": {"other"}, "redirect_uri": {f.srv.URL + "/app/"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}},
	} {
		resp, err := http.Get(f.srv.URL + devidp.Path + "authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, resp.StatusCode)
		}
	}
}

func TestDiscoveryAndPicker(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.srv.URL + devidp.Path + ".well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	iss := f.srv.URL + "/dev/oidc"
	if doc["issuer"] != iss || doc["token_endpoint"] != iss+"/token" || doc["authorization_endpoint"] != iss+"/authorize" {
		t.Fatalf("discovery: %v", doc)
	}
	q := url.Values{"response_type": {"code"}, "client_id": {devidp.ClientID}, "redirect_uri": {f.srv.URL + "/app/"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}, "q": {"bo"}}
	resp, err = http.Get(f.srv.URL + devidp.Path + "authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		page.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if !strings.Contains(page.String(), `data-handle="bob"`) || strings.Contains(page.String(), `data-handle="ada"`) {
		t.Fatalf("the picker searched for %q shows:\n%s", "bo", page.String())
	}
}
