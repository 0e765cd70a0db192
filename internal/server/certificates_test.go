package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/certificate"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/certificate/pdftext"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/server"
)

// TestCertificates is the certificates' end-to-end path: joining an
// openEuler group by invite issues a membership certificate (OpenStack
// issues none), its holder finds it with its links over GraphQL (nobody
// else does), and anyone with the code verifies it and downloads its PDF,
// which prints the name written in Chinese. The issuing rules are tested
// in internal/workflow (certificate_test.go).
func TestCertificates(t *testing.T) {
	base := dbtest.Open(t)
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	oe := tx.Community.Create().SetName("欧拉社区").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	beijing := tx.Group.Create().SetCommunityID(oe.ID).SetName("北京用户组").SetSlug("beijing").SetCity("Beijing").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	paris := tx.Group.Create().SetCommunityID(os.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	mk := func(handle, name string) *ent.User {
		u := tx.User.Create().SetHandle(handle).SetName(name).SaveX(sys)
		tx.Contact.Create().SetUserID(u.ID).SetEmail(handle + "@example.org").ExecX(sys)
		return u
	}
	zhang, org, other, ada := mk("zhangwei", "张伟"), mk("org", "Org"), mk("other", "Other"), mk("ada", "Ada")
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(beijing.ID).SetKind(role.KindORGANIZER).ExecX(sys)
	tx.Role.Create().SetUserID(other.ID).SetCommunityID(oe.ID).SetGroupID(beijing.ID).SetKind(role.KindMEMBER).ExecX(sys)
	zhangToken, _ := dbtest.APIToken(t, sys, tx.Client(), zhang.ID, "read")
	otherToken, _ := dbtest.APIToken(t, sys, tx.Client(), other.ID, "read")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	issuedAt := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	gql := sessionHandler(t, &dbClient{DB: base, Client: base.Client, now: at(issuedAt)})
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	r := query(t, gql, as(org), `mutation($g: ID!) { createInvite(input: {group: $g}) { invite { code } userErrors { code } } }`,
		map[string]any{"g": string(beijing.ID)})
	inv, _ := dig(r.Data, "createInvite", "invite", "code").(string)
	if inv == "" {
		t.Fatalf("invite: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, gql, as(zhang), `mutation($c: String!) { redeemInvite(input: {code: $c}) { role { status } userErrors { code } } }`,
		map[string]any{"c": inv})
	if dig(r.Data, "redeemInvite", "role", "status") != "ACTIVE" {
		t.Fatalf("redeem: %+v %+v", r.Data, r.Errors)
	}
	r = query(t, gql, as(ada), `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } userErrors { code } } }`,
		map[string]any{"g": string(paris.ID)})
	if dig(r.Data, "joinGroup", "role", "status") != "ACTIVE" {
		t.Fatalf("join OpenStack: %+v %+v", r.Data, r.Errors)
	}
	if n := base.Client.Certificate.Query().Where(certificate.UserID(ada.ID)).CountX(sys); n != 0 {
		t.Errorf("joining OpenStack issued %d certificates", n)
	}

	// The holder's certificates, with their links; nobody else sees them.
	const mine = `query($u: ID!) { node(id: $u) { ... on User { certificates { totalCount nodes {
		kind code holderName communityName groupName title year issuedAt pdfURL verificationURL } } } } }`
	vars := map[string]any{"u": string(zhang.ID)}
	r = query(t, gql, as(zhang), mine, vars)
	crt, _ := dig(r.Data, "node", "certificates", "nodes").([]any)
	if len(crt) != 1 {
		t.Fatalf("the holder's certificates: %+v %+v", r.Data, r.Errors)
	}
	got := crt[0].(map[string]any)
	code, _ := got["code"].(string)
	if !regexp.MustCompile(`^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){2}$`).MatchString(code) || got["kind"] != "MEMBERSHIP" ||
		got["holderName"] != "张伟" || got["communityName"] != "欧拉社区" || got["groupName"] != "北京用户组" ||
		got["title"] != "" || got["year"] != nil || got["issuedAt"] != "2026-03-14T09:30:00Z" ||
		got["pdfURL"] != "/certificates/"+code+".pdf" || got["verificationURL"] != "/certificates/"+code {
		t.Errorf("certificate over GraphQL: %+v", got)
	}
	if r := query(t, gql, "Bearer "+zhangToken, mine, vars); dig(r.Data, "node", "certificates", "totalCount") != 1.0 {
		t.Errorf("the holder's read token: %+v %+v", r.Data, r.Errors)
	}
	for name, header := range map[string]string{"another member": as(other), "the organizer": as(org),
		"another's token": "Bearer " + otherToken, "anonymous": ""} {
		r := query(t, gql, header, mine, vars)
		if n := dig(r.Data, "node", "certificates", "totalCount"); n != nil && n != 0.0 {
			t.Errorf("%s sees the certificates: %+v %+v", name, r.Data, r.Errors)
		}
	}

	// Verification: anyone, no credentials, the code as typed.
	api := server.New(base, server.Config{Logger: quietLogger(), AnonymousRateLimit: 600,
		Now: func() time.Time { return issuedAt }})
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", ""), "%20" + strings.ToLower(code) + "%20"} {
		rec := get("/certificates/" + typed)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusOK ||
			!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("verify %q: HTTP %d %s", typed, rec.Code, rec.Body)
		}
		want := map[string]any{"valid": true, "kind": "MEMBERSHIP", "holderName": "张伟", "communityName": "欧拉社区",
			"groupName": "北京用户组", "issuedAt": "2026-03-14T09:30:00Z"}
		if len(body) != len(want) {
			t.Errorf("verify %q states more or less than the certificate: %s", typed, rec.Body)
		}
		for k, v := range want {
			if body[k] != v {
				t.Errorf("verify %q: %s = %v, want %v", typed, k, body[k], v)
			}
		}
		// Nothing private: no ids, handle or address of the holder.
		for _, private := range []string{string(zhang.ID), "zhangwei", "example.org", string(beijing.ID), string(oe.ID), "crt"} {
			if strings.Contains(rec.Body.String(), private) {
				t.Errorf("verify %q tells %q: %s", typed, private, rec.Body)
			}
		}
	}
	for _, unknown := range []string{"ABCD-EFGH-JKLM", "not-a-code", code + "X"} {
		if rec := get("/certificates/" + unknown); rec.Code != http.StatusNotFound || strings.TrimSpace(rec.Body.String()) != `{"valid":false}` {
			t.Errorf("unknown %q: HTTP %d %s", unknown, rec.Code, rec.Body)
		}
		if rec := get("/certificates/" + unknown + ".pdf"); rec.Code != http.StatusNotFound {
			t.Errorf("unknown %q as PDF: HTTP %d", unknown, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/certificates/"+code, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: HTTP %d", rec.Code)
	}

	// The PDF, its verification address on the host asked for.
	rec = get("/certificates/" + strings.ToLower(code) + ".pdf")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" ||
		rec.Header().Get("Content-Disposition") != `inline; filename="certificate-`+code+`.pdf"` ||
		!strings.HasPrefix(rec.Body.String(), "%PDF-") {
		t.Fatalf("PDF: HTTP %d %v", rec.Code, rec.Header())
	}
	text := pdftext.Text(t, rec.Body.Bytes())
	for _, want := range []string{"张伟", "欧拉社区", "北京用户组", "Certificate of membership", "Issued on 14 March 2026",
		"Verification code: " + code, "Verify at http://example.com/certificates/" + code} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q; it reads:\n%s", want, text)
		}
	}

	// Drawing a PDF is charged to the address: a budget of 600 points
	// holds one (1 + 500), not two; verifying still fits.
	if rec := get("/certificates/" + code + ".pdf"); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("second PDF within the budget: HTTP %d %v", rec.Code, rec.Header())
	}
	if rec := get("/certificates/" + code); rec.Code != http.StatusOK {
		t.Errorf("verifying after the PDF: HTTP %d %s", rec.Code, rec.Body)
	}
}
