package workflow_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/queue"
	"github.com/usergroups/usergroups/internal/workflow"
)

// inWindow adds a new-group request whose objection window ends at
// deadline, for a PROPOSED group of com; it returns the request and the group.
func (w *world) inWindow(com *ent.Community, deadline time.Time) (*ent.Application, *ent.Group) {
	w.t.Helper()
	g := w.Group(com, group.StatusPROPOSED)
	app := w.Application(com, w.User(), application.KindNEW_GROUP, func(b *ent.ApplicationCreate) {
		b.SetGroupID(g.ID).SetStatus(application.StatusOBJECTION_WINDOW).SetObjectionDeadline(deadline)
	})
	return app, g
}

func TestTickWithNothingDueDoesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if rep, err := w.tick(); err != nil || rep != (workflow.TickReport{}) {
		t.Errorf("a tick on an empty database = %+v, %v", rep, err)
	}
}

// TestObjectionWindowJobApprovesEachDueRequestOnce: a request is approved
// when its window has ended with no open objection, and only once.
func TestObjectionWindowJobApprovesEachDueRequestOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	deadline := w.Now().Add(time.Hour)
	app, g := w.inWindow(com, deadline)
	amb := w.Person(role.KindAMBASSADOR, com)

	if rep, err := w.tick(); err != nil || rep.Approved != 0 {
		t.Fatalf("a tick inside the window = %+v, %v", rep, err)
	}
	objection := w.Review(app, review.KindOBJECTION, amb)
	w.Clock.Set(deadline.Add(time.Minute))
	if rep, err := w.tick(); err != nil || rep.Approved != 0 {
		t.Fatalf("a tick with an open objection = %+v, %v", rep, err)
	}
	w.Import(func(ctx context.Context, c *ent.Client) error {
		return c.Review.UpdateOne(objection).SetResolvedAt(w.Now()).Exec(ctx)
	})
	if rep, err := w.tick(); err != nil || rep != (workflow.TickReport{Approved: 1}) {
		t.Fatalf("a tick after the window = %+v, %v", rep, err)
	}
	if got := w.Client.Application.GetX(w.System(), app.ID); got.Status != application.StatusAPPROVED || got.DecidedAt == nil || !got.DecidedAt.Equal(w.Now()) {
		t.Errorf("the request after its window: %s decided at %v, want APPROVED at %v", got.Status, got.DecidedAt, w.Now())
	}
	if got := w.Client.Group.GetX(w.System(), g.ID); got.Status != group.StatusACTIVE {
		t.Errorf("the group after its window: %s, want ACTIVE", got.Status)
	}
	if rep, err := w.tick(); err != nil || rep != (workflow.TickReport{}) {
		t.Errorf("a second tick = %+v, %v; the request was approved already", rep, err)
	}
}

// TestObjectionWindowJobThatCannotApprove: the job does not swallow a
// refusal: a new group that can no longer be activated when its window ends
// goes back to review with the reason in its history, and is a reviewer's.
func TestObjectionWindowJobThatCannotApprove(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	app, g := w.inWindow(com, w.Now().Add(72*time.Hour))
	// Meanwhile the proposed group is archived: it cannot become active.
	w.Import(func(ctx context.Context, c *ent.Client) error {
		return c.Group.UpdateOne(g).SetStatus(group.StatusARCHIVED).Exec(ctx)
	})
	w.Clock.Advance(73 * time.Hour)
	rep, err := w.tick()
	var je *workflow.JobError
	if !errors.As(err, &je) || je.Job != workflow.JobObjectionWindow || je.ID != app.ID || rep.Approved != 0 || rep.Failed != 1 {
		t.Fatalf("tick = %+v, %v", rep, err)
	}
	if got := w.Client.Application.GetX(w.System(), app.ID); got.Status != application.StatusIN_REVIEW {
		t.Errorf("status = %s, want IN_REVIEW", got.Status)
	}
	recorded := w.Client.Review.Query().Where(review.ApplicationID(app.ID), review.KindEQ(review.KindSTATUS_CHANGE),
		review.ToStatus(string(application.StatusIN_REVIEW)), review.BodyContains("no longer waiting for approval")).ExistX(w.System())
	if !recorded {
		t.Errorf("no review entry gives the reason: %+v", w.Client.Review.Query().Where(review.ApplicationID(app.ID)).AllX(w.System()))
	}
	w.Clock.Advance(time.Hour)
	if rep, err := w.tick(); err != nil || rep != (workflow.TickReport{}) {
		t.Errorf("a later tick = %+v, %v; the request is a reviewer's again", rep, err)
	}
}

