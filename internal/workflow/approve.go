package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Approve decides for an application. A new-group request must have no
// blockers (unresolved conflicts, missing mentor or supporters, open
// objections); where the community's policy has an objection window it
// first enters OBJECTION_WINDOW until the deadline, and FinishObjectionWindows
// approves it then. Without a window the decision takes effect at once.
func (r *Runner) Approve(ctx context.Context, id pulid.ID) (*ent.Application, error) {
	return act(ctx, r, "approve application", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Application, error) {
		app, err := loadFor(ctx, c, v, id, authz.MayApproveApplication)
		if err != nil {
			return nil, err
		}
		// Decide on the row as it is under lock: an objection filed at the same
		// moment either commits first and blocks this approval, or waits and
		// finds the application decided.
		locked, err := lockApplication(authz.Unfiltered(ctx), c, id)
		if err != nil {
			return nil, err
		}
		app.Status, app.ObjectionDeadline = locked.Status, locked.ObjectionDeadline
		if err := authz.MayApproveApplication(v, app); err != nil {
			return nil, err
		}
		p := app.Edges.Community.Policy
		if app.Kind == application.KindNEW_GROUP {
			st, err := approvalState(ctx, c, app)
			if err != nil {
				return nil, err
			}
			if blockers := policy.NewGroupBlockers(p, st); len(blockers) > 0 {
				return nil, blocked(app, blockers)
			}
			if p.ObjectionWindowHours > 0 {
				if _, err := transition(ctx, c, app, application.StatusOBJECTION_WINDOW, v.UserID,
					fmt.Sprintf("Approved pending objections; ambassadors have %d hours to object.", p.ObjectionWindowHours)); err != nil {
					return nil, err
				}
				deadline := now.Add(time.Duration(p.ObjectionWindowHours) * time.Hour)
				if err := c.Application.UpdateOneID(id).SetObjectionDeadline(deadline).Exec(ctx); err != nil {
					return nil, err
				}
				return c.Application.Get(ctx, id)
			}
		}
		if err := finalize(ctx, c, app, v.UserID, now); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// blocked is the CONFLICT for an approval the policy does not allow yet.
func blocked(app *ent.Application, bs []policy.Blocker) error {
	codes := make([]string, len(bs))
	msg := "cannot approve yet:"
	for i, b := range bs {
		codes[i] = b.Code
		msg += " " + b.Message + ";"
	}
	e := apierror.Conflictf("%s", msg[:len(msg)-1])
	e.Extensions = map[string]any{"status": string(app.Status), "blockers": codes}
	return e
}

// finalize makes an approval take effect, all in the caller's transaction:
// APPROVED, and for a new group: the group ACTIVE with its mentor, the
// applicant its ORGANIZER where the policy lets them be (otherwise staff
// appoint one), a message to the applicant saying which. actor is empty when
// the scheduler approves after the objection window.
func finalize(ctx context.Context, c *ent.Client, app *ent.Application, actor pulid.ID, now time.Time) error {
	if _, err := transition(ctx, c, app, application.StatusAPPROVED, actor, ""); err != nil {
		return err
	}
	// The community, the group and the people the approval touches are read
	// whoever approves (the scheduler, after the objection window).
	all := authz.Unfiltered(ctx)
	upd := c.Application.UpdateOneID(app.ID).SetDecidedAt(now)
	if actor != "" {
		upd.SetDecidedByID(actor)
	}
	if err := upd.Exec(ctx); err != nil {
		return err
	}
	com, err := c.Community.Get(all, app.CommunityID)
	if err != nil {
		return err
	}
	switch app.Kind {
	case application.KindNEW_GROUP:
		gu := c.Group.Update().Where(group.ID(app.GroupID), group.StatusEQ(group.StatusPROPOSED)).SetStatus(group.StatusACTIVE)
		if app.MentorID != "" {
			gu.SetMentorID(app.MentorID)
		}
		n, err := gu.Save(ctx)
		if err != nil {
			return err
		}
		if n != 1 {
			return apierror.Conflictf("the proposed group is no longer waiting for approval")
		}
		organizes, err := applicantOrganizes(ctx, c, com, app.ApplicantID)
		if err != nil {
			return err
		}
		if organizes {
			if err := grant(ctx, c, app.ApplicantID, role.KindORGANIZER, com, app.GroupID, "", now); err != nil {
				return err
			}
		}
		g, err := c.Group.Get(all, app.GroupID)
		if err != nil {
			return err
		}
		return queueMessage(ctx, c, com.ID, app.ApplicantID, letters.KindApplicationApproved, letters.ApplicationApproved{
			Community: com.Name, Group: g.Name, Organizer: organizes, Mentoring: com.Policy.OfficialStatusEnabled,
		}, "decision:"+string(app.ID))
	case application.KindMEMBERSHIP:
		return grant(ctx, c, app.ApplicantID, role.KindMEMBER, com, app.GroupID, "", now)
	case application.KindORGANIZER:
		return grant(ctx, c, app.ApplicantID, role.KindORGANIZER, com, app.GroupID, "", now)
	case application.KindAMBASSADOR:
		scopeGroup, scopeRegion := pulid.ID(""), app.RegionID
		if com.Policy.AmbassadorScope == policy.AmbassadorsPerGroup {
			scopeGroup, scopeRegion = app.GroupID, ""
		}
		if err := grant(ctx, c, app.ApplicantID, role.KindAMBASSADOR, com, scopeGroup, scopeRegion, now); err != nil {
			return err
		}
		if app.GroupID != "" {
			// The group the application names is the new ambassador's home
			// group, so the directory places them at once (ambassadors(near:)).
			if err := c.Role.Update().Where(role.UserID(app.ApplicantID), role.KindEQ(role.KindAMBASSADOR),
				role.StatusEQ(role.StatusACTIVE), role.CommunityID(com.ID), role.HomeGroupIDIsNil()).
				SetHomeGroupID(app.GroupID).Exec(ctx); err != nil {
				return err
			}
		}
		if err := queueMessage(ctx, c, com.ID, app.ApplicantID, letters.KindAmbassadorWelcome,
			letters.AmbassadorWelcome{Community: com.Name}, "decision:"+string(app.ID)); err != nil {
			return err
		}
		if com.AmbassadorsListEmail == "" {
			return nil
		}
		// Introduce the newcomer to their peers: the seed's manual "add to
		// the mailing list and say hello" step, queued in the same transaction.
		person, err := c.User.Get(all, app.ApplicantID)
		if err != nil {
			return err
		}
		where := ""
		if scopeRegion != "" {
			if r, err := c.Region.Get(all, scopeRegion); err == nil {
				where = r.Name
			}
		} else if g, err := c.Group.Get(all, scopeGroup); err == nil {
			where = g.Name
		}
		return queueToList(ctx, c, com.ID, com.AmbassadorsListEmail, letters.KindAmbassadorIntroduction,
			letters.AmbassadorIntroduction{Community: com.Name, Person: person.Name, Where: where}, string(app.ID))
	}
	return nil
}

// applicantOrganizes applies the community's rule for who becomes a new
// group's first organizer to its applicant.
func applicantOrganizes(ctx context.Context, c *ent.Client, com *ent.Community, applicant pulid.ID) (bool, error) {
	fromPartner := false
	if com.Policy.LeadersRequirePartner {
		var err error
		if fromPartner, err = worksForPartner(ctx, c, applicant, com.ID); err != nil {
			return false, err
		}
	}
	return policy.ApplicantOrganizes(com.Policy, fromPartner), nil
}

// grant gives a person an ACTIVE role, within the policy's caps, starting
// now as the first term.
func grant(ctx context.Context, c *ent.Client, userID pulid.ID, kind role.Kind, com *ent.Community, groupID, regionID pulid.ID, now time.Time) error {
	return grantTerm(ctx, c, userID, kind, com, groupID, regionID, now, 1)
}

// grantTerm gives a person an ACTIVE role for term number term beginning at
// now, within the policy's caps; where the policy has terms, leader roles
// end after its term length.
func grantTerm(ctx context.Context, c *ent.Client, userID pulid.ID, kind role.Kind, com *ent.Community, groupID, regionID pulid.ID, now time.Time, term int) error {
	p := com.Policy
	limit := 0
	q := c.Role.Query().Where(role.KindEQ(kind), role.StatusEQ(role.StatusACTIVE), role.CommunityID(com.ID))
	switch {
	case kind == role.KindORGANIZER:
		limit = p.MaxOrganizersPerGroup
		q.Where(role.GroupID(groupID))
	case kind == role.KindAMBASSADOR && groupID != "":
		limit = p.MaxAmbassadorsPerScope
		q.Where(role.GroupID(groupID))
	case kind == role.KindAMBASSADOR && regionID != "":
		limit = p.MaxAmbassadorsPerScope
		q.Where(role.RegionID(regionID))
	}
	if limit > 0 {
		// Lock the scope's row first, so concurrent grants for one group
		// or region count one after the other and a cap of one organizer
		// holds under concurrency. The cap counts every role, seen or not.
		all := authz.Unfiltered(ctx)
		var err error
		if groupID != "" {
			err = lockGroup(all, c, groupID)
		} else if regionID != "" {
			err = lockRegion(all, c, regionID)
		}
		if err != nil {
			return err
		}
		n, err := q.Count(all)
		if err != nil {
			return err
		}
		if n >= limit {
			return apierror.Conflictf("the community allows at most %d %s roles here", limit, kind)
		}
	}
	rc := c.Role.Create().SetUserID(userID).SetKind(kind).SetCommunityID(com.ID).SetTermStart(now).SetTermNumber(term)
	if groupID != "" {
		rc.SetGroupID(groupID)
	}
	if regionID != "" {
		rc.SetRegionID(regionID)
	}
	if p.TermLengthDays > 0 && kind != role.KindMEMBER {
		rc.SetTermEnd(now.AddDate(0, 0, p.TermLengthDays))
	}
	ro, err := rc.Save(ctx)
	if ent.IsConstraintError(err) {
		return apierror.Conflictf("the person already holds this role")
	}
	if err != nil || kind != role.KindMEMBER {
		return err
	}
	return joined(ctx, c, ro, com, now)
}

// Object records an ambassador's objection; it blocks approval until a
// reviewer resolves it. Endorse records support. Both need an open application.
func (r *Runner) Object(ctx context.Context, id pulid.ID, reason string, endorse bool) (*ent.Application, error) {
	name := "object to application"
	if endorse {
		name = "endorse application"
	}
	return act(ctx, r, name, func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		may := authz.MayObjectToApplication
		if endorse {
			// Only the ambassadors of a funding request's region or group endorse it.
			may = authz.MayEndorseApplication
		}
		if _, err := loadFor(ctx, c, v, id, may); err != nil {
			return nil, err
		}
		// The application is locked while the objection is filed, so an
		// approval deciding at the same moment (a reviewer's, or the end of the
		// objection window) sees it or has already decided.
		app, err := lockApplication(authz.Unfiltered(ctx), c, id)
		if err != nil {
			return nil, err
		}
		if err := may(v, app); err != nil {
			return nil, err
		}
		if reason, err = checkText("reason", reason, 5000); err != nil {
			return nil, err
		}
		kind := review.KindOBJECTION
		if endorse {
			kind = review.KindENDORSEMENT
		}
		if err := c.Review.Create().SetApplicationID(id).SetAuthorID(v.UserID).SetKind(kind).SetBody(reason).Exec(ctx); err != nil {
			return nil, err
		}
		if err := announce(ctx, c, app); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// ResolvedObjection is what resolving an objection leaves: the objection,
// now resolved, and its application as it is now.
type ResolvedObjection struct {
	Objection   *ent.Review
	Application *ent.Application
}

// ResolveObjection closes the open objection id (a review entry of kind
// OBJECTION) with a reviewer's note.
func (r *Runner) ResolveObjection(ctx context.Context, id pulid.ID, note string) (ResolvedObjection, error) {
	return act(ctx, r, "resolve objection", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (ResolvedObjection, error) {
		obj, err := c.Review.Get(ctx, id)
		if err != nil {
			return ResolvedObjection{}, notFound(err, "objection")
		}
		app, err := loadFor(ctx, c, v, obj.ApplicationID, func(v *viewer.Viewer, app *ent.Application) error {
			return authz.MayResolveObjection(v, app, obj)
		})
		if err != nil {
			return ResolvedObjection{}, err
		}
		if note, err = checkText("note", note, 5000); err != nil {
			return ResolvedObjection{}, err
		}
		n, err := c.Review.Update().Where(review.ID(id), review.ResolvedAtIsNil()).
			SetResolvedAt(now).SetResolvedByID(v.UserID).Save(ctx)
		if err != nil {
			return ResolvedObjection{}, err
		}
		if n == 0 {
			return ResolvedObjection{}, apierror.Conflictf("the objection is already resolved")
		}
		if err := c.Review.Create().SetApplicationID(obj.ApplicationID).SetAuthorID(v.UserID).SetKind(review.KindCOMMENT).
			SetBody("Objection resolved: " + note).Exec(ctx); err != nil {
			return ResolvedObjection{}, err
		}
		if err := announce(ctx, c, app); err != nil {
			return ResolvedObjection{}, err
		}
		var out ResolvedObjection
		if out.Objection, err = c.Review.Get(ctx, id); err != nil {
			return ResolvedObjection{}, err
		}
		out.Application, err = c.Application.Get(ctx, obj.ApplicationID)
		return out, err
	})
}

// FinishObjectionWindows approves, each in its own transaction, the
// applications whose objection window ended by now with no open objection.
// Several replicas may run it at once: the conditional status change lets
// exactly one of them approve each application. The conditions are checked
// again inside each transaction on the locked row, so an objection filed
// after the list was read blocks the approval. It returns how many it approved.
func FinishObjectionWindows(ctx context.Context, r *Runner) (int, error) {
	sys := viewer.SystemContext(ctx)
	due, err := r.client.Application.Query().Where(
		application.StatusEQ(application.StatusOBJECTION_WINDOW),
		application.ObjectionDeadlineLTE(r.now()),
		application.Not(application.HasReviewsWith(review.KindEQ(review.KindOBJECTION), review.ResolvedAtIsNil())),
	).IDs(sys)
	if err != nil {
		return 0, &JobError{Job: JobObjectionWindow, Err: err}
	}
	return job{name: JobObjectionWindow, record: backToReview, step: func(ctx context.Context, c *ent.Client, id pulid.ID, now time.Time) error {
		app, err := lockApplication(ctx, c, id)
		if err != nil || app.Status != application.StatusOBJECTION_WINDOW {
			return orSkip(err) // decided meanwhile, by another replica
		}
		if app.ObjectionDeadline == nil || app.ObjectionDeadline.After(now) {
			return errSkip
		}
		objected, err := c.Review.Query().Where(review.ApplicationID(id), review.KindEQ(review.KindOBJECTION), review.ResolvedAtIsNil()).Exist(ctx)
		if err != nil || objected {
			return orSkip(err) // objected to since the list was read
		}
		return finalize(ctx, c, app, "", now)
	}}.run(sys, r, due)
}
