package authz

import (
	"context"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// The ballot is secret while an election runs: nobody — staff, organizers
// and candidates included — reads a tally before the result is computed,
// and a cancelled election's tallies are never shown. The rule is decided
// from the election's status as stored, never from a parent row loaded for
// a client's selection, which may lack the status column.

// tallyShown lists the election statuses whose tallies are public: those
// reached once the deadline passed and the result was computed.
func tallyShown() []election.Status {
	return []election.Status{election.StatusDECIDED, election.StatusTIED, election.StatusNO_CANDIDATES, election.StatusSEATED}
}

// Tallies returns the votes of those candidates among ids whose election's
// tally may be read; the others are absent from the map. It reads the
// counts and the election status itself, in one statement, so the answer
// never depends on which columns a caller happened to load.
func Tallies(ctx context.Context, c *ent.Client, ids []pulid.ID) (map[pulid.ID]int, error) {
	rows, err := c.Candidate.Query().
		Where(candidate.IDIn(ids...), candidate.HasElectionWith(election.StatusIn(tallyShown()...))).
		Select(candidate.FieldID, candidate.FieldVotes).
		All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[pulid.ID]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Votes
	}
	return out, nil
}
