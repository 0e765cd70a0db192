package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// What groups and ambassadors send to the community (issue 19): feedback
// for the developers, newsletter items, regional activity reports. The
// statuses and kinds are the Submission entity's, spelled as strings so
// this package stays free of ent.

// Submission kinds.
const (
	SubmissionFeedback   = "ATTENDEE_FEEDBACK"
	SubmissionNewsletter = "NEWSLETTER_ITEM"
	SubmissionActivity   = "ACTIVITY_REPORT"
)

// Submission statuses.
const (
	SubmissionSubmitted    = "SUBMITTED"
	SubmissionAcknowledged = "ACKNOWLEDGED"
	SubmissionForwarded    = "FORWARDED"
	SubmissionDelivered    = "DELIVERED"
	SubmissionAccepted     = "ACCEPTED"
	SubmissionDeclined     = "DECLINED"
)

// submissionMoves lists, per kind, the statuses each status may move to.
// Feedback is triaged (acknowledged), forwarded to the developers and
// marked delivered, or declined before it is forwarded; a newsletter item
// is accepted into an issue or declined; an activity report is only
// acknowledged by those who asked for it. Statuses not listed are final.
var submissionMoves = map[string]map[string][]string{
	SubmissionFeedback: {
		SubmissionSubmitted:    {SubmissionAcknowledged, SubmissionForwarded, SubmissionDeclined},
		SubmissionAcknowledged: {SubmissionForwarded, SubmissionDeclined},
		SubmissionForwarded:    {SubmissionDelivered},
	},
	SubmissionNewsletter: {
		SubmissionSubmitted: {SubmissionAccepted, SubmissionDeclined},
	},
	SubmissionActivity: {
		SubmissionSubmitted: {SubmissionAcknowledged},
	},
}

// TransitionError is a status change the rules do not allow from the
// status a submission is in.
type TransitionError struct {
	Kind, From, To string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("a %s submission cannot move from %s to %s", e.Kind, e.From, e.To)
}

// SubmissionTransition reports whether a submission of kind may move from
// status from to status to: nil when it may, a *TransitionError when not.
func SubmissionTransition(kind, from, to string) error {
	if slices.Contains(submissionMoves[kind][from], to) {
		return nil
	}
	return &TransitionError{Kind: kind, From: from, To: to}
}

// newsletterIssue is how an issue of a community newsletter is named: its
// month, "2026-12".
var newsletterIssue = regexp.MustCompile(`^(\d{4})-(\d{2})$`)

// CheckNewsletterIssue accepts an issue named by its month as YYYY-MM,
// with a month from 01 to 12 and a year from 2000 to 2999.
func CheckNewsletterIssue(s string) error {
	m := newsletterIssue.FindStringSubmatch(s)
	if m == nil {
		return &FieldError{Field: "issue", Reason: `must be a month written YYYY-MM, e.g. "2026-12"`}
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if y < 2000 || y > 2999 || mo < 1 || mo > 12 {
		return &FieldError{Field: "issue", Reason: `must be a month written YYYY-MM, e.g. "2026-12"`}
	}
	return nil
}

// MaxNewsletterItems caps the items of one newsletter issue.
const MaxNewsletterItems = 200

// NewsletterPosition is where an item accepted into an issue that holds
// count items goes: the requested place (1 to count+1; the items from
// there on move down one), or the end when none is requested.
func NewsletterPosition(requested *int, count int) (int, error) {
	if count >= MaxNewsletterItems {
		return 0, &FieldError{Field: "issue", Reason: fmt.Sprintf("an issue holds at most %d items", MaxNewsletterItems)}
	}
	if requested == nil {
		return count + 1, nil
	}
	if *requested < 1 || *requested > count+1 {
		return 0, &FieldError{Field: "position", Reason: fmt.Sprintf("must be between 1 and %d (the issue holds %d items)", count+1, count)}
	}
	return *requested, nil
}

// MaxActivityPeriod bounds the period an activity report covers.
const MaxActivityPeriod = 366 * 24 * time.Hour

// CheckActivityRequest checks an activity report request made at now: a
// period that starts before it ends, no longer than MaxActivityPeriod and
// not starting in the future, and a due date after now.
func CheckActivityRequest(start, end, due, now time.Time) error {
	switch {
	case !start.Before(end):
		return &FieldError{Field: "periodEnd", Reason: "must be after periodStart"}
	case end.Sub(start) > MaxActivityPeriod:
		return &FieldError{Field: "periodEnd", Reason: "the period may be at most 366 days long"}
	case start.After(now):
		return &FieldError{Field: "periodStart", Reason: "must not be in the future"}
	case !due.After(now):
		return &FieldError{Field: "dueAt", Reason: "must be in the future"}
	}
	return nil
}

// ActivityFigures are the numbers of an activity report for one group
// over a period.
type ActivityFigures struct {
	// Events held: completed or published events starting in the period.
	Events int
	// Attendees checked in at those events.
	Attendees int
	// NewMembers: member roles that began in the period.
	NewMembers int
}

// FillFigures is what an organizer's answer reports: each figure given,
// or the prefilled one where the answer leaves it out. A negative figure
// names its field.
func FillFigures(events, attendees, newMembers *int, prefilled ActivityFigures) (ActivityFigures, error) {
	out := prefilled
	for _, f := range []struct {
		field string
		given *int
		into  *int
	}{{"eventsCount", events, &out.Events}, {"attendeesCount", attendees, &out.Attendees}, {"newMembersCount", newMembers, &out.NewMembers}} {
		if f.given == nil {
			continue
		}
		if *f.given < 0 {
			return ActivityFigures{}, &FieldError{Field: f.field, Reason: "must not be negative"}
		}
		*f.into = *f.given
	}
	return out, nil
}

// ActivityOverdue reports whether an activity report request due at due
// is overdue at now with unanswered groups still to answer: past due, and
// at least one group has not answered.
func ActivityOverdue(due, now time.Time, unanswered int) bool {
	return now.After(due) && unanswered > 0
}
