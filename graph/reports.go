package graph

import (
	"context"

	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/ratelimit"
	"github.com/usergroups/usergroups/internal/workflow"
)

// reportFiling maps fileReport's input, with the client's network address
// (the key of the anonymous reporters' daily cap).
func reportFiling(ctx context.Context, in generated.FileReportInput) workflow.ReportFiling {
	addr, _ := ratelimit.AddressFromContext(ctx)
	return workflow.ReportFiling{Community: in.Community, Kind: in.Kind, Description: in.Description, OccurredAt: in.OccurredAt,
		SubjectUser: in.SubjectUser, Group: in.Group, Event: in.Event, Address: addr}
}

// filedPayload is fileReport's payload for a filed report (nil when refused).
func filedPayload(f *workflow.FiledReport) *generated.FileReportPayload {
	if f == nil {
		return &generated.FileReportPayload{}
	}
	p := &generated.FileReportPayload{FollowUpCode: f.FollowUpCode}
	if f.FollowUpCode == nil {
		p.Report = f.Report
	}
	return p
}

// repliedPayload is replyToReport's payload (nil when refused).
func repliedPayload(out *workflow.ReportReplied) *generated.ReplyToReportPayload {
	if out == nil {
		return &generated.ReplyToReportPayload{}
	}
	return &generated.ReplyToReportPayload{Report: out.Report, FollowUp: out.FollowUp}
}

// exportedPayload is exportReport's payload (nil when refused).
func exportedPayload(out *workflow.ExportedReport) *generated.ExportReportPayload {
	if out == nil {
		return &generated.ExportReportPayload{}
	}
	return &generated.ExportReportPayload{Report: out.Report, Document: &out.Document}
}
