package workflow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// openYear is openEuler's policy with open membership, so a test's members
// join at once (the obligation is what is under test, not the approval).
func openYear() policy.Policy {
	p := policy.OpenEuler()
	p.MembershipNeedsApproval, p.MembershipRequiresArticle = false, false
	return p
}

// Contribution records a contribution of u credited to g, in status, that
// occurred at the given time (as the contributions steps would leave it).
func (w *world) Contribution(u *ent.User, g *ent.Group, status contribution.Status, occurred time.Time) *ent.Contribution {
	w.t.Helper()
	now := w.Now()
	return create(w, func(ctx context.Context, c *ent.Client) (*ent.Contribution, error) {
		b := c.Contribution.Create().SetCommunityID(g.CommunityID).SetUserID(u.ID).SetGroupID(g.ID).
			SetKind(contribution.KindTALK).SetTitle("A talk at the meetup").SetOccurredOn(occurred).SetStatus(status)
		if status == contribution.StatusVERIFIED {
			b.SetVerifiedAt(now).SetPoints(5)
		}
		return b.Save(ctx)
	})
}

// join makes u a member of g through the join step and returns the role.
func (w *world) join(u *ent.User, g *ent.Group) *ent.Role {
	w.t.Helper()
	res, err := w.Runner.JoinGroup(w.As(u.ID), workflow.JoinRequest{GroupID: g.ID})
	if err != nil || res.Role == nil {
		w.t.Fatalf("%s joining %s: %+v, %v", u.Handle, g.Name, res, err)
	}
	return w.Client.Role.GetX(w.System(), res.Role.ID)
}

// tickWant runs a tick and fails the test unless it warned, renewed and
// lapsed as many as given (and did nothing else that is reported).
func (w *world) tickWant(what string, warned, renewed, lapsed int) {
	w.t.Helper()
	rep, err := w.tick()
	if want := (workflow.TickReport{Warned: warned, Renewed: renewed, Lapsed: lapsed}); err != nil || rep != want {
		w.t.Fatalf("%s: tick = %+v, %v; want %+v", what, rep, err, want)
	}
}

func (w *world) messages(template string, u *ent.User) int {
	return w.Client.Message.Query().Where(message.Template(template), message.RecipientID(u.ID)).CountX(w.System())
}

