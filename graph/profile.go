package graph

import (
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/workflow"
)

// profileUpdate maps updateProfile's input to the workflow's: a list
// left out stays nil (unchanged), one given (even empty) replaces.
func profileUpdate(in generated.UpdateProfileInput) workflow.ProfileUpdate {
	var ls []schematype.Link
	if in.Links != nil {
		ls = links(in.Links)
	}
	return workflow.ProfileUpdate{Name: in.Name, Bio: in.Bio, AvatarURL: in.AvatarURL, Affiliation: in.Affiliation,
		Organization: in.Organization, City: in.City, Country: in.Country, Languages: in.Languages, Links: ls,
		ShowcaseConsent: in.ShowcaseConsent, PhotoConsent: in.PhotoConsent, LedgerPublic: in.LedgerPublic}
}
