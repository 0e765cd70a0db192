package workflow

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Funding for special activities: a group's organizer asks for an amount
// in a currency, an ambassador in scope endorses, staff approve (two
// different staff members above the policy's threshold), the organizers
// report after the activity and staff close it. Amounts are exact: minor
// units in the database, decimal strings at the edge (policy.ParseAmount).

// FundingRequest is what an organizer asks for.
type FundingRequest struct {
	// GroupID is the group asking (an id or "community/group").
	GroupID pulid.ID
	// EventID is the event the money pays for, if any.
	EventID *pulid.ID
	// Amount is an exact decimal in Currency ("1200.50").
	Amount string
	// Currency is an ISO 4217 code.
	Currency string
	// Purpose says what the money is for.
	Purpose string
	// BudgetLines break the amount down; when given they add up to it.
	BudgetLines []*BudgetLineInput
}

// BudgetLineInput is one line of a requested budget, its amount an exact
// decimal in the request's currency.
type BudgetLineInput struct {
	Label  string
	Amount string
}

// maxBudgetLines bounds a budget's lines.
const maxBudgetLines = 50

// RequestFunding files a FUNDING application for a running group, by one
// of its organizers: SUBMITTED in the group's community and region.
func (r *Runner) RequestFunding(ctx context.Context, in FundingRequest) (*ent.Application, error) {
	return act(ctx, r, "request funding", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		gid, err := ref.Group(ctx, c, "group", in.GroupID)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		g, err := c.Group.Get(all, gid)
		if err != nil {
			return nil, notFound(err, "group")
		}
		if !v.HasGroupRole(g.ID, viewer.Organizer) {
			return nil, apierror.Forbiddenf("only the group's organizers may request funding for it")
		}
		if g.Status != group.StatusACTIVE && g.Status != group.StatusOFFICIAL {
			return nil, statusConflict(g.Status, "a %s group cannot request funding", strings.ToLower(string(g.Status)))
		}
		m, err := policy.ParseMoney("currency", "amount", in.Currency, in.Amount)
		if err != nil {
			return nil, err
		}
		if m.Minor <= 0 {
			return nil, apierror.Invalid("amount", "amount must be more than 0")
		}
		purpose, err := checkText("purpose", in.Purpose, 2000)
		if err != nil {
			return nil, err
		}
		lines, err := budgetLines(m, in.BudgetLines)
		if err != nil {
			return nil, err
		}
		answers := schematype.ApplicationAnswers{AmountCents: m.Minor, Currency: m.Currency, Purpose: purpose, BudgetLines: lines}
		if in.EventID != nil {
			ev, err := fundedEvent(all, c, *in.EventID, g.ID)
			if err != nil {
				return nil, err
			}
			answers.EventID = string(ev.ID)
		}
		ac := c.Application.Create().SetCommunityID(g.CommunityID).SetApplicantID(v.UserID).SetGroupID(g.ID).
			SetKind(application.KindFUNDING).SetAnswers(answers)
		if g.RegionID != "" {
			ac.SetRegionID(g.RegionID)
		}
		app, err := ac.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, app.ID)
	})
}

// budgetLines checks a budget against the requested amount: labelled
// lines, exact amounts in its currency that add up to it.
func budgetLines(m policy.Money, in []*BudgetLineInput) ([]schematype.BudgetLine, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > maxBudgetLines {
		return nil, apierror.Invalid("budgetLines", "a budget has at most %d lines", maxBudgetLines)
	}
	out := make([]schematype.BudgetLine, 0, len(in))
	var sum int64
	for _, l := range in {
		if l == nil {
			continue
		}
		label, err := checkText("budgetLines", l.Label, 200)
		if err != nil {
			return nil, err
		}
		n, err := policy.ParseAmount("budgetLines", m.Currency, l.Amount)
		if err != nil {
			return nil, err
		}
		if n > m.Minor-sum { // compared before adding: no overflow
			return nil, apierror.Invalid("budgetLines", "the budget lines add up to more than the amount asked for (%s %s)", m.Amount(), m.Currency)
		}
		sum += n
		out = append(out, schematype.BudgetLine{Label: label, AmountMinor: n})
	}
	if sum != m.Minor {
		return nil, apierror.Invalid("budgetLines", "the budget lines add up to %s %s, not the amount asked for (%s %s)",
			policy.FormatAmount(m.Currency, sum), m.Currency, m.Amount(), m.Currency)
	}
	return out, nil
}

// fundedEvent is the event a request pays for: one of the group's, not cancelled.
func fundedEvent(ctx context.Context, c *ent.Client, id, groupID pulid.ID) (*ent.Event, error) {
	if id.Prefix() != "evt" {
		return nil, apierror.Invalid("event", "event must be an event's id")
	}
	ev, err := c.Event.Query().Where(event.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierror.Invalid("event", "there is no such event")
	}
	if err != nil {
		return nil, err
	}
	if ev.GroupID != groupID {
		return nil, apierror.Invalid("event", "the event belongs to another group")
	}
	if ev.Status == event.StatusCANCELLED {
		return nil, apierror.Invalid("event", "the event is cancelled")
	}
	return ev, nil
}

