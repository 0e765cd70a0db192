package graph

import (
	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// activityRequestLists are the lists ActivityRequest.groups and overdue
// are batched over: the activityRequests connection and the overdue list.
var activityRequestLists = list[ent.ActivityRequest, ent.ActivityRequestEdge, ent.ActivityRequestConnection]{
	edges: func(c *ent.ActivityRequestConnection) []*ent.ActivityRequestEdge { return c.Edges },
	node:  func(e *ent.ActivityRequestEdge) *ent.ActivityRequest { return e.Node },
	id:    func(a *ent.ActivityRequest) pulid.ID { return a.ID },
}

// activityRequestsIn lists the activity report requests of a resolved list
// value, nil for anything else.
func activityRequestsIn(v any) []pulid.ID { return activityRequestLists.ids(v) }

// requestGroups maps the rows of a request v may see.
func requestGroups(st *workflow.ActivityRequestState, v *viewer.Viewer) []*generated.ActivityRequestGroup {
	rows := st.Visible(v)
	out := make([]*generated.ActivityRequestGroup, len(rows))
	for i, r := range rows {
		out[i] = &generated.ActivityRequestGroup{Group: r.Group, Answer: r.Answer, Answered: r.Answered}
	}
	return out
}

// draft maps a prefilled activity report.
func draft(d *workflow.ActivityReportDraft, err error) (*generated.ActivityReportDraft, error) {
	if err != nil {
		return nil, err
	}
	return &generated.ActivityReportDraft{Request: d.Request, Group: d.Group, EventsCount: d.Figures.Events,
		AttendeesCount: d.Figures.Attendees, NewMembersCount: d.Figures.NewMembers}, nil
}

// feedbackExport maps the feedback export.
func feedbackExport(e *workflow.FeedbackExport, err error) (*generated.FeedbackExport, error) {
	if err != nil {
		return nil, err
	}
	return &generated.FeedbackExport{Count: e.Count, Document: e.Document}, nil
}
