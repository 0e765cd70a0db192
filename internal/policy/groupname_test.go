package policy

import (
	"errors"
	"testing"
)

// TestCheckGroupName: the validator refuses exactly the names the suggester
// would rewrite, and carries the suggestion.
func TestCheckGroupName(t *testing.T) {
	tests := []struct {
		project, in string
		ok          bool
		suggestion  string
	}{
		{"OpenStack", "Palo Alto", true, ""},
		{"OpenStack", "Palo Alto {OpenStack User Group}", true, ""},
		{"OpenStack", "Bay Area {Stackers}", true, ""},
		{"OpenStack", "Washington D.C. {Cloud Crew}", true, ""},
		{"OpenStack", "Rio de Janeiro", true, ""},
		{"OpenStack", "Community of Madrid", true, ""},
		{"openEuler", "Shenzhen {Nanshan}", true, ""},
		{"openEuler", "北京", true, ""},
		{"OpenStack", "OpenStack User Group Palo Alto", false, "Palo Alto {OpenStack User Group}"},
		{"OpenStack", "Palo Alto OpenStack Meetup", false, "Palo Alto {OpenStack Meetup}"},
		{"OpenStack", "Palo Alto User Group {Stackers}", false, "Palo Alto {User Group Stackers}"},
		{"openEuler", "openEuler User Group Beijing", false, "Beijing {openEuler User Group}"},
		{"openEuler", "Beijing Meetup", false, "Beijing {Meetup}"},
		{"OpenStack", "{Stackers} Bay Area", false, "Bay Area {Stackers}"},
		{"OpenStack", "paris", false, "Paris"},
		{"OpenStack", "OpenStack User Group", false, ""},
		{"OpenStack", "Meetup", false, ""},
	}
	for _, tt := range tests {
		n, err := CheckGroupName(tt.project, tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("CheckGroupName(%q, %q) error = %v, want ok=%v", tt.project, tt.in, err, tt.ok)
			continue
		}
		if tt.ok {
			if n.String() != tt.in {
				t.Errorf("CheckGroupName(%q) = %q", tt.in, n.String())
			}
			if s := SuggestGroupName(tt.project, tt.in); s != "" {
				t.Errorf("accepted %q, yet the suggester rewrites it to %q", tt.in, s)
			}
			continue
		}
		var ne *NameError
		if !errors.As(err, &ne) || ne.Suggestion != tt.suggestion || ne.Reason == "" {
			t.Errorf("CheckGroupName(%q) = %#v, want suggestion %q", tt.in, err, tt.suggestion)
		}
		if s := SuggestGroupName(tt.project, tt.in); s != tt.suggestion {
			t.Errorf("SuggestGroupName(%q) = %q, the validator suggests %q", tt.in, s, tt.suggestion)
		}
	}
}