// TestObjectionWindowReplicasApproveOnce: replicas finishing the same
// window at once approve it once: one group, one organizer, one letter.
func TestObjectionWindowReplicasApproveOnce(t *testing.T) {
	t.Parallel()
	dbs := dbtest.OpenReplicas(t, 4)
	w := newWorldOn(t, dbs[0])
	app, g := w.inWindow(w.Community(policy.OpenStack()), w.Now().Add(time.Hour))
	w.Clock.Advance(2 * time.Hour)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := workflow.FinishObjectionWindows(w.System(), workflow.NewRunner(db.Client, w.Clock.Now))
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	sys := w.System()
	organizers := w.Client.Role.Query().Where(role.GroupID(g.ID), role.KindEQ(role.KindORGANIZER)).CountX(sys)
	letters := w.Client.Message.Query().Where(message.Template("application_approved"), message.RecipientID(app.ApplicantID)).CountX(sys)
	if total != 1 || organizers != 1 || letters != 1 {
		t.Errorf("approved %d times, %d organizer roles, %d letters; want 1 of each", total, organizers, letters)
	}
}

// TestCloseElectionsClosesEachOnce: an election past its deadline is
// closed by one tick, and not again by the next.
func TestCloseElectionsClosesEachOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	g := w.Group(w.Community(policy.OpenEuler()), group.StatusACTIVE)
	e := w.Election(g, w.Person(role.KindORGANIZER, g))
	if rep, err := w.tick(); err != nil || rep.ElectionsClosed != 0 {
		t.Fatalf("a tick while voting runs = %+v, %v", rep, err)
	}
	w.Clock.Advance(4 * day)
	if rep, err := w.tick(); err != nil || rep != (workflow.TickReport{ElectionsClosed: 1}) {
		t.Fatalf("a tick past the deadline = %+v, %v", rep, err)
	}
	if got := w.Client.Election.GetX(w.System(), e.ID); got.Status != election.StatusNO_CANDIDATES || got.DecidedAt == nil || !got.DecidedAt.Equal(w.Now()) {
		t.Errorf("the election nobody stood in: %s decided at %v", got.Status, got.DecidedAt)
	}
	if rep, err := w.tick(); err != nil || rep != (workflow.TickReport{}) {
		t.Errorf("a second tick = %+v, %v", rep, err)
	}
}

