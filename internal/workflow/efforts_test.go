package workflow_test

import (
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestGlobalEfforts: an ambassador announces an effort to their region
// (not another), its groups' organizers are told once per group, an
// organizer opts a group in scope in and out, and groups out of scope or
// after the end are refused.
func TestGlobalEfforts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	europe, asia := w.Region(com), w.Region(com)
	paris := w.Group(com, group.StatusACTIVE, func(b *ent.GroupCreate) { b.SetRegionID(europe.ID) })
	lyon := w.Group(com, group.StatusACTIVE, func(b *ent.GroupCreate) { b.SetRegionID(europe.ID) })
	tokyo := w.Group(com, group.StatusACTIVE, func(b *ent.GroupCreate) { b.SetRegionID(asia.ID) })
	w.Group(com, group.StatusARCHIVED, func(b *ent.GroupCreate) { b.SetRegionID(europe.ID) })
	amb := w.Person(role.KindAMBASSADOR, europe)
	org := w.Person(role.KindORGANIZER, paris)
	w.Role(org, role.KindORGANIZER, lyon) // organizes two groups in scope
	tokyoOrg := w.Person(role.KindORGANIZER, tokyo)
	member := w.Person(role.KindMEMBER, paris)

	start, end := w.Now().Add(day), w.Now().Add(30*day)
	in := workflow.EffortAnnouncement{CommunityID: com.ID, RegionID: &asia.ID, Title: "Docs sprint", Description: "Fix the docs.", StartsAt: start, EndsAt: end}
	_, err := w.Runner.AnnounceGlobalEffort(w.As(amb.ID), in)
	wantCode(t, err, apierror.Forbidden) // another region
	in.RegionID = nil
	_, err = w.Runner.AnnounceGlobalEffort(w.As(amb.ID), in)
	wantCode(t, err, apierror.Forbidden) // the whole community is for staff
	in.RegionID = &europe.ID
	bad := in
	bad.EndsAt = start
	_, err = w.Runner.AnnounceGlobalEffort(w.As(amb.ID), bad)
	wantCode(t, err, apierror.BadUserInput)
	e, err := w.Runner.AnnounceGlobalEffort(w.As(amb.ID), in)
	if err != nil || e.RegionID != europe.ID {
		t.Fatalf("announce: %+v %v", e, err)
	}
	if n := w.Client.Message.Query().Where(message.TemplateEQ("global_effort"), message.RecipientID(org.ID)).CountX(w.System()); n != 2 {
		t.Errorf("organizer of two groups in scope got %d letters", n)
	}
	if n := w.Client.Message.Query().Where(message.TemplateEQ("global_effort"), message.RecipientID(tokyoOrg.ID)).CountX(w.System()); n != 0 {
		t.Errorf("out-of-scope organizer got %d letters", n)
	}

	_, err = w.Runner.JoinGlobalEffort(w.As(member.ID), e.ID, paris.ID)
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.JoinGlobalEffort(w.As(tokyoOrg.ID), e.ID, tokyo.ID)
	wantCode(t, err, apierror.BadUserInput) // out of scope
	if _, err := w.Runner.JoinGlobalEffort(w.As(org.ID), e.ID, paris.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.Runner.JoinGlobalEffort(w.As(org.ID), e.ID, paris.ID)
	wantCode(t, err, apierror.Conflict)
	if _, err := w.Runner.JoinGlobalEffort(w.As(org.ID), e.ID, lyon.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Runner.LeaveGlobalEffort(w.As(org.ID), e.ID, lyon.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.Runner.LeaveGlobalEffort(w.As(org.ID), e.ID, lyon.ID)
	wantCode(t, err, apierror.Conflict)
	w.Clock.Set(end)
	_, err = w.Runner.JoinGlobalEffort(w.As(org.ID), e.ID, lyon.ID)
	wantCode(t, err, apierror.Conflict)
	_, err = w.Runner.LeaveGlobalEffort(w.As(org.ID), e.ID, paris.ID)
	wantCode(t, err, apierror.Conflict)
}
