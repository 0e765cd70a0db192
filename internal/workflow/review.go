package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/viewer"
)

// loadFor fetches an application v can see (else NOT_FOUND), with its
// community and group, and refuses as may (an authz.May… rule) refuses.
func loadFor(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID, may func(*viewer.Viewer, *ent.Application) error) (*ent.Application, error) {
	app, err := loadApplication(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if err := may(v, app); err != nil {
		return nil, err
	}
	return app, nil
}

// decided is why most steps refuse a decided application.
const decided = "the application is already decided"

// stillOpen is the CONFLICT, saying why, for a step on a decided application.
func stillOpen(app *ent.Application, why string) error { return authz.StillOpen(app, why) }

// transition moves an application from its current status to `to`,
// recording a STATUS_CHANGE review. The update is conditional on the status
// read, so of two reviewers acting at once one wins and the other gets
// CONFLICT.
func transition(ctx context.Context, c *ent.Client, app *ent.Application, to application.Status, actor pulid.ID, note string) (*ent.Application, error) {
	from := app.Status
	upd := c.Application.Update().Where(application.ID(app.ID), application.StatusEQ(from)).SetStatus(to)
	n, err := upd.Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		current, err := c.Application.Query().Where(application.ID(app.ID)).Only(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		return nil, stateConflict(current, "the application changed meanwhile")
	}
	rc := c.Review.Create().SetApplicationID(app.ID).SetKind(review.KindSTATUS_CHANGE).
		SetFromStatus(string(from)).SetToStatus(string(to))
	if actor != "" {
		rc.SetAuthorID(actor)
	}
	if note = strings.TrimSpace(note); note != "" {
		rc.SetBody(note)
	}
	if err := rc.Exec(ctx); err != nil {
		return nil, err
	}
	app.Status = to
	return app, nil
}

// startReview moves a SUBMITTED application to IN_REVIEW on a reviewer's first action.
func startReview(ctx context.Context, c *ent.Client, app *ent.Application, actor pulid.ID) (*ent.Application, error) {
	if app.Status != application.StatusSUBMITTED {
		return app, nil
	}
	return transition(ctx, c, app, application.StatusIN_REVIEW, actor, "")
}

// announce logs a change of the application itself when a step changed its
// timeline without writing the application row (a comment, an objection,
// an endorsement, an objection resolved): a review entry is logged under
// the review topic, which the approval-queue subscription does not follow,
// and a board shows each application with its latest reviews.
func announce(ctx context.Context, c *ent.Client, app *ent.Application) error {
	return changelog.Updated(ctx, c, changelog.TopicApplication, "Application", string(app.ID), app.CommunityID, app.GroupID)
}

func checkText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apierror.Invalid(field, "%s must not be empty", field)
	}
	if len([]rune(s)) > max {
		return "", apierror.Invalid(field, "%s must be at most %d characters", field, max)
	}
	return s, nil
}

// Comment adds a reviewer's comment (the applicant may comment on their own
// application too, e.g. to answer a question).
func (r *Runner) Comment(ctx context.Context, id pulid.ID, body string) (*ent.Application, error) {
	return act(ctx, r, "comment on application", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		body, err := checkText("body", body, 10000)
		if err != nil {
			return nil, err
		}
		app, err := loadApplication(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if err := authz.MayCommentOnApplication(v, app); err != nil {
			return nil, err
		}
		before := app.Status
		if app.ApplicantID != v.UserID {
			if app, err = startReview(ctx, c, app, v.UserID); err != nil {
				return nil, err
			}
		}
		if err := c.Review.Create().SetApplicationID(id).SetAuthorID(v.UserID).SetKind(review.KindCOMMENT).SetBody(body).Exec(ctx); err != nil {
			return nil, err
		}
		if app.Status == before {
			// A first comment moved it to IN_REVIEW, a change of the
			// application already logged.
			if err := announce(ctx, c, app); err != nil {
				return nil, err
			}
		}
		return c.Application.Get(ctx, id)
	})
}

