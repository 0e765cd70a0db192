package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/message"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestJoinLeaveRemove is the roster's end-to-end path through the API:
// joining (at once, or by a request the organizer approves), a role granted
// and stepped down from, a member removed, an organizer's role revoked by
// staff and a member leaving. The rules of each step are tested beside
// them in internal/workflow (membership_test.go).
func TestJoinLeaveRemove(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	// Two organizers at most in the OpenStack community here, so that a
	// third is refused by the cap.
	osPolicy := policy.OpenStack()
	osPolicy.MaxOrganizersPerGroup = 2
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(osPolicy).SaveX(sys)
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	wuhan := tx.Group.Create().SetCommunityID(oe.ID).SetName("Wuhan").SetSlug("wuhan").SetCity("Wuhan").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	ada, bob, cy, org, mgr := mk("ada"), mk("bob"), mk("cy"), mk("org"), mk("mgr")
	for _, g := range []*ent.Group{paris, wuhan} {
		tx.Role.Create().SetUserID(org.ID).SetCommunityID(g.CommunityID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	}
	tx.Role.Create().SetUserID(cy.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindMEMBER).ExecX(sys)
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	roles := func(u *ent.User, g *ent.Group, kind role.Kind) int {
		return c.Role.Query().Where(role.UserID(u.ID), role.GroupID(g.ID), role.KindEQ(kind)).CountX(sys)
	}
	const join = `mutation($g: ID!, $a: String) { joinGroup(input: {id: $g, articleURL: $a}) {
		role { kind status } application { kind status } userErrors { code message field } } }`
	// Open membership: a member at once.
	r := query(t, h, as(ada), join, map[string]any{"g": string(paris.ID)})
	if dig(r.Data, "joinGroup", "role", "status") != "ACTIVE" || dig(r.Data, "joinGroup", "application") != nil || !accepted(r, "joinGroup") {
		t.Fatalf("join Paris: %+v %+v", r.Data, r.Errors)
	}
	// Joining twice is refused as data: the payload's userErrors, no
	// GraphQL error, no second role.
	r = query(t, h, as(ada), join, map[string]any{"g": string(paris.ID)})
	if ue := userError(r, "joinGroup"); len(r.Errors) > 0 || ue == nil || ue["code"] != "CONFLICT" || dig(r.Data, "joinGroup", "role") != nil ||
		roles(ada, paris, role.KindMEMBER) != 1 {
		t.Errorf("joining twice: %+v %+v", r.Data, r.Errors)
	}
	// openEuler: an article link, then the organizer decides.
	r = query(t, h, as(bob), join, map[string]any{"g": string(wuhan.ID), "a": "https://forum.example.org/t/bob-on-euler"})
	if dig(r.Data, "joinGroup", "application", "kind") != "MEMBERSHIP" {
		t.Fatalf("openEuler join: %+v %+v", r.Data, r.Errors)
	}
	q := query(t, h, as(org), `{ applications(where: {kind: MEMBERSHIP}) { edges { node { id viewerCanReview } } } }`, nil)
	id := dig(q.Data, "applications", "edges", "0", "node", "id")
	if dig(q.Data, "applications", "edges", "0", "node", "viewerCanReview") != true {
		t.Fatalf("organizer's queue: %+v %+v", q.Data, q.Errors)
	}
	if r := query(t, h, as(org), approveQ, map[string]any{"id": id}); len(r.Errors) > 0 || dig(r.Data, "approveApplication", "application", "status") != "APPROVED" {
		t.Fatalf("organizer approves: %+v %+v", r.Data, r.Errors)
	}
	if !c.Role.Query().Where(role.UserID(bob.ID), role.GroupID(wuhan.ID), role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE)).ExistX(sys) {
		t.Error("approved member has no MEMBER role")
	}

	// A role granted, then stepped down from.
	const grantQ = `mutation($g: ID!, $u: ID!) { grantGroupRole(input: {group: $g, user: $u, kind: ORGANIZER}) {
		role { id kind status } userErrors { code message field } } }`
	r = query(t, h, as(org), grantQ, map[string]any{"g": string(paris.ID), "u": string(ada.ID)})
	adaOrganizer, _ := dig(r.Data, "grantGroupRole", "role", "id").(string)
	if adaOrganizer == "" || dig(r.Data, "grantGroupRole", "role", "status") != "ACTIVE" || !accepted(r, "grantGroupRole") {
		t.Fatalf("the organizer makes ada an organizer: %+v %+v", r.Data, r.Errors)
	}
	// The cap (two organizers here) is a CONFLICT in userErrors; cy stays a
	// member only.
	r = query(t, h, as(org), grantQ, map[string]any{"g": string(paris.ID), "u": string(cy.ID)})
	if ue := userError(r, "grantGroupRole"); len(r.Errors) > 0 || ue == nil || ue["code"] != "CONFLICT" || !strings.Contains(fmt.Sprint(ue["message"]), "at most 2") ||
		dig(r.Data, "grantGroupRole", "role") != nil || roles(cy, paris, role.KindORGANIZER) != 0 {
		t.Errorf("a third organizer: %+v %+v", r.Data, r.Errors)
	}
	// Stepping down from someone else's role is not a refusal of the
	// input but of the person: FORBIDDEN stays a GraphQL error.
	const stepDown = `mutation($r: ID!) { stepDown(input: {id: $r}) { role { status } userErrors { code message field } } }`
	if r := query(t, h, as(org), stepDown, map[string]any{"r": adaOrganizer}); code(r) != "FORBIDDEN" || dig(r.Data, "stepDown") != nil {
		t.Errorf("the organizer steps ada down: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), stepDown, map[string]any{"r": adaOrganizer}); dig(r.Data, "stepDown", "role", "status") != "LEFT" || !accepted(r, "stepDown") {
		t.Errorf("ada steps down: %+v %+v", r.Data, r.Errors)
	}

	// Removing, revoking and leaving.
	// removeMember names the person and the group by a role of theirs
	// there, as the roster shows it.
	const remove = `mutation($r: ID!) { removeMember(input: {id: $r, reason: "Repeated spam in the chat."}) {
		roles { status endReason } userErrors { code message field } } }`
	adaMember := c.Role.Query().Where(role.UserID(ada.ID), role.GroupID(paris.ID), role.KindEQ(role.KindMEMBER)).OnlyX(sys)
	r = query(t, h, as(org), remove, map[string]any{"r": string(adaMember.ID)})
	if dig(r.Data, "removeMember", "roles", "0", "status") != "REMOVED" || dig(r.Data, "removeMember", "roles", "0", "endReason") != "Repeated spam in the chat." ||
		!accepted(r, "removeMember") {
		t.Errorf("organizer removes ada: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(org), remove, map[string]any{"r": string(adaMember.ID)}); code(r) != "CONFLICT" || len(r.Errors) > 0 {
		t.Errorf("removing ada twice: %+v %+v", r.Data, r.Errors)
	}
	const revoke = `mutation($r: ID!, $why: String!) { revokeRole(input: {id: $r, reason: $why}) { role { status endReason } userErrors { code message field } } }`
	orgRole := c.Role.Query().Where(role.UserID(org.ID), role.GroupID(paris.ID), role.KindEQ(role.KindORGANIZER)).OnlyX(sys)
	if r := query(t, h, as(mgr), revoke, map[string]any{"r": string(orgRole.ID), "why": " "}); userError(r, "revokeRole") == nil ||
		fmt.Sprint(userError(r, "revokeRole")["field"]) != "[input reason]" || c.Role.GetX(sys, orgRole.ID).Status != role.StatusACTIVE {
		t.Errorf("a revocation without a reason: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mgr), revoke, map[string]any{"r": string(orgRole.ID), "why": "Inactive for a year."}); dig(r.Data, "revokeRole", "role", "status") != "REMOVED" ||
		dig(r.Data, "revokeRole", "role", "endReason") != "Inactive for a year." || !accepted(r, "revokeRole") {
		t.Errorf("staff revoke the organizer's role: %+v %+v", r.Data, r.Errors)
	}
	const leave = `mutation($g: ID!) { leaveGroup(input: {id: $g}) { roles { kind status } userErrors { code message field reason resolvedBy } } }`
	// Wuhan's last organizer cannot leave: the CONFLICT says who can
	// resolve it, and the role stays active.
	if r := query(t, h, as(org), leave, map[string]any{"g": string(wuhan.ID)}); code(r) != "CONFLICT" || len(r.Errors) > 0 ||
		!strings.Contains(fmt.Sprint(userError(r, "leaveGroup")["message"]), "community manager") || dig(r.Data, "leaveGroup", "roles") != nil ||
		userError(r, "leaveGroup")["reason"] != "LAST_ORGANIZER" || len(fmt.Sprint(userError(r, "leaveGroup")["resolvedBy"])) < 3 ||
		!c.Role.Query().Where(role.UserID(org.ID), role.GroupID(wuhan.ID), role.StatusEQ(role.StatusACTIVE)).ExistX(sys) {
		t.Errorf("the last organizer leaves: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(bob), leave, map[string]any{"g": string(wuhan.ID)}); dig(r.Data, "leaveGroup", "roles", "0", "status") != "LEFT" || !accepted(r, "leaveGroup") {
		t.Errorf("bob leaves: %+v %+v", r.Data, r.Errors)
	}
}

// accepted reports whether the root field name's payload answered a
// mutation as done: no GraphQL error and an empty (not missing) userErrors.
func accepted(r gqlResponse, name string) bool {
	ue, ok := dig(r.Data, name, "userErrors").([]any)
	return len(r.Errors) == 0 && ok && len(ue) == 0
}

func TestApplyToBeAmbassador(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := dbtest.FixtureContext(t)
	region := w.c.Region.Query().OnlyX(sys)
	const apply = `mutation($in: ApplyToBeAmbassadorInput!) { applyToBeAmbassador(input: $in) { application { id kind status answers { why } } userErrors { code message field } } }`
	in := func(why string, withRegion bool) map[string]any {
		m := map[string]any{"community": string(w.com.ID), "why": why, "participation": "Ran the Oakland meetups for two years.", "ideas": "Hackfests with the universities."}
		if withRegion {
			m["region"] = string(region.ID)
		}
		return map[string]any{"in": m}
	}
	// Refusals are the payload's userErrors, naming the input field.
	if r := w.do(t, w.other, apply, in("To help new groups.", false)); len(r.Errors) > 0 || code(r) != "BAD_USER_INPUT" ||
		fmt.Sprint(userError(r, "applyToBeAmbassador")["field"]) != "[input region]" {
		t.Errorf("no region: %+v %+v", r.Data, r.Errors)
	}
	if r := w.do(t, w.other, apply, in("", true)); code(r) != "BAD_USER_INPUT" || fmt.Sprint(userError(r, "applyToBeAmbassador")["field"]) != "[input why]" {
		t.Errorf("no answer to why: %+v %+v", r.Data, r.Errors)
	}
	if r := w.do(t, w.amb, apply, in("Again.", true)); code(r) != "CONFLICT" || dig(r.Data, "applyToBeAmbassador", "application") != nil {
		t.Errorf("an ambassador applies for their own region: %+v %+v", r.Data, r.Errors)
	}
	r := w.do(t, w.other, apply, in("To help new groups.", true))
	id, _ := dig(r.Data, "applyToBeAmbassador", "application", "id").(string)
	if id == "" {
		t.Fatalf("apply: %+v", r.Errors)
	}
	if r := w.do(t, w.other, apply, in("Twice.", true)); code(r) != "CONFLICT" {
		t.Errorf("second application: %+v %+v", r.Data, r.Errors)
	}
	if n := w.c.Application.Query().Where(application.KindEQ(application.KindAMBASSADOR)).CountX(sys); n != 1 {
		t.Errorf("%d ambassador applications saved, want the one accepted", n)
	}
	// Reviewers see the applicant's record and the region's ambassadors; the applicant does not.
	const recordQ = `query($id: ID!) { node(id: $id) { ... on Application { trackRecord { ambassadorsInScope roles { kind count } } } } }`
	if r := w.do(t, w.manager, recordQ, map[string]any{"id": id}); dig(r.Data, "node", "trackRecord", "ambassadorsInScope") != float64(2) {
		t.Errorf("the manager reads the track record: %+v %+v", r.Data, r.Errors)
	}
	if r := w.do(t, w.other, recordQ, map[string]any{"id": id}); dig(r.Data, "node", "trackRecord") != nil {
		t.Errorf("the applicant reads their track record: %+v", r.Data)
	}
	func() {
		tx, err := w.c.Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		tx.Community.UpdateOne(w.com).SetAmbassadorsListEmail("ambassadors@lists.example.org").ExecX(sys)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}()
	// OpenStack allows 3 per region; the region has 2: approval grants the
	// role, a welcome, and an introduction on the ambassadors' list.
	if r := w.do(t, w.manager, approveQ, map[string]any{"id": id}); dig(r.Data, "approveApplication", "application", "status") != "APPROVED" {
		t.Fatalf("approve: %+v %+v", r.Data, r.Errors)
	}
	app := w.c.Application.GetX(sys, pulidID(id))
	if n := w.c.Role.Query().Where(role.UserID(app.ApplicantID), role.KindEQ(role.KindAMBASSADOR), role.RegionID(region.ID)).CountX(sys); n != 1 {
		t.Errorf("%d ambassador roles", n)
	}
	if n := w.c.Message.Query().Where(message.Template("ambassador_welcome"), message.RecipientID(app.ApplicantID)).CountX(sys); n != 1 {
		t.Errorf("%d welcome messages", n)
	}
	if n := w.c.Message.Query().Where(message.Template("ambassador_introduction"), message.ToAddress("ambassadors@lists.example.org")).CountX(sys); n != 1 {
		t.Errorf("%d introductions on the ambassadors' list", n)
	}
}

func TestAmbassadorDirectory(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := dbtest.FixtureContext(t)
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	// amb2's home group is the Bay Area; amb has none.
	amb2 := tx.Role.Query().Where(role.KindEQ(role.KindAMBASSADOR), role.UserIDNEQ(w.ambID)).OnlyX(sys)
	tx.Role.UpdateOne(amb2).SetHomeGroupID(w.bayArea.ID).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	const q = `query($c: ID!, $near: NearInput, $limit: Int) { ambassadors(community: $c, near: $near, limit: $limit) { id user { handle } region { name } homeGroup { name } } }`
	r := query(t, w.h, "", q, map[string]any{"c": string(w.com.ID), "near": map[string]any{"lat": 37.8044, "lng": -122.2712}})
	list, _ := dig(r.Data, "ambassadors").([]any)
	if len(list) != 2 || dig(list[0], "user", "handle") != "amb2" || dig(list[1], "homeGroup") != nil {
		t.Errorf("nearest first (anonymous may read the directory): %+v %+v", r.Data, r.Errors)
	}
	// The same NearInput as the event search: with km, only those whose
	// home group lies within it (Oakland to the Bay Area group is close).
	within := func(km float64) gqlResponse {
		return query(t, w.h, "", q, map[string]any{"c": string(w.com.ID), "near": map[string]any{"lat": 37.8044, "lng": -122.2712, "km": km}})
	}
	if r := within(100); len(dig(r.Data, "ambassadors").([]any)) != 1 || dig(r.Data, "ambassadors", "0", "user", "handle") != "amb2" {
		t.Errorf("within 100 km: %+v %+v", r.Data, r.Errors)
	}
	if r := within(1001); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "near" {
		t.Errorf("a radius over 1000 km: %+v", r.Errors)
	}
	if r := query(t, w.h, "", q, map[string]any{"c": string(w.com.ID), "limit": 1}); len(dig(r.Data, "ambassadors").([]any)) != 1 {
		t.Errorf("limit 1: %+v", r.Data)
	}
	if r := query(t, w.h, "", q, map[string]any{"c": string(w.com.ID), "limit": 101}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("limit 101: %+v", r.Errors)
	}
}

// TestInvites is the invite's end-to-end path through the API: created
// with the defaults, listed for the organizers only, redeemed, withdrawn.
// The rules are tested in internal/workflow (membership_test.go).
func TestInvites(t *testing.T) {
	db := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: db, Client: db.Client})
	sys := dbtest.FixtureContext(t)
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(oe.ID).SetName("Xi'an").SetSlug("xian").SetCity("Xi'an").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	org := tx.User.Create().SetHandle("org").SetName("org").SaveX(sys)
	a := tx.User.Create().SetHandle("aa").SetName("aa").SaveX(sys)
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	const create = `mutation($g: ID!, $uses: Int) { createInvite(input: {group: $g, maxUses: $uses}) { invite { id code maxUses uses expiresAt } userErrors { code message field } } }`
	const redeem = `mutation($c: String!) { redeemInvite(input: {code: $c}) { role { kind status group { name } } userErrors { code message field } } }`
	if r := query(t, h, as(org), create, map[string]any{"g": string(g.ID), "uses": 1001}); fmt.Sprint(dig(userError(r, "createInvite"), "field")) != "[input maxUses]" ||
		len(r.Errors) > 0 || db.Client.Invite.Query().CountX(sys) != 0 {
		t.Errorf("an invite for 1001 people: %+v %+v", r.Data, r.Errors)
	}
	before := time.Now()
	r := query(t, h, as(org), create, map[string]any{"g": string(g.ID)})
	inviteCode, _ := dig(r.Data, "createInvite", "invite", "code").(string)
	inviteID, _ := dig(r.Data, "createInvite", "invite", "id").(string)
	expires, _ := time.Parse(time.RFC3339, fmt.Sprint(dig(r.Data, "createInvite", "invite", "expiresAt")))
	if len(inviteCode) != 12 || dig(r.Data, "createInvite", "invite", "maxUses") != float64(50) ||
		expires.Before(before.Add(14*24*time.Hour-time.Second)) || expires.After(time.Now().Add(14*24*time.Hour)) {
		t.Fatalf("createInvite (14 days, 50 uses by default): %+v %+v", r.Data, r.Errors)
	}
	// The code is for organizers: a member cannot look the invite up, nor list the group's.
	if r := query(t, h, as(a), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": inviteID}); code(r) != "NOT_FOUND" {
		t.Errorf("someone else reads the invite: %+v", r.Errors)
	}
	const list = `{ group(community: "openeuler", slug: "xian") { invites { id code uses revokedAt } } }`
	if r := query(t, h, as(org), list, nil); len(items(r.Data, "group", "invites")) != 1 {
		t.Errorf("the organizer lists invites: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(a), list, nil); len(items(r.Data, "group", "invites")) != 0 {
		t.Errorf("a member lists invites: %+v", r.Data)
	}
	if r := query(t, h, as(a), redeem, map[string]any{"c": "NOSUCHCODE23"}); code(r) != "NOT_FOUND" || len(r.Errors) > 0 {
		t.Errorf("an unknown code: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(a), redeem, map[string]any{"c": strings.ToLower(inviteCode)}); dig(r.Data, "redeemInvite", "role", "status") != "ACTIVE" ||
		dig(r.Data, "redeemInvite", "role", "group", "name") != "Xi'an" || !accepted(r, "redeemInvite") {
		t.Fatalf("a joins (openEuler, no article needed with an invite): %+v %+v", r.Data, r.Errors)
	}
	const revoke = `mutation($id: ID!) { revokeInvite(input: {id: $id}) { invite { revokedAt } userErrors { code message field } } }`
	// A member cannot see the invite, so for them it does not exist: a
	// NOT_FOUND user error, and the invite still works.
	if r := query(t, h, as(a), revoke, map[string]any{"id": inviteID}); code(r) != "NOT_FOUND" || len(r.Errors) > 0 ||
		db.Client.Invite.Query().OnlyX(sys).RevokedAt != nil {
		t.Errorf("a member withdraws the invite: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(org), revoke, map[string]any{"id": inviteID}); dig(r.Data, "revokeInvite", "invite", "revokedAt") == nil || !accepted(r, "revokeInvite") {
		t.Errorf("the organizer withdraws it: %+v %+v", r.Data, r.Errors)
	}
}
