package workflow_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/queue"
	"github.com/usergroups/usergroups/internal/workflow"
)

// ready files a request in Oakland and does what OpenStack's approval
// needs first: the conflict with San Francisco settled, a mentor.
func (b *bay) ready() workflow.NewGroupRequest {
	b.t.Helper()
	res := b.apply("Oakland {East Bay}", "Oakland")
	as := b.As(b.manager.ID)
	if _, err := b.Runner.ResolveConflict(as, res.Application.ID, b.sf.ID, "Bay Area covers San Francisco; East Bay meets in Oakland."); err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.Runner.AssignMentor(as, res.Application.ID, b.amb.ID); err != nil {
		b.t.Fatal(err)
	}
	return res
}

// blockers are the codes of an approval's refusal (nil when it went through).
func blockers(t *testing.T, err error) []any {
	t.Helper()
	if err == nil {
		return nil
	}
	ae := refusal(t, err, apierror.Conflict, "")
	var out []any
	bs, _ := ae.Extensions["blockers"].([]string)
	for _, b := range bs {
		out = append(out, b)
	}
	return out
}

// TestApproveBlockedByConflictAndMissingMentor: OpenStack's approval waits
// for the conflicts to be settled and a mentor, and names both.
func TestApproveBlockedByConflictAndMissingMentor(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	res := b.apply("Oakland {East Bay}", "Oakland")
	_, err := b.Runner.Approve(b.As(b.manager.ID), res.Application.ID)
	conflictOn(t, err, application.StatusSUBMITTED)
	if bl := blockers(t, err); !slices.Equal(bl, []any{policy.BlockerOpenConflicts, policy.BlockerNoMentor}) {
		t.Errorf("blockers = %v, want OPEN_CONFLICTS and NO_MENTOR", bl)
	}
	if got := b.app(res.Application.ID); got.Status != application.StatusSUBMITTED {
		t.Errorf("a refused approval left the request %s", got.Status)
	}
}

