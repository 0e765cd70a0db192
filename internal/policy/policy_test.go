package policy

import (
	"testing"
)

func TestParseGroupName(t *testing.T) {
	tests := []struct {
		in       string
		place    string
		nickname string
		ok       bool
	}{
		{"Shenzhen", "Shenzhen", "", true},
		{"Paris, France", "Paris, France", "", true},
		{"Bay Area {Stackers}", "Bay Area", "Stackers", true},
		{"Xi'an", "Xi'an", "", true},
		{"São Paulo", "São Paulo", "", true},
		{"Washington D.C. {Cloud Crew}", "Washington D.C.", "Cloud Crew", true},
		{"{Stackers} Bay Area", "", "", false},
		{"Bay Area {Stackers} Club", "", "", false},
		{"Bay Area{Stackers}", "", "", false},
		{"Bay Area {}", "", "", false},
		{"paris", "", "", false},
		{"OpenStack 2024 Paris", "", "", false},
		{" Paris", "", "", false},
		{"Paris  France", "", "", false},
		{"P", "", "", false},
		{"Berlin {A} {B}", "", "", false},
	}
	for _, tt := range tests {
		got, err := ParseGroupName(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseGroupName(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (got.Place != tt.place || got.Nickname != tt.nickname) {
			t.Errorf("ParseGroupName(%q) = %+v, want place %q nickname %q", tt.in, got, tt.place, tt.nickname)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("round trip %q → %q", tt.in, got.String())
		}
	}
}

func TestValidators(t *testing.T) {
	tests := []struct {
		name string
		fn   func() error
		ok   bool
	}{
		{"url ok", func() error { return ValidateURL("https://groups.example.org/paris") }, true},
		{"url relative", func() error { return ValidateURL("/paris") }, false},
		{"url scheme", func() error { return ValidateURL("javascript:alert(1)") }, false},
		{"email ok", func() error { return ValidateEmail("ada@example.org") }, true},
		{"email named", func() error { return ValidateEmail("Ada <ada@example.org>") }, false},
		{"email bare word", func() error { return ValidateEmail("ada") }, false},
		{"country ok", func() error { return ValidateCountry("CN") }, true},
		{"country lower", func() error { return ValidateCountry("cn") }, false},
		{"country unknown", func() error { return ValidateCountry("XX") }, false},
		{"zone ok", func() error { return ValidateTimeZone("Asia/Shanghai") }, true},
		{"zone bad", func() error { return ValidateTimeZone("Mars/Olympus") }, false},
		{"zone local", func() error { return ValidateTimeZone("Local") }, false},
		{"lat ok", func() error { return ValidateLatitude(48.85) }, true},
		{"lat bad", func() error { return ValidateLatitude(91) }, false},
		{"lon bad", func() error { return ValidateLongitude(-181) }, false},
		{"slug ok", func() error { return ValidateSlug("bay-area-stackers") }, true},
		{"slug bad", func() error { return ValidateSlug("Bay Area") }, false},
		{"handle ok", func() error { return ValidateHandle("ada.l") }, true},
		{"handle bad", func() error { return ValidateHandle("-ada") }, false},
		{"phone ok", func() error { return ValidatePhone("+86 755 1234 5678") }, true},
		{"phone bad", func() error { return ValidatePhone("call me") }, false},
	}
	for _, tt := range tests {
		if err := tt.fn(); (err == nil) != tt.ok {
			t.Errorf("%s: error = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Bay Area {Stackers}":     "bay-area-stackers",
		"Paris, France":           "paris-france",
		"Xi'an":                   "xi-an",
		"Kraków":                  "krakow",
		"São Paulo":               "sao-paulo",
		"Montreal {Nuage Québec}": "montreal-nuage-quebec",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPresetsValidate(t *testing.T) {
	for _, p := range []Policy{OpenEuler(), OpenStack()} {
		if err := p.Validate(); err != nil {
			t.Errorf("%s preset invalid: %v", p.Preset, err)
		}
	}
	bad := OpenStack()
	bad.MinSupporterOrganizations = 5
	if err := bad.Validate(); err == nil {
		t.Error("more supporter organizations than supporters accepted")
	}
}

func TestApplicantOrganizes(t *testing.T) {
	tests := []struct {
		name        string
		p           Policy
		fromPartner bool
		want        bool
	}{
		{"OpenStack", OpenStack(), false, true},
		{"openEuler, a partner's employee", OpenEuler(), true, true},
		{"openEuler, anyone else", OpenEuler(), false, false},
	}
	for _, tt := range tests {
		if got := ApplicantOrganizes(tt.p, tt.fromPartner); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