// TestObligationYear walks members through a year: windows start on
// joining, warnings go out 30 and 7 days before the end once each, and at
// the end a member who did nothing lapses (once, logged and told), one
// with a verified contribution renews from the old due date, one whose
// contribution waits is held until it is decided, and an organizer renews
// by running the group. The lapsed member may join again.
func TestObligationYear(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sys := w.System()
	com := w.Community(openYear())
	g := w.Group(com, group.StatusACTIVE)
	lazy, active, waiting, org := w.User(), w.User(), w.User(), w.User()
	joinedAt := w.Now()
	lazyRole, activeRole, waitingRole, orgRole := w.join(lazy, g), w.join(active, g), w.join(waiting, g), w.join(org, g)
	w.Role(org, role.KindORGANIZER, g) // a member who became the organizer
	due := joinedAt.AddDate(0, 0, 365)
	for _, ro := range []*ent.Role{lazyRole, activeRole, waitingRole, orgRole} {
		if ro.ObligationStartedAt == nil || !ro.ObligationStartedAt.Equal(joinedAt) || ro.ObligationDueAt == nil || !ro.ObligationDueAt.Equal(due) {
			t.Fatalf("a new membership's window: [%v, %v), want [%v, %v)", ro.ObligationStartedAt, ro.ObligationDueAt, joinedAt, due)
		}
	}
	w.tickWant("just after joining", 0, 0, 0)

	// A contribution before the window does not count; one inside does.
	w.Contribution(active, g, contribution.StatusVERIFIED, joinedAt.Add(-day))
	w.Contribution(active, g, contribution.StatusVERIFIED, joinedAt.Add(40*day))
	w.Contribution(waiting, g, contribution.StatusVERIFIED, joinedAt.Add(-day))
	pending := w.Contribution(waiting, g, contribution.StatusPENDING, joinedAt.Add(100*day))
	// Verified, but credited to no group of theirs: it does not count here.
	other := w.Group(com, group.StatusACTIVE)
	w.Contribution(lazy, other, contribution.StatusVERIFIED, joinedAt.Add(50*day))

	w.Clock.Set(due.AddDate(0, 0, -31))
	w.tickWant("31 days before", 0, 0, 0)
	w.Clock.Set(due.AddDate(0, 0, -30))
	w.tickWant("30 days before", 2, 0, 0) // lazy and waiting; not active, not the organizer
	w.tickWant("30 days before, again", 0, 0, 0)
	w.Clock.Advance(3 * day)
	w.tickWant("27 days before", 0, 0, 0)
	w.Clock.Set(due.AddDate(0, 0, -7))
	w.tickWant("7 days before", 2, 0, 0)
	w.tickWant("7 days before, again", 0, 0, 0)
	for _, u := range []*ent.User{lazy, waiting} {
		if n := w.messages("obligation_warning", u); n != 2 {
			t.Errorf("%s got %d warnings, want 2", u.Handle, n)
		}
	}
	for _, u := range []*ent.User{active, org} {
		if n := w.messages("obligation_warning", u); n != 0 {
			t.Errorf("%s, who met the obligation, got %d warnings", u.Handle, n)
		}
	}
	warning := w.Client.Message.Query().Where(message.Template("obligation_warning"), message.RecipientID(lazy.ID)).FirstX(sys)
	if !strings.Contains(warning.Body, g.Name) || !strings.Contains(warning.Body, due.Format("2 January 2006")) {
		t.Errorf("the warning does not name the group and the date:\n%s", warning.Body)
	}

	changes := func(ro *ent.Role) int {
		return w.Client.Change.Query().Where(change.NodeID(string(ro.ID)), change.OpEQ(change.OpUPDATED)).CountX(sys)
	}
	before := changes(lazyRole)
	w.Clock.Set(due)
	w.tickWant("at the due date", 0, 2, 1) // active and the organizer renew, lazy lapses, waiting is held
	w.tickWant("at the due date, again", 0, 0, 0)

	got := w.Client.Role.GetX(sys, lazyRole.ID)
	if got.Status != role.StatusLAPSED || got.EndedAt == nil || !got.EndedAt.Equal(due) || !strings.Contains(got.EndReason, "obligation") {
		t.Errorf("the lazy member's role: %s ended %v (%q)", got.Status, got.EndedAt, got.EndReason)
	}
	if n := changes(lazyRole) - before; n != 1 {
		t.Errorf("%d change entries for the lapse, want 1", n)
	}
	if n := w.messages("membership_lapsed", lazy); n != 1 {
		t.Errorf("%d lapse messages, want 1", n)
	}
	for _, ro := range []*ent.Role{activeRole, orgRole} {
		got := w.Client.Role.GetX(sys, ro.ID)
		if got.Status != role.StatusACTIVE || !got.ObligationStartedAt.Equal(due) || !got.ObligationDueAt.Equal(due.AddDate(0, 0, 365)) {
			t.Errorf("a renewed membership: %s [%v, %v)", got.Status, got.ObligationStartedAt, got.ObligationDueAt)
		}
	}
	if got := w.Client.Role.GetX(sys, waitingRole.ID); got.Status != role.StatusACTIVE || !got.ObligationDueAt.Equal(due) {
		t.Errorf("the held membership: %s due %v", got.Status, got.ObligationDueAt)
	}

	// Verified later, the waiting contribution renews the held membership
	// from its old due date.
	w.Clock.Advance(5 * day)
	w.Import(func(ctx context.Context, c *ent.Client) error {
		return c.Contribution.UpdateOne(pending).SetStatus(contribution.StatusVERIFIED).SetVerifiedAt(w.Now()).Exec(ctx)
	})
	w.tickWant("after the verification", 0, 1, 0)
	if got := w.Client.Role.GetX(sys, waitingRole.ID); got.Status != role.StatusACTIVE || !got.ObligationDueAt.Equal(due.AddDate(0, 0, 365)) {
		t.Errorf("the held membership once verified: %s due %v", got.Status, got.ObligationDueAt)
	}

	// The lapsed member joins again under the normal rule, with a new year.
	again := w.join(lazy, g)
	if again.ID == lazyRole.ID || again.Status != role.StatusACTIVE || !again.ObligationDueAt.Equal(w.Now().AddDate(0, 0, 365)) {
		t.Errorf("rejoining: %+v", again)
	}
}

