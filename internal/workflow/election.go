package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/voter"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ElectionRequest opens an election for the next term of a group role.
type ElectionRequest struct {
	Group              pulid.ID
	Kind               election.Kind
	Seats              int
	NominationsCloseAt time.Time
	VotingClosesAt     time.Time
	// TermStartsAt defaults to the end of the current holders' term (or the deadline).
	TermStartsAt *time.Time
}

// rosterKinds are the roles that make someone part of a group's roster, and
// so a voter and a possible candidate.
var rosterKinds = []role.Kind{role.KindMEMBER, role.KindORGANIZER, role.KindAMBASSADOR}

// busyElection are the states in which an election still has work to do.
var busyElection = []election.Status{election.StatusOPEN, election.StatusDECIDED, election.StatusTIED, election.StatusSEATING_FAILED}

// toSeat are the states of an election whose winners are due to take office:
// a seating that failed is tried again on every tick, so it succeeds as soon
// as staff have removed the cause.
var toSeat = []election.Status{election.StatusDECIDED, election.StatusSEATING_FAILED}

// OpenElection lets a group's organizers (or staff) open an election for the
// next term of ORGANIZER or (where ambassadors serve groups) AMBASSADOR. It
// needs a policy with terms; where the community appoints first terms, the
// first term must have been appointed. One election per role at a time.
func (r *Runner) OpenElection(ctx context.Context, req ElectionRequest) (*ent.Election, error) {
	return act(ctx, r, "open election", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Election, error) {
		g, err := administeredGroup(ctx, c, v, req.Group, "open an election")
		if err != nil {
			return nil, err
		}
		com := g.Edges.Community
		p := com.Policy
		kind := role.Kind(req.Kind)
		if err := running(g); err != nil {
			return nil, err
		}
		limit := p.MaxOrganizersPerGroup
		switch {
		case p.TermLengthDays == 0:
			return nil, apierror.Invalid("group", "%s's leaders serve until they step down: there are no terms to elect", com.Name)
		case kind == role.KindAMBASSADOR && p.AmbassadorScope != policy.AmbassadorsPerGroup:
			return nil, apierror.Invalid("kind", "%s's ambassadors serve regions, not groups", com.Name)
		case kind == role.KindAMBASSADOR:
			limit = p.MaxAmbassadorsPerScope
		}
		if req.Seats == 0 {
			req.Seats = 1
		}
		switch {
		case req.Seats < 1 || req.Seats > 10:
			return nil, apierror.Invalid("seats", "seats must be between 1 and 10")
		case limit > 0 && req.Seats > limit:
			return nil, apierror.Invalid("seats", "%s allows at most %d %s roles per group", com.Name, limit, kind)
		case !req.NominationsCloseAt.After(now):
			return nil, apierror.Invalid("nominationsCloseAt", "nominations must close in the future")
		case !req.VotingClosesAt.After(req.NominationsCloseAt):
			return nil, apierror.Invalid("votingClosesAt", "voting must close after nominations close")
		case req.VotingClosesAt.After(now.AddDate(0, 0, 90)):
			return nil, apierror.Invalid("votingClosesAt", "an election lasts at most 90 days")
		}
		all := authz.Unfiltered(ctx)
		// Lock the group's row first so two organizers opening elections at
		// once are counted one after the other.
		if err := lockGroup(all, c, g.ID); err != nil {
			return nil, err
		}
		busy, err := c.Election.Query().Where(election.GroupID(g.ID), election.KindEQ(req.Kind), election.StatusIn(busyElection...)).Exist(all)
		if err != nil {
			return nil, err
		}
		if busy {
			return nil, apierror.Conflictf("an election for %s is already under way in this group", kind)
		}
		held, err := c.Role.Query().Where(role.GroupID(g.ID), role.KindEQ(kind)).
			Select(role.FieldStatus, role.FieldTermEnd, role.FieldTermNumber).All(all)
		if err != nil {
			return nil, err
		}
		if p.FirstTermAppointed && len(held) == 0 {
			return nil, apierror.Conflictf("%s appoints the first %s term; later terms are elected", com.Name, kind)
		}
		term, current := 1, time.Time{}
		for _, ro := range held {
			term = max(term, ro.TermNumber+1)
			if ro.Status == role.StatusACTIVE && ro.TermEnd != nil && ro.TermEnd.After(current) {
				current = *ro.TermEnd
			}
		}
		start, err := electedTermStart(req, current)
		if err != nil {
			return nil, err
		}
		e, err := c.Election.Create().SetCommunityID(com.ID).SetGroupID(g.ID).SetOpenedByID(v.UserID).
			SetKind(req.Kind).SetSeats(req.Seats).SetNominationsCloseAt(req.NominationsCloseAt).
			SetVotingClosesAt(req.VotingClosesAt).SetTermStartsAt(start).SetTermNumber(term).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Election.Get(ctx, e.ID)
	})
}

