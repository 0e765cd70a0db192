// Package letters renders a community's letters (today the
// official-recognition letter, which carries the logo pack and asks for the
// swag kit's address) from text/template sources:
// the defaults written here, or staff's wording stored on the community.
// Every letter the workflows queue with a template goes through Render, so
// what staff validate is what is sent.
package letters

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/usergroups/usergroups/ent/schematype"
)

// Letter kinds with a template.
const (
	// KindOfficialRecognition is the letter to all leaders of a group that
	// met the official-status requirements: it links the logo pack and asks
	// where the swag kit goes.
	KindOfficialRecognition = "official_recognition"
)

// Languages a template may be written in; English is the fallback.
var Languages = []string{"en", "zh"}

// Data is everything a template may use; Variables lists it for staff.
type Data struct {
	// Community is the programme's name, e.g. "OpenStack".
	Community string
	// Group is the group's display name.
	Group string
	// Leaders are the names of the group's organizers, the letter's recipients.
	Leaders []string
	// LogoURL is where the group's logo pack is (Group.logoURL).
	LogoURL string
	// ShippingHowTo says how a leader gives the swag kit's address through the API.
	ShippingHowTo string
}

// Variables names the fields of Data, as templates write them.
var Variables = []string{".Community", ".Group", ".Leaders", ".LogoURL", ".ShippingHowTo"}

// ShippingHowTo is the standard instruction for giving a shipping address.
const ShippingHowTo = "Any of you can give them with the setShippingAddress mutation of the API;\n" +
	"only you and the programme's staff can read them."

// sample is what templates are checked against before they are stored.
var sample = Data{Community: "Example", Group: "Example City User Group", Leaders: []string{"Ada", "Grace"},
	LogoURL: "https://logos.example.org/example-city.zip", ShippingHowTo: ShippingHowTo}

// Letter is a rendered letter.
type Letter struct{ Subject, Body string }

// Template is the wording in use for one kind and language, and whether staff wrote it.
type Template struct {
	schematype.MessageTemplate
	Custom bool
}

// Kinds lists the letter kinds that have templates.
func Kinds() []string { return []string{KindOfficialRecognition} }

// defaults are the built-in wordings, per kind, in English; every preset
// starts from them until staff change them.
var defaults = map[string]schematype.MessageTemplate{
	KindOfficialRecognition: {
		Kind: KindOfficialRecognition, Language: "en",
		Subject: "Official Recognition of your User Group",
		Body: `Dear leaders of {{.Group}},

Thank you for the work you put into the {{.Community}} community.

Your group has met the requirements for official status and has completed its
mentoring: we are glad to recognise {{.Group}} as an official {{.Community}}
user group. Congratulations!
{{if .LogoURL}}
Your logo pack is here: {{.LogoURL}}
Use it to show your official status on your pages and social media channels.
{{end}}
Your group's page on the portal now shows that it is official.

We are also preparing a swag kit for the group. Please send us a name, a postal
address and a phone number it can be shipped to.
{{.ShippingHowTo}}

The mentoring is over, but we hope to keep working with you: share your ideas
and feedback, and help other groups on the community's mailing list or
directly. Leaders like you are who our next ambassadors are.
`,
	},
}

// Effective returns the wording in use for kind and language: staff's, else
// the default (written in English for every language until staff translate it).
func Effective(stored []schematype.MessageTemplate, kind, lang string) (Template, error) {
	d, ok := defaults[kind]
	if !ok {
		return Template{}, fmt.Errorf("no letter of kind %q", kind)
	}
	if i := slices.IndexFunc(stored, func(t schematype.MessageTemplate) bool { return t.Kind == kind && t.Language == lang }); i >= 0 {
		return Template{MessageTemplate: stored[i], Custom: true}, nil
	}
	d.Language = lang
	return Template{MessageTemplate: d}, nil
}

// Render renders the letter of kind in lang with d.
func Render(stored []schematype.MessageTemplate, kind, lang string, d Data) (Letter, error) {
	t, err := Effective(stored, kind, lang)
	if err != nil {
		return Letter{}, err
	}
	return render(t.MessageTemplate, d)
}

func render(t schematype.MessageTemplate, d Data) (Letter, error) {
	subject, err := execute("subject", t.Subject, d)
	if err != nil {
		return Letter{}, err
	}
	if subject = strings.TrimSpace(subject); subject == "" || strings.ContainsAny(subject, "\r\n") {
		return Letter{}, &FieldError{Field: "subject", Reason: "renders empty or on several lines"}
	}
	body, err := execute("body", t.Body, d)
	if err != nil {
		return Letter{}, err
	}
	if strings.TrimSpace(body) == "" {
		return Letter{}, &FieldError{Field: "body", Reason: "renders empty"}
	}
	return Letter{Subject: subject, Body: body}, nil
}

func execute(field, src string, d Data) (string, error) {
	t, err := template.New(field).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", &FieldError{Field: field, Reason: "does not parse: " + err.Error()}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", &FieldError{Field: field, Reason: "does not render: " + err.Error()}
	}
	return b.String(), nil
}

// Set returns stored with t in place of its kind and language, after
// checking that t renders against sample data; an empty subject and body
// remove staff's wording, restoring the default.
func Set(stored []schematype.MessageTemplate, t schematype.MessageTemplate) ([]schematype.MessageTemplate, error) {
	if _, ok := defaults[t.Kind]; !ok {
		return nil, &FieldError{Field: "kind", Reason: "must be one of " + strings.Join(Kinds(), ", ")}
	}
	if !slices.Contains(Languages, t.Language) {
		return nil, &FieldError{Field: "language", Reason: "must be one of " + strings.Join(Languages, ", ")}
	}
	out := slices.DeleteFunc(slices.Clone(stored), func(s schematype.MessageTemplate) bool {
		return s.Kind == t.Kind && s.Language == t.Language
	})
	if t.Subject == "" && t.Body == "" {
		return out, nil
	}
	if len(t.Subject) > 300 || len(t.Body) > 20000 {
		return nil, &FieldError{Field: "body", Reason: "subject at most 300 and body at most 20000 characters"}
	}
	if _, err := render(t, sample); err != nil {
		return nil, err
	}
	return append(out, t), nil
}

// FieldError names the part of a template that was refused and why.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }
