package seed

import (
	"fmt"
	"slices"
	"time"

	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
)

// electionGroups are the openEuler groups whose organizer's second term runs
// out soon after Now, by city, with the days of it left. openEuler appoints a
// group's first term and its members elect the later ones, so these groups
// are electing the organizer of their third term.
var electionGroups = map[string]int{
	"Hangzhou": 26, // time for a whole election, now voting (votingElection)
	"Wuhan":    52, // its election opened only days ago (nominatingElection)
}

// Election timetable, as the organizers who open elections tend to set it:
// two weeks of nominations, then two weeks of voting.
const (
	nominationDays = 14
	votingDays     = 14
)

// elc is an election in the model.
type elc struct {
	id       pulid.ID
	gr       *grp
	openedBy *person
	status   election.Status
	term     int

	created, nominationsClose, votingCloses, termStarts, decided, updated time.Time

	cands  []*cnd
	voters []*person
}

// cnd is a candidate in the model.
type cnd struct {
	id               pulid.ID
	p, by            *person
	status           candidate.Status
	statement        string
	votes            int
	elected          bool
	created, updated time.Time
}

// buildElections gives each election group its election under way, and
// Hangzhou also the past election that seated its organizer for the current
// term, so that one group shows an election history.
func (g *gen) buildElections() {
	hz, wh := g.groupNamed(g.oe, "Hangzhou"), g.groupNamed(g.oe, "Wuhan")
	g.seatedElection(hz)
	g.votingElection(hz)
	g.nominatingElection(wh)
	for _, e := range g.elections {
		g.emitElection(e)
	}
}

// newElection opens an election for the organizer's next term at opened,
// on the usual timetable.
func (g *gen) newElection(gr *grp, opened, termStarts time.Time, term int) *elc {
	nominationsClose := opened.Add(nominationDays * day)
	e := &elc{
		id:               g.id("ele"),
		gr:               gr,
		openedBy:         gr.organizers[0],
		status:           election.StatusOPEN,
		term:             term,
		created:          opened,
		nominationsClose: nominationsClose,
		votingCloses:     nominationsClose.Add(votingDays * day),
		termStarts:       termStarts,
		updated:          opened,
	}
	if e.votingCloses.After(termStarts) {
		panic("seed: an election of " + gr.pl.Name + " closes after the term it elects begins")
	}
	g.elections = append(g.elections, e)
	return e
}

// nominate adds a candidate; a self-nomination stands at once, as in
// workflow.Nominate, and only the candidate writes a statement.
func (g *gen) nominate(e *elc, p, by *person, at time.Time, statement string) *cnd {
	cd := &cnd{id: g.id("cnd"), p: p, by: by, status: candidate.StatusNOMINATED, created: at, updated: at}
	if p == by {
		cd.status, cd.statement = candidate.StatusACCEPTED, statement
	}
	e.cands = append(e.cands, cd)
	return cd
}

// electorate returns the members of gr who could vote in an election opened
// at opened (workflow.CastVote closes the roll then) and were still members
// at until: Now for an open election, its deadline for a past one.
func (g *gen) electorate(gr *grp, opened, until time.Time) []*person {
	var out []*person
	for _, m := range gr.members {
		if m.since.After(opened) || !m.activeAt(until) || (!until.Before(g.now) && m.status != role.StatusACTIVE) {
			continue
		}
		out = append(out, m.p)
	}
	return out
}

// anyPlainMember picks an active member of gr who leads nothing and had
// joined by t; partner asks for one working for a partner enterprise, as
// openEuler requires of anyone standing for a leading role.
func (g *gen) anyPlainMember(gr *grp, t time.Time, partner bool) *person {
	var out []*person
	for _, m := range gr.members {
		p := m.p
		if m.status != role.StatusACTIVE || m.since.After(t) || (partner && (p.org == nil || !p.org.partner(gr.c))) ||
			slices.Contains(gr.organizers, p) || slices.Contains(gr.ambassadors, p) {
			continue
		}
		out = append(out, p)
	}
	return pick(g, out)
}

// seatedElection is the election, a year ago, that made gr's organizer (then
// serving the appointed first term) organizer for the second term too.
func (g *gen) seatedElection(gr *grp) {
	incumbent := gr.organizers[0]
	e := g.newElection(gr, gr.termStart.Add(-40*day).Add(-time.Duration(g.between(0, 600))*time.Minute), gr.termStart, gr.term)
	rival := g.anyPlainMember(gr, e.created, true)
	won := g.nominate(e, incumbent, incumbent, g.timeIn(e.created.Add(time.Hour), e.created.Add(2*day)),
		"Another year of monthly meetups, and a study group for newcomers preparing their first article.")
	lost := g.nominate(e, rival, rival, g.timeIn(e.created.Add(3*day), e.nominationsClose.Add(-day)),
		"More hands-on sessions in the partner enterprises' labs, and meetups outside the city centre.")
	roll := g.electorate(gr, e.created, e.votingCloses)
	e.voters = sample(g, roll, len(roll)*g.between(55, 70)/100)
	n := len(e.voters)
	if n < 5 {
		panic("seed: too few voters in the past election of " + gr.pl.Name)
	}
	// A clear majority, so that the count decides it without a tie.
	won.votes = g.between(n/2+1, n*2/3)
	lost.votes = n - won.votes
	res := policy.Count([]policy.Tally{{ID: string(won.id), Votes: won.votes}, {ID: string(lost.id), Votes: lost.votes}}, 1)
	if res.Outcome != policy.Decided || res.Winners[0] != string(won.id) {
		panic("seed: the count does not seat the incumbent in " + gr.pl.Name)
	}
	won.elected = true
	e.status, e.decided = election.StatusSEATED, e.votingCloses
	won.updated, lost.updated = e.decided, g.timeIn(e.nominationsClose, e.votingCloses)
	// The scheduler seats the winner once the term begins.
	e.updated = e.termStarts
}