// TestObligationHeldThenDeclined: a held membership lapses once its only
// contribution is declined.
func TestObligationHeldThenDeclined(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	g := w.Group(w.Community(openYear()), group.StatusACTIVE)
	u := w.User()
	ro := w.join(u, g)
	c := w.Contribution(u, g, contribution.StatusPENDING, w.Now().Add(day))
	w.Clock.Set(*ro.ObligationDueAt)
	w.tickWant("at the due date", 0, 0, 0)
	w.tickWant("held", 0, 0, 0)
	w.Import(func(ctx context.Context, cl *ent.Client) error {
		return cl.Contribution.UpdateOne(c).SetStatus(contribution.StatusDECLINED).SetDeclineReason("not a talk").Exec(ctx)
	})
	w.tickWant("declined", 0, 0, 1)
	if got := w.Client.Role.GetX(w.System(), ro.ID); got.Status != role.StatusLAPSED {
		t.Errorf("status %s, want LAPSED", got.Status)
	}
}

// TestObligationNeverLapsesWithoutTheRule: OpenStack has no yearly
// obligation: no window, no warning, no lapse, however long.
func TestObligationNeverLapsesWithoutTheRule(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	g := w.Group(w.Community(policy.OpenStack()), group.StatusACTIVE)
	u := w.User()
	ro := w.join(u, g)
	if ro.ObligationDueAt != nil || ro.ObligationStartedAt != nil {
		t.Errorf("an OpenStack membership has a window: [%v, %v)", ro.ObligationStartedAt, ro.ObligationDueAt)
	}
	for range 3 {
		w.Clock.Advance(200 * day)
		w.tickWant("years later", 0, 0, 0)
	}
	if got := w.Client.Role.GetX(w.System(), ro.ID); got.Status != role.StatusACTIVE || got.ObligationDueAt != nil {
		t.Errorf("the OpenStack membership: %s due %v", got.Status, got.ObligationDueAt)
	}
	if n := w.Client.Message.Query().Where(message.TemplateIn("obligation_warning", "membership_lapsed")).CountX(w.System()); n != 0 {
		t.Errorf("%d obligation messages", n)
	}
}

// TestObligationPolicyChangesApplyFromTheNextWindow: changing the window's
// length leaves the current window alone and sets the next one; dropping
// the rule clears the obligation at the end of the window and nobody lapses.
// Members who had no window get one once the community takes up the rule.
func TestObligationPolicyChangesApplyFromTheNextWindow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sys := w.System()
	com := w.Community(openYear())
	g := w.Group(com, group.StatusACTIVE)
	u, idle := w.User(), w.User()
	ro, idleRole := w.join(u, g), w.join(idle, g)
	due := *ro.ObligationDueAt
	setWindow := func(days int) {
		p := openYear()
		p.ObligationWindowDays = days
		w.Import(func(ctx context.Context, c *ent.Client) error {
			return c.Community.UpdateOneID(com.ID).SetPolicy(p).Exec(ctx)
		})
	}
	setWindow(90)
	if got := w.Client.Role.GetX(sys, ro.ID); !got.ObligationDueAt.Equal(due) {
		t.Fatalf("the current window changed with the policy: due %v, want %v", got.ObligationDueAt, due)
	}
	w.Contribution(u, g, contribution.StatusVERIFIED, w.Now().Add(day))
	w.Contribution(idle, g, contribution.StatusVERIFIED, w.Now().Add(day))
	w.Clock.Set(due)
	w.tickWant("end of the first window", 0, 2, 0)
	if got := w.Client.Role.GetX(sys, ro.ID); !got.ObligationStartedAt.Equal(due) || !got.ObligationDueAt.Equal(due.AddDate(0, 0, 90)) {
		t.Errorf("the next window: [%v, %v), want 90 days from %v", got.ObligationStartedAt, got.ObligationDueAt, due)
	}
	setWindow(0)
	w.Clock.Set(due.AddDate(0, 0, 90))
	w.tickWant("end of the second window, the rule dropped", 0, 0, 0)
	for _, r := range []*ent.Role{ro, idleRole} {
		if got := w.Client.Role.GetX(sys, r.ID); got.Status != role.StatusACTIVE || got.ObligationDueAt != nil || got.ObligationStartedAt != nil {
			t.Errorf("with the rule dropped: %s [%v, %v)", got.Status, got.ObligationStartedAt, got.ObligationDueAt)
		}
	}
	// The rule comes back: every active member gets a window from now.
	setWindow(365)
	w.tickWant("the rule taken up again", 0, 0, 0)
	for _, r := range []*ent.Role{ro, idleRole} {
		if got := w.Client.Role.GetX(sys, r.ID); got.ObligationDueAt == nil || !got.ObligationStartedAt.Equal(w.Now()) || !got.ObligationDueAt.Equal(w.Now().AddDate(0, 0, 365)) {
			t.Errorf("adopted: [%v, %v)", got.ObligationStartedAt, got.ObligationDueAt)
		}
	}
}
