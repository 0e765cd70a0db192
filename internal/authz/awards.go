package authz

import (
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TallyScope is which rows of a community's yearly tally v may read,
// decided from v's roles alone: all of them for the community's staff;
// for organizers and ambassadors of groups, those groups' rows (the
// returned groups, which may belong to other communities: the tally
// filters by its own); nothing for anyone else (ok false). The tally sums
// contributions whose owners may not have made their ledger public, so it
// is shown only to those who verify them.
func TallyScope(v *viewer.Viewer, community pulid.ID) (all bool, groups []pulid.ID, ok bool) {
	if v.IsStaff(community) {
		return true, nil, true
	}
	groups = append(v.OrganizerGroups(), v.AmbassadorGroups()...)
	return false, groups, len(groups) > 0
}
