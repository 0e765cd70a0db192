package workflow

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/ent/submission"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// What groups and people send to the community (issue 19): feedback heard
// from attendees, for the developers, and items for the community
// newsletter. Regional activity reports are in activityreports.go.

// FeedbackInput is feedback for the developers, heard at a group or one
// of its events.
type FeedbackInput struct {
	Group       pulid.ID
	Event       *pulid.ID
	Title, Body string
	ProjectArea string
	Links       []schematype.Link
}

// NewsletterItemInput is an item proposed for a community's newsletter,
// about a group if Group is set.
type NewsletterItemInput struct {
	Community   pulid.ID
	Group       *pulid.ID
	Title, Body string
	Links       []schematype.Link
}

// Bounds of submissions' texts (the entity's own validators agree).
const (
	maxSubmissionTitle = 200
	maxSubmissionBody  = 50000
	maxProjectArea     = 100
	maxDeclineReason   = 2000
)

// submissionText checks a submission's title and body.
func submissionText(title, body string) (string, string, error) {
	title, err := checkText("title", title, maxSubmissionTitle)
	if err != nil {
		return "", "", err
	}
	body, err = checkText("body", body, maxSubmissionBody)
	return title, body, err
}

// submissionLinks checks the links backing a submission: at most ten https
// addresses with labels, as a profile's.
func submissionLinks(links []schematype.Link) ([]schematype.Link, error) {
	pl := make([]policy.ProfileLink, len(links))
	out := make([]schematype.Link, len(links))
	for i, l := range links {
		pl[i] = policy.ProfileLink{Label: l.Label, URL: strings.TrimSpace(l.URL)}
		out[i] = schematype.Link{Label: strings.TrimSpace(l.Label), URL: strings.TrimSpace(l.URL)}
	}
	return out, policy.CheckProfileLinks(pl)
}

// SendFeedback files feedback heard from attendees for the developers,
// from a group (and one of its events, if given): SUBMITTED, to be triaged
// by the community's staff and the ambassadors serving the group. Active
// members of the group (any active role in it), its ambassadors and staff
// may send it.
func (r *Runner) SendFeedback(ctx context.Context, in FeedbackInput) (*ent.Submission, error) {
	return act(ctx, r, "send feedback", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Submission, error) {
		if err := ref.Typed("group", in.Group, "grp", "a group"); err != nil {
			return nil, err
		}
		gid, err := ref.Group(ctx, c, "group", in.Group)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		g, err := loadGroup(all, c, gid)
		if err != nil {
			return nil, err
		}
		ok := authz.ServesGroup(v, g)
		if !ok {
			if ok, err = activeInGroup(ctx, c, g.ID, v.UserID); err != nil {
				return nil, err
			}
		}
		if !ok {
			return nil, apierror.Forbiddenf("only the group's active members, its ambassadors and the community's staff send feedback from it")
		}
		title, body, err := submissionText(in.Title, in.Body)
		if err != nil {
			return nil, err
		}
		links, err := submissionLinks(in.Links)
		if err != nil {
			return nil, err
		}
		area := strings.TrimSpace(in.ProjectArea)
		if utf8.RuneCountInString(area) > maxProjectArea {
			return nil, apierror.Invalid("projectArea", "projectArea must be at most %d characters", maxProjectArea)
		}
		sc := c.Submission.Create().SetCommunityID(g.CommunityID).SetAuthorID(v.UserID).SetGroupID(g.ID).
			SetKind(submission.KindATTENDEE_FEEDBACK).SetTitle(title).SetBody(body).SetLinks(links)
		if g.RegionID != "" {
			// Its region's ambassadors triage it (authz.SubmissionVisible).
			sc.SetRegionID(g.RegionID)
		}
		if area != "" {
			sc.SetProjectArea(area)
		}
		if in.Event != nil {
			if err := ref.Typed("event", *in.Event, "evt", "an event"); err != nil {
				return nil, err
			}
			// As the sender sees it: an event they cannot see is not found.
			e, err := c.Event.Query().Where(event.ID(*in.Event)).Only(ctx)
			if err != nil {
				return nil, missing(err, "event", "event")
			}
			if e.GroupID != g.ID {
				return nil, apierror.Invalid("event", "the event must be one of the group's")
			}
			sc.SetEventID(e.ID)
		}
		s, err := sc.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Submission.Get(ctx, s.ID)
	})
}

// ProposeNewsletterItem proposes an item for a community's newsletter,
// about one of its groups if given: SUBMITTED until staff accept it into
// an issue or decline it. Anyone signed in may propose.
func (r *Runner) ProposeNewsletterItem(ctx context.Context, in NewsletterItemInput) (*ent.Submission, error) {
	return act(ctx, r, "propose newsletter item", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Submission, error) {
		if err := ref.Typed("community", in.Community, "com", "a community"); err != nil {
			return nil, err
		}
		comID, err := ref.Community(ctx, c, "community", in.Community)
		if err != nil {
			return nil, err
		}
		title, body, err := submissionText(in.Title, in.Body)
		if err != nil {
			return nil, err
		}
		links, err := submissionLinks(in.Links)
		if err != nil {
			return nil, err
		}
		sc := c.Submission.Create().SetCommunityID(comID).SetAuthorID(v.UserID).
			SetKind(submission.KindNEWSLETTER_ITEM).SetTitle(title).SetBody(body).SetLinks(links)
		if in.Group != nil {
			if err := ref.Typed("group", *in.Group, "grp", "a group"); err != nil {
				return nil, err
			}
			gid, err := ref.Group(ctx, c, "group", *in.Group)
			if err != nil {
				return nil, err
			}
			g, err := loadGroup(authz.Unfiltered(ctx), c, gid)
			if err != nil {
				return nil, err
			}
			if g.CommunityID != comID {
				return nil, apierror.Invalid("group", "the group must be one of the community's")
			}
			sc.SetGroupID(g.ID)
		}
		s, err := sc.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Submission.Get(ctx, s.ID)
	})
}

// lockSubmission locks a submission's row and returns it as it is now, as
// v sees it (one v may not read is NOT_FOUND): two people triaging at
// once run one after the other, and the second sees the first's status.
func lockSubmission(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Submission, error) {
	if err := ref.Typed("id", id, "sub", "a submission"); err != nil {
		return nil, err
	}
	q := c.Submission.Query().Where(submission.ID(id))
	q.Modify(forUpdate)
	s, err := q.Only(ctx)
	return s, missing(err, "id", "submission")
}

// decide checks that v may move s to status to and that the rules allow
// the move from its status; the CONFLICT of a refused move names the
// status s is in.
func decide(ctx context.Context, c *ent.Client, v *viewer.Viewer, s *ent.Submission, to submission.Status) error {
	switch s.Kind {
	case submission.KindATTENDEE_FEEDBACK:
		if !authz.CanTriageFeedback(v, s) {
			return apierror.Forbiddenf("only the community's staff and the ambassadors serving the group triage its feedback (never its author)")
		}
	case submission.KindNEWSLETTER_ITEM:
		if !v.IsStaff(s.CommunityID) {
			return apierror.Forbiddenf("only the community's staff decide on newsletter items")
		}
	case submission.KindACTIVITY_REPORT:
		req, err := c.ActivityRequest.Get(authz.Unfiltered(ctx), s.RequestID)
		if err != nil {
			return err
		}
		if !authz.FollowsActivityRequest(v, req) {
			return apierror.Forbiddenf("only whoever asked for the reports, the region's ambassadors and staff acknowledge them")
		}
	}
	if err := policy.SubmissionTransition(string(s.Kind), string(s.Status), string(to)); err != nil {
		return statusConflict(s.Status, "%v", err)
	}
	return nil
}

// kindOf refuses a step on a submission of another kind, naming the id.
func kindOf(s *ent.Submission, doing string, kinds ...submission.Kind) error {
	for _, k := range kinds {
		if s.Kind == k {
			return nil
		}
	}
	return apierror.Invalid("id", "a %s submission cannot be %s", s.Kind, doing)
}

// moveSubmission is the shared body of the triage steps: lock, check the
// kind, who and the move, then set the status with who decided and when;
// also adds the step's own columns.
func moveSubmission(ctx context.Context, c *ent.Client, v *viewer.Viewer, id pulid.ID, to submission.Status, now time.Time,
	doing string, kinds []submission.Kind, also func(*ent.SubmissionUpdateOne)) (*ent.Submission, error) {
	s, err := lockSubmission(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if err := kindOf(s, doing, kinds...); err != nil {
		return nil, err
	}
	if err := decide(ctx, c, v, s, to); err != nil {
		return nil, err
	}
	u := c.Submission.UpdateOneID(s.ID).SetStatus(to).SetDecidedByID(v.UserID).SetDecidedAt(now)
	if also != nil {
		also(u)
	}
	if err := u.Exec(ctx); err != nil {
		return nil, err
	}
	return c.Submission.Get(ctx, s.ID)
}

// AcknowledgeSubmission marks feedback or an activity report as read and
// triaged: feedback by the community's staff and the ambassadors serving
// its group; an activity report by whoever asked for it, the region's
// ambassadors and staff.
func (r *Runner) AcknowledgeSubmission(ctx context.Context, id pulid.ID) (*ent.Submission, error) {
	return act(ctx, r, "acknowledge submission", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Submission, error) {
		return moveSubmission(ctx, c, v, id, submission.StatusACKNOWLEDGED, now, "acknowledged",
			[]submission.Kind{submission.KindATTENDEE_FEEDBACK, submission.KindACTIVITY_REPORT}, nil)
	})
}

// ForwardFeedback forwards feedback to the developers. Until outbound
// webhooks exist, forwarding is the export (FeedbackExport lists it with
// status FORWARDED): the step records when, and tells the community's
// staff — who hold the developers' contact — in one message.
func (r *Runner) ForwardFeedback(ctx context.Context, id pulid.ID) (*ent.Submission, error) {
	return act(ctx, r, "forward feedback", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Submission, error) {
		s, err := moveSubmission(ctx, c, v, id, submission.StatusFORWARDED, now, "forwarded",
			[]submission.Kind{submission.KindATTENDEE_FEEDBACK}, func(u *ent.SubmissionUpdateOne) { u.SetForwardedAt(now) })
		if err != nil {
			return nil, err
		}
		staff, err := c.Role.Query().Where(role.CommunityID(s.CommunityID), role.KindEQ(role.KindCOMMUNITY_MANAGER),
			role.StatusEQ(role.StatusACTIVE)).Order(ent.Asc(role.FieldUserID)).Select(role.FieldUserID).All(authz.Unfiltered(ctx))
		if err != nil || len(staff) == 0 {
			return s, err
		}
		var to []pulid.ID
		for _, ro := range staff {
			if !slices.Contains(to, ro.UserID) {
				to = append(to, ro.UserID)
			}
		}
		return s, queueLetter(ctx, c, s.CommunityID, letters.KindFeedbackForwarded,
			letters.FeedbackForwarded{Title: s.Title, ProjectArea: s.ProjectArea}, to, string(s.ID))
	})
}

// MarkFeedbackDelivered records that forwarded feedback reached the
// developers (who may triage: as for ForwardFeedback).
func (r *Runner) MarkFeedbackDelivered(ctx context.Context, id pulid.ID) (*ent.Submission, error) {
	return act(ctx, r, "mark feedback delivered", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Submission, error) {
		return moveSubmission(ctx, c, v, id, submission.StatusDELIVERED, now, "marked delivered",
			[]submission.Kind{submission.KindATTENDEE_FEEDBACK}, func(u *ent.SubmissionUpdateOne) { u.SetDeliveredAt(now) })
	})
}

// DeclineSubmission declines feedback (before it is forwarded) or a
// proposed newsletter item, with a reason its author is sent.
func (r *Runner) DeclineSubmission(ctx context.Context, id pulid.ID, reason string) (*ent.Submission, error) {
	return act(ctx, r, "decline submission", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Submission, error) {
		reason, err := checkText("reason", reason, maxDeclineReason)
		if err != nil {
			return nil, err
		}
		s, err := moveSubmission(ctx, c, v, id, submission.StatusDECLINED, now, "declined",
			[]submission.Kind{submission.KindATTENDEE_FEEDBACK, submission.KindNEWSLETTER_ITEM},
			func(u *ent.SubmissionUpdateOne) { u.SetDeclineReason(reason) })
		if err != nil {
			return nil, err
		}
		return s, queueMessage(ctx, c, s.CommunityID, s.AuthorID, letters.KindSubmissionDeclined, letters.SubmissionDeclined{
			Title: s.Title, Newsletter: s.Kind == submission.KindNEWSLETTER_ITEM, Reason: reason,
		}, string(s.ID))
	})
}

// AcceptNewsletterItem accepts a proposed newsletter item into an issue
// (a month, "2026-12") at a position (by default the end; the items from
// there on move down one, so positions stay 1, 2, 3… without gaps), and
// tells its author. Staff only. Accepting into one community's newsletter
// runs one at a time (the community's row is locked).
func (r *Runner) AcceptNewsletterItem(ctx context.Context, id pulid.ID, issue string, position *int) (*ent.Submission, error) {
	return act(ctx, r, "accept newsletter item", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Submission, error) {
		issue = strings.TrimSpace(issue)
		if err := policy.CheckNewsletterIssue(issue); err != nil {
			return nil, err
		}
		s, err := lockSubmission(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if err := kindOf(s, "accepted into a newsletter", submission.KindNEWSLETTER_ITEM); err != nil {
			return nil, err
		}
		if err := decide(ctx, c, v, s, submission.StatusACCEPTED); err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		// The issue's positions are counted and shifted under the
		// community's lock, so two acceptances never take one place.
		lq := c.Community.Query().Where(community.ID(s.CommunityID))
		lq.Modify(forUpdate)
		if _, err := lq.IDs(all); err != nil {
			return nil, err
		}
		inIssue := c.Submission.Query().Where(submission.CommunityID(s.CommunityID), submission.NewsletterIssue(issue),
			submission.NewsletterPositionNotNil())
		count, err := inIssue.Clone().Count(all)
		if err != nil {
			return nil, err
		}
		pos, err := policy.NewsletterPosition(position, count)
		if err != nil {
			return nil, err
		}
		if pos <= count {
			// Two moves, so that no row ever takes a place another still
			// holds (unique positions are checked row by row): first far
			// out of the way, then back to one below where they were.
			later := submission.And(submission.CommunityID(s.CommunityID), submission.NewsletterIssue(issue),
				submission.NewsletterPositionGTE(pos))
			const away = 1_000_000
			if err := c.Submission.Update().Where(later).AddNewsletterPosition(away).Exec(all); err != nil {
				return nil, err
			}
			if err := c.Submission.Update().Where(submission.CommunityID(s.CommunityID), submission.NewsletterIssue(issue),
				submission.NewsletterPositionGTE(away)).AddNewsletterPosition(1 - away).Exec(all); err != nil {
				return nil, err
			}
		}
		if err := c.Submission.UpdateOneID(s.ID).SetStatus(submission.StatusACCEPTED).SetDecidedByID(v.UserID).SetDecidedAt(now).
			SetNewsletterIssue(issue).SetNewsletterPosition(pos).Exec(ctx); err != nil {
			return nil, err
		}
		if err := queueMessage(ctx, c, s.CommunityID, s.AuthorID, letters.KindNewsletterItemAccepted, letters.NewsletterItemAccepted{
			Title: s.Title, Issue: issue, Position: pos,
		}, string(s.ID)); err != nil {
			return nil, err
		}
		return c.Submission.Get(ctx, s.ID)
	})
}

// Newsletter lists the items accepted into one issue of a community's
// newsletter, in their order. Public: accepted items are published
// (authz.SubmissionVisible), and nothing else of a submission is.
func Newsletter(ctx context.Context, c *ent.Client, communityRef pulid.ID, issue string) ([]*ent.Submission, error) {
	if err := policy.CheckNewsletterIssue(issue); err != nil {
		return nil, err
	}
	comID, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	return c.Submission.Query().Where(submission.CommunityID(comID), submission.KindEQ(submission.KindNEWSLETTER_ITEM),
		submission.StatusEQ(submission.StatusACCEPTED), submission.NewsletterIssue(issue)).
		Order(ent.Asc(submission.FieldNewsletterPosition)).Limit(policy.MaxNewsletterItems).All(ctx)
}

// FeedbackExport is the feedback of a community as a document for the
// developers.
type FeedbackExport struct {
	// Count is how many items the document holds.
	Count int
	// Document is the JSON text (see feedbackDocument).
	Document string
}

// feedbackDocument is the export's JSON: what developers need and no
// personal data of attendees; the author appears by public handle only.
type feedbackDocument struct {
	Community   exportRef      `json:"community"`
	Status      string         `json:"status,omitempty"`
	GeneratedAt time.Time      `json:"generatedAt"`
	Items       []feedbackItem `json:"items"`
}

type exportRef struct {
	ID   pulid.ID `json:"id"`
	Slug string   `json:"slug,omitempty"`
	Name string   `json:"name"`
}

type feedbackItem struct {
	ID          pulid.ID          `json:"id"`
	Status      string            `json:"status"`
	Title       string            `json:"title"`
	Body        string            `json:"body"`
	ProjectArea string            `json:"projectArea,omitempty"`
	Links       []schematype.Link `json:"links"`
	Group       *exportRef        `json:"group,omitempty"`
	Event       *exportEvent      `json:"event,omitempty"`
	Author      string            `json:"author"`
	SubmittedAt time.Time         `json:"submittedAt"`
	ForwardedAt *time.Time        `json:"forwardedAt,omitempty"`
	DeliveredAt *time.Time        `json:"deliveredAt,omitempty"`
}

type exportEvent struct {
	ID       pulid.ID  `json:"id"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"startsAt"`
}

// MaxFeedbackExport caps the items of one export (the newest are kept).
const MaxFeedbackExport = 1000

// ExportFeedback writes the feedback of a community for the developers
// (staff of the community; a token as its owner), with one status or, by
// default, every status but DECLINED; oldest first, at most
// MaxFeedbackExport items.
func ExportFeedback(ctx context.Context, c *ent.Client, communityRef pulid.ID, status *submission.Status, now time.Time) (*FeedbackExport, error) {
	v := viewer.FromContext(ctx)
	if !v.IsUser() && !v.IsSystem() {
		return nil, apierror.Unauthenticatedf("sign in first")
	}
	comID, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	if !v.IsStaff(comID) {
		return nil, apierror.Forbiddenf("only the community's staff export its feedback")
	}
	com, err := c.Community.Get(ctx, comID)
	if err != nil {
		return nil, err
	}
	q := c.Submission.Query().Where(submission.CommunityID(comID), submission.KindEQ(submission.KindATTENDEE_FEEDBACK))
	doc := feedbackDocument{Community: exportRef{ID: com.ID, Slug: com.Slug, Name: com.Name}, GeneratedAt: now, Items: []feedbackItem{}}
	if status != nil {
		q.Where(submission.StatusEQ(*status))
		doc.Status = string(*status)
	} else {
		q.Where(submission.StatusNEQ(submission.StatusDECLINED))
	}
	rows, err := q.WithGroup().WithEvent().WithAuthor().
		Order(ent.Desc(submission.FieldCreatedAt), ent.Desc(submission.FieldID)).Limit(MaxFeedbackExport).All(ctx)
	if err != nil {
		return nil, err
	}
	for i := len(rows) - 1; i >= 0; i-- {
		s := rows[i]
		it := feedbackItem{ID: s.ID, Status: string(s.Status), Title: s.Title, Body: s.Body, ProjectArea: s.ProjectArea,
			Links: s.Links, SubmittedAt: s.CreatedAt, ForwardedAt: s.ForwardedAt, DeliveredAt: s.DeliveredAt}
		if it.Links == nil {
			it.Links = []schematype.Link{}
		}
		if a := s.Edges.Author; a != nil {
			it.Author = a.Handle
		}
		if g := s.Edges.Group; g != nil {
			it.Group = &exportRef{ID: g.ID, Slug: g.Slug, Name: g.Name}
		}
		if e := s.Edges.Event; e != nil {
			it.Event = &exportEvent{ID: e.ID, Title: e.Title, StartsAt: e.StartsAt}
		}
		doc.Items = append(doc.Items, it)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return &FeedbackExport{Count: len(doc.Items), Document: string(b)}, nil
}
