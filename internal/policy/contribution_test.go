package policy

import (
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func fieldOf(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	if err != nil {
		return "?" + err.Error()
	}
	return ""
}

func TestCheckContribution(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	ok := ContributionClaim{Kind: "ARTICLE", Title: "Running openEuler on a Pi", URL: "https://blog.example.org/pi", OccurredOn: now.Add(-24 * time.Hour)}
	with := func(f func(*ContributionClaim)) ContributionClaim { c := ok; f(&c); return c }
	for _, tc := range []struct {
		name  string
		claim ContributionClaim
		field string
	}{
		{"article with link", ok, ""},
		{"feedback without link", with(func(c *ContributionClaim) { c.Kind, c.URL = "FEEDBACK", "" }), ""},
		{"user case without link", with(func(c *ContributionClaim) { c.Kind, c.URL = "USER_CASE", "" }), ""},
		{"today", with(func(c *ContributionClaim) { c.OccurredOn = now }), ""},
		{"a year and a day ago", with(func(c *ContributionClaim) { c.OccurredOn = now.Add(-ContributionLookback) }), ""},
		{"participation by hand", with(func(c *ContributionClaim) { c.Kind = "PARTICIPATION" }), "kind"},
		{"referral by hand", with(func(c *ContributionClaim) { c.Kind = "REFERRAL" }), "kind"},
		{"unknown kind", with(func(c *ContributionClaim) { c.Kind = "BAKING" }), "kind"},
		{"article without link", with(func(c *ContributionClaim) { c.URL = " " }), "url"},
		{"talk without link", with(func(c *ContributionClaim) { c.Kind, c.URL = "TALK", "" }), "url"},
		{"code without link", with(func(c *ContributionClaim) { c.Kind, c.URL = "CODE", "" }), "url"},
		{"docs without link", with(func(c *ContributionClaim) { c.Kind, c.URL = "DOCS", "" }), "url"},
		{"communication without link", with(func(c *ContributionClaim) { c.Kind, c.URL = "COMMUNICATION", "" }), "url"},
		{"bad link", with(func(c *ContributionClaim) { c.URL = "ftp://example.org/x" }), "url"},
		{"empty title", with(func(c *ContributionClaim) { c.Title = "  " }), "title"},
		{"long title", with(func(c *ContributionClaim) { c.Title = strings.Repeat("字", 201) }), "title"},
		{"longest title", with(func(c *ContributionClaim) { c.Title = strings.Repeat("字", 200) }), ""},
		{"tomorrow", with(func(c *ContributionClaim) { c.OccurredOn = now.Add(time.Second) }), "occurredOn"},
		{"too long ago", with(func(c *ContributionClaim) { c.OccurredOn = now.Add(-ContributionLookback - time.Second) }), "occurredOn"},
	} {
		if got := fieldOf(CheckContribution(tc.claim, now)); got != tc.field {
			t.Errorf("%s: refused field %q, want %q", tc.name, got, tc.field)
		}
	}
}

func TestDefaultPointsCoverEveryKind(t *testing.T) {
	if len(DefaultPoints) != len(ContributionKinds) {
		t.Errorf("DefaultPoints has %d kinds, ContributionKinds %d", len(DefaultPoints), len(ContributionKinds))
	}
	for _, k := range ContributionKinds {
		if _, ok := DefaultPoints[k]; !ok {
			t.Errorf("no default points for %s", k)
		}
	}
	pts := OpenEuler().Points()
	if len(pts) != len(ContributionKinds) || pts[0] != (KindPoints{"PARTICIPATION", 1}) {
		t.Errorf("Points() = %v", pts)
	}
}

func TestPatchYearValues(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name  string
		patch Patch
		field string
		check func(Policy) bool
	}{
		{"override talk", Patch{ContributionPoints: []KindPoints{{"TALK", 9}}}, "", func(p Policy) bool {
			return p.PointsFor("TALK") == 9 && p.PointsFor("ARTICLE") == DefaultPoints["ARTICLE"]
		}},
		{"zero points", Patch{ContributionPoints: []KindPoints{{"PARTICIPATION", 0}}}, "", func(p Policy) bool { return p.PointsFor("PARTICIPATION") == 0 }},
		{"hundred points", Patch{ContributionPoints: []KindPoints{{"USER_CASE", 100}}}, "", func(p Policy) bool { return p.PointsFor("USER_CASE") == 100 }},
		{"too many points", Patch{ContributionPoints: []KindPoints{{"USER_CASE", 101}}}, "contributionPoints", nil},
		{"negative points", Patch{ContributionPoints: []KindPoints{{"CODE", -1}}}, "contributionPoints", nil},
		{"unknown kind", Patch{ContributionPoints: []KindPoints{{"BAKING", 3}}}, "contributionPoints", nil},
		{"kind twice", Patch{ContributionPoints: []KindPoints{{"CODE", 3}, {"CODE", 4}}}, "contributionPoints", nil},
		{"categories", Patch{AwardCategories: []string{"BEST_TALK", "ROOKIE_OF_THE_YEAR"}}, "", func(p Policy) bool {
			return len(p.AwardCategories) == 2 && p.AwardCategories[1] == "ROOKIE_OF_THE_YEAR"
		}},
		{"no categories", Patch{AwardCategories: []string{}}, "", func(p Policy) bool { return len(p.AwardCategories) == 0 }},
		{"lower-case category", Patch{AwardCategories: []string{"best_talk"}}, "awardCategories", nil},
		{"short category", Patch{AwardCategories: []string{"A"}}, "awardCategories", nil},
		{"long category", Patch{AwardCategories: []string{strings.Repeat("A", 41)}}, "awardCategories", nil},
		{"double underscore", Patch{AwardCategories: []string{"BEST__TALK"}}, "awardCategories", nil},
		{"duplicate category", Patch{AwardCategories: []string{"BEST_TALK", "BEST_TALK"}}, "awardCategories", nil},
		{"eleven categories", Patch{AwardCategories: strings.Split("AA BB CC DD EE FF GG HH II JJ KK", " ")}, "awardCategories", nil},
		{"join flags", Patch{JoinCertificate: &yes, JoinSouvenir: &yes}, "", func(p Policy) bool { return p.JoinCertificate && p.JoinSouvenir }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.patch.Apply(OpenStack())
			switch got := fieldOf(err); {
			case got != tc.field:
				t.Fatalf("refused field %q (%v), want %q", got, err, tc.field)
			case tc.field == "" && !tc.check(p):
				t.Errorf("policy = %+v", p)
			}
		})
	}
	// The stored overrides of the policy patched are not changed in place.
	base := OpenStack()
	base.ContributionPoints = map[string]int{"TALK": 7}
	if _, err := (Patch{ContributionPoints: []KindPoints{{"TALK", 1}}}).Apply(base); err != nil || base.ContributionPoints["TALK"] != 7 {
		t.Errorf("patch changed the original: %v %v", base.ContributionPoints, err)
	}
}

