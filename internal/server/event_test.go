package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// eventWorld is an OpenStack group with an organizer, a member, staff and
// people from outside, each with an email address.
type eventWorld struct {
	clock                          *dbtest.Clock
	c                              *ent.Client
	h                              func(u *ent.User, q string, vars map[string]any) gqlResponse
	group                          *ent.Group
	org, member, staff, s1, s2, s3 *ent.User
}

func newEventWorld(t *testing.T, base *dbClient) *eventWorld {
	t.Helper()
	w := &eventWorld{clock: dbtest.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)), c: base.Client}
	base.now = w.clock.Now
	h := sessionHandler(t, base)
	w.h = func(u *ent.User, q string, vars map[string]any) gqlResponse {
		header := ""
		if u != nil {
			header = "Session " + string(u.ID)
		}
		return query(t, h, header, q, vars)
	}
	sys := dbtest.FixtureContext(t)
	tx, err := base.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	os := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	w.group = tx.Group.Create().SetCommunityID(os.ID).SetName("Shanghai").SetSlug("shanghai").SetCity("Shanghai").SetCountry("CN").SetStatus("ACTIVE").SaveX(sys)
	mk := func(h string, kind role.Kind) *ent.User {
		u := tx.User.Create().SetHandle(h).SetName("Person " + h).SaveX(sys)
		tx.Contact.Create().SetUserID(u.ID).SetEmail(h + "@example.org").ExecX(sys)
		switch kind {
		case role.KindCOMMUNITY_MANAGER:
			tx.Role.Create().SetUserID(u.ID).SetCommunityID(os.ID).SetKind(kind).ExecX(sys)
		case role.KindORGANIZER, role.KindMEMBER:
			tx.Role.Create().SetUserID(u.ID).SetCommunityID(os.ID).SetGroupID(w.group.ID).SetKind(kind).ExecX(sys)
		}
		return u
	}
	w.org, w.member, w.staff = mk("org", role.KindORGANIZER), mk("member", role.KindMEMBER), mk("staff", role.KindCOMMUNITY_MANAGER)
	w.s1, w.s2, w.s3 = mk("s1", ""), mk("s2", ""), mk("s3", "")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return w
}

const (
	createEventQ = `mutation($in: CreateEventInput!) { createEvent(input: $in) { event { id status startsAt localStartsAt localEndsAt timeZone capacity }
		userErrors { code message field } } }`
	// eventRefQ is a mutation whose input is just the event acted on, as id.
	eventRefQ = `mutation($e: ID!) { %s(input: {id: $e}) { %s userErrors { code message field } } }`
)

func (w *eventWorld) eventInput(extra map[string]any) map[string]any {
	in := map[string]any{"group": string(w.group.ID), "title": "Meetup: OpenStack on ARM", "startsAt": "2026-12-03T19:00",
		"endsAt": "2026-12-03T21:30", "timeZone": "Asia/Shanghai", "venueName": "Caohejing Hub", "capacity": 2,
		"latitude": 31.17, "longitude": 121.40}
	for k, v := range extra {
		in[k] = v
	}
	return map[string]any{"in": in}
}

func (w *eventWorld) ref(verb, sel string) string { return fmt.Sprintf(eventRefQ, verb, sel) }