// TestElectedOrganizerIsSeated proves the seat changes hands: an election
// whose term starts before the incumbent's ends is seated, the incumbent's
// term ending when the elected one starts, in the seating's transaction; a
// seating that cannot complete is recorded on the election (SEATING_FAILED
// with the reason, for staff), logged and counted by the scheduler, tried
// again on each tick, and seated once the cause is gone.
func TestElectedOrganizerIsSeated(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sys := w.System()
	oe := w.Community(policy.OpenEuler())
	partner := w.Partner(oe)
	person := func() *ent.User {
		return w.User(func(b *ent.UserCreate) { b.SetOrganizationID(partner.ID) })
	}
	wuhan, xian := w.Group(oe, group.StatusACTIVE), w.Group(oe, group.StatusACTIVE)
	org, winner, staff, interim, winner2 := person(), person(), person(), person(), person()
	termEnd := w.Now().Add(10 * day)
	orgRole := w.Role(org, role.KindORGANIZER, wuhan, func(b *ent.RoleCreate) { b.SetTermStart(termEnd.AddDate(-1, 0, 0)).SetTermEnd(termEnd) })
	w.Role(org, role.KindMEMBER, wuhan)
	w.Role(winner, role.KindMEMBER, wuhan)
	w.Role(staff, role.KindCOMMUNITY_MANAGER, oe)

	// decided is an election of g won by u, for a term starting at start.
	decided := func(g *ent.Group, u *ent.User, start time.Time) *ent.Election {
		e := w.Election(g, staff, func(b *ent.ElectionCreate) {
			b.SetNominationsCloseAt(start.Add(-3 * day)).SetVotingClosesAt(start.Add(-day)).SetTermStartsAt(start).
				SetStatus(election.StatusDECIDED).SetDecidedAt(start.Add(-day))
		})
		w.Candidate(e, u, func(b *ent.CandidateCreate) { b.SetElected(true) })
		return e
	}
	// An election (stored before openElection refused such dates) whose
	// term starts five days before the incumbent's ends.
	start := termEnd.Add(-5 * day)
	e := decided(wuhan, winner, start)
	w.Clock.Advance(6 * day) // past the elected term's start, before the incumbent's end
	rep, err := w.tick()
	if err != nil || rep.Seated != 1 || rep.Failed != 0 {
		t.Fatalf("tick = %+v, %v; want the winner seated", rep, err)
	}
	if got := w.Client.Election.GetX(sys, e.ID); got.Status != election.StatusSEATED {
		t.Errorf("election after seating: %s", got.Status)
	}
	if got := w.Client.Role.GetX(sys, orgRole.ID); got.Status != role.StatusTERM_ENDED || got.EndedAt == nil || !got.EndedAt.Equal(start) {
		t.Errorf("incumbent after seating: %s ended at %v, want TERM_ENDED at %v", got.Status, got.EndedAt, start)
	}
	active := w.Client.Role.Query().Where(role.GroupID(wuhan.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).AllX(sys)
	if len(active) != 1 || active[0].UserID != winner.ID || active[0].TermNumber != 2 || !active[0].TermStart.Equal(start) {
		t.Errorf("active organizers after seating: %+v", active)
	}

	// In Xian an interim organizer already holds the elected term: the
	// winner cannot be seated within the cap of one.
	w.Role(winner2, role.KindMEMBER, xian)
	w.Role(interim, role.KindORGANIZER, xian, func(b *ent.RoleCreate) {
		b.SetTermNumber(2).SetTermStart(w.Now().Add(-day)).SetTermEnd(w.Now().Add(day))
	})
	stuck := decided(xian, winner2, w.Now().Add(-time.Hour))
	rep, err = w.tick()
	var je *workflow.JobError
	if !errors.As(err, &je) || je.Job != workflow.JobSeatElection || je.ID != stuck.ID || rep.Failed != 1 || rep.Seated != 0 {
		t.Fatalf("tick with a seating that cannot complete = %+v, %v", rep, err)
	}
	if got := w.Client.Election.GetX(sys, stuck.ID); got.Status != election.StatusSEATING_FAILED || !strings.Contains(got.Note, "at most 1 ORGANIZER") {
		t.Errorf("the failed seating as staff see it: %s %q", got.Status, got.Note)
	}

	// Once the interim term has run out, the next tick seats the winner.
	w.Clock.Advance(2 * day)
	if rep, err := w.tick(); err != nil || rep.Seated != 1 || rep.TermsEnded != 1 {
		t.Fatalf("tick after the cause was removed = %+v, %v", rep, err)
	}
	if got := w.Client.Election.GetX(sys, stuck.ID); got.Status != election.StatusSEATED || got.Note != "" {
		t.Errorf("the election once seated: %s %q", got.Status, got.Note)
	}
	if n := w.Client.Candidate.Query().Where(candidate.ElectionID(stuck.ID), candidate.Elected(true)).CountX(sys); n != 1 {
		t.Errorf("%d elected candidates, want 1", n)
	}
}

// TestTermSweepTwoReplicas: two replicas sweeping the same expired terms at
// once end each role exactly once — one change and one message per role.
func TestTermSweepTwoReplicas(t *testing.T) {
	t.Parallel()
	dbs := dbtest.OpenReplicas(t, 2)
	w := newWorldOn(t, dbs[0])
	sys := w.System()
	oe := w.Community(policy.OpenEuler())
	now := w.Now()
	const n = 20
	for i := range n {
		g := w.Group(oe, group.StatusACTIVE)
		w.Role(w.User(), role.KindORGANIZER, g, func(b *ent.RoleCreate) {
			b.SetTermStart(now.AddDate(-1, 0, -1)).SetTermEnd(now.Add(-time.Duration(i+1) * time.Minute))
		})
	}
	before := w.Client.Change.Query().CountX(sys)
	var wg sync.WaitGroup
	ended := make([]int, len(dbs))
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if ended[i], _, err = workflow.EndTerms(sys, workflow.NewRunner(db.Client, w.Clock.Now)); err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ended[0]+ended[1] != n {
		t.Errorf("replicas ended %v roles, want %d in all", ended, n)
	}
	if got := w.Client.Role.Query().Where(role.StatusEQ(role.StatusTERM_ENDED)).CountX(sys); got != n {
		t.Errorf("%d roles ended, want %d", got, n)
	}
	if got := w.Client.Change.Query().CountX(sys) - before; got != n {
		t.Errorf("%d changes logged, want %d", got, n)
	}
	if got := w.Client.Message.Query().Where(message.Template("term_ended")).CountX(sys); got != n {
		t.Errorf("%d term-ended messages, want %d", got, n)
	}
	// The groups are now listed for staff as needing an organizer.
	if got, err := queue.Leaderless(sys, w.Client, oe.ID); err != nil || len(got) != n {
		t.Errorf("%d groups without an organizer (%v), want %d", len(got), err, n)
	}
}

func TestJobErrorsListsEveryFailedRow(t *testing.T) {
	t.Parallel()
	if got := workflow.JobErrors(nil); got != nil {
		t.Errorf("JobErrors(nil) = %v", got)
	}
	a := &workflow.JobError{Job: workflow.JobEndTerm, ID: pulid.ID("rol_a"), Err: errors.New("disk full")}
	b := &workflow.JobError{Job: workflow.JobCloseElection, Err: errors.New("cannot list")}
	other := errors.New("something else")
	got := workflow.JobErrors(errors.Join(a, errors.Join(b, other)))
	if len(got) != 3 || got[0] != a || got[1] != b || got[2].Job != "unknown" || got[2].Err != other {
		t.Fatalf("JobErrors = %+v", got)
	}
	if a.Error() != "end_term rol_a: disk full" || b.Error() != "close_election: cannot list" {
		t.Errorf("JobError texts: %q, %q", a.Error(), b.Error())
	}
	if !errors.Is(a, a.Err) {
		t.Error("a JobError does not unwrap to its cause")
	}
}

// TestObligationReplicasActOnce: four replicas running the job at once
// warn each member once, then lapse each once: one warning, one lapse, one
// message and one change entry per member.
func TestObligationReplicasActOnce(t *testing.T) {
	t.Parallel()
	dbs := dbtest.OpenReplicas(t, 4)
	w := newWorldOn(t, dbs[0])
	sys := w.System()
	g := w.Group(w.Community(openYear()), group.StatusACTIVE)
	const n = 8
	var roles []*ent.Role
	for range n {
		roles = append(roles, w.join(w.User(), g))
	}
	due := *roles[0].ObligationDueAt
	all := func() (warned, renewed, lapsed int) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, b, c, err := workflow.SettleObligations(sys, workflow.NewRunner(db.Client, w.Clock.Now))
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
				mu.Lock()
				warned, renewed, lapsed = warned+a, renewed+b, lapsed+c
				mu.Unlock()
			}()
		}
		wg.Wait()
		return
	}
	w.Clock.Set(due.AddDate(0, 0, -30))
	if a, b, c := all(); a != n || b != 0 || c != 0 {
		t.Errorf("30 days before: warned %d, renewed %d, lapsed %d; want %d warnings", a, b, c, n)
	}
	if got := w.Client.Message.Query().Where(message.Template("obligation_warning")).CountX(sys); got != n {
		t.Errorf("%d warnings queued, want %d", got, n)
	}
	before := w.Client.Change.Query().Where(change.OpEQ(change.OpUPDATED), change.Topic("role")).CountX(sys)
	w.Clock.Set(due)
	if a, b, c := all(); a != 0 || b != 0 || c != n {
		t.Errorf("at the due date: warned %d, renewed %d, lapsed %d; want %d lapses", a, b, c, n)
	}
	if got := w.Client.Role.Query().Where(role.StatusEQ(role.StatusLAPSED)).CountX(sys); got != n {
		t.Errorf("%d roles lapsed, want %d", got, n)
	}
	if got := w.Client.Message.Query().Where(message.Template("membership_lapsed")).CountX(sys); got != n {
		t.Errorf("%d lapse messages, want %d", got, n)
	}
	if got := w.Client.Change.Query().Where(change.OpEQ(change.OpUPDATED), change.Topic("role")).CountX(sys) - before; got != n {
		t.Errorf("%d role changes logged, want %d", got, n)
	}
}