func TestCheckProfileLists(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		field string
	}{
		{"languages", CheckLanguages([]string{"en", "zh-CN", "zh-Hans-CN", "fil"}), ""},
		{"no languages", CheckLanguages(nil), ""},
		{"language word", CheckLanguages([]string{"English"}), "languages"},
		{"language underscore", CheckLanguages([]string{"zh_CN"}), "languages"},
		{"language twice", CheckLanguages([]string{"en", "EN"}), "languages"},
		{"eleven languages", CheckLanguages(strings.Split("aa ab ac ad ae af ag ah ai aj ak", " ")), "languages"},
		{"links", CheckProfileLinks([]ProfileLink{{"Blog", "https://ada.example.org"}}), ""},
		{"http link", CheckProfileLinks([]ProfileLink{{"Blog", "http://ada.example.org"}}), "links"},
		{"empty label", CheckProfileLinks([]ProfileLink{{" ", "https://ada.example.org"}}), "links"},
		{"long label", CheckProfileLinks([]ProfileLink{{strings.Repeat("x", 51), "https://ada.example.org"}}), "links"},
		{"eleven links", CheckProfileLinks(make([]ProfileLink, 11)), "links"},
	} {
		if got := fieldOf(tc.err); got != tc.field {
			t.Errorf("%s: refused field %q, want %q", tc.name, got, tc.field)
		}
	}
}

// The points documented in docs/contributions.md are DefaultPoints.
func TestDefaultPointsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/contributions.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ContributionKinds {
		row := regexp.MustCompile("(?m)^\\| `" + k + "` \\|.*\\| (\\d+) \\|$").FindSubmatch(b)
		if row == nil || string(row[1]) != strconv.Itoa(DefaultPoints[k]) {
			t.Errorf("docs/contributions.md: %s row %q, want %d points", k, row, DefaultPoints[k])
		}
	}
}
