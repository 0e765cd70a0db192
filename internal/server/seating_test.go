package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/metrics"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

const (
	roleQ         = `query($id: ID!) { node(id: $id) { ... on Role { status kind termNumber endedAt endReason user { handle } } } }`
	electionNoteQ = `query($id: ID!) { node(id: $id) { ... on Election { status note } } }`
	openAtQ       = `mutation($g: ID!, $n: Time!, $v: Time!, $s: Time) {
		openElection(input: {group: $g, kind: ORGANIZER, nominationsCloseAt: $n, votingClosesAt: $v, termStartsAt: $s}) { election { id termStartsAt } } }`
)

// syncBuffer is a log destination the scheduler's goroutine writes while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestElectedOrganizerIsSeated proves the seat changes hands: openElection
// refuses a term that would start before the incumbent's ends; an election
// stored with such a date (before that check) is still seated, the
// incumbent's term ending when the elected one starts, in the seating's
// transaction; a seating that cannot complete is recorded on the election
// (SEATING_FAILED with the reason, for staff), logged and counted in
// /metrics, tried again on each tick, and seated once the cause is gone.
func TestElectedOrganizerIsSeated(t *testing.T) {
	f := newElectionFixture(t)
	c, h, clock, sys, tx, oe, mk := f.c, f.h, f.clock, f.sys, f.tx, f.oe, f.person
	var err error
	wuhan, xian := f.group(oe, "Wuhan"), f.group(oe, "Xian")
	org, winner, staff, interim, winner2 := mk("org"), mk("winner"), mk("staff"), mk("interim"), mk("winner2")
	termEnd := clock.Now().Add(10 * 24 * time.Hour)
	orgRole := tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindORGANIZER).
		SetTermStart(termEnd.AddDate(-1, 0, 0)).SetTermEnd(termEnd).SaveX(sys)
	for _, u := range []*ent.User{org, winner} {
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindMEMBER).ExecX(sys)
	}
	tx.Role.Create().SetUserID(staff.ID).SetCommunityID(oe.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	at := func(d time.Duration) string { return clock.Now().Add(d).Format(time.RFC3339) }
	day := 24 * time.Hour

	// Impossible dates are refused, naming the field.
	open := func(s any) gqlResponse {
		return query(t, h, as(org), openAtQ, map[string]any{"g": string(wuhan.ID), "n": at(day), "v": at(3 * day), "s": s})
	}
	if r := open(at(5 * day)); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "termStartsAt" {
		t.Errorf("a term starting before the incumbent's term ends: %+v %+v", r.Data, r.Errors)
	}
	if r := open(at(2 * day)); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "termStartsAt" {
		t.Errorf("a term starting before voting closes: %+v", r.Errors)
	}

	// An election stored before that check, with a term starting five days
	// before the incumbent's ends, decided for the winner.
	decided := func(g *ent.Group, u *ent.User, start time.Time) *ent.Election {
		tx, err := c.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		e := tx.Election.Create().SetCommunityID(oe.ID).SetGroupID(g.ID).SetOpenedByID(staff.ID).SetKind(election.KindORGANIZER).
			SetNominationsCloseAt(start.Add(-3 * day)).SetVotingClosesAt(start.Add(-day)).SetTermStartsAt(start).SetTermNumber(2).
			SetStatus(election.StatusDECIDED).SetDecidedAt(start.Add(-day)).SaveX(sys)
		tx.Candidate.Create().SetElectionID(e.ID).SetUserID(u.ID).SetNominatedByID(u.ID).
			SetStatus(candidate.StatusACCEPTED).SetElected(true).ExecX(sys)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		return e
	}
	start := termEnd.Add(-5 * day)
	e := decided(wuhan, winner, start)
	clock.Advance(6 * day) // past the elected term's start, before the incumbent's end
	rep, err := workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now))
	if err != nil || rep.Seated != 1 || rep.Failed != 0 {
		t.Fatalf("tick = %+v, %v; want the winner seated", rep, err)
	}
	if r := query(t, h, as(staff), electionNoteQ, map[string]any{"id": string(e.ID)}); dig(r.Data, "node", "status") != "SEATED" {
		t.Errorf("election after seating: %+v %+v", r.Data, r.Errors)
	}
	r := query(t, h, as(staff), roleQ, map[string]any{"id": string(orgRole.ID)})
	if dig(r.Data, "node", "status") != "TERM_ENDED" || dig(r.Data, "node", "endedAt") != start.UTC().Format(time.RFC3339) {
		t.Errorf("incumbent after seating: %+v %+v", r.Data, r.Errors)
	}
	active := c.Role.Query().Where(role.GroupID(wuhan.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).AllX(sys)
	if len(active) != 1 || active[0].UserID != winner.ID || active[0].TermNumber != 2 || !active[0].TermStart.Equal(start) {
		t.Errorf("active organizers after seating: %+v", active)
	}

	// In Xian an interim organizer already holds the elected term: the
	// winner cannot be seated within the cap of one.
	tx, err = c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	tx.Role.Create().SetUserID(winner2.ID).SetCommunityID(oe.ID).SetGroupID(xian.ID).SetKind(role.KindMEMBER).ExecX(sys)
	tx.Role.Create().SetUserID(interim.ID).SetCommunityID(oe.ID).SetGroupID(xian.ID).SetKind(role.KindORGANIZER).
		SetTermNumber(2).SetTermStart(clock.Now().Add(-day)).SetTermEnd(clock.Now().Add(day)).SaveX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	stuck := decided(xian, winner2, clock.Now().Add(-time.Hour))
	rep, err = workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now))
	var je *workflow.JobError
	if !errors.As(err, &je) || je.Job != workflow.JobSeatElection || je.ID != stuck.ID || rep.Failed != 1 || rep.Seated != 0 {
		t.Fatalf("tick with a seating that cannot complete = %+v, %v", rep, err)
	}
	r = query(t, h, as(staff), electionNoteQ, map[string]any{"id": string(stuck.ID)})
	note, _ := dig(r.Data, "node", "note").(string)
	if dig(r.Data, "node", "status") != "SEATING_FAILED" || !strings.Contains(note, "at most 1 ORGANIZER") {
		t.Errorf("the failed seating as staff see it: %+v %+v", r.Data, r.Errors)
	}

	// The scheduler logs and counts it on every attempt; an unchanged
	// failure adds no change row.
	changes := func() int { return c.Change.Query().Where(change.NodeID(string(stuck.ID))).CountX(sys) }
	before := changes()
	m := metrics.New()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		workflow.Scheduler{Runner: workflow.NewRunner(c, clock.Now), Every: time.Millisecond, Log: slog.New(slog.NewTextHandler(logs, nil)), Failed: m.JobFailed}.Run(ctx)
	}()
	scrape := func() string {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(scrape(), `usergroups_job_failures_total{job="seat_election"} `); {
		if time.Now().After(deadline) {
			t.Fatalf("no job failure counted:\n%s", scrape())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if l := logs.String(); !strings.Contains(l, "scheduled job failed") || !strings.Contains(l, string(stuck.ID)) || !strings.Contains(l, "seat_election") {
		t.Errorf("scheduler log:\n%s", l)
	}
	if got := changes(); got != before {
		t.Errorf("%d change rows for a failure that did not change", got-before)
	}

	// Once the interim term has run out, the next tick seats the winner.
	clock.Advance(2 * day)
	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now)); err != nil || rep.Seated != 1 || rep.TermsEnded != 1 {
		t.Fatalf("tick after the cause was removed = %+v, %v", rep, err)
	}
	r = query(t, h, as(staff), electionNoteQ, map[string]any{"id": string(stuck.ID)})
	if note, _ := dig(r.Data, "node", "note").(string); dig(r.Data, "node", "status") != "SEATED" || note != "" {
		t.Errorf("the election once seated: %+v %+v", r.Data, r.Errors)
	}
}

