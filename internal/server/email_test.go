package server_test

import (
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/jobs"
)

// TestOutboxThroughGraphQL: staff read the community's outbox with its
// recipients, a confidential message left out; a member and a staff token
// are FORBIDDEN; a bounce is read by the person and staff only.
func TestOutboxThroughGraphQL(t *testing.T) {
	t.Parallel()
	base := dbtest.Open(t)
	clk := &movable{t: time.Now().UTC().Truncate(time.Second)}
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client, now: clk.now})
	// The fixture's messages queue delivery jobs into a batch nobody inserts.
	sys, _ := jobs.WithBatch(dbtest.FixtureContext(t))
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	mgr, ada, bob := mk("mgr"), mk("ada"), mk("bob")
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	tx.Role.Create().SetUserID(ada.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindMEMBER).ExecX(sys)
	tx.Role.Create().SetUserID(bob.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindMEMBER).ExecX(sys)
	tx.Contact.Create().SetUserID(ada.ID).SetEmail("ada@example.org").SetEmailBouncedAt(clk.now()).
		SetEmailBounceReason("550 no such user").ExecX(sys)
	tx.Message.Create().SetCommunityID(os.ID).SetRecipientID(ada.ID).SetTemplate("application_approved").
		SetSubject("Approved").SetBody("Welcome.").ExecX(sys)
	tx.Message.Create().SetCommunityID(os.ID).SetRecipientID(ada.ID).SetTemplate("contact_message").
		SetSubject("Message: private").SetBody("Private words.").ExecX(sys)
	mgrTok, _ := dbtest.APIToken(t, sys, tx.Client(), mgr.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	const outbox = `query { outbox(community: "openstack", first: 10) { totalCount
		nodes { template subject body status attempts recipients { handle } } } }`
	r := query(t, h, as(mgr), outbox, nil)
	if dig(r.Data, "outbox", "totalCount") != float64(1) || dig(r.Data, "outbox", "nodes", "0", "subject") != "Approved" ||
		dig(r.Data, "outbox", "nodes", "0", "status") != "PENDING" ||
		dig(r.Data, "outbox", "nodes", "0", "recipients", "0", "handle") != "ada" {
		t.Errorf("staff read the outbox: %+v %+v", r.Data, r.Errors)
	}
	for who, hdr := range map[string]string{"member": as(ada), "staff token": "Bearer " + mgrTok} {
		if r := query(t, h, hdr, outbox, nil); code(r) != "FORBIDDEN" {
			t.Errorf("%s reads the outbox: %+v %+v", who, r.Data, r.Errors)
		}
	}

	const bounce = `query($id: ID!) { node(id: $id) { ... on User { emailBouncedAt emailBounceReason } } }`
	for who, want := range map[string]any{as(ada): "550 no such user", as(mgr): "550 no such user", as(bob): nil, "": nil} {
		if r := query(t, h, who, bounce, map[string]any{"id": ada.ID}); dig(r.Data, "node", "emailBounceReason") != want {
			t.Errorf("viewer %q reads the bounce: %+v %+v", who, r.Data, r.Errors)
		}
	}
}
