package authz

import (
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Some lists are built from public rows yet are a community staff's
// working tools, not a public page: who may ask for them is decided here,
// next to the row rules, and the read functions that build them (in
// internal/queue) refuse everyone else.

// CanListLeaderlessGroups: a community's staff see which of its groups
// have no active organizer (to appoint one or call an election).
func CanListLeaderlessGroups(v *viewer.Viewer, community pulid.ID) bool {
	return v.IsStaff(community)
}