// TestReviewerSettlesTheProposal: a reviewer fixes the title, settles the
// conflict and assigns a mentor, who must be an ambassador; each is stored
// on the group and the request, which is then in review.
func TestReviewerSettlesTheProposal(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	res := b.apply("Oakland", "Oakland")
	id, as := res.Application.ID, b.As(b.manager.ID)
	_, err := b.Runner.AssignMentor(as, id, b.other.ID)
	refusal(t, err, apierror.BadUserInput, "mentor")
	name := "Oakland {East Bay}"
	if _, err := b.Runner.UpdateProposal(as, id, workflow.ProposalUpdate{Name: &name, Note: "Nickname added."}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Runner.ResolveConflict(as, id, b.sf.ID, "Bay Area covers San Francisco; East Bay meets in Oakland."); err != nil {
		t.Fatal(err)
	}
	app, err := b.Runner.AssignMentor(as, id, b.amb.ID)
	if err != nil || app.MentorID != b.amb.ID || app.Status != application.StatusIN_REVIEW {
		t.Fatalf("assign mentor: %+v, %v", app, err)
	}
	g := b.Client.Group.GetX(b.System(), res.Group.ID)
	if g.Name != name || g.MentorID != b.amb.ID {
		t.Errorf("group after review = %q mentor %q", g.Name, g.MentorID)
	}
	cf := b.app(id).Screening.Conflicts
	if len(cf) != 1 || cf[0].ResolvedAt == nil || !cf[0].ResolvedAt.Equal(b.Now()) || cf[0].ResolvedBy != string(b.manager.ID) {
		t.Errorf("the settled conflict = %+v", cf)
	}
}

// TestApproveOpensTheObjectionWindow: where the policy has a window, an
// approval opens it until now plus its hours, and a second one is refused
// while it is open.
func TestApproveOpensTheObjectionWindow(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	id := b.ready().Application.ID
	app, err := b.Runner.Approve(b.As(b.manager.ID), id)
	if err != nil || app.Status != application.StatusOBJECTION_WINDOW || app.ObjectionDeadline == nil ||
		!app.ObjectionDeadline.Equal(b.Now().Add(72*time.Hour)) {
		t.Fatalf("approve = %+v, %v", app, err)
	}
	_, err = b.Runner.Approve(b.As(b.manager.ID), id)
	conflictOn(t, err, application.StatusOBJECTION_WINDOW)
}

// TestApproveBlockedByOpenObjection: an ambassador's open objection holds
// the request past its window (an endorsement does not), and once a
// reviewer resolves it the window's end approves: the group is ACTIVE, the
// applicant its organizer and told so. The decision is final.
func TestApproveBlockedByOpenObjection(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	res := b.ready()
	id, sys := res.Application.ID, b.System()
	if _, err := b.Runner.Approve(b.As(b.manager.ID), id); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Runner.Object(b.As(b.amb2.ID), id, "Talk to the Bay Area organizers first.", false); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Runner.Object(b.As(b.amb.ID), id, "I will mentor them.", true); err != nil {
		t.Fatal(err)
	}
	start := b.Now()
	finish := func(at time.Time) int {
		t.Helper()
		n, err := workflow.FinishObjectionWindows(sys, workflow.NewRunner(b.Client, func() time.Time { return at }))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	later := start.Add(73 * time.Hour)
	if n := finish(later); n != 0 {
		t.Fatalf("window passed with an open objection: approved %d", n)
	}
	objection := b.Client.Review.Query().Where(review.ApplicationID(id), review.KindEQ(review.KindOBJECTION)).OnlyX(sys)
	_, err := b.Runner.ResolveObjection(b.As(b.amb.ID), objection.ID, "")
	refusal(t, err, apierror.BadUserInput, "note")
	resolved, err := b.Runner.ResolveObjection(b.As(b.manager.ID), objection.ID, "The organizers met and agreed.")
	if err != nil || resolved.Objection.ResolvedAt == nil || resolved.Objection.ResolvedByID != b.manager.ID || resolved.Application.ID != id {
		t.Fatalf("resolve: %+v, %v", resolved, err)
	}
	_, err = b.Runner.ResolveObjection(b.As(b.manager.ID), objection.ID, "Again.")
	wantCode(t, err, apierror.Conflict)
	if n := finish(start); n != 0 {
		t.Fatalf("approved before the deadline: %d", n)
	}
	if n := finish(later); n != 1 {
		t.Fatalf("window passed: approved %d", n)
	}

	app := b.app(id)
	var path []string
	for _, r := range b.Client.Review.Query().Where(review.ApplicationID(id), review.KindEQ(review.KindSTATUS_CHANGE)).Order(ent.Asc(review.FieldCreatedAt), ent.Asc(review.FieldID)).AllX(sys) {
		path = append(path, r.ToStatus)
	}
	if app.Status != application.StatusAPPROVED || !slices.Equal(path, []string{"IN_REVIEW", "OBJECTION_WINDOW", "APPROVED"}) {
		t.Errorf("status %s, path %v; want APPROVED via IN_REVIEW, OBJECTION_WINDOW", app.Status, path)
	}
	if g := b.Client.Group.GetX(sys, res.Group.ID); g.Status != group.StatusACTIVE || g.MentorID != b.amb.ID {
		t.Errorf("group %s, mentor %q", g.Status, g.MentorID)
	}
	organizer := b.Client.Role.Query().Where(role.GroupID(res.Group.ID), role.KindEQ(role.KindORGANIZER), role.UserID(b.applicant.ID), role.StatusEQ(role.StatusACTIVE)).ExistX(sys)
	queued := b.Client.Message.Query().Where(message.RecipientID(b.applicant.ID), message.Template("application_approved")).CountX(sys)
	if !organizer || queued != 1 {
		t.Errorf("organizer role %v, approval messages %d", organizer, queued)
	}
	// Decided is final.
	_, err = b.Runner.Reject(b.As(b.manager.ID), id, "SPAM", "x")
	conflictOn(t, err, application.StatusAPPROVED)
	_, err = b.Runner.Object(b.As(b.amb2.ID), id, "Too late.", false)
	conflictOn(t, err, application.StatusAPPROVED)
}

// TestApproveBlockedByOpenObjectionWithoutWindow: where the policy has no
// window an open objection is a blocker of the approval itself.
func TestApproveBlockedByOpenObjectionWithoutWindow(t *testing.T) {
	p := policy.OpenStack()
	p.ObjectionWindowHours = 0
	b := newBay(t, p)
	id := b.ready().Application.ID
	if _, err := b.Runner.Object(b.As(b.amb2.ID), id, "Talk to the Bay Area organizers first.", false); err != nil {
		t.Fatal(err)
	}
	_, err := b.Runner.Approve(b.As(b.manager.ID), id)
	if bl := blockers(t, err); !slices.Equal(bl, []any{policy.BlockerOpenObjections}) {
		t.Errorf("blockers = %v, want OPEN_OBJECTIONS", bl)
	}
}

// TestApproveNeedsTenSupportersFromTenOrganizations: openEuler's approval
// is refused with 9 supporters, or 10 from 9 organizations, and goes
// through (no objection window) with 10 from 10.
func TestApproveNeedsTenSupportersFromTenOrganizations(t *testing.T) {
	b := newBay(t, policy.OpenEuler())
	orgs := make([]*ent.Organization, 10)
	for i := range orgs {
		orgs[i] = b.Organization()
	}
	supporters := make([]*ent.User, 10)
	for i := range supporters {
		supporters[i] = b.inOakland(orgs[i])
	}
	// The applicant works for the first organization too.
	b.Import(func(ctx context.Context, c *ent.Client) error {
		return c.User.UpdateOne(b.applicant).SetOrganizationID(orgs[0].ID).Exec(ctx)
	})
	res := b.apply("Oakland", "Oakland")
	support := func(u *ent.User) {
		t.Helper()
		if _, err := b.Runner.SupportGroupRequest(b.As(u.ID), res.Group.ID); err != nil {
			t.Fatal(err)
		}
	}
	approve := func() []any {
		t.Helper()
		_, err := b.Runner.Approve(b.As(b.manager.ID), res.Application.ID)
		return blockers(t, err)
	}
	for _, u := range supporters[1:9] { // applicant + 8 = 9 people from 9 organizations
		support(u)
	}
	if bl := approve(); !slices.Equal(bl, []any{policy.BlockerFewSupporters, policy.BlockerFewOrgs}) {
		t.Errorf("9 supporters: blockers %v, want FEW_SUPPORTERS and FEW_SUPPORTER_ORGANIZATIONS", bl)
	}
	support(b.inOakland(orgs[1])) // a tenth person from an organization already counted
	if bl := approve(); !slices.Equal(bl, []any{policy.BlockerFewOrgs}) {
		t.Errorf("10 from 9 organizations: blockers %v", bl)
	}
	support(supporters[9]) // 11 people, 10 organizations
	if bl := approve(); bl != nil {
		t.Fatalf("10 organizations: still blocked %v", bl)
	}
	if s := b.app(res.Application.ID).Status; s != application.StatusAPPROVED {
		t.Errorf("openEuler has no objection window: status %s", s)
	}
}

// TestApproveAppointsOnlyPartnerApplicants: openEuler's first organizers
// come from partner enterprises and are appointed by the community's team.
// Approving a request from someone outside them makes the group without an
// organizer (listed for staff) and tells the applicant what happens next; a
// partner's employee is appointed at approval.
func TestApproveAppointsOnlyPartnerApplicants(t *testing.T) {
	p := policy.OpenEuler()
	p.MinSupporters, p.MinSupporterOrganizations = 0, 0 // this test is about the organizer, not the supporters
	b := newBay(t, p)
	sys := b.System()
	outsider := b.inOakland(b.Organization())
	partner := b.Partner(b.com)
	employee := b.User(func(u *ent.UserCreate) { u.SetCity("Berkeley").SetOrganizationID(partner.ID) })
	organizers := func(g pulid.ID) int {
		return b.Client.Role.Query().Where(role.GroupID(g), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).CountX(sys)
	}
	leaderless := func() []pulid.ID {
		gs, err := queue.Leaderless(sys, b.Client, b.com.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []pulid.ID
		for _, g := range gs {
			ids = append(ids, g.ID)
		}
		return ids
	}
	approve := func(u *ent.User, city string) pulid.ID {
		t.Helper()
		req := b.request(city, city)
		req.Links, req.Description = nil, "openEuler users meeting locally."
		res := b.applyAs(u, req)
		app, err := b.Runner.Approve(b.As(b.manager.ID), res.Application.ID)
		if err != nil || app.Status != application.StatusAPPROVED {
			t.Fatalf("approve: %+v, %v", app, err)
		}
		return res.Group.ID
	}

	gid := approve(outsider, "Oakland")
	if g := b.Client.Group.GetX(sys, gid); g.Status != group.StatusACTIVE || organizers(gid) != 0 {
		t.Errorf("a non-partner's group: %s with %d organizers, want ACTIVE with none", g.Status, organizers(gid))
	}
	if ids := leaderless(); !slices.Contains(ids, gid) {
		t.Errorf("groups without an organizer = %v, want the new group among them", ids)
	}
	m := b.Client.Message.Query().Where(message.RecipientID(outsider.ID), message.Template("application_approved")).OnlyX(sys)
	if strings.Contains(m.Body, "you are its organizer") || !strings.Contains(m.Body, "partner enterprises") || !strings.Contains(m.Body, "appoints") {
		t.Errorf("the applicant is not told what happens next: %q", m.Body)
	}

	gid = approve(employee, "Berkeley")
	if n := organizers(gid); n != 1 || !b.Client.Role.Query().Where(role.GroupID(gid), role.UserID(employee.ID), role.KindEQ(role.KindORGANIZER)).ExistX(sys) {
		t.Errorf("a partner's employee is not appointed at approval (%d organizers)", n)
	}
	if ids := leaderless(); slices.Contains(ids, gid) {
		t.Errorf("the appointed group is listed without an organizer: %v", ids)
	}
}

// TestConcurrentApprovalsOneWins: reviewers approving at once where there
// is no window: one wins, the others get CONFLICT, one organizer.
func TestConcurrentApprovalsOneWins(t *testing.T) {
	p := policy.OpenStack()
	p.RequireMentor, p.ConflictRadiusKm, p.ObjectionWindowHours = false, 0, 0
	b := newBayConcurrent(t, dbtest.OpenConcurrent(t), p)
	res := b.apply("Hayward", "Hayward")
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, who := range []*ent.User{b.manager, b.amb, b.amb2, b.manager} {
		ctx := b.As(who.ID)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := b.Runner.Approve(ctx, res.Application.ID)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	wins, conflicts := 0, 0
	for err := range errs {
		switch ae := errmap.Classify(err); {
		case err == nil:
			wins++
		case ae != nil && ae.Code == apierror.Conflict:
			conflicts++
		default:
			t.Errorf("approval answered %v", err)
		}
	}
	organizers := b.Client.Role.Query().Where(role.GroupID(res.Group.ID), role.KindEQ(role.KindORGANIZER)).CountX(b.System())
	if wins != 1 || conflicts != 3 || organizers != 1 {
		t.Errorf("%d approvals succeeded, %d conflicts, %d organizer roles; want 1, 3, 1", wins, conflicts, organizers)
	}
}

// raceRounds is how many times each race is run: each round is a fresh
// pair of contenders, so an unlocked count-then-write shows up in some.
const raceRounds = 12

// TestObjectionRacesApproval: an ambassador objects at the moment the
// objection window is closed by the scheduler, or a reviewer approves where
// there is no window, round after round. Either the objection lands first
// and the application stays undecided, or the approval lands first and
// the objection is refused: never an approval with an open objection.
func TestObjectionRacesApproval(t *testing.T) {
	p := policy.OpenStack()
	p.RequireMentor, p.ConflictRadiusKm = false, 0
	b := newBayConcurrent(t, dbtest.OpenConcurrent(t), p)
	sys := b.System()
	const reason = "This group already meets as a meetup of another project."
	later := b.Now().Add(100 * time.Hour)
	closer := workflow.NewRunner(b.Client, func() time.Time { return later })

	check := func(what string, i int, id pulid.ID, objection error, approved bool) {
		t.Helper()
		app := b.app(id)
		open := b.Client.Review.Query().Where(review.ApplicationID(id), review.KindEQ(review.KindOBJECTION), review.ResolvedAtIsNil()).CountX(sys)
		ae := errmap.Classify(objection)
		switch {
		case app.Status == application.StatusAPPROVED && open > 0:
			t.Errorf("%s, round %d: approved with %d open objection(s) (objection: %v)", what, i, open, objection)
		case approved != (app.Status == application.StatusAPPROVED):
			t.Errorf("%s, round %d: reported approved=%v, status %s", what, i, approved, app.Status)
		case objection != nil && (ae == nil || ae.Code != apierror.Conflict):
			t.Errorf("%s, round %d: the objection got %v, want CONFLICT", what, i, objection)
		case objection != nil && !approved:
			t.Errorf("%s, round %d: neither the objection nor the approval went through", what, i)
		}
	}

	cities := cityNames(2 * raceRounds)
	for i := range raceRounds {
		id := b.apply(cities[i], cities[i]).Application.ID
		if _, err := b.Runner.Approve(b.As(b.manager.ID), id); err != nil { // the window opens
			t.Fatal(err)
		}
		var objection error
		var approved int
		amb := b.As(b.amb.ID)
		dbtest.Together(
			func() {
				n, err := workflow.FinishObjectionWindows(sys, closer)
				if err != nil {
					t.Errorf("closing windows: %v", err)
				}
				approved = n
			},
			func() { _, objection = b.Runner.Object(amb, id, reason, false) },
		)
		check("window", i, id, objection, approved == 1)
	}

	// No window: the reviewer's approval takes effect at once.
	p.ObjectionWindowHours = 0
	b.Import(func(ctx context.Context, c *ent.Client) error {
		return c.Community.UpdateOne(b.com).SetPolicy(p).Exec(ctx)
	})
	for i := range raceRounds {
		city := cities[raceRounds+i]
		id := b.apply(city, city).Application.ID
		var objection, approval error
		mgr, amb := b.As(b.manager.ID), b.As(b.amb.ID)
		dbtest.Together(
			func() { _, approval = b.Runner.Approve(mgr, id) },
			func() { _, objection = b.Runner.Object(amb, id, reason, false) },
		)
		if ae := errmap.Classify(approval); approval != nil && (ae == nil || ae.Code != apierror.Conflict) {
			t.Errorf("direct, round %d: the approval got %v", i, approval)
		}
		check("direct", i, id, objection, approval == nil)
	}
}
