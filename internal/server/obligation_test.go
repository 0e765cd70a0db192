package server_test

import (
	"fmt"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestObligationsOverGraphQL: a member sees their own obligation year
// (viewerMembership: the window from joining, then the contribution that
// met it), nobody else's; the group's organizers and ambassadors and the
// community's staff see who is at risk, soonest first, anyone else is
// refused; withinDays is checked; and the list costs the same statements
// for a group of 3 members at risk as for one of 12.
func TestObligationsOverGraphQL(t *testing.T) {
	var counter *dbtest.Counter
	base := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	clock := dbtest.NewClock(time.Now().UTC().Truncate(time.Second))
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client, now: clock.Now})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	p := policy.OpenEuler()
	p.MembershipNeedsApproval, p.MembershipRequiresArticle = false, false
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(p).SaveX(sys)
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	mkGroup := func(com *ent.Community, name, slug string) *ent.Group {
		return tx.Group.Create().SetCommunityID(com.ID).SetName(name).SetSlug(slug).SetCity(name).SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	}
	wuhan, xian, small, paris := mkGroup(oe, "Wuhan", "wuhan"), mkGroup(oe, "Xian", "xian"), mkGroup(oe, "Hefei", "small"), mkGroup(os, "Paris", "paris")
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	ada, bob, org, amb, mgr, xianOrg, osMgr, stranger := mk("ada"), mk("bob"), mk("org"), mk("amb"), mk("mgr"), mk("xianorg"), mk("osmgr"), mk("stranger")
	grant := func(u *ent.User, kind role.Kind, com *ent.Community, g *ent.Group) *ent.RoleCreate {
		b := tx.Role.Create().SetUserID(u.ID).SetCommunityID(com.ID).SetKind(kind)
		if g != nil {
			b.SetGroupID(g.ID)
		}
		return b
	}
	grant(org, role.KindORGANIZER, oe, wuhan).ExecX(sys)
	grant(amb, role.KindAMBASSADOR, oe, wuhan).ExecX(sys)
	grant(mgr, role.KindCOMMUNITY_MANAGER, oe, nil).ExecX(sys)
	grant(xianOrg, role.KindORGANIZER, oe, xian).ExecX(sys)
	grant(osMgr, role.KindCOMMUNITY_MANAGER, os, nil).ExecX(sys)
	now := clock.Now()
	// Bob's year ends in 20 days, with a contribution waiting.
	bobDue := now.AddDate(0, 0, 20)
	grant(bob, role.KindMEMBER, oe, wuhan).SetObligationStartedAt(bobDue.AddDate(0, 0, -365)).SetObligationDueAt(bobDue).ExecX(sys)
	tx.Contribution.Create().SetCommunityID(oe.ID).SetUserID(bob.ID).SetGroupID(wuhan.ID).SetKind(contribution.KindARTICLE).
		SetTitle("On openEuler in Wuhan").SetOccurredOn(now.AddDate(0, 0, -3)).ExecX(sys)
	// At risk in the small group: 3 members; in Xian: 12.
	for i := range 15 {
		g := small
		if i >= 3 {
			g = xian
		}
		u := mk(fmt.Sprintf("m%d", i))
		due := now.AddDate(0, 0, 10+i)
		grant(u, role.KindMEMBER, oe, g).SetObligationStartedAt(due.AddDate(0, 0, -365)).SetObligationDueAt(due).ExecX(sys)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	// Ada joins: her first year starts now.
	const join = `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { id } userErrors { code message } } }`
	if r := query(t, h, as(ada), join, map[string]any{"g": string(wuhan.ID)}); dig(r.Data, "joinGroup", "role", "id") == nil {
		t.Fatalf("join: %+v %+v", r.Data, r.Errors)
	}
	const mine = `query($g: ID!) { node(id: $g) { ... on Group { viewerMembership {
		role { kind status } obligationStartedAt obligationDueAt metBy { id title } } } } }`
	r := query(t, h, as(ada), mine, map[string]any{"g": string(wuhan.ID)})
	m := dig(r.Data, "node", "viewerMembership")
	if len(r.Errors) > 0 || dig(m, "role", "kind") != "MEMBER" || dig(m, "obligationStartedAt") != now.Format(time.RFC3339) ||
		dig(m, "obligationDueAt") != now.AddDate(0, 0, 365).Format(time.RFC3339) || dig(m, "metBy") != nil {
		t.Fatalf("ada's membership after joining: %+v %+v", r.Data, r.Errors)
	}
	// A verified contribution inside the year meets it.
	met := base.Client.Contribution.Create().SetCommunityID(oe.ID).SetUserID(ada.ID).SetGroupID(wuhan.ID).SetKind(contribution.KindTALK).
		SetTitle("A talk in Wuhan").SetOccurredOn(now.Add(time.Hour)).SetStatus(contribution.StatusVERIFIED).SetVerifiedAt(now).SaveX(sys)
	r = query(t, h, as(ada), mine, map[string]any{"g": string(wuhan.ID)})
	if dig(r.Data, "node", "viewerMembership", "metBy", "id") != string(met.ID) {
		t.Errorf("ada's membership once met: %+v %+v", r.Data, r.Errors)
	}
	// Nobody else has a membership here; in OpenStack there is no year.
	for name, hdr := range map[string]string{"organizer (not a member)": as(org), "stranger": as(stranger), "anonymous": ""} {
		if r := query(t, h, hdr, mine, map[string]any{"g": string(wuhan.ID)}); len(r.Errors) > 0 || dig(r.Data, "node", "viewerMembership") != nil {
			t.Errorf("%s: viewerMembership = %+v %+v", name, r.Data, r.Errors)
		}
	}
	if r := query(t, h, as(ada), join, map[string]any{"g": string(paris.ID)}); dig(r.Data, "joinGroup", "role", "id") == nil {
		t.Fatalf("join Paris: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(ada), mine, map[string]any{"g": string(paris.ID)})
	if m := dig(r.Data, "node", "viewerMembership"); dig(m, "role", "kind") != "MEMBER" || dig(m, "obligationDueAt") != nil || dig(m, "obligationStartedAt") != nil {
		t.Errorf("an OpenStack membership: %+v %+v", r.Data, r.Errors)
	}

	const atRisk = `query($g: ID!, $d: Int) { node(id: $g) { ... on Group {
		membersAtRisk(withinDays: $d) { member { handle } role { kind } obligationDueAt pendingContributions } } } }`
	risk := func(hdr string, g *ent.Group, days any) gqlResponse {
		return query(t, h, hdr, atRisk, map[string]any{"g": string(g.ID), "d": days})
	}
	// Who may ask: the group's organizers and ambassadors, the community's staff.
	for name, hdr := range map[string]string{"organizer": as(org), "ambassador": as(amb), "staff": as(mgr)} {
		r := risk(hdr, wuhan, 30)
		list := items(r.Data, "node", "membersAtRisk")
		if len(r.Errors) > 0 || len(list) != 1 || dig(list[0], "member", "handle") != "bob" ||
			dig(list[0], "obligationDueAt") != bobDue.Format(time.RFC3339) || dig(list[0], "pendingContributions") != float64(1) {
			t.Errorf("%s: membersAtRisk = %+v %+v", name, r.Data, r.Errors)
		}
	}
	for name, hdr := range map[string]string{"member": as(ada), "stranger": as(stranger), "another group's organizer": as(xianOrg),
		"another community's staff": as(osMgr), "anonymous": ""} {
		if r := risk(hdr, wuhan, 30); code(r) != "FORBIDDEN" || dig(r.Data, "node") != nil && dig(r.Data, "node", "membersAtRisk") != nil {
			t.Errorf("%s: membersAtRisk = %+v %+v, want FORBIDDEN", name, r.Data, r.Errors)
		}
	}
	for _, d := range []int{0, -1, 367} {
		if r := risk(as(org), wuhan, d); code(r) != "BAD_USER_INPUT" {
			t.Errorf("withinDays %d: %+v %+v", d, r.Data, r.Errors)
		}
	}
	// The default looks 30 days ahead; nearer windows only with fewer days.
	if r := query(t, h, as(org), `query($g: ID!) { node(id: $g) { ... on Group { membersAtRisk { member { handle } } } } }`,
		map[string]any{"g": string(wuhan.ID)}); len(items(r.Data, "node", "membersAtRisk")) != 1 {
		t.Errorf("default withinDays: %+v %+v", r.Data, r.Errors)
	}
	if r := risk(as(org), wuhan, 19); len(r.Errors) > 0 || len(items(r.Data, "node", "membersAtRisk")) != 0 {
		t.Errorf("withinDays 19: %+v %+v", r.Data, r.Errors)
	}

	// Soonest first, and the same statements for 3 members at risk as for 12.
	statements := map[string]int64{}
	for _, g := range []*ent.Group{small, xian} {
		counter.Reset()
		r := risk(as(mgr), g, 366)
		statements[g.Slug] = counter.Count()
		list := items(r.Data, "node", "membersAtRisk")
		want := map[string]int{"small": 3, "xian": 12}[g.Slug]
		if len(r.Errors) > 0 || len(list) != want {
			t.Fatalf("%s: %d at risk, want %d: %+v", g.Slug, len(list), want, r.Errors)
		}
		for i := 1; i < len(list); i++ {
			if dig(list[i-1], "obligationDueAt").(string) > dig(list[i], "obligationDueAt").(string) {
				t.Errorf("%s: not soonest first: %v", g.Slug, list)
			}
		}
	}
	if statements["small"] != statements["xian"] {
		t.Errorf("SQL statements grow with the members at risk: %v", statements)
	}
}
