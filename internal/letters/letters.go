// Package letters is the catalog of the messages the workflows queue: for
// every kind, a data type (the variables its templates use), default
// wordings embedded in English and Simplified Chinese, and the staff's own
// wording stored on the community, all Go text/template sources. Every
// message is rendered here at queue time, in its recipient's language, so
// what staff validate is what is sent.
package letters

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/usergroups/usergroups/ent/schematype"
)

// Kind names one kind of message, e.g. "application_approved"; it is the
// outbox row's template and, upper-cased, the MessageTemplateKind enum.
type Kind string

// Kinds lists every kind in the catalog, in the order staff see them.
func Kinds() []Kind {
	out := make([]Kind, len(catalog))
	for i, e := range catalog {
		out[i] = e.kind
	}
	return out
}

// Known reports whether k is in the catalog.
func Known(k Kind) bool { return sampleOf(k) != nil }

func sampleOf(k Kind) any {
	for _, e := range catalog {
		if e.kind == k {
			return e.sample
		}
	}
	return nil
}

// MarshalGQL writes the kind as its GraphQL enum value (upper case).
func (k Kind) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(strings.ToUpper(string(k))))
}

// UnmarshalGQL reads a MessageTemplateKind enum value; an unknown one is an error.
func (k *Kind) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || !Known(Kind(strings.ToLower(s))) || s != strings.ToUpper(s) {
		return fmt.Errorf("%v is not a MessageTemplateKind", v)
	}
	*k = Kind(strings.ToLower(s))
	return nil
}

// Language is a language messages are written in, as a BCP 47 tag.
type Language string

// The languages every kind has a default wording in; English is the fallback.
const (
	English Language = "en"
	Chinese Language = "zh-CN"
)

// Languages lists the supported languages, the fallback first.
var Languages = []Language{English, Chinese}

// ParseLanguage maps a BCP 47 tag to a supported language: en and its
// regions to English; zh, zh-CN, zh-SG and zh-Hans (Simplified script) to
// Chinese. The bare "zh" is the alias this API stored before zh-CN existed.
// Traditional Chinese (zh-TW, zh-HK, zh-Hant) has no wording yet: not supported.
func ParseLanguage(tag string) (Language, bool) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	switch {
	case t == "en" || strings.HasPrefix(t, "en-"):
		return English, true
	case t == "zh" || t == "zh-cn" || t == "zh-sg" || t == "zh-hans" || strings.HasPrefix(t, "zh-hans-"):
		return Chinese, true
	}
	return "", false
}

// MarshalGQL writes the language as its MessageLanguage enum value.
func (l Language) MarshalGQL(w io.Writer) {
	v := "EN"
	if l == Chinese {
		v = "ZH_CN"
	}
	_, _ = io.WriteString(w, strconv.Quote(v))
}

// UnmarshalGQL reads a MessageLanguage enum value; ZH is the deprecated
// alias of ZH_CN.
func (l *Language) UnmarshalGQL(v any) error {
	switch v {
	case "EN":
		*l = English
	case "ZH_CN", "ZH":
		*l = Chinese
	default:
		return fmt.Errorf("%v is not a MessageLanguage", v)
	}
	return nil
}

// ShippingHowTo is the standard instruction for giving a shipping address.
const ShippingHowTo = "Any of you can give them with the setShippingAddress mutation of the API;\n" +
	"only you and the programme's staff can read them."

// Letter is a rendered message.
type Letter struct{ Subject, Body string }

// Template is the wording in use for one kind and language, and whether staff wrote it.
type Template struct {
	Kind     Kind
	Language Language
	Subject  string
	Body     string
	Custom   bool
}

//go:embed defaults
var defaultFiles embed.FS

// Default returns the built-in wording of kind in lang: the file
// defaults/<lang>/<kind>.tmpl, whose first line is the subject and whose
// text after the following blank line is the body.
func Default(kind Kind, lang Language) (Template, error) {
	b, err := fs.ReadFile(defaultFiles, "defaults/"+string(lang)+"/"+string(kind)+".tmpl")
	if err != nil {
		return Template{}, fmt.Errorf("no default wording of %q in %q", kind, lang)
	}
	subject, body, ok := strings.Cut(string(b), "\n\n")
	if !ok {
		return Template{}, fmt.Errorf("default %s/%s: no blank line after the subject", lang, kind)
	}
	return Template{Kind: kind, Language: lang, Subject: subject, Body: body}, nil
}