// TestEventLifecycle plans, publishes, fills, runs and closes a meeting
// through the API, each step once: times shown in the event's zone, agenda
// and sponsors, registrations with a waitlist, who reads registrations and
// check-in codes, check-in, the audited export and completion. The rules of
// each step are tested beside them in internal/workflow (event_test.go).
func TestEventLifecycle(t *testing.T) {
	base := dbtest.Open(t)
	w := newEventWorld(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)

	r := w.h(w.org, createEventQ, w.eventInput(nil))
	id, _ := dig(r.Data, "createEvent", "event", "id").(string)
	// 19:00 in Shanghai is 11:00Z, and is shown back as 19:00 +08:00.
	if id == "" || dig(r.Data, "createEvent", "event", "startsAt") != "2026-12-03T11:00:00Z" ||
		dig(r.Data, "createEvent", "event", "localStartsAt") != "2026-12-03T19:00:00+08:00" ||
		dig(r.Data, "createEvent", "event", "localEndsAt") != "2026-12-03T21:30:00+08:00" || dig(r.Data, "createEvent", "event", "status") != "DRAFT" {
		t.Fatalf("create: %+v %+v", r.Data, r.Errors)
	}
	ev := map[string]any{"e": id}
	// A draft is invisible to a member: refused as data, nothing published.
	if r := w.h(w.member, w.ref("publishEvent", "event { status }"), ev); code(r) != "NOT_FOUND" || len(r.Errors) > 0 ||
		dig(r.Data, "publishEvent", "event") != nil {
		t.Errorf("a member publishes a draft: %+v %+v", r.Data, r.Errors)
	}

	// The agenda and a sponsor.
	const addItem = `mutation($in: AddAgendaItemInput!) { addAgendaItem(input: $in) { agendaItem { id startsAt track speakerName } userErrors { code message field } } }`
	item := func(kind, start string, minutes int, track string) gqlResponse {
		return w.h(w.org, addItem, map[string]any{"in": map[string]any{"event": id, "kind": kind, "title": kind + " at " + start,
			"speakerName": "Guest Speaker", "startsAt": start, "durationMinutes": minutes, "track": track}})
	}
	if r := item("TALK", "2026-12-03T19:00", 45, "main"); dig(r.Data, "addAgendaItem", "agendaItem", "startsAt") != "2026-12-03T11:00:00Z" ||
		dig(r.Data, "addAgendaItem", "agendaItem", "speakerName") != "Guest Speaker" {
		t.Fatalf("first talk: %+v %+v", r.Data, r.Errors)
	}
	if r := item("TALK", "2026-12-03T19:30", 30, "lab"); dig(r.Data, "addAgendaItem", "agendaItem", "track") != "lab" {
		t.Errorf("a talk in the lab: %+v %+v", r.Data, r.Errors)
	}
	if r := item("SPONSOR_PITCH", "2026-12-03T19:45", 10, "main"); len(r.Errors) > 0 || code(r) != nil {
		t.Errorf("a short pitch: %+v %+v", r.Data, r.Errors)
	}
	const addSponsor = `mutation($e: ID!) { addSponsor(input: {event: $e, name: "Example Cloud", websiteURL: "https://cloud.example.com", covers: "pizza"}) { sponsor { id name covers } userErrors { code } } }`
	r = w.h(w.org, addSponsor, ev)
	if dig(r.Data, "addSponsor", "sponsor", "covers") != "pizza" {
		t.Errorf("sponsor: %+v %+v", r.Data, r.Errors)
	}
	const removeSponsor = `mutation($id: ID!) { removeSponsor(input: {id: $id}) { event { sponsors { totalCount } } userErrors { code } } }`
	if r := w.h(w.org, removeSponsor, map[string]any{"id": dig(r.Data, "addSponsor", "sponsor", "id")}); dig(r.Data, "removeSponsor", "event", "sponsors", "totalCount") != float64(0) {
		t.Errorf("removing the sponsor: %+v %+v", r.Data, r.Errors)
	}
	const update = `mutation($in: UpdateEventInput!) { updateEvent(input: $in) { event { localEndsAt agendaItems { totalCount edges { node { id kind } } } }
		userErrors { code message field } } }`
	r = w.h(w.org, update, map[string]any{"in": map[string]any{"id": id, "endsAt": "2026-12-03T21:00"}})
	if dig(r.Data, "updateEvent", "event", "localEndsAt") != "2026-12-03T21:00:00+08:00" || dig(r.Data, "updateEvent", "event", "agendaItems", "totalCount") != float64(3) {
		t.Fatalf("moving the end: %+v %+v", r.Data, r.Errors)
	}
	var pitch any
	for _, e := range items(r.Data, "updateEvent", "event", "agendaItems", "edges") {
		if dig(e, "node", "kind") == "SPONSOR_PITCH" {
			pitch = dig(e, "node", "id")
		}
	}
	const removeItem = `mutation($id: ID!) { removeAgendaItem(input: {id: $id}) { event { agendaItems { totalCount } } userErrors { code } } }`
	if r := w.h(w.org, removeItem, map[string]any{"id": pitch}); dig(r.Data, "removeAgendaItem", "event", "agendaItems", "totalCount") != float64(2) {
		t.Errorf("removing the pitch: %+v %+v", r.Data, r.Errors)
	}
	if r := w.h(w.org, w.ref("publishEvent", "event { status }"), ev); dig(r.Data, "publishEvent", "event", "status") != "PUBLISHED" {
		t.Fatalf("publish: %+v %+v", r.Data, r.Errors)
	}

	// Registrations: two seats, then the waitlist.
	register := func(u *ent.User) gqlResponse {
		w.clock.Advance(time.Minute) // people register one after another
		return w.h(u, w.ref("registerForEvent", "registration { id status }"), ev)
	}
	for i, tc := range []struct {
		who  *ent.User
		want string
	}{{w.member, "GOING"}, {w.s1, "GOING"}, {w.s2, "WAITLISTED"}, {w.s3, "WAITLISTED"}} {
		if r := register(tc.who); dig(r.Data, "registerForEvent", "registration", "status") != tc.want {
			t.Fatalf("registration %d: %+v %+v", i, r.Data, r.Errors)
		}
	}
	const counts = `query($e: ID!) { node(id: $e) { ... on Event { goingCount waitlistCount attendedCount registrations { totalCount } } } }`
	if r := w.h(nil, counts, ev); dig(r.Data, "node", "goingCount") != float64(2) || dig(r.Data, "node", "waitlistCount") != float64(2) ||
		dig(r.Data, "node", "registrations", "totalCount") != float64(0) {
		t.Errorf("the public sees counts, not registrations: %+v %+v", r.Data, r.Errors)
	}
	for who, want := range map[*ent.User]float64{w.s1: 1, w.org: 4, w.staff: 4} {
		if r := w.h(who, counts, ev); dig(r.Data, "node", "registrations", "totalCount") != want {
			t.Errorf("%s sees %v registrations, want %v", who.Handle, dig(r.Data, "node", "registrations", "totalCount"), want)
		}
	}
	// A cancellation seats the first person waiting.
	if r := w.h(w.member, w.ref("cancelRegistration", "registration { status }"), ev); dig(r.Data, "cancelRegistration", "registration", "status") != "CANCELLED" {
		t.Fatalf("cancel: %+v %+v", r.Data, r.Errors)
	}
	status := func(u *ent.User) registration.Status {
		return w.c.Registration.Query().Where(registration.UserID(u.ID)).OnlyX(sys).Status
	}
	if status(w.s2) != registration.StatusGOING || status(w.s3) != registration.StatusWAITLISTED {
		t.Errorf("after a cancellation: s2 %s, s3 %s", status(w.s2), status(w.s3))
	}

	// The check-in code is for its holder only.
	const mine = `query($e: ID!) { node(id: $e) { ... on Event { viewerRegistration { status checkInCode } registrations { edges { node { checkInCode } } } } } }`
	r = w.h(w.s1, mine, ev)
	s1Code, _ := dig(r.Data, "node", "viewerRegistration", "checkInCode").(string)
	if len(s1Code) != 10 {
		t.Fatalf("s1's own code: %+v %+v", r.Data, r.Errors)
	}
	r = w.h(w.org, mine, ev)
	for _, e := range items(r.Data, "node", "registrations", "edges") {
		if dig(e, "node", "checkInCode") != nil {
			t.Errorf("the organizer reads someone's check-in code: %+v", e)
		}
	}

	// Check-in at the door, by code.
	const checkIn = `mutation($e: ID!, $code: String) { checkIn(input: {id: $e, code: $code}) { registration { status checkedInAt } userErrors { code message field } } }`
	w.clock.Set(time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC))
	if r := w.h(w.org, checkIn, map[string]any{"e": id, "code": s1Code}); dig(r.Data, "checkIn", "registration", "status") != "ATTENDED" {
		t.Fatalf("check in s1: %+v %+v", r.Data, r.Errors)
	}

	// The export with contact details, audited.
	const export = `mutation($e: ID!) { exportEventAttendees(input: {id: $e}) { attendees { name email status } userErrors { code } } }`
	before := w.c.AuditEntry.Query().Where(auditentry.ActionEQ(auditentry.ActionACCESSED)).CountX(sys)
	r = w.h(w.org, export, ev)
	if list := items(r.Data, "exportEventAttendees", "attendees"); len(list) != 3 || dig(list[0], "email") != "s1@example.org" { // the cancelled one is not listed
		t.Errorf("export: %+v %+v", r.Data, r.Errors)
	}
	audit := w.c.AuditEntry.Query().Where(auditentry.ActionEQ(auditentry.ActionACCESSED)).AllX(sys)
	if len(audit) != before+1 || audit[len(audit)-1].NodeID != id || audit[len(audit)-1].ActorID != string(w.org.ID) || audit[len(audit)-1].NodeType != "Event" {
		t.Errorf("audit entries: %+v", audit)
	}

	// Completing: unmarked seats become NO_SHOW.
	w.clock.Set(time.Date(2026, 12, 3, 13, 40, 0, 0, time.UTC))
	if r := w.h(w.org, w.ref("completeEvent", "event { status attendedCount goingCount }"), ev); dig(r.Data, "completeEvent", "event", "status") != "COMPLETED" ||
		dig(r.Data, "completeEvent", "event", "attendedCount") != float64(1) || dig(r.Data, "completeEvent", "event", "goingCount") != float64(0) {
		t.Fatalf("complete: %+v %+v", r.Data, r.Errors)
	}
	if status(w.s2) != registration.StatusNO_SHOW || status(w.s1) != registration.StatusATTENDED || status(w.s3) != registration.StatusWAITLISTED {
		t.Errorf("after completion: s1 %s, s2 %s, s3 %s", status(w.s1), status(w.s2), status(w.s3))
	}
	// Every step is in the change log.
	if n := w.c.Change.Query().Where(change.Topic("registration")).CountX(sys); n < 8 {
		t.Errorf("%d registration changes logged", n)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestEventDiscovery: discovery by place, time and kind, for anonymous
// readers and members (a cancelled event and a members-only one among
// them), and each group's next events.
func TestEventDiscovery(t *testing.T) {
	base := dbtest.Open(t)
	w := newEventWorld(t, &dbClient{DB: base, Client: base.Client})
	create := func(extra map[string]any) string {
		r := w.h(w.org, createEventQ, w.eventInput(extra))
		id, _ := dig(r.Data, "createEvent", "event", "id").(string)
		if id == "" {
			t.Fatalf("create %v: %+v", extra, r.Errors)
		}
		if r := w.h(w.org, w.ref("publishEvent", "event { status }"), map[string]any{"e": id}); len(r.Errors) > 0 || code(r) != nil {
			t.Fatalf("publish: %+v %+v", r.Data, r.Errors)
		}
		return id
	}
	a := create(map[string]any{"capacity": 1})
	// The only in-person public event is cancelled (the rules of updating
	// and cancelling are tested in internal/workflow).
	const cancel = `mutation($e: ID!, $why: String!) { cancelEvent(input: {id: $e, reason: $why}) { event { status cancelReason } userErrors { code } } }`
	if r := w.h(w.org, cancel, map[string]any{"e": a, "why": "The venue flooded."}); dig(r.Data, "cancelEvent", "event", "status") != "CANCELLED" ||
		dig(r.Data, "cancelEvent", "event", "cancelReason") != "The venue flooded." {
		t.Fatalf("cancel: %+v %+v", r.Data, r.Errors)
	}
	// Members-only: others do not even see it.
	closed := create(map[string]any{"visibility": "MEMBERS_ONLY", "kind": "CLOSED_DOOR", "startsAt": "2026-12-10T19:00", "endsAt": "2026-12-10T21:00"})
	online := create(map[string]any{"venueName": nil, "latitude": nil, "longitude": nil, "onlineUrl": "https://meet.example.org/x",
		"startsAt": "2026-12-05T19:00", "endsAt": "2026-12-05T20:00", "kind": "TRAINING"})

	// Discovery, soonest first.
	const find = `query($c: ID, $near: NearInput, $w: EventWhereInput) { events(community: $c, near: $near, where: $w) { totalCount edges { node { id kind } } } }`
	ids := func(r gqlResponse) []any {
		var out []any
		for _, e := range items(r.Data, "events", "edges") {
			out = append(out, dig(e, "node", "id"))
		}
		return out
	}
	near := map[string]any{"lat": 31.23, "lng": 121.47, "km": 20}
	if got := ids(w.h(nil, find, map[string]any{"near": near})); len(got) != 0 {
		t.Errorf("anonymous near Shanghai (the only in-person public event is cancelled): %v", got)
	}
	if got := ids(w.h(w.member, find, map[string]any{"near": near})); len(got) != 1 || got[0] != closed {
		t.Errorf("a member near Shanghai: %v", got)
	}
	far := map[string]any{"lat": 48.85, "lng": 2.35, "km": 50}
	if got := ids(w.h(w.member, find, map[string]any{"near": far})); len(got) != 0 {
		t.Errorf("near Paris: %v", got)
	}
	if got := ids(w.h(w.member, find, map[string]any{"w": map[string]any{"groupID": string(w.group.ID)}})); len(got) != 2 || got[0] != online || got[1] != closed {
		t.Errorf("the group's events, soonest first: %v", got)
	}
	if got := ids(w.h(w.member, find, map[string]any{"w": map[string]any{"kindIn": []string{"TRAINING"}, "startsAtGTE": "2026-12-01T00:00:00Z"}})); len(got) != 1 || got[0] != online {
		t.Errorf("trainings in December: %v", got)
	}
	if r := w.h(nil, find, map[string]any{"near": map[string]any{"lat": 95, "lng": 0, "km": 5}}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("latitude 95: %+v", r.Errors)
	}
	if r := w.h(nil, find, map[string]any{"near": map[string]any{"lat": 31.23, "lng": 121.47}}); code(r) != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "near" {
		t.Errorf("a search near a point without a radius: %+v", r.Errors)
	}
	// The community is an argument (an event's community is not a filter
	// field); the default statuses give way to a status filter.
	if got := ids(w.h(w.member, find, map[string]any{"c": string(w.group.CommunityID)})); len(got) != 2 {
		t.Errorf("the community's events: %v", got)
	}
	if got := ids(w.h(w.member, find, map[string]any{"w": map[string]any{"status": "CANCELLED"}})); len(got) != 1 || got[0] != a {
		t.Errorf("cancelled events, asked for: %v", got)
	}
	const upcoming = `{ group(community: "openstack", slug: "shanghai") { upcomingEvents { id } } }`
	if r := w.h(nil, upcoming, nil); len(items(r.Data, "group", "upcomingEvents")) != 1 || dig(r.Data, "group", "upcomingEvents", "0", "id") != online {
		t.Errorf("upcoming, anonymous: %+v %+v", r.Data, r.Errors)
	}
}

// TestEventRefusalsAreUserErrors: the event steps' expected refusals are
// data in their payloads (code, message, field path), nothing of the
// refused step is saved, and a refusal no longer costs the other root
// fields of the document their results; not being allowed stays a GraphQL
// error.
func TestEventRefusalsAreUserErrors(t *testing.T) {
	base := dbtest.Open(t)
	w := newEventWorld(t, &dbClient{DB: base, Client: base.Client})
	sys := dbtest.FixtureContext(t)
	create := func(capacity int) string {
		r := w.h(w.org, createEventQ, w.eventInput(map[string]any{"capacity": capacity}))
		id, _ := dig(r.Data, "createEvent", "event", "id").(string)
		if r := w.h(w.org, w.ref("publishEvent", "event { status }"), map[string]any{"e": id}); dig(r.Data, "publishEvent", "event", "status") != "PUBLISHED" {
			t.Fatalf("publish: %+v %+v", r.Data, r.Errors)
		}
		return id
	}
	id := create(1)
	ev := map[string]any{"e": id}

	// Two updates in one document: the good one is saved, the bad one is
	// refused on its field and rolled back.
	const two = `mutation($e: ID!) {
		ok: updateEvent(input: {id: $e, title: "Meetup: OpenStack on RISC-V"}) { event { title } userErrors { code } }
		bad: updateEvent(input: {id: $e, title: "Never saved", endsAt: "2026-12-03T18:00"}) { event { title } userErrors { code message field } } }`
	r := w.h(w.org, two, ev)
	ue := userError(r, "bad")
	if len(r.Errors) > 0 || dig(r.Data, "ok", "event", "title") != "Meetup: OpenStack on RISC-V" || len(items(r.Data, "ok", "userErrors")) != 0 ||
		ue == nil || ue["code"] != "BAD_USER_INPUT" || fmt.Sprint(ue["field"]) != "[input endsAt]" || ue["message"] == "" || dig(r.Data, "bad", "event") != nil {
		t.Fatalf("an update ending before it starts: %+v %+v", r.Data, r.Errors)
	}
	if e := w.c.Event.GetX(sys, pulid.ID(id)); e.Title != "Meetup: OpenStack on RISC-V" || !e.EndsAt.Equal(time.Date(2026, 12, 3, 13, 30, 0, 0, time.UTC)) {
		t.Errorf("after the refused update: %q ends %s", e.Title, e.EndsAt)
	}
	// Not allowed is not a userError: a GraphQL error, the payload null.
	if r := w.h(w.s1, `mutation($e: ID!) { updateEvent(input: {id: $e, title: "Mine now"}) { event { title } userErrors { code } } }`, ev); code(r) != "FORBIDDEN" ||
		dig(r.Data, "updateEvent") != nil {
		t.Errorf("an outsider updates the event: %+v %+v", r.Data, r.Errors)
	}

	// One seat: the first is GOING, the next WAITLISTED, registering twice
	// is a CONFLICT that changes nothing.
	const register = "registration { id status }"
	if r := w.h(w.s1, w.ref("registerForEvent", register), ev); dig(r.Data, "registerForEvent", "registration", "status") != "GOING" || code(r) != nil {
		t.Fatalf("the first registration: %+v %+v", r.Data, r.Errors)
	}
	if r := w.h(w.s2, w.ref("registerForEvent", register), ev); dig(r.Data, "registerForEvent", "registration", "status") != "WAITLISTED" {
		t.Fatalf("registering when full: %+v %+v", r.Data, r.Errors)
	}
	r = w.h(w.s1, w.ref("registerForEvent", register), ev)
	if ue := userError(r, "registerForEvent"); len(r.Errors) > 0 || ue == nil || ue["code"] != "CONFLICT" || dig(r.Data, "registerForEvent", "registration") != nil {
		t.Errorf("registering twice: %+v %+v", r.Data, r.Errors)
	}
	if n := w.c.Registration.Query().Where(registration.UserID(w.s1.ID), registration.StatusEQ(registration.StatusGOING)).CountX(sys); n != 1 {
		t.Errorf("s1 holds %d seats", n)
	}

	// Check-in at the door: a wrong code is NOT_FOUND on the code field, and
	// a ticket for another event is refused at this door.
	const mine = `query($e: ID!) { node(id: $e) { ... on Event { viewerRegistration { checkInCode } } } }`
	s1Code, _ := dig(w.h(w.s1, mine, ev).Data, "node", "viewerRegistration", "checkInCode").(string)
	other := create(10)
	w.clock.Set(time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC))
	const checkIn = `mutation($e: ID!, $code: String) { checkIn(input: {id: $e, code: $code}) { registration { status } userErrors { code message field } } }`
	for name, vars := range map[string]map[string]any{
		"a wrong code":         {"e": id, "code": "NOTACODE23"},
		"another event's door": {"e": other, "code": s1Code},
	} {
		r := w.h(w.org, checkIn, vars)
		if ue := userError(r, "checkIn"); len(r.Errors) > 0 || ue == nil || ue["code"] != "NOT_FOUND" || fmt.Sprint(ue["field"]) != "[input code]" ||
			dig(r.Data, "checkIn", "registration") != nil {
			t.Errorf("%s: %+v %+v", name, r.Data, r.Errors)
		}
	}
	r = w.h(w.org, `mutation($e: ID!) { checkIn(input: {id: $e}) { registration { status } userErrors { code field } } }`, ev)
	if ue := userError(r, "checkIn"); ue == nil || ue["code"] != "BAD_USER_INPUT" || fmt.Sprint(ue["field"]) != "[input registration]" {
		t.Errorf("a check-in naming nobody: %+v %+v", r.Data, r.Errors)
	}
	if r := w.h(w.org, checkIn, map[string]any{"e": id, "code": " " + s1Code + " "}); dig(r.Data, "checkIn", "registration", "status") != "ATTENDED" || code(r) != nil {
		t.Errorf("the right code: %+v %+v", r.Data, r.Errors)
	}
}
