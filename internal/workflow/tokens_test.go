package workflow_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/apitoken"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/auth/secret"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// wantTokenScope reports an error unless err is FORBIDDEN for the
// credential (reason TOKEN_SCOPE), not for the person.
func wantTokenScope(t testing.TB, err error) {
	t.Helper()
	ae := errmap.Classify(err)
	if ae == nil || ae.Code != apierror.Forbidden || ae.Extensions["reason"] != apierror.ReasonTokenScope {
		t.Errorf("got %v, want FORBIDDEN with reason TOKEN_SCOPE", err)
	}
}

// tokenCount is how many API tokens owner has.
func (w *world) tokenCount(owner *ent.User) int {
	w.t.Helper()
	return w.Client.APIToken.Query().Where(apitoken.OwnerID(owner.ID)).CountX(w.System())
}

func days(n int) *int { return &n }

// TestCreateAPIToken: a person signed in creates their own
// token; the secret is returned once and only its hash and hint are
// stored; write implies read; the lifetime counts from the runner's clock.
func TestCreateAPIToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada := w.User()

	got, err := w.Runner.CreateAPIToken(w.As(ada.ID), workflow.NewToken{Name: "sync", Scopes: []string{" Write "}, ExpiresInDays: days(30)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Secret, secret.Prefix) || !secret.WellFormed(got.Secret) {
		t.Errorf("secret %q is not one we issue", got.Secret)
	}
	stored := w.Client.APIToken.GetX(w.System(), got.Token.ID)
	if stored.OwnerID != ada.ID || stored.Name != "sync" || stored.TokenHash != secret.Hash(got.Secret) ||
		stored.TokenHash == got.Secret || stored.Hint != got.Secret[:10] {
		t.Errorf("stored %+v", stored)
	}
	if !slices.Equal(stored.Scopes, []string{"read", "write"}) {
		t.Errorf("scopes %v, want [read write]", stored.Scopes)
	}
	if want := w.Now().AddDate(0, 0, 30); stored.ExpiresAt == nil || !stored.ExpiresAt.Equal(want) {
		t.Errorf("expiresAt %v, want %v", stored.ExpiresAt, want)
	}

	// Naming oneself as the owner is the same; no lifetime never expires.
	got, err = w.Runner.CreateAPIToken(w.As(ada.ID), workflow.NewToken{OwnerID: ada.ID, Name: "forever", Scopes: []string{"read"}})
	if err != nil || got.Token.ExpiresAt != nil || !slices.Equal(got.Token.Scopes, []string{"read"}) {
		t.Errorf("a token without a lifetime: %+v, %v", got.Token, err)
	}
	if n := w.tokenCount(ada); n != 2 {
		t.Errorf("ada has %d tokens, want 2", n)
	}
}

// TestCreateAPITokenIsForOneselfSignedIn: a token never mints tokens,
// whatever its scopes (TOKEN_SCOPE); nobody creates a token for someone
// else; anonymous viewers are asked to sign in. Nothing is stored.
func TestCreateAPITokenIsForOneselfSignedIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada, bob := w.User(), w.User()
	in := workflow.NewToken{Name: "x", Scopes: []string{"read"}}

	_, err := w.Runner.CreateAPIToken(w.AsToken(ada.ID, "read", "write"), in)
	wantTokenScope(t, err)
	_, err = w.Runner.CreateAPIToken(w.AsToken(ada.ID, "read"), in)
	wantTokenScope(t, err)

	forBob := in
	forBob.OwnerID = bob.ID
	_, err = w.Runner.CreateAPIToken(w.As(ada.ID), forBob)
	wantCode(t, err, apierror.Forbidden)

	_, err = w.Runner.CreateAPIToken(w.Anonymous(), in)
	wantCode(t, err, apierror.Unauthenticated)

	if a, b := w.tokenCount(ada), w.tokenCount(bob); a != 0 || b != 0 {
		t.Errorf("refused creations stored tokens: ada %d, bob %d", a, b)
	}

	// The system (the command line) names the owner, and must.
	if got, err := w.Runner.CreateAPIToken(w.System(), forBob); err != nil || got.Token.OwnerID != bob.ID {
		t.Errorf("the system creates bob's token: %+v, %v", got.Token, err)
	}
	_, err = w.Runner.CreateAPIToken(w.System(), in)
	wantCode(t, err, apierror.BadUserInput)
}

