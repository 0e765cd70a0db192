package workflow_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/submission"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// q3 is the period the tests' requests cover: the third quarter of 2026
// (the sendings clock stands at 1 October 2026).
var q3Start, q3End = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// activity lays out g1's third quarter: two events held (one COMPLETED,
// one PUBLISHED) with 3 and 2 check-ins, a cancelled one, a draft, one
// held before the quarter; two members who joined in it, one before it
// and one join request still pending. The prefilled figures are 2, 5, 2.
func (s *sendings) activity() {
	s.t.Helper()
	at := func(d time.Time, status event.Status) func(*ent.EventCreate) {
		return func(b *ent.EventCreate) { b.SetStartsAt(d).SetEndsAt(d.Add(2 * time.Hour)).SetStatus(status) }
	}
	held1 := s.Event(s.g1, at(q3Start.AddDate(0, 0, 10), event.StatusCOMPLETED))
	held2 := s.Event(s.g1, at(q3Start.AddDate(0, 2, 0), event.StatusPUBLISHED))
	cancelled := s.Event(s.g1, at(q3Start.AddDate(0, 1, 0), event.StatusCANCELLED))
	s.Event(s.g1, at(q3Start.AddDate(0, 1, 5), event.StatusDRAFT))
	before := s.Event(s.g1, at(q3Start.AddDate(0, 0, -3), event.StatusCOMPLETED))
	s.Event(s.g2, at(q3Start.AddDate(0, 0, 20), event.StatusCOMPLETED))
	attended := func(b *ent.RegistrationCreate) { b.SetStatus(registration.StatusATTENDED) }
	for i := 0; i < 3; i++ {
		s.Registration(held1, s.User(), attended)
	}
	for i := 0; i < 2; i++ {
		s.Registration(held2, s.User(), attended)
	}
	s.Registration(held2, s.User()) // GOING, never checked in
	s.Registration(cancelled, s.User(), attended)
	s.Registration(before, s.User(), attended)
	started := func(d time.Time, st role.Status) func(*ent.RoleCreate) {
		return func(b *ent.RoleCreate) { b.SetTermStart(d).SetStatus(st) }
	}
	s.Role(s.User(), role.KindMEMBER, s.g1, started(q3Start.AddDate(0, 0, 2), role.StatusACTIVE))
	s.Role(s.User(), role.KindMEMBER, s.g1, started(q3Start.AddDate(0, 2, 2), role.StatusLEFT))
	s.Role(s.User(), role.KindMEMBER, s.g1, started(q3Start.AddDate(0, -1, 0), role.StatusACTIVE))
	s.Role(s.User(), role.KindMEMBER, s.g1, started(q3Start.AddDate(0, 1, 0), role.StatusPENDING))
}

func (s *sendings) askQ3(by *ent.User) (*ent.ActivityRequest, error) {
	return s.Runner.RequestActivityReports(s.As(by.ID), workflow.ActivityRequestInput{Region: s.region.ID,
		Title: "Activities in the third quarter", Message: "A few lines and your numbers, please.",
		PeriodStart: q3Start, PeriodEnd: q3End, DueAt: s.Now().Add(14 * day)})
}

