package server_test

import (
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/client"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestRosterCountsCostConstantSQL: counts per kind load once per list —
// for every group of a page, and for every person of a roster page.
func TestRosterCountsCostConstantSQL(t *testing.T) {
	var counter *dbtest.Counter
	db := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	f := buildFixture(t, db, 30, 8, 0, 0)
	c := signedIn(t, db, f.manager)
	type kc []struct {
		Kind  string
		Count int
	}
	const groupsQ = `query($n: Int) { community(slug: "openstack") { groups(first: $n) { edges { node {
		rosterCounts { kind count }
		past: rosterCounts(statuses: [LEFT]) { kind count } } } } } }`
	const rosterQ = `query($n: Int) { group(community: "openstack", slug: "city-0") {
		roles(first: $n) { edges { node { user { roleCounts { kind count } } } } } } }`
	statements := map[string][]int64{}
	for i, n := range []int{3, 30} {
		var resp struct {
			Community struct {
				Groups struct {
					Edges []struct {
						Node struct{ RosterCounts, Past kc }
					}
				}
			}
		}
		counter.Reset()
		c.MustPost(groupsQ, &resp, client.Var("n", n))
		statements["groups"] = append(statements["groups"], counter.Count())
		if len(resp.Community.Groups.Edges) != n {
			t.Fatalf("n=%d: %d groups", n, len(resp.Community.Groups.Edges))
		}
		for _, e := range resp.Community.Groups.Edges {
			got := e.Node.RosterCounts
			if len(got) != 2 || got[0].Kind != "MEMBER" || got[0].Count != 7 || got[1].Kind != "ORGANIZER" || got[1].Count != 1 {
				t.Fatalf("rosterCounts = %+v", got)
			}
			if len(e.Node.Past) != 0 {
				t.Fatalf("nobody left, yet %+v", e.Node.Past)
			}
		}

		var roster struct {
			Group struct {
				Roles struct {
					Edges []struct {
						Node struct{ User struct{ RoleCounts kc } }
					}
				}
			}
		}
		counter.Reset()
		c.MustPost(rosterQ, &roster, client.Var("n", []int{2, 8}[i]))
		statements["roster"] = append(statements["roster"], counter.Count())
		for _, r := range roster.Group.Roles.Edges {
			if rc := r.Node.User.RoleCounts; len(rc) != 1 || rc[0].Count != 1 {
				t.Fatalf("roleCounts = %+v", rc)
			}
		}
	}
	for name, got := range statements {
		if got[0] != got[1] {
			t.Errorf("%s: SQL statements grow with the data: %v", name, got)
		}
	}
}

// TestRosterAndOrganizerRequests covers group.roster, the staff list of
// groups without an organizer, ORGANIZER applications and the reviewers'
// view of an applicant's track record.
func TestRosterAndOrganizerRequests(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	partner := tx.Organization.Create().SetName("Partner").SetSlug("partner").AddPartnerOfIDs(oe.ID).SaveX(sys)
	wuhan := tx.Group.Create().SetCommunityID(oe.ID).SetName("Wuhan").SetSlug("wuhan").SetCity("Wuhan").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	xian := tx.Group.Create().SetCommunityID(oe.ID).SetName("Xian").SetSlug("xian").SetCity("Xian").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string, org bool) *ent.User {
		b := tx.User.Create().SetHandle(h).SetName(h)
		if org {
			b.SetOrganizationID(partner.ID)
		}
		return b.SaveX(sys)
	}
	org, m1, m2, indie, staff := mk("org", true), mk("m1", true), mk("m2", true), mk("indie", false), mk("staff", false)
	add := func(u *ent.User, g *ent.Group, k role.Kind, s role.Status) {
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(oe.ID).SetGroupID(g.ID).SetKind(k).SetStatus(s).ExecX(sys)
	}
	add(org, wuhan, role.KindORGANIZER, role.StatusACTIVE)
	add(org, wuhan, role.KindMEMBER, role.StatusACTIVE)
	add(m1, wuhan, role.KindMEMBER, role.StatusACTIVE)
	add(m2, wuhan, role.KindMEMBER, role.StatusLEFT)
	add(indie, wuhan, role.KindMEMBER, role.StatusACTIVE)
	add(m2, xian, role.KindMEMBER, role.StatusACTIVE)
	tx.Role.Create().SetUserID(staff.ID).SetCommunityID(oe.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	tx.Contribution.Create().SetCommunityID(oe.ID).SetUserID(m1.ID).SetKind("ARTICLE").SetTitle("Porting guide").
		SetOccurredOn(time.Now()).SetVerifiedAt(time.Now()).SetStatus("VERIFIED").ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	// The roster: active by default, filtered by kind and status, counts per kind.
	const rosterQ = `query($k: [RoleKind!], $s: [RoleStatus!]) { group(community: "openeuler", slug: "wuhan") {
		roster(kinds: $k, statuses: $s, first: 2) { totalCount edges { node { kind status user { handle } } } counts { kind count } } } }`
	r := query(t, h, "", rosterQ, nil)
	if dig(r.Data, "group", "roster", "totalCount") != float64(4) || len(items(r.Data, "group", "roster", "edges")) != 2 {
		t.Errorf("active roster: %+v %+v", r.Data, r.Errors)
	}
	counts := items(r.Data, "group", "roster", "counts")
	if len(counts) != 2 || dig(counts[0], "kind") != "MEMBER" || dig(counts[0], "count") != float64(3) || dig(counts[1], "count") != float64(1) {
		t.Errorf("counts: %+v", counts)
	}
	r = query(t, h, "", rosterQ, map[string]any{"k": []string{"ORGANIZER"}})
	if dig(r.Data, "group", "roster", "totalCount") != float64(1) || dig(r.Data, "group", "roster", "edges", "0", "node", "user", "handle") != "org" {
		t.Errorf("organizers: %+v %+v", r.Data, r.Errors)
	}
	// Who left is the organizers' and staff's business, not the public's.
	left := map[string]any{"s": []string{"LEFT"}}
	if r := query(t, h, "", rosterQ, left); dig(r.Data, "group", "roster", "totalCount") != float64(0) {
		t.Errorf("anonymous sees who left: %+v", r.Data)
	}
	if r := query(t, h, as(org), rosterQ, left); dig(r.Data, "group", "roster", "totalCount") != float64(1) {
		t.Errorf("the organizer sees who left: %+v %+v", r.Data, r.Errors)
	}

	// Groups without an organizer, for staff.
	const leaderless = `query($c: ID!) { groupsWithoutOrganizer(community: $c) { slug } }`
	if r := query(t, h, as(org), leaderless, map[string]any{"c": string(oe.ID)}); code(r) != "FORBIDDEN" {
		t.Errorf("an organizer lists leaderless groups: %+v", r.Errors)
	}
	if r := query(t, h, as(staff), leaderless, map[string]any{"c": string(oe.ID)}); len(items(r.Data, "groupsWithoutOrganizer")) != 1 || dig(r.Data, "groupsWithoutOrganizer", "0", "slug") != "xian" {
		t.Errorf("staff list leaderless groups: %+v %+v", r.Data, r.Errors)
	}

	// Asking to organize (its rules are tested in internal/workflow).
	const applyQ = `mutation($g: ID!, $why: String!) { applyToOrganize(input: {group: $g, why: $why}) { application { id kind status } userErrors { code message field } } }`
	r = query(t, h, as(m1), applyQ, map[string]any{"g": string(wuhan.ID), "why": "Regular meetups at the university."})
	appID, _ := dig(r.Data, "applyToOrganize", "application", "id").(string)
	if appID == "" || dig(r.Data, "applyToOrganize", "application", "kind") != "ORGANIZER" {
		t.Fatalf("m1 applies: %+v %+v", r.Data, r.Errors)
	}
	// Reviewers (the organizer, staff) see the track record; the applicant does not.
	const recordQ = `query($id: ID!) { node(id: $id) { ... on Application { trackRecord { contributions eventsOrganized roles { kind count } ambassadorsInScope } } } }`
	for who, want := range map[*ent.User]any{org: float64(1), staff: float64(1), m1: nil} {
		r := query(t, h, as(who), recordQ, map[string]any{"id": appID})
		if got := dig(r.Data, "node", "trackRecord", "contributions"); got != want || (want != nil && dig(r.Data, "node", "trackRecord", "ambassadorsInScope") != nil) {
			t.Errorf("%s reads the track record: %+v %+v", who.Handle, r.Data, r.Errors)
		}
	}
	// openEuler's single organizer seat is taken: approval is refused until it frees.
	if r := query(t, h, as(staff), approveQ, map[string]any{"id": appID}); code(r) != "CONFLICT" || len(r.Errors) > 0 {
		t.Errorf("approving a second organizer: %+v %+v", r.Data, r.Errors)
	}
	if st := c.Application.GetX(sys, pulidID(appID)).Status; st == application.StatusAPPROVED {
		t.Errorf("application status %s after a refused approval", st)
	}
	if n := c.Message.Query().Where(message.RecipientID(m1.ID)).CountX(sys); n != 0 {
		t.Errorf("%d messages after a refused approval", n)
	}
}
