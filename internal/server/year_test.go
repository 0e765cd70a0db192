package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/workflow"
)

// The operations of a member's year, as a client would send them.
const (
	yearJoinQ = `mutation YearJoin($g: ID!, $a: String) { joinGroup(input: {id: $g, articleURL: $a}) {
		application { id status } role { status } userErrors { code message field } } }`
	yearProfileQ = `mutation YearProfile($in: UpdateProfileInput!) { updateProfile(input: $in) {
		user { id name } userErrors { code message field } } }`
	yearRecordQ = `mutation YearRecord($in: RecordContributionInput!) { recordContribution(input: $in) {
		contribution { id status points } userErrors { code message field } } }`
	yearVerifyQ = `mutation YearVerify($id: ID!) { verifyContribution(input: {id: $id}) {
		contribution { id status points } userErrors { code message field } } }`
	yearMembershipQ = `query YearMembership($g: ID!) { node(id: $g) { ... on Group {
		viewerMembership { role { id status } obligationStartedAt obligationDueAt metBy { id } } } } }`
	yearAtRiskQ = `query YearAtRisk($g: ID!) { node(id: $g) { ... on Group {
		membersAtRisk(withinDays: 30) { role { id } member { id } obligationDueAt pendingContributions } } } }`
	yearOpenQ = `mutation YearOpen($c: ID!, $y: Int!) { openAwardSelection(input: {community: $c, year: $y}) {
		selection { id status year categories } userErrors { code message field } } }`
	yearTallyQ = `query YearTally($s: ID!) { node(id: $s) { ... on AwardSelection {
		status tally { rank member { id } group { id } points contributions } } } }`
	yearNominateQ = `mutation YearNominate($in: NominateForAwardInput!) { nominateForAward(input: $in) {
		nomination { id status category } userErrors { code message field } } }`
	yearDecideQ = `mutation YearDecide($in: DecideAwardsInput!) { decideAwards(input: $in) {
		selection { id status } awards { id rank category title } userErrors { code message field reason } } }`
	yearShowcaseQ = `query YearShowcase($c: ID!, $y: Int) { awards(community: $c, year: $y) {
		award { id } year category title rank citation name photoURL organization group { id } } }`
	yearMineQ = `query YearMine { me {
		certificates(first: 10) { edges { node { kind code year title holderName groupName verificationURL pdfURL } } }
		shipments(first: 10) { edges { node { id kind status carrier trackingCode } } } } }`
	yearAddressQ = `mutation YearAddress($in: SetShippingAddressInput!) { setShippingAddress(input: $in) {
		shippingAddress { id } userErrors { code message field } } }`
	yearShipQ = `mutation YearShip($id: ID!, $carrier: String, $tracking: String) {
		markShipmentShipped(input: {id: $id, carrier: $carrier, trackingCode: $tracking}) {
		shipment { id status carrier trackingCode shippedAt address { recipientName } } userErrors { code message field reason } } }`
)

