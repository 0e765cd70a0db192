package workflow_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/invite"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/queue"
	"github.com/usergroups/usergroups/internal/workflow"
)

// refused checks that err is the API error code (on field, for
// BAD_USER_INPUT, when field is not empty) and returns it.
func refused(t testing.TB, err error, code apierror.Code, field string) *apierror.Error {
	t.Helper()
	wantCode(t, err, code)
	ae := errmap.Classify(err)
	if ae == nil {
		return &apierror.Error{}
	}
	if field != "" && ae.Field != field {
		t.Errorf("refusal on field %q, want %q: %v", ae.Field, field, err)
	}
	return ae
}

// noErr fails the test now when a step that must succeed did not.
func noErr(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (w *world) organizerCount(g *ent.Group) int {
	w.t.Helper()
	n, err := w.Client.Role.Query().Where(role.GroupID(g.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).Count(w.System())
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func TestJoinGroupWithOpenMembershipGrantsAtOnceAndOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	paris, proposed := w.Group(com, group.StatusACTIVE), w.Group(com, group.StatusPROPOSED)
	ada := w.User()
	res, err := w.Runner.JoinGroup(w.As(ada.ID), workflow.JoinRequest{GroupID: paris.ID})
	noErr(t, "join", err)
	if res.Role == nil || res.Role.Status != role.StatusACTIVE || res.Role.Kind != role.KindMEMBER || res.Application != nil {
		t.Fatalf("join: %+v", res)
	}
	_, err = w.Runner.JoinGroup(w.As(ada.ID), workflow.JoinRequest{GroupID: paris.ID})
	wantCode(t, err, apierror.Conflict)
	_, err = w.Runner.JoinGroup(w.As(ada.ID), workflow.JoinRequest{GroupID: proposed.ID})
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["status"] != "PROPOSED" {
		t.Errorf("joining a proposed group: %v", ae.Extensions)
	}
	_, err = w.Runner.JoinGroup(w.Anonymous(), workflow.JoinRequest{GroupID: paris.ID})
	wantCode(t, err, apierror.Unauthenticated)
}

func TestJoinGroupAsksForAnArticleWhereThePolicyDoes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	wuhan := w.Group(w.Community(policy.OpenEuler()), group.StatusACTIVE)
	bob := w.User()
	_, err := w.Runner.JoinGroup(w.As(bob.ID), workflow.JoinRequest{GroupID: wuhan.ID})
	refused(t, err, apierror.BadUserInput, "articleURL")
	res, err := w.Runner.JoinGroup(w.As(bob.ID), workflow.JoinRequest{GroupID: wuhan.ID, ArticleURL: "https://forum.example.org/t/bob-on-euler"})
	noErr(t, "join with an article", err)
	if res.Role != nil || res.Application == nil || res.Application.Kind != application.KindMEMBERSHIP {
		t.Fatalf("openEuler join: %+v", res)
	}
	_, err = w.Runner.JoinGroup(w.As(bob.ID), workflow.JoinRequest{GroupID: wuhan.ID, ArticleURL: "https://forum.example.org/t/2"})
	wantCode(t, err, apierror.Conflict) // a request is already waiting
}

func TestRemoveMemberTakesTheGroupsOrganizersAndAnOrganizerTakesStaff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenStack())
	paris := w.Group(com, group.StatusACTIVE)
	org, ada, bob, mgr := w.Person(role.KindORGANIZER, paris), w.Person(role.KindMEMBER, paris), w.Person(role.KindMEMBER, paris), w.Person(role.KindCOMMUNITY_MANAGER, com)
	const why = "Repeated spam in the chat."
	_, err := w.Runner.RemoveMember(w.As(bob.ID), w.groupRole(ada, paris), why)
	wantCode(t, err, apierror.Forbidden)
	roles, err := w.Runner.RemoveMember(w.As(org.ID), w.groupRole(ada, paris), why)
	noErr(t, "the organizer removes ada", err)
	if len(roles) != 1 || roles[0].Status != role.StatusREMOVED || roles[0].EndReason != why {
		t.Errorf("removed: %+v", roles)
	}
	_, err = w.Runner.RemoveMember(w.As(org.ID), w.groupRole(ada, paris), why)
	wantCode(t, err, apierror.Conflict) // removing twice
	_, err = w.Runner.RemoveMember(w.As(org.ID), w.groupRole(org, paris), why)
	refused(t, err, apierror.BadUserInput, "id") // leaving is leaveGroup
	other := w.Person(role.KindORGANIZER, paris)
	_, err = w.Runner.RemoveMember(w.As(org.ID), w.groupRole(other, paris), why)
	wantCode(t, err, apierror.Forbidden) // an organizer removes an organizer
	// Staff may remove the last organizer (with a reason).
	_, err = w.Runner.RemoveMember(w.As(mgr.ID), w.groupRole(other, paris), why)
	noErr(t, "staff remove an organizer", err)
	_, err = w.Runner.RemoveMember(w.As(mgr.ID), w.groupRole(org, paris), why)
	noErr(t, "staff remove the last organizer", err)
	// The role names the person and the group: an unknown one is not
	// found, and a community role is no one's membership of a group.
	_, err = w.Runner.RemoveMember(w.As(mgr.ID), "rol_nothere", why)
	wantCode(t, err, apierror.NotFound)
	_, err = w.Runner.RemoveMember(w.As(mgr.ID), w.Role(w.User(), role.KindAMBASSADOR, com).ID, why)
	refused(t, err, apierror.BadUserInput, "id")
	if n := w.organizerCount(paris); n != 0 {
		t.Errorf("%d organizers left", n)
	}
}

