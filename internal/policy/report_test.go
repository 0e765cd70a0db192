package policy

import (
	"testing"
	"time"
)

func TestNextReportStatus(t *testing.T) {
	cases := []struct {
		from   string
		action ReportAction
		want   string // "" = refused
	}{
		{ReportReceived, TriageReport, ReportInvestigating},
		{ReportInvestigating, TriageReport, ""},
		{ReportActionTaken, TriageReport, ""},
		{ReportReceived, CloseWithAction, ReportActionTaken},
		{ReportReceived, CloseWithoutAction, ReportNoAction},
		{ReportInvestigating, CloseWithAction, ReportActionTaken},
		{ReportInvestigating, CloseWithoutAction, ReportNoAction},
		{ReportActionTaken, CloseWithoutAction, ""},
		{ReportNoAction, CloseWithAction, ""},
		{ReportReceived, ReportAction("reopen"), ""},
	}
	for _, c := range cases {
		got, err := NextReportStatus(c.from, c.action)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("NextReportStatus(%s, %s) = %q, %v; want %q", c.from, c.action, got, err, c.want)
		}
	}
}

func TestReportRespondByAndOverdue(t *testing.T) {
	filed := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if ReportRespondBy(filed, 0) != nil {
		t.Error("a target of 0 sets a deadline")
	}
	by := ReportRespondBy(filed, 72)
	if by == nil || !by.Equal(filed.Add(72*time.Hour)) {
		t.Fatalf("respond by = %v", by)
	}
	if ReportOverdue(ReportReceived, by, nil, by.Add(-time.Second)) || ReportOverdue(ReportReceived, by, nil, *by) {
		t.Error("overdue before or at the deadline")
	}
	if !ReportOverdue(ReportReceived, by, nil, by.Add(time.Second)) {
		t.Error("not overdue after the deadline")
	}
	responded := filed.Add(time.Hour)
	if ReportOverdue(ReportReceived, by, &responded, by.Add(time.Hour)) || ReportOverdue(ReportInvestigating, by, nil, by.Add(time.Hour)) ||
		ReportOverdue(ReportReceived, nil, nil, by.Add(time.Hour)) {
		t.Error("overdue after a response, once taken up, or without a target")
	}
}

func TestWithinDailyCap(t *testing.T) {
	if WithinDailyCap(0, 0) || !WithinDailyCap(2, 3) || WithinDailyCap(3, 3) {
		t.Error("daily cap")
	}
}