// electedTermStart is when the elected term begins: when asked, or else when
// the current term ends (when voting closes, if that is later). The elected
// term follows the current one: it may not start before the current
// holders' term ends (they serve it in full, and at seating they hand the
// seat over), nor before the winners are known, nor more than a year after.
func electedTermStart(req ElectionRequest, currentEnd time.Time) (time.Time, error) {
	if req.TermStartsAt == nil {
		if currentEnd.After(req.VotingClosesAt) {
			return currentEnd, nil
		}
		return req.VotingClosesAt, nil
	}
	start := *req.TermStartsAt
	switch {
	case start.Before(req.VotingClosesAt):
		return time.Time{}, apierror.Invalid("termStartsAt", "the term cannot start before voting closes (%s)", req.VotingClosesAt.UTC().Format(time.RFC3339))
	case start.Before(currentEnd):
		return time.Time{}, apierror.Invalid("termStartsAt", "the current term runs until %s: the elected term starts then or later", currentEnd.UTC().Format(time.RFC3339))
	case start.After(req.VotingClosesAt.AddDate(1, 0, 0)):
		return time.Time{}, apierror.Invalid("termStartsAt", "the term starts at most a year after voting closes")
	}
	return start, nil
}

// loadElection reads an election with its group and community.
func loadElection(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Election, error) {
	e, err := c.Election.Query().Where(election.ID(id)).WithGroup().WithCommunity().Only(ctx)
	return e, notFound(err, "election")
}

// nominating refuses a step on nominations once they are closed.
func nominating(e *ent.Election, now time.Time) error {
	if e.Status != election.StatusOPEN || !now.Before(e.NominationsCloseAt) {
		return electionConflict(e, "nominations are closed")
	}
	return nil
}

// onRoster reports whether a person holds an active role in the group —
// since a given time, when since is not zero (the voter roll closes when an
// election opens, so nobody joins just to vote).
func onRoster(ctx context.Context, c *ent.Client, groupID, userID pulid.ID, since time.Time) (bool, error) {
	q := c.Role.Query().Where(role.GroupID(groupID), role.UserID(userID), role.StatusEQ(role.StatusACTIVE), role.KindIn(rosterKinds...))
	if !since.IsZero() {
		q.Where(role.CreatedAtLTE(since))
	}
	return q.Exist(authz.Unfiltered(ctx))
}

// Nominate puts a member of the group forward as a candidate: yourself
// (standing at once) or another member, who must accept. Only active members
// nominate, and only until nominations close.
func (r *Runner) Nominate(ctx context.Context, electionID, userID pulid.ID, statement string) (*ent.Candidate, error) {
	return act(ctx, r, "nominate", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Candidate, error) {
		e, err := loadElection(ctx, c, electionID)
		if err != nil {
			return nil, err
		}
		if err := nominating(e, now); err != nil {
			return nil, err
		}
		ok, err := onRoster(ctx, c, e.GroupID, v.UserID, time.Time{})
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apierror.Forbiddenf("only the group's active members may nominate")
		}
		if ok, err = onRoster(ctx, c, e.GroupID, userID, time.Time{}); err != nil {
			return nil, err
		}
		if !ok {
			return nil, apierror.Invalid("user", "only an active member of the group can stand")
		}
		com := e.Edges.Community
		if err := fromPartner(ctx, c, com, userID, "user", "organizers and ambassadors"); err != nil {
			return nil, err
		}
		self := userID == v.UserID
		cc := c.Candidate.Create().SetElectionID(e.ID).SetUserID(userID).SetNominatedByID(v.UserID)
		if self {
			cc.SetStatus(candidate.StatusACCEPTED)
		}
		if statement = strings.TrimSpace(statement); statement != "" {
			if !self {
				return nil, apierror.Invalid("statement", "only candidates write their own statement")
			}
			if statement, err = checkText("statement", statement, 2000); err != nil {
				return nil, err
			}
			cc.SetStatement(statement)
		}
		cand, err := cc.Save(ctx)
		if ent.IsConstraintError(err) {
			return nil, apierror.Conflictf("that person is already nominated")
		}
		if err != nil {
			return nil, err
		}
		if !self {
			if err := queueMessage(ctx, c, com.ID, userID, letters.KindElectionNomination, letters.ElectionNomination{
				Community: com.Name, Group: e.Edges.Group.Name, Role: string(e.Kind), ClosesAt: e.NominationsCloseAt.UTC()}, string(cand.ID)); err != nil {
				return nil, err
			}
		}
		return c.Candidate.Get(ctx, cand.ID)
	})
}