func TestLeaveGroupRefusesLastOrganizer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	paris := w.Group(w.Community(policy.OpenStack()), group.StatusACTIVE)
	org, ada := w.Person(role.KindORGANIZER, paris), w.Person(role.KindMEMBER, paris)
	_, err := w.Runner.LeaveGroup(w.As(org.ID), paris.ID)
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["reason"] != workflow.ReasonLastOrganizer {
		t.Errorf("the last organizer leaves: %v", err)
	}
	roles, err := w.Runner.LeaveGroup(w.As(ada.ID), paris.ID)
	noErr(t, "a member leaves", err)
	if len(roles) != 1 || roles[0].Status != role.StatusLEFT {
		t.Errorf("left: %+v", roles)
	}
	_, err = w.Runner.LeaveGroup(w.As(ada.ID), paris.ID)
	wantCode(t, err, apierror.Conflict) // not in the group any more
}

// resolvedBy checks a LAST_ORGANIZER refusal and returns who it names.
func resolvedBy(t *testing.T, what string, err error) []string {
	t.Helper()
	ae := refused(t, err, apierror.Conflict, "")
	if ae.Extensions["reason"] != workflow.ReasonLastOrganizer {
		t.Fatalf("%s: %v", what, err)
	}
	who, _ := ae.Extensions["resolvedBy"].([]string)
	return who
}

