package workflow_test

import (
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestUpdateGroup: organizers and staff edit a running group; a nil field
// keeps its value, "" clears it, a rename follows the naming rule and takes
// a free slug, and coordinates come in pairs.
func TestUpdateGroup(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	g := w.Group(com, group.StatusACTIVE, func(b *ent.GroupCreate) {
		b.SetDescription("Old.").SetChatURL("https://chat.example.org/old")
	})
	taken := w.Group(com, group.StatusACTIVE, func(b *ent.GroupCreate) { b.SetName("Lyon").SetSlug("lyon") })
	org := w.Person(role.KindORGANIZER, g)
	staff := w.Person(role.KindCOMMUNITY_MANAGER, com)
	member := w.Person(role.KindMEMBER, g)
	otherOrg := w.Person(role.KindORGANIZER, taken)

	lat, lng := 45.76, 4.84
	got, err := w.Runner.UpdateGroup(w.As(org.ID), g.ID, workflow.GroupUpdate{
		Name: addr("Lyon {Stackers}"), WebsiteURL: addr("https://lyon.example.org"), ChatURL: addr(""),
		Latitude: &lat, Longitude: &lng,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Lyon {Stackers}" || got.Slug == g.Slug || got.Slug == taken.Slug || got.WebsiteURL != "https://lyon.example.org" ||
		got.ChatURL != "" || got.Description != "Old." || got.Latitude == nil || *got.Latitude != lat {
		t.Errorf("after update: %+v", got)
	}

	// Staff may edit; a rename keeping the slug's words keeps the slug.
	again, err := w.Runner.UpdateGroup(w.As(staff.ID), g.ID, workflow.GroupUpdate{Description: addr("  New.  ")})
	if err != nil || again.Description != "New." || again.Slug != got.Slug {
		t.Errorf("staff edit: %+v, %v", again, err)
	}

	for _, who := range []*ent.User{member, otherOrg} {
		_, err := w.Runner.UpdateGroup(w.As(who.ID), g.ID, workflow.GroupUpdate{Description: addr("x")})
		wantCode(t, err, apierror.Forbidden)
	}
	_, err = w.Runner.UpdateGroup(w.AsToken(org.ID, viewer.ScopeRead), g.ID, workflow.GroupUpdate{Description: addr("x")})
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.UpdateGroup(w.Anonymous(), g.ID, workflow.GroupUpdate{Description: addr("x")})
	wantCode(t, err, apierror.Unauthenticated)

	// Refusals name their field; the naming rule suggests a conforming name.
	ae := refused(t, wfUpdate(w, org, g, workflow.GroupUpdate{Name: addr("lyon")}), apierror.BadUserInput, "name")
	if ae.Extensions["suggestedName"] != "Lyon" {
		t.Errorf("rename refused without a suggestion: %+v", ae)
	}
	refused(t, wfUpdate(w, org, g, workflow.GroupUpdate{Name: addr("")}), apierror.BadUserInput, "name")
	refused(t, wfUpdate(w, org, g, workflow.GroupUpdate{LogoURL: addr("not a url")}), apierror.BadUserInput, "logoURL")
	refused(t, wfUpdate(w, org, g, workflow.GroupUpdate{Latitude: &lat}), apierror.BadUserInput, "longitude")
	refused(t, wfUpdate(w, org, g, workflow.GroupUpdate{Longitude: &lng}), apierror.BadUserInput, "latitude")
	bad := 200.0
	refused(t, wfUpdate(w, org, g, workflow.GroupUpdate{Latitude: &lat, Longitude: &bad}), apierror.BadUserInput, "longitude")
	if now, _ := w.Runner.UpdateGroup(w.As(staff.ID), g.ID, workflow.GroupUpdate{}); now == nil || now.Name != "Lyon {Stackers}" || now.LogoURL != "" {
		t.Errorf("a refused change left a trace: %+v", now)
	}

	// Only running groups are edited.
	proposed := w.Group(com, group.StatusPROPOSED)
	_, err = w.Runner.UpdateGroup(w.As(staff.ID), proposed.ID, workflow.GroupUpdate{Description: addr("x")})
	wantCode(t, err, apierror.Conflict)
}

func wfUpdate(w *world, u *ent.User, g *ent.Group, in workflow.GroupUpdate) error {
	_, err := w.Runner.UpdateGroup(w.As(u.ID), g.ID, in)
	return err
}

// TestSetHomeGroup: an ambassador picks a running group of their community
// as home group and clears it; others are refused.
func TestSetHomeGroup(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	reg := w.Region(com)
	g := w.Group(com, group.StatusACTIVE)
	elsewhere := w.Group(w.Community(policy.OpenStack()), group.StatusACTIVE)
	amb := w.Person(role.KindAMBASSADOR, reg)
	member := w.Person(role.KindMEMBER, g)

	roles, err := w.Runner.SetHomeGroup(w.As(amb.ID), &g.ID)
	if err != nil || len(roles) != 1 || roles[0].HomeGroupID != g.ID {
		t.Fatalf("set: %+v, %v", roles, err)
	}
	_, err = w.Runner.SetHomeGroup(w.As(amb.ID), &elsewhere.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.SetHomeGroup(w.As(member.ID), &g.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.SetHomeGroup(w.AsToken(amb.ID, viewer.ScopeRead), &g.ID)
	wantCode(t, err, apierror.Forbidden)
	proposed := w.Group(com, group.StatusPROPOSED)
	_, err = w.Runner.SetHomeGroup(w.As(amb.ID), &proposed.ID)
	refused(t, err, apierror.BadUserInput, "group")

	roles, err = w.Runner.SetHomeGroup(w.As(amb.ID), nil)
	if err != nil || len(roles) != 1 || roles[0].HomeGroupID != "" {
		t.Errorf("clear: %+v, %v", roles, err)
	}
}

// TestAmbassadorApprovalSetsHomeGroup: approving an ambassador application
// that names a group makes it the new ambassador's home group.
func TestAmbassadorApprovalSetsHomeGroup(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenEuler())
	g := w.Group(com, group.StatusACTIVE)
	staff := w.Person(role.KindCOMMUNITY_MANAGER, com)
	applicant := w.User()
	app := w.Application(com, applicant, application.KindAMBASSADOR, func(b *ent.ApplicationCreate) { b.SetGroupID(g.ID) })
	if _, err := w.Runner.Approve(w.As(staff.ID), app.ID); err != nil {
		t.Fatal(err)
	}
	roles, err := w.Client.Role.Query().Where(role.UserID(applicant.ID)).All(w.System())
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 1 || roles[0].Kind != role.KindAMBASSADOR || roles[0].HomeGroupID != g.ID {
		t.Errorf("roles after approval: %+v", roles)
	}
}

// TestRetireGroup: staff archive a running group with a reason; its roles
// end, home groups pointing at it are cleared, its people are told; others
// are refused and an archived group cannot be retired again.
func TestRetireGroup(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	g := w.Group(com, group.StatusACTIVE)
	staff := w.Person(role.KindCOMMUNITY_MANAGER, com)
	org := w.Person(role.KindORGANIZER, g)
	member := w.Person(role.KindMEMBER, g)
	amb := w.User()
	w.Role(amb, role.KindAMBASSADOR, w.Region(com), func(b *ent.RoleCreate) { b.SetHomeGroupID(g.ID) })
	joiner := w.User()
	join := w.Application(com, joiner, application.KindMEMBERSHIP, func(b *ent.ApplicationCreate) { b.SetGroupID(g.ID) })

	for _, who := range []*ent.User{org, member, amb} {
		_, err := w.Runner.RetireGroup(w.As(who.ID), g.ID, "quiet")
		wantCode(t, err, apierror.Forbidden)
	}
	_, err := w.Runner.RetireGroup(w.As(staff.ID), g.ID, "  ")
	refused(t, err, apierror.BadUserInput, "reason")

	got, err := w.Runner.RetireGroup(w.As(staff.ID), g.ID, "No meetings for two years.")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != group.StatusARCHIVED || got.EndedAt == nil || !got.EndedAt.Equal(w.Now()) || got.EndReason != "No meetings for two years." || got.MergedIntoID != "" {
		t.Errorf("retired group: %+v", got)
	}
	live := w.Client.Role.Query().Where(role.GroupID(g.ID), role.StatusEQ(role.StatusACTIVE)).CountX(w.System())
	home := w.Client.Role.Query().Where(role.UserID(amb.ID)).OnlyX(w.System())
	if live != 0 || home.HomeGroupID != "" || home.Status != role.StatusACTIVE {
		t.Errorf("after retiring: %d live roles, ambassador %+v", live, home)
	}
	for _, u := range []*ent.User{org, member} {
		if n := w.messages("group_retired", u); n != 1 {
			t.Errorf("%s told %d times", u.Handle, n)
		}
	}
	// A join request left open would grant a role in an archived group.
	if app := w.Client.Application.GetX(w.System(), join.ID); app.Status != application.StatusREJECTED || app.DecidedAt == nil ||
		!strings.Contains(app.DecisionReason, "No meetings for two years.") {
		t.Errorf("open join request after retiring: %+v", app)
	}
	if n := w.messages("application_closed", joiner); n != 1 {
		t.Errorf("applicant told %d times", n)
	}
	_, err = w.Runner.RetireGroup(w.As(staff.ID), g.ID, "again")
	wantCode(t, err, apierror.Conflict)
}

// TestMergeGroup: staff merge a group into another of the community; its
// active people become members of the survivor (once, keeping their
// obligation year), are told, and the survivor's organizers are told.
func TestMergeGroup(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	old := w.Group(com, group.StatusACTIVE)
	survivor := w.Group(com, group.StatusOFFICIAL)
	other := w.Group(w.Community(policy.OpenStack()), group.StatusACTIVE)
	staff := w.Person(role.KindCOMMUNITY_MANAGER, com)
	org := w.Person(role.KindORGANIZER, old)
	due := w.Now().AddDate(0, 6, 0)
	member := w.User()
	w.Role(member, role.KindMEMBER, old, func(b *ent.RoleCreate) { b.SetObligationDueAt(due) })
	both := w.Person(role.KindMEMBER, old)
	w.Role(both, role.KindMEMBER, survivor)
	pending := w.User()
	w.Role(pending, role.KindMEMBER, old, func(b *ent.RoleCreate) { b.SetStatus(role.StatusPENDING) })
	survivorOrg := w.Person(role.KindORGANIZER, survivor)

	_, err := w.Runner.MergeGroup(w.As(org.ID), old.ID, survivor.ID, "together")
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.MergeGroup(w.As(staff.ID), old.ID, old.ID, "together")
	refused(t, err, apierror.BadUserInput, "into")
	_, err = w.Runner.MergeGroup(w.As(staff.ID), old.ID, other.ID, "together")
	refused(t, err, apierror.BadUserInput, "into")

	got, err := w.Runner.MergeGroup(w.As(staff.ID), old.ID, survivor.ID, "Two groups in one city.")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != group.StatusARCHIVED || got.MergedIntoID != survivor.ID || got.EndReason != "Two groups in one city." {
		t.Errorf("merged group: %+v", got)
	}
	members := func(u *ent.User) []*ent.Role {
		return w.Client.Role.Query().Where(role.UserID(u.ID), role.GroupID(survivor.ID), role.StatusEQ(role.StatusACTIVE)).AllX(w.System())
	}
	if rs := members(member); len(rs) != 1 || rs[0].Kind != role.KindMEMBER || rs[0].ObligationDueAt == nil || !rs[0].ObligationDueAt.Equal(due) {
		t.Errorf("moved member: %+v", rs)
	}
	if rs := members(org); len(rs) != 1 || rs[0].Kind != role.KindMEMBER {
		t.Errorf("the old organizer becomes a member: %+v", rs)
	}
	if rs := members(both); len(rs) != 1 {
		t.Errorf("a member of both has %d roles in the survivor", len(rs))
	}
	if rs := members(pending); len(rs) != 0 {
		t.Errorf("a pending request was moved: %+v", rs)
	}
	for _, u := range []*ent.User{org, member, both, pending} {
		if n := w.messages("group_merged", u); n != 1 {
			t.Errorf("%s told %d times", u.Handle, n)
		}
	}
	if n := w.messages("group_merged_in", survivorOrg); n != 1 {
		t.Errorf("the survivor's organizer told %d times", n)
	}
	_, err = w.Runner.MergeGroup(w.As(staff.ID), survivor.ID, old.ID, "back")
	refused(t, err, apierror.BadUserInput, "into")
}
