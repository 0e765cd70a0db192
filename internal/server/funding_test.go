package server_test

import (
	"fmt"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestFundingProcess is issue 19's funding over GraphQL: an organizer asks
// for USD 800 (above OpenStack's USD 500 threshold) with a budget, the
// wrong ambassador's endorsement and approveApplication are refused, the
// region's ambassador endorses, the same staff member cannot approve twice
// and a requester who is staff never approves, a second staff member
// approves, a co-organizer reports and staff close it. A request under the
// threshold is approved by one staff member; a rejection works as for any
// application. Strangers, their tokens and anonymous readers see no amount.
func TestFundingProcess(t *testing.T) {
	var counter *dbtest.Counter
	base := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		counter = dbtest.NewCounter(d)
		return counter
	}))
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	europe := tx.Region.Create().SetCommunityID(os.ID).SetName("Europe").SetSlug("europe").SetCountries([]string{"FR"}).SaveX(sys)
	asia := tx.Region.Create().SetCommunityID(os.ID).SetName("Asia").SetSlug("asia").SetCountries([]string{"JP"}).SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetRegionID(europe.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").
		SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string) *ent.User { return tx.User.Create().SetHandle(h).SetName(h).SaveX(sys) }
	org, coorg, amb, asiaAmb, staff1, staff2, stranger := mk("org"), mk("coorg"), mk("amb"), mk("asiaamb"), mk("staff1"), mk("staff2"), mk("stranger")
	for _, u := range []*ent.User{org, coorg, staff2} {
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(os.ID).SetGroupID(paris.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	}
	tx.Role.Create().SetUserID(amb.ID).SetCommunityID(os.ID).SetRegionID(europe.ID).SetKind(role.KindAMBASSADOR).ExecX(sys)
	tx.Role.Create().SetUserID(asiaAmb.ID).SetCommunityID(os.ID).SetRegionID(asia.ID).SetKind(role.KindAMBASSADOR).ExecX(sys)
	for _, u := range []*ent.User{staff1, staff2} {
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(os.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	}
	strangerToken, _ := dbtest.APIToken(t, sys, tx.Client(), stranger.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	const request = `mutation($in: RequestFundingInput!) { requestFunding(input: $in) {
		application { id kind status approvalsNeeded answers { amount amountCents currency purpose budgetLines { label amount } } }
		userErrors { code field message } } }`
	in := map[string]any{"group": "openstack/paris", "amount": "800", "currency": "USD", "purpose": "Hackfest venue and food",
		"budgetLines": []map[string]any{{"label": "Venue", "amount": "500.00"}, {"label": "Food", "amount": "300"}}}
	r := query(t, h, as(org), request, map[string]any{"in": in})
	if !accepted(r, "requestFunding") || dig(r.Data, "requestFunding", "application", "answers", "amount") != "800.00" ||
		dig(r.Data, "requestFunding", "application", "answers", "amountCents") != float64(80000) ||
		dig(r.Data, "requestFunding", "application", "answers", "budgetLines", "0", "amount") != "500.00" ||
		dig(r.Data, "requestFunding", "application", "approvalsNeeded") != float64(2) {
		t.Fatalf("request: %+v %+v", r.Data, r.Errors)
	}
	id := dig(r.Data, "requestFunding", "application", "id").(string)
	for name, bad := range map[string]map[string]any{
		"amount":      {"amount": "800.001"},
		"currency":    {"currency": "DOGE"},
		"budgetLines": {"budgetLines": []map[string]any{{"label": "Venue", "amount": "1"}}},
	} {
		v := map[string]any{}
		for k, x := range in {
			v[k] = x
		}
		for k, x := range bad {
			v[k] = x
		}
		r := query(t, h, as(org), request, map[string]any{"in": v})
		if ue := userError(r, "requestFunding"); ue == nil || ue["code"] != "BAD_USER_INPUT" || fmt.Sprint(ue["field"]) != "[input "+name+"]" {
			t.Errorf("bad %s: %+v %+v", name, r.Data, r.Errors)
		}
	}
	if r := query(t, h, as(stranger), request, map[string]any{"in": in}); code(r) != "FORBIDDEN" {
		t.Errorf("stranger's request: %+v %+v", r.Data, r.Errors)
	}

	const endorse = `mutation($id: ID!) { endorseFunding(input: {id: $id, comment: "Worth it."}) { application { status } userErrors { code field } } }`
	const approve = `mutation($id: ID!) { approveFunding(input: {id: $id}) { application { status approvalsNeeded decidedBy { handle } } userErrors { code field message } } }`
	const generic = `mutation($id: ID!) { approveApplication(input: {id: $id}) { application { status } userErrors { code field message } } }`
	if r := query(t, h, as(asiaAmb), endorse, map[string]any{"id": id}); code(r) != "NOT_FOUND" && code(r) != "FORBIDDEN" {
		t.Errorf("another region's ambassador endorses: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(staff1), approve, map[string]any{"id": id}); code(r) != "CONFLICT" {
		t.Errorf("approval before the endorsement: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(amb), endorse, map[string]any{"id": id}); !accepted(r, "endorseFunding") {
		t.Fatalf("endorse: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(staff1), generic, map[string]any{"id": id}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("approveApplication on funding: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(staff1), approve, map[string]any{"id": id})
	if !accepted(r, "approveFunding") || dig(r.Data, "approveFunding", "application", "status") != "IN_REVIEW" ||
		dig(r.Data, "approveFunding", "application", "approvalsNeeded") != float64(1) {
		t.Fatalf("first approval: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(staff1), approve, map[string]any{"id": id}); code(r) != "CONFLICT" {
		t.Errorf("same staff twice: %+v %+v", r.Data, r.Errors)
	}
	// staff2 also organizes Paris: their own request is never theirs to approve.
	r = query(t, h, as(staff2), request, map[string]any{"in": map[string]any{"group": string(paris.ID), "amount": "900", "currency": "EUR", "purpose": "Summit booth"}})
	own := dig(r.Data, "requestFunding", "application", "id")
	query(t, h, as(amb), endorse, map[string]any{"id": own})
	query(t, h, as(staff1), approve, map[string]any{"id": own})
	if r := query(t, h, as(staff2), approve, map[string]any{"id": own}); code(r) != "FORBIDDEN" {
		t.Errorf("requester-staff approves: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(staff2), approve, map[string]any{"id": id})
	if !accepted(r, "approveFunding") || dig(r.Data, "approveFunding", "application", "status") != "APPROVED" ||
		dig(r.Data, "approveFunding", "application", "decidedBy", "handle") != "staff2" || dig(r.Data, "approveFunding", "application", "approvalsNeeded") != nil {
		t.Fatalf("second approval: %+v %+v", r.Data, r.Errors)
	}
	if n := base.Client.Message.Query().Where(message.RecipientID(org.ID), message.TemplateEQ("funding_approved")).CountX(sys); n != 1 {
		t.Errorf("%d approval letters", n)
	}

	// Under the threshold one approval decides; a rejection is staff's.
	r = query(t, h, as(org), request, map[string]any{"in": map[string]any{"group": string(paris.ID), "amount": "120.5", "currency": "USD", "purpose": "Pizza"}})
	small := dig(r.Data, "requestFunding", "application", "id")
	query(t, h, as(amb), endorse, map[string]any{"id": small})
	if r := query(t, h, as(staff1), approve, map[string]any{"id": small}); dig(r.Data, "approveFunding", "application", "status") != "APPROVED" {
		t.Errorf("below the threshold: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(org), request, map[string]any{"in": map[string]any{"group": string(paris.ID), "amount": "5000", "currency": "JPY", "purpose": "Snacks"}})
	rej := dig(r.Data, "requestFunding", "application", "id")
	const reject = `mutation($id: ID!) { rejectApplication(input: {id: $id, reason: OTHER, message: "No budget left."}) { application { status } userErrors { code } } }`
	if r := query(t, h, as(amb), reject, map[string]any{"id": rej}); code(r) != "FORBIDDEN" {
		t.Errorf("ambassador rejects funding: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(staff1), reject, map[string]any{"id": rej}); dig(r.Data, "rejectApplication", "application", "status") != "REJECTED" {
		t.Errorf("staff reject: %+v %+v", r.Data, r.Errors)
	}

	// Report and close.
	const report = `mutation($id: ID!, $total: String!) { reportFunding(input: {id: $id, text: "Forty people came.", receiptsTotal: $total}) {
		application { fundingReport { receiptsTotal currency filedBy { handle } } } userErrors { code field } } }`
	const closeQ = `mutation($id: ID!) { closeFunding(input: {id: $id}) { application { closedAt closedBy { handle } } userErrors { code } } }`
	if r := query(t, h, as(staff1), closeQ, map[string]any{"id": id}); code(r) != "CONFLICT" {
		t.Errorf("close before the report: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(coorg), report, map[string]any{"id": id, "total": "1.001"}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("inexact receipts: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(coorg), report, map[string]any{"id": id, "total": "780.4"})
	if !accepted(r, "reportFunding") || dig(r.Data, "reportFunding", "application", "fundingReport", "receiptsTotal") != "780.40" ||
		dig(r.Data, "reportFunding", "application", "fundingReport", "filedBy", "handle") != "coorg" {
		t.Fatalf("report: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(org), closeQ, map[string]any{"id": id}); code(r) != "FORBIDDEN" {
		t.Errorf("organizer closes: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, h, as(staff1), closeQ, map[string]any{"id": id})
	if !accepted(r, "closeFunding") || dig(r.Data, "closeFunding", "application", "closedBy", "handle") != "staff1" {
		t.Fatalf("close: %+v %+v", r.Data, r.Errors)
	}

	// Privacy: the amounts are read by the requester's group, the region's
	// ambassador and staff; not by strangers, their tokens, anonymous
	// readers or another region's ambassador, by node or by list.
	const read = `query($id: ID!) { node(id: $id) { ... on Application { answers { amount } fundingReport { receiptsTotal } } }
		applications(where: {kind: FUNDING}) { totalCount } }`
	for who, hdr := range map[string]string{"org": as(org), "coorg": as(coorg), "amb": as(amb), "staff1": as(staff1)} {
		r := query(t, h, hdr, read, map[string]any{"id": id})
		if dig(r.Data, "node", "answers", "amount") != "800.00" || dig(r.Data, "applications", "totalCount") != float64(4) {
			t.Errorf("%s reads: %+v %+v", who, r.Data, r.Errors)
		}
	}
	for who, hdr := range map[string]string{"stranger": as(stranger), "token": "Bearer " + strangerToken, "anonymous": "", "asiaamb": as(asiaAmb)} {
		r := query(t, h, hdr, read, map[string]any{"id": id})
		if dig(r.Data, "node") != nil || (dig(r.Data, "applications", "totalCount") != nil && dig(r.Data, "applications", "totalCount") != float64(0)) {
			t.Errorf("%s reads funding: %+v %+v", who, r.Data, r.Errors)
		}
	}

	// approvalsNeeded and filedBy load once per page, not once per request.
	const board = `query($n: Int) { applications(first: $n, where: {kind: FUNDING}) { edges { node { approvalsNeeded fundingReport { filedBy { handle } } } } } }`
	var stmts []int64
	for _, n := range []int{2, 5} {
		counter.Reset()
		r := query(t, h, as(staff1), board, map[string]any{"n": n})
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		stmts = append(stmts, counter.Count())
	}
	t.Logf("statements for a board of 2 and of 4 funding requests: %v", stmts)
	if stmts[0] != stmts[1] {
		t.Errorf("statements for 2 and 4 funding requests: %v", stmts)
	}
}