// votingElection is gr's election for the next term, in its voting phase:
// the organizer stands again against one of the ambassadors, and about a
// third of the roll has voted so far.
func (g *gen) votingElection(gr *grp) {
	incumbent := gr.organizers[0]
	opened := g.now.Add(-19 * day).Add(-time.Duration(g.between(0, 600)) * time.Minute)
	e := g.newElection(gr, opened, gr.termEnd, gr.term+1)
	g.nominate(e, incumbent, incumbent, g.timeIn(e.created.Add(time.Hour), e.created.Add(2*day)),
		"A third year: I would like to hand over the meetup logistics to a team and focus on user cases.")
	amb := pick(g, gr.ambassadors)
	g.nominate(e, amb, amb, g.timeIn(e.created.Add(2*day), e.nominationsClose.Add(-day)),
		"Fresh energy: a bilingual newsletter and one joint event a quarter with the Shanghai group.")
	roll := g.electorate(gr, e.created, g.now)
	e.voters = sample(g, roll, len(roll)*g.between(28, 40)/100)
	for range e.voters {
		cd := e.cands[1]
		if g.chance(0.55) {
			cd = e.cands[0]
		}
		cd.votes++
		// A vote touches the candidate's row (the tally), not the election's.
		cd.updated = maxTime(cd.updated, g.timeIn(e.nominationsClose, g.now.Add(-time.Hour)))
	}
}

// nominatingElection is gr's election for the next term while nominations
// are open: the ambassador who applied to be organizer (see organizerApps)
// stands, and a member has nominated the organizer, who has not answered yet.
func (g *gen) nominatingElection(gr *grp) {
	incumbent, amb := gr.organizers[0], gr.ambassadors[0]
	opened := g.now.Add(-6 * day).Add(-time.Duration(g.between(0, 600)) * time.Minute)
	e := g.newElection(gr, opened, gr.termEnd, gr.term+1)
	// The ambassador stood just before filing the application.
	stood := g.timeIn(e.created.Add(time.Hour), g.now.Add(-2*time.Hour))
	for _, a := range g.apps {
		if at := a.created.Add(-20 * time.Minute); a.kind == application.KindORGANIZER && a.gr == gr && a.applicant == amb && at.After(e.created) {
			stood = at
		}
	}
	g.nominate(e, amb, amb, stood,
		"I want more closed-door sessions with the partner enterprises, so that their requirements reach the developers.")
	backer := g.anyPlainMember(gr, e.created, false)
	cd := g.nominate(e, incumbent, backer, g.timeIn(e.created.Add(time.Hour), g.now.Add(-time.Hour)), "")
	// workflow.Nominate asks the nominee to answer by mail.
	g.message(msg{c: gr.c, to: incumbent, template: "election_nomination",
		subject: fmt.Sprintf("Nominated for %s of %s", election.KindORGANIZER, gr.pl.Name),
		body: fmt.Sprintf("You have been nominated for %s of %s. Accept or decline the nomination before %s.\n",
			election.KindORGANIZER, gr.pl.Name, e.nominationsClose.Format(time.RFC1123)),
		status: message.StatusSENT, created: cd.created, attempts: 1,
		dedupe: "election_nomination:" + string(cd.id)})
}

// emitElection turns an election with its candidates and voter roll into builders.
func (g *gen) emitElection(e *elc) {
	b := g.db.Election.Create().
		SetID(e.id).
		SetCommunityID(e.gr.c.id).
		SetGroupID(e.gr.id).
		SetOpenedByID(e.openedBy.id).
		SetKind(election.KindORGANIZER).
		SetSeats(1).
		SetStatus(e.status).
		SetNominationsCloseAt(e.nominationsClose).
		SetVotingClosesAt(e.votingCloses).
		SetTermStartsAt(e.termStarts).
		SetTermNumber(e.term).
		SetCreatedAt(e.created).
		SetUpdatedAt(e.updated)
	if !e.decided.IsZero() {
		b.SetDecidedAt(e.decided).SetTurnout(len(e.voters))
	}
	g.b.elections = append(g.b.elections, b)
	for _, cd := range e.cands {
		cb := g.db.Candidate.Create().
			SetID(cd.id).
			SetElectionID(e.id).
			SetUserID(cd.p.id).
			SetNominatedByID(cd.by.id).
			SetStatus(cd.status).
			SetVotes(cd.votes).
			SetElected(cd.elected).
			SetCreatedAt(cd.created).
			SetUpdatedAt(cd.updated)
		if cd.statement != "" {
			cb.SetStatement(cd.statement)
		}
		g.b.candidates = append(g.b.candidates, cb)
	}
	for _, p := range e.voters {
		g.b.voters = append(g.b.voters, g.db.Voter.Create().SetID(g.id("vtr")).SetElectionID(e.id).SetUserID(p.id))
	}
}
