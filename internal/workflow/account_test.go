package workflow_test

import (
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestSignIn: a first sign-in creates the person from the claims — a free
// handle from their username, their name, the verified email unless
// someone already uses it — and a later one finds them unchanged. Only the
// system signs people in.
func TestSignIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	taken := w.User(func(b *ent.UserCreate) { b.SetHandle("ada") })
	id := workflow.Identity{Issuer: "https://idp.example.org", Subject: "42", Name: " Ada Lovelace ",
		PreferredUsername: "Ada", Email: "lovelace@example.org", EmailVerified: true}

	u, err := w.Runner.SignIn(w.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Handle != "ada-2" || u.Name != "Ada Lovelace" || u.OidcIssuer == nil || *u.OidcIssuer != id.Issuer || u.OidcSubject == nil || *u.OidcSubject != id.Subject {
		t.Errorf("created %+v", u)
	}
	if c := w.Client.User.QueryContact(u).OnlyX(w.System()); c.Email != "lovelace@example.org" {
		t.Errorf("contact %+v", c)
	}

	again, err := w.Runner.SignIn(w.System(), workflow.Identity{Issuer: id.Issuer, Subject: id.Subject, Name: "Someone else"})
	if err != nil || again.ID != u.ID || again.Name != "Ada Lovelace" {
		t.Errorf("signing in again: %+v, %v", again, err)
	}

	// Another person using the same email keeps it; an unverified email is
	// not kept; with no name at all the email's local part names them.
	other, err := w.Runner.SignIn(w.System(), workflow.Identity{Issuer: id.Issuer, Subject: "43", Email: taken.Handle + "@example.org", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	if other.Name != "ada" || other.Handle != "ada-3" {
		t.Errorf("named from the email: %+v", other)
	}
	if n := w.Client.User.QueryContact(other).CountX(w.System()); n != 0 {
		t.Errorf("another person's email was given to the new person")
	}
	unverified, err := w.Runner.SignIn(w.System(), workflow.Identity{Issuer: id.Issuer, Subject: "44", Email: "new@example.org"})
	if err != nil || w.Client.User.QueryContact(unverified).CountX(w.System()) != 0 {
		t.Errorf("an unverified email was kept: %v", err)
	}

	_, err = w.Runner.SignIn(w.As(taken.ID), workflow.Identity{Issuer: id.Issuer, Subject: "45"})
	wantCode(t, err, apierror.Forbidden)
	if n := w.Client.User.Query().Where(user.OidcSubject("45")).CountX(w.System()); n != 0 {
		t.Errorf("a person signed someone in")
	}
}
