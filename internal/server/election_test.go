package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// electionFixture starts an election test: a handler on a fresh database
// with a clock the test moves, and an open transaction holding the
// openEuler community and a partner enterprise, to which the test adds its
// groups and people before it commits.
type electionFixture struct {
	c       *ent.Client
	h       http.Handler
	clock   *dbtest.Clock
	sys     context.Context
	tx      *ent.Tx
	oe      *ent.Community
	partner *ent.Organization
}

func newElectionFixture(t *testing.T) *electionFixture {
	t.Helper()
	base := dbtest.Open(t)
	f := &electionFixture{c: base.Client, clock: dbtest.NewClock(time.Now().Truncate(time.Second)),
		sys: dbtest.FixtureContext(t)}
	f.h = sessionHandler(t, &dbClient{DB: base, Client: base.Client, now: f.clock.Now})
	tx, err := f.c.Tx(f.sys)
	if err != nil {
		t.Fatal(err)
	}
	f.tx = tx
	f.oe = tx.Community.Create().SetName("openEuler").SetSlug("openeuler").SetPolicy(policy.OpenEuler()).SaveX(f.sys)
	f.partner = tx.Organization.Create().SetName("Partner").SetSlug("partner").AddPartnerOfIDs(f.oe.ID).SaveX(f.sys)
	return f
}

// group adds a running group of com named after its city.
func (f *electionFixture) group(com *ent.Community, name string) *ent.Group {
	return f.tx.Group.Create().SetCommunityID(com.ID).SetName(name).SetSlug(strings.ToLower(name)).SetCity(name).
		SetCountry("CN").SetStatus("ACTIVE").SaveX(f.sys)
}

// person adds someone who works for the partner enterprise.
func (f *electionFixture) person(handle string) *ent.User {
	return f.tx.User.Create().SetHandle(handle).SetName(handle).SetOrganizationID(f.partner.ID).SaveX(f.sys)
}

// items returns the list at path (dig only ever looks at a list's first element).
func items(v any, path ...string) []any {
	l, _ := dig(v, path...).([]any)
	return l
}

const (
	openElectionQ = `mutation($g: ID!, $k: ElectionKind!, $n: Time!, $v: Time!) {
		openElection(input: {group: $g, kind: $k, nominationsCloseAt: $n, votingClosesAt: $v}) {
			election { id status phase termNumber termStartsAt } userErrors { code message field } } }`
	nominateQ = `mutation($e: ID!, $u: ID!, $s: String) {
		nominateCandidate(input: {election: $e, user: $u, statement: $s}) { candidate { id status statement } userErrors { code message field } } }`
	respondQ = `mutation($c: ID!, $a: Boolean!) { respondToNomination(input: {id: $c, accept: $a}) { candidate { status } userErrors { code message field } } }`
	voteQ    = `mutation($e: ID!, $c: ID!) { castVote(input: {id: $e, candidate: $c}) { election { viewerHasVoted } userErrors { code message field } } }`
	tieQ     = `mutation($e: ID!, $w: [ID!]!) { breakElectionTie(input: {id: $e, winners: $w, note: "Drawn by lot at the staff meeting."}) {
		election { status note } userErrors { code message field } } }`
	electionQ = `query($e: ID!) { node(id: $e) { ... on Election { status phase turnout viewerHasVoted
		candidates { id status votes elected user { handle } } } } }`
)

