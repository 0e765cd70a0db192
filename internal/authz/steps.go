package authz

import (
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/viewer"
)

// The steps on an application and whether a viewer may take them now. Each
// May… returns nil when v may take the step on app as it stands, or the
// error the step refuses with; the workflow step calls it, and the
// Application.viewerCan… field it answers is May…(v, app) == nil, so a board
// offers an action exactly when the step would take it (the step still
// checks its input: an empty comment, a mentor who is no ambassador).

// MayWrite: a signed-in person whose credential may make changes (an API
// token with a write scope: which one each step needs is checked when the
// request is admitted, see policy.MutationScope); every step asks it first.
func MayWrite(v *viewer.Viewer) error {
	if !v.IsUser() {
		return apierror.Unauthenticatedf("sign in first")
	}
	if !v.CanWrite() {
		return apierror.TokenScopef("this API token may not make changes (it has no write scope)")
	}
	return nil
}

// decided is why most steps refuse a decided application.
const decided = "the application is already decided"

// ApplicationConflict is the CONFLICT for a step app's state does not
// allow, naming the status (extensions.status).
func ApplicationConflict(app *ent.Application, msg string) error {
	e := apierror.Conflictf("%s (status %s)", msg, app.Status)
	e.Extensions = map[string]any{"status": string(app.Status)}
	return e
}

// StillOpen is the CONFLICT, saying why, for a step on a decided application.
func StillOpen(app *ent.Application, why string) error {
	if !IsOpen(app.Status) {
		return ApplicationConflict(app, why)
	}
	return nil
}

// MayReviewApplication: the reviewers' steps need an open application
// (CONFLICT) and a reviewer in scope who is not the applicant (FORBIDDEN).
func MayReviewApplication(v *viewer.Viewer, app *ent.Application) error {
	if err := MayWrite(v); err != nil {
		return err
	}
	if err := StillOpen(app, decided); err != nil {
		return err
	}
	if !CanReviewApplication(v, app) {
		return apierror.Forbiddenf("you are not a reviewer of this application")
	}
	return nil
}

// MayCommentOnApplication: its reviewers, and the applicant (to answer a
// question), while it is open.
func MayCommentOnApplication(v *viewer.Viewer, app *ent.Application) error {
	if err := MayWrite(v); err != nil {
		return err
	}
	if app.ApplicantID == v.UserID {
		return StillOpen(app, decided)
	}
	return MayReviewApplication(v, app)
}

// MayRequestApplicationInfo: its reviewers, while it is SUBMITTED or IN_REVIEW.
func MayRequestApplicationInfo(v *viewer.Viewer, app *ent.Application) error {
	if err := MayReviewApplication(v, app); err != nil {
		return err
	}
	if app.Status != application.StatusSUBMITTED && app.Status != application.StatusIN_REVIEW {
		return ApplicationConflict(app, "information can be requested only while the application is in review")
	}
	return nil
}

// MayUpdateProposal: the applicant and the application's reviewers change
// a new-group request until it is decided or waits out its objection window.
func MayUpdateProposal(v *viewer.Viewer, app *ent.Application) error {
	if err := MayWrite(v); err != nil {
		return err
	}
	if app.ApplicantID != v.UserID && !ReviewsApplication(v, app) {
		return apierror.Forbiddenf("only the applicant and the application's reviewers may change it")
	}
	if !IsOpen(app.Status) || app.Status == application.StatusOBJECTION_WINDOW {
		return ApplicationConflict(app, "the request can no longer be changed")
	}
	if app.Kind != application.KindNEW_GROUP || app.GroupID == "" {
		return apierror.Invalid("id", "only new-group requests have a proposal to update")
	}
	return nil
}

// MayAssignApplicationReviewer: its reviewers, while it is open.
func MayAssignApplicationReviewer(v *viewer.Viewer, app *ent.Application) error {
	return MayReviewApplication(v, app)
}

// MayAssignMentor: its reviewers, while it is open.
func MayAssignMentor(v *viewer.Viewer, app *ent.Application) error {
	return MayReviewApplication(v, app)
}

// MayResolveConflict: its reviewers, while it is open and its screening
// found nearby groups (settled ones may be settled again).
func MayResolveConflict(v *viewer.Viewer, app *ent.Application) error {
	if err := MayReviewApplication(v, app); err != nil {
		return err
	}
	if len(app.Screening.Conflicts) == 0 {
		return apierror.Invalid("group", "that group is not among the application's conflicts")
	}
	return nil
}