func (w *world) leaderless(com *ent.Community) []string {
	w.t.Helper()
	gs, err := queue.Leaderless(w.System(), w.Client, com.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	var slugs []string
	for _, g := range gs {
		slugs = append(slugs, g.Slug)
	}
	return slugs
}

// groupRole is u's first role in g, whatever its kind and status: what a
// roster shows of them, and how removeMember names them.
func (w *world) groupRole(u *ent.User, g *ent.Group) pulid.ID {
	w.t.Helper()
	r, err := w.Client.Role.Query().Where(role.UserID(u.ID), role.GroupID(g.ID)).Order(ent.Asc(role.FieldID)).First(w.System())
	if err != nil {
		w.t.Fatal(err)
	}
	return r.ID
}

func (w *world) organizerRole(u *ent.User, g *ent.Group) *ent.Role {
	w.t.Helper()
	r, err := w.Client.Role.Query().Where(role.UserID(u.ID), role.GroupID(g.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).Only(w.System())
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// TestLastOrganizerRefusalNamesWhoCanResolveIt: a group's last organizer
// cannot leave on their own, and the refusal names who can resolve it under
// the community's policy; then that person takes the suggested step and it
// works. openEuler (staff appoint, one organizer per group): a community
// manager revokes the role and appoints a successor. OpenStack (organizers
// appoint): the organizer makes a member an organizer and then leaves; staff
// may still remove a last organizer there too.
func TestLastOrganizerRefusalNamesWhoCanResolveIt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	oe, os := w.Community(policy.OpenEuler()), w.Community(policy.OpenStack())
	partner := w.Partner(oe)
	fromPartner := func(b *ent.UserCreate) { b.SetOrganizationID(partner.ID) }
	wuhan, paris := w.Group(oe, group.StatusACTIVE), w.Group(os, group.StatusACTIVE)
	member := func(g *ent.Group, organizer bool) *ent.User {
		u := w.User(fromPartner)
		w.Role(u, role.KindMEMBER, g)
		if organizer {
			w.Role(u, role.KindORGANIZER, g)
		}
		return u
	}
	wOrg, wMember, oeStaff := member(wuhan, true), member(wuhan, false), w.Person(role.KindCOMMUNITY_MANAGER, oe)
	pOrg, pMember, osStaff := member(paris, true), member(paris, false), w.Person(role.KindCOMMUNITY_MANAGER, os)

	// openEuler: only staff can appoint, and the one seat is taken, so the
	// refusal names the community manager alone...
	_, err := w.Runner.LeaveGroup(w.As(wOrg.ID), wuhan.ID)
	if who := resolvedBy(t, "the openEuler organizer leaves", err); !slices.Equal(who, []string{"COMMUNITY_MANAGER"}) {
		t.Errorf("openEuler refusal names %v, want the community manager", who)
	}
	_, err = w.Runner.EndRole(w.As(wOrg.ID), w.organizerRole(wOrg, wuhan).ID, "", workflow.OwnRole)
	if who := resolvedBy(t, "the openEuler organizer steps down", err); !slices.Equal(who, []string{"COMMUNITY_MANAGER"}) ||
		!strings.Contains(err.Error(), "community manager") {
		t.Errorf("stepDown refusal: %v %v", who, err)
	}
	// ...the grant the organizer might try is indeed not theirs to make...
	_, err = w.Runner.GrantGroupRole(w.As(wOrg.ID), wuhan.ID, wMember.ID, role.KindORGANIZER)
	wantCode(t, err, apierror.Forbidden)
	// ...and the community manager can do what it says.
	ro, err := w.Runner.EndRole(w.As(oeStaff.ID), w.organizerRole(wOrg, wuhan).ID, "Stepping down at their request.", workflow.OthersRole)
	noErr(t, "staff revoke the last organizer", err)
	if ro.Status != role.StatusREMOVED {
		t.Fatalf("revoked: %+v", ro)
	}
	if got := w.leaderless(oe); !slices.Contains(got, wuhan.Slug) {
		t.Errorf("groupsWithoutOrganizer = %v, want %s", got, wuhan.Slug)
	}
	ro, err = w.Runner.GrantGroupRole(w.As(oeStaff.ID), wuhan.ID, wMember.ID, role.KindORGANIZER)
	if err != nil || ro.Status != role.StatusACTIVE {
		t.Errorf("staff appoint the successor: %+v %v", ro, err)
	}
	if got := w.leaderless(oe); slices.Contains(got, wuhan.Slug) {
		t.Errorf("%s still without organizer: %v", wuhan.Slug, got)
	}

	// OpenStack: organizers appoint and there is no cap, so the organizer
	// can name a successor, then leave.
	_, err = w.Runner.LeaveGroup(w.As(pOrg.ID), paris.ID)
	if who := resolvedBy(t, "the OpenStack organizer leaves", err); !slices.Equal(who, []string{"ORGANIZER", "COMMUNITY_MANAGER"}) {
		t.Errorf("OpenStack refusal names %v", who)
	}
	ro, err = w.Runner.GrantGroupRole(w.As(pOrg.ID), paris.ID, pMember.ID, role.KindORGANIZER)
	if err != nil || ro.Status != role.StatusACTIVE {
		t.Fatalf("the organizer names a successor: %+v %v", ro, err)
	}
	_, err = w.Runner.LeaveGroup(w.As(pOrg.ID), paris.ID)
	noErr(t, "the organizer leaves after naming a successor", err)
	// The successor is now the last one; staff may still remove them.
	_, err = w.Runner.EndRole(w.As(pMember.ID), w.organizerRole(pMember, paris).ID, "", workflow.OwnRole)
	resolvedBy(t, "the successor steps down", err)
	roles, err := w.Runner.RemoveMember(w.As(osStaff.ID), w.groupRole(pMember, paris), "Stepping back, at their request.")
	if err != nil || len(roles) == 0 || roles[0].Status != role.StatusREMOVED {
		t.Errorf("staff remove the last organizer: %+v %v", roles, err)
	}
	if got := w.leaderless(os); !slices.Contains(got, paris.Slug) {
		t.Errorf("groupsWithoutOrganizer = %v, want %s", got, paris.Slug)
	}
}

func TestGrantGroupRoleFollowsWhoAppointsAndTheCap(t *testing.T) {
	t.Parallel()
	w := newWorldOn(t, dbtest.OpenConcurrent(t))
	os, oe := w.Community(policy.OpenStack()), w.Community(policy.OpenEuler())
	partner := w.Partner(oe)
	paris, wuhan := w.Group(os, group.StatusACTIVE), w.Group(oe, group.StatusACTIVE)
	at := func(g *ent.Group, kind role.Kind) *ent.User {
		u := w.User(func(b *ent.UserCreate) { b.SetOrganizationID(partner.ID) })
		w.Role(u, kind, g)
		return u
	}
	org, ada := at(paris, role.KindORGANIZER), at(paris, role.KindMEMBER)
	wm1, wm2 := at(wuhan, role.KindMEMBER), at(wuhan, role.KindMEMBER)
	outsider, oeStaff := w.User(), w.Person(role.KindCOMMUNITY_MANAGER, oe)

	// OpenStack: an organizer makes a member an administrator.
	_, err := w.Runner.GrantGroupRole(w.As(ada.ID), paris.ID, ada.ID, role.KindORGANIZER)
	wantCode(t, err, apierror.Forbidden) // a member promotes herself
	_, err = w.Runner.GrantGroupRole(w.As(org.ID), paris.ID, outsider.ID, role.KindORGANIZER)
	refused(t, err, apierror.BadUserInput, "user") // not a member
	ro, err := w.Runner.GrantGroupRole(w.As(org.ID), paris.ID, ada.ID, role.KindORGANIZER)
	if err != nil || ro.Kind != role.KindORGANIZER || ro.Status != role.StatusACTIVE {
		t.Fatalf("the organizer promotes ada: %+v %v", ro, err)
	}
	_, err = w.Runner.GrantGroupRole(w.As(org.ID), paris.ID, ada.ID, role.KindAMBASSADOR)
	refused(t, err, apierror.BadUserInput, "kind") // ambassadors serve regions there

	// openEuler: staff appoint; one organizer seat, held under concurrency.
	_, err = w.Runner.GrantGroupRole(w.As(wm1.ID), wuhan.ID, wm1.ID, role.KindORGANIZER)
	wantCode(t, err, apierror.Forbidden)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, u := range []*ent.User{wm1, wm2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.Runner.GrantGroupRole(w.As(oeStaff.ID), wuhan.ID, u.ID, role.KindORGANIZER)
		}()
	}
	wg.Wait()
	conflicts := 0
	for _, err := range errs {
		if ae := errmap.Classify(err); ae != nil && ae.Code == apierror.Conflict {
			conflicts++
		}
	}
	if n := w.organizerCount(wuhan); n != 1 || conflicts != 1 || (errs[0] != nil && errs[1] != nil) {
		t.Errorf("two appointments to one seat: %d organizers, results %v", n, errs)
	}
}

func TestEndRoleStepsDownOwnRolesAndStaffRevokeWithAReason(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	os := w.Community(policy.OpenStack())
	paris := w.Group(os, group.StatusACTIVE)
	org, ada, staff := w.Person(role.KindORGANIZER, paris), w.Person(role.KindMEMBER, paris), w.Person(role.KindCOMMUNITY_MANAGER, os)
	adaOrganizer, err := w.Runner.GrantGroupRole(w.As(org.ID), paris.ID, ada.ID, role.KindORGANIZER)
	noErr(t, "grant", err)
	orgRole := w.organizerRole(org, paris)

	_, err = w.Runner.EndRole(w.As(ada.ID), orgRole.ID, "", workflow.OwnRole)
	wantCode(t, err, apierror.Forbidden) // someone else's role
	_, err = w.Runner.EndRole(w.As(org.ID), adaOrganizer.ID, "no", workflow.OthersRole)
	wantCode(t, err, apierror.Forbidden) // an organizer revokes
	_, err = w.Runner.EndRole(w.As(ada.ID), adaOrganizer.ID, "", workflow.OthersRole)
	wantCode(t, err, apierror.Forbidden) // revoking your own role
	_, err = w.Runner.EndRole(w.As(staff.ID), adaOrganizer.ID, "", workflow.OthersRole)
	refused(t, err, apierror.BadUserInput, "reason")
	ro, err := w.Runner.EndRole(w.As(org.ID), orgRole.ID, "", workflow.OwnRole)
	if err != nil || ro.Status != role.StatusLEFT {
		t.Errorf("org steps down while ada organizes too: %+v %v", ro, err)
	}
	_, err = w.Runner.EndRole(w.As(ada.ID), adaOrganizer.ID, "", workflow.OwnRole)
	resolvedBy(t, "the last organizer steps down", err)
	ro, err = w.Runner.EndRole(w.As(staff.ID), adaOrganizer.ID, "Inactive for a year.", workflow.OthersRole)
	if err != nil || ro.Status != role.StatusREMOVED || ro.EndReason != "Inactive for a year." {
		t.Errorf("staff revoke the last organizer: %+v %v", ro, err)
	}
	_, err = w.Runner.EndRole(w.As(org.ID), orgRole.ID, "", workflow.OwnRole)
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["status"] != "LEFT" {
		t.Errorf("stepping down twice: %v", ae.Extensions)
	}
}

func TestEndRoleMakesAnAmbassadorSteppingDownEmeritus(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	os := w.Community(policy.OpenStack())
	amb := w.User()
	ro := w.Role(amb, role.KindAMBASSADOR, w.Region(os))
	got, err := w.Runner.EndRole(w.As(amb.ID), ro.ID, "", workflow.AnyRole)
	if err != nil || got.Status != role.StatusEMERITUS {
		t.Errorf("an ambassador steps down: %+v %v", got, err)
	}
	_, err = w.Runner.EndRole(w.As(amb.ID), "rol_nosuchrole", "", workflow.AnyRole)
	wantCode(t, err, apierror.NotFound)
}

func TestInviteIsRedeemedWhileValidAndWithinItsUses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	xian := w.Group(w.Community(policy.OpenEuler()), group.StatusACTIVE)
	org, a, b, c := w.Person(role.KindORGANIZER, xian), w.User(), w.User(), w.User()
	two, zero, oneDay := 2, 0, 1

	_, err := w.Runner.CreateInvite(w.As(a.ID), xian.ID, nil, nil)
	wantCode(t, err, apierror.Forbidden) // not an organizer
	_, err = w.Runner.CreateInvite(w.As(org.ID), xian.ID, nil, &zero)
	refused(t, err, apierror.BadUserInput, "maxUses")
	_, err = w.Runner.CreateInvite(w.As(org.ID), xian.ID, &zero, nil)
	refused(t, err, apierror.BadUserInput, "expiresInDays")
	inv, err := w.Runner.CreateInvite(w.As(org.ID), xian.ID, nil, &two)
	noErr(t, "create", err)
	if len(inv.Code) != 12 || inv.MaxUses != 2 || !inv.ExpiresAt.Equal(w.Now().Add(workflow.DefaultInviteDays*24*time.Hour)) {
		t.Fatalf("invite: %+v", inv)
	}
	// The code is for organizers: a member cannot look the invite up.
	if _, err := w.Client.Invite.Get(w.As(a.ID), inv.ID); !ent.IsNotFound(err) {
		t.Errorf("someone else reads the invite: %v", err)
	}

	_, err = w.Runner.RedeemInvite(w.As(a.ID), "NOSUCHCODE12")
	wantCode(t, err, apierror.NotFound)
	ro, err := w.Runner.RedeemInvite(w.As(a.ID), strings.ToLower(inv.Code))
	if err != nil || ro.Status != role.StatusACTIVE || ro.Kind != role.KindMEMBER {
		t.Fatalf("a joins (openEuler, no article needed with an invite): %+v %v", ro, err)
	}
	_, err = w.Runner.RedeemInvite(w.As(a.ID), inv.Code)
	wantCode(t, err, apierror.Conflict) // redeeming twice
	_, err = w.Runner.RedeemInvite(w.As(b.ID), inv.Code)
	noErr(t, "b joins", err)
	_, err = w.Runner.RedeemInvite(w.As(c.ID), inv.Code)
	wantCode(t, err, apierror.Conflict) // third use of a two-use invite

	expiring, err := w.Runner.CreateInvite(w.As(org.ID), xian.ID, &oneDay, nil)
	noErr(t, "create a one-day invite", err)
	w.Clock.Advance(24 * time.Hour)
	_, err = w.Runner.RedeemInvite(w.As(c.ID), expiring.Code)
	wantCode(t, err, apierror.Conflict) // expired

	// The group's invites are its organizers' to list.
	list := func(u *ent.User) int {
		n, err := w.Client.Invite.Query().Where(invite.GroupID(xian.ID)).Count(w.As(u.ID))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := list(org); n != 2 {
		t.Errorf("the organizer lists %d invites", n)
	}
	if n := list(a); n != 0 {
		t.Errorf("a member lists %d invites", n)
	}
}

func TestRevokeInviteIsTheOrganizersAndOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	xian := w.Group(w.Community(policy.OpenEuler()), group.StatusACTIVE)
	org, member, c := w.Person(role.KindORGANIZER, xian), w.Person(role.KindMEMBER, xian), w.User()
	inv, err := w.Runner.CreateInvite(w.As(org.ID), xian.ID, nil, nil)
	noErr(t, "create", err)
	_, err = w.Runner.RevokeInvite(w.As(member.ID), inv.ID)
	wantCode(t, err, apierror.NotFound) // a member cannot see it
	got, err := w.Runner.RevokeInvite(w.As(org.ID), inv.ID)
	if err != nil || got.RevokedAt == nil {
		t.Errorf("the organizer withdraws it: %+v %v", got, err)
	}
	_, err = w.Runner.RevokeInvite(w.As(org.ID), inv.ID)
	wantCode(t, err, apierror.Conflict)
	_, err = w.Runner.RedeemInvite(w.As(c.ID), inv.Code)
	wantCode(t, err, apierror.Conflict) // withdrawn
}

