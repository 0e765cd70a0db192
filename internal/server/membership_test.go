package server_test

import (
	"context"
	"github.com/usergroups/usergroups/ent/invite"
	"github.com/usergroups/usergroups/ent/message"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

func TestJoinLeaveRemove(t *testing.T) {
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
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	wuhan := tx.Group.Create().SetCommunityID(oe.ID).SetName("Wuhan").SetSlug("wuhan").SetCity("Wuhan").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	proposed := tx.Group.Create().SetCommunityID(os.ID).SetName("Lille").SetSlug("lille").SetCity("Lille").SetCountry("FR").SaveX(sys)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	ada, bob, org, mgr := mk("ada"), mk("bob"), mk("org"), mk("mgr")
	for _, g := range []*ent.Group{paris, wuhan} {
		tx.Role.Create().SetUserID(org.ID).SetCommunityID(g.CommunityID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	}
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	const join = `mutation($g: ID!, $a: String) { joinGroup(input: {group: $g, articleUrl: $a}) { role { kind status } application { kind status } } }`
	// Open membership: a member at once, once.
	r := query(t, h, as(ada), join, map[string]any{"g": string(paris.ID)})
	if dig(r.Data, "joinGroup", "role", "status") != "ACTIVE" || dig(r.Data, "joinGroup", "application") != nil {
		t.Fatalf("join Paris: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), join, map[string]any{"g": string(paris.ID)}); code(r) != "CONFLICT" {
		t.Errorf("joining twice: %+v", r.Errors)
	}
	if r := query(t, h, as(ada), join, map[string]any{"g": string(proposed.ID)}); code(r) != "CONFLICT" || r.Errors[0].Extensions["status"] != "PROPOSED" {
		t.Errorf("joining a proposed group: %+v", r.Errors)
	}
	if r := query(t, h, "", join, map[string]any{"g": string(paris.ID)}); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous join: %+v", r.Errors)
	}

	// openEuler: an article link, then the organizer decides.
	if r := query(t, h, as(bob), join, map[string]any{"g": string(wuhan.ID)}); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "articleUrl" {
		t.Errorf("openEuler join without an article: %+v", r.Errors)
	}
	r = query(t, h, as(bob), join, map[string]any{"g": string(wuhan.ID), "a": "https://forum.example.org/t/bob-on-euler"})
	appID, _ := dig(r.Data, "joinGroup", "application", "kind").(string)
	if appID != "MEMBERSHIP" {
		t.Fatalf("openEuler join: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(bob), join, map[string]any{"g": string(wuhan.ID), "a": "https://forum.example.org/t/2"}); code(r) != "CONFLICT" {
		t.Errorf("second request while one waits: %+v", r.Errors)
	}
	q := query(t, h, as(org), `{ applications(where: {kind: MEMBERSHIP}) { edges { node { id viewerCanReview } } } }`, nil)
	id := dig(q.Data, "applications", "edges", "0", "node", "id")
	if dig(q.Data, "applications", "edges", "0", "node", "viewerCanReview") != true {
		t.Fatalf("organizer's queue: %+v %+v", q.Data, q.Errors)
	}
	if r := query(t, h, as(org), approveQ, map[string]any{"id": id}); len(r.Errors) > 0 || dig(r.Data, "approveApplication", "application", "status") != "APPROVED" {
		t.Fatalf("organizer approves: %+v", r.Errors)
	}
	if !c.Role.Query().Where(role.UserID(bob.ID), role.GroupID(wuhan.ID), role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE)).ExistX(sys) {
		t.Error("approved member has no MEMBER role")
	}

	// Removing and leaving.
	const remove = `mutation($g: ID!, $u: ID!) { removeMember(input: {group: $g, user: $u, reason: "Repeated spam in the chat."}) { roles { status endReason } } }`
	if r := query(t, h, as(bob), remove, map[string]any{"g": string(paris.ID), "u": string(ada.ID)}); code(r) != "FORBIDDEN" {
		t.Errorf("a non-organizer removes: %+v", r.Errors)
	}
	r = query(t, h, as(org), remove, map[string]any{"g": string(paris.ID), "u": string(ada.ID)})
	if dig(r.Data, "removeMember", "roles", "0", "status") != "REMOVED" || dig(r.Data, "removeMember", "roles", "0", "endReason") != "Repeated spam in the chat." {
		t.Errorf("organizer removes ada: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(org), remove, map[string]any{"g": string(paris.ID), "u": string(ada.ID)}); code(r) != "CONFLICT" {
		t.Errorf("removing twice: %+v", r.Errors)
	}
	const leave = `mutation($g: ID!) { leaveGroup(input: {group: $g}) { roles { kind status } } }`
	if r := query(t, h, as(org), leave, map[string]any{"g": string(paris.ID)}); code(r) != "CONFLICT" || r.Errors[0].Extensions["reason"] != "LAST_ORGANIZER" {
		t.Errorf("the last organizer leaves: %+v", r.Errors)
	}
	// Staff may (with a reason); the group then waits for a successor.
	if r := query(t, h, as(mgr), remove, map[string]any{"g": string(paris.ID), "u": string(org.ID)}); len(r.Errors) > 0 {
		t.Errorf("staff remove the last organizer: %+v", r.Errors)
	}
	if r := query(t, h, as(bob), leave, map[string]any{"g": string(wuhan.ID)}); dig(r.Data, "leaveGroup", "roles", "0", "status") != "LEFT" {
		t.Errorf("bob leaves: %+v %+v", r.Data, r.Errors)
	}
}

func TestGroupRoles(t *testing.T) {
	base := dbtest.OpenConcurrent(t)
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
	mk := func(h string, g *ent.Group, kind role.Kind) *ent.User {
		u := tx.User.Create().SetHandle(h).SetName(h).SetOrganizationID(partner.ID).SaveX(sys)
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(g.CommunityID).SetGroupID(g.ID).SetKind(kind).ExecX(sys)
		return u
	}
	org := mk("org", paris, role.KindORGANIZER)
	ada := mk("ada", paris, role.KindMEMBER)
	wm1, wm2 := mk("wm1", wuhan, role.KindMEMBER), mk("wm2", wuhan, role.KindMEMBER)
	outsider := tx.User.Create().SetHandle("outsider").SetName("O").SaveX(sys)
	oeStaff := tx.User.Create().SetHandle("oestaff").SetName("S").SaveX(sys)
	tx.Role.Create().SetUserID(oeStaff.ID).SetCommunityID(oe.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	osStaff := tx.User.Create().SetHandle("osstaff").SetName("S").SaveX(sys)
	tx.Role.Create().SetUserID(osStaff.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	const grantQ = `mutation($g: ID!, $u: ID!, $k: RoleKind!) { grantGroupRole(input: {group: $g, user: $u, kind: $k}) { role { id kind status } } }`
	gv := func(g *ent.Group, u *ent.User, k string) map[string]any {
		return map[string]any{"g": string(g.ID), "u": string(u.ID), "k": k}
	}

	// OpenStack: an organizer makes a member an administrator.
	if r := query(t, h, as(ada), grantQ, gv(paris, ada, "ORGANIZER")); code(r) != "FORBIDDEN" {
		t.Errorf("a member promotes herself: %+v", r.Errors)
	}
	if r := query(t, h, as(org), grantQ, gv(paris, outsider, "ORGANIZER")); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "user" {
		t.Errorf("promoting a non-member: %+v", r.Errors)
	}
	r := query(t, h, as(org), grantQ, gv(paris, ada, "ORGANIZER"))
	adaOrganizer, _ := dig(r.Data, "grantGroupRole", "role", "id").(string)
	if adaOrganizer == "" {
		t.Fatalf("organizer promotes ada: %+v", r.Errors)
	}
	if r := query(t, h, as(org), grantQ, gv(paris, ada, "AMBASSADOR")); code(r) != "BAD_USER_INPUT" {
		t.Errorf("group ambassador in a regional programme: %+v", r.Errors)
	}

	// openEuler: staff appoint; one organizer seat, held under concurrency.
	if r := query(t, h, as(wm1), grantQ, gv(wuhan, wm1, "ORGANIZER")); code(r) != "FORBIDDEN" {
		t.Errorf("openEuler member self-appoints: %+v", r.Errors)
	}
	results := make(chan any, 2)
	var wg sync.WaitGroup
	for _, u := range []*ent.User{wm1, wm2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- code(query(t, h, as(oeStaff), grantQ, gv(wuhan, u, "ORGANIZER")))
		}()
	}
	wg.Wait()
	close(results)
	var got []any
	for c := range results {
		got = append(got, c)
	}
	if n := c.Role.Query().Where(role.GroupID(wuhan.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).CountX(sys); n != 1 ||
		!((got[0] == nil && got[1] == "CONFLICT") || (got[1] == nil && got[0] == "CONFLICT")) {
		t.Errorf("two appointments to one seat: %d organizers, results %v", n, got)
	}

	// Stepping down and revoking.
	const stepDown = `mutation($r: ID!) { stepDown(input: {role: $r}) { role { status } } }`
	const revoke = `mutation($r: ID!, $why: String) { revokeRole(input: {role: $r, reason: $why}) { role { status endReason } } }`
	orgRole := c.Role.Query().Where(role.UserID(org.ID), role.KindEQ(role.KindORGANIZER)).OnlyX(sys)
	if r := query(t, h, as(ada), stepDown, map[string]any{"r": string(orgRole.ID)}); code(r) != "FORBIDDEN" {
		t.Errorf("stepping down from someone else's role: %+v", r.Errors)
	}
	if r := query(t, h, as(org), revoke, map[string]any{"r": adaOrganizer, "why": "no"}); code(r) != "FORBIDDEN" {
		t.Errorf("an organizer revokes: %+v", r.Errors)
	}
	if r := query(t, h, as(osStaff), revoke, map[string]any{"r": adaOrganizer}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("revoking without a reason: %+v", r.Errors)
	}
	if r := query(t, h, as(org), stepDown, map[string]any{"r": string(orgRole.ID)}); dig(r.Data, "stepDown", "role", "status") != "LEFT" {
		t.Errorf("org steps down while ada organizes too: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), stepDown, map[string]any{"r": adaOrganizer}); code(r) != "CONFLICT" || r.Errors[0].Extensions["reason"] != "LAST_ORGANIZER" {
		t.Errorf("the last organizer steps down: %+v", r.Errors)
	}
	if r := query(t, h, as(osStaff), revoke, map[string]any{"r": adaOrganizer, "why": "Inactive for a year."}); dig(r.Data, "revokeRole", "role", "status") != "REMOVED" {
		t.Errorf("staff revoke the last organizer: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(org), stepDown, map[string]any{"r": string(orgRole.ID)}); code(r) != "CONFLICT" || r.Errors[0].Extensions["status"] != "LEFT" {
		t.Errorf("stepping down twice: %+v", r.Errors)
	}
}

func TestApplyToBeAmbassador(t *testing.T) {
	db := dbtest.Open(t)
	w := newQueueWorld(t, db, policy.OpenStack())
	sys := viewer.SystemContext(context.Background())
	region := w.c.Region.Query().OnlyX(sys)
	const apply = `mutation($in: ApplyToBeAmbassadorInput!) { applyToBeAmbassador(input: $in) { application { id kind status answers { why } } } }`
	in := func(why string, withRegion bool) map[string]any {
		m := map[string]any{"community": string(w.com.ID), "why": why, "participation": "Ran the Oakland meetups for two years.", "ideas": "Hackfests with the universities."}
		if withRegion {
			m["region"] = string(region.ID)
		}
		return map[string]any{"in": m}
	}
	if r := w.do(t, w.other, apply, in("To help new groups.", false)); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "region" {
		t.Errorf("no region: %+v", r.Errors)
	}
	if r := w.do(t, w.other, apply, in("", true)); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "why" {
		t.Errorf("no answer to why: %+v", r.Errors)
	}
	if r := w.do(t, w.amb, apply, in("Again.", true)); code(r) != "CONFLICT" {
		t.Errorf("an ambassador applies for their own region: %+v", r.Errors)
	}
	r := w.do(t, w.other, apply, in("To help new groups.", true))
	id, _ := dig(r.Data, "applyToBeAmbassador", "application", "id").(string)
	if id == "" {
		t.Fatalf("apply: %+v", r.Errors)
	}
	if r := w.do(t, w.other, apply, in("Twice.", true)); code(r) != "CONFLICT" {
		t.Errorf("second application: %+v", r.Errors)
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
		t.Fatalf("approve: %+v", r.Errors)
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
	sys := viewer.SystemContext(context.Background())
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
	if r := query(t, w.h, "", q, map[string]any{"c": string(w.com.ID), "limit": 1}); len(dig(r.Data, "ambassadors").([]any)) != 1 {
		t.Errorf("limit 1: %+v", r.Data)
	}
	if r := query(t, w.h, "", q, map[string]any{"c": string(w.com.ID), "limit": 101}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("limit 101: %+v", r.Errors)
	}
}

func TestInvites(t *testing.T) {
	db := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: db, Client: db.Client})
	sys := viewer.SystemContext(context.Background())
	tx, err := db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(oe.ID).SetName("Xi'an").SetSlug("xian").SetCity("Xi'an").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	org, a, b, c := mk("org"), mk("aa"), mk("bb"), mk("cc")
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	const create = `mutation($g: ID!, $d: Int, $n: Int) { createInvite(input: {group: $g, expiresInDays: $d, maxUses: $n}) { invite { id code maxUses uses expiresAt } } }`
	const redeem = `mutation($c: String!) { redeemInvite(input: {code: $c}) { role { kind status group { name } } } }`
	if r := query(t, h, as(a), create, map[string]any{"g": string(g.ID)}); code(r) != "FORBIDDEN" {
		t.Errorf("a non-organizer invites: %+v", r.Errors)
	}
	if r := query(t, h, as(org), create, map[string]any{"g": string(g.ID), "n": 0}); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "maxUses" {
		t.Errorf("maxUses 0: %+v", r.Errors)
	}
	r := query(t, h, as(org), create, map[string]any{"g": string(g.ID), "n": 2})
	inviteCode, _ := dig(r.Data, "createInvite", "invite", "code").(string)
	inviteID, _ := dig(r.Data, "createInvite", "invite", "id").(string)
	if len(inviteCode) != 12 {
		t.Fatalf("createInvite: %+v %+v", r.Data, r.Errors)
	}
	// The code is for organizers: a member cannot look the invite up.
	if r := query(t, h, as(a), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": inviteID}); code(r) != "NOT_FOUND" {
		t.Errorf("someone else reads the invite: %+v", r.Errors)
	}
	if r := query(t, h, as(a), redeem, map[string]any{"c": "NOSUCHCODE12"}); code(r) != "NOT_FOUND" {
		t.Errorf("unknown code: %+v", r.Errors)
	}
	if r := query(t, h, as(a), redeem, map[string]any{"c": strings.ToLower(inviteCode)}); dig(r.Data, "redeemInvite", "role", "status") != "ACTIVE" {
		t.Fatalf("a joins (openEuler, no article needed with an invite): %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(a), redeem, map[string]any{"c": inviteCode}); code(r) != "CONFLICT" {
		t.Errorf("redeeming twice: %+v", r.Errors)
	}
	query(t, h, as(b), redeem, map[string]any{"c": inviteCode})
	if r := query(t, h, as(c), redeem, map[string]any{"c": inviteCode}); code(r) != "CONFLICT" {
		t.Errorf("third use of a two-use invite: %+v", r.Errors)
	}
	// Expiry.
	r = query(t, h, as(org), create, map[string]any{"g": string(g.ID), "d": 1})
	expiring := dig(r.Data, "createInvite", "invite", "code").(string)
	tx, _ = db.Client.Tx(sys)
	tx.Invite.Update().Where(invite.Code(expiring)).SetExpiresAt(time.Now().Add(-time.Minute)).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if r := query(t, h, as(c), redeem, map[string]any{"c": expiring}); code(r) != "CONFLICT" {
		t.Errorf("expired invite: %+v", r.Errors)
	}

	// The group's invites, listed for its organizers only; withdrawing one.
	const list = `{ group(community: "openeuler", slug: "xian") { invites { id code uses revokedAt } } }`
	if r := query(t, h, as(org), list, nil); len(items(r.Data, "group", "invites")) != 2 {
		t.Errorf("the organizer lists invites: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(a), list, nil); len(items(r.Data, "group", "invites")) != 0 {
		t.Errorf("a member lists invites: %+v", r.Data)
	}
	r = query(t, h, as(org), create, map[string]any{"g": string(g.ID)})
	fresh, freshID := dig(r.Data, "createInvite", "invite", "code").(string), dig(r.Data, "createInvite", "invite", "id")
	const revoke = `mutation($id: ID!) { revokeInvite(input: {invite: $id}) { invite { revokedAt } } }`
	if r := query(t, h, as(a), revoke, map[string]any{"id": freshID}); code(r) != "NOT_FOUND" {
		t.Errorf("a member withdraws an invite: %+v", r.Errors)
	}
	if r := query(t, h, as(org), revoke, map[string]any{"id": freshID}); dig(r.Data, "revokeInvite", "invite", "revokedAt") == nil {
		t.Errorf("the organizer withdraws it: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(org), revoke, map[string]any{"id": freshID}); code(r) != "CONFLICT" {
		t.Errorf("withdrawing twice: %+v", r.Errors)
	}
	if r := query(t, h, as(c), redeem, map[string]any{"c": fresh}); code(r) != "CONFLICT" {
		t.Errorf("a withdrawn invite: %+v", r.Errors)
	}
}
