package workflow_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

func policyUpdate(b *bay, patch func(*policy.Patch)) workflow.CommunityPolicyUpdate {
	in := workflow.CommunityPolicyUpdate{ID: b.com.ID}
	patch(&in.Patch)
	return in
}

func hours(n int) func(*policy.Patch) { return func(p *policy.Patch) { p.ObjectionWindowHours = &n } }

// TestUpdateCommunityPolicyIsStaffsAndChecked: only staff with a write
// credential change the policy; each value is checked by name and nothing
// is stored on a refusal; only the values given change, and a change (not
// a no-op) is audited with its actor.
func TestUpdateCommunityPolicyIsStaffsAndChecked(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	sys := b.System()
	_, err := b.Runner.UpdateCommunityPolicy(b.Anonymous(), policyUpdate(b, hours(1)))
	wantCode(t, err, apierror.Unauthenticated)
	_, err = b.Runner.UpdateCommunityPolicy(b.As(b.amb.ID), policyUpdate(b, hours(1)))
	wantCode(t, err, apierror.Forbidden)
	_, err = b.Runner.UpdateCommunityPolicy(b.AsToken(b.manager.ID, "read"), policyUpdate(b, hours(1)))
	wantCode(t, err, apierror.Forbidden)
	_, err = b.Runner.UpdateCommunityPolicy(b.As(b.manager.ID), workflow.CommunityPolicyUpdate{ID: "com_nothere"})
	wantCode(t, err, apierror.NotFound)

	minus, many, far, orgs, long := -1, 1001, 5000.5, 3, 99999
	for field, patch := range map[string]func(*policy.Patch){
		"objectionWindowHours":      func(p *policy.Patch) { p.ObjectionWindowHours = &minus },
		"maxOrganizersPerGroup":     func(p *policy.Patch) { p.MaxOrganizersPerGroup = &many },
		"conflictRadiusKm":          func(p *policy.Patch) { p.ConflictRadiusKm = &far },
		"minSupporterOrganizations": func(p *policy.Patch) { p.MinSupporterOrganizations = &orgs }, // more than minSupporters (0)
		"termLengthDays":            func(p *policy.Patch) { p.TermLengthDays = &long },
	} {
		_, err := b.Runner.UpdateCommunityPolicy(b.As(b.manager.ID), policyUpdate(b, patch))
		refusal(t, err, apierror.BadUserInput, field)
	}
	if got := b.Client.Community.GetX(sys, b.com.ID).Policy; !reflect.DeepEqual(got, policy.OpenStack()) {
		t.Errorf("a refused change was stored: %+v", got)
	}

	com, err := b.Runner.UpdateCommunityPolicy(b.As(b.manager.ID), policyUpdate(b, hours(1)))
	want := policy.OpenStack()
	want.ObjectionWindowHours = 1
	if err != nil || !reflect.DeepEqual(com.Policy, want) {
		t.Fatalf("policy after the change = %+v, %v", com, err)
	}
	changes := b.Client.Change.Query().Where(change.NodeID(string(b.com.ID)), change.Topic("community")).AllX(sys)
	if len(changes) != 1 || changes[0].Op != change.OpUPDATED || changes[0].ActorID != string(b.manager.ID) || changes[0].CommunityID != string(b.com.ID) {
		t.Errorf("audit rows = %+v, want one by the manager", changes)
	}
	if _, err := b.Runner.UpdateCommunityPolicy(b.As(b.manager.ID), policyUpdate(b, hours(1))); err != nil {
		t.Fatal(err)
	}
	if n := b.Client.Change.Query().Where(change.NodeID(string(b.com.ID)), change.Topic("community")).CountX(sys); n != 1 {
		t.Errorf("%d audit rows after an unchanged value, want 1", n)
	}
	// The audit trail, which outlives the change log, has it too, once.
	audits := b.Client.AuditEntry.Query().Where(auditentry.NodeID(string(b.com.ID))).AllX(sys)
	if len(audits) != 1 || audits[0].Action != auditentry.ActionUPDATED || audits[0].ActorID != string(b.manager.ID) {
		t.Errorf("audit entries = %+v, want one by the manager", audits)
	}
}

// TestPolicyObjectionWindowDrivesTheScheduler: a one-hour window set by
// staff is the next approval's: the scheduler's tick approves an hour
// later, not before, and not while an objection is open.
func TestPolicyObjectionWindowDrivesTheScheduler(t *testing.T) {
	b := newBay(t, policy.OpenStack())
	if _, err := b.Runner.UpdateCommunityPolicy(b.As(b.manager.ID), policyUpdate(b, hours(1))); err != nil {
		t.Fatal(err)
	}
	id := b.ready().Application.ID
	app, err := b.Runner.Approve(b.As(b.manager.ID), id)
	if err != nil || app.Status != application.StatusOBJECTION_WINDOW || !app.ObjectionDeadline.Equal(b.Now().Add(time.Hour)) {
		t.Fatalf("approve = %+v, %v", app, err)
	}
	deadline := *app.ObjectionDeadline
	tick := func(at time.Time) int {
		t.Helper()
		b.Clock.Set(at)
		rep, err := b.tick()
		if err != nil {
			t.Fatal(err)
		}
		return rep.Approved
	}
	if n := tick(deadline.Add(-time.Minute)); n != 0 {
		t.Fatalf("tick inside the window approved %d", n)
	}
	if _, err := b.Runner.Object(b.As(b.amb2.ID), id, "Talk to the Bay Area organizers first.", false); err != nil {
		t.Fatal(err)
	}
	if n := tick(deadline.Add(time.Minute)); n != 0 {
		t.Fatalf("tick with an open objection approved %d", n)
	}
	objection := b.Client.Review.Query().Where(review.ApplicationID(id), review.KindEQ(review.KindOBJECTION)).OnlyX(b.System())
	if _, err := b.Runner.ResolveObjection(b.As(b.manager.ID), objection.ID, "They met and agreed."); err != nil {
		t.Fatal(err)
	}
	if n := tick(deadline.Add(time.Minute)); n != 1 {
		t.Fatalf("tick after the window approved %d", n)
	}
	if s := b.app(id).Status; s != application.StatusAPPROVED {
		t.Errorf("status = %s, want APPROVED", s)
	}
}
