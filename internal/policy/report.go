package policy

import (
	"fmt"
	"time"
)

// The triage statuses of a report, as the Report entity stores them.
const (
	ReportReceived      = "RECEIVED"
	ReportInvestigating = "INVESTIGATING"
	ReportActionTaken   = "ACTION_TAKEN"
	ReportNoAction      = "NO_ACTION"
)

// ReportAction is a triage step staff take on a report.
type ReportAction string

// The triage steps: take a report up, or close it with an outcome.
const (
	TriageReport       ReportAction = "triage"
	CloseWithAction    ReportAction = "close with action"
	CloseWithoutAction ReportAction = "close without action"
)

// NextReportStatus is the status a report in status from moves to on
// action, or an error saying why the step does not apply: a report is taken
// up once (RECEIVED → INVESTIGATING), and closed once, from either open
// status (staff may close a report straight away, e.g. obvious spam); a
// closed report is final.
func NextReportStatus(from string, action ReportAction) (string, error) {
	open := from == ReportReceived || from == ReportInvestigating
	switch {
	case action == TriageReport && from == ReportReceived:
		return ReportInvestigating, nil
	case action == TriageReport && from == ReportInvestigating:
		return "", fmt.Errorf("the report is already being investigated")
	case action == CloseWithAction && open:
		return ReportActionTaken, nil
	case action == CloseWithoutAction && open:
		return ReportNoAction, nil
	case action != TriageReport && action != CloseWithAction && action != CloseWithoutAction:
		return "", fmt.Errorf("unknown step %q", action)
	}
	return "", fmt.Errorf("the report is closed (status %s)", from)
}

// ReportOpen tells whether a report in status is still being handled:
// replies are taken only then.
func ReportOpen(status string) bool {
	return status == ReportReceived || status == ReportInvestigating
}

// ReportRespondBy is when staff should have responded to a report filed at
// filed under a response target of hours; nil when the target is 0 (none).
func ReportRespondBy(filed time.Time, hours int) *time.Time {
	if hours <= 0 {
		return nil
	}
	t := filed.Add(time.Duration(hours) * time.Hour)
	return &t
}

// ReportOverdue tells whether a report is overdue at now: still RECEIVED,
// nobody from staff has responded, and its response target has passed.
func ReportOverdue(status string, respondBy, respondedAt *time.Time, now time.Time) bool {
	return status == ReportReceived && respondedAt == nil && respondBy != nil && respondBy.Before(now)
}

// WithinDailyCap tells whether one more of something fits a daily cap
// when sent already happened in the last 24 hours; a cap of 0 turns the
// thing off.
func WithinDailyCap(sent, cap int) bool { return cap > 0 && sent < cap }
