package viewer_test

import (
	"slices"
	"testing"

	"github.com/usergroups/usergroups/internal/viewer"
)

// TestScopes: what each kind of request holds, what scopes imply, and the
// API's spelling of each scope.
func TestScopes(t *testing.T) {
	tok := func(scopes ...string) *viewer.Viewer {
		return &viewer.Viewer{UserID: "usr_1", Token: &viewer.Token{ID: "tok_1", Scopes: scopes}}
	}
	cases := []struct {
		name          string
		v             *viewer.Viewer
		read, noRead  []string
		write, noWrte []string
		canWrite      bool
	}{
		{"events only", tok(viewer.AreaEvents), []string{viewer.AreaEvents}, []string{viewer.AreaRoster, viewer.AreaGroups}, nil, []string{viewer.WriteEvents}, false},
		{"check-in", tok(viewer.WriteCheckIn), []string{viewer.AreaEvents, viewer.AreaGroups}, []string{viewer.AreaRoster}, []string{viewer.WriteCheckIn}, []string{viewer.WriteEvents}, true},
		{"broad read", tok(viewer.ScopeRead), viewer.ReadAreas(), nil, nil, []string{viewer.WriteEvents, viewer.ScopeWrite}, false},
		{"broad write", tok(viewer.ScopeRead, viewer.ScopeWrite), viewer.ReadAreas(), nil, viewer.WriteScopes(), nil, true},
		{"signed in", &viewer.Viewer{UserID: "usr_1"}, viewer.ReadAreas(), nil, viewer.WriteScopes(), nil, true},
	}
	for _, c := range cases {
		for _, a := range c.read {
			if !c.v.CanRead(a) {
				t.Errorf("%s: cannot read %s", c.name, a)
			}
		}
		for _, a := range c.noRead {
			if c.v.CanRead(a) {
				t.Errorf("%s: reads %s", c.name, a)
			}
		}
		for _, s := range c.write {
			if !c.v.HasScope(s) {
				t.Errorf("%s: lacks %s", c.name, s)
			}
		}
		for _, s := range c.noWrte {
			if c.v.HasScope(s) {
				t.Errorf("%s: holds %s", c.name, s)
			}
		}
		if c.v.CanWrite() != c.canWrite {
			t.Errorf("%s: CanWrite = %v", c.name, !c.canWrite)
		}
	}
	anon := &viewer.Viewer{}
	if !anon.CanRead(viewer.AreaRoster) || anon.CanWrite() || len(anon.Held()) != 0 {
		t.Errorf("anonymous: reads roster %v, writes %v, holds %v", anon.CanRead(viewer.AreaRoster), anon.CanWrite(), anon.Held())
	}
	if got := tok(viewer.WriteCheckIn).Held(); !slices.Equal(got, []string{viewer.AreaGroups, viewer.AreaEvents, viewer.WriteCheckIn}) {
		t.Errorf("check-in holds %v", got)
	}
	for _, s := range viewer.Scopes() {
		if viewer.ScopeFromName(viewer.ScopeName(s)) != s {
			t.Errorf("%s does not round-trip through %s", s, viewer.ScopeName(s))
		}
	}
	if viewer.ScopeName(viewer.WriteEvents) != "EVENTS_WRITE" || viewer.ScopeFromName("ROOT") != "" {
		t.Error("scope names")
	}
}
