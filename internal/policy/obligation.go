package policy

import "time"

// ObligationWarningDays are how many days before the end of an obligation
// window a member who has not met it yet is warned, earliest first.
var ObligationWarningDays = []int{30, 7}

// ObligationDue is the end of the obligation window that begins at start
// under p: start plus ObligationWindowDays days. ok is false where p has no
// yearly obligation (0 days), so nobody's membership ever lapses.
func ObligationDue(p Policy, start time.Time) (due time.Time, ok bool) {
	if p.ObligationWindowDays <= 0 {
		return time.Time{}, false
	}
	return start.AddDate(0, 0, p.ObligationWindowDays), true
}

// ObligationWarning is the warning due at now for the window [start, due):
// the nearest threshold of ObligationWarningDays that now has reached, so a
// member found a week before the end gets the 7-day warning only. It is 0
// before the first threshold, from the due date on, and for a threshold
// that falls before the window began (a window shorter than a month).
func ObligationWarning(start, due, now time.Time) int {
	if !now.Before(due) {
		return 0
	}
	warn := 0
	for _, d := range ObligationWarningDays {
		at := due.AddDate(0, 0, -d)
		if at.Before(start) || now.Before(at) {
			continue
		}
		if warn == 0 || d < warn {
			warn = d
		}
	}
	return warn
}

// ObligationOutcome is what becomes of a membership whose obligation window
// has ended.
type ObligationOutcome string

// Obligation outcomes.
const (
	// ObligationRenew starts the next window: the member met the obligation.
	ObligationRenew ObligationOutcome = "RENEW"
	// ObligationHold waits: a contribution made in the window is still
	// waiting to be verified, and its decision settles the membership.
	ObligationHold ObligationOutcome = "HOLD"
	// ObligationLapse ends the membership (LAPSED): nothing was contributed.
	ObligationLapse ObligationOutcome = "LAPSED"
	// ObligationClear drops the obligation: the community no longer has one.
	ObligationClear ObligationOutcome = "CLEAR"
)

// ObligationState is what the end of a window is decided on.
type ObligationState struct {
	// Met: a verified contribution of the member, credited to the group,
	// occurred inside the window.
	Met bool
	// Pending: a contribution of the member credited to the group, occurred
	// inside the window, still waits for verification.
	Pending bool
	// Leads: the member also organizes the group; running it is their
	// contribution, so their membership does not lapse.
	Leads bool
}

// ObligationAtDue decides a membership whose window ended, under the
// community's policy as it is now. A policy without obligations clears the
// obligation (nobody lapses); otherwise a member who met it or leads the
// group renews, one whose contribution awaits a decision is held until it
// is decided, and anyone else lapses.
func ObligationAtDue(p Policy, st ObligationState) ObligationOutcome {
	switch {
	case p.ObligationWindowDays <= 0:
		return ObligationClear
	case st.Met || st.Leads:
		return ObligationRenew
	case st.Pending:
		return ObligationHold
	default:
		return ObligationLapse
	}
}

// NextObligationWindow is the window after one that ended at due: it begins
// at the old due date, whenever the renewal is decided, and its length is
// the policy's now ("policy changes apply from the next window"). ok is
// false when the policy no longer has obligations.
func NextObligationWindow(p Policy, due time.Time) (start, next time.Time, ok bool) {
	next, ok = ObligationDue(p, due)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return due, next, true
}

// InObligationWindow says whether a contribution that occurred at t counts
// for the window [start, due).
func InObligationWindow(start, due, t time.Time) bool {
	return !t.Before(start) && t.Before(due)
}