// TestMembersYear walks a member's year in openEuler over GraphQL: ada joins
// (a request the organizer approves), records an article the organizer
// verifies; 30 days before the year ends bo, who joined with her and did
// nothing, is warned; at the due date bo's membership lapses (once) and
// ada's is renewed. Staff open the year's selection, the tally shows ada's
// points, the organizer nominates her, staff decide, the public showcase
// names her (she consented; a winner who did not stays unnamed), her award
// certificate verifies at /certificates/{code}, and her gift package is
// sent once she gave an address. The rules of each step are tested beside
// them in internal/workflow.
func TestMembersYear(t *testing.T) {
	base := dbtest.Open(t)
	c, sys := base.Client, dbtest.FixtureContext(t)
	day := 24 * time.Hour
	// A fixed start, early in a year, so that the year's contributions and
	// the selection's year agree whenever the test runs.
	t0 := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	clock := dbtest.NewClock(t0)
	h := sessionHandler(t, &dbClient{DB: base, Client: c, now: clock.Now})
	api := server.New(base, server.Config{Logger: quietLogger(), Now: clock.Now})
	t.Cleanup(func() { _ = api.Shutdown(context.Background()) })
	tick := func(what string) {
		t.Helper()
		if _, err := workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now)); err != nil {
			t.Fatalf("tick %s: %v", what, err)
		}
	}

	tx, err := c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	partner := tx.Organization.Create().SetName("Partner").SetSlug("partner").AddPartnerOfIDs(oe.ID).SaveX(sys)
	wuhan := tx.Group.Create().SetCommunityID(oe.ID).SetName("Wuhan").SetSlug("wuhan").SetCity("Wuhan").
		SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	mk := func(handle string) *ent.User {
		u := tx.User.Create().SetHandle(handle).SetName(handle).SetOrganizationID(partner.ID).SaveX(sys)
		tx.Contact.Create().SetUserID(u.ID).SetEmail(handle + "@example.org").ExecX(sys)
		return u
	}
	ada, bo, org, staff := mk("ada"), mk("bo"), mk("org"), mk("staff")
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindMEMBER).ExecX(sys)
	tx.Role.Create().SetUserID(staff.ID).SetCommunityID(oe.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	do := func(u *ent.User, q string, vars map[string]any) gqlResponse {
		t.Helper()
		header := ""
		if u != nil {
			header = as(u)
		}
		return query(t, h, header, q, vars)
	}
	timeAt := func(v any) time.Time {
		t.Helper()
		s, _ := v.(string)
		at, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("not a time: %v", v)
		}
		return at
	}
	memberRole := func(u *ent.User) *ent.Role {
		return c.Role.Query().Where(role.UserID(u.ID), role.GroupID(wuhan.ID), role.KindEQ(role.KindMEMBER)).
			Order(ent.Desc(role.FieldCreatedAt)).FirstX(sys)
	}
	messages := func(u *ent.User, template string) int {
		q := c.Message.Query().Where(message.RecipientID(u.ID))
		if template != "" {
			q.Where(message.Template(template))
		}
		return q.CountX(sys)
	}

	// Profile and consent: ada writes her name in Chinese characters and
	// agrees to be shown in the showcase (not her photo).
	if r := do(ada, yearProfileQ, map[string]any{"in": map[string]any{"name": "王芳", "showcaseConsent": true,
		"languages": []string{"zh-CN", "en"}}}); dig(r.Data, "updateProfile", "user", "name") != "王芳" || !accepted(r, "updateProfile") {
		t.Fatalf("ada updates her profile: %+v %+v", r.Data, r.Errors)
	}

	// Joining: an article link, then the organizer approves; both join on day 0.
	for _, u := range []*ent.User{ada, bo} {
		r := do(u, yearJoinQ, map[string]any{"g": string(wuhan.ID), "a": "https://forum.example.org/t/" + u.Handle + "-first-steps"})
		id, _ := dig(r.Data, "joinGroup", "application", "id").(string)
		if id == "" || !accepted(r, "joinGroup") {
			t.Fatalf("%s asks to join: %+v %+v", u.Handle, r.Data, r.Errors)
		}
		if r := do(org, approveQ, map[string]any{"id": id}); dig(r.Data, "approveApplication", "application", "status") != "APPROVED" {
			t.Fatalf("the organizer approves %s: %+v %+v", u.Handle, r.Data, r.Errors)
		}
		if memberRole(u).Status != role.StatusACTIVE {
			t.Fatalf("%s is not an active member after approval", u.Handle)
		}
	}
	r := do(ada, yearMembershipQ, map[string]any{"g": string(wuhan.ID)})
	due := timeAt(dig(r.Data, "node", "viewerMembership", "obligationDueAt"))
	if !timeAt(dig(r.Data, "node", "viewerMembership", "obligationStartedAt")).Equal(t0) || !due.Equal(t0.Add(365*day)) ||
		dig(r.Data, "node", "viewerMembership", "metBy") != nil {
		t.Fatalf("ada's obligation year on joining: %+v %+v", r.Data, r.Errors)
	}
	// Joining owes her a souvenir and issues a membership certificate.
	r = do(ada, yearMineQ, nil)
	if !strings.Contains(fmt.Sprint(r.Data), "MEMBERSHIP") || !strings.Contains(fmt.Sprint(r.Data), "SOUVENIR") {
		t.Errorf("ada's certificates and shipments after joining: %+v %+v", r.Data, r.Errors)
	}

	// A contribution, recorded by ada and verified by the organizer.
	clock.Advance(30 * day)
	record := func(kind string) gqlResponse {
		return do(ada, yearRecordQ, map[string]any{"in": map[string]any{"group": string(wuhan.ID), "kind": kind,
			"title": "Migrating our build farm to openEuler", "url": "https://forum.example.org/t/ada-build-farm",
			"occurredOn": clock.Now().Add(-day).Format(time.RFC3339)}})
	}
	if r := record("PARTICIPATION"); code(r) != "BAD_USER_INPUT" || fmt.Sprint(userError(r, "recordContribution")["field"]) != "[input kind]" {
		t.Errorf("participation recorded by hand: %+v %+v", r.Data, r.Errors)
	}
	r = record("ARTICLE")
	contribution, _ := dig(r.Data, "recordContribution", "contribution", "id").(string)
	if contribution == "" || dig(r.Data, "recordContribution", "contribution", "status") != "PENDING" ||
		dig(r.Data, "recordContribution", "contribution", "points") != float64(0) {
		t.Fatalf("ada records an article: %+v %+v", r.Data, r.Errors)
	}
	if r := do(ada, yearVerifyQ, map[string]any{"id": contribution}); code(r) != "FORBIDDEN" {
		t.Errorf("ada verifies her own article: %+v %+v", r.Data, r.Errors)
	}
	points := policy.OpenEuler().PointsFor("ARTICLE")
	if r := do(org, yearVerifyQ, map[string]any{"id": contribution}); dig(r.Data, "verifyContribution", "contribution", "status") != "VERIFIED" ||
		dig(r.Data, "verifyContribution", "contribution", "points") != float64(points) || !accepted(r, "verifyContribution") {
		t.Fatalf("the organizer verifies it: %+v %+v", r.Data, r.Errors)
	}
	if r := do(ada, yearMembershipQ, map[string]any{"g": string(wuhan.ID)}); dig(r.Data, "node", "viewerMembership", "metBy", "id") != contribution {
		t.Errorf("ada's year is met by her article: %+v %+v", r.Data, r.Errors)
	}
	// Her ledger is private (she did not make it public); its counts are not.
	if r := do(nil, `query YearLedger($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": contribution}); code(r) != "NOT_FOUND" {
		t.Errorf("anonymous reads ada's contribution: %+v %+v", r.Data, r.Errors)
	}
	r = do(bo, `query YearCounts($u: ID!) { node(id: $u) { ... on User { contributionCounts { kind count points } } } }`,
		map[string]any{"u": string(ada.ID)})
	total, articles := 0.0, 0.0
	for _, cc := range items(r.Data, "node", "contributionCounts") {
		cc, _ := cc.(map[string]any)
		n, _ := cc["count"].(float64)
		total += n
		if cc["kind"] == "ARTICLE" && cc["points"] == float64(points) {
			articles = n
		}
	}
	if total != 1 || articles != 1 {
		t.Errorf("bo reads ada's contribution counts: %+v %+v", r.Data, r.Errors)
	}

	// 30 days before the due date: bo is at risk and warned, once; ada is not.
	clock.Advance(due.Add(-30*day + time.Hour).Sub(clock.Now()))
	r = do(org, yearAtRiskQ, map[string]any{"g": string(wuhan.ID)})
	if risk, _ := dig(r.Data, "node", "membersAtRisk").([]any); len(risk) != 1 || dig(risk, "0", "member", "id") != string(bo.ID) ||
		!timeAt(dig(risk, "0", "obligationDueAt")).Equal(due) || dig(risk, "0", "pendingContributions") != float64(0) {
		t.Errorf("the organizer's members at risk: %+v %+v", r.Data, r.Errors)
	}
	if r := do(ada, yearAtRiskQ, map[string]any{"g": string(wuhan.ID)}); code(r) != "FORBIDDEN" {
		t.Errorf("a member reads who is at risk: %+v %+v", r.Data, r.Errors)
	}
	tick("30 days before")
	tick("again")
	if n, m := messages(bo, "obligation_warning"), messages(ada, "obligation_warning"); n != 1 || m != 0 {
		t.Errorf("30 days before: bo has %d warnings, ada %d; want 1 and 0", n, m)
	}
	// 7 days before: the second warning.
	clock.Advance(23 * day)
	tick("7 days before")
	if n := messages(bo, "obligation_warning"); n != 2 {
		t.Errorf("7 days before: bo has %d warnings, want 2", n)
	}

	// The due date: bo's membership lapses, ada's is renewed; both once.
	clock.Advance(due.Add(time.Hour).Sub(clock.Now()))
	tick("at the due date")
	tick("again")
	lapsed := memberRole(bo)
	if lapsed.Status != role.StatusLAPSED || lapsed.EndedAt == nil || lapsed.EndReason == "" || messages(bo, "membership_lapsed") != 1 {
		t.Errorf("bo at the due date: %s ended %v (%q), %d lapse messages", lapsed.Status, lapsed.EndedAt, lapsed.EndReason, messages(bo, "membership_lapsed"))
	}
	if n := c.Role.Query().Where(role.UserID(bo.ID), role.GroupID(wuhan.ID), role.KindEQ(role.KindMEMBER)).CountX(sys); n != 1 {
		t.Errorf("bo has %d member roles", n)
	}
	renewed := memberRole(ada)
	if renewed.Status != role.StatusACTIVE || renewed.ObligationDueAt == nil || !renewed.ObligationDueAt.Equal(due.Add(365*day)) {
		t.Errorf("ada at the due date: %s, due %v; want ACTIVE, due %s", renewed.Status, renewed.ObligationDueAt, due.Add(365*day))
	}
	if r := do(ada, yearMembershipQ, map[string]any{"g": string(wuhan.ID)}); !timeAt(dig(r.Data, "node", "viewerMembership", "obligationDueAt")).Equal(due.Add(365*day)) ||
		dig(r.Data, "node", "viewerMembership", "metBy") != nil {
		t.Errorf("ada's new year: %+v %+v", r.Data, r.Errors)
	}
	// bo may ask to join again, under the same rule.
	if r := do(bo, yearJoinQ, map[string]any{"g": string(wuhan.ID), "a": "https://forum.example.org/t/bo-back"}); dig(r.Data, "joinGroup", "application", "id") == nil {
		t.Errorf("bo asks to rejoin: %+v %+v", r.Data, r.Errors)
	}

	// The annual selection for last year: opened by staff.
	year := t0.Year()
	r = do(staff, yearOpenQ, map[string]any{"c": string(oe.ID), "y": year})
	selection, _ := dig(r.Data, "openAwardSelection", "selection", "id").(string)
	if selection == "" || dig(r.Data, "openAwardSelection", "selection", "status") != "OPEN" || !accepted(r, "openAwardSelection") ||
		!strings.Contains(fmt.Sprint(dig(r.Data, "openAwardSelection", "selection", "categories")), policy.AwardOutstandingMember) {
		t.Fatalf("staff open the selection: %+v %+v", r.Data, r.Errors)
	}
	if r := do(staff, yearOpenQ, map[string]any{"c": string(oe.ID), "y": year}); code(r) != "CONFLICT" {
		t.Errorf("a second selection for the year: %+v %+v", r.Data, r.Errors)
	}
	// The tally: ada's verified points of the year, for the organizer and staff.
	for _, u := range []*ent.User{staff, org} {
		r := do(u, yearTallyQ, map[string]any{"s": selection})
		if dig(r.Data, "node", "tally", "0", "member", "id") != string(ada.ID) || dig(r.Data, "node", "tally", "0", "rank") != float64(1) ||
			dig(r.Data, "node", "tally", "0", "points") != float64(points) || dig(r.Data, "node", "tally", "0", "contributions") != float64(1) ||
			dig(r.Data, "node", "tally", "0", "group", "id") != string(wuhan.ID) {
			t.Errorf("%s reads the tally: %+v %+v", u.Handle, r.Data, r.Errors)
		}
	}
	if r := do(ada, yearTallyQ, map[string]any{"s": selection}); code(r) != "FORBIDDEN" {
		t.Errorf("a member reads the tally: %+v %+v", r.Data, r.Errors)
	}
	// Nominations: the organizer nominates ada; staff nominate the
	// organizer, who gave no consent to be shown.
	nominate := func(by, whom *ent.User, category string) string {
		t.Helper()
		r := do(by, yearNominateQ, map[string]any{"in": map[string]any{"selection": selection, "member": string(whom.ID),
			"group": string(wuhan.ID), "category": category, "citation": "Wrote the guide our newcomers start with."}})
		id, _ := dig(r.Data, "nominateForAward", "nomination", "id").(string)
		if id == "" || dig(r.Data, "nominateForAward", "nomination", "status") != "NOMINATED" || !accepted(r, "nominateForAward") {
			t.Fatalf("%s nominates %s: %+v %+v", by.Handle, whom.Handle, r.Data, r.Errors)
		}
		return id
	}
	adaNom := nominate(org, ada, policy.AwardOutstandingMember)
	orgNom := nominate(staff, org, policy.AwardBestContent)
	if r := do(org, yearNominateQ, map[string]any{"in": map[string]any{"selection": selection, "member": string(bo.ID),
		"group": string(wuhan.ID), "category": policy.AwardOutstandingMember, "citation": "Lapsed."}}); code(r) == nil {
		t.Errorf("nominating a lapsed member: %+v %+v", r.Data, r.Errors)
	}
	// The decision: one transaction, final.
	decide := map[string]any{"in": map[string]any{"id": selection, "awards": []any{
		map[string]any{"nomination": adaNom, "rank": 1, "title": "Outstanding member"},
		map[string]any{"nomination": orgNom, "rank": 1, "title": "Best content"},
	}}}
	r = do(staff, yearDecideQ, decide)
	if dig(r.Data, "decideAwards", "selection", "status") != "DECIDED" || len(items(r.Data, "decideAwards", "awards")) != 2 || !accepted(r, "decideAwards") {
		t.Fatalf("staff decide: %+v %+v", r.Data, r.Errors)
	}
	if r := do(staff, yearDecideQ, decide); code(r) != "CONFLICT" {
		t.Errorf("deciding twice: %+v %+v", r.Data, r.Errors)
	}

	// The public showcase: ada by name, the organizer unnamed.
	r = do(nil, yearShowcaseQ, map[string]any{"c": "openeuler", "y": year})
	shown := items(r.Data, "awards")
	if len(shown) != 2 || len(r.Errors) > 0 {
		t.Fatalf("the showcase: %+v %+v", r.Data, r.Errors)
	}
	for _, s := range shown {
		s := s.(map[string]any)
		switch s["category"] {
		case policy.AwardOutstandingMember:
			if s["name"] != "王芳" || s["photoURL"] != nil || s["rank"] != float64(1) || s["year"] != float64(year) ||
				s["title"] != "Outstanding member" || s["citation"] == nil {
				t.Errorf("ada in the showcase: %+v", s)
			}
		case policy.AwardBestContent:
			if s["name"] != nil || s["photoURL"] != nil || s["organization"] != nil {
				t.Errorf("the organizer, who did not consent, in the showcase: %+v", s)
			}
		default:
			t.Errorf("unexpected showcase entry: %+v", s)
		}
	}

	// Ada's award certificate verifies publicly; an unknown code does not.
	r = do(ada, yearMineQ, nil)
	var certCode string
	for _, e := range items(r.Data, "me", "certificates", "edges") {
		n, _ := dig(e, "node").(map[string]any)
		if n["kind"] == "AWARD" {
			certCode, _ = n["code"].(string)
			if n["holderName"] != "王芳" || n["year"] != float64(year) || !strings.HasSuffix(fmt.Sprint(n["verificationURL"]), "/certificates/"+certCode) {
				t.Errorf("ada's award certificate: %+v", n)
			}
		}
	}
	if certCode == "" {
		t.Fatalf("ada has no award certificate: %+v %+v", r.Data, r.Errors)
	}
	verify := func(code string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/certificates/"+code, nil))
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Errorf("GET /certificates/%s: %d %s", code, rec.Code, rec.Body)
		}
		return rec.Code, out
	}
	if status, out := verify(certCode); status != http.StatusOK || out["valid"] != true || out["kind"] != "AWARD" || out["holderName"] != "王芳" ||
		out["communityName"] != "openEuler" || out["groupName"] != "Wuhan" || out["year"] != float64(year) {
		t.Errorf("verifying ada's certificate: %d %+v", status, out)
	}
	if status, out := verify("NO-SUCH-CODE"); status != http.StatusNotFound || out["valid"] != false || len(out) != 1 {
		t.Errorf("verifying an unknown code: %d %+v", status, out)
	}

	// The gift package: sent once ada gave an address; she is told.
	var gift string
	for _, e := range items(r.Data, "me", "shipments", "edges") {
		if dig(e, "node", "kind") == "GIFT_PACKAGE" && dig(e, "node", "status") == "PENDING" {
			gift, _ = dig(e, "node", "id").(string)
		}
	}
	if gift == "" {
		t.Fatalf("ada has no gift package waiting: %+v", r.Data)
	}
	ship := map[string]any{"id": gift, "carrier": "SF Express", "tracking": "SF1234567890"}
	if r := do(staff, yearShipQ, ship); code(r) != "CONFLICT" || userError(r, "markShipmentShipped")["reason"] != "NO_ADDRESS" {
		t.Errorf("shipping without an address: %+v %+v", r.Data, r.Errors)
	}
	if r := do(ada, yearAddressQ, map[string]any{"in": map[string]any{"recipientName": "王芳", "streetLines": []string{"88 Guanggu Avenue"},
		"city": "Wuhan", "country": "CN", "phone": "+86 27 5550 1234"}}); !accepted(r, "setShippingAddress") {
		t.Fatalf("ada gives her address: %+v %+v", r.Data, r.Errors)
	}
	before := messages(ada, "")
	r = do(staff, yearShipQ, ship)
	if dig(r.Data, "markShipmentShipped", "shipment", "status") != "SHIPPED" || dig(r.Data, "markShipmentShipped", "shipment", "carrier") != "SF Express" ||
		dig(r.Data, "markShipmentShipped", "shipment", "trackingCode") != "SF1234567890" ||
		dig(r.Data, "markShipmentShipped", "shipment", "address", "recipientName") != "王芳" ||
		!timeAt(dig(r.Data, "markShipmentShipped", "shipment", "shippedAt")).Equal(clock.Now()) || !accepted(r, "markShipmentShipped") {
		t.Errorf("staff mark the gift package shipped: %+v %+v", r.Data, r.Errors)
	}
	if after := messages(ada, ""); after != before+1 {
		t.Errorf("ada has %d new messages after the shipment, want 1", after-before)
	}
}
