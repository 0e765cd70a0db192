package policy

import (
	"slices"
	"testing"

	"github.com/usergroups/usergroups/internal/letters"
)

// TestNoticesOff: optional kinds are turned off (deduplicated, in catalog
// order); a mandatory or unknown kind is refused by field.
func TestNoticesOff(t *testing.T) {
	t.Parallel()
	for _, k := range mandatoryNotices {
		if !letters.Known(k) {
			t.Errorf("mandatory %s is not in the catalog", k)
		}
	}
	got, err := NoticesOff([]letters.Kind{letters.KindWaitlistPromoted, letters.KindAmbassadorWelcome, letters.KindWaitlistPromoted})
	if err != nil || !slices.Equal(got, []letters.Kind{letters.KindAmbassadorWelcome, letters.KindWaitlistPromoted}) {
		t.Errorf("NoticesOff = %v, %v", got, err)
	}
	for _, k := range []letters.Kind{letters.KindReportReplied, letters.KindApplicationRejected, "nope"} {
		if _, err := NoticesOff([]letters.Kind{k}); err == nil || err.(*FieldError).Field != "off" {
			t.Errorf("%s turned off: %v", k, err)
		}
	}
}

// TestMessageLanguage: the person's choice, then the languages they speak,
// then the community's, then English.
func TestMessageLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		chosen    letters.Language
		speaks    []string
		community letters.Language
		want      letters.Language
	}{
		{letters.Chinese, []string{"en"}, letters.English, letters.Chinese},
		{"", []string{"fr", "zh-Hans"}, letters.English, letters.Chinese},
		{"", []string{"fr"}, letters.Chinese, letters.Chinese},
		{"", nil, "", letters.English},
	} {
		if got := MessageLanguage(tc.chosen, tc.speaks, tc.community); got != tc.want {
			t.Errorf("MessageLanguage(%q, %v, %q) = %q, want %q", tc.chosen, tc.speaks, tc.community, got, tc.want)
		}
	}
}