// TestCreateAPITokenLifetime: the one limit (policy.TokenLifetime) holds
// at its bounds, and bad scopes are refused by field.
func TestCreateAPITokenLifetime(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada := w.User()
	for _, tc := range []struct {
		days int
		ok   bool
	}{{policy.MinTokenDays - 1, false}, {policy.MinTokenDays, true}, {policy.MaxTokenDays, true}, {policy.MaxTokenDays + 1, false}} {
		got, err := w.Runner.CreateAPIToken(w.As(ada.ID), workflow.NewToken{Name: "t", Scopes: []string{"read"}, ExpiresInDays: days(tc.days)})
		if !tc.ok {
			wantCode(t, err, apierror.BadUserInput)
			if ae := errmap.Classify(err); ae == nil || ae.Field != "expiresInDays" {
				t.Errorf("%d days: %v, want the field expiresInDays", tc.days, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%d days: %v", tc.days, err)
		} else if want := w.Now().Add(time.Duration(tc.days) * day); !got.Token.ExpiresAt.Equal(want) {
			t.Errorf("%d days: expires %v, want %v", tc.days, got.Token.ExpiresAt, want)
		}
	}
	if n := w.tokenCount(ada); n != 2 {
		t.Errorf("%d tokens stored, want the 2 within bounds", n)
	}

	for _, scopes := range [][]string{nil, {"root"}, {"read", "admin"}} {
		_, err := w.Runner.CreateAPIToken(w.As(ada.ID), workflow.NewToken{Name: "t", Scopes: scopes})
		if ae := errmap.Classify(err); ae == nil || ae.Code != apierror.BadUserInput || ae.Field != "scopes" {
			t.Errorf("scopes %v: %v, want BAD_USER_INPUT on scopes", scopes, err)
		}
	}
}

// credentialChanges counts the change rows that announce a change of
// token id to every replica.
func (w *world) credentialChanges(id string) int {
	w.t.Helper()
	return w.Client.Change.Query().Where(change.Topic(changelog.TopicCredential), change.NodeID(id)).CountX(w.System())
}

// TestRevokeAPIToken: a person revokes their own token, signed in, at the
// runner's time, with one change row for the replicas; revoking again
// changes nothing. Another person's token is NOT_FOUND and stays valid; a
// token revokes nothing (TOKEN_SCOPE); the system revokes anyone's.
func TestRevokeAPIToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada, bob := w.User(), w.User()
	mint := func(owner *ent.User) *ent.APIToken {
		t.Helper()
		got, err := w.Runner.CreateAPIToken(w.As(owner.ID), workflow.NewToken{Name: "t", Scopes: []string{"read"}})
		if err != nil {
			t.Fatal(err)
		}
		return got.Token
	}
	tok := mint(ada)
	id := string(tok.ID)

	_, err := w.Runner.RevokeAPIToken(w.As(bob.ID), tok.ID)
	wantCode(t, err, apierror.NotFound)
	_, err = w.Runner.RevokeAPIToken(w.AsToken(ada.ID, "read", "write"), tok.ID)
	wantTokenScope(t, err)
	_, err = w.Runner.RevokeAPIToken(w.Anonymous(), tok.ID)
	wantCode(t, err, apierror.Unauthenticated)
	if got := w.Client.APIToken.GetX(w.System(), tok.ID); got.RevokedAt != nil || w.credentialChanges(id) != 0 {
		t.Fatalf("a refused revocation revoked: %+v", got)
	}

	w.Clock.Advance(time.Hour)
	got, err := w.Runner.RevokeAPIToken(w.As(ada.ID), tok.ID)
	if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(w.Now()) {
		t.Fatalf("ada revokes her token: %+v, %v", got, err)
	}
	if n := w.credentialChanges(id); n != 1 {
		t.Errorf("%d credential change rows, want 1", n)
	}
	w.Clock.Advance(time.Hour)
	if again, err := w.Runner.RevokeAPIToken(w.As(ada.ID), tok.ID); err != nil || !again.RevokedAt.Equal(*got.RevokedAt) {
		t.Errorf("revoking again: %+v, %v", again, err)
	}
	if n := w.credentialChanges(id); n != 1 {
		t.Errorf("revoking again wrote a change row: %d", n)
	}

	_, err = w.Runner.RevokeAPIToken(w.As(ada.ID), "tok_01NOSUCHTOKEN00000000000000")
	wantCode(t, err, apierror.NotFound)
	bobs := mint(bob)
	if got, err := w.Runner.RevokeAPIToken(w.System(), bobs.ID); err != nil || got.RevokedAt == nil {
		t.Errorf("the system revokes bob's token: %+v, %v", got, err)
	}
}

// TestRecordTokenUse: a token's last use is written at most once a minute,
// by the runner's clock, and only by the system (authentication).
func TestRecordTokenUse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada := w.User()
	got, err := w.Runner.CreateAPIToken(w.System(), workflow.NewToken{OwnerID: ada.ID, Name: "t", Scopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	use := func() *time.Time {
		t.Helper()
		tok := w.Client.APIToken.GetX(w.System(), got.Token.ID)
		if err := w.Runner.RecordTokenUse(w.System(), tok, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		return w.Client.APIToken.GetX(w.System(), got.Token.ID).LastUsedAt
	}
	first := w.Now()
	if at := use(); at == nil || !at.Equal(first) {
		t.Fatalf("first use recorded at %v, want %v", at, first)
	}
	w.Clock.Advance(59 * time.Second)
	if at := use(); !at.Equal(first) {
		t.Errorf("a use within the minute rewrote lastUsedAt: %v", at)
	}
	later := w.Clock.Advance(2 * time.Second)
	if at := use(); !at.Equal(later) {
		t.Errorf("a use after the minute: %v, want %v", at, later)
	}
	wantCode(t, w.Runner.RecordTokenUse(w.As(ada.ID), got.Token, ""), apierror.Forbidden)
}
