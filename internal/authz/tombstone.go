package authz

import (
	"slices"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/viewer"
)

// CanSeeTombstone reports whether v may learn that the node of change c
// was deleted (or is gone): its id and type, which is all a tombstone
// carries. The row is gone, so its own rule cannot be asked; this rule
// takes the change row's topic, community and group, and lets only those
// who may see every row of that topic there see its tombstone, never
// more than the row's own rule would have:
//
//   - groups, elections and a community's settings are public;
//   - roles, events and registrations: the group's organizers and the
//     community's staff;
//   - applications and reviews: the community's staff and ambassadors,
//     and the group's ambassadors.
//
// Registration tombstones go to API tokens too (unlike registrations,
// which never do): they name no person, and a tool syncing an event's
// attendance must learn of a deletion. TestTombstoneWithinRowRules holds
// the rule to the privacy rules of the rows.
func CanSeeTombstone(v *viewer.Viewer, c *ent.Change) bool {
	if v.IsSystem() || v.IsAdmin() {
		return true
	}
	has := func(ids []pulid.ID, id string) bool { return id != "" && slices.Contains(ids, pulid.ID(id)) }
	// The topics are internal/changelog's, which imports this package.
	switch c.Topic {
	case "group", "election", "community":
		return true
	case "role", "event", "registration":
		return has(v.StaffCommunities(), c.CommunityID) || has(v.OrganizerGroups(), c.GroupID)
	case "application", "review":
		return has(v.StaffCommunities(), c.CommunityID) || has(v.AmbassadorCommunities(), c.CommunityID) ||
			has(v.AmbassadorGroups(), c.GroupID)
	}
	return false
}