// RequestInfo asks the applicant for more information (→ NEEDS_INFO).
func (r *Runner) RequestInfo(ctx context.Context, id pulid.ID, message string) (*ent.Application, error) {
	return act(ctx, r, "request information", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		app, err := loadFor(ctx, c, v, id, authz.MayRequestApplicationInfo)
		if err != nil {
			return nil, err
		}
		if message, err = checkText("message", message, 5000); err != nil {
			return nil, err
		}
		if err := c.Review.Create().SetApplicationID(id).SetAuthorID(v.UserID).SetKind(review.KindINFO_REQUEST).SetBody(message).Exec(ctx); err != nil {
			return nil, err
		}
		if _, err := transition(ctx, c, app, application.StatusNEEDS_INFO, v.UserID, ""); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// ProposalUpdate changes a new-group request: a reviewer fixing the title or
// adding a missing link, or the applicant answering a request for
// information. Nil fields are left as they are.
type ProposalUpdate struct {
	Name                *string
	City, Country       *string
	Latitude, Longitude *float64
	Links               []LinkUpdate
	Description         *string
	Note                string
}

// LinkUpdate is a link in a ProposalUpdate.
type LinkUpdate struct{ Label, URL string }

// UpdateProposal applies a ProposalUpdate to the application and its
// proposed group, screens it again, and — when the applicant answers a
// request for information — returns it to review.
func (r *Runner) UpdateProposal(ctx context.Context, id pulid.ID, u ProposalUpdate) (*ent.Application, error) {
	return act(ctx, r, "update proposal", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Application, error) {
		app, err := loadFor(ctx, c, v, id, authz.MayUpdateProposal)
		if err != nil {
			return nil, err
		}
		if app.Edges.Group == nil {
			return nil, apierror.NotFoundf("the proposed group is not found")
		}
		applicant := app.ApplicantID == v.UserID
		req := u.applyTo(app)
		if err := checkRequest(app.Edges.Community, &req); err != nil {
			return nil, err
		}
		gu := c.Group.UpdateOneID(app.Edges.Group.ID).SetName(req.Name).SetCity(req.City).SetCountry(req.Country).
			SetNillableLatitude(req.Latitude).SetNillableLongitude(req.Longitude)
		if req.Description != "" {
			gu.SetDescription(req.Description)
		}
		if len(req.Links) > 0 {
			gu.SetWebsiteURL(req.Links[0].URL)
		}
		if err := gu.Exec(ctx); err != nil {
			return nil, err
		}
		answers := app.Answers
		answers.ProposedName, answers.City, answers.Country = req.Name, req.City, req.Country
		answers.Latitude, answers.Longitude, answers.Links, answers.Description = req.Latitude, req.Longitude, req.Links, req.Description
		if err := c.Application.UpdateOneID(id).SetAnswers(answers).Exec(ctx); err != nil {
			return nil, err
		}
		note := strings.TrimSpace(u.Note)
		if note == "" {
			note = "Proposal updated."
		}
		if err := c.Review.Create().SetApplicationID(id).SetAuthorID(v.UserID).SetKind(review.KindCOMMENT).SetBody(note).Exec(ctx); err != nil {
			return nil, err
		}
		if _, err := rescreen(ctx, c, id, now); err != nil {
			return nil, err
		}
		switch {
		case applicant && app.Status == application.StatusNEEDS_INFO:
			_, err = transition(ctx, c, app, application.StatusIN_REVIEW, v.UserID, "The applicant answered.")
		case !applicant:
			_, err = startReview(ctx, c, app, v.UserID)
		}
		if err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// AssignMentor records the ambassador who will mentor a proposed group. The
// mentor must hold an active AMBASSADOR role in the community and must not
// be the applicant.
func (r *Runner) AssignMentor(ctx context.Context, id, mentor pulid.ID) (*ent.Application, error) {
	return act(ctx, r, "assign mentor", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		app, err := loadFor(ctx, c, v, id, authz.MayAssignMentor)
		if err != nil {
			return nil, err
		}
		if mentor == app.ApplicantID {
			return nil, apierror.Invalid("mentor", "the applicant cannot mentor their own group")
		}
		isAmbassador, err := c.Role.Query().Where(role.UserID(mentor), role.KindEQ(role.KindAMBASSADOR),
			role.StatusEQ(role.StatusACTIVE), role.CommunityID(app.CommunityID)).Exist(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		if !isAmbassador {
			return nil, apierror.Invalid("mentor", "the mentor must be an active ambassador of the community")
		}
		if err := c.Application.UpdateOneID(id).SetMentorID(mentor).Exec(ctx); err != nil {
			return nil, err
		}
		if app.GroupID != "" {
			if err := c.Group.UpdateOneID(app.GroupID).SetMentorID(mentor).Exec(ctx); err != nil {
				return nil, err
			}
		}
		if _, err := startReview(ctx, c, app, v.UserID); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// ResolveConflict records how a reviewer settled the overlap with a nearby group.
func (r *Runner) ResolveConflict(ctx context.Context, id, conflictingGroup pulid.ID, resolution string) (*ent.Application, error) {
	return act(ctx, r, "resolve conflict", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Application, error) {
		app, err := loadFor(ctx, c, v, id, authz.MayResolveConflict)
		if err != nil {
			return nil, err
		}
		if resolution, err = checkText("resolution", resolution, 2000); err != nil {
			return nil, err
		}
		s := app.Screening
		found := false
		now = now.UTC()
		for i := range s.Conflicts {
			if s.Conflicts[i].GroupID == string(conflictingGroup) {
				s.Conflicts[i].ResolvedAt, s.Conflicts[i].ResolvedBy, s.Conflicts[i].Resolution = &now, string(v.UserID), resolution
				found = true
			}
		}
		if !found {
			return nil, apierror.Invalid("group", "that group is not among the application's conflicts")
		}
		if err := c.Application.UpdateOneID(id).SetScreening(s).Exec(ctx); err != nil {
			return nil, err
		}
		if err := c.Review.Create().SetApplicationID(id).SetAuthorID(v.UserID).SetKind(review.KindCOMMENT).
			SetBody("Conflict settled: " + resolution).Exec(ctx); err != nil {
			return nil, err
		}
		if _, err := startReview(ctx, c, app, v.UserID); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// Reasons a request may be rejected for.
var rejectReasons = map[string]string{
	"NOT_A_USER_GROUP": "this does not look like a user group of the project",
	"SPAM":             "this looks like spam",
	"DUPLICATE":        "a group already serves this place",
	"COMMERCIAL":       "user groups are non-commercial",
	"OTHER":            "see the reviewer's note",
}

// Reject decides against an application with a reason code and a message to
// the applicant; a proposed group becomes REJECTED.
func (r *Runner) Reject(ctx context.Context, id pulid.ID, reason, message string) (*ent.Application, error) {
	return act(ctx, r, "reject application", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Application, error) {
		app, err := loadFor(ctx, c, v, id, authz.MayRejectApplication)
		if err != nil {
			return nil, err
		}
		why, ok := rejectReasons[reason]
		if !ok {
			return nil, apierror.Invalid("reason", "reason must be one of NOT_A_USER_GROUP, SPAM, DUPLICATE, COMMERCIAL, OTHER")
		}
		if message, err = checkText("message", message, 5000); err != nil {
			return nil, err
		}
		if _, err := transition(ctx, c, app, application.StatusREJECTED, v.UserID, reason+": "+message); err != nil {
			return nil, err
		}
		if err := c.Application.UpdateOneID(id).SetDecidedByID(v.UserID).SetDecidedAt(now).
			SetDecisionReason(reason + ": " + message).Exec(ctx); err != nil {
			return nil, err
		}
		if err := endProposal(ctx, c, app, group.StatusREJECTED); err != nil {
			return nil, err
		}
		com := app.Edges.Community
		if err := queueMessage(ctx, c, com.ID, app.ApplicantID, letters.KindApplicationRejected, letters.ApplicationRejected{
			Community: com.Name, Reason: why, Note: message, UserGroupPageURL: com.UserGroupPageURL, WebsiteURL: com.WebsiteURL,
		}, "decision:"+string(id)); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// Withdraw lets the applicant take back an open application; a proposed
// group becomes WITHDRAWN.
func (r *Runner) Withdraw(ctx context.Context, id pulid.ID) (*ent.Application, error) {
	return act(ctx, r, "withdraw application", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		app, err := loadFor(ctx, c, v, id, authz.MayWithdrawApplication)
		if err != nil {
			return nil, err
		}
		if _, err := transition(ctx, c, app, application.StatusWITHDRAWN, v.UserID, "Withdrawn by the applicant."); err != nil {
			return nil, err
		}
		if err := endProposal(ctx, c, app, group.StatusWITHDRAWN); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

func linkOf(l LinkUpdate) schematype.Link { return schematype.Link{Label: l.Label, URL: l.URL} }

// AssignReviewer puts a reviewer in charge of an application; the assignee
// must be among its reviewers (and so not the applicant).
func (r *Runner) AssignReviewer(ctx context.Context, id, reviewer pulid.ID) (*ent.Application, error) {
	return act(ctx, r, "assign reviewer", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		app, err := loadFor(ctx, c, v, id, authz.MayAssignApplicationReviewer)
		if err != nil {
			return nil, err
		}
		assignee, err := authz.ViewerFor(ctx, c, reviewer, nil)
		if err != nil {
			return nil, err
		}
		if reviewer == app.ApplicantID || !authz.ReviewsApplication(assignee, app) {
			return nil, apierror.Invalid("reviewer", "the assignee must be one of the application's reviewers, not the applicant")
		}
		if err := c.Application.UpdateOneID(id).SetReviewerID(reviewer).Exec(ctx); err != nil {
			return nil, err
		}
		if _, err := startReview(ctx, c, app, v.UserID); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// applyTo is the request app's proposal becomes with u applied.
func (u ProposalUpdate) applyTo(app *ent.Application) GroupRequest {
	g := app.Edges.Group
	req := GroupRequest{
		CommunityID: app.CommunityID, Name: g.Name, City: g.City, Country: g.Country,
		Latitude: g.Latitude, Longitude: g.Longitude, Links: app.Answers.Links,
		Description: app.Answers.Description, AcceptedCodeOfConduct: true,
	}
	if u.Name != nil {
		req.Name = *u.Name
	}
	if u.City != nil {
		req.City = *u.City
	}
	if u.Country != nil {
		req.Country = *u.Country
	}
	if u.Latitude != nil || u.Longitude != nil {
		req.Latitude, req.Longitude = u.Latitude, u.Longitude
	}
	if u.Links != nil {
		req.Links = nil
		for _, l := range u.Links {
			req.Links = append(req.Links, linkOf(l))
		}
	}
	if u.Description != nil {
		req.Description = *u.Description
	}
	return req
}

// endProposal closes the group a decided new-group request proposed (to
// REJECTED or WITHDRAWN), if it is still waiting for approval.
func endProposal(ctx context.Context, c *ent.Client, app *ent.Application, to group.Status) error {
	if app.Kind != application.KindNEW_GROUP || app.GroupID == "" {
		return nil
	}
	return c.Group.Update().Where(group.ID(app.GroupID), group.StatusEQ(group.StatusPROPOSED)).SetStatus(to).Exec(ctx)
}