// mayObject: the community's ambassadors among the application's
// reviewers, and its staff; never the applicant.
func mayObject(v *viewer.Viewer, app *ent.Application) bool {
	if !v.IsUser() || !v.HasScope(viewer.WriteApplications) || app.ApplicantID == v.UserID {
		return false
	}
	if v.IsStaff(app.CommunityID) {
		return true
	}
	for _, r := range v.Roles {
		if r.Kind == viewer.Ambassador && r.CommunityID == app.CommunityID {
			return ReviewsApplication(v, app)
		}
	}
	return false
}

// MayObjectToApplication: the community's ambassadors in scope and its
// staff, while it is open (its objection window included).
func MayObjectToApplication(v *viewer.Viewer, app *ent.Application) error {
	return mayObjectOrEndorse(v, app, false)
}

// MayEndorseApplication: as MayObjectToApplication, except funding
// requests, which the ambassadors of their scope endorse with endorseFunding.
func MayEndorseApplication(v *viewer.Viewer, app *ent.Application) error {
	return mayObjectOrEndorse(v, app, true)
}

func mayObjectOrEndorse(v *viewer.Viewer, app *ent.Application, endorse bool) error {
	if err := MayWrite(v); err != nil {
		return err
	}
	if !mayObject(v, app) {
		return apierror.Forbiddenf("only the community's ambassadors in scope may object to or endorse an application")
	}
	if endorse && app.Kind == application.KindFUNDING {
		return apierror.Invalid("id", "funding requests are endorsed with endorseFunding")
	}
	return StillOpen(app, decided)
}

// MayResolveObjection: the reviewers of app resolve obj, one of its
// objections nobody has resolved yet, while app is open.
func MayResolveObjection(v *viewer.Viewer, app *ent.Application, obj *ent.Review) error {
	if obj.Kind != review.KindOBJECTION {
		return apierror.Invalid("id", "that review entry is not an objection")
	}
	if obj.ResolvedAt != nil {
		return apierror.Conflictf("the objection is already resolved")
	}
	return MayReviewApplication(v, app)
}

// MayApproveApplication: its reviewers, while it is open and not waiting
// out its objection window; funding requests are decided with
// approveFunding, official status with the handover checklist. A new group
// must also have no blockers (policy.NewGroupBlockers), which the step
// checks on the state it reads.
func MayApproveApplication(v *viewer.Viewer, app *ent.Application) error {
	if err := MayReviewApplication(v, app); err != nil {
		return err
	}
	switch {
	case app.Kind == application.KindFUNDING:
		return apierror.Invalid("id", "funding requests are decided with approveFunding")
	case app.Status == application.StatusOBJECTION_WINDOW:
		deadline := ""
		if app.ObjectionDeadline != nil {
			deadline = app.ObjectionDeadline.UTC().Format(time.RFC3339)
		}
		return ApplicationConflict(app, fmt.Sprintf("the objection window is open until %s", deadline))
	case app.Kind == application.KindOFFICIAL_STATUS:
		return ApplicationConflict(app, "official status is granted by completing the handover checklist")
	}
	return nil
}

// MayRejectApplication: its reviewers, while it is open; funding requests
// only the community's staff (ambassadors endorse or object).
func MayRejectApplication(v *viewer.Viewer, app *ent.Application) error {
	if err := MayReviewApplication(v, app); err != nil {
		return err
	}
	if app.Kind == application.KindFUNDING && !v.IsStaff(app.CommunityID) {
		return apierror.Forbiddenf("only the community's staff decide on funding")
	}
	return nil
}

// MayWithdrawApplication: the applicant, while it is open.
func MayWithdrawApplication(v *viewer.Viewer, app *ent.Application) error {
	if err := MayWrite(v); err != nil {
		return err
	}
	if app.ApplicantID != v.UserID {
		return apierror.Forbiddenf("only the applicant may withdraw an application")
	}
	return StillOpen(app, decided)
}

// CanSeeApprovalBlockers: what stands between an open application and its
// approval is for its reviewers (read access is enough), not its applicant.
func CanSeeApprovalBlockers(v *viewer.Viewer, app *ent.Application) bool {
	return v.IsUser() && app.ApplicantID != v.UserID && IsOpen(app.Status) && ReviewsApplication(v, app)
}
