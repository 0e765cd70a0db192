package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/role"
)

// The seating job itself (the seat changing hands, a failed seating
// recorded, logged and retried) is tested in internal/workflow.

const openAtQ = `mutation($g: ID!, $n: Time!, $v: Time!, $s: Time) {
	openElection(input: {group: $g, kind: ORGANIZER, nominationsCloseAt: $n, votingClosesAt: $v, termStartsAt: $s}) {
		election { id termStartsAt } userErrors { code message field } } }`

// TestOpenElectionRefusesAnEarlyTerm: openElection refuses a term that
// would start before the incumbent's ends, or before voting closes, naming
// the field.
func TestOpenElectionRefusesAnEarlyTerm(t *testing.T) {
	f := newElectionFixture(t)
	h, clock, sys, tx, oe := f.h, f.clock, f.sys, f.tx, f.oe
	wuhan := f.group(oe, "Wuhan")
	org := f.person("org")
	termEnd := clock.Now().Add(10 * 24 * time.Hour)
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindORGANIZER).
		SetTermStart(termEnd.AddDate(-1, 0, 0)).SetTermEnd(termEnd).ExecX(sys)
	tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindMEMBER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) string { return clock.Now().Add(d).Format(time.RFC3339) }
	day := 24 * time.Hour
	open := func(s any) gqlResponse {
		return query(t, h, "Session "+string(org.ID), openAtQ, map[string]any{"g": string(wuhan.ID), "n": at(day), "v": at(3 * day), "s": s})
	}
	if r := open(at(5 * day)); code(r) != "BAD_USER_INPUT" || fmt.Sprint(userError(r, "openElection")["field"]) != "[input termStartsAt]" {
		t.Errorf("a term starting before the incumbent's term ends: %+v %+v", r.Data, r.Errors)
	}
	if r := open(at(2 * day)); code(r) != "BAD_USER_INPUT" || fmt.Sprint(userError(r, "openElection")["field"]) != "[input termStartsAt]" {
		t.Errorf("a term starting before voting closes: %+v %+v", r.Data, r.Errors)
	}
	if f.c.Election.Query().CountX(sys) != 0 {
		t.Error("a refused election was saved")
	}
	if r := open(at(10 * day)); code(r) != nil || !accepted(r, "openElection") {
		t.Errorf("a term starting when the incumbent's ends: %+v %+v", r.Data, r.Errors)
	}
}
