package letters

import (
	"io/fs"
	"strings"
	"testing"
	"unicode"

	"github.com/usergroups/usergroups/ent/schematype"
)

// TestCatalog: every kind's default renders in every language against its
// sample data, so a community that never edits its wording can always send
// it; a kind added without both wordings fails here, and so does a default
// file no kind uses.
func TestCatalog(t *testing.T) {
	t.Parallel()
	files := map[string]bool{}
	_ = fs.WalkDir(defaultFiles, "defaults", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[p] = true
		}
		return err
	})
	for _, k := range Kinds() {
		if len(Variables(k)) == 0 || Variables(k)[0] != ".Community" {
			t.Errorf("%s: variables %v, want .Community first", k, Variables(k))
		}
		for _, lang := range Languages {
			delete(files, "defaults/"+string(lang)+"/"+string(k)+".tmpl")
			l, err := Render(nil, k, lang, Sample(k))
			if err != nil {
				t.Errorf("%s/%s: %v", lang, k, err)
				continue
			}
			han := strings.IndexFunc(l.Subject+l.Body, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
			if han != (lang == Chinese) || strings.Contains(l.Body, "\n\n\n") || strings.Contains(l.Body, "<no value>") {
				t.Errorf("%s/%s renders badly:\n%s\n\n%s", lang, k, l.Subject, l.Body)
			}
		}
	}
	for f := range files {
		t.Errorf("%s belongs to no kind", f)
	}
}

// TestRenderTakesTheKindsData: data of another kind is an error, not a
// half-rendered message.
func TestRenderTakesTheKindsData(t *testing.T) {
	t.Parallel()
	if _, err := Render(nil, KindAwardWon, English, AmbassadorWelcome{Community: "x"}); err == nil {
		t.Error("rendered an award letter from a welcome's data")
	}
	l, err := Render(nil, KindOfficialRecognition, English, Sample(KindOfficialRecognition))
	if err != nil || l.Subject != "Official Recognition of your User Group" || !strings.Contains(l.Body, "https://logos.example.org/example-city.zip") {
		t.Errorf("recognition letter: %+v, %v", l, err)
	}
	l, err = Render(nil, KindWaitlistPromoted, Chinese, Sample(KindWaitlistPromoted))
	if err != nil || !strings.Contains(l.Body, "2026年3月14日（星期六）19:00") {
		t.Errorf("Chinese date: %+v, %v", l, err)
	}
}

// TestSetRefusesWhatDoesNotRender: a template is checked before it is
// stored; an empty one removes staff's wording; the old "zh" alias is
// read and replaced as zh-CN.
func TestSetRefusesWhatDoesNotRender(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ subject, body, field string }{
		{"{{.Group}}", "{{.Missing}}", "body"},
		{"{{.Group", "x", "subject"},
		{"a\n{{.Group}}", "x", "subject"},
		{"x", "{{range .Group}}{{end}}", "body"},
		{"x", "{{nosuchfunc .Group}}", "body"},
	} {
		_, err := Set(nil, Template{Kind: KindOfficialRecognition, Language: English, Subject: tc.subject, Body: tc.body})
		if fe, ok := err.(*FieldError); !ok || fe.Field != tc.field {
			t.Errorf("%q/%q: %v, want a refusal of %s", tc.subject, tc.body, err, tc.field)
		}
	}
	if _, err := Set(nil, Template{Kind: "welcome_pack", Language: English, Subject: "x", Body: "y"}); err == nil {
		t.Error("stored an unknown kind")
	}
	old := []schematype.MessageTemplate{{Kind: string(KindOfficialRecognition), Language: "zh", Subject: "旧", Body: "{{.Group}}"}}
	if tpl, err := Effective(old, KindOfficialRecognition, Chinese); err != nil || !tpl.Custom || tpl.Subject != "旧" {
		t.Errorf("the zh alias is not read as zh-CN: %+v, %v", tpl, err)
	}
	ts, err := Set(old, Template{Kind: KindOfficialRecognition, Language: Chinese, Subject: "新 {{.Group}}", Body: "{{join .Leaders}}"})
	if err != nil || len(ts) != 1 || ts[0].Language != "zh-CN" {
		t.Errorf("set = %+v, %v", ts, err)
	}
	if ts, err = Set(ts, Template{Kind: KindOfficialRecognition, Language: Chinese}); err != nil || len(ts) != 0 {
		t.Errorf("reset = %+v, %v", ts, err)
	}
}

// TestParseLanguage: the tags people write map to the supported languages.
func TestParseLanguage(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]Language{"en": English, "en-GB": English, "zh": Chinese, "zh-CN": Chinese, "zh-Hans": Chinese,
		"zh_cn": Chinese, "zh-TW": "", "fr": "", "": ""} {
		if got, ok := ParseLanguage(tag); got != want || ok != (want != "") {
			t.Errorf("ParseLanguage(%q) = %q, %v", tag, got, ok)
		}
	}
}