func TestActivityReports(t *testing.T) {
	t.Parallel()
	s := newSendings(t)
	s.activity()

	for _, who := range []*ent.User{s.org1, s.farAmb, s.outsider} {
		_, err := s.askQ3(who)
		wantCode(t, err, apierror.Forbidden)
	}
	_, err := s.Runner.RequestActivityReports(s.As(s.amb.ID), workflow.ActivityRequestInput{Region: s.region.ID, Title: "Q3",
		PeriodStart: q3Start, PeriodEnd: q3End, DueAt: s.Now().Add(-time.Hour)})
	refused(t, err, apierror.BadUserInput, "dueAt")
	_, err = s.Runner.RequestActivityReports(s.As(s.amb.ID), workflow.ActivityRequestInput{Region: s.g1.ID, Title: "Q3 report",
		PeriodStart: q3Start, PeriodEnd: q3End, DueAt: s.Now().Add(day)})
	refused(t, err, apierror.BadUserInput, "region")
	req, err := s.askQ3(s.amb)
	if err != nil || req.RequestedByID != s.amb.ID || req.RegionID != s.region.ID || req.CommunityID != s.com.ID {
		t.Fatalf("the region's ambassador asks: %+v %v", req, err)
	}
	// The running groups' organizers are told, one message each; the
	// dormant group and the other region's are not asked.
	ms := s.messages("activity_report_requested")
	told := map[string]bool{}
	for _, m := range ms {
		for _, id := range m.RecipientIds {
			told[string(id)] = true
		}
	}
	if len(ms) != 2 || !told[string(s.org1.ID)] || !told[string(s.org2.ID)] {
		t.Errorf("messages to the groups asked: %+v", ms)
	}

	// The draft: prefilled from the data, for the group's organizers and
	// those following the request.
	want := policy.ActivityFigures{Events: 2, Attendees: 5, NewMembers: 2}
	for _, who := range []*ent.User{s.org1, s.amb, s.staff} {
		d, err := workflow.DraftActivityReport(s.As(who.ID), s.Client, req.ID, s.g1.ID)
		if err != nil || d.Figures != want {
			t.Errorf("%s reads the draft: %+v %v, want %+v", who.Handle, d, err, want)
		}
	}
	_, err = workflow.DraftActivityReport(s.As(s.org2.ID), s.Client, req.ID, s.g1.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = workflow.DraftActivityReport(s.As(s.outsider.ID), s.Client, req.ID, s.g1.ID)
	wantCode(t, err, apierror.NotFound)
	_, err = workflow.DraftActivityReport(s.Anonymous(), s.Client, req.ID, s.g1.ID)
	wantCode(t, err, apierror.NotFound)
	_, err = workflow.DraftActivityReport(s.As(s.amb.ID), s.Client, req.ID, s.far.ID)
	refused(t, err, apierror.BadUserInput, "group")

	// Before the due date: nobody answered, not overdue.
	state := func(who *ent.User) *workflow.ActivityRequestState {
		t.Helper()
		st, err := workflow.ActivityRequestStates(s.As(who.ID), s.Client, []pulid.ID{req.ID}, s.Now())
		noErr(t, "states", err)
		return st[req.ID]
	}
	rows := func(who *ent.User) (out []string) {
		t.Helper()
		v, err := authz.ViewerFor(s.System(), s.Client, who.ID, nil)
		noErr(t, "viewer", err)
		for _, r := range state(who).Visible(v) {
			out = append(out, fmt.Sprintf("%s:%v:%v", r.Group.ID, r.Answered, r.Answer != nil))
		}
		return out
	}
	if st := state(s.amb); st.Overdue || len(st.Rows) != 2 {
		t.Errorf("before the due date: overdue %v, %d rows", st.Overdue, len(st.Rows))
	}

	// Answers: the group's organizers, once; figures left out are prefilled.
	answer := func(who *ent.User, g *ent.Group, events *int) (*ent.Submission, error) {
		return s.Runner.AnswerActivityRequest(s.As(who.ID), workflow.ActivityAnswerInput{Request: req.ID, Group: g.ID,
			Body: "Two meetups, one of them with a hackfest.", Events: events})
	}
	for _, who := range []*ent.User{s.org2, s.amb, s.staff} {
		_, err := answer(who, s.g1, nil)
		wantCode(t, err, apierror.Forbidden)
	}
	_, err = answer(s.member1, s.g1, nil) // members do not see the request
	wantCode(t, err, apierror.NotFound)
	neg := -1
	_, err = answer(s.org1, s.g1, &neg)
	refused(t, err, apierror.BadUserInput, "eventsCount")
	three := 3
	a1, err := answer(s.org1, s.g1, &three)
	if err != nil || a1.Kind != submission.KindACTIVITY_REPORT || a1.RequestID != req.ID || a1.GroupID != s.g1.ID ||
		a1.RegionID != s.region.ID || *a1.EventsCount != 3 || *a1.AttendeesCount != 5 || *a1.NewMembersCount != 2 {
		t.Fatalf("answer: %+v %v", a1, err)
	}
	_, err = answer(s.org1, s.g1, nil)
	wantCode(t, err, apierror.Conflict)

	// Who reads the answer: its author, the asker (the region's
	// ambassador), staff; not the other group's organizer nor outsiders.
	for who, want := range map[*ent.User]bool{s.org1: true, s.amb: true, s.staff: true, s.org2: false, s.farAmb: false, s.outsider: false} {
		if got := s.reads(s.As(who.ID), a1.ID); got != want {
			t.Errorf("%s reads the answer: %v, want %v", who.Handle, got, want)
		}
	}
	// Who sees which rows: the asker both, an organizer their own.
	g1Row, g2Row := string(s.g1.ID)+":true:true", string(s.g2.ID)+":false:false"
	if got := rows(s.amb); len(got) != 2 || !slices.Contains(got, g1Row) || !slices.Contains(got, g2Row) {
		t.Errorf("the asker's rows: %v", got)
	}
	if got := rows(s.org1); len(got) != 1 || got[0] != g1Row {
		t.Errorf("g1's organizer's rows: %v", got)
	}
	if got := rows(s.org2); len(got) != 1 || got[0] != g2Row {
		t.Errorf("g2's organizer's rows: %v", got)
	}
	if got := rows(s.outsider); len(got) != 0 {
		t.Errorf("an outsider's rows: %v", got)
	}

	// The asker acknowledges the answer; its organizer cannot.
	_, err = s.Runner.AcknowledgeSubmission(s.As(s.org1.ID), a1.ID)
	wantCode(t, err, apierror.Forbidden)
	if got, err := s.Runner.AcknowledgeSubmission(s.As(s.amb.ID), a1.ID); err != nil || got.Status != submission.StatusACKNOWLEDGED {
		t.Errorf("the asker acknowledges: %+v %v", got, err)
	}

	// Past the due date with g2 silent: overdue, listed for those who
	// follow it.
	overdue := func(who *ent.User) int {
		t.Helper()
		list, err := workflow.OverdueActivityRequests(s.As(who.ID), s.Client, s.com.ID, s.Now())
		noErr(t, "overdue list", err)
		return len(list)
	}
	if n := overdue(s.staff); n != 0 {
		t.Errorf("%d overdue before the due date", n)
	}
	s.Clock.Advance(15 * day)
	if st := state(s.amb); !st.Overdue {
		t.Error("not overdue past the due date with a group silent")
	}
	for who, want := range map[*ent.User]int{s.staff: 1, s.amb: 1, s.farAmb: 0, s.org1: 0, s.outsider: 0} {
		if n := overdue(who); n != want {
			t.Errorf("%s lists %d overdue requests, want %d", who.Handle, n, want)
		}
	}
	if list, err := workflow.OverdueActivityRequests(s.Anonymous(), s.Client, s.com.ID, s.Now()); err != nil || len(list) != 0 {
		t.Errorf("the public's overdue list: %v %v", list, err)
	}
	// A late answer is taken, and the request is no longer overdue.
	if _, err := answer(s.org2, s.g2, nil); err != nil {
		t.Fatalf("late answer: %v", err)
	}
	if st := state(s.amb); st.Overdue {
		t.Error("still overdue once every group answered")
	}
	if n := overdue(s.staff); n != 0 {
		t.Errorf("%d overdue once every group answered", n)
	}
}