// RespondToNomination lets a nominee accept (with an optional statement) or
// decline; a candidate who accepted may withdraw. Only until nominations close.
func (r *Runner) RespondToNomination(ctx context.Context, candidateID pulid.ID, accept bool, statement string) (*ent.Candidate, error) {
	return act(ctx, r, "respond to nomination", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Candidate, error) {
		cand, err := c.Candidate.Get(ctx, candidateID)
		if err != nil {
			return nil, notFound(err, "candidate")
		}
		if cand.UserID != v.UserID {
			return nil, apierror.Forbiddenf("only the person nominated may answer a nomination")
		}
		e, err := loadElection(ctx, c, cand.ElectionID)
		if err != nil {
			return nil, err
		}
		if err := nominating(e, now); err != nil {
			return nil, err
		}
		var from, to candidate.Status
		switch {
		case accept && cand.Status == candidate.StatusNOMINATED:
			from, to = candidate.StatusNOMINATED, candidate.StatusACCEPTED
		case !accept && cand.Status == candidate.StatusNOMINATED:
			from, to = candidate.StatusNOMINATED, candidate.StatusDECLINED
		case !accept && cand.Status == candidate.StatusACCEPTED:
			from, to = candidate.StatusACCEPTED, candidate.StatusWITHDRAWN
		default:
			return nil, statusConflict(cand.Status, "the nomination is %s", cand.Status)
		}
		upd := c.Candidate.Update().Where(candidate.ID(cand.ID), candidate.StatusEQ(from)).SetStatus(to)
		if statement = strings.TrimSpace(statement); statement != "" && accept {
			if statement, err = checkText("statement", statement, 2000); err != nil {
				return nil, err
			}
			upd.SetStatement(statement)
		}
		n, err := upd.Save(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apierror.Conflictf("the nomination changed meanwhile")
		}
		return c.Candidate.Get(ctx, cand.ID)
	})
}

// CastVote records the viewer's vote for a standing candidate. The voter
// must have been an active member of the group since the election opened
// (a lapsed member cannot vote) and votes once. The ballot is secret: the
// vote only adds to the candidate's tally; the voter roll says who voted,
// never for whom.
func (r *Runner) CastVote(ctx context.Context, electionID, candidateID pulid.ID) (*ent.Election, error) {
	return act(ctx, r, "cast vote", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.Election, error) {
		e, err := loadElection(ctx, c, electionID)
		if err != nil {
			return nil, err
		}
		switch {
		case e.Status != election.StatusOPEN || !now.Before(e.VotingClosesAt):
			return nil, electionConflict(e, "voting is closed")
		case now.Before(e.NominationsCloseAt):
			return nil, electionConflict(e, "voting opens when nominations close, at "+e.NominationsCloseAt.UTC().Format(time.RFC3339))
		}
		ok, err := onRoster(ctx, c, e.GroupID, v.UserID, e.CreatedAt)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apierror.Forbiddenf("only people who were active members of the group when the election opened may vote")
		}
		// The row is locked so concurrent votes for one candidate serialise on
		// it, and its updatedAt can be written back unchanged below.
		q := c.Candidate.Query().Where(candidate.ID(candidateID), candidate.ElectionID(e.ID), candidate.StatusEQ(candidate.StatusACCEPTED))
		q.Modify(forUpdate)
		cand, err := q.Only(authz.Unfiltered(ctx))
		if ent.IsNotFound(err) {
			return nil, apierror.Invalid("candidate", "that person is not standing in this election")
		}
		if err != nil {
			return nil, err
		}
		err = c.Voter.Create().SetElectionID(e.ID).SetUserID(v.UserID).Exec(ctx)
		if ent.IsConstraintError(err) {
			return nil, apierror.Conflictf("you have already voted in this election")
		}
		if err != nil {
			return nil, err
		}
		// A vote must change nothing anyone can read before the deadline: a
		// fresh updatedAt on the public candidate row would let anyone polling
		// it rebuild the tally vote by vote, so the stamp is kept as it was.
		if err := c.Candidate.UpdateOneID(cand.ID).AddVotes(1).SetUpdatedAt(cand.UpdatedAt).Exec(ctx); err != nil {
			return nil, err
		}
		return c.Election.Get(ctx, e.ID)
	})
}

