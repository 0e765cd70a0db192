package server_test

import (
	"context"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/workflow"
)

// ballotShapes are the ways a client can select a candidate's tally: with
// and without the election's status, through node, nodes, nested edges and
// connections. The rule must hold whatever columns the selection loads.
var ballotShapes = map[string]string{
	"election without status":       `query($e: ID!) { node(id: $e) { ... on Election { candidates { id votes } } } }`,
	"election with status":          `query($e: ID!) { node(id: $e) { ... on Election { status candidates { id votes } } } }`,
	"nodes":                         `query($e: ID!, $c: ID!) { nodes(ids: [$e, $c]) { ... on Election { candidates { id votes } } ... on Candidate { id votes } } }`,
	"candidate alone":               `query($c: ID!) { node(id: $c) { ... on Candidate { id votes } } }`,
	"candidate's election":          `query($c: ID!) { node(id: $c) { ... on Candidate { election { candidates { id votes } } } } }`,
	"round trip":                    `query($e: ID!) { node(id: $e) { ... on Election { candidates { election { candidates { id votes } } } } } }`,
	"aliased":                       `query($e: ID!) { node(id: $e) { ... on Election { candidates { id votes: votes tally: votes } } } }`,
	"groups connection edges":       `query { groups(first: 10) { edges { node { elections { candidates { id votes } } } } } }`,
	"groups connection with status": `query { groups(first: 10) { edges { node { elections { status candidates { id votes } } } } } }`,
}

// tallies collects every value under a "votes" or "tally" key of a response.
func tallies(v any, out *[]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "votes" || k == "tally" {
				*out = append(*out, val)
				continue
			}
			tallies(val, out)
		}
	case []any:
		for _, val := range x {
			tallies(val, out)
		}
	}
}

// TestBallotSecret proves the ballot secret for every viewer and every
// selection shape while voting runs, that a vote changes nothing a viewer
// can read (no updatedAt, no change-log row, no ordering), and that the
// tallies appear for everyone once the result is computed.
func TestBallotSecret(t *testing.T) {
	f := newElectionFixture(t)
	c, h, clock, sys, tx, oe, mk := f.c, f.h, f.clock, f.sys, f.tx, f.oe, f.person
	wuhan := f.group(oe, "Wuhan")
	termEnd := clock.Now().Add(10 * 24 * time.Hour)
	org, cand1, cand2, voter1, voter2, staff, outsider := mk("org"), mk("cand1"), mk("cand2"), mk("voter1"), mk("voter2"), mk("staff"), mk("outsider")
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindORGANIZER).
		SetTermStart(termEnd.AddDate(-1, 0, 0)).SetTermEnd(termEnd).ExecX(sys)
	for _, u := range []*ent.User{org, cand1, cand2, voter1, voter2} {
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindMEMBER).ExecX(sys)
	}
	tx.Role.Create().SetUserID(staff.ID).SetCommunityID(oe.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	at := func(d time.Duration) string { return clock.Now().Add(d).Format(time.RFC3339) }
	day := 24 * time.Hour

	r := query(t, h, as(org), openElectionQ, map[string]any{"g": string(wuhan.ID), "k": "ORGANIZER", "n": at(day), "v": at(3 * day)})
	electionID, _ := dig(r.Data, "openElection", "election", "id").(string)
	if electionID == "" {
		t.Fatalf("opening the election: %+v", r.Errors)
	}
	var candidates []string
	for _, u := range []*ent.User{cand1, cand2} {
		r := query(t, h, as(u), nominateQ, map[string]any{"e": electionID, "u": string(u.ID), "s": nil})
		id, _ := dig(r.Data, "nominateCandidate", "candidate", "id").(string)
		if id == "" {
			t.Fatalf("%s stands: %+v", u.Handle, r.Errors)
		}
		candidates = append(candidates, id)
	}
	clock.Advance(day + time.Hour)

	// What a poller sees of the candidates; a vote must not change it.
	const pollQ = `query($e: ID!) { node(id: $e) { ... on Election { updatedAt candidates { id updatedAt } } } }`
	before := query(t, h, "", pollQ, map[string]any{"e": electionID})
	changesBefore := c.Change.Query().CountX(sys)
	candRows := func() map[string]string {
		out := map[string]string{}
		for _, cd := range c.Candidate.Query().Where(candidate.ElectionID(pulidID(electionID))).AllX(sys) {
			out[string(cd.ID)] = cd.UpdatedAt.UTC().Format(time.RFC3339Nano)
		}
		return out
	}
	rowsBefore := candRows()
	for _, u := range []*ent.User{voter1, voter2} {
		if r := query(t, h, as(u), voteQ, map[string]any{"e": electionID, "c": candidates[0]}); len(r.Errors) > 0 {
			t.Fatalf("%s votes: %+v", u.Handle, r.Errors)
		}
	}
	after := query(t, h, "", pollQ, map[string]any{"e": electionID})
	if !reflect.DeepEqual(before.Data, after.Data) {
		t.Errorf("a vote changed what a poller reads:\nbefore %v\nafter  %v", before.Data, after.Data)
	}
	if rowsAfter := candRows(); !maps.Equal(rowsBefore, rowsAfter) {
		t.Errorf("a vote changed a candidate's updatedAt: %v → %v", rowsBefore, rowsAfter)
	}
	if n := c.Change.Query().CountX(sys); n != changesBefore {
		t.Errorf("a vote wrote %d change-log rows", n-changesBefore)
	}

	viewers := map[string]string{"anonymous": "", "candidate": as(cand1), "member who voted": as(voter1),
		"organizer": as(org), "staff": as(staff), "outsider": as(outsider)}
	check := func(phase string, want func(any) bool) {
		t.Helper()
		for name, shape := range ballotShapes {
			for who, header := range viewers {
				r := query(t, h, header, shape, map[string]any{"e": electionID, "c": candidates[0]})
				if len(r.Errors) > 0 {
					t.Errorf("%s, %s as %s: %+v", phase, name, who, r.Errors)
					continue
				}
				var got []any
				tallies(r.Data, &got)
				if len(got) == 0 {
					t.Errorf("%s, %s as %s: no votes field in %v", phase, name, who, r.Data)
				}
				for _, v := range got {
					if !want(v) {
						t.Errorf("%s, %s as %s: votes = %v", phase, name, who, v)
					}
				}
			}
		}
	}
	check("while voting runs", func(v any) bool { return v == nil })

	// Past the deadline, before the result is computed: still secret.
	clock.Advance(2 * day)
	check("deadline passed, not yet counted", func(v any) bool { return v == nil })

	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now)); err != nil || rep.ElectionsClosed != 1 {
		t.Fatalf("closing the election: %+v %v", rep, err)
	}
	check("decided", func(v any) bool { return v == float64(2) || v == float64(0) })
	r = query(t, h, "", `query($c: ID!) { node(id: $c) { ... on Candidate { votes } } }`, map[string]any{"c": candidates[0]})
	if dig(r.Data, "node", "votes") != float64(2) {
		t.Errorf("the winner's tally: %+v %+v", r.Data, r.Errors)
	}
}
