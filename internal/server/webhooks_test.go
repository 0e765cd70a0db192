package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestWebhooksThroughGraphQL registers an endpoint over GraphQL (its secret
// shown once and nowhere else), lets an organizer manage their group's
// endpoint only, lists deliveries with their status codes, and checks who
// else sees what.
func TestWebhooksThroughGraphQL(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	lyon := tx.Group.Create().SetCommunityID(os.ID).SetName("Lyon").SetSlug("lyon").SetCity("Lyon").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	mgr, org, stranger := mk("mgr"), mk("org"), mk("stranger")
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	mgrTok, _ := dbtest.APIToken(t, sys, tx.Client(), mgr.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	const create = `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) {
		webhookEndpoint { id url topics status group { slug } owner { handle } } secret userErrors { code field message } } }`
	r := query(t, h, as(mgr), create, map[string]any{"in": map[string]any{
		"community": "openstack", "url": "https://hooks.example.org/in", "topics": []string{"EVENT", "APPLICATION"}}})
	secret, _ := dig(r.Data, "createWebhookEndpoint", "secret").(string)
	epID, _ := dig(r.Data, "createWebhookEndpoint", "webhookEndpoint", "id").(string)
	if !accepted(r, "createWebhookEndpoint") || len(secret) < 40 || secret[:6] != "whsec_" ||
		dig(r.Data, "createWebhookEndpoint", "webhookEndpoint", "owner", "handle") != "mgr" {
		t.Fatalf("createWebhookEndpoint: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(mgr), create, map[string]any{"in": map[string]any{
		"community": "openstack", "url": "http://hooks.example.org/in", "topics": []string{"EVENT"}}})
	if e := userError(r, "createWebhookEndpoint"); e == nil || e["code"] != "BAD_USER_INPUT" {
		t.Fatalf("http URL: %+v %+v", r.Data, r.Errors)
	}
	// The organizer: their group yes, another group or the community no.
	r = query(t, h, as(org), create, map[string]any{"in": map[string]any{
		"community": "openstack", "group": "openstack/paris", "url": "https://hooks.example.org/paris", "topics": []string{"REGISTRATION"}}})
	if !accepted(r, "createWebhookEndpoint") || dig(r.Data, "createWebhookEndpoint", "webhookEndpoint", "group", "slug") != "paris" {
		t.Fatalf("organizer, own group: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(org), create, map[string]any{"in": map[string]any{
		"community": "openstack", "group": string(lyon.ID), "url": "https://hooks.example.org/lyon", "topics": []string{"EVENT"}}})
	if code(r) != "FORBIDDEN" {
		t.Fatalf("organizer, other group: %+v %+v", r.Data, r.Errors)
	}
	const update = `mutation($in: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $in) {
		webhookEndpoint { url } userErrors { code message } } }`
	r = query(t, h, as(org), update, map[string]any{"in": map[string]any{"id": epID, "url": "https://evil.example.org/"}})
	if e := userError(r, "updateWebhookEndpoint"); e == nil || e["code"] != "NOT_FOUND" {
		t.Fatalf("organizer updating the community's endpoint: %+v %+v", r.Data, r.Errors)
	}
	// Lists: staff see both, the organizer theirs, a stranger and a token none.
	const list = `query { webhookEndpoints(community: "openstack") { id } }`
	for who, want := range map[string]int{as(mgr): 2, as(org): 1, as(stranger): 0, "Bearer " + mgrTok: 0} {
		r := query(t, h, who, list, nil)
		if got, _ := dig(r.Data, "webhookEndpoints").([]any); len(got) != want || len(r.Errors) > 0 {
			t.Errorf("%s sees %v (want %d): %+v", who, r.Data, want, r.Errors)
		}
	}

	// A change, fanned out, appears in webhookDeliveries as pending.
	runner := workflow.NewRunner(base.Client, nil)
	system := viewer.SystemContext(context.Background())
	if err := runner.Import(system, "event", func(ctx context.Context, c *ent.Client) error {
		return c.Event.Create().SetGroupID(lyon.ID).SetTitle("Lyon meetup").SetStartsAt(time.Now().Add(time.Hour)).
			SetEndsAt(time.Now().Add(2 * time.Hour)).SetTimeZone("Europe/Paris").Exec(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range base.Client.Change.Query().AllX(sys) {
		ids = append(ids, c.ID)
	}
	if n, err := workflow.FanOutWebhooks(system, runner, ids); err != nil || n != 1 {
		t.Fatalf("fan-out: %d deliveries, %v", n, err) // the event, to the community's endpoint only
	}
	const deliveries = `query($e: ID!) { webhookDeliveries(endpoint: $e, first: 10) { totalCount
		nodes { id status attempts lastStatusCode eventType payload } } }`
	r = query(t, h, as(mgr), deliveries, map[string]any{"e": epID})
	if len(r.Errors) > 0 || dig(r.Data, "webhookDeliveries", "totalCount") != float64(1) ||
		dig(r.Data, "webhookDeliveries", "nodes", "0", "status") != "PENDING" ||
		dig(r.Data, "webhookDeliveries", "nodes", "0", "eventType") != "event.created" ||
		dig(r.Data, "webhookDeliveries", "nodes", "0", "lastStatusCode") != nil {
		t.Fatalf("webhookDeliveries: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(stranger), deliveries, map[string]any{"e": epID}); code(r) != "NOT_FOUND" {
		t.Errorf("a stranger lists deliveries: %+v %+v", r.Data, r.Errors)
	}
}
