package server_test

import (
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestAwardSelection is the annual selection's path through the API:
// staff open it, the tally is read (staff all of it, an organizer their
// group's rows, anyone else nothing), an organizer nominates, staff decide,
// the public showcase shows the winner within their consent, and the gift
// package is marked shipped once the winner gave an address. The rules of
// each step are tested in internal/workflow (awards_test.go).
func TestAwardSelection(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	mkGroup := func(name, slug string) *ent.Group {
		return tx.Group.Create().SetCommunityID(oe.ID).SetName(name).SetSlug(slug).SetCity("Wuhan").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	}
	wuhan, xian := mkGroup("Wuhan", "wuhan"), mkGroup("Xian", "xian")
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	ada, cy, org1, org2, mgr, eve := mk("ada"), mk("cy"), mk("org1"), mk("org2"), mk("mgr"), mk("eve")
	tx.User.UpdateOne(ada).SetName("Ada Lovelace").SetShowcaseConsent(true).SetAvatarURL("https://example.org/ada.png").ExecX(sys)
	grant := func(u *ent.User, g *ent.Group, kind role.Kind) {
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(oe.ID).SetGroupID(g.ID).SetKind(kind).ExecX(sys)
	}
	grant(ada, wuhan, role.KindMEMBER)
	grant(cy, xian, role.KindMEMBER)
	grant(eve, wuhan, role.KindMEMBER)
	grant(org1, wuhan, role.KindORGANIZER)
	grant(org2, xian, role.KindORGANIZER)
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(oe.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	contribute := func(u *ent.User, g *ent.Group, points int) {
		tx.Contribution.Create().SetCommunityID(oe.ID).SetUserID(u.ID).SetGroupID(g.ID).SetKind(contribution.KindTALK).SetTitle("A talk").
			SetOccurredOn(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)).SetStatus(contribution.StatusVERIFIED).SetPoints(points).ExecX(sys)
	}
	contribute(ada, wuhan, 5)
	contribute(ada, wuhan, 5)
	contribute(cy, xian, 3)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	// Staff open the year's selection; a second one is refused.
	const open = `mutation($in: OpenAwardSelectionInput!) { openAwardSelection(input: $in) { selection { id year status categories } userErrors { code field } } }`
	r := query(t, h, as(mgr), open, map[string]any{"in": map[string]any{"community": "openeuler", "year": 2026}})
	sel, _ := dig(r.Data, "openAwardSelection", "selection", "id").(string)
	if !accepted(r, "openAwardSelection") || sel == "" || dig(r.Data, "openAwardSelection", "selection", "categories") == nil {
		t.Fatalf("open: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mgr), open, map[string]any{"in": map[string]any{"community": "openeuler", "year": 2026}}); code(r) != "CONFLICT" {
		t.Errorf("opening twice: %+v %+v", r.Data, r.Errors)
	}

	// The tally: staff see both groups, the organizer of Wuhan its rows only, the public nothing.
	const tally = `query($id: ID!) { node(id: $id) { ... on AwardSelection { tally { rank points contributions member { handle } group { slug } } } } }`
	rows := func(r gqlResponse) []any { l, _ := dig(r.Data, "node", "tally").([]any); return l }
	if r := query(t, h, as(mgr), tally, map[string]any{"id": sel}); len(r.Errors) > 0 || len(rows(r)) != 2 ||
		dig(r.Data, "node", "tally", "0", "member", "handle") != "ada" || dig(r.Data, "node", "tally", "0", "points") != float64(10) {
		t.Errorf("staff's tally: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(org1), tally, map[string]any{"id": sel}); len(r.Errors) > 0 || len(rows(r)) != 1 ||
		dig(r.Data, "node", "tally", "0", "group", "slug") != "wuhan" {
		t.Errorf("organizer's tally: %+v %+v", r.Data, r.Errors)
	}
	// Through a connection that loads only the fields asked for, the rule still reads the selection's community.
	const listed = `{ community(slug: "openeuler") { awardSelections { edges { node { categories tally(first: 1) { points } } } } } }`
	if r := query(t, h, as(org1), listed, nil); len(r.Errors) > 0 ||
		dig(r.Data, "community", "awardSelections", "edges", "0", "node", "tally", "0", "points") != float64(10) ||
		dig(r.Data, "community", "awardSelections", "edges", "0", "node", "categories", "0") != policy.AwardOutstandingMember {
		t.Errorf("the tally through a connection: %+v %+v", r.Data, r.Errors)
	}
	for name, who := range map[string]string{"anonymous": "", "member": as(eve)} {
		if r := query(t, h, who, tally, map[string]any{"id": sel}); code(r) != "FORBIDDEN" || len(rows(r)) != 0 {
			t.Errorf("%s's tally: %+v %+v", name, r.Data, r.Errors)
		}
	}

	// An organizer nominates a member of their group, not of another's.
	const nominate = `mutation($in: NominateForAwardInput!) { nominateForAward(input: $in) { nomination { id status } userErrors { code field } } }`
	nom := func(by, u *ent.User, g *ent.Group) gqlResponse {
		return query(t, h, as(by), nominate, map[string]any{"in": map[string]any{"selection": sel, "member": string(u.ID), "group": string(g.ID),
			"category": policy.AwardOutstandingMember, "citation": "Gave two talks that filled the room."}})
	}
	if r := nom(org1, cy, xian); code(r) != "FORBIDDEN" {
		t.Errorf("nominating in another group: %+v %+v", r.Data, r.Errors)
	}
	r = nom(org1, ada, wuhan)
	nomination, _ := dig(r.Data, "nominateForAward", "nomination", "id").(string)
	if !accepted(r, "nominateForAward") || nomination == "" {
		t.Fatalf("nominating: %+v %+v", r.Data, r.Errors)
	}

	// Staff decide; the decision is final.
	const decide = `mutation($in: DecideAwardsInput!) { decideAwards(input: $in) { selection { status } awards { id title rank points } userErrors { code field reason } } }`
	in := map[string]any{"id": sel, "awards": []any{map[string]any{"nomination": nomination, "rank": 1}}}
	if r := query(t, h, as(org1), decide, map[string]any{"in": in}); code(r) != "FORBIDDEN" {
		t.Errorf("an organizer deciding: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(mgr), decide, map[string]any{"in": in})
	if !accepted(r, "decideAwards") || dig(r.Data, "decideAwards", "selection", "status") != "DECIDED" ||
		dig(r.Data, "decideAwards", "awards", "0", "title") != "Outstanding member" || dig(r.Data, "decideAwards", "awards", "0", "points") != float64(10) {
		t.Fatalf("deciding: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mgr), decide, map[string]any{"in": in}); code(r) != "CONFLICT" {
		t.Errorf("deciding twice: %+v %+v", r.Data, r.Errors)
	}

	// The public showcase, within the winner's consent.
	const showcase = `{ awards(community: "openeuler", year: 2026) { title rank year category citation name photoURL organization group { slug } award { id } } }`
	r = query(t, h, "", showcase, nil)
	if len(r.Errors) > 0 || dig(r.Data, "awards", "0", "name") != "Ada Lovelace" || dig(r.Data, "awards", "0", "photoURL") != nil ||
		dig(r.Data, "awards", "0", "group", "slug") != "wuhan" || dig(r.Data, "awards", "0", "citation") != "Gave two talks that filled the room." {
		t.Errorf("showcase with showcase consent only: %+v %+v", r.Data, r.Errors)
	}
	c.User.UpdateOne(ada).SetShowcaseConsent(false).SetPhotoConsent(true).ExecX(sys)
	r = query(t, h, "", showcase, nil)
	if len(r.Errors) > 0 || dig(r.Data, "awards", "0", "name") != nil || dig(r.Data, "awards", "0", "photoURL") != "https://example.org/ada.png" {
		t.Errorf("showcase with photo consent only: %+v %+v", r.Data, r.Errors)
	}

	// The gift package: staff find it, cannot send it without an address, then can.
	const parcels = `{ community(slug: "openeuler") { shipments { edges { node { id kind status address { city } } } } } }`
	r = query(t, h, as(mgr), parcels, nil)
	parcel, _ := dig(r.Data, "community", "shipments", "edges", "0", "node", "id").(string)
	if parcel == "" || dig(r.Data, "community", "shipments", "edges", "0", "node", "kind") != "GIFT_PACKAGE" {
		t.Fatalf("staff's shipments: %+v %+v", r.Data, r.Errors)
	}
	const ship = `mutation($id: ID!) { markShipmentShipped(input: {id: $id, carrier: "SF Express", trackingCode: "SF1"}) {
		shipment { status carrier address { city } } userErrors { code reason } } }`
	r = query(t, h, as(mgr), ship, map[string]any{"id": parcel})
	if ue := userError(r, "markShipmentShipped"); ue == nil || ue["code"] != "CONFLICT" || ue["reason"] != "NO_ADDRESS" {
		t.Errorf("shipping without an address: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(ada), `mutation { setShippingAddress(input: {recipientName: "Ada", streetLines: ["1 Luoyu Road"], city: "Wuhan", country: "CN", phone: "+86 27 1234 5678"}) { userErrors { code field } } }`, nil)
	if !accepted(r, "setShippingAddress") {
		t.Fatalf("setting an address: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(mgr), ship, map[string]any{"id": parcel})
	if !accepted(r, "markShipmentShipped") || dig(r.Data, "markShipmentShipped", "shipment", "status") != "SHIPPED" ||
		dig(r.Data, "markShipmentShipped", "shipment", "address", "city") != "Wuhan" {
		t.Errorf("shipping: %+v %+v", r.Data, r.Errors)
	}
	// Where it goes, through a connection that loads only the fields asked for.
	const where = `{ community(slug: "openeuler") { shipments { edges { node { address { city } } } } } }`
	if r := query(t, h, as(mgr), where, nil); dig(r.Data, "community", "shipments", "edges", "0", "node", "address", "city") != "Wuhan" {
		t.Errorf("the parcel's address: %+v %+v", r.Data, r.Errors)
	}
	if n := c.Message.Query().Where(message.Template("shipment_sent"), message.RecipientID(ada.ID)).CountX(sys); n != 1 {
		t.Errorf("%d shipping notices to the winner, want 1", n)
	}
	// The winner sees their parcel and its address; another member sees neither.
	const mine = `{ me { shipments { edges { node { status address { city } } } } } }`
	if r := query(t, h, as(ada), mine, nil); dig(r.Data, "me", "shipments", "edges", "0", "node", "address", "city") != "Wuhan" {
		t.Errorf("winner's shipments: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(eve), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": parcel}); dig(r.Data, "node") != nil {
		t.Errorf("another member reads the parcel: %+v %+v", r.Data, r.Errors)
	}
}