// Variables names the fields of kind's data, as templates write them.
func Variables(kind Kind) []string {
	s := sampleOf(kind)
	if s == nil {
		return nil
	}
	t := reflect.TypeOf(s)
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = "." + t.Field(i).Name
	}
	return out
}

// Sample returns the data staff's wording of kind is checked against.
func Sample(kind Kind) any { return sampleOf(kind) }

// stored finds staff's wording of kind in lang; a row saved under the old
// alias "zh" counts as zh-CN.
func stored(ts []schematype.MessageTemplate, kind Kind, lang Language) (schematype.MessageTemplate, bool) {
	for _, t := range ts {
		if l, ok := ParseLanguage(t.Language); ok && l == lang && t.Kind == string(kind) {
			return t, true
		}
	}
	return schematype.MessageTemplate{}, false
}

// Effective returns the wording in use for kind and language: staff's,
// else the default.
func Effective(ts []schematype.MessageTemplate, kind Kind, lang Language) (Template, error) {
	if !Known(kind) {
		return Template{}, fmt.Errorf("no message of kind %q", kind)
	}
	if t, ok := stored(ts, kind, lang); ok {
		return Template{Kind: kind, Language: lang, Subject: t.Subject, Body: t.Body, Custom: true}, nil
	}
	return Default(kind, lang)
}

// Render renders the message of kind in lang with data, which must be the
// kind's data type (e.g. ApplicationApproved for KindApplicationApproved).
func Render(ts []schematype.MessageTemplate, kind Kind, lang Language, data any) (Letter, error) {
	t, err := Effective(ts, kind, lang)
	if err != nil {
		return Letter{}, err
	}
	if reflect.TypeOf(data) != reflect.TypeOf(sampleOf(kind)) {
		return Letter{}, fmt.Errorf("message %q takes %T, not %T", kind, sampleOf(kind), data)
	}
	return render(t, data)
}

func render(t Template, d any) (Letter, error) {
	subject, err := execute("subject", t.Language, t.Subject, d)
	if err != nil {
		return Letter{}, err
	}
	if subject = strings.TrimSpace(subject); subject == "" || strings.ContainsAny(subject, "\r\n") {
		return Letter{}, &FieldError{Field: "subject", Reason: "renders empty or on several lines"}
	}
	if r := []rune(subject); len(r) > 300 {
		subject = string(r[:299]) + "…"
	}
	body, err := execute("body", t.Language, t.Body, d)
	if err != nil {
		return Letter{}, err
	}
	if strings.TrimSpace(body) == "" {
		return Letter{}, &FieldError{Field: "body", Reason: "renders empty"}
	}
	return Letter{Subject: subject, Body: body}, nil
}

func execute(field string, lang Language, src string, d any) (string, error) {
	t, err := template.New(field).Option("missingkey=error").Funcs(funcs(lang)).Parse(src)
	if err != nil {
		return "", &FieldError{Field: field, Reason: "does not parse: " + err.Error()}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", &FieldError{Field: field, Reason: "does not render: " + err.Error()}
	}
	return b.String(), nil
}

// Set returns ts with t in place of its kind and language, after checking
// that t renders against the kind's sample data; an empty subject and body
// remove staff's wording, restoring the default. A row stored under the
// old alias "zh" is replaced by its zh-CN successor.
func Set(ts []schematype.MessageTemplate, t Template) ([]schematype.MessageTemplate, error) {
	if !Known(t.Kind) {
		return nil, &FieldError{Field: "kind", Reason: "is not a kind of message"}
	}
	if !slices.Contains(Languages, t.Language) {
		return nil, &FieldError{Field: "language", Reason: "must be one of " + joinLanguages()}
	}
	out := slices.DeleteFunc(slices.Clone(ts), func(s schematype.MessageTemplate) bool {
		l, _ := ParseLanguage(s.Language)
		return s.Kind == string(t.Kind) && l == t.Language
	})
	if t.Subject == "" && t.Body == "" {
		return out, nil
	}
	if len(t.Subject) > 300 || len(t.Body) > 20000 {
		return nil, &FieldError{Field: "body", Reason: "subject at most 300 and body at most 20000 characters"}
	}
	if _, err := render(t, sampleOf(t.Kind)); err != nil {
		return nil, err
	}
	return append(out, schematype.MessageTemplate{Kind: string(t.Kind), Language: string(t.Language), Subject: t.Subject, Body: t.Body}), nil
}

func joinLanguages() string {
	s := make([]string, len(Languages))
	for i, l := range Languages {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}

// FieldError names the part of a template that was refused and why.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }
