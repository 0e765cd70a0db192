package workflow

import (
	"context"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/activityrequest"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/submission"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Regional activity reports (issue 19): an ambassador asks the groups of
// their region for a quick report on a period by a due date; each group's
// organizers answer once, with free text and figures prefilled from the
// data; the asker sees who answered, and overdue requests are listed.
//
// The groups asked are the region's running (ACTIVE or OFFICIAL) groups as
// they are now, plus any group that already answered: a group that starts
// running after the request is asked too, and an answer never vanishes
// from the list when its group later goes dormant.

// ActivityRequestInput is an ambassador's request for activity reports.
type ActivityRequestInput struct {
	Region                        pulid.ID
	Title, Message                string
	PeriodStart, PeriodEnd, DueAt time.Time
}

// ActivityAnswerInput is a group's answer to a request; nil figures take
// the prefilled values.
type ActivityAnswerInput struct {
	Request, Group                pulid.ID
	Body                          string
	Events, Attendees, NewMembers *int
}

// runningGroup matches the groups a request asks.
var runningGroup = group.StatusIn(group.StatusACTIVE, group.StatusOFFICIAL)

// RequestActivityReports asks the running groups of a region for a report
// on a period by a due date (the region's ambassadors, ambassadors of the
// whole community, and staff). Each group's organizers are sent one
// message.
func (r *Runner) RequestActivityReports(ctx context.Context, in ActivityRequestInput) (*ent.ActivityRequest, error) {
	return act(ctx, r, "request activity reports", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.ActivityRequest, error) {
		if err := ref.Typed("region", in.Region, "reg", "a region"); err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		rg, err := c.Region.Get(all, in.Region)
		if err != nil {
			return nil, missing(err, "region", "region")
		}
		if !authz.CanAskForActivityReports(v, rg) {
			return nil, apierror.Forbiddenf("only the region's ambassadors and the community's staff ask its groups for reports")
		}
		title, err := checkText("title", in.Title, maxSubmissionTitle)
		if err != nil {
			return nil, err
		}
		message := strings.TrimSpace(in.Message)
		if len([]rune(message)) > 5000 {
			return nil, apierror.Invalid("message", "message must be at most 5000 characters")
		}
		if err := policy.CheckActivityRequest(in.PeriodStart, in.PeriodEnd, in.DueAt, now); err != nil {
			return nil, err
		}
		ac := c.ActivityRequest.Create().SetCommunityID(rg.CommunityID).SetRegionID(rg.ID).SetRequestedByID(v.UserID).
			SetTitle(title).SetPeriodStart(in.PeriodStart).SetPeriodEnd(in.PeriodEnd).SetDueAt(in.DueAt)
		if message != "" {
			ac.SetMessage(message)
		}
		req, err := ac.Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := tellGroupsAsked(ctx, c, req, rg); err != nil {
			return nil, err
		}
		return c.ActivityRequest.Get(ctx, req.ID)
	})
}

// tellGroupsAsked sends the organizers of each running group of the region
// one message about the request (two queries, whatever the number of groups).
func tellGroupsAsked(ctx context.Context, c *ent.Client, req *ent.ActivityRequest, rg *ent.Region) error {
	all := authz.Unfiltered(ctx)
	groups, err := c.Group.Query().Where(group.RegionID(rg.ID), runningGroup).Order(ent.Asc(group.FieldName)).All(all)
	if err != nil || len(groups) == 0 {
		return err
	}
	ids := make([]pulid.ID, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	orgs, err := c.Role.Query().Where(role.GroupIDIn(ids...), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).
		Order(ent.Asc(role.FieldUserID)).All(all)
	if err != nil {
		return err
	}
	to := map[pulid.ID][]pulid.ID{}
	for _, o := range orgs {
		to[o.GroupID] = append(to[o.GroupID], o.UserID)
	}
	ns := make([]notice, 0, len(groups))
	for _, g := range groups {
		if len(to[g.ID]) == 0 {
			continue
		}
		ns = append(ns, notice{to: to[g.ID], together: true, dedupe: string(req.ID) + ":" + string(g.ID),
			data: letters.ActivityReportRequested{Region: rg.Name, Group: g.Name, Title: req.Title,
				PeriodStart: req.PeriodStart, PeriodEnd: req.PeriodEnd, DueAt: req.DueAt, Note: req.Message}})
	}
	n, err := notices(ctx, c, req.CommunityID)
	if err != nil {
		return err
	}
	return n.queue(ctx, c, letters.KindActivityReportRequested, ns...)
}

// ActivityFigures computes the figures of each of groups over [start,
// end): events held (COMPLETED or PUBLISHED events starting in the
// period), attendees (checked-in registrations of those events) and new
// members (MEMBER roles that began in the period, by their term start or,
// without one, their creation; join requests still pending do not count).
// Three queries, whatever the number of groups.
func ActivityFigures(ctx context.Context, c *ent.Client, groups []pulid.ID, start, end time.Time) (map[pulid.ID]policy.ActivityFigures, error) {
	all := authz.Unfiltered(ctx)
	out := make(map[pulid.ID]policy.ActivityFigures, len(groups))
	if len(groups) == 0 {
		return out, nil
	}
	events, err := c.Event.Query().Where(event.GroupIDIn(groups...), event.StatusIn(event.StatusCOMPLETED, event.StatusPUBLISHED),
		event.StartsAtGTE(start), event.StartsAtLT(end)).Select(event.FieldGroupID).All(all)
	if err != nil {
		return nil, err
	}
	groupOf := make(map[pulid.ID]pulid.ID, len(events))
	eventIDs := make([]pulid.ID, 0, len(events))
	for _, e := range events {
		f := out[e.GroupID]
		f.Events++
		out[e.GroupID] = f
		groupOf[e.ID] = e.GroupID
		eventIDs = append(eventIDs, e.ID)
	}
	var attended []struct {
		EventID pulid.ID `json:"event_id"`
		Count   int      `json:"count"`
	}
	if err := c.Registration.Query().Where(registration.EventIDIn(eventIDs...), registration.StatusEQ(registration.StatusATTENDED)).
		GroupBy(registration.FieldEventID).Aggregate(ent.Count()).Scan(all, &attended); err != nil {
		return nil, err
	}
	for _, a := range attended {
		f := out[groupOf[a.EventID]]
		f.Attendees += a.Count
		out[groupOf[a.EventID]] = f
	}
	var joined []struct {
		GroupID pulid.ID `json:"group_id"`
		Count   int      `json:"count"`
	}
	if err := c.Role.Query().Where(role.GroupIDIn(groups...), role.KindEQ(role.KindMEMBER), role.StatusNEQ(role.StatusPENDING),
		role.Or(
			role.And(role.TermStartNotNil(), role.TermStartGTE(start), role.TermStartLT(end)),
			role.And(role.TermStartIsNil(), role.CreatedAtGTE(start), role.CreatedAtLT(end)),
		)).GroupBy(role.FieldGroupID).Aggregate(ent.Count()).Scan(all, &joined); err != nil {
		return nil, err
	}
	for _, j := range joined {
		f := out[j.GroupID]
		f.NewMembers += j.Count
		out[j.GroupID] = f
	}
	return out, nil
}

// ActivityReportDraft is what a group would report for a request: the
// figures prefilled from the data for its period.
type ActivityReportDraft struct {
	Request *ent.ActivityRequest
	Group   *ent.Group
	Figures policy.ActivityFigures
}

// requestAndGroup loads a request as v sees it (NOT_FOUND otherwise) and
// one group of its region.
func requestAndGroup(ctx context.Context, c *ent.Client, requestID, groupRef pulid.ID) (*ent.ActivityRequest, *ent.Group, error) {
	if err := ref.Typed("request", requestID, "arq", "an activity report request"); err != nil {
		return nil, nil, err
	}
	if err := ref.Typed("group", groupRef, "grp", "a group"); err != nil {
		return nil, nil, err
	}
	req, err := c.ActivityRequest.Query().Where(activityrequest.ID(requestID)).Only(ctx)
	if err != nil {
		return nil, nil, missing(err, "request", "activity report request")
	}
	gid, err := ref.Group(ctx, c, "group", groupRef)
	if err != nil {
		return nil, nil, err
	}
	g, err := c.Group.Get(authz.Unfiltered(ctx), gid)
	if err != nil {
		return nil, nil, missing(err, "group", "group")
	}
	if g.RegionID != req.RegionID {
		return nil, nil, apierror.Invalid("group", "the group is not in the region the request asks")
	}
	return req, g, nil
}

// DraftActivityReport returns the prefilled figures of a group for a
// request: for the group's organizers and whoever follows the request
// (its asker, the region's ambassadors, staff).
func DraftActivityReport(ctx context.Context, c *ent.Client, requestID, groupRef pulid.ID) (*ActivityReportDraft, error) {
	req, g, err := requestAndGroup(ctx, c, requestID, groupRef)
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if !authz.FollowsActivityRequest(v, req) && !v.HasGroupRole(g.ID, viewer.Organizer) {
		return nil, apierror.Forbiddenf("only the group's organizers and whoever follows the request read its draft")
	}
	figures, err := ActivityFigures(ctx, c, []pulid.ID{g.ID}, req.PeriodStart, req.PeriodEnd)
	if err != nil {
		return nil, err
	}
	return &ActivityReportDraft{Request: req, Group: g, Figures: figures[g.ID]}, nil
}

// AnswerActivityRequest files a group's answer to a request (its
// organizers): an ACTIVITY_REPORT with the text and the figures, each left
// out taking the prefilled value. A group answers once; a second answer is
// a CONFLICT (the first stands). Late answers are taken.
func (r *Runner) AnswerActivityRequest(ctx context.Context, in ActivityAnswerInput) (*ent.Submission, error) {
	return act(ctx, r, "answer activity request", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Submission, error) {
		req, g, err := requestAndGroup(ctx, c, in.Request, in.Group)
		if err != nil {
			return nil, err
		}
		all := authz.Unfiltered(ctx)
		// Answers of one group run one after the other, so the second
		// finds the first (the unique index on request and group backs it).
		if err := lockGroup(all, c, g.ID); err != nil {
			return nil, err
		}
		if !v.HasGroupRole(g.ID, viewer.Organizer) {
			return nil, apierror.Forbiddenf("only the group's organizers answer for it")
		}
		if err := running(g); err != nil {
			return nil, err
		}
		if done, err := c.Submission.Query().Where(submission.RequestID(req.ID), submission.GroupID(g.ID)).Exist(all); err != nil {
			return nil, err
		} else if done {
			return nil, apierror.Conflictf("the group already answered this request")
		}
		body, err := checkText("body", in.Body, maxSubmissionBody)
		if err != nil {
			return nil, err
		}
		pre, err := ActivityFigures(ctx, c, []pulid.ID{g.ID}, req.PeriodStart, req.PeriodEnd)
		if err != nil {
			return nil, err
		}
		f, err := policy.FillFigures(in.Events, in.Attendees, in.NewMembers, pre[g.ID])
		if err != nil {
			return nil, err
		}
		s, err := c.Submission.Create().SetCommunityID(req.CommunityID).SetAuthorID(v.UserID).SetGroupID(g.ID).
			SetRegionID(req.RegionID).SetRequestID(req.ID).SetKind(submission.KindACTIVITY_REPORT).
			SetTitle(truncate(g.Name+": "+req.Title, maxSubmissionTitle)).SetBody(body).
			SetEventsCount(f.Events).SetAttendeesCount(f.Attendees).SetNewMembersCount(f.NewMembers).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Submission.Get(ctx, s.ID)
	})
}

// ActivityRequestGroup is one group's row of a request: the group, its
// answer as the viewer may read it, and whether it answered.
type ActivityRequestGroup struct {
	Group    *ent.Group
	Answer   *ent.Submission
	Answered bool
}

// ActivityRequestState is a request's groups (every row, whoever reads)
// and whether it is overdue.
type ActivityRequestState struct {
	Request *ent.ActivityRequest
	Rows    []*ActivityRequestGroup
	Overdue bool
}

// Visible is the rows v may see: all of them for whoever follows the
// request, the groups v organizes for everyone else.
func (s *ActivityRequestState) Visible(v *viewer.Viewer) []*ActivityRequestGroup {
	if s == nil {
		return []*ActivityRequestGroup{}
	}
	if authz.FollowsActivityRequest(v, s.Request) {
		return s.Rows
	}
	mine := []*ActivityRequestGroup{}
	for _, r := range s.Rows {
		if slices.Contains(v.OrganizerGroups(), r.Group.ID) {
			mine = append(mine, r)
		}
	}
	return mine
}

// ActivityRequestStates loads the groups and answers of requests, and
// whether each is overdue at now, in four queries whatever the number of
// requests and groups. Answers are read as the viewer may; whether a
// group answered is read unfiltered (it is no secret to whoever sees the
// row).
func ActivityRequestStates(ctx context.Context, c *ent.Client, ids []pulid.ID, now time.Time) (map[pulid.ID]*ActivityRequestState, error) {
	all := authz.Unfiltered(ctx)
	reqs, err := c.ActivityRequest.Query().Where(activityrequest.IDIn(ids...)).All(all)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID]*ActivityRequestState, len(reqs))
	if len(reqs) == 0 {
		return out, nil
	}
	regions := make([]pulid.ID, 0, len(reqs))
	for _, q := range reqs {
		regions = append(regions, q.RegionID)
	}
	answers, err := c.Submission.Query().Where(submission.RequestIDIn(ids...)).
		Select(submission.FieldRequestID, submission.FieldGroupID).All(all)
	if err != nil {
		return nil, err
	}
	answered := map[[2]pulid.ID]pulid.ID{}
	var answeredGroups, answerIDs []pulid.ID
	for _, a := range answers {
		answered[[2]pulid.ID{a.RequestID, a.GroupID}] = a.ID
		answeredGroups = append(answeredGroups, a.GroupID)
		answerIDs = append(answerIDs, a.ID)
	}
	groups, err := c.Group.Query().Where(group.RegionIDIn(regions...), group.Or(runningGroup, group.IDIn(answeredGroups...))).
		Order(ent.Asc(group.FieldName), ent.Asc(group.FieldID)).All(all)
	if err != nil {
		return nil, err
	}
	seen := map[pulid.ID]*ent.Submission{}
	if len(answerIDs) > 0 {
		readable, err := c.Submission.Query().Where(submission.IDIn(answerIDs...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range readable {
			seen[s.ID] = s
		}
	}
	for _, q := range reqs {
		st := &ActivityRequestState{Request: q, Rows: []*ActivityRequestGroup{}}
		unanswered := 0
		for _, g := range groups {
			if g.RegionID != q.RegionID {
				continue
			}
			aid, ok := answered[[2]pulid.ID{q.ID, g.ID}]
			if !ok && g.Status != group.StatusACTIVE && g.Status != group.StatusOFFICIAL {
				continue // it answered another request, not this one
			}
			if !ok {
				unanswered++
			}
			st.Rows = append(st.Rows, &ActivityRequestGroup{Group: g, Answer: seen[aid], Answered: ok})
		}
		st.Overdue = policy.ActivityOverdue(q.DueAt, now, unanswered)
		out[q.ID] = st
	}
	return out, nil
}

// unansweredGroup matches requests that some running group of their
// region has not answered.
func unansweredGroup(s *sql.Selector) {
	g, sub := sql.Table(group.Table).As("ug"), sql.Table(submission.Table).As("ua")
	s.Where(sql.Exists(sql.Select(g.C(group.FieldID)).From(g).Where(sql.And(
		sql.ColumnsEQ(g.C(group.FieldRegionID), s.C(activityrequest.FieldRegionID)),
		sql.In(g.C(group.FieldStatus), string(group.StatusACTIVE), string(group.StatusOFFICIAL)),
		sql.NotExists(sql.Select(sub.C(submission.FieldID)).From(sub).Where(sql.And(
			sql.ColumnsEQ(sub.C(submission.FieldRequestID), s.C(activityrequest.FieldID)),
			sql.ColumnsEQ(sub.C(submission.FieldGroupID), g.C(group.FieldID)),
		))),
	))))
}

// MaxOverdueRequests caps the overdue list.
const MaxOverdueRequests = 100

// OverdueActivityRequests lists a community's requests past their due date
// that some running group of the region has not answered, soonest due
// first: those the viewer follows (asked, as the region's or community's
// ambassador, or as staff). Others get an empty list.
func OverdueActivityRequests(ctx context.Context, c *ent.Client, communityRef pulid.ID, now time.Time) ([]*ent.ActivityRequest, error) {
	comID, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	q := c.ActivityRequest.Query().Where(activityrequest.CommunityID(comID), activityrequest.DueAtLT(now), unansweredGroup)
	if !v.IsStaff(comID) && !slices.Contains(v.AmbassadorCommunities(), comID) {
		if !v.IsUser() {
			return []*ent.ActivityRequest{}, nil
		}
		q.Where(activityrequest.Or(activityrequest.RequestedByID(v.UserID), activityrequest.RegionIDIn(v.AmbassadorRegions()...)))
	}
	return q.Order(ent.Asc(activityrequest.FieldDueAt), ent.Asc(activityrequest.FieldID)).Limit(MaxOverdueRequests).All(ctx)
}
