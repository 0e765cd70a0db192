package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/auth"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/oidc"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestMalformedCredentialsCostNothing: a credential that is not shaped like
// one we issue is refused without a database read, and a JWT that does not
// parse without a call to the identity provider; a well-formed guess still
// costs its one lookup.
func TestMalformedCredentialsCostNothing(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	var calls atomic.Int64
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(provider.Close)
	v, err := oidc.New(oidc.Config{Issuer: provider.URL, Audience: "usergroups", HTTPClient: provider.Client()})
	if err != nil {
		t.Fatal(err)
	}
	wf := workflow.NewRunner(db.Client, nil)
	a := auth.New(wf, v, quiet())
	ctx := context.Background()
	sys := viewer.SystemContext(ctx)
	ada := newUser(t, db.Client, "ada")
	issued, err := wf.CreateAPIToken(sys, workflow.NewToken{OwnerID: ada.ID, Name: "t", Scopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	secret := issued.Secret
	body := strings.TrimPrefix(secret, auth.TokenPrefix)

	counter.Reset()
	for name, cred := range map[string]string{
		"short":                  "ugt_thisisnotarealtoken",
		"one character more":     secret + "A",
		"one character less":     secret[:len(secret)-1],
		"outside the alphabet":   auth.TokenPrefix + "+" + body[1:],
		"padding":                auth.TokenPrefix + body[:len(body)-1] + "=",
		"non-canonical last":     auth.TokenPrefix + body[:len(body)-1] + "B",
		"wrong prefix":           "ugx_" + body,
		"jwt of junk":            "a.b.c",
		"jwt without claims":     "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
		"jwt header without alg": "e30.eyJzdWIiOiJ4In0.c2ln",
		"jwt without signature":  "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.!",
	} {
		if _, err := a.Authenticate(ctx, "Bearer "+cred); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("%s: err = %v, want ErrUnauthenticated", name, err)
		}
	}
	if n := counter.Count(); n != 0 {
		t.Errorf("malformed credentials sent %d SQL statements, want 0", n)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("malformed JWTs made %d calls to the identity provider, want 0", n)
	}

	// A well-formed token that was never issued costs its lookup.
	guess := auth.TokenPrefix + "A" + body[1:]
	if body[0] == 'A' {
		guess = auth.TokenPrefix + "B" + body[1:]
	}
	if _, err := a.Authenticate(ctx, "Bearer "+guess); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("unknown token: err = %v", err)
	}
	if n := counter.Count(); n != 1 {
		t.Errorf("an unknown well-formed token sent %d SQL statements, want 1", n)
	}
	if _, err := a.Authenticate(ctx, "Bearer "+secret); err != nil {
		t.Errorf("the real token: %v", err)
	}
}
