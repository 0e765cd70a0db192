package server_test

import (
	"context"
	"testing"

	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

func TestApplyForGroupAndSupport(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := viewer.SystemContext(context.Background())
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	tx.Group.Create().SetCommunityID(com.ID).SetName("Bay Area {Stackers}").SetSlug("bay-area").SetCity("San Francisco").
		SetCountry("US").SetLatitude(37.7749).SetLongitude(-122.4194).SetStatus("OFFICIAL").SaveX(sys)
	orgA := tx.Organization.Create().SetName("Org A").SetSlug("org-a").SaveX(sys)
	orgB := tx.Organization.Create().SetName("Org B").SetSlug("org-b").SaveX(sys)
	ada := tx.User.Create().SetHandle("ada").SetName("Ada").SetCity("Oakland").SetOrganizationID(orgA.ID).SaveX(sys)
	bob := tx.User.Create().SetHandle("bob").SetName("Bob").SetCity("Oakland").SetOrganizationID(orgB.ID).SaveX(sys)
	cat := tx.User.Create().SetHandle("cat").SetName("Cat").SetCity("Boston").SetOrganizationID(orgB.ID).SaveX(sys)
	readOnly, _ := dbtest.APIToken(t, sys, tx.Client(), ada.ID, "read")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	asAda, asBob, asCat := "Session "+string(ada.ID), "Session "+string(bob.ID), "Session "+string(cat.ID)

	const apply = `mutation($in: ApplyForGroupInput!) { applyForGroup(input: $in) {
	  application { id kind status answers { proposedName city } screening { conflicts { name distanceKm } flags missing supporters supporterOrganizations } }
	  group { id name slug status city }
	} }`
	input := func(name string, coc bool) map[string]any {
		return map[string]any{"in": map[string]any{
			"community": string(com.ID), "name": name, "city": "Oakland", "country": "US",
			"latitude": 37.8044, "longitude": -122.2712, "acceptCodeOfConduct": coc,
			"description": "People running OpenStack clouds in the East Bay.",
			"links":       []map[string]string{{"label": "Meetup", "url": "https://meetup.example.com/eastbay"}},
		}}
	}
	groupsBefore := c.Group.Query().CountX(sys)

	if r := query(t, h, "", apply, input("Oakland {East Bay}", true)); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %+v", r.Errors)
	}
	if r := query(t, h, "Bearer "+readOnly, apply, input("Oakland {East Bay}", true)); code(r) != "FORBIDDEN" {
		t.Errorf("read token: %+v", r.Errors)
	}
	r := query(t, h, asAda, apply, input("{East Bay} Oakland", true))
	if code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "name" || r.Errors[0].Extensions["suggestedName"] != "Oakland {East Bay}" {
		t.Errorf("misplaced nickname: %+v", r.Errors)
	}
	if r := query(t, h, asAda, apply, input("Oakland {East Bay}", false)); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "acceptCodeOfConduct" {
		t.Errorf("code of conduct not accepted: %+v", r.Errors)
	}
	if n := c.Group.Query().CountX(sys); n != groupsBefore {
		t.Fatalf("refused requests wrote %d groups", n-groupsBefore)
	}

	r = query(t, h, asAda, apply, input("Oakland {East Bay}", true))
	if len(r.Errors) > 0 {
		t.Fatalf("applyForGroup: %+v", r.Errors)
	}
	p := dig(r.Data, "applyForGroup").(map[string]any)
	if dig(p, "group", "status") != "PROPOSED" || dig(p, "group", "slug") != "oakland-east-bay" ||
		dig(p, "application", "status") != "SUBMITTED" || dig(p, "application", "kind") != "NEW_GROUP" {
		t.Errorf("payload = %+v", p)
	}
	conflict := dig(p, "application", "screening", "conflicts", "0").(map[string]any)
	if conflict["name"] != "Bay Area {Stackers}" || conflict["distanceKm"].(float64) < 13 || conflict["distanceKm"].(float64) > 14 {
		t.Errorf("conflict = %+v", conflict)
	}
	if dig(p, "application", "screening", "supporters") != float64(1) || dig(p, "application", "screening", "flags") != nil {
		t.Errorf("screening = %+v", dig(p, "application", "screening"))
	}
	groupID := dig(p, "group", "id").(string)
	appID := dig(p, "application", "id").(string)

	// The proposed group is public; the application is the applicant's and reviewers'.
	if r := query(t, h, "", `query($id: ID!) { node(id: $id) { ... on Group { status } } }`, map[string]any{"id": groupID}); dig(r.Data, "node", "status") != "PROPOSED" {
		t.Errorf("anonymous sees the proposed group: %+v", r)
	}
	if r := query(t, h, asBob, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": appID}); code(r) != "NOT_FOUND" {
		t.Errorf("bob reads ada's application: %+v", r)
	}

	const support = `mutation($g: ID!) { supportGroupApplication(input: {group: $g}) { supporters supporterOrganizations group { name } } }`
	r = query(t, h, asBob, support, map[string]any{"g": groupID})
	if dig(r.Data, "supportGroupApplication", "supporters") != float64(2) || dig(r.Data, "supportGroupApplication", "supporterOrganizations") != float64(2) {
		t.Errorf("bob supports: %+v %+v", r.Data, r.Errors)
	}
	// Supporting twice counts once; a supporter from another city is not counted.
	query(t, h, asBob, support, map[string]any{"g": groupID})
	r = query(t, h, asCat, support, map[string]any{"g": groupID})
	if dig(r.Data, "supportGroupApplication", "supporters") != float64(2) {
		t.Errorf("after bob again and cat from Boston: %+v %+v", r.Data, r.Errors)
	}
	// Once decided, the request takes no more support.
	rtx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	rtx.Application.UpdateOneID(pulidID(appID)).SetStatus("REJECTED").ExecX(sys)
	if err := rtx.Commit(); err != nil {
		t.Fatal(err)
	}
	if r := query(t, h, asCat, support, map[string]any{"g": groupID}); code(r) != "CONFLICT" || r.Errors[0].Extensions["status"] != "REJECTED" {
		t.Errorf("support after rejection: %+v", r.Errors)
	}
	if n := c.Group.Query().Where(group.StatusEQ(group.StatusPROPOSED)).CountX(sys); n != 1 {
		t.Errorf("%d proposed groups, want 1", n)
	}
}

func code(r gqlResponse) any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions["code"]
}
