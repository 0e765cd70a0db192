package authz

import (
	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/viewer"
)

// CanReviewContribution reports whether v may verify or decline ct: the
// organizers and ambassadors of the group credited and the community's
// staff, but never the contributor: nobody checks their own work.
func CanReviewContribution(v *viewer.Viewer, ct *ent.Contribution) bool {
	if ct.UserID == v.UserID {
		return false
	}
	return v.IsStaff(ct.CommunityID) || v.HasGroupRole(ct.GroupID, viewer.Organizer, viewer.Ambassador)
}
