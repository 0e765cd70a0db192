package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// handoverWorld is a queueWorld with an active group that meets OpenStack's
// official-status requirements, mentored by w.amb, led by the applicant and
// a second organizer, and an open official-status request for it.
type handoverWorld struct {
	queueWorld
	group    *ent.Group
	leaders  []pulid.ID
	coLeader string
	appID    string
	sys      context.Context
	logoURL  string
}

const (
	setAddressQ = `mutation($in: SetShippingAddressInput!) { setShippingAddress(input: $in) { shippingAddress { recipientName address city region postalCode country phone } userErrors { code message field } } }`
	stepQ       = `mutation($id: ID!, $s: HandoverStep!, $logo: String) { completeHandoverStep(input: {id: $id, step: $s, logoURL: $logo}) {
		application { status checklist { items { key doneAt } } } userErrors { code message field } } }`
)

func newHandoverWorld(t *testing.T) handoverWorld {
	t.Helper()
	db := dbtest.Open(t)
	w := handoverWorld{queueWorld: newQueueWorld(t, db, policy.OpenStack()), sys: dbtest.FixtureContext(t),
		logoURL: "https://logos.example.org/oakland-pack.zip"}
	sys := w.sys
	tx, err := w.c.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	appUser := tx.User.Query().Where(user.Handle("applicant")).OnlyX(sys)
	co := tx.User.Create().SetHandle("coleader").SetName("Co Leader").SaveX(sys)
	w.group = tx.Group.Create().SetCommunityID(w.com.ID).SetRegionID(w.bayArea.RegionID).SetName("Oakland {East Bay}").SetSlug("oakland").
		SetCity("Oakland").SetCountry("US").SetStatus("ACTIVE").SetMentorID(w.ambID).SaveX(sys)
	for _, u := range []*ent.User{appUser, co} {
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(w.com.ID).SetGroupID(w.group.ID).SetKind(role.KindORGANIZER).ExecX(sys)
		w.leaders = append(w.leaders, u.ID)
	}
	for i := 0; i < 20; i++ {
		org := tx.Organization.Create().SetName("Member org " + dbtest.Letters(i%3)).SetSlug(strings.ToLower("member-org-" + dbtest.Letters(i%3))).
			OnConflictColumns("name").UpdateNewValues().IDX(sys)
		u := tx.User.Create().SetHandle(strings.ToLower("m" + dbtest.Letters(i))).SetName("M").SetOrganizationID(org).SaveX(sys)
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(w.com.ID).SetGroupID(w.group.ID).SetKind(role.KindMEMBER).ExecX(sys)
	}
	attendee := tx.User.Create().SetHandle("attendee").SetName("A").SaveX(sys)
	for i := 1; i <= 3; i++ {
		start := time.Now().AddDate(0, -i*2, 0)
		ev := tx.Event.Create().SetGroupID(w.group.ID).SetTitle("Meetup").SetTimeZone("America/Los_Angeles").SetStartsAt(start).
			SetEndsAt(start.Add(2 * time.Hour)).SetStatus("COMPLETED").SaveX(sys)
		tx.Registration.Create().SetEventID(ev.ID).SetUserID(attendee.ID).SetCheckInCode(fmt.Sprintf("code-%d", i)).
			SetStatus("ATTENDED").ExecX(sys)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	w.coLeader = "Session " + string(co.ID)
	d := w.ok(t, w.applicant, `mutation($g: ID!) { applyForOfficialStatus(input: {group: $g}) { application { id } userErrors { code message } } }`,
		map[string]any{"g": string(w.group.ID)})
	w.appID = dig(d, "applyForOfficialStatus", "application", "id").(string)
	return w
}

// step does the handover step key (a checklist key, mentoring_complete),
// passed as the API's HandoverStep value.
func (w handoverWorld) step(t *testing.T, who, key, logo string) gqlResponse {
	t.Helper()
	vars := map[string]any{"id": w.appID, "s": strings.ToUpper(key), "logo": nil}
	if logo != "" {
		vars["logo"] = logo
	}
	return w.do(t, who, stepQ, vars)
}

// through does the handover steps from one up to (not including) another,
// as the mentor and staff would.
func (w handoverWorld) through(t *testing.T, from, before string) {
	t.Helper()
	started := false
	for _, s := range []struct{ who, key, logo string }{
		{w.amb, "mentoring_complete", ""}, {w.manager, "requirements_met", ""}, {w.amb, "logo_requested", ""},
		{w.amb, "logo_received", w.logoURL}, {w.amb, "portal_updated", ""}, {w.amb, "logo_pack_sent", ""},
	} {
		if s.key == before {
			return
		}
		if started = started || s.key == from; !started {
			continue
		}
		if r := w.step(t, s.who, s.key, s.logo); len(r.Errors) > 0 || code(r) != nil {
			t.Fatalf("%s: %+v %+v", s.key, r.Data, r.Errors)
		}
	}
}

func addressInput(extra map[string]any) map[string]any {
	in := map[string]any{"recipientName": "Ada Organizer", "streetLines": []string{"1 Broadway", "Suite 200"}, "city": "Oakland",
		"region": "CA", "postalCode": "94607", "country": "us", "phone": "+1 510 555 0100"}
	for k, v := range extra {
		in[k] = v
	}
	return map[string]any{"in": in}
}

// TestShippingAddressIsPrivate: an organizer gives the swag kit's address
// through the API; the person and their community's staff read it, no one
// else (authz.ShippingAddressPolicy, over GraphQL).
func TestShippingAddressIsPrivate(t *testing.T) {
	w := newHandoverWorld(t)
	if r := w.do(t, "", setAddressQ, addressInput(nil)); code(r) != "UNAUTHENTICATED" {
		t.Errorf("anonymous address: %+v", r.Errors)
	}
	if r := w.do(t, w.applicant, setAddressQ, addressInput(map[string]any{"country": "XX"})); code(r) != "BAD_USER_INPUT" || len(r.Errors) > 0 ||
		fmt.Sprint(userError(r, "setShippingAddress")["field"]) != "[input country]" || w.c.ShippingAddress.Query().CountX(w.sys) != 0 {
		t.Errorf("a bad country: %+v %+v", r.Data, r.Errors)
	}
	d := w.ok(t, w.coLeader, setAddressQ, addressInput(nil))
	if a := dig(d, "setShippingAddress", "shippingAddress"); dig(a, "address") != "1 Broadway\nSuite 200" || dig(a, "country") != "US" ||
		dig(a, "postalCode") != "94607" || dig(a, "phone") != "+1 510 555 0100" {
		t.Errorf("address = %v", a)
	}
	const read = `{ user(handle: "coleader") { shippingAddress { phone } } }`
	for who, want := range map[string]any{w.coLeader: "+1 510 555 0100", w.manager: "+1 510 555 0100", w.applicant: nil, w.amb: nil, w.other: nil} {
		if got := dig(w.ok(t, who, read, nil), "user", "shippingAddress", "phone"); got != want {
			t.Errorf("%s reads the phone: %v, want %v", who, got, want)
		}
	}
}

// TestOfficialStatusEndToEnd walks the official-status handover through
// GraphQL, one happy path (the rules of each step: internal/workflow's
// official and handover tests): the live requirements, the letter's wording
// as staff see and set it, the checklist in order, the address, OFFICIAL.
func TestOfficialStatusEndToEnd(t *testing.T) {
	w := newHandoverWorld(t)
	w.through(t, "mentoring_complete", "requirements_met")
	reqs := w.ok(t, w.manager, `query($g: ID!) { officialRequirements(group: $g) { key met detail } }`, map[string]any{"g": string(w.group.ID)})
	if rs := dig(reqs, "officialRequirements").([]any); len(rs) == 0 {
		t.Errorf("no requirements listed")
	}
	for _, rq := range dig(reqs, "officialRequirements").([]any) {
		if dig(rq, "met") != true {
			t.Errorf("requirement not met: %v", rq)
		}
	}

	com := map[string]any{"c": string(w.com.ID)}
	const listQ = `query($c: ID!) { node(id: $c) { ... on Community { messageTemplates(kind: OFFICIAL_RECOGNITION) { kind language custom subject } } } }`
	if ts := dig(w.ok(t, w.manager, listQ, com), "node", "messageTemplates").([]any); len(ts) != 2 ||
		dig(ts[0], "subject") != "Official Recognition of your User Group" || dig(ts[0], "custom") != false {
		t.Errorf("staff see templates %v", ts)
	}
	if ts := dig(w.ok(t, w.applicant, listQ, com), "node", "messageTemplates").([]any); len(ts) != 0 {
		t.Errorf("an organizer sees templates %v", ts)
	}
	const setQ = `mutation($in: SetMessageTemplateInput!) { setMessageTemplate(input: $in) {
		template { kind language subject body custom variables } userErrors { code message field } } }`
	letter := func(body string) map[string]any {
		return map[string]any{"in": map[string]any{"id": string(w.com.ID), "kind": "OFFICIAL_RECOGNITION", "language": "EN",
			"subject": "Official Recognition of your User Group", "body": body}}
	}
	// A template that does not parse is answered in userErrors and not stored.
	if r := w.do(t, w.manager, setQ, letter("{{.Group")); code(r) != "BAD_USER_INPUT" || len(r.Errors) > 0 || dig(r.Data, "setMessageTemplate", "template") != nil ||
		len(w.c.Community.GetX(w.sys, w.com.ID).MessageTemplates) != 0 {
		t.Errorf("a broken template: %+v %+v", r.Data, r.Errors)
	}
	d := w.ok(t, w.manager, setQ, letter("In our own words: {{.Group}} is official. Logos: {{.LogoURL}}. {{.ShippingHowTo}}"))
	if tpl := dig(d, "setMessageTemplate", "template"); dig(tpl, "custom") != true || dig(tpl, "kind") != "OFFICIAL_RECOGNITION" || dig(tpl, "language") != "EN" ||
		!slices.Contains(dig(tpl, "variables").([]any), any(".LogoURL")) || len(dig(d, "setMessageTemplate", "userErrors").([]any)) != 0 {
		t.Fatalf("stored template = %v", tpl)
	}

	w.through(t, "requirements_met", "swag_kit_shipped")
	if m := w.c.Message.Query().Where(message.Template("official_recognition")).OnlyX(w.sys); !strings.Contains(m.Body, "In our own words: Oakland {East Bay} is official") ||
		!strings.Contains(m.Body, w.logoURL) || !sameIDs(m.RecipientIds, w.leaders) {
		t.Errorf("recognition letter: %q to %v", m.Body, m.RecipientIds)
	}
	g := w.ok(t, w.other, `query($id: ID!) { node(id: $id) { ... on Group { logoURL } } }`, map[string]any{"id": string(w.group.ID)})
	if dig(g, "node", "logoURL") != w.logoURL {
		t.Errorf("group logo = %v", dig(g, "node", "logoURL"))
	}
	// The swag kit needs an organizer's address: refused as data, the step
	// stays open.
	r := w.step(t, w.manager, "swag_kit_shipped", "")
	if len(r.Errors) > 0 || code(r) == nil || dig(r.Data, "completeHandoverStep", "application") != nil {
		t.Errorf("swag kit without an address: %+v %+v", r.Data, r.Errors)
	}
	if app := w.c.Application.GetX(w.sys, pulid.ID(w.appID)); app.Status == "APPROVED" || app.Checklist.Items[len(app.Checklist.Items)-1].DoneAt != nil {
		t.Errorf("the refused step saved: %s %+v", app.Status, app.Checklist.Items)
	}
	w.ok(t, w.applicant, setAddressQ, addressInput(nil))
	if r := w.step(t, w.manager, "swag_kit_shipped", ""); len(r.Errors) > 0 || code(r) != nil || dig(r.Data, "completeHandoverStep", "application", "status") != "APPROVED" {
		t.Fatalf("swag kit shipped: %+v %+v", r.Data, r.Errors)
	}
	final := w.ok(t, "", `query($id: ID!) { node(id: $id) { ... on Group { status officialSince } } }`, map[string]any{"id": string(w.group.ID)})
	if dig(final, "node", "status") != "OFFICIAL" || dig(final, "node", "officialSince") == nil {
		t.Errorf("group after handover: %v", final)
	}
}

func sameIDs(got, want []pulid.ID) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// TestSponsorPitchesFollowPolicy: a sponsor's pitch minutes are set and
// read back, within the pitch-length cap, and only as many sponsors and
// sponsor-pitch slots per event as the policy allows (OpenStack: one).
func TestSponsorPitchesFollowPolicy(t *testing.T) {
	base := dbtest.Open(t)
	w := newEventWorld(t, &dbClient{DB: base, Client: base.Client})
	r := w.h(w.org, createEventQ, w.eventInput(nil))
	id, _ := dig(r.Data, "createEvent", "event", "id").(string)
	if id == "" {
		t.Fatalf("create: %+v", r.Errors)
	}
	const addSponsor = `mutation($e: ID!, $n: String!, $p: Int) { addSponsor(input: {event: $e, name: $n, pitchMinutes: $p}) { sponsor { name pitchMinutes }
		userErrors { code message field } } }`
	sponsor := func(name string, pitch any) gqlResponse {
		return w.h(w.org, addSponsor, map[string]any{"e": id, "n": name, "p": pitch})
	}
	for _, tc := range []struct {
		name  string
		pitch any
		want  string
		field string
	}{
		{"Too long", 11, "BAD_USER_INPUT", "pitchMinutes"},
		{"Negative", -1, "BAD_USER_INPUT", "pitchMinutes"},
		{"Example Cloud", 10, "", ""},
		{"Second pitch", 5, "CONFLICT", ""},
		{"Venue only", nil, "", ""},
		{"Food only", 0, "", ""},
	} {
		// Refusals are userErrors: no GraphQL error, no sponsor saved.
		r := sponsor(tc.name, tc.pitch)
		ue := userError(r, "addSponsor")
		if len(r.Errors) > 0 || code(r) != nilIfEmpty(tc.want) || (tc.field != "" && fmt.Sprint(ue["field"]) != "[input "+tc.field+"]") ||
			(ue != nil) != (dig(r.Data, "addSponsor", "sponsor") == nil) {
			t.Errorf("sponsor %s pitch %v: want %q %q, got %+v %+v", tc.name, tc.pitch, tc.want, tc.field, r.Data, r.Errors)
		}
		if tc.want == "CONFLICT" && ue != nil && !strings.Contains(fmt.Sprint(ue["message"]), "already has 1 sponsor pitch(es), the most the community allows") {
			t.Errorf("the refusal does not say the cap: %+v", ue)
		}
	}
	d := w.h(w.org, `query($e: ID!) { node(id: $e) { ... on Event { sponsors { edges { node { name pitchMinutes } } } } } }`, map[string]any{"e": id})
	got := map[string]any{}
	for _, e := range items(d.Data, "node", "sponsors", "edges") {
		got[dig(e, "node", "name").(string)] = dig(e, "node", "pitchMinutes")
	}
	if len(got) != 3 || got["Example Cloud"] != float64(10) || got["Venue only"] != float64(0) {
		t.Errorf("sponsors = %v", got)
	}

	const addItem = `mutation($in: AddAgendaItemInput!) { addAgendaItem(input: $in) { agendaItem { id } userErrors { code message field } } }`
	pitch := func(start string) gqlResponse {
		return w.h(w.org, addItem, map[string]any{"in": map[string]any{"event": id, "kind": "SPONSOR_PITCH", "title": "Pitch at " + start,
			"speakerName": "Sponsor", "startsAt": start, "durationMinutes": 10}})
	}
	if r := pitch("2026-12-03T19:00"); len(r.Errors) > 0 || code(r) != nil {
		t.Fatalf("first pitch slot: %+v %+v", r.Data, r.Errors)
	}
	if r := pitch("2026-12-03T20:00"); code(r) != "CONFLICT" || len(r.Errors) > 0 || !strings.Contains(fmt.Sprint(userError(r, "addAgendaItem")["message"]), "sponsor pitch") {
		t.Errorf("second pitch slot: %+v %+v", r.Data, r.Errors)
	}
	// The refused slot was not kept: a talk takes it.
	if r := w.h(w.org, addItem, map[string]any{"in": map[string]any{"event": id, "kind": "TALK", "title": "Talk",
		"speakerName": "Guest", "startsAt": "2026-12-03T20:00", "durationMinutes": 30}}); len(r.Errors) > 0 || code(r) != nil {
		t.Errorf("a talk after the pitch: %+v %+v", r.Data, r.Errors)
	}
	p := w.h(w.org, `query($c: ID!) { node(id: $c) { ... on Community { policy { maxSponsorPitchesPerEvent } } } }`,
		map[string]any{"c": string(w.group.CommunityID)})
	if dig(p.Data, "node", "policy", "maxSponsorPitchesPerEvent") != float64(1) {
		t.Errorf("policy: %+v %+v", p.Data, p.Errors)
	}
}