// loadFunding reads a funding application the viewer can see, and locks it:
// endorsements, approvals and reports on one request run one at a time.
func loadFunding(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Application, error) {
	if id.Prefix() != "app" {
		return nil, apierror.Invalid("id", "id must be a funding request's id")
	}
	app, err := loadApplication(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if app.Kind != application.KindFUNDING {
		return nil, apierror.Invalid("id", "that application is not a funding request")
	}
	locked, err := lockApplication(authz.Unfiltered(ctx), c, id)
	if err != nil {
		return nil, err
	}
	app.Status, app.FundingReport, app.ClosedAt = locked.Status, locked.FundingReport, locked.ClosedAt
	return app, nil
}

// endorsesFunding: the ambassadors of the request's scope under the
// community's policy — its group's region (REGION) or the group (GROUP).
func endorsesFunding(v *viewer.Viewer, app *ent.Application) bool {
	if app.Edges.Community.Policy.AmbassadorScope == policy.AmbassadorsPerGroup {
		return app.GroupID != "" && slices.Contains(v.AmbassadorGroups(), app.GroupID)
	}
	return app.RegionID != "" && slices.Contains(v.AmbassadorRegions(), app.RegionID)
}

// EndorseFunding records an ambassador's endorsement of a funding request
// in their scope (ENDORSEMENT in its timeline); the requester cannot
// endorse their own, and one person endorses once.
func (r *Runner) EndorseFunding(ctx context.Context, id pulid.ID, comment string) (*ent.Application, error) {
	return act(ctx, r, "endorse funding", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Application, error) {
		app, err := loadFunding(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if app.ApplicantID == v.UserID {
			return nil, apierror.Forbiddenf("you cannot endorse your own funding request")
		}
		if !endorsesFunding(v, app) {
			return nil, apierror.Forbiddenf("only an ambassador of the group's region or group may endorse its funding request")
		}
		if err := stillOpen(app, decided); err != nil {
			return nil, err
		}
		again, err := c.Review.Query().Where(review.ApplicationID(id), review.KindEQ(review.KindENDORSEMENT), review.AuthorID(v.UserID)).
			Exist(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		if again {
			return nil, stateConflict(app, "you already endorsed this request")
		}
		if err := addFundingReview(ctx, c, id, v.UserID, review.KindENDORSEMENT, comment); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// fundingApprovers lists the staff members who approved a request so far.
func fundingApprovers(ctx context.Context, c *ent.Client, id pulid.ID) ([]string, error) {
	return c.Review.Query().Where(review.ApplicationID(id), review.KindEQ(review.KindAPPROVAL)).
		Select(review.FieldAuthorID).Strings(authz.Unfiltered(ctx))
}

// fundingMoney is a request's amount.
func fundingMoney(app *ent.Application) policy.Money {
	return policy.Money{Currency: app.Answers.Currency, Minor: app.Answers.AmountCents}
}

// ApproveFunding records a staff member's APPROVAL of a funding request of
// their community. Where the policy's threshold for its currency is
// exceeded two different staff members must approve (four eyes): the first
// leaves it IN_REVIEW awaiting the second, the second approves it. The
// requester never approves, staff or not. An ambassador in scope must have
// endorsed it first, and open objections block it, as for new groups.
func (r *Runner) ApproveFunding(ctx context.Context, id pulid.ID, comment string) (*ent.Application, error) {
	return act(ctx, r, "approve funding", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Application, error) {
		app, err := loadFunding(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if !v.IsStaff(app.CommunityID) {
			return nil, apierror.Forbiddenf("only the community's staff decide on funding")
		}
		if app.ApplicantID == v.UserID {
			return nil, apierror.Forbiddenf("%v", policy.ErrOwnFunding)
		}
		if err := stillOpen(app, decided); err != nil {
			return nil, err
		}
		st, err := fundingState(ctx, c, app)
		if err != nil {
			return nil, err
		}
		if bs := policy.FundingBlockers(st); len(bs) > 0 {
			return nil, blocked(app, bs)
		}
		prior, err := fundingApprovers(ctx, c, id)
		if err != nil {
			return nil, err
		}
		m := fundingMoney(app)
		decides, err := policy.FundingApproval(policy.FundingApprovalsRequired(app.Edges.Community.Policy, m), string(app.ApplicantID), string(v.UserID), prior)
		if err != nil {
			return nil, stateConflict(app, err.Error())
		}
		if err := addFundingReview(ctx, c, id, v.UserID, review.KindAPPROVAL, comment); err != nil {
			return nil, err
		}
		if !decides {
			if app.Status == application.StatusSUBMITTED {
				_, err = transition(ctx, c, app, application.StatusIN_REVIEW, v.UserID, "First approval; awaiting a second staff member's approval.")
			} else {
				err = announce(ctx, c, app)
			}
			if err != nil {
				return nil, err
			}
			return c.Application.Get(ctx, id)
		}
		if _, err := transition(ctx, c, app, application.StatusAPPROVED, v.UserID, ""); err != nil {
			return nil, err
		}
		if err := c.Application.UpdateOneID(id).SetDecidedByID(v.UserID).SetDecidedAt(now).Exec(ctx); err != nil {
			return nil, err
		}
		com := app.Edges.Community
		if err := queueMessage(ctx, c, com.ID, app.ApplicantID, letters.KindFundingApproved, letters.FundingApproved{
			Community: com.Name, Amount: m.Amount(), Currency: m.Currency, Purpose: app.Answers.Purpose}, "decision:"+string(id)); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// ReportFunding files (or, until it is closed, replaces) the report on an
// approved funding request: how the activity went and the receipts' total
// in the request's currency. The group's organizers file it; the staff
// member who decided is told.
func (r *Runner) ReportFunding(ctx context.Context, id pulid.ID, text, receiptsTotal string) (*ent.Application, error) {
	return act(ctx, r, "report funding", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Application, error) {
		app, err := loadFunding(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if !v.HasGroupRole(app.GroupID, viewer.Organizer) {
			return nil, apierror.Forbiddenf("only the group's organizers report on its funding")
		}
		if app.Status != application.StatusAPPROVED {
			return nil, stateConflict(app, "only approved funding is reported on")
		}
		if app.ClosedAt != nil {
			return nil, stateConflict(app, "the funding is closed")
		}
		if text, err = checkText("text", text, 10000); err != nil {
			return nil, err
		}
		total, err := policy.ParseAmount("receiptsTotal", app.Answers.Currency, receiptsTotal)
		if err != nil {
			return nil, err
		}
		rep := schematype.FundingReport{Text: text, ReceiptsTotalMinor: total, Currency: app.Answers.Currency, FiledByID: string(v.UserID), FiledAt: now.UTC()}
		if err := c.Application.UpdateOneID(id).SetFundingReport(rep).Exec(ctx); err != nil {
			return nil, err
		}
		if app.DecidedByID != "" {
			com := app.Edges.Community
			if err := queueMessage(ctx, c, com.ID, app.DecidedByID, letters.KindFundingReported, letters.FundingReported{
				Community: com.Name, Group: app.Edges.Group.Name, Amount: fundingMoney(app).Amount(), Currency: app.Answers.Currency,
				ReceiptsTotal: policy.FormatAmount(rep.Currency, total), Report: text,
			}, string(id)+":"+now.UTC().Format(time.RFC3339Nano)); err != nil {
				return nil, err
			}
		}
		return c.Application.Get(ctx, id)
	})
}

// CloseFunding marks approved funding closed once its report is filed (the
// community's staff); the requester is told.
func (r *Runner) CloseFunding(ctx context.Context, id pulid.ID) (*ent.Application, error) {
	return act(ctx, r, "close funding", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Application, error) {
		app, err := loadFunding(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if !v.IsStaff(app.CommunityID) {
			return nil, apierror.Forbiddenf("only the community's staff close funding")
		}
		switch {
		case app.Status != application.StatusAPPROVED:
			return nil, stateConflict(app, "only approved funding is closed")
		case app.ClosedAt != nil:
			return nil, stateConflict(app, "the funding is already closed")
		case app.FundingReport.FiledByID == "":
			return nil, stateConflict(app, "the organizers have not reported on the activity yet")
		}
		if err := c.Application.UpdateOneID(id).SetClosedAt(now).SetClosedByID(v.UserID).Exec(ctx); err != nil {
			return nil, err
		}
		com := app.Edges.Community
		if err := queueMessage(ctx, c, com.ID, app.ApplicantID, letters.KindFundingClosed,
			letters.FundingClosed{Community: com.Name, Purpose: app.Answers.Purpose}, "close:"+string(id)); err != nil {
			return nil, err
		}
		return c.Application.Get(ctx, id)
	})
}

// addFundingReview records an endorsement or approval on a funding request's
// timeline, with the reviewer's comment when one is given.
func addFundingReview(ctx context.Context, c *ent.Client, id, author pulid.ID, kind review.Kind, comment string) error {
	rc := c.Review.Create().SetApplicationID(id).SetAuthorID(author).SetKind(kind)
	if s := strings.TrimSpace(comment); s != "" {
		s, err := checkText("comment", s, 5000)
		if err != nil {
			return err
		}
		rc.SetBody(s)
	}
	return rc.Exec(ctx)
}