// TestElectionEndToEnd runs openEuler's later-term election through the API,
// each step once: opening, nominating, accepting and declining, voting
// under a secret ballot, a tie broken by staff, the incumbent's term ending
// and the winner seated exactly once; an election nobody stood in; and a
// cancelled one. The rules of each step are tested beside them in
// internal/workflow (election_test.go).
func TestElectionEndToEnd(t *testing.T) {
	f := newElectionFixture(t)
	c, h, clock, sys, tx, oe, mk := f.c, f.h, f.clock, f.sys, f.tx, f.oe, f.person
	var err error
	wuhan := f.group(oe, "Wuhan")
	termEnd := clock.Now().Add(10 * 24 * time.Hour)
	org := mk("org")
	orgRole := tx.Role.Create().SetUserID(org.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindORGANIZER).
		SetTermStart(termEnd.AddDate(-1, 0, 0)).SetTermEnd(termEnd).SaveX(sys)
	m1, m2, m3, m4 := mk("m1"), mk("m2"), mk("m3"), mk("m4")
	for _, u := range []*ent.User{org, m1, m2, m3, m4} {
		tx.Role.Create().SetUserID(u.ID).SetCommunityID(oe.ID).SetGroupID(wuhan.ID).SetKind(role.KindMEMBER).ExecX(sys)
	}
	staff := mk("staff")
	tx.Role.Create().SetUserID(staff.ID).SetCommunityID(oe.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	as := func(u *ent.User) string { return "Session " + string(u.ID) }
	at := func(d time.Duration) string { return clock.Now().Add(d).Format(time.RFC3339) }
	day := 24 * time.Hour
	open := func(who *ent.User, g *ent.Group) gqlResponse {
		return query(t, h, as(who), openElectionQ, map[string]any{"g": string(g.ID), "k": "ORGANIZER", "n": at(day), "v": at(3 * day)})
	}

	r := open(org, wuhan)
	electionID, _ := dig(r.Data, "openElection", "election", "id").(string)
	if electionID == "" || dig(r.Data, "openElection", "election", "phase") != "NOMINATIONS" ||
		dig(r.Data, "openElection", "election", "termNumber") != float64(2) ||
		dig(r.Data, "openElection", "election", "termStartsAt") != termEnd.UTC().Format(time.RFC3339) {
		t.Fatalf("organizer opens the election: %+v %+v", r.Data, r.Errors)
	}

	// Nominations.
	nominate := func(who, whom *ent.User, statement any) gqlResponse {
		return query(t, h, as(who), nominateQ, map[string]any{"e": electionID, "u": string(whom.ID), "s": statement})
	}
	r = nominate(m1, m2, nil)
	cand2, _ := dig(r.Data, "nominateCandidate", "candidate", "id").(string)
	if dig(r.Data, "nominateCandidate", "candidate", "status") != "NOMINATED" || !accepted(r, "nominateCandidate") {
		t.Fatalf("m1 nominates m2: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(m2), respondQ, map[string]any{"c": cand2, "a": true}); dig(r.Data, "respondToNomination", "candidate", "status") != "ACCEPTED" ||
		!accepted(r, "respondToNomination") {
		t.Errorf("m2 accepts: %+v %+v", r.Data, r.Errors)
	}
	r = nominate(m1, m1, "Monthly meetups and a study group.")
	cand1, _ := dig(r.Data, "nominateCandidate", "candidate", "id").(string)
	if dig(r.Data, "nominateCandidate", "candidate", "status") != "ACCEPTED" || dig(r.Data, "nominateCandidate", "candidate", "statement") != "Monthly meetups and a study group." {
		t.Fatalf("m1 stands: %+v %+v", r.Data, r.Errors)
	}
	r = nominate(m3, m4, nil)
	cand4, _ := dig(r.Data, "nominateCandidate", "candidate", "id").(string)
	if r := query(t, h, as(m4), respondQ, map[string]any{"c": cand4, "a": false}); dig(r.Data, "respondToNomination", "candidate", "status") != "DECLINED" {
		t.Errorf("m4 declines: %+v %+v", r.Data, r.Errors)
	}

	// Voting.
	vote := func(who *ent.User, cand string) gqlResponse {
		return query(t, h, as(who), voteQ, map[string]any{"e": electionID, "c": cand})
	}
	// Before nominations close, a vote is a CONFLICT answered in the
	// payload; nothing is recorded.
	if r := vote(m3, cand1); code(r) != "CONFLICT" || len(r.Errors) > 0 || dig(r.Data, "castVote", "election") != nil || c.Voter.Query().CountX(sys) != 0 {
		t.Errorf("m3 votes during nominations: %+v %+v", r.Data, r.Errors)
	}
	clock.Advance(day + time.Hour)
	// Someone who may not vote at all is refused with a GraphQL error.
	if r := vote(staff, cand1); code(r) != "FORBIDDEN" || dig(r.Data, "castVote") != nil {
		t.Errorf("staff vote: %+v %+v", r.Data, r.Errors)
	}
	if r := vote(m3, cand1); dig(r.Data, "castVote", "election", "viewerHasVoted") != true || !accepted(r, "castVote") {
		t.Fatalf("m3 votes: %+v %+v", r.Data, r.Errors)
	}
	if r := vote(m3, cand2); code(r) != "CONFLICT" || len(r.Errors) > 0 || c.Voter.Query().CountX(sys) != 1 {
		t.Errorf("m3 votes twice: %+v %+v", r.Data, r.Errors)
	}
	if r := vote(m4, cand2); len(r.Errors) > 0 {
		t.Fatalf("m4 votes: %+v", r.Errors)
	}
	// The ballot is secret while voting runs, for staff too; the voter roll is not in the API.
	for _, who := range []*ent.User{staff, org, m3} {
		r := query(t, h, as(who), electionQ, map[string]any{"e": electionID})
		if dig(r.Data, "node", "phase") != "VOTING" || dig(r.Data, "node", "turnout") != nil {
			t.Errorf("%s reads the election: %+v %+v", who.Handle, r.Data, r.Errors)
		}
		for _, cd := range items(r.Data, "node", "candidates") {
			if dig(cd, "votes") != nil {
				t.Errorf("%s reads a tally while voting runs: %+v", who.Handle, cd)
			}
		}
		if got := dig(r.Data, "node", "viewerHasVoted"); got != (who == m3) {
			t.Errorf("%s: viewerHasVoted = %v", who.Handle, got)
		}
	}
	if r := query(t, h, as(staff), `{ __type(name: "Voter") { name } }`, nil); dig(r.Data, "__type") != nil {
		t.Errorf("the voter roll is in the schema: %+v", r.Data)
	}

	// The deadline: a tie, shown with its tallies, broken by staff.
	clock.Advance(2 * day)
	rep, err := workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now))
	if err != nil || rep.ElectionsClosed != 1 {
		t.Fatalf("closing the election: %+v %v", rep, err)
	}
	r = query(t, h, "", electionQ, map[string]any{"e": electionID})
	if dig(r.Data, "node", "status") != "TIED" || dig(r.Data, "node", "turnout") != float64(2) {
		t.Fatalf("after the deadline: %+v %+v", r.Data, r.Errors)
	}
	for _, cd := range items(r.Data, "node", "candidates") {
		want := map[string]any{cand1: float64(1), cand2: float64(1), cand4: nil}[dig(cd, "id").(string)]
		if dig(cd, "status") == "ACCEPTED" && dig(cd, "votes") != want {
			t.Errorf("tally of %v: %v, want %v", dig(cd, "user", "handle"), dig(cd, "votes"), want)
		}
	}
	if r := query(t, h, as(staff), tieQ, map[string]any{"e": electionID, "w": []string{cand4}}); code(r) != "BAD_USER_INPUT" || len(r.Errors) > 0 {
		t.Errorf("staff choose a candidate who declined: %+v %+v", r.Data, r.Errors)
	}
	if r := query(t, h, as(staff), tieQ, map[string]any{"e": electionID, "w": []string{cand1}}); dig(r.Data, "breakElectionTie", "election", "status") != "DECIDED" ||
		!accepted(r, "breakElectionTie") {
		t.Fatalf("staff break the tie: %+v %+v", r.Data, r.Errors)
	}

	// The term ends; the winner takes office for term 2 — once, however often the sweep runs.
	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now)); err != nil || rep.Seated != 0 || rep.TermsEnded != 0 {
		t.Errorf("before the term ends: %+v %v", rep, err)
	}
	clock.Advance(7 * day)
	rep, err = workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now))
	if err != nil || rep.TermsEnded != 1 || rep.Seated != 1 {
		t.Fatalf("at the end of the term: %+v %v", rep, err)
	}
	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now)); err != nil || rep != (workflow.TickReport{}) {
		t.Errorf("a second sweep: %+v %v", rep, err)
	}
	if got := c.Role.GetX(sys, orgRole.ID); got.Status != role.StatusTERM_ENDED || got.EndedAt == nil || !got.EndedAt.Equal(termEnd) {
		t.Errorf("the incumbent's role: %+v", got)
	}
	won := c.Role.Query().Where(role.UserID(m1.ID), role.GroupID(wuhan.ID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).OnlyX(sys)
	if won.TermNumber != 2 || won.TermStart == nil || !won.TermStart.Equal(termEnd) || won.TermEnd == nil || !won.TermEnd.Equal(termEnd.AddDate(0, 0, 365)) {
		t.Errorf("the winner's role: %+v", won)
	}
	for tmpl, to := range map[string]*ent.User{"election_nomination": m2, "term_ended": org, "election_won": m1} {
		if n := c.Message.Query().Where(message.Template(tmpl), message.RecipientID(to.ID)).CountX(sys); n != 1 {
			t.Errorf("%s messages to %s: %d", tmpl, to.Handle, n)
		}
	}
	if r := query(t, h, "", electionQ, map[string]any{"e": electionID}); dig(r.Data, "node", "status") != "SEATED" {
		t.Errorf("after seating: %+v", r.Data)
	}

	// Nobody stands: the seat falls back to the community.
	r = open(m1, wuhan)
	empty, _ := dig(r.Data, "openElection", "election", "id").(string)
	if empty == "" || dig(r.Data, "openElection", "election", "termNumber") != float64(3) {
		t.Fatalf("the new organizer opens the next election: %+v %+v", r.Data, r.Errors)
	}
	clock.Advance(4 * day)
	if rep, err := workflow.Tick(context.Background(), workflow.NewRunner(c, clock.Now)); err != nil || rep.ElectionsClosed != 1 {
		t.Fatalf("closing the empty election: %+v %v", rep, err)
	}
	if r := query(t, h, "", electionQ, map[string]any{"e": empty}); dig(r.Data, "node", "status") != "NO_CANDIDATES" || dig(r.Data, "node", "turnout") != float64(0) {
		t.Errorf("an election nobody stood in: %+v %+v", r.Data, r.Errors)
	}

	// Cancelling.
	r = open(m1, wuhan)
	third, _ := dig(r.Data, "openElection", "election", "id").(string)
	// A second election for the same role is refused while one runs.
	if r := open(m1, wuhan); code(r) != "CONFLICT" || len(r.Errors) > 0 || dig(r.Data, "openElection", "election") != nil {
		t.Errorf("a second election at once: %+v %+v", r.Data, r.Errors)
	}
	const cancelQ = `mutation($e: ID!) { cancelElection(input: {id: $e, reason: "Opened by mistake."}) { election { status note } userErrors { code message field } } }`
	if r := query(t, h, as(staff), cancelQ, map[string]any{"e": third}); dig(r.Data, "cancelElection", "election", "status") != "CANCELLED" ||
		dig(r.Data, "cancelElection", "election", "note") != "Opened by mistake." || !accepted(r, "cancelElection") {
		t.Errorf("staff cancel: %+v %+v", r.Data, r.Errors)
	}
	// Every step of the elections is in the change log.
	if n := c.Change.Query().Where(change.Topic("election")).CountX(sys); n < 8 {
		t.Errorf("election changes logged: %d", n)
	}
}
