package policy

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestPatchApply(t *testing.T) {
	n := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	scope := func(s AmbassadorScope) *AmbassadorScope { return &s }
	yes := true
	for _, tc := range []struct {
		name  string
		patch Patch
		field string // "" when the patch applies
		check func(Policy) bool
	}{
		{"nothing", Patch{}, "", func(p Policy) bool { return reflect.DeepEqual(p, OpenStack()) }},
		{"one-hour window", Patch{ObjectionWindowHours: n(1)}, "", func(p Policy) bool {
			want := OpenStack()
			want.ObjectionWindowHours = 1
			return reflect.DeepEqual(p, want)
		}},
		{"supporters with organizations", Patch{MinSupporters: n(5), MinSupporterOrganizations: n(3), LeadersRequirePartner: &yes}, "",
			func(p Policy) bool {
				return p.MinSupporters == 5 && p.MinSupporterOrganizations == 3 && p.LeadersRequirePartner
			}},
		{"negative window", Patch{ObjectionWindowHours: n(-1)}, "objectionWindowHours", nil},
		{"window of years", Patch{ObjectionWindowHours: n(24 * 61)}, "objectionWindowHours", nil},
		{"negative cap", Patch{MaxOrganizersPerGroup: n(-1)}, "maxOrganizersPerGroup", nil},
		{"organizations above supporters", Patch{MinSupporterOrganizations: n(1)}, "minSupporterOrganizations", nil},
		{"NaN radius", Patch{ConflictRadiusKm: f(math.NaN())}, "conflictRadiusKm", nil},
		{"unknown scope", Patch{AmbassadorScope: scope("PLANET")}, "ambassadorScope", nil},
		{"endless term", Patch{TermLengthDays: n(100000)}, "termLengthDays", nil},
		{"long pitch", Patch{MaxSponsorPitchMinutes: n(241)}, "maxSponsorPitchMinutes", nil},
		{"pitch cap", Patch{MaxSponsorPitchesPerEvent: n(3)}, "", func(p Policy) bool { return p.MaxSponsorPitchesPerEvent == 3 }},
		{"many pitches", Patch{MaxSponsorPitchesPerEvent: n(21)}, "maxSponsorPitchesPerEvent", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.patch.Apply(OpenStack())
			var fe *FieldError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field == "" && !tc.check(p):
				t.Errorf("policy = %+v", p)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Errorf("error = %v, want one naming %s", err, tc.field)
			}
		})
	}
}
