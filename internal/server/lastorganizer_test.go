package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// TestLastOrganizerRefusalNamesWhoCanResolveIt: a group's last organizer
// cannot leave on their own, and the refusal names who can resolve it under
// the community's policy; then that person takes the suggested step and it
// works. openEuler (staff appoint, one organizer per group): a community
// manager revokes the role and appoints a successor. OpenStack (organizers
// appoint): the organizer makes a member an organizer and then leaves; staff
// may still remove a last organizer there too.
func TestLastOrganizerRefusalNamesWhoCanResolveIt(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := viewer.SystemContext(context.Background())
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	partner := tx.Organization.Create().SetName("Partner").SetSlug("partner").AddPartnerOfIDs(oe.ID).SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	wuhan := tx.Group.Create().SetCommunityID(oe.ID).SetName("Wuhan").SetSlug("wuhan").SetCity("Wuhan").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string, g *ent.Group, kinds ...role.Kind) *ent.User {
		u := tx.User.Create().SetHandle(h).SetName(h).SetOrganizationID(partner.ID).SaveX(sys)
		for _, k := range kinds {
			if k == role.KindCOMMUNITY_MANAGER {
				tx.Role.Create().SetUserID(u.ID).SetCommunityID(g.CommunityID).SetKind(k).ExecX(sys)
				continue
			}
			tx.Role.Create().SetUserID(u.ID).SetCommunityID(g.CommunityID).SetGroupID(g.ID).SetKind(k).ExecX(sys)
		}
		return u
	}
	wOrg, wMember, oeStaff := mk("worg", wuhan, role.KindMEMBER, role.KindORGANIZER), mk("wmember", wuhan, role.KindMEMBER), mk("oestaff", wuhan, role.KindCOMMUNITY_MANAGER)
	pOrg, pMember, osStaff := mk("porg", paris, role.KindMEMBER, role.KindORGANIZER), mk("pmember", paris, role.KindMEMBER), mk("osstaff", paris, role.KindCOMMUNITY_MANAGER)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	const (
		leave    = `mutation($g: ID!) { leaveGroup(input: {group: $g}) { roles { kind status } } }`
		stepDown = `mutation($r: ID!) { stepDown(input: {role: $r}) { role { status } } }`
		revoke   = `mutation($r: ID!, $why: String) { revokeRole(input: {role: $r, reason: $why}) { role { status endReason } } }`
		remove   = `mutation($g: ID!, $u: ID!) { removeMember(input: {group: $g, user: $u, reason: "Stepping back, at their request."}) { roles { kind status } } }`
		grant    = `mutation($g: ID!, $u: ID!) { grantGroupRole(input: {group: $g, user: $u, kind: ORGANIZER}) { role { status } } }`
		lacking  = `query($c: ID!) { groupsWithoutOrganizer(community: $c) { slug } }`
	)
	organizerRole := func(u *ent.User) string {
		return string(c.Role.Query().Where(role.UserID(u.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).OnlyIDX(sys))
	}
	// refusal checks the last-organizer CONFLICT and returns who it names.
	refusal := func(what string, r gqlResponse) []string {
		t.Helper()
		if code(r) != "CONFLICT" || r.Errors[0].Extensions["reason"] != "LAST_ORGANIZER" {
			t.Fatalf("%s: %+v", what, r.Errors)
		}
		var who []string
		list, _ := r.Errors[0].Extensions["resolvedBy"].([]any)
		for _, k := range list {
			who = append(who, k.(string))
		}
		return who
	}
	withoutOrganizer := func(who *ent.User, com *ent.Community) []string {
		r := query(t, h, as(who), lacking, map[string]any{"c": string(com.ID)})
		var slugs []string
		for _, g := range items(r.Data, "groupsWithoutOrganizer") {
			slugs = append(slugs, dig(g, "slug").(string))
		}
		return slugs
	}

	// openEuler: only staff can appoint, and the one seat is taken, so the
	// refusal names the community manager alone...
	who := refusal("the openEuler organizer leaves", query(t, h, as(wOrg), leave, map[string]any{"g": string(wuhan.ID)}))
	if !slices.Equal(who, []string{"COMMUNITY_MANAGER"}) {
		t.Errorf("openEuler refusal names %v, want the community manager", who)
	}
	r := query(t, h, as(wOrg), stepDown, map[string]any{"r": organizerRole(wOrg)})
	if who := refusal("the openEuler organizer steps down", r); !slices.Equal(who, []string{"COMMUNITY_MANAGER"}) ||
		!strings.Contains(r.Errors[0].Message, "community manager") {
		t.Errorf("stepDown refusal: %v %q", who, r.Errors[0].Message)
	}
	// ...the grant the organizer might try is indeed not theirs to make...
	if r := query(t, h, as(wOrg), grant, map[string]any{"g": string(wuhan.ID), "u": string(wMember.ID)}); code(r) != "FORBIDDEN" {
		t.Errorf("the openEuler organizer appoints: %+v", r.Errors)
	}
	// ...and the community manager can do what it says.
	r = query(t, h, as(oeStaff), revoke, map[string]any{"r": organizerRole(wOrg), "why": "Stepping down at their request."})
	if dig(r.Data, "revokeRole", "role", "status") != "REMOVED" {
		t.Fatalf("staff revoke the last organizer: %+v %+v", r.Data, r.Errors)
	}
	if got := withoutOrganizer(oeStaff, oe); !slices.Contains(got, "wuhan") {
		t.Errorf("groupsWithoutOrganizer = %v, want wuhan", got)
	}
	if r := query(t, h, as(oeStaff), grant, map[string]any{"g": string(wuhan.ID), "u": string(wMember.ID)}); dig(r.Data, "grantGroupRole", "role", "status") != "ACTIVE" {
		t.Errorf("staff appoint the successor: %+v %+v", r.Data, r.Errors)
	}
	if got := withoutOrganizer(oeStaff, oe); slices.Contains(got, "wuhan") {
		t.Errorf("wuhan still without organizer: %v", got)
	}

	// OpenStack: organizers appoint and there is no cap, so the organizer
	// can name a successor, then leave.
	who = refusal("the OpenStack organizer leaves", query(t, h, as(pOrg), leave, map[string]any{"g": string(paris.ID)}))
	if !slices.Equal(who, []string{"ORGANIZER", "COMMUNITY_MANAGER"}) {
		t.Errorf("OpenStack refusal names %v", who)
	}
	if r := query(t, h, as(pOrg), grant, map[string]any{"g": string(paris.ID), "u": string(pMember.ID)}); dig(r.Data, "grantGroupRole", "role", "status") != "ACTIVE" {
		t.Fatalf("the organizer names a successor: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(pOrg), leave, map[string]any{"g": string(paris.ID)}); len(r.Errors) > 0 {
		t.Errorf("the organizer leaves after naming a successor: %+v", r.Errors)
	}
	// The successor is now the last one; staff may still remove them.
	refusal("the successor steps down", query(t, h, as(pMember), stepDown, map[string]any{"r": organizerRole(pMember)}))
	if r := query(t, h, as(osStaff), remove, map[string]any{"g": string(paris.ID), "u": string(pMember.ID)}); dig(r.Data, "removeMember", "roles", "0", "status") != "REMOVED" {
		t.Errorf("staff remove the last organizer: %+v %+v", r.Data, r.Errors)
	}
	if got := withoutOrganizer(osStaff, os); !slices.Contains(got, "paris") {
		t.Errorf("groupsWithoutOrganizer = %v, want paris", got)
	}
}
