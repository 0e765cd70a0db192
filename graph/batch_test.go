package graph

import (
	"slices"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// TestListsYieldTheirIDs: a batched field finds its siblings in whatever
// shape the enclosing list was resolved to; a value of another shape is
// not a list of that entity (nil), while an empty list is one (empty).
func TestListsYieldTheirIDs(t *testing.T) {
	g1, g2 := &ent.Group{ID: "grp_1"}, &ent.Group{ID: "grp_2"}
	edges := []*ent.GroupEdge{{Node: g1}, nil, {Node: nil}, {Node: g2}}
	want := []pulid.ID{"grp_1", "grp_2"}
	for name, v := range map[string]any{
		"connection": &ent.GroupConnection{Edges: edges},
		"edges":      edges,
		"slice":      []*ent.Group{g1, nil, g2},
	} {
		if got := groupsIn(v); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	for name, v := range map[string]any{
		"nil connection": (*ent.GroupConnection)(nil),
		"other entity":   []*ent.Event{{ID: "evt_1"}},
		"not a list":     g1,
	} {
		if got := groupsIn(v); got != nil {
			t.Errorf("%s: %v, want nil", name, got)
		}
	}
	if got := groupsIn([]*ent.Group{}); got == nil || len(got) != 0 {
		t.Errorf("an empty list gave %v, want an empty list", got)
	}

	roles := &ent.RoleConnection{Edges: []*ent.RoleEdge{{Node: &ent.Role{ID: "rol_1", UserID: "usr_1"}}}}
	if got := usersIn(roles); !slices.Equal(got, []pulid.ID{"usr_1"}) {
		t.Errorf("a roster lists its holders: %v", got)
	}
	if got := usersIn([]*ent.User{{ID: "usr_2"}}); !slices.Equal(got, []pulid.ID{"usr_2"}) {
		t.Errorf("users: %v", got)
	}
	if got := candidatesIn([]*ent.Candidate{{ID: "cnd_1"}}); !slices.Equal(got, []pulid.ID{"cnd_1"}) {
		t.Errorf("candidates: %v", got)
	}
	if got := candidatesIn(roles); got != nil {
		t.Errorf("a roster is no list of candidates: %v", got)
	}
}
