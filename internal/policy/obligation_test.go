package policy

import (
	"testing"
	"time"
)

func TestObligationDue(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		days int
		due  time.Time
		ok   bool
	}{
		{365, time.Date(2027, 3, 1, 9, 30, 0, 0, time.UTC), true},
		{30, time.Date(2026, 3, 31, 9, 30, 0, 0, time.UTC), true},
		{0, time.Time{}, false},
		{-1, time.Time{}, false},
	} {
		due, ok := ObligationDue(Policy{ObligationWindowDays: tc.days}, start)
		if ok != tc.ok || !due.Equal(tc.due) {
			t.Errorf("%d days: %v %v, want %v %v", tc.days, due, ok, tc.due, tc.ok)
		}
	}
	if _, ok := ObligationDue(OpenStack(), start); ok {
		t.Error("OpenStack has no yearly obligation")
	}
	if due, ok := ObligationDue(OpenEuler(), start); !ok || !due.Equal(start.AddDate(1, 0, 0)) {
		t.Errorf("openEuler's window ends %v %v, a year on", due, ok)
	}
}

func TestObligationWarning(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	due := start.AddDate(0, 0, 365)
	days := func(n int) time.Time { return due.AddDate(0, 0, -n) }
	for _, tc := range []struct {
		name       string
		start, now time.Time
		want       int
	}{
		{"just joined", start, start, 0},
		{"31 days before", start, days(31), 0},
		{"30 days before", start, days(30), 30},
		{"8 days before", start, days(8), 30},
		{"7 days before", start, days(7), 7},
		{"an hour before", start, due.Add(-time.Hour), 7},
		{"at the due date", start, due, 0},
		{"past the due date", start, due.Add(time.Hour), 0},
		{"a 20-day window skips the 30-day warning", days(20), days(10), 0},
		{"a 20-day window still warns at 7", days(20), days(7), 7},
		{"a 5-day window warns at neither", days(5), days(1), 0},
	} {
		if got := ObligationWarning(tc.start, due, tc.now); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestObligationAtDue(t *testing.T) {
	year, none := Policy{ObligationWindowDays: 365}, Policy{}
	for _, tc := range []struct {
		name string
		p    Policy
		st   ObligationState
		want ObligationOutcome
	}{
		{"met", year, ObligationState{Met: true}, ObligationRenew},
		{"met with more pending", year, ObligationState{Met: true, Pending: true}, ObligationRenew},
		{"organizer who contributed nothing", year, ObligationState{Leads: true}, ObligationRenew},
		{"pending only", year, ObligationState{Pending: true}, ObligationHold},
		{"nothing", year, ObligationState{}, ObligationLapse},
		{"policy dropped the rule", none, ObligationState{}, ObligationClear},
		{"policy dropped the rule, met", none, ObligationState{Met: true}, ObligationClear},
		{"policy dropped the rule, pending", none, ObligationState{Pending: true}, ObligationClear},
	} {
		if got := ObligationAtDue(tc.p, tc.st); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestNextObligationWindow(t *testing.T) {
	due := time.Date(2027, 3, 1, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		days      int
		start, to time.Time
		ok        bool
	}{
		{365, due, due.AddDate(0, 0, 365), true},
		{180, due, due.AddDate(0, 0, 180), true}, // shortened meanwhile: from this window on
		{0, time.Time{}, time.Time{}, false},
	} {
		start, to, ok := NextObligationWindow(Policy{ObligationWindowDays: tc.days}, due)
		if ok != tc.ok || !start.Equal(tc.start) || !to.Equal(tc.to) {
			t.Errorf("%d days: [%v, %v) %v, want [%v, %v) %v", tc.days, start, to, ok, tc.start, tc.to, tc.ok)
		}
	}
}

func TestInObligationWindow(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	due := start.AddDate(1, 0, 0)
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{start.Add(-time.Second), false},
		{start, true},
		{due.Add(-time.Second), true},
		{due, false},
	} {
		if got := InObligationWindow(start, due, tc.at); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.at, got, tc.want)
		}
	}
}