// HasVoted reports whether the viewer voted in an election (for the person
// themself: nobody reads the voter roll). It reads through the transaction
// of the unit ctx is in, if any, so a payload sees its own vote.
func (r *Runner) HasVoted(ctx context.Context, electionID pulid.ID) (bool, error) {
	v := viewer.FromContext(ctx)
	if !v.IsUser() {
		return false, nil
	}
	return r.reader(ctx).Voter.Query().Where(voter.ElectionID(electionID), voter.UserID(v.UserID)).Exist(authz.Unfiltered(ctx))
}

// CancelElection calls an election off (organizers and staff) before its
// winners are seated; the reason is kept.
func (r *Runner) CancelElection(ctx context.Context, id pulid.ID, reason string) (*ent.Election, error) {
	return act(ctx, r, "cancel election", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Election, error) {
		e, err := loadElection(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if !authz.CanAdministerGroup(v, e.Edges.Group) {
			return nil, apierror.Forbiddenf("only the group's organizers and the community's staff may cancel an election")
		}
		if reason, err = checkText("reason", reason, 1000); err != nil {
			return nil, err
		}
		n, err := c.Election.Update().Where(election.ID(e.ID), election.StatusIn(busyElection...)).
			SetStatus(election.StatusCANCELLED).SetNote(reason).Save(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, electionConflict(e, "the election is over")
		}
		return c.Election.Get(ctx, e.ID)
	})
}

// BreakTie lets the community's staff choose among candidates tied for the
// last seat(s); the election is then DECIDED and seated with the others.
func (r *Runner) BreakTie(ctx context.Context, id pulid.ID, winners []pulid.ID, note string) (*ent.Election, error) {
	return act(ctx, r, "break tie", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.Election, error) {
		e, err := loadElection(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if !v.IsStaff(e.CommunityID) {
			return nil, apierror.Forbiddenf("only the community's staff break a tie")
		}
		if e.Status != election.StatusTIED {
			return nil, electionConflict(e, "the election is not tied")
		}
		if note, err = checkText("note", note, 1000); err != nil {
			return nil, err
		}
		res, err := countElection(authz.Unfiltered(ctx), c, e)
		if err != nil {
			return nil, err
		}
		tied := make(map[pulid.ID]bool, len(res.Tied))
		for _, t := range res.Tied {
			tied[pulid.ID(t)] = true
		}
		need := e.Seats - len(res.Winners)
		chosen := make(map[pulid.ID]bool, len(winners))
		for _, w := range winners {
			if !tied[w] || chosen[w] {
				return nil, apierror.Invalid("winners", "choose distinct candidates among those tied")
			}
			chosen[w] = true
		}
		if len(chosen) != need {
			return nil, apierror.Invalid("winners", "choose exactly %d of the tied candidates", need)
		}
		n, err := c.Election.Update().Where(election.ID(e.ID), election.StatusEQ(election.StatusTIED)).
			SetStatus(election.StatusDECIDED).SetNote(note).Save(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apierror.Conflictf("the election changed meanwhile")
		}
		if err := c.Candidate.Update().Where(candidate.IDIn(winners...)).SetElected(true).Exec(ctx); err != nil {
			return nil, err
		}
		return c.Election.Get(ctx, e.ID)
	})
}

// countElection applies policy.Count to the election's standing candidates.
func countElection(ctx context.Context, c *ent.Client, e *ent.Election) (policy.Result, error) {
	cands, err := c.Candidate.Query().Where(candidate.ElectionID(e.ID), candidate.StatusEQ(candidate.StatusACCEPTED)).
		Order(ent.Asc(candidate.FieldCreatedAt), ent.Asc(candidate.FieldID)).All(ctx)
	if err != nil {
		return policy.Result{}, err
	}
	tallies := make([]policy.Tally, len(cands))
	for i, cd := range cands {
		tallies[i] = policy.Tally{ID: string(cd.ID), Votes: cd.Votes}
	}
	return policy.Count(tallies, e.Seats), nil
}

func electionConflict(e *ent.Election, msg string) error {
	return statusConflict(e.Status, "%s", msg)
}

