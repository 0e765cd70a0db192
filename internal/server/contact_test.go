package server_test

import (
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestContactThroughGraphQL is issue 19's relayed contact over GraphQL: a
// member writes to an ambassador and to a group's organizers; the letters
// queued carry no address and neither side reads the other's until the
// receiving side answers; the daily cap; a stranger, staff and API tokens
// read no thread; an organizer reports a message as harassment and staff
// read it through the report.
func TestContactThroughGraphQL(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	c := base.Client
	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	p := policy.OpenStack()
	p.ContactsPerDay = 3
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(p).SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	region := tx.Region.Create().SetCommunityID(os.ID).SetName("Europe").SetSlug("europe").SetCountries([]string{"FR"}).SaveX(sys)
	mk := func(h string) *ent.User {
		u := tx.User.Create().SetHandle(h).SetName(h).SaveX(sys)
		tx.Contact.Create().SetUserID(u.ID).SetEmail(h + "@example.org").ExecX(sys)
		return u
	}
	amb, org, ada, stranger, mgr := mk("amb"), mk("org"), mk("ada"), mk("stranger"), mk("mgr")
	tx.Role.Create().SetUserID(amb.ID).SetCommunityID(os.ID).SetRegionID(region.ID).SetKind(role.KindAMBASSADOR).ExecX(sys)
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	adaTok, _ := dbtest.APIToken(t, sys, tx.Client(), ada.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	const toAmb = `mutation($in: ContactAmbassadorInput!) { contactAmbassador(input: $in) {
		thread { id subject revealedAt counterpartEmail recipient { handle } messages { body author { handle } } } userErrors { code field } } }`
	r := query(t, h, as(ada), toAmb, map[string]any{"in": map[string]any{"ambassador": string(amb.ID), "subject": "A group in Lyon", "body": "How do I start one?"}})
	thread, _ := dig(r.Data, "contactAmbassador", "thread", "id").(string)
	if !accepted(r, "contactAmbassador") || dig(r.Data, "contactAmbassador", "thread", "counterpartEmail") != nil ||
		dig(r.Data, "contactAmbassador", "thread", "recipient", "handle") != "amb" {
		t.Fatalf("contactAmbassador: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), toAmb, map[string]any{"in": map[string]any{"ambassador": string(stranger.ID), "subject": "Hi", "body": "Hello"}}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("contacting a non-ambassador: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, "", toAmb, map[string]any{"in": map[string]any{"ambassador": string(amb.ID), "subject": "Hi", "body": "Hello"}}); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous contact: %+v %+v", r.Data, r.Errors)
	}
	const toOrg = `mutation($in: ContactGroupOrganizersInput!) { contactGroupOrganizers(input: $in) { thread { id group { slug } } userErrors { code field } } }`
	r = query(t, h, as(ada), toOrg, map[string]any{"in": map[string]any{"group": "openstack/paris", "subject": "Venue", "body": "We can host you."}})
	orgThread, _ := dig(r.Data, "contactGroupOrganizers", "thread", "id").(string)
	if !accepted(r, "contactGroupOrganizers") {
		t.Fatalf("contactGroupOrganizers: %+v %+v", r.Data, r.Errors)
	}
	// The relayed letters go to the receivers and carry nobody's address.
	msgs := c.Message.Query().Where(message.Template("contact_message")).AllX(sys)
	if len(msgs) != 2 {
		t.Fatalf("%d relayed letters", len(msgs))
	}
	for _, m := range msgs {
		if strings.Contains(m.Body, "@example.org") || strings.Contains(m.Subject, "@example.org") {
			t.Errorf("a letter carries an address: %q", m.Body)
		}
	}

	// Who reads the threads.
	const threads = `{ contactThreads(first: 10) { totalCount nodes { id subject counterpartEmail } } }`
	for who, want := range map[string]float64{as(ada): 2, as(amb): 1, as(org): 1, as(stranger): 0, as(mgr): 0, "": 0, "Bearer " + adaTok: 0} {
		if r := query(t, h, who, threads, nil); dig(r.Data, "contactThreads", "totalCount") != want {
			t.Errorf("%q lists threads: %+v %+v", who, r.Data, r.Errors)
		}
	}
	if r := query(t, h, as(stranger), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": thread}); code(r) != "NOT_FOUND" {
		t.Errorf("a stranger reads the thread: %+v %+v", r.Data, r.Errors)
	}

	// The ambassador answers: each side now reads the other's address.
	const reply = `mutation($in: ReplyToContactInput!) { replyToContact(input: $in) { thread { revealedAt counterpartEmail } message { id body } userErrors { code } } }`
	r = query(t, h, as(amb), reply, map[string]any{"in": map[string]any{"thread": thread, "body": "Happy to help."}})
	if !accepted(r, "replyToContact") || dig(r.Data, "replyToContact", "thread", "revealedAt") == nil ||
		dig(r.Data, "replyToContact", "thread", "counterpartEmail") != "ada@example.org" {
		t.Fatalf("answer: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(stranger), reply, map[string]any{"in": map[string]any{"thread": thread, "body": "Me too."}}); code(r) != "NOT_FOUND" {
		t.Errorf("a stranger replies: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(ada), threads, nil)
	emails := map[any]any{}
	for _, n := range dig(r.Data, "contactThreads", "nodes").([]any) {
		emails[dig(n, "id")] = dig(n, "counterpartEmail")
	}
	if emails[thread] != "amb@example.org" || emails[orgThread] != nil {
		t.Errorf("Ada's counterparts: %v", emails)
	}

	// Ada's third message today is her last.
	if r := query(t, h, as(ada), reply, map[string]any{"in": map[string]any{"thread": thread, "body": "Thanks!"}}); !accepted(r, "replyToContact") {
		t.Fatalf("Ada's third message: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), reply, map[string]any{"in": map[string]any{"thread": thread, "body": "One more."}}); code(r) != "RATE_LIMITED" {
		t.Errorf("Ada's fourth message: %+v %+v", r.Data, r.Errors)
	}

	// The organizer reports Ada's message: staff read it through the report.
	r = query(t, h, as(org), `query($id: ID!) { node(id: $id) { ... on ContactThread { messages { id } } } }`, map[string]any{"id": orgThread})
	msgID, _ := dig(r.Data, "node", "messages", "0", "id").(string)
	if msgID == "" {
		t.Fatalf("the organizer reads the thread: %+v %+v", r.Data, r.Errors)
	}
	const report = `mutation($in: ReportContactMessageInput!) { reportContactMessage(input: $in) { report { id kind } userErrors { code field } } }`
	if r := query(t, h, as(ada), report, map[string]any{"in": map[string]any{"message": msgID, "description": "My own message."}}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("reporting one's own message: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(org), report, map[string]any{"in": map[string]any{"message": msgID, "description": "Unsolicited sales pitch."}})
	repID, _ := dig(r.Data, "reportContactMessage", "report", "id").(string)
	if !accepted(r, "reportContactMessage") || dig(r.Data, "reportContactMessage", "report", "kind") != "HARASSMENT" {
		t.Fatalf("reportContactMessage: %+v %+v", r.Data, r.Errors)
	}
	const evidence = `query($id: ID!) { node(id: $id) { ... on Report { contactMessage { body author { handle } } } } }`
	if r := query(t, h, as(mgr), evidence, map[string]any{"id": repID}); dig(r.Data, "node", "contactMessage", "body") != "We can host you." {
		t.Errorf("staff read the reported message: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(ada), evidence, map[string]any{"id": repID}); code(r) != "NOT_FOUND" {
		t.Errorf("the reported sender reads the report: %+v %+v", r.Data, r.Errors)
	}
	// Staff still read no thread that was not reported.
	if r := query(t, h, as(mgr), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": thread}); code(r) != "NOT_FOUND" {
		t.Errorf("staff read an unreported thread: %+v %+v", r.Data, r.Errors)
	}
}
