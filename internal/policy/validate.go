package policy

import (
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // zone names validate the same on machines without a zoneinfo database
)

// ValidateURL accepts absolute http(s) URLs with a host.
func ValidateURL(s string) error {
	if len(s) > 2048 {
		return errors.New("must be at most 2048 characters")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	return nil
}

// ValidateEmail accepts a bare address such as "ada@example.org".
func ValidateEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return errors.New("must be an email address like name@example.org")
	}
	return nil
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 ()\-.]{6,24}$`)

// ValidatePhone accepts international phone numbers with common separators.
func ValidatePhone(s string) error {
	if !phonePattern.MatchString(s) {
		return errors.New("must be a phone number such as +33 1 23 45 67 89")
	}
	return nil
}

// ValidateCountry accepts ISO 3166-1 alpha-2 codes in upper case.
func ValidateCountry(s string) error {
	if _, ok := countries[s]; !ok {
		return errors.New("must be an ISO 3166-1 alpha-2 country code such as FR")
	}
	return nil
}

// ValidateTimeZone accepts IANA zone names such as "Europe/Paris".
func ValidateTimeZone(s string) error {
	if s == "" || s == "Local" {
		return errors.New("must be an IANA time zone name such as Europe/Paris")
	}
	if _, err := time.LoadLocation(s); err != nil {
		return errors.New("must be an IANA time zone name such as Europe/Paris")
	}
	return nil
}

// ValidateLatitude accepts degrees in [-90, 90].
func ValidateLatitude(v float64) error {
	if v < -90 || v > 90 {
		return errors.New("must be between -90 and 90")
	}
	return nil
}

// ValidateLongitude accepts degrees in [-180, 180].
func ValidateLongitude(v float64) error {
	if v < -180 || v > 180 {
		return errors.New("must be between -180 and 180")
	}
	return nil
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidateSlug accepts lower-case words joined by single hyphens.
func ValidateSlug(s string) error {
	if len(s) < 2 || len(s) > 80 || !slugPattern.MatchString(s) {
		return errors.New("must be 2-80 lower-case letters, digits and single hyphens")
	}
	return nil
}

var handlePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{1,38}$`)

// ValidateHandle accepts 2-39 character handles of lower-case letters, digits, '_', '.', '-'.
func ValidateHandle(s string) error {
	if !handlePattern.MatchString(s) {
		return errors.New("must be 2-39 lower-case letters, digits, '_', '.' or '-', starting with a letter or digit")
	}
	return nil
}

// accents maps the accented Latin letters of place and person names to
// their base letters.
var accents = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ã", "a", "ä", "a", "å", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "õ", "o", "ö", "o", "ø", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u", "ý", "y", "ñ", "n", "ç", "c",
)

// FoldAccents lowercases s and writes its accented Latin letters as their
// base letters ("Bogotá" → "bogota"), so that slugs keep them.
func FoldAccents(s string) string { return accents.Replace(strings.ToLower(s)) }

// Slugify turns a display name into a slug candidate ("Bay Area {Stackers}"
// → "bay-area-stackers", "Kraków" → "krakow").
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range FoldAccents(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