// CloseElections computes the result of every open election whose deadline
// passed, each in its own transaction; the conditional status change lets
// exactly one replica close each. It returns how many it closed.
func CloseElections(ctx context.Context, r *Runner) (int, error) {
	sys := viewer.SystemContext(ctx)
	due, err := r.client.Election.Query().Where(election.StatusEQ(election.StatusOPEN), election.VotingClosesAtLTE(r.now())).IDs(sys)
	if err != nil {
		return 0, &JobError{Job: JobCloseElection, Err: err}
	}
	return job{name: JobCloseElection, record: noteFailure("Closing failed", election.StatusOPEN), step: func(ctx context.Context, c *ent.Client, id pulid.ID, now time.Time) error {
		e, err := loadElection(ctx, c, id)
		if err != nil {
			return err
		}
		res, err := countElection(ctx, c, e)
		if err != nil {
			return err
		}
		turnout, err := c.Voter.Query().Where(voter.ElectionID(e.ID)).Count(ctx)
		if err != nil {
			return err
		}
		n, err := c.Election.Update().Where(election.ID(e.ID), election.StatusEQ(election.StatusOPEN)).
			SetStatus(election.Status(res.Outcome)).SetTurnout(turnout).SetDecidedAt(now).ClearNote().Save(ctx)
		if err != nil || n == 0 {
			return orSkip(err)
		}
		winners := make([]pulid.ID, len(res.Winners))
		for i, w := range res.Winners {
			winners[i] = pulid.ID(w)
		}
		if err := c.Candidate.Update().Where(candidate.IDIn(winners...)).SetElected(true).Exec(ctx); err != nil {
			return err
		}
		return nil
	}}.run(sys, r, due)
}

// EndTerms ends every active role whose term is over (TERM_ENDED), then
// seats the winners of decided elections whose term has begun; each role
// and election in its own transaction, conditional on its state, so several
// replicas running it at once end and seat each exactly once.
func EndTerms(ctx context.Context, wf *Runner) (ended, seated int, err error) {
	sys := viewer.SystemContext(ctx)
	now := wf.now()
	due, err := wf.client.Role.Query().Where(role.StatusEQ(role.StatusACTIVE), role.TermEndLTE(now)).IDs(sys)
	if err != nil {
		return 0, 0, &JobError{Job: JobEndTerm, Err: err}
	}
	// No rule refuses the end of a term, so a failure here is the
	// database's: it is logged and counted, and the role, still ACTIVE past
	// its termEnd, is tried again on the next tick.
	ended, errEnd := job{name: JobEndTerm, step: func(ctx context.Context, c *ent.Client, id pulid.ID, _ time.Time) error {
		r, err := c.Role.Query().Where(role.ID(id)).WithGroup().WithCommunity().Only(ctx)
		if err != nil || r.Status != role.StatusACTIVE || r.TermEnd == nil {
			return orSkip(err)
		}
		return endTerm(ctx, c, r, *r.TermEnd, "term ended")
	}}.run(sys, wf, due)
	ready, err := wf.client.Election.Query().Where(election.StatusIn(toSeat...), election.TermStartsAtLTE(now)).IDs(sys)
	if err != nil {
		return ended, 0, errors.Join(errEnd, &JobError{Job: JobSeatElection, Err: err})
	}
	seated, err = job{name: JobSeatElection, record: noteFailure("Seating failed", toSeat...), step: func(ctx context.Context, c *ent.Client, id pulid.ID, _ time.Time) error {
		return seat(ctx, c, id)
	}}.run(sys, wf, ready)
	return ended, seated, errors.Join(errEnd, err)
}

// endTerm ends an active role's term at the given time (TERM_ENDED) and
// thanks its holder; it is errSkip when the role ended meanwhile.
func endTerm(ctx context.Context, c *ent.Client, r *ent.Role, at time.Time, reason string) error {
	upd := c.Role.Update().Where(role.ID(r.ID), role.StatusEQ(role.StatusACTIVE)).
		SetStatus(role.StatusTERM_ENDED).SetEndedAt(at).SetEndReason(reason)
	if r.TermEnd == nil || r.TermEnd.After(at) {
		upd.SetTermEnd(at)
	}
	n, err := upd.Save(ctx)
	if err != nil || n == 0 {
		return orSkip(err)
	}
	where := r.Edges.Community.Name
	if r.Edges.Group != nil {
		where = r.Edges.Group.Name
	}
	return queueMessage(ctx, c, r.CommunityID, r.UserID, letters.KindTermEnded,
		letters.TermEnded{Community: r.Edges.Community.Name, Role: string(r.Kind), Where: where, Term: r.TermNumber}, string(r.ID))
}

