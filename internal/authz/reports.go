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

// CanSeeMembersAtRisk: who in a group has not met the yearly obligation
// yet is for the people who follow its members up — the group's
// organizers and ambassadors — and its community's staff.
func CanSeeMembersAtRisk(v *viewer.Viewer, group, community pulid.ID) bool {
	return v.HasGroupRole(group, viewer.Organizer, viewer.Ambassador) || v.IsStaff(community)
}
