package workflow_test

import (
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/workflow"
)

func TestUpdateProfileChangesOnlyWhatIsGiven(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada := w.User(func(b *ent.UserCreate) { b.SetCity("Paris").SetBio("Kernel hacker.") })
	org := w.Organization()
	yes, empty := true, ""
	u, err := w.Runner.UpdateProfile(w.As(ada.ID), workflow.ProfileUpdate{
		Name: addr(" Ada Lovelace "), Organization: &org.ID, Country: addr("cn"), City: &empty,
		Languages: []string{"en", "zh-CN"}, Links: []schematype.Link{{Label: "Blog", URL: "https://ada.example.org"}},
		ShowcaseConsent: &yes, LedgerPublic: &yes,
	})
	if err != nil || u.Name != "Ada Lovelace" || u.OrganizationID != org.ID || u.Country != "CN" || u.City != "" ||
		u.Bio != "Kernel hacker." || len(u.Languages) != 2 || len(u.Links) != 1 || !u.ShowcaseConsent || u.PhotoConsent || !u.LedgerPublic {
		t.Fatalf("update: %+v %v", u, err)
	}
	for _, tc := range []struct {
		in    workflow.ProfileUpdate
		field string
	}{
		{workflow.ProfileUpdate{Name: addr(" ")}, "name"},
		{workflow.ProfileUpdate{Name: addr(strings.Repeat("a", 101))}, "name"},
		{workflow.ProfileUpdate{Bio: addr(strings.Repeat("a", 2001))}, "bio"},
		{workflow.ProfileUpdate{AvatarURL: addr("not a url")}, "avatarURL"},
		{workflow.ProfileUpdate{Affiliation: addr(strings.Repeat("a", 201))}, "affiliation"},
		{workflow.ProfileUpdate{City: addr(strings.Repeat("a", 101))}, "city"},
		{workflow.ProfileUpdate{Country: addr("China")}, "country"},
		{workflow.ProfileUpdate{Languages: []string{"Klingon!"}}, "languages"},
		{workflow.ProfileUpdate{Links: []schematype.Link{{Label: "Blog", URL: "http://ada.example.org"}}}, "links"},
		{workflow.ProfileUpdate{Links: make([]schematype.Link, 11)}, "links"},
	} {
		_, err := w.Runner.UpdateProfile(w.As(ada.ID), tc.in)
		refused(t, err, apierror.BadUserInput, tc.field)
	}
	_, err = w.Runner.UpdateProfile(w.As(ada.ID), workflow.ProfileUpdate{Organization: addr(org.ID + "x")})
	refused(t, err, apierror.NotFound, "organization")
	// Nothing refused changed anything; empty lists clear.
	u, err = w.Runner.UpdateProfile(w.As(ada.ID), workflow.ProfileUpdate{Languages: []string{}, Organization: addr(org.ID[:0])})
	if err != nil || u.Name != "Ada Lovelace" || len(u.Languages) != 0 || len(u.Links) != 1 || u.OrganizationID != "" {
		t.Errorf("after refusals: %+v %v", u, err)
	}
	_, err = w.Runner.UpdateProfile(w.Anonymous(), workflow.ProfileUpdate{Name: addr("Nobody")})
	wantCode(t, err, apierror.Unauthenticated)
}

func TestSetContactKeepsOneRowAndOneOwnerPerEmail(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada, bob := w.User(), w.User()
	c, err := w.Runner.SetContact(w.As(ada.ID), workflow.ContactInput{Email: "ada@lovelace.example", Phone: addr("+86 755 1234 5678"), Messaging: addr("ada_wx")})
	if err != nil || c.Email != "ada@lovelace.example" || c.Phone != "+86 755 1234 5678" || c.Messaging != "ada_wx" {
		t.Fatalf("set: %+v %v", c, err)
	}
	c, err = w.Runner.SetContact(w.As(ada.ID), workflow.ContactInput{Email: "ada@lovelace.example"})
	if err != nil || c.Phone != "" || c.Messaging != "" {
		t.Fatalf("set again without phone: %+v %v", c, err)
	}
	if n := w.Client.Contact.Query().CountX(w.System()); n != 2 {
		t.Errorf("%d contact rows, want one each", n)
	}
	_, err = w.Runner.SetContact(w.As(bob.ID), workflow.ContactInput{Email: "ADA@lovelace.example"})
	refused(t, err, apierror.Conflict, "email")
	for _, tc := range []struct {
		in    workflow.ContactInput
		field string
	}{
		{workflow.ContactInput{Email: "bob"}, "email"},
		{workflow.ContactInput{Email: "bob@example.org", Phone: addr("call me")}, "phone"},
		{workflow.ContactInput{Email: "bob@example.org", Messaging: addr(strings.Repeat("x", 101))}, "messaging"},
	} {
		_, err := w.Runner.SetContact(w.As(bob.ID), tc.in)
		refused(t, err, apierror.BadUserInput, tc.field)
	}
}
