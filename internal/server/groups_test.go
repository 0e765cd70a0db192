package server_test

import (
	"fmt"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestEditGroupsAndHomeGroup is issue 19's group editing over GraphQL: an
// organizer renames and relinks a group (a misnamed rename is refused with
// a suggestion, a stranger is refused), an ambassador sets a home group and
// so appears in ambassadors(near:), and groups(where: {near}) finds the
// group around a place. The rules of each step are tested in
// internal/workflow/groups_test.go.
func TestEditGroupsAndHomeGroup(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").
		SetLatitude(48.8566).SetLongitude(2.3522).SetStatus("ACTIVE").SaveX(sys)
	tx.Group.Create().SetCommunityID(os.ID).SetName("Tokyo").SetSlug("tokyo").SetCity("Tokyo").SetCountry("JP").
		SetLatitude(35.68).SetLongitude(139.69).SetStatus("ACTIVE").ExecX(sys)
	region := tx.Region.Create().SetCommunityID(os.ID).SetName("Europe").SetSlug("europe").SetCountries([]string{"FR"}).SaveX(sys)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	org, amb, stranger := mk("org"), mk("amb"), mk("stranger")
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	tx.Role.Create().SetUserID(amb.ID).SetCommunityID(os.ID).SetRegionID(region.ID).SetKind(role.KindAMBASSADOR).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	const update = `mutation($in: UpdateGroupInput!) { updateGroup(input: $in) {
		group { name slug websiteURL chatURL } userErrors { code field message } } }`
	r := query(t, h, as(org), update, map[string]any{"in": map[string]any{
		"id": "openstack/paris", "name": "Paris {Stackers}", "websiteURL": "https://paris.example.org", "chatURL": ""}})
	if !accepted(r, "updateGroup") || dig(r.Data, "updateGroup", "group", "name") != "Paris {Stackers}" ||
		dig(r.Data, "updateGroup", "group", "websiteURL") != "https://paris.example.org" {
		t.Fatalf("rename: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(org), update, map[string]any{"in": map[string]any{"id": string(paris.ID), "name": "OpenStack User Group Paris"}})
	if ue := userError(r, "updateGroup"); ue == nil || ue["code"] != "BAD_USER_INPUT" || fmt.Sprint(ue["field"]) != "[input name]" || dig(r.Data, "updateGroup", "group") != nil {
		t.Errorf("misnamed rename: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(stranger), update, map[string]any{"in": map[string]any{"id": string(paris.ID), "description": "mine now"}})
	if code(r) != "FORBIDDEN" {
		t.Errorf("stranger's edit: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, "", update, map[string]any{"in": map[string]any{"id": string(paris.ID), "description": "mine now"}})
	if code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous edit: %+v %+v", r.Data, r.Errors)
	}

	// Not yet placed: the directory near Paris lists the ambassador last
	// without a radius and not at all within one.
	const near = `query($c: ID!) { ambassadors(community: $c, near: {lat: 48.85, lng: 2.35, km: 50}) { user { handle } homeGroup { slug } } }`
	if r := query(t, h, "", near, map[string]any{"c": "openstack"}); len(r.Errors) > 0 || dig(r.Data, "ambassadors", "0") != nil {
		t.Errorf("directory before the home group: %+v %+v", r.Data, r.Errors)
	}
	const home = `mutation($g: ID) { setHomeGroup(input: {group: $g}) { roles { kind homeGroup { slug } } userErrors { code field } } }`
	r = query(t, h, as(amb), home, map[string]any{"g": string(paris.ID)})
	if !accepted(r, "setHomeGroup") || dig(r.Data, "setHomeGroup", "roles", "0", "homeGroup", "slug") != "paris-stackers" {
		t.Fatalf("set home group: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, "", near, map[string]any{"c": "openstack"}); dig(r.Data, "ambassadors", "0", "user", "handle") != "amb" {
		t.Errorf("directory after the home group: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(stranger), home, map[string]any{"g": string(paris.ID)}); code(r) != "FORBIDDEN" {
		t.Errorf("a non-ambassador's home group: %+v %+v", r.Data, r.Errors)
	}

	// Groups near a place: Paris within 50 km, not Tokyo; a bad radius names near.
	const groups = `query($n: NearInput) { groups(where: {near: $n}) { totalCount edges { node { slug } } } }`
	r = query(t, h, "", groups, map[string]any{"n": map[string]any{"lat": 48.86, "lng": 2.34, "km": 50}})
	if dig(r.Data, "groups", "totalCount") != float64(1) || dig(r.Data, "groups", "edges", "0", "node", "slug") != "paris-stackers" {
		t.Errorf("groups near Paris: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, "", groups, map[string]any{"n": map[string]any{"lat": 48.86, "lng": 2.34}})
	if code(r) != "BAD_USER_INPUT" {
		t.Errorf("near without km: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, "", `{ groups(where: {or: [{near: {lat: 35.7, lng: 139.7, km: 30}}, {slug: "paris-stackers"}]}) { totalCount } }`, nil)
	if dig(r.Data, "groups", "totalCount") != float64(2) {
		t.Errorf("near inside or: %+v %+v", r.Data, r.Errors)
	}
}

// TestRetireAndMergeGroups is issue 19's retiring and merging over GraphQL:
// staff merge one group into another (its member moves, mergedInto and the
// reason are public on the archived group), retire a third, and a member's
// or an anonymous attempt is refused.
func TestRetireAndMergeGroups(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	mkGroup := func(name, slug string) *ent.Group {
		return tx.Group.Create().SetCommunityID(os.ID).SetName(name).SetSlug(slug).SetCity(name).SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	}
	paris, southParis, lyon := mkGroup("Paris", "paris"), mkGroup("Paris {South}", "paris-south"), mkGroup("Lyon", "lyon")
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	mgr, ada := mk("mgr"), mk("ada")
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	tx.Role.Create().SetUserID(ada.ID).SetCommunityID(os.ID).SetGroupID(southParis.ID).SetKind(role.KindMEMBER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	const merge = `mutation($in: MergeGroupInput!) { mergeGroup(input: $in) {
		group { status endReason endedAt mergedInto { slug } } userErrors { code field } } }`
	in := map[string]any{"id": "openstack/paris-south", "into": string(paris.ID), "reason": "One city, one group."}
	for _, who := range []string{"", as(ada)} {
		if r := query(t, h, who, merge, map[string]any{"in": in}); code(r) != "UNAUTHENTICATED" && code(r) != "FORBIDDEN" {
			t.Errorf("merge by %q: %+v %+v", who, r.Data, r.Errors)
		}
	}
	r := query(t, h, as(mgr), merge, map[string]any{"in": in})
	if !accepted(r, "mergeGroup") || dig(r.Data, "mergeGroup", "group", "status") != "ARCHIVED" ||
		dig(r.Data, "mergeGroup", "group", "mergedInto", "slug") != "paris" || dig(r.Data, "mergeGroup", "group", "endedAt") == nil {
		t.Fatalf("merge: %+v %+v", r.Data, r.Errors)
	}
	roster := `{ group(community: "openstack", slug: "paris") { roles { edges { node { kind status user { handle } } } } mergedGroups { slug endReason } } }`
	r = query(t, h, "", roster, nil)
	if dig(r.Data, "group", "roles", "edges", "0", "node", "user", "handle") != "ada" || dig(r.Data, "group", "mergedGroups", "0", "endReason") != "One city, one group." {
		t.Errorf("survivor after the merge: %+v %+v", r.Data, r.Errors)
	}

	// Privacy: the merged group's ended roles (REMOVED) are hidden from the
	// public and shown to staff, like any ended role.
	ended := `{ group(community: "openstack", slug: "paris-south") { status roles { totalCount } } }`
	if r := query(t, h, "", ended, nil); dig(r.Data, "group", "status") != "ARCHIVED" || dig(r.Data, "group", "roles", "totalCount") != float64(0) {
		t.Errorf("anonymous sees the merged group's ended roles: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mgr), ended, nil); dig(r.Data, "group", "roles", "totalCount") != float64(1) {
		t.Errorf("staff miss the merged group's ended roles: %+v %+v", r.Data, r.Errors)
	}

	const retire = `mutation($in: RetireGroupInput!) { retireGroup(input: $in) { group { status endReason } userErrors { code field } } }`
	r = query(t, h, as(mgr), retire, map[string]any{"in": map[string]any{"id": string(lyon.ID), "reason": ""}})
	if ue := userError(r, "retireGroup"); ue == nil || ue["code"] != "BAD_USER_INPUT" {
		t.Errorf("retire without a reason: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(mgr), retire, map[string]any{"in": map[string]any{"id": string(lyon.ID), "reason": "No organizer for a year."}})
	if !accepted(r, "retireGroup") || dig(r.Data, "retireGroup", "group", "status") != "ARCHIVED" {
		t.Errorf("retire: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(mgr), retire, map[string]any{"in": map[string]any{"id": string(lyon.ID), "reason": "again"}})
	if ue := userError(r, "retireGroup"); ue == nil || ue["code"] != "CONFLICT" {
		t.Errorf("retire twice: %+v %+v", r.Data, r.Errors)
	}
}
