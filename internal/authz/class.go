package authz

import (
	"slices"
	"strings"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Viewer classes let work done for one viewer serve others: a class holds
// viewers for whom the read rules give the same answers, so that what is
// rendered for one of them is exactly what each of the others would get.
// A class is only as wide as what the rules can tell apart:
//
//   - ViewerClass is a person as the rules see them (person, credential
//     kind, scopes, roles): trivially exact, and shared only by the
//     sockets of one person;
//   - StaffClass leaves the person out, for the staff of one community
//     with the same roles and scopes; it is exact only for what the rules
//     decide by role alone, which StaffField lists field by field.
//
// Anonymous viewers are one class.

// ViewerClass names everything about v that the read rules read: two
// viewers with the same class get the same answer from every rule.
func ViewerClass(v *viewer.Viewer) string {
	if v.IsSystem() {
		return "system"
	}
	if !v.IsUser() {
		return "anonymous"
	}
	return "user:" + string(v.UserID) + credentialClass(v)
}

// credentialClass is v's credential kind, scopes and roles, without the
// person.
func credentialClass(v *viewer.Viewer) string {
	var b strings.Builder
	if v.Token != nil {
		b.WriteString("|token")
		scopes := slices.Clone(v.Token.Scopes)
		slices.Sort(scopes)
		for _, s := range scopes {
			b.WriteString("," + s)
		}
	}
	roles := make([]string, len(v.Roles))
	for i, r := range v.Roles {
		roles[i] = r.Kind + "/" + string(r.CommunityID) + "/" + string(r.RegionID) + "/" + string(r.GroupID)
	}
	slices.Sort(roles)
	for _, r := range roles {
		b.WriteString("|" + r)
	}
	return b.String()
}

// StaffClass is the class of v among the staff (admins and community
// managers) of community, leaving the person out: viewers with the same
// credential kind, scopes and roles share it. ok is false when v is not
// staff there. The class is exact only for documents that select nothing
// but StaffField fields of that community's rows (see StaffField).
func StaffClass(v *viewer.Viewer, community pulid.ID) (class string, ok bool) {
	if v.IsSystem() || !v.IsUser() || community == "" || !v.IsStaff(community) {
		return "", false
	}
	return "staff:" + string(community) + credentialClass(v), true
}

// staffFields are the fields whose value, for a row of a community its
// staff receive, the read rules decide by role alone: the same for every
// staff viewer of that community whoever they are. Each entry says why.
// Anything that reads the viewer's identity (viewerCan*, the viewer's own
// rows, private User fields, reports about the viewer) stays out.
var staffFields = map[string]map[string]string{
	"ApplicationChange": {
		"cursor": "the change log's position: the same item for every subscriber",
		"op":     "the change's operation, from the log row",
		"at":     "the change's commit time, from the log row",
		"actor":  "loaded once as the system for all subscribers (profiles are public); its fields are listed under User",
		"node":   "CanSeeApplication: staff of the application's community (and admins) see it whatever their person",
	},
	"Application": {
		"id":        "a column of a row staff see by role (CanSeeApplication)",
		"kind":      "a column of a row staff see by role",
		"status":    "a column of a row staff see by role",
		"createdAt": "a column of a row staff see by role",
		"updatedAt": "a column of a row staff see by role",
	},
	"User": {
		"id":     "public profile column (UserPolicy lets everyone read profiles)",
		"handle": "public profile column",
		"name":   "public profile column",
	},
}

// StaffField reports whether field of the GraphQL object type typ is
// decided by role alone for a community's staff (see staffFields);
// __typename always is.
func StaffField(typ, field string) bool {
	if field == "__typename" {
		return true
	}
	_, ok := staffFields[typ][field]
	return ok
}