func TestApplyToOrganizeTakesActivePartnerMembersOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	oe := w.Community(policy.OpenEuler())
	partner := w.Partner(oe)
	wuhan := w.Group(oe, group.StatusACTIVE)
	withRoles := func(partnered bool, roles ...func(u *ent.User)) *ent.User {
		u := w.User(func(b *ent.UserCreate) {
			if partnered {
				b.SetOrganizationID(partner.ID)
			}
		})
		for _, r := range roles {
			r(u)
		}
		return u
	}
	as := func(kind role.Kind, status role.Status) func(u *ent.User) {
		return func(u *ent.User) {
			w.Role(u, kind, wuhan, func(b *ent.RoleCreate) { b.SetStatus(status) })
		}
	}
	org := withRoles(true, as(role.KindORGANIZER, role.StatusACTIVE), as(role.KindMEMBER, role.StatusACTIVE))
	m1 := withRoles(true, as(role.KindMEMBER, role.StatusACTIVE))
	m2 := withRoles(true, as(role.KindMEMBER, role.StatusLEFT))
	indie := withRoles(false, as(role.KindMEMBER, role.StatusACTIVE))
	const why = "Regular meetups at the university."
	for _, tc := range []struct {
		name  string
		who   *ent.User
		why   string
		want  apierror.Code
		field string
	}{
		{"left the group", m2, why, apierror.Forbidden, ""},
		{"not from a partner enterprise", indie, why, apierror.BadUserInput, "group"},
		{"already organizes it", org, why, apierror.Conflict, ""},
		{"no reason given", m1, " ", apierror.BadUserInput, "why"},
	} {
		_, err := w.Runner.ApplyToOrganize(w.As(tc.who.ID), wuhan.ID, tc.why)
		if ae := errmap.Classify(err); ae == nil || ae.Code != tc.want || (tc.field != "" && ae.Field != tc.field) {
			t.Errorf("%s: want %s %s, got %v", tc.name, tc.want, tc.field, err)
		}
	}
	app, err := w.Runner.ApplyToOrganize(w.As(m1.ID), wuhan.ID, why)
	if err != nil || app.Kind != application.KindORGANIZER || app.Answers.Why != why {
		t.Fatalf("m1 applies: %+v %v", app, err)
	}
	_, err = w.Runner.ApplyToOrganize(w.As(m1.ID), wuhan.ID, why)
	wantCode(t, err, apierror.Conflict)
}
