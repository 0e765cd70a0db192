package server_test

import (
	"testing"

	"github.com/usergroups/usergroups/internal/dbtest"
)

// TestTimeInputsOutOfRange sends instants the databases cannot hold (year
// 0 failed as an internal error from a scan) through every kind of time
// input: the Time scalar in arguments, input fields, filters, lists and
// variables, and the wall-clock strings of events and agendas. Each is bad
// input naming its field; the edges of the range are accepted.
func TestTimeInputsOutOfRange(t *testing.T) {
	base := dbtest.Open(t)
	w := newEventWorld(t, &dbClient{DB: base, Client: base.Client})
	r := w.h(w.org, createEventQ, w.eventInput(nil))
	eventID, _ := dig(r.Data, "createEvent", "event", "id").(string)
	if eventID == "" {
		t.Fatalf("creating the event: %+v", r.Errors)
	}

	const groupsQ = `query($w: GroupWhereInput) { groups(where: $w) { totalCount } }`
	const eventsQ = `query($w: EventWhereInput) { events(where: $w) { totalCount } }`
	const groupEventsQ = `{ group(community: "openstack", slug: "shanghai") { events(where: {startsAtLT: "0000-01-01T00:00:00Z"}) { totalCount } } }`
	const openElectionQ = `mutation($in: OpenElectionInput!) { openElection(input: $in) { election { id } } }`
	const updateEventQ = `mutation($in: UpdateEventInput!) { updateEvent(input: $in) { event { id } userErrors { code field } } }`
	const agendaQ = `mutation($in: AddAgendaItemInput!) { addAgendaItem(input: $in) { agendaItem { id } userErrors { code field } } }`
	election := func(closes string) map[string]any {
		return map[string]any{"in": map[string]any{"group": string(w.group.ID), "kind": "ORGANIZER",
			"nominationsCloseAt": closes, "votingClosesAt": "2026-12-20T00:00:00Z"}}
	}
	for _, tc := range []struct {
		name  string
		q     string
		vars  map[string]any
		field string
	}{
		{"event in year 0", createEventQ, w.eventInput(map[string]any{"startsAt": "0000-01-01T00:00", "endsAt": "0000-01-01T02:00"}), "startsAt"},
		{"event before 1970", createEventQ, w.eventInput(map[string]any{"startsAt": "1969-12-31T20:00:00Z", "endsAt": "1969-12-31T22:00:00Z"}), "startsAt"},
		{"event ending past 9999 once in UTC", createEventQ, w.eventInput(map[string]any{"startsAt": "9999-12-31T18:00:00-05:00",
			"endsAt": "9999-12-31T20:00:00-05:00"}), "endsAt"},
		{"event moved to year 1", updateEventQ, map[string]any{"in": map[string]any{"id": eventID, "startsAt": "0001-01-01T10:00",
			"endsAt": "0001-01-01T12:00"}}, "startsAt"},
		{"agenda item in year 0", agendaQ, map[string]any{"in": map[string]any{"event": eventID, "title": "Keynote",
			"startsAt": "0000-01-01T19:00", "durationMinutes": 30}}, "startsAt"},
		{"filter", groupsQ, map[string]any{"w": map[string]any{"createdAtGT": "0000-01-01T00:00:00Z"}}, "createdAtGT"},
		{"filter list", groupsQ, map[string]any{"w": map[string]any{"createdAtIn": []string{"2026-01-01T00:00:00Z", "0001-01-01T00:00:00Z"}}}, "createdAtIn"},
		{"nested filter", groupsQ, map[string]any{"w": map[string]any{"and": []any{map[string]any{"createdAtLT": "1900-01-01T00:00:00Z"}}}}, "createdAtLT"},
		{"filter in the document", groupEventsQ, nil, "startsAtLT"},
		{"search", eventsQ, map[string]any{"w": map[string]any{"startsAtGTE": "0000-01-01T00:00:00Z"}}, "startsAtGTE"},
		{"not a time", eventsQ, map[string]any{"w": map[string]any{"startsAtLT": "next week"}}, "startsAtLT"},
		{"mutation argument", openElectionQ, election("0000-01-01T00:00:00Z"), "nominationsCloseAt"},
	} {
		// A query's bad input is a GraphQL error naming the field; a
		// mutation's is a userError whose path ends with it.
		r := w.h(w.org, tc.q, tc.vars)
		var field any
		if len(r.Errors) > 0 {
			field = r.Errors[0].Extensions["field"]
		} else {
			for name := range r.Data {
				if path, _ := userError(r, name)["field"].([]any); len(path) > 0 {
					field = path[len(path)-1]
				}
			}
		}
		if code(r) != "BAD_USER_INPUT" || field != tc.field {
			t.Errorf("%s: want BAD_USER_INPUT on %s, got data %v errors %+v", tc.name, tc.field, r.Data, r.Errors)
		}
	}

	// The edges of the range are times like any other.
	for _, at := range []string{"1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"} {
		r := w.h(nil, groupsQ, map[string]any{"w": map[string]any{"createdAtGT": at}})
		if len(r.Errors) > 0 || dig(r.Data, "groups", "totalCount") == nil {
			t.Errorf("filter at %s: %+v", at, r.Errors)
		}
	}
	r = w.h(w.org, createEventQ, w.eventInput(map[string]any{"startsAt": "9999-12-30T19:00", "endsAt": "9999-12-30T21:00"}))
	if len(r.Errors) > 0 || dig(r.Data, "createEvent", "event", "startsAt") != "9999-12-30T11:00:00Z" {
		t.Errorf("an event in 9999: %v %+v", r.Data, r.Errors)
	}
}
