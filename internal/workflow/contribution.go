package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ContributionRecord is what a member records of their own contribution.
type ContributionRecord struct {
	GroupID    pulid.ID
	Kind       contribution.Kind
	Title      string
	URL        string
	Details    string
	OccurredOn time.Time
}

// RecordContribution records one of the viewer's own contributions,
// credited to a group they are an active member of, as PENDING until an
// organizer or ambassador of the group checks it. Participation and
// referrals are recorded automatically (check-ins, redeemed invites) and
// cannot be claimed by hand.
func (r *Runner) RecordContribution(ctx context.Context, in ContributionRecord) (*ent.Contribution, error) {
	return act(ctx, r, "record contribution", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Contribution, error) {
		g, err := loadGroup(ctx, c, in.GroupID)
		if err != nil {
			return nil, err
		}
		member, err := activeInGroup(ctx, c, g.ID, v.UserID)
		if err != nil {
			return nil, err
		}
		if !member {
			return nil, apierror.Forbiddenf("only active members of the group record contributions credited to it")
		}
		claim := policy.ContributionClaim{Kind: string(in.Kind), Title: in.Title, URL: in.URL, OccurredOn: in.OccurredOn}
		if err := policy.CheckContribution(claim, now); err != nil {
			return nil, err
		}
		details := strings.TrimSpace(in.Details)
		if len([]rune(details)) > 2000 {
			return nil, apierror.Invalid("details", "details must be at most 2000 characters")
		}
		cc := c.Contribution.Create().SetCommunityID(g.CommunityID).SetUserID(v.UserID).SetGroupID(g.ID).
			SetKind(in.Kind).SetTitle(strings.TrimSpace(in.Title)).SetOccurredOn(in.OccurredOn).SetDetails(details)
		if u := strings.TrimSpace(in.URL); u != "" {
			cc.SetURL(u)
		}
		ct, err := cc.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Contribution.Get(ctx, ct.ID)
	})
}

// VerifyContribution accepts a PENDING contribution: it now meets the
// member's obligation and earns the points its kind is worth under the
// community's policy at this moment. Organizers and ambassadors of the
// group credited, or the community's staff; never one's own.
func (r *Runner) VerifyContribution(ctx context.Context, id pulid.ID) (*ent.Contribution, error) {
	return act(ctx, r, "verify contribution", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Contribution, error) {
		ct, err := pendingForReview(ctx, c, v, id, "verify")
		if err != nil {
			return nil, err
		}
		com, err := c.Community.Get(authz.Unfiltered(ctx), ct.CommunityID)
		if err != nil {
			return nil, err
		}
		if err := c.Contribution.UpdateOneID(ct.ID).SetStatus(contribution.StatusVERIFIED).SetVerifiedAt(now).
			SetVerifiedByID(v.UserID).SetPoints(com.Policy.PointsFor(string(ct.Kind))).Exec(ctx); err != nil {
			return nil, err
		}
		return c.Contribution.Get(ctx, ct.ID)
	})
}

// DeclineContribution turns down a PENDING contribution with a reason the
// member is sent: it counts for nothing. Who may is as for
// VerifyContribution.
func (r *Runner) DeclineContribution(ctx context.Context, id pulid.ID, reason string) (*ent.Contribution, error) {
	return act(ctx, r, "decline contribution", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Contribution, error) {
		ct, err := pendingForReview(ctx, c, v, id, "decline")
		if err != nil {
			return nil, err
		}
		if reason, err = checkText("reason", reason, policy.MaxDeclineReason); err != nil {
			return nil, err
		}
		if err := c.Contribution.UpdateOneID(ct.ID).SetStatus(contribution.StatusDECLINED).SetDeclinedAt(now).
			SetDeclinedByID(v.UserID).SetDeclineReason(reason).Exec(ctx); err != nil {
			return nil, err
		}
		if err := queueMessage(ctx, c, ct.CommunityID, ct.UserID, letters.KindContributionDeclined,
			letters.ContributionDeclined{Title: ct.Title, Reason: reason}, string(ct.ID)); err != nil {
			return nil, err
		}
		return c.Contribution.Get(ctx, ct.ID)
	})
}

// pendingForReview locks a contribution and checks that v may decide it
// and that it still waits for a decision.
func pendingForReview(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID, doing string) (*ent.Contribution, error) {
	// Locked and read whole: two reviewers deciding at once run one after
	// the other, and the second sees the first's decision.
	q := c.Contribution.Query().Where(contribution.ID(id))
	q.Modify(forUpdate)
	ct, err := q.Only(ctx)
	if err != nil {
		return nil, notFound(err, "contribution")
	}
	if ct.UserID == v.UserID {
		return nil, apierror.Forbiddenf("you may not %s your own contribution", doing)
	}
	if !authz.CanReviewContribution(v, ct) {
		return nil, apierror.Forbiddenf("only the organizers and ambassadors of the group credited, or the community's staff, may %s a contribution", doing)
	}
	if ct.Status != contribution.StatusPENDING {
		return nil, statusConflict(ct.Status, "the contribution was already decided (status %s)", ct.Status)
	}
	return ct, nil
}

// recordAutomatic records a VERIFIED contribution the system saw happen,
// once for its source key: a step repeated or retried records nothing
// more (checked under the step's transaction, after the step's own write
// that serialises it; the unique source_key column backs the check). It runs inside the step that saw it, so the ledger and the event
// behind it commit together.
func recordAutomatic(ctx context.Context, c *ent.Client, com *ent.Community, cc *ent.ContributionCreate, kind contribution.Kind, sourceKey string, now time.Time) error {
	all := authz.Unfiltered(ctx)
	seen, err := c.Contribution.Query().Where(contribution.SourceKey(sourceKey)).Exist(all)
	if err != nil || seen {
		return err
	}
	return cc.SetCommunityID(com.ID).SetKind(kind).SetStatus(contribution.StatusVERIFIED).SetAutomatic(true).
		SetSourceKey(sourceKey).SetVerifiedAt(now).SetPoints(com.Policy.PointsFor(string(kind))).Exec(ctx)
}

// participated records the attendee's PARTICIPATION, credited to the
// event's group, once per registration: checking someone in again (a
// NO_SHOW corrected, a retried request) records nothing more.
func participated(ctx context.Context, c *ent.Client, e *ent.Event, reg *ent.Registration, now time.Time) error {
	com, err := c.Community.Get(authz.Unfiltered(ctx), e.CommunityID)
	if err != nil {
		return err
	}
	cc := c.Contribution.Create().SetUserID(reg.UserID).SetGroupID(e.GroupID).SetEventID(e.ID).
		SetTitle(e.Title).SetOccurredOn(e.StartsAt)
	return recordAutomatic(ctx, c, com, cc, contribution.KindPARTICIPATION, "checkin:"+string(reg.ID), now)
}

// referred records a REFERRAL for the person who made the invite just
// redeemed, credited to its group, once per membership it brought; people
// redeeming their own invite referred nobody.
func referred(ctx context.Context, c *ent.Client, inv *ent.Invite, ro *ent.Role, now time.Time) error {
	if inv.CreatedByID == ro.UserID {
		return nil
	}
	g := inv.Edges.Group
	cc := c.Contribution.Create().SetUserID(inv.CreatedByID).SetGroupID(g.ID).
		SetTitle(truncate("Brought a new member to "+g.Name, policy.MaxContributionTitle)).SetOccurredOn(now)
	return recordAutomatic(ctx, c, g.Edges.Community, cc, contribution.KindREFERRAL, "invite:"+string(ro.ID), now)
}
