package policy

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tolerance        float64
	}{
		{"same point", 48.8566, 2.3522, 48.8566, 2.3522, 0, 0.001},
		{"Paris–London", 48.8566, 2.3522, 51.5074, -0.1278, 343.5, 1.5},
		{"San Francisco–Oakland", 37.7749, -122.4194, 37.8044, -122.2712, 13.4, 0.5},
		{"Shenzhen–Guangzhou", 22.5431, 114.0579, 23.1291, 113.2644, 103, 3},
		{"antipodes", 0, 0, 0, 180, math.Pi * earthRadiusKm, 0.5},
		{"across the date line", 0, 179.5, 0, -179.5, 111.2, 0.5},
	}
	for _, tt := range tests {
		if got := DistanceKm(tt.lat1, tt.lon1, tt.lat2, tt.lon2); math.Abs(got-tt.want) > tt.tolerance {
			t.Errorf("%s: %.2f km, want %.1f ± %.1f", tt.name, got, tt.want, tt.tolerance)
		}
	}
}

func f(v float64) *float64 { return &v }

func TestFindConflicts(t *testing.T) {
	sf := Place{ID: "g1", Name: "Bay Area {Stackers}", City: "San Francisco", Country: "US", Latitude: f(37.7749), Longitude: f(-122.4194)}
	sj := Place{ID: "g2", Name: "San Jose", City: "San Jose", Country: "US", Latitude: f(37.3382), Longitude: f(-121.8863)}
	la := Place{ID: "g3", Name: "Los Angeles", City: "Los Angeles", Country: "US", Latitude: f(34.0522), Longitude: f(-118.2437)}
	oakNoCoords := Place{ID: "g4", Name: "Oakland", City: "Oakland", Country: "US"}
	oakland := Place{Name: "Oakland {East Bay}", City: "oakland", Country: "US", Latitude: f(37.8044), Longitude: f(-122.2712)}

	got := FindConflicts(OpenStack(), oakland, []Place{la, sj, oakNoCoords, sf})
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	if want := []string{"Bay Area {Stackers}", "Oakland"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("OpenStack (50 km): conflicts %v, want %v", names, want)
	}
	if got[0].DistanceKm < 13 || got[0].DistanceKm > 14 || got[1].DistanceKm != -1 {
		t.Errorf("distances %.1f, %.1f", got[0].DistanceKm, got[1].DistanceKm)
	}
	// openEuler: same city only.
	if got := FindConflicts(OpenEuler(), oakland, []Place{sf, oakNoCoords}); len(got) != 1 || got[0].ID != "g4" {
		t.Errorf("openEuler (same city): %+v", got)
	}
	// Same city name in another country is no conflict.
	if got := FindConflicts(OpenEuler(), Place{Name: "Paris", City: "Paris", Country: "US"}, []Place{{ID: "p", City: "Paris", Country: "FR"}}); len(got) != 0 {
		t.Errorf("Paris, Texas conflicts with Paris, France: %+v", got)
	}
}

func TestScreen(t *testing.T) {
	tests := []struct {
		name          string
		r             Request
		flags, missng []string
	}{
		{"good", Request{Name: "Paris", Description: "Operators running OpenStack in Paris.", Links: []string{"https://meetup.example.com/os-paris"}, HasLocation: true}, nil, nil},
		{"commercial", Request{Name: "Frankfurt {Cheap Cloud Servers}", Description: "OpenStack hosting plans at a discount.", Links: []string{"https://shop.example.com"}, HasLocation: true}, []string{FlagCommercial}, nil},
		{"general IT", Request{Name: "Lagos {Tech Meetup}", Description: "A tech meetup for IT professionals.", Links: []string{"https://x.example.org"}, HasLocation: true}, []string{FlagOffTopic}, nil},
		{"missing everything", Request{Name: "Lima"}, nil, []string{MissingLink, MissingDescription, MissingLocation}},
	}
	for _, tt := range tests {
		flags, missing := Screen(OpenStack(), "OpenStack", tt.r)
		if !reflect.DeepEqual(flags, tt.flags) || !reflect.DeepEqual(missing, tt.missng) {
			t.Errorf("%s: flags %v missing %v; want %v and %v", tt.name, flags, missing, tt.flags, tt.missng)
		}
	}
}

