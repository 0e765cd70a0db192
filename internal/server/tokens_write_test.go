package server_test

import (
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/workflow"
)

// bearer mints an API token of u with scopes and returns its Authorization header.
func bearer(t *testing.T, c *ent.Client, u *ent.User, scopes ...string) string {
	t.Helper()
	tok, err := workflow.NewRunner(c, nil).CreateAPIToken(dbtest.FixtureContext(t), workflow.NewToken{OwnerID: u.ID, Name: "app", Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok.Secret
}

// tokenScope reports whether r was refused for the token's scope, by name.
func tokenScope(r gqlResponse) bool {
	return code(r) == "FORBIDDEN" && r.Errors[0].Extensions["reason"] == "TOKEN_SCOPE"
}

// TestWriteTokenRegistersAndChecksIn: a member's read,write token registers
// for a public event, an organizer's checks people in by the code on their
// ticket, and neither ever reads a registration beyond the row it just
// wrote. What tokens may not do is refused by name (TOKEN_SCOPE).
func TestWriteTokenRegistersAndChecksIn(t *testing.T) {
	base := dbtest.Open(t)
	db := &dbClient{DB: base, Client: base.Client}
	w := newEventWorld(t, db)
	h := sessionHandler(t, db)
	sys := dbtest.FixtureContext(t)
	as := func(header, q string, vars map[string]any) gqlResponse { return query(t, h, header, q, vars) }

	r := w.h(w.org, createEventQ, w.eventInput(nil))
	id, _ := dig(r.Data, "createEvent", "event", "id").(string)
	if r := w.h(w.org, w.ref("publishEvent", "event { status }"), map[string]any{"e": id}); len(r.Errors) > 0 || code(r) != nil {
		t.Fatalf("publish: %+v %+v", r.Data, r.Errors)
	}
	ev := map[string]any{"e": id}
	memberApp := bearer(t, w.c, w.member, "read", "write")
	memberRead := bearer(t, w.c, w.member, "read")
	door := bearer(t, w.c, w.org, "read", "write")

	if r := as(memberApp, `query($e: ID!) { node(id: $e) { ... on Event { title } } }`, ev); dig(r.Data, "node", "title") == nil {
		t.Fatalf("the token reads the event: %+v %+v", r.Data, r.Errors)
	}
	// A read token changes nothing, and says why.
	if r := as(memberRead, w.ref("registerForEvent", "registration { status }"), ev); !tokenScope(r) {
		t.Errorf("a read token registers: %+v", r.Errors)
	}
	if n := w.c.Registration.Query().CountX(sys); n != 0 {
		t.Fatalf("a refused registration left %d rows", n)
	}

	// The write token registers; the payload shows what the step did, not
	// the ticket's code.
	const reg = "registration { id status queuedAt checkInCode event { id } user { handle } }"
	r = as(memberApp, w.ref("registerForEvent", reg), ev)
	if dig(r.Data, "registerForEvent", "registration", "status") != "GOING" ||
		dig(r.Data, "registerForEvent", "registration", "user", "handle") != "member" ||
		dig(r.Data, "registerForEvent", "registration", "event", "id") != id || len(r.Errors) > 0 {
		t.Fatalf("the write token registers: %+v %+v", r.Data, r.Errors)
	}
	if dig(r.Data, "registerForEvent", "registration", "checkInCode") != nil {
		t.Errorf("a token reads a check-in code: %+v", r.Data)
	}
	regID, _ := dig(r.Data, "registerForEvent", "registration", "id").(string)
	if got := w.c.Registration.Query().Where(registration.UserID(w.member.ID)).OnlyX(sys); string(got.ID) != regID || got.Status != registration.StatusGOING {
		t.Errorf("stored: %+v", got)
	}
	// Registering did not open registrations to the token.
	const readBack = `query($e: ID!) { node(id: $e) { ... on Event { goingCount viewerRegistration { status } registrations { totalCount } } } }`
	if r := as(memberApp, readBack, ev); dig(r.Data, "node", "goingCount") != float64(1) ||
		dig(r.Data, "node", "viewerRegistration") != nil || dig(r.Data, "node", "registrations", "totalCount") != float64(0) {
		t.Errorf("the token reads registrations: %+v %+v", r.Data, r.Errors)
	}
	if r := as(memberApp, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": regID}); code(r) != "NOT_FOUND" {
		t.Errorf("the token looks its registration up: %+v %+v", r.Data, r.Errors)
	}
	if r := as(memberApp, w.ref("registerForEvent", "registration { status }"), ev); code(r) != "CONFLICT" || len(r.Errors) > 0 {
		t.Errorf("registering twice: %+v %+v", r.Data, r.Errors)
	}
	if r := as(memberApp, w.ref("cancelRegistration", "registration { status }"), ev); dig(r.Data, "cancelRegistration", "registration", "status") != "CANCELLED" {
		t.Fatalf("the token cancels: %+v %+v", r.Data, r.Errors)
	}
	if r := as(memberApp, w.ref("registerForEvent", "registration { status }"), ev); dig(r.Data, "registerForEvent", "registration", "status") != "GOING" {
		t.Fatalf("the token registers again: %+v %+v", r.Data, r.Errors)
	}

	// s1 signed in holds a ticket with a code.
	w.h(w.s1, w.ref("registerForEvent", "registration { status }"), ev)
	r = w.h(w.s1, `query($e: ID!) { node(id: $e) { ... on Event { viewerRegistration { checkInCode } } } }`, ev)
	s1Code, _ := dig(r.Data, "node", "viewerRegistration", "checkInCode").(string)
	if s1Code == "" {
		t.Fatalf("s1's code: %+v %+v", r.Data, r.Errors)
	}

	// At the door: the organizer's token checks s1 in by code and the member
	// by the registration id on their ticket.
	w.clock.Set(time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC))
	const checkIn = `mutation($e: ID!, $code: String, $r: ID) { checkIn(input: {id: $e, code: $code, registration: $r}) { registration { status checkedInAt checkInCode user { handle } }
		userErrors { code message field } } }`
	if r := as(memberApp, checkIn, map[string]any{"e": id, "code": s1Code}); code(r) != "FORBIDDEN" {
		t.Errorf("a member's token checks someone in: %+v", r.Errors)
	}
	r = as(door, checkIn, map[string]any{"e": id, "code": s1Code})
	if dig(r.Data, "checkIn", "registration", "status") != "ATTENDED" || dig(r.Data, "checkIn", "registration", "checkedInAt") == nil ||
		dig(r.Data, "checkIn", "registration", "user", "handle") != "s1" || len(r.Errors) > 0 {
		t.Fatalf("the door token checks s1 in: %+v %+v", r.Data, r.Errors)
	}
	if dig(r.Data, "checkIn", "registration", "checkInCode") != nil {
		t.Errorf("the door token reads the code back: %+v", r.Data)
	}
	if r := as(door, checkIn, map[string]any{"e": id, "r": regID}); dig(r.Data, "checkIn", "registration", "status") != "ATTENDED" {
		t.Errorf("the door token checks the member in by id: %+v %+v", r.Data, r.Errors)
	}
	if r := as(door, checkIn, map[string]any{"e": id, "code": s1Code}); code(r) != "CONFLICT" || len(r.Errors) > 0 {
		t.Errorf("a code used twice: %+v %+v", r.Data, r.Errors)
	}
	if r := as(door, checkIn, map[string]any{"e": id, "code": "NOSUCHCODE"}); code(r) != "NOT_FOUND" || len(r.Errors) > 0 {
		t.Errorf("unknown code: %+v %+v", r.Data, r.Errors)
	}
	if n := w.c.Registration.Query().Where(registration.StatusEQ(registration.StatusATTENDED)).CountX(sys); n != 2 {
		t.Errorf("%d attended, want 2", n)
	}
	// The door token still lists nobody, and what it may never do is named.
	if r := as(door, readBack, ev); dig(r.Data, "node", "registrations", "totalCount") != float64(0) {
		t.Errorf("the door token lists registrations: %+v %+v", r.Data, r.Errors)
	}
	if r := as(door, `mutation($e: ID!) { exportEventAttendees(input: {id: $e}) { attendees { email } } }`, ev); !tokenScope(r) {
		t.Errorf("the door token exports attendees: %+v", r.Errors)
	}
	if r := as(door, `mutation { createAPIToken(input: {name: "x", scopes: [READ]}) { token } }`, nil); !tokenScope(r) {
		t.Errorf("a token mints a token: %+v", r.Errors)
	}
}

// TestWriteTokenActsAsOwner walks the other steps a door or event app takes
// with an organizer's write token, and a member app's join and leave: each
// succeeds as it would for the owner signed in (no NOT_FOUND for what the
// owner can see). A read token is refused every step by name, even where
// the step would look something up first.
func TestWriteTokenActsAsOwner(t *testing.T) {
	base := dbtest.Open(t)
	db := &dbClient{DB: base, Client: base.Client}
	w := newEventWorld(t, db)
	h := sessionHandler(t, db)
	sys := dbtest.FixtureContext(t)
	as := func(header, q string, vars map[string]any) gqlResponse { return query(t, h, header, q, vars) }
	orgApp, orgRead := bearer(t, w.c, w.org, "read", "write"), bearer(t, w.c, w.org, "read")
	s1App := bearer(t, w.c, w.s1, "write")
	ok := func(what string, r gqlResponse, path ...string) any {
		t.Helper()
		got := dig(r.Data, path...)
		if len(r.Errors) > 0 || code(r) != nil || got == nil {
			t.Fatalf("%s: %+v %+v", what, r.Data, r.Errors)
		}
		return got
	}

	id, _ := ok("createEvent", as(orgApp, createEventQ, w.eventInput(nil)), "createEvent", "event", "id").(string)
	ev := map[string]any{"e": id}
	ok("updateEvent", as(orgApp, `mutation($e: ID!) { updateEvent(input: {id: $e, title: "Meetup: OpenStack on RISC-V"}) { event { title } } }`, ev), "updateEvent", "event", "title")
	item, _ := ok("addAgendaItem", as(orgApp, `mutation($e: ID!) { addAgendaItem(input: {event: $e, title: "Keynote", startsAt: "2026-12-03T19:00", durationMinutes: 30}) { agendaItem { id } } }`, ev),
		"addAgendaItem", "agendaItem", "id").(string)
	ok("removeAgendaItem", as(orgApp, `mutation($i: ID!) { removeAgendaItem(input: {id: $i}) { event { id } } }`, map[string]any{"i": item}), "removeAgendaItem", "event", "id")
	sp, _ := ok("addSponsor", as(orgApp, `mutation($e: ID!) { addSponsor(input: {event: $e, name: "Acme"}) { sponsor { id } } }`, ev), "addSponsor", "sponsor", "id").(string)
	ok("removeSponsor", as(orgApp, `mutation($i: ID!) { removeSponsor(input: {id: $i}) { event { id } } }`, map[string]any{"i": sp}), "removeSponsor", "event", "id")
	ok("publishEvent", as(orgApp, w.ref("publishEvent", "event { status }"), ev), "publishEvent", "event", "status")
	ok("registerForEvent", as(s1App, w.ref("registerForEvent", "registration { status }"), ev), "registerForEvent", "registration", "status")
	r := as(orgApp, `mutation($e: ID!) { cancelEvent(input: {id: $e, reason: "The venue flooded"}) { event { status goingCount } } }`, ev)
	if ok("cancelEvent", r, "cancelEvent", "event", "status") != "CANCELLED" || dig(r.Data, "cancelEvent", "event", "goingCount") != float64(0) {
		t.Errorf("cancelEvent: %+v", r.Data)
	}
	if got := w.c.Registration.Query().OnlyX(sys); got.Status != registration.StatusCANCELLED {
		t.Errorf("s1's registration after the cancellation: %s", got.Status)
	}

	id2, _ := ok("createEvent", as(orgApp, createEventQ, w.eventInput(nil)), "createEvent", "event", "id").(string)
	ev2 := map[string]any{"e": id2}
	ok("publishEvent", as(orgApp, w.ref("publishEvent", "event { status }"), ev2), "publishEvent", "event", "status")
	ok("registerForEvent", as(s1App, w.ref("registerForEvent", "registration { status }"), ev2), "registerForEvent", "registration", "status")
	w.clock.Set(time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC))
	r = as(orgApp, w.ref("completeEvent", "event { status }"), ev2)
	if ok("completeEvent", r, "completeEvent", "event", "status") != "COMPLETED" {
		t.Errorf("completeEvent: %+v", r.Data)
	}
	if got := w.c.Registration.Query().Where(registration.EventID(pulidID(id2))).OnlyX(sys); got.Status != registration.StatusNO_SHOW {
		t.Errorf("s1's seat after completion: %s", got.Status)
	}

	g := map[string]any{"g": string(w.group.ID)}
	ok("joinGroup", as(s1App, `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`, g), "joinGroup", "role", "status")
	ok("leaveGroup", as(s1App, `mutation($g: ID!) { leaveGroup(input: {id: $g}) { roles { status } } }`, g), "leaveGroup", "roles")

	// A read token: refused by name, before any lookup or role check.
	for name, tc := range map[string]struct {
		q    string
		vars map[string]any
	}{
		"createEvent": {createEventQ, w.eventInput(nil)},
		"checkIn":     {`mutation($e: ID!) { checkIn(input: {id: $e, code: "NOSUCHCODE"}) { registration { status } } }`, ev2},
		"cancelEvent": {`mutation($e: ID!) { cancelEvent(input: {id: $e, reason: "x"}) { event { id } } }`, map[string]any{"e": "evt_01NOSUCHEVENT0000000000000"}},
		"joinGroup":   {`mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`, g},
		"export":      {`mutation($e: ID!) { exportEventAttendees(input: {id: $e}) { attendees { email } } }`, ev2},
	} {
		if r := as(orgRead, tc.q, tc.vars); !tokenScope(r) {
			t.Errorf("read token, %s: %+v", name, r.Errors)
		}
	}
}
