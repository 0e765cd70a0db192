package workflow_test

import (
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
