package graph

import (
	"strings"

	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/workflow"
)

// proposalUpdate maps updateApplicationProposal's input. Links given, even
// none, replace the old ones; links left out keep them.
func proposalUpdate(in generated.UpdateApplicationProposalInput) workflow.ProposalUpdate {
	u := workflow.ProposalUpdate{
		Name: in.Name, City: in.City, Country: in.Country, Latitude: in.Latitude, Longitude: in.Longitude,
		Description: in.Description, Note: deref(in.Note),
	}
	if in.Links != nil {
		u.Links = []workflow.LinkUpdate{}
		for _, l := range in.Links {
			u.Links = append(u.Links, workflow.LinkUpdate{Label: l.Label, URL: l.URL})
		}
	}
	return u
}

// ambassadorRequest maps applyToBeAmbassador's input.
func ambassadorRequest(in generated.ApplyToBeAmbassadorInput) workflow.AmbassadorRequest {
	req := workflow.AmbassadorRequest{CommunityID: in.Community, Why: in.Why, Participation: in.Participation, Ideas: in.Ideas}
	if in.Region != nil {
		req.RegionID = *in.Region
	}
	if in.Group != nil {
		req.GroupID = *in.Group
	}
	return req
}

// handoverStep is the checklist key (policy.StepMentoring, …) of a
// completeHandoverStep step: the enum value in lower case
// (TestHandoverStepsAreTheAPIs holds the two lists together).
func handoverStep(s generated.HandoverStep) string { return strings.ToLower(string(s)) }
