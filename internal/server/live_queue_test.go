package server_test

import (
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

// feed reads the socket's `next` messages on a goroutine, for a test that
// must wait for "nothing more" (a read deadline on the socket itself would
// break it for good), until the test ends.
func (s *socket) feed() <-chan map[string]any {
	out := make(chan map[string]any, 64)
	go func() {
		defer close(out)
		for {
			_ = s.conn.SetReadDeadline(time.Time{})
			var m map[string]any
			if err := s.conn.ReadJSON(&m); err != nil {
				return
			}
			data, _ := dig(m, "payload", "data").(map[string]any)
			if m["type"] != "next" || data == nil {
				data = map[string]any{"unexpected": m}
			}
			out <- data
		}
	}()
	return out
}

// drain returns what arrives on items until it has been quiet for quiet,
// waiting at most first for the first one.
func drain(items <-chan map[string]any, first, quiet time.Duration) []map[string]any {
	var out []map[string]any
	wait := first
	for {
		select {
		case it, ok := <-items:
			if !ok {
				return out
			}
			out = append(out, it)
			wait = quiet
		case <-time.After(wait):
			return out
		}
	}
}

// TestApprovalQueueSeesTheTimeline: every review step — a comment, a
// request for information, an objection, an endorsement, an objection
// resolved, a reviewer or mentor assigned, a conflict settled — gives the
// approvalQueue subscription an item for the application, showing it as it
// is after the step (its latest review, its open objections), so a board
// needs no other subscription to stay current. Before, a comment, an
// objection, an endorsement or a resolution only reached `changes`.
func TestApprovalQueueSeesTheTimeline(t *testing.T) {
	s := startLive(t)
	sys := dbtest.FixtureContext(t)
	tx, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	na := tx.Region.Create().SetCommunityID(com.ID).SetName("North America").SetSlug("north-america").SetCountries([]string{"US", "CA"}).SaveX(sys)
	bay := tx.Group.Create().SetCommunityID(com.ID).SetRegionID(na.ID).SetName("Bay Area {Stackers}").SetSlug("bay-area").
		SetCity("San Francisco").SetCountry("US").SetLatitude(37.7749).SetLongitude(-122.4194).SetStatus("OFFICIAL").SaveX(sys)
	tokens := map[string]string{}
	ids := map[string]string{}
	for _, p := range []struct {
		handle string
		kind   role.Kind
	}{{"manager", role.KindCOMMUNITY_MANAGER}, {"amb", role.KindAMBASSADOR}, {"amb2", role.KindAMBASSADOR}, {"applicant", ""}} {
		u := tx.User.Create().SetHandle(p.handle).SetName(p.handle).SetCity("Oakland").SaveX(sys)
		rc := tx.Role.Create().SetUserID(u.ID).SetCommunityID(com.ID)
		switch p.kind {
		case role.KindCOMMUNITY_MANAGER:
			rc.SetKind(p.kind).ExecX(sys)
		case role.KindAMBASSADOR:
			rc.SetKind(p.kind).SetRegionID(na.ID).ExecX(sys)
		}
		tokens[p.handle], _ = dbtest.APIToken(t, sys, tx.Client(), u.ID, "read", "write")
		ids[p.handle] = string(u.ID)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	r := s.post(t, tokens["applicant"], `mutation($c: ID!) { applyForGroup(input: {community: $c, name: "Oakland {East Bay}", city: "Oakland",
		country: "US", latitude: 37.8044, longitude: -122.2712, description: "Operators in the East Bay.", acceptCodeOfConduct: true,
		links: [{label: "Meetup", url: "https://meetup.example.com/eb"}]}) { application { id } userErrors { code message } } }`,
		map[string]any{"c": string(com.ID)})
	app, _ := dig(r.Data, "applyForGroup", "application", "id").(string)
	if app == "" || len(r.Errors) > 0 {
		t.Fatalf("apply: %+v %+v", r.Data, r.Errors)
	}

	board := s.dial(t, tokens["manager"])
	board.subscribe("q", `subscription($c: ID!) { approvalQueue(community: $c) { op actor { handle } node { id status
		reviewer { handle } mentor { handle } openObjections { id } reviews(last: 1) { edges { node { kind body } } } } } }`,
		map[string]any{"c": string(com.ID)})
	waitSubscribers(t, s, 1)
	items := board.feed()

	var objection string
	for _, st := range []struct {
		name, by, q string
		vars        map[string]any
		// shows: the item's application shows the step done.
		shows func(node any) bool
	}{
		{"assign a reviewer", "manager", `mutation($id: ID!, $r: ID!) { assignApplicationReviewer(input: {id: $id, reviewer: $r}) { userErrors { code message } } }`,
			map[string]any{"r": ids["amb"]}, func(n any) bool { return dig(n, "reviewer", "handle") == "amb" }},
		{"comment", "manager", `mutation($id: ID!) { commentOnApplication(input: {id: $id, body: "Who organizes?"}) { userErrors { code message } } }`,
			nil, func(n any) bool { return dig(n, "reviews", "edges", "0", "node", "body") == "Who organizes?" }},
		{"assign a mentor", "manager", `mutation($id: ID!, $m: ID!) { assignGroupMentor(input: {id: $id, mentor: $m}) { userErrors { code message } } }`,
			map[string]any{"m": ids["amb"]}, func(n any) bool { return dig(n, "mentor", "handle") == "amb" }},
		{"settle a conflict", "manager", `mutation($id: ID!, $g: ID!) { resolveConflict(input: {id: $id, group: $g, resolution: "East Bay meets in Oakland."}) { userErrors { code message } } }`,
			map[string]any{"g": string(bay.ID)}, func(n any) bool {
				return dig(n, "reviews", "edges", "0", "node", "body") == "Conflict settled: East Bay meets in Oakland."
			}},
		{"request information", "manager", `mutation($id: ID!) { requestApplicationInfo(input: {id: $id, message: "Where do you meet?"}) { userErrors { code message } } }`,
			nil, func(n any) bool { return dig(n, "status") == "NEEDS_INFO" }},
		{"answer", "applicant", `mutation($id: ID!) { updateApplicationProposal(input: {id: $id, note: "At the library."}) { userErrors { code message } } }`,
			nil, func(n any) bool { return dig(n, "status") == "IN_REVIEW" }},
		{"object", "amb2", `mutation($id: ID!) { objectToApplication(input: {id: $id, reason: "Talk to the Bay Area organizers first."}) { userErrors { code message } } }`,
			nil, func(n any) bool {
				objection, _ = dig(n, "openObjections", "0", "id").(string)
				return dig(n, "reviews", "edges", "0", "node", "kind") == "OBJECTION" && objection != ""
			}},
		{"endorse", "amb", `mutation($id: ID!) { endorseApplication(input: {id: $id, reason: "I will mentor them."}) { userErrors { code message } } }`,
			nil, func(n any) bool { return dig(n, "reviews", "edges", "0", "node", "kind") == "ENDORSEMENT" }},
		{"resolve the objection", "manager", `mutation($o: ID!) { resolveObjection(input: {id: $o, note: "They met and agreed."}) { userErrors { code message } } }`,
			nil, func(n any) bool {
				os, _ := dig(n, "openObjections").([]any)
				return os != nil && len(os) == 0 && dig(n, "reviews", "edges", "0", "node", "body") == "Objection resolved: They met and agreed."
			}},
	} {
		// Whatever earlier steps still had on the way is read first, so
		// that the items counted below are this step's.
		drain(items, 200*time.Millisecond, 200*time.Millisecond)
		vars := map[string]any{"id": app, "o": objection}
		for k, v := range st.vars {
			vars[k] = v
		}
		if st.name != "resolve the objection" {
			delete(vars, "o")
		} else {
			delete(vars, "id")
		}
		r := s.post(t, tokens[st.by], st.q, vars)
		if len(r.Errors) > 0 || code(r) != nil {
			t.Fatalf("%s: %+v %+v", st.name, r.Data, r.Errors)
		}
		got := drain(items, 10*time.Second, 300*time.Millisecond)
		seen := false
		for _, it := range got {
			if dig(it, "approvalQueue", "node", "id") != app || dig(it, "approvalQueue", "op") != "UPDATED" {
				t.Errorf("%s: an item for something else: %v", st.name, it)
			}
			seen = seen || (dig(it, "approvalQueue", "actor", "handle") == st.by && st.shows(dig(it, "approvalQueue", "node")))
		}
		if !seen {
			t.Errorf("%s: no approvalQueue item shows it; got %v", st.name, got)
		}
	}
}