// TestScreenSupporters: supporters are missing exactly while approval would
// be blocked for them, and never where the policy asks for none.
func TestScreenSupporters(t *testing.T) {
	full := Request{Name: "Hefei", Description: "openEuler users in Hefei.", Links: []string{"https://forum.openeuler.org/hefei"}, HasLocation: true}
	tests := []struct {
		name    string
		p       Policy
		s       Supporters
		missing bool
	}{
		{"openEuler, the applicant alone", OpenEuler(), Supporters{1, 1}, true},
		{"openEuler, 10 from 9 organizations", OpenEuler(), Supporters{10, 9}, true},
		{"openEuler, 10 from 10", OpenEuler(), Supporters{10, 10}, false},
		{"OpenStack asks for none", OpenStack(), Supporters{}, false},
	}
	for _, tt := range tests {
		r := full
		r.Supporters = tt.s
		_, missing := Screen(tt.p, "openEuler", r)
		if got := slices.Contains(missing, MissingSupporters); got != tt.missing {
			t.Errorf("%s: missing %v", tt.name, missing)
		}
		blocked := false
		for _, b := range NewGroupBlockers(tt.p, ApprovalState{Supporters: tt.s}) {
			blocked = blocked || b.Code == BlockerFewSupporters || b.Code == BlockerFewOrgs
		}
		if blocked != tt.missing {
			t.Errorf("%s: screening says missing=%v, approval says blocked=%v", tt.name, tt.missing, blocked)
		}
	}
}

func TestSuggestGroupName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bay Area {Stackers}", ""}, // already fine
		{"  bay area   {Stackers} ", "Bay Area {Stackers}"},
		{"Bay Area (Stackers)", "Bay Area {Stackers}"},
		{"Bay Area [Stackers]", "Bay Area {Stackers}"},
		{"{Stackers} Bay Area", "Bay Area {Stackers}"},
		{"OpenStack User Group Paris", "Paris {OpenStack User Group}"},
		{"Paris OpenStack Meetup", "Paris {OpenStack Meetup}"},
		{"paris", "Paris"},
		{"rio de janeiro", "Rio de Janeiro"},
		{"OpenStack", ""},
		{"12345", ""},
	}
	for _, tt := range tests {
		if got := SuggestGroupName("OpenStack", tt.in); got != tt.want {
			t.Errorf("SuggestGroupName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewGroupBlockers(t *testing.T) {
	codes := func(bs []Blocker) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Code)
		}
		return out
	}
	oe := OpenEuler()
	tests := []struct {
		name string
		p    Policy
		s    ApprovalState
		want []string
	}{
		{"openEuler 9 supporters", oe, ApprovalState{Supporters: Supporters{9, 9}}, []string{BlockerFewSupporters, BlockerFewOrgs}},
		{"openEuler 10 from 9 organizations", oe, ApprovalState{Supporters: Supporters{10, 9}}, []string{BlockerFewOrgs}},
		{"openEuler 10 from 10", oe, ApprovalState{Supporters: Supporters{10, 10}}, nil},
		{"OpenStack without mentor", OpenStack(), ApprovalState{}, []string{BlockerNoMentor}},
		{"OpenStack with mentor", OpenStack(), ApprovalState{HasMentor: true}, nil},
		{"open conflict and objection", OpenStack(), ApprovalState{HasMentor: true, UnresolvedConflicts: 1, OpenObjections: 2}, []string{BlockerOpenConflicts, BlockerOpenObjections}},
	}
	for _, tt := range tests {
		if got := codes(NewGroupBlockers(tt.p, tt.s)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOfficialRequirements(t *testing.T) {
	p := OpenStack()
	ok := GroupRecord{ActiveMembers: 20, Organizations: 3, EventsLastYear: 3, MentoringSignedOff: true}
	if rs := OfficialRequirements(p, ok); !AllMet(rs) {
		t.Errorf("a group at the minimums fails: %+v", rs)
	}
	for name, g := range map[string]GroupRecord{
		"19 members":      {19, 3, 3, true},
		"2 organizations": {20, 2, 3, true},
		"2 events":        {20, 3, 2, true},
		"not signed off":  {20, 3, 3, false},
	} {
		if AllMet(OfficialRequirements(p, g)) {
			t.Errorf("%s passes", name)
		}
	}
	if steps := HandoverSteps(); steps[0].Key != StepMentoring || steps[len(steps)-1].Key != StepSwagShipped {
		t.Errorf("steps out of order: %+v", steps)
	}
}
