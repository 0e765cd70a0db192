package graph

import (
	"context"
	"strings"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/queue"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// may answers an application's viewerCan… field with the authz.May… rule
// its step refuses with: true exactly when the step would not refuse.
func may(ctx context.Context, app *ent.Application, rule func(*viewer.Viewer, *ent.Application) error) bool {
	return rule(viewer.FromContext(ctx), app) == nil
}

// openObjections lists app's objections nobody resolved, as the viewer may
// see them, loaded once for the list app is in.
func (r *Resolver) openObjections(ctx context.Context, app *ent.Application) ([]*ent.Review, error) {
	open, err := batched(ctx, app.ID, applicationsIn, func(ids []pulid.ID) (map[pulid.ID][]*ent.Review, error) {
		return queue.OpenObjections(ctx, r.db(ctx), ids)
	})
	if open[app.ID] == nil {
		return []*ent.Review{}, err
	}
	return open[app.ID], err
}

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