// TestObjectionWindowThatCannotApprove proves the objection-window job does
// not swallow a refusal: a new group that can no longer be activated when
// its window ends goes back to review with the reason in its history.
func TestObjectionWindowThatCannotApprove(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	appID, groupID, _ := w.applyIn(t, "Boston {Stackers}", "Boston")
	id := map[string]any{"id": appID}
	w.ok(t, w.manager, `mutation($id: ID!, $m: ID!) { assignGroupMentor(input: {id: $id, mentor: $m}) { application { id } } }`,
		map[string]any{"id": appID, "m": string(w.ambID)})
	if d := w.ok(t, w.manager, approveQ, id); dig(d, "approveApplication", "application", "status") != "OBJECTION_WINDOW" {
		t.Fatalf("approve = %+v", d)
	}
	// Meanwhile the proposed group is archived: it cannot become active.
	sys := viewer.SystemContext(context.Background())
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	tx.Group.UpdateOneID(pulidID(groupID)).SetStatus(group.StatusARCHIVED).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rep, err := workflow.Tick(context.Background(), workflow.NewRunner(w.c, at(time.Now().Add(73*time.Hour))))
	var je *workflow.JobError
	if !errors.As(err, &je) || je.Job != workflow.JobObjectionWindow || string(je.ID) != appID || rep.Approved != 0 || rep.Failed != 1 {
		t.Fatalf("tick = %+v, %v", rep, err)
	}
	d := w.ok(t, w.manager, `query($id: ID!) { node(id: $id) { ... on Application { status reviews(first: 50) { edges { node { kind toStatus body } } } } } }`, id)
	if dig(d, "node", "status") != "IN_REVIEW" {
		t.Errorf("status = %v, want IN_REVIEW", dig(d, "node", "status"))
	}
	recorded := false
	for _, rv := range items(d, "node", "reviews", "edges") {
		body, _ := dig(rv, "node", "body").(string)
		recorded = recorded || dig(rv, "node", "toStatus") == "IN_REVIEW" && strings.Contains(body, "no longer waiting for approval")
	}
	if !recorded {
		t.Errorf("no review entry gives the reason: %+v", items(d, "node", "reviews", "edges"))
	}
	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(w.c, at(time.Now().Add(74*time.Hour)))); err != nil || rep != (workflow.TickReport{}) {
		t.Errorf("a later tick = %+v, %v; the application is a reviewer's again", rep, err)
	}
}
