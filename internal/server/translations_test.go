package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// TestTranslationProcess is issue 19's translation help over GraphQL: a
// group ambassador asks (a member may not; a bad language tag names its
// field), a volunteer takes it (not the asker; nobody a second time),
// delivers a link, the asker marks it done and the volunteer is credited
// a TRANSLATION contribution; requests are public to read.
func TestTranslationProcess(t *testing.T) {
	base := dbtest.Open(t)
	h := sessionHandler(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	oe := tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(sys)
	wuhan := tx.Group.Create().SetCommunityID(oe.ID).SetName("Wuhan").SetSlug("wuhan").SetCity("Wuhan").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string, kind role.Kind) *ent.User {
		u := tx.User.Create().SetHandle(h).SetName(h).SaveX(sys)
		if kind != "" {
			tx.Role.Create().SetUserID(u.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(kind).ExecX(sys)
		}
		return u
	}
	amb, mei, lin, stranger := mk("amb", role.KindAMBASSADOR), mk("mei", role.KindMEMBER), mk("lin", role.KindMEMBER), mk("stranger", "")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }

	const ask = `mutation($in: RequestTranslationInput!) { requestTranslation(input: $in) {
		translationRequest { id status targetLanguages requestedBy { handle } } userErrors { code field } } }`
	in := map[string]any{"community": "openeuler", "group": "openeuler/wuhan", "title": "Install guide",
		"sourceURL": "https://docs.example.org/install", "sourceLanguage": "en", "targetLanguages": []string{"zh-cn"},
		"dueAt": time.Now().Add(14 * 24 * time.Hour).UTC().Format(time.RFC3339)}
	if r := query(t, h, as(mei), ask, map[string]any{"in": in}); code(r) != "FORBIDDEN" {
		t.Errorf("a member asks: %+v %+v", r.Data, r.Errors)
	}
	for field, v := range map[string]any{"sourceLanguage": "english", "targetLanguages": []string{"en"}, "sourceURL": "docs"} {
		bad := map[string]any{}
		for k, x := range in {
			bad[k] = x
		}
		bad[field] = v
		r := query(t, h, as(amb), ask, map[string]any{"in": bad})
		if ue := userError(r, "requestTranslation"); ue == nil || ue["code"] != "BAD_USER_INPUT" || fmt.Sprint(ue["field"]) != "[input "+field+"]" {
			t.Errorf("bad %s: %+v %+v", field, r.Data, r.Errors)
		}
	}
	r := query(t, h, as(amb), ask, map[string]any{"in": in})
	if !accepted(r, "requestTranslation") || dig(r.Data, "requestTranslation", "translationRequest", "targetLanguages", "0") != "zh-CN" {
		t.Fatalf("ask: %+v %+v", r.Data, r.Errors)
	}
	id := dig(r.Data, "requestTranslation", "translationRequest", "id")

	const step = `mutation($id: ID!) { %s(input: {id: $id}) { translationRequest { status volunteer { handle } } userErrors { code } } }`
	take, complete, cancel := fmt.Sprintf(step, "takeTranslation"), fmt.Sprintf(step, "completeTranslation"), fmt.Sprintf(step, "cancelTranslation")
	const deliver = `mutation($id: ID!, $url: String!) { deliverTranslation(input: {id: $id, url: $url}) { translationRequest { status deliveredURL } userErrors { code field } } }`
	if r := query(t, h, "", take, map[string]any{"id": id}); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous takes: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(amb), take, map[string]any{"id": id}); code(r) != "FORBIDDEN" {
		t.Errorf("the asker takes: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mei), take, map[string]any{"id": id}); !accepted(r, "takeTranslation") || dig(r.Data, "takeTranslation", "translationRequest", "volunteer", "handle") != "mei" {
		t.Fatalf("take: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(lin), take, map[string]any{"id": id}); code(r) != "CONFLICT" {
		t.Errorf("taken twice: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(lin), deliver, map[string]any{"id": id, "url": "https://x.example.org"}); code(r) != "FORBIDDEN" {
		t.Errorf("another delivers: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(amb), complete, map[string]any{"id": id}); code(r) != "CONFLICT" {
		t.Errorf("done before delivery: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(mei), deliver, map[string]any{"id": id, "url": "https://docs.example.org/zh/install"}); dig(r.Data, "deliverTranslation", "translationRequest", "status") != "DELIVERED" {
		t.Fatalf("deliver: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(stranger), cancel, map[string]any{"id": id}); code(r) != "FORBIDDEN" {
		t.Errorf("a stranger cancels: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(amb), complete, map[string]any{"id": id}); dig(r.Data, "completeTranslation", "translationRequest", "status") != "DONE" {
		t.Fatalf("complete: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(amb), cancel, map[string]any{"id": id}); code(r) != "CONFLICT" {
		t.Errorf("cancel when done: %+v %+v", r.Data, r.Errors)
	}
	if n := base.Client.Contribution.Query().Where(contribution.UserID(mei.ID), contribution.KindEQ(contribution.KindTRANSLATION),
		contribution.StatusEQ(contribution.StatusVERIFIED)).CountX(sys); n != 1 {
		t.Errorf("%d translation contributions", n)
	}
	for tmpl, to := range map[string]*ent.User{"translation_taken": amb, "translation_delivered": amb, "translation_done": mei} {
		if n := base.Client.Message.Query().Where(message.TemplateEQ(tmpl), message.RecipientID(to.ID)).CountX(sys); n != 1 {
			t.Errorf("%s: %d letters", tmpl, n)
		}
	}
	// Public: anyone finds the requests, with who asked and who took them.
	r = query(t, h, "", `{ translationRequests(first: 5) { totalCount edges { node { status deliveredURL volunteer { handle } } } } }`, nil)
	if dig(r.Data, "translationRequests", "totalCount") != float64(1) || dig(r.Data, "translationRequests", "edges", "0", "node", "volunteer", "handle") != "mei" {
		t.Errorf("public list: %+v %+v", r.Data, r.Errors)
	}
}
