package policy

import (
	"sort"
	"time"
)

// Outcome is how an election ended at its deadline.
type Outcome string

// Election outcomes.
const (
	// Decided: every seat has a winner.
	Decided Outcome = "DECIDED"
	// Tied: candidates tie for the last seat(s); the community's staff choose among them.
	Tied Outcome = "TIED"
	// NoCandidates: nobody stood; the seat falls back to the community's appointment.
	NoCandidates Outcome = "NO_CANDIDATES"
)

// Tally is one candidate's count of votes. Order is the nomination order,
// which is only used to keep results stable; it never breaks a tie.
type Tally struct {
	ID    string
	Votes int
}

// Result is what an election's tallies decide.
type Result struct {
	Outcome Outcome
	// Winners hold a seat outright.
	Winners []string
	// Tied compete for the remaining seats (only when Outcome is Tied).
	Tied []string
}

// Count decides an election for seats seats from the standing candidates'
// tallies: the most votes win. Where no more people stand than there are
// seats, all of them are elected unopposed (with any number of votes). Where
// the last seat's vote count is shared by more candidates than seats remain,
// those above it win and the rest are Tied.
func Count(tallies []Tally, seats int) Result {
	if len(tallies) == 0 || seats < 1 {
		return Result{Outcome: NoCandidates}
	}
	ranked := append([]Tally(nil), tallies...)
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].Votes > ranked[j].Votes })
	if len(ranked) <= seats {
		return Result{Outcome: Decided, Winners: ids(ranked)}
	}
	cut := ranked[seats-1].Votes
	if ranked[seats].Votes < cut {
		return Result{Outcome: Decided, Winners: ids(ranked[:seats])}
	}
	var res Result
	res.Outcome = Tied
	for _, t := range ranked {
		switch {
		case t.Votes > cut:
			res.Winners = append(res.Winners, t.ID)
		case t.Votes == cut:
			res.Tied = append(res.Tied, t.ID)
		}
	}
	return res
}

func ids(ts []Tally) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// Phase is where a running election stands for its members.
type Phase string

// Election phases.
const (
	// Nominating: members put candidates forward.
	Nominating Phase = "NOMINATIONS"
	// Voting: nominations are closed and members vote.
	Voting Phase = "VOTING"
	// Closed: voting is over, or the election no longer runs.
	Closed Phase = "CLOSED"
)

// PhaseAt is the phase at now of an election whose stored status is open
// (running) or not, with its stored deadlines. The deadlines decide on
// their own: an open election past its voting deadline is Closed before
// the job that counts it has run.
func PhaseAt(open bool, nominationsCloseAt, votingClosesAt, now time.Time) Phase {
	switch {
	case open && now.Before(nominationsCloseAt):
		return Nominating
	case open && now.Before(votingClosesAt):
		return Voting
	}
	return Closed
}
