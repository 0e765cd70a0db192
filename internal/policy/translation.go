package policy

import (
	"strconv"
	"strings"
)

// LanguageTag checks and tidies a BCP 47 language tag as people write them
// for translations: a 2–3 letter language, then optional subtags of 1–8
// letters or digits ("en", "zh-CN", "zh-Hans-CN", "pt-BR", "sr-Latn"). The
// language is lower-cased, a 4-letter script title-cased and a 2-letter
// region upper-cased, so "ZH-cn" and "zh-CN" are one language. It checks
// the shape, not the IANA registry.
func LanguageTag(field, tag string) (string, error) {
	bad := &FieldError{Field: field, Reason: strconv.Quote(tag) + " is not a language tag such as \"en\" or \"zh-CN\""}
	tag = strings.ReplaceAll(strings.TrimSpace(tag), "_", "-")
	if tag == "" || len(tag) > 35 {
		return "", bad
	}
	parts := strings.Split(tag, "-")
	for i, p := range parts {
		if p == "" || len(p) > 8 || !alnum(p) {
			return "", bad
		}
		switch {
		case i == 0:
			if len(p) < 2 || len(p) > 3 || !asciiLetters(p) {
				return "", bad
			}
			parts[i] = strings.ToLower(p)
		case len(p) == 4 && asciiLetters(p):
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		case len(p) == 2 && asciiLetters(p):
			parts[i] = strings.ToUpper(p)
		default:
			parts[i] = strings.ToLower(p)
		}
	}
	return strings.Join(parts, "-"), nil
}

// maxTargetLanguages bounds the languages one translation request asks for.
const maxTargetLanguages = 20

// TargetLanguages checks the languages a translation is wanted in: one to
// twenty tags, none twice, none the source language.
func TargetLanguages(field, source string, tags []string) ([]string, error) {
	if len(tags) == 0 || len(tags) > maxTargetLanguages {
		return nil, &FieldError{Field: field, Reason: "lists 1 to " + strconv.Itoa(maxTargetLanguages) + " languages"}
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		tag, err := LanguageTag(field, t)
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			if o == tag {
				return nil, &FieldError{Field: field, Reason: "lists " + tag + " twice"}
			}
		}
		if tag == source {
			return nil, &FieldError{Field: field, Reason: "includes the source language " + tag}
		}
		out = append(out, tag)
	}
	return out, nil
}

func asciiLetters(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
