package server_test

import (
	"fmt"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// raceRounds is how many times each race is run: each round is a fresh
// pair of contenders, so an unlocked count-then-write shows up in some.
const raceRounds = 12

// TestLastOrganizerRace: a group's two organizers step down (one with
// stepDown, one with leaveGroup) at the same moment, round after round. At
// most one may succeed; the group always keeps an organizer.
func TestLastOrganizerRace(t *testing.T) {
	base := dbtest.OpenConcurrent(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	type round struct {
		group *ent.Group
		a, b  *ent.User
		roleA *ent.Role
	}
	rounds := make([]round, raceRounds)
	for i := range rounds {
		g := tx.Group.Create().SetCommunityID(com.ID).SetName(fmt.Sprintf("City %s", dbtest.Letters(i))).SetSlug(fmt.Sprintf("city-%d", i)).
			SetCity("Lyon").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
		a := tx.User.Create().SetHandle(fmt.Sprintf("a%d", i)).SetName("A").SaveX(sys)
		b := tx.User.Create().SetHandle(fmt.Sprintf("b%d", i)).SetName("B").SaveX(sys)
		ra := tx.Role.Create().SetUserID(a.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).SaveX(sys)
		tx.Role.Create().SetUserID(b.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
		tx.Role.Create().SetUserID(b.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindMEMBER).ExecX(sys)
		rounds[i] = round{group: g, a: a, b: b, roleA: ra}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	const stepDown = `mutation($r: ID!) { stepDown(input: {id: $r}) { role { status } userErrors { code message field } } }`
	const leave = `mutation($g: ID!) { leaveGroup(input: {id: $g}) { roles { status } userErrors { code message field } } }`
	for i, rd := range rounds {
		var ra, rb gqlResponse
		dbtest.Together(
			func() {
				ra = query(t, h, "Session "+string(rd.a.ID), stepDown, map[string]any{"r": string(rd.roleA.ID)})
			},
			func() { rb = query(t, h, "Session "+string(rd.b.ID), leave, map[string]any{"g": string(rd.group.ID)}) },
		)
		okA, okB := accepted(ra, "stepDown"), accepted(rb, "leaveGroup")
		left := base.Client.Role.Query().Where(role.GroupID(rd.group.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).CountX(sys)
		if (okA && okB) || left != 1 {
			t.Errorf("round %d: both succeeded=%v, %d organizers left (want 1); a: %+v, b: %+v", i, okA && okB, left, ra.Errors, rb.Errors)
		}
		// The refused one is answered as data: a CONFLICT in userErrors.
		for _, r := range []gqlResponse{ra, rb} {
			if c := code(r); len(r.Errors) > 0 || (c != nil && c != "CONFLICT") {
				t.Errorf("round %d: the refused one got %+v %+v, want a CONFLICT user error", i, r.Data, r.Errors)
			}
		}
	}
}
