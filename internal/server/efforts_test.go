package server_test

import (
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestGlobalEffortProcess is issue 19's global efforts over GraphQL: staff
// announce an effort to Europe (its organizers are told, Asia's are not),
// organizers opt groups in (a group out of scope and a member are refused),
// anyone reads which groups take part, in constant SQL, and nobody joins or
// leaves after the end.
func TestGlobalEffortProcess(t *testing.T) {
	var counter *dbtest.Counter
	base := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client, now: func() time.Time { return now }})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	europe := tx.Region.Create().SetCommunityID(os.ID).SetName("Europe").SetSlug("europe").SetCountries([]string{"FR"}).SaveX(sys)
	asia := tx.Region.Create().SetCommunityID(os.ID).SetName("Asia").SetSlug("asia").SetCountries([]string{"JP"}).SaveX(sys)
	mkGroup := func(slug string, r *ent.Region) *ent.Group {
		name := strings.ToUpper(slug[:1]) + slug[1:]
		return tx.Group.Create().SetCommunityID(os.ID).SetRegionID(r.ID).SetName(name).SetSlug(slug).SetCity(name).SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	}
	groups := []*ent.Group{mkGroup("paris", europe), mkGroup("lyon", europe), mkGroup("nice", europe), mkGroup("lille", europe)}
	tokyo := mkGroup("tokyo", asia)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	staff, org, tokyoOrg, member := mk("staff"), mk("org"), mk("tokyoorg"), mk("member")
	tx.Role.Create().SetUserID(staff.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	for _, g := range groups {
		tx.Role.Create().SetUserID(org.ID).SetCommunityID(os.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	}
	tx.Role.Create().SetUserID(tokyoOrg.ID).SetCommunityID(os.ID).SetGroupID(tokyo.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	tx.Role.Create().SetUserID(member.ID).SetCommunityID(os.ID).SetGroupID(groups[0].ID).SetKind(role.KindMEMBER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	const announce = `mutation($in: AnnounceGlobalEffortInput!) { announceGlobalEffort(input: $in) {
		globalEffort { id title region { slug } groups { slug } } userErrors { code field } } }`
	in := map[string]any{"community": "openstack", "region": string(europe.ID), "title": "Docs sprint", "description": "Fix the install guide together.",
		"url": "https://wiki.example.org/docs-sprint", "startsAt": "2026-03-10T00:00:00Z", "endsAt": "2026-03-31T00:00:00Z"}
	if r := query(t, h, as(org), announce, map[string]any{"in": in}); code(r) != "FORBIDDEN" {
		t.Errorf("an organizer announces: %+v %+v", r.Data, r.Errors)
	}
	r := query(t, h, as(staff), announce, map[string]any{"in": in})
	if !accepted(r, "announceGlobalEffort") || dig(r.Data, "announceGlobalEffort", "globalEffort", "region", "slug") != "europe" {
		t.Fatalf("announce: %+v %+v", r.Data, r.Errors)
	}
	effort := dig(r.Data, "announceGlobalEffort", "globalEffort", "id")
	if n := base.Client.Message.Query().Where(message.TemplateEQ("global_effort"), message.RecipientID(org.ID)).CountX(sys); n != 4 {
		t.Errorf("Europe's organizer got %d letters, want one per group", n)
	}
	if n := base.Client.Message.Query().Where(message.TemplateEQ("global_effort"), message.RecipientID(tokyoOrg.ID)).CountX(sys); n != 0 {
		t.Errorf("Asia's organizer got %d letters", n)
	}

	const join = `mutation($e: ID!, $g: ID!) { joinGlobalEffort(input: {effort: $e, group: $g}) { globalEffort { groups { slug } } userErrors { code field } } }`
	const leave = `mutation($e: ID!, $g: ID!) { leaveGlobalEffort(input: {effort: $e, group: $g}) { globalEffort { groups { slug } } userErrors { code field } } }`
	if r := query(t, h, as(tokyoOrg), join, map[string]any{"e": effort, "g": "openstack/tokyo"}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("out-of-scope group joins: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(member), join, map[string]any{"e": effort, "g": "openstack/paris"}); code(r) != "FORBIDDEN" {
		t.Errorf("a member opts in: %+v %+v", r.Data, r.Errors)
	}
	for _, g := range groups {
		if r := query(t, h, as(org), join, map[string]any{"e": effort, "g": string(g.ID)}); !accepted(r, "joinGlobalEffort") {
			t.Fatalf("join %s: %+v %+v", g.Slug, r.Data, r.Errors)
		}
	}
	if r := query(t, h, as(org), join, map[string]any{"e": effort, "g": "openstack/paris"}); code(r) != "CONFLICT" {
		t.Errorf("joining twice: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(org), leave, map[string]any{"e": effort, "g": "openstack/lille"})
	if !accepted(r, "leaveGlobalEffort") {
		t.Fatalf("leave: %+v %+v", r.Data, r.Errors)
	}
	if got := r.Data["leaveGlobalEffort"].(map[string]any)["globalEffort"].(map[string]any)["groups"].([]any); len(got) != 3 {
		t.Errorf("groups after leaving: %v", got)
	}

	// Public, batched: efforts with their groups, groups with their efforts.
	const list = `{ globalEfforts(first: 10) { edges { node { title groups { slug globalEfforts { title } } } } } }`
	if r := query(t, h, "", list, nil); dig(r.Data, "globalEfforts", "edges", "0", "node", "groups", "0", "globalEfforts", "0", "title") != "Docs sprint" {
		t.Errorf("public read: %+v %+v", r.Data, r.Errors)
	}
	// Each list loads its field once, whatever its length: the efforts'
	// groups, and the groups' efforts.
	const efforts = `{ globalEfforts(first: 10) { edges { node { title groups { slug } } } } }`
	const groupsQ = `{ groups(first: 10) { edges { node { slug globalEfforts { title } } } } }`
	stmts := map[string][]int64{}
	for i := range 2 {
		if i == 1 { // a second effort with groups of its own
			in["title"] = "Meetup week"
			r := query(t, h, as(staff), announce, map[string]any{"in": in})
			for _, g := range groups[:2] {
				query(t, h, as(org), join, map[string]any{"e": dig(r.Data, "announceGlobalEffort", "globalEffort", "id"), "g": string(g.ID)})
			}
		}
		for name, q := range map[string]string{"efforts": efforts, "groups": groupsQ} {
			counter.Reset()
			if r := query(t, h, "", q, nil); len(r.Errors) > 0 {
				t.Fatal(r.Errors)
			}
			stmts[name] = append(stmts[name], counter.Count())
		}
	}
	t.Logf("statements before and after a second effort: %v", stmts)
	for name, n := range stmts {
		if n[0] != n[1] {
			t.Errorf("%s: statements grew with the efforts: %v", name, n)
		}
	}

	now = time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	if r := query(t, h, as(org), join, map[string]any{"e": effort, "g": "openstack/lille"}); code(r) != "CONFLICT" {
		t.Errorf("join after the end: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(org), leave, map[string]any{"e": effort, "g": "openstack/paris"}); code(r) != "CONFLICT" {
		t.Errorf("leave after the end: %+v %+v", r.Data, r.Errors)
	}
}
