package policy

import (
	"errors"
	"testing"
	"time"
)

func TestSubmissionTransition(t *testing.T) {
	for _, tc := range []struct {
		kind, from, to string
		ok             bool
	}{
		{SubmissionFeedback, SubmissionSubmitted, SubmissionAcknowledged, true},
		{SubmissionFeedback, SubmissionSubmitted, SubmissionForwarded, true},
		{SubmissionFeedback, SubmissionAcknowledged, SubmissionForwarded, true},
		{SubmissionFeedback, SubmissionForwarded, SubmissionDelivered, true},
		{SubmissionFeedback, SubmissionSubmitted, SubmissionDeclined, true},
		{SubmissionFeedback, SubmissionAcknowledged, SubmissionDeclined, true},
		{SubmissionFeedback, SubmissionSubmitted, SubmissionDelivered, false}, // forward first
		{SubmissionFeedback, SubmissionAcknowledged, SubmissionAcknowledged, false},
		{SubmissionFeedback, SubmissionForwarded, SubmissionDeclined, false}, // the developers have it
		{SubmissionFeedback, SubmissionDelivered, SubmissionForwarded, false},
		{SubmissionFeedback, SubmissionDeclined, SubmissionAcknowledged, false},
		{SubmissionFeedback, SubmissionSubmitted, SubmissionAccepted, false},
		{SubmissionNewsletter, SubmissionSubmitted, SubmissionAccepted, true},
		{SubmissionNewsletter, SubmissionSubmitted, SubmissionDeclined, true},
		{SubmissionNewsletter, SubmissionAccepted, SubmissionDeclined, false},
		{SubmissionNewsletter, SubmissionDeclined, SubmissionAccepted, false},
		{SubmissionNewsletter, SubmissionSubmitted, SubmissionForwarded, false},
		{SubmissionNewsletter, SubmissionSubmitted, SubmissionAcknowledged, false},
		{SubmissionActivity, SubmissionSubmitted, SubmissionAcknowledged, true},
		{SubmissionActivity, SubmissionSubmitted, SubmissionDeclined, false},
		{SubmissionActivity, SubmissionAcknowledged, SubmissionAcknowledged, false},
		{"OTHER", SubmissionSubmitted, SubmissionAcknowledged, false},
	} {
		err := SubmissionTransition(tc.kind, tc.from, tc.to)
		var te *TransitionError
		if (err == nil) != tc.ok || (err != nil && (!errors.As(err, &te) || te.From != tc.from || te.To != tc.to)) {
			t.Errorf("%s %s → %s: %v, want ok=%v", tc.kind, tc.from, tc.to, err, tc.ok)
		}
	}
}

func TestCheckNewsletterIssue(t *testing.T) {
	for s, ok := range map[string]bool{
		"2026-12": true, "2026-01": true, "2000-06": true,
		"2026-13": false, "2026-00": false, "2026-1": false, "26-12": false, "2026/12": false,
		"": false, "1999-12": false, " 2026-12": false, "2026-12-01": false,
	} {
		err := CheckNewsletterIssue(s)
		var fe *FieldError
		if (err == nil) != ok || (err != nil && (!errors.As(err, &fe) || fe.Field != "issue")) {
			t.Errorf("%q: %v, want ok=%v", s, err, ok)
		}
	}
}

func TestNewsletterPosition(t *testing.T) {
	p := func(n int) *int { return &n }
	for _, tc := range []struct {
		requested *int
		count     int
		want      int
		field     string
	}{
		{nil, 0, 1, ""},
		{nil, 3, 4, ""},
		{p(1), 3, 1, ""},
		{p(4), 3, 4, ""},
		{p(5), 3, 0, "position"},
		{p(0), 3, 0, "position"},
		{p(-1), 0, 0, "position"},
		{nil, MaxNewsletterItems, 0, "issue"},
	} {
		got, err := NewsletterPosition(tc.requested, tc.count)
		var fe *FieldError
		switch {
		case tc.field == "" && (err != nil || got != tc.want):
			t.Errorf("%v of %d: %d %v, want %d", tc.requested, tc.count, got, err, tc.want)
		case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
			t.Errorf("%v of %d: %v, want a refusal on %s", tc.requested, tc.count, err, tc.field)
		}
	}
}

func TestCheckActivityRequest(t *testing.T) {
	now := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	q3 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name            string
		start, end, due time.Time
		field           string
	}{
		{"a past quarter, due in two weeks", q3, q3.AddDate(0, 3, 0), now.AddDate(0, 0, 14), ""},
		{"the running quarter", q3.AddDate(0, 3, 0), q3.AddDate(0, 6, 0), now.AddDate(0, 0, 14), ""},
		{"an empty period", q3, q3, now.AddDate(0, 0, 14), "periodEnd"},
		{"a period backwards", q3.AddDate(0, 3, 0), q3, now.AddDate(0, 0, 14), "periodEnd"},
		{"two years", q3.AddDate(-2, 0, 0), q3, now.AddDate(0, 0, 14), "periodEnd"},
		{"a future period", now.AddDate(0, 1, 0), now.AddDate(0, 2, 0), now.AddDate(0, 3, 0), "periodStart"},
		{"due already", q3, q3.AddDate(0, 3, 0), now, "dueAt"},
	} {
		err := CheckActivityRequest(tc.start, tc.end, tc.due, now)
		var fe *FieldError
		if (tc.field == "") != (err == nil) || (err != nil && (!errors.As(err, &fe) || fe.Field != tc.field)) {
			t.Errorf("%s: %v, want refusal on %q", tc.name, err, tc.field)
		}
	}
}

func TestFillFigures(t *testing.T) {
	p := func(n int) *int { return &n }
	pre := ActivityFigures{Events: 3, Attendees: 40, NewMembers: 5}
	if got, err := FillFigures(nil, nil, nil, pre); err != nil || got != pre {
		t.Errorf("nothing given: %+v %v", got, err)
	}
	if got, err := FillFigures(p(4), nil, p(0), pre); err != nil || got != (ActivityFigures{Events: 4, Attendees: 40, NewMembers: 0}) {
		t.Errorf("some given: %+v %v", got, err)
	}
	var fe *FieldError
	if _, err := FillFigures(nil, p(-1), nil, pre); !errors.As(err, &fe) || fe.Field != "attendeesCount" {
		t.Errorf("negative attendees: %v", err)
	}
}

func TestActivityOverdue(t *testing.T) {
	due := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now        time.Time
		unanswered int
		want       bool
	}{
		{due.Add(-time.Hour), 2, false},
		{due, 2, false},
		{due.Add(time.Second), 2, true},
		{due.Add(time.Second), 0, false},
	} {
		if got := ActivityOverdue(due, tc.now, tc.unanswered); got != tc.want {
			t.Errorf("at %v with %d unanswered: %v, want %v", tc.now, tc.unanswered, got, tc.want)
		}
	}
}
