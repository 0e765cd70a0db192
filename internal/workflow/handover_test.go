package workflow_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	mail "github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestSetShippingAddressChecksEachField: every field is checked by name,
// the country normalised, and a second call replaces the first.
func TestSetShippingAddressChecksEachField(t *testing.T) {
	h := newHandover(t)
	for _, tc := range []struct {
		change func(*workflow.ShippingInput)
		field  string
	}{
		{func(in *workflow.ShippingInput) { in.Country = "XX" }, "country"},
		{func(in *workflow.ShippingInput) { in.Phone = "call me" }, "phone"},
		{func(in *workflow.ShippingInput) { in.StreetLines = []string{" "} }, "streetLines"},
		{func(in *workflow.ShippingInput) { in.StreetLines = []string{"a", "b", "c", "d"} }, "streetLines"},
		{func(in *workflow.ShippingInput) { in.StreetLines = []string{"a\nb"} }, "streetLines"},
		{func(in *workflow.ShippingInput) { in.City = "" }, "city"},
		{func(in *workflow.ShippingInput) { in.RecipientName = "" }, "recipientName"},
		{func(in *workflow.ShippingInput) { in.Region = strings.Repeat("r", 101) }, "region"},
		{func(in *workflow.ShippingInput) { in.PostalCode = strings.Repeat("9", 21) }, "postalCode"},
	} {
		in := addressInput()
		tc.change(&in)
		_, err := h.Runner.SetShippingAddress(h.As(h.applicant.ID), in)
		refusal(t, err, apierror.BadUserInput, tc.field)
	}
	_, err := h.Runner.SetShippingAddress(h.Anonymous(), addressInput())
	wantCode(t, err, apierror.Unauthenticated)
	if n := h.Client.ShippingAddress.Query().CountX(h.System()); n != 0 {
		t.Fatalf("refused addresses stored %d rows", n)
	}

	first := addressInput()
	first.Region, first.PostalCode = "", ""
	if _, err := h.Runner.SetShippingAddress(h.As(h.coLeader.ID), first); err != nil {
		t.Fatal(err)
	}
	a := h.address(h.coLeader) // a second call replaces the first
	if a.Address != "1 Broadway\nSuite 200" || a.Country != "US" || a.PostalCode != "94607" || a.Phone != "+1 510 555 0100" || a.UserID != h.coLeader.ID {
		t.Errorf("address = %+v", a)
	}
	if n := h.Client.ShippingAddress.Query().CountX(h.System()); n != 1 {
		t.Errorf("%d address rows, want the one replaced", n)
	}
}

// TestMessageTemplatesAreStaffs: staff read and change the wording of the
// community's letters; a template that does not parse or render against
// sample data is refused by field; an empty one restores the default.
func TestMessageTemplatesAreStaffs(t *testing.T) {
	h := newHandover(t)
	com := h.Client.Community.GetX(h.System(), h.com.ID)
	kind := mail.KindOfficialRecognition
	ts, err := workflow.MessageTemplates(h.As(h.manager.ID), com, &kind, nil)
	if err != nil || len(ts) != len(mail.Languages) || ts[0].Subject != "Official Recognition of your User Group" || ts[0].Custom {
		t.Errorf("staff see templates %+v, %v", ts, err)
	}
	if ts, err := workflow.MessageTemplates(h.As(h.manager.ID), com, nil, nil); err != nil || len(ts) != len(mail.Kinds())*len(mail.Languages) {
		t.Errorf("staff see %d templates, %v", len(ts), err)
	}
	if ts, err := workflow.MessageTemplates(h.As(h.applicant.ID), com, nil, nil); err != nil || len(ts) != 0 {
		t.Errorf("an organizer sees templates %+v, %v", ts, err)
	}
	set := func(who, kind, lang, subject, body string) (workflow.MessageTemplate, error) {
		return h.Runner.SetMessageTemplate(h.As(pulid.ID(who)), h.com.ID, workflow.MessageTemplate{Kind: mail.Kind(kind), Language: mail.Language(lang), Subject: subject, Body: body})
	}
	mgr, org := string(h.manager.ID), string(h.applicant.ID)
	for _, tc := range []struct {
		who, kind, lang, subject, body string
		want                           apierror.Code
		field                          string
	}{
		{org, letterKind, "en", "Hi", "Hello {{.Group}}", apierror.Forbidden, ""},
		{mgr, letterKind, "en", "Hi", "Hello {{.Nobody}}", apierror.BadUserInput, "body"},
		{mgr, letterKind, "en", "Hi", "Hello {{if .Group}}", apierror.BadUserInput, "body"},
		{mgr, letterKind, "en", "Hi {{.Group", "Hello", apierror.BadUserInput, "subject"},
		{mgr, letterKind, "en", "Hi", "   ", apierror.BadUserInput, "body"},
		{mgr, letterKind, "fr", "Hi", "Hello", apierror.BadUserInput, "language"},
		{mgr, "welcome_pack", "en", "Hi", "Hello", apierror.BadUserInput, "kind"},
	} {
		_, err := set(tc.who, tc.kind, tc.lang, tc.subject, tc.body)
		refusal(t, err, tc.want, tc.field)
	}
	_, err = h.Runner.SetMessageTemplate(h.As(h.manager.ID), "com_nothere", workflow.MessageTemplate{Kind: letterKind, Language: "en", Subject: "Hi", Body: "Hello"})
	wantCode(t, err, apierror.NotFound)

	tpl, err := set(mgr, letterKind, "en", "Official Recognition of your User Group", customLetter)
	if err != nil || !tpl.Custom {
		t.Fatalf("stored template = %+v, %v", tpl, err)
	}
	tpl, err = set(mgr, letterKind, "en", "", "")
	if err != nil || tpl.Custom || !strings.Contains(tpl.Body, "{{.LogoURL}}") {
		t.Errorf("reset: %+v, %v", tpl, err)
	}
}

const customLetter = "Dear {{range $i, $l := .Leaders}}{{if $i}} and {{end}}{{$l}}{{end}},\n\nIn our own words: {{.Group}} is an official {{.Community}} user group.\n" +
	"Logos: {{.LogoURL}}\nPlease send a name, address and phone for the swag kit. {{.ShippingHowTo}}\n"

// TestRecognitionLetterFollowsTheTemplate: the logo-pack step's letter is
// in the community's wording, as staff set it.
func TestRecognitionLetterFollowsTheTemplate(t *testing.T) {
	h := newHandover(t)
	if _, err := h.Runner.SetMessageTemplate(h.As(h.manager.ID), h.com.ID, workflow.MessageTemplate{Kind: letterKind, Language: "en",
		Subject: "Official Recognition of your User Group", Body: customLetter}); err != nil {
		t.Fatal(err)
	}
	h.grow()
	h.ask()
	h.through(policy.StepMentoring, policy.StepSwagShipped)
	l := h.Client.Message.Query().Where(message.Template(letterKind)).OnlyX(h.System())
	for _, want := range []string{"Dear Co Leader and " + h.applicant.Name + ",", "In our own words: Oakland {East Bay} is an official OpenStack user group",
		h.logoURL, "name, address and phone", "setShippingAddress"} {
		if !strings.Contains(l.Body, want) {
			t.Errorf("letter lacks %q:\n%s", want, l.Body)
		}
	}
	if !slices.Contains(l.RecipientIds, h.coLeader.ID) {
		t.Errorf("letter to %v", l.RecipientIds)
	}
}