// noteFailure records on an election, while it is in one of the given
// states, why a job failed on it: as its note, and for a seating as the
// status SEATING_FAILED, which staff see on the election (and which is
// retried). An unchanged failure is not written again, so a failure that
// persists adds no change row per tick.
func noteFailure(what string, due ...election.Status) func(context.Context, *ent.Client, pulid.ID, error) error {
	return func(ctx context.Context, c *ent.Client, id pulid.ID, failure error) error {
		e, err := c.Election.Get(ctx, id)
		if err != nil {
			return err
		}
		if !slices.Contains(due, e.Status) {
			return errSkip // closed, seated or cancelled meanwhile
		}
		status := e.Status
		if e.Status == election.StatusDECIDED {
			status = election.StatusSEATING_FAILED
		}
		note := what + ": " + failureReason(failure)
		if r := []rune(note); len(r) > 1000 {
			note = string(r[:999]) + "…"
		}
		if e.Status == status && e.Note == note {
			return nil
		}
		n, err := c.Election.Update().Where(election.ID(id), election.StatusEQ(e.Status)).
			SetStatus(status).SetNote(note).Save(ctx)
		if err != nil || n == 0 {
			return orSkip(err)
		}
		return nil
	}
}

// seat hands the role over to a decided election's winners for the elected
// term: the holders of earlier terms who were not re-elected end their term
// when the elected one starts, then each winner takes office — all in one
// transaction, so the community's cap (one organizer) holds throughout. A
// winner who still holds the role (re-elected before their term ran out)
// has it extended instead.
func seat(ctx context.Context, c *ent.Client, id pulid.ID) error {
	e, err := loadElection(ctx, c, id)
	if err != nil {
		return err
	}
	upd := c.Election.Update().Where(election.ID(id), election.StatusEQ(e.Status), election.StatusIn(toSeat...)).
		SetStatus(election.StatusSEATED)
	if e.Status == election.StatusSEATING_FAILED {
		upd.ClearNote() // the failure it recorded is over
	}
	n, err := upd.Save(ctx)
	if err != nil || n == 0 {
		return orSkip(err)
	}
	winners, err := c.Candidate.Query().Where(candidate.ElectionID(id), candidate.Elected(true)).All(ctx)
	if err != nil {
		return err
	}
	com, kind := e.Edges.Community, role.Kind(e.Kind)
	elected := make([]pulid.ID, len(winners))
	for i, w := range winners {
		elected[i] = w.UserID
	}
	q := c.Role.Query().Where(role.GroupID(e.GroupID), role.KindEQ(kind), role.StatusEQ(role.StatusACTIVE), role.TermNumberLT(e.TermNumber))
	if len(elected) > 0 {
		q.Where(role.UserIDNotIn(elected...))
	}
	outgoing, err := q.WithGroup().WithCommunity().All(ctx)
	if err != nil {
		return err
	}
	for _, r := range outgoing {
		if err := endTerm(ctx, c, r, e.TermStartsAt, fmt.Sprintf("term ended: handed over to elected term %d", e.TermNumber)); err != nil && !errors.Is(err, errSkip) {
			return err
		}
	}
	for _, w := range winners {
		held, err := c.Role.Query().Where(role.GroupID(e.GroupID), role.UserID(w.UserID), role.KindEQ(kind), role.StatusEQ(role.StatusACTIVE)).Only(ctx)
		switch {
		case err == nil:
			upd := c.Role.UpdateOne(held).SetTermNumber(e.TermNumber).SetTermStart(e.TermStartsAt)
			if com.Policy.TermLengthDays > 0 {
				upd.SetTermEnd(e.TermStartsAt.AddDate(0, 0, com.Policy.TermLengthDays))
			}
			err = upd.Exec(ctx)
		case ent.IsNotFound(err):
			err = grantTerm(ctx, c, w.UserID, kind, com, e.GroupID, "", e.TermStartsAt, e.TermNumber)
		}
		if err != nil {
			return err
		}
		if err := queueMessage(ctx, c, com.ID, w.UserID, letters.KindElectionWon,
			letters.ElectionWon{Community: com.Name, Group: e.Edges.Group.Name, Role: string(kind), Term: e.TermNumber}, string(w.ID)); err != nil {
			return err
		}
	}
	return nil
}
