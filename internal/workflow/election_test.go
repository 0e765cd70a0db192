package workflow_test

import (
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// polls is openEuler's Wuhan group whose appointed organizer's term ends in
// ten days, with five members, a lapsed one and staff, all from a partner
// enterprise, and someone from outside.
type polls struct {
	*world
	oe                   *ent.Community
	wuhan                *ent.Group
	termEnd              time.Time
	orgRole              *ent.Role
	org, staff, outsider *ent.User
	m1, m2, m3, m4, m5   *ent.User
	lapsed               *ent.User
	partnerOf            func(b *ent.UserCreate)
}

func newPolls(t *testing.T) *polls {
	w := newWorld(t)
	p := &polls{world: w, oe: w.Community(policy.OpenEuler())}
	partner := w.Partner(p.oe)
	p.partnerOf = func(b *ent.UserCreate) { b.SetOrganizationID(partner.ID) }
	p.wuhan = w.Group(p.oe, group.StatusACTIVE)
	p.termEnd = w.Now().Add(10 * 24 * time.Hour)
	p.org = p.member()
	p.orgRole = w.Role(p.org, role.KindORGANIZER, p.wuhan, func(b *ent.RoleCreate) {
		b.SetTermStart(p.termEnd.AddDate(-1, 0, 0)).SetTermEnd(p.termEnd)
	})
	p.m1, p.m2, p.m3, p.m4, p.m5 = p.member(), p.member(), p.member(), p.member(), p.member()
	p.lapsed = w.User(p.partnerOf)
	w.Role(p.lapsed, role.KindMEMBER, p.wuhan, func(b *ent.RoleCreate) { b.SetStatus(role.StatusLAPSED) })
	p.staff = w.Person(role.KindCOMMUNITY_MANAGER, p.oe)
	p.outsider = w.User(p.partnerOf)
	return p
}

// member adds an active member of Wuhan from the partner enterprise.
func (p *polls) member() *ent.User {
	u := p.User(p.partnerOf)
	p.Role(u, role.KindMEMBER, p.wuhan)
	return u
}

// request asks for an ORGANIZER election of g whose nominations close in a
// day and voting in three.
func (p *polls) request(g *ent.Group) workflow.ElectionRequest {
	return workflow.ElectionRequest{Group: g.ID, Kind: election.KindORGANIZER,
		NominationsCloseAt: p.Now().Add(24 * time.Hour), VotingClosesAt: p.Now().Add(72 * time.Hour)}
}

// opened opens Wuhan's election as its organizer.
func (p *polls) opened() *ent.Election {
	p.t.Helper()
	e, err := p.Runner.OpenElection(p.As(p.org.ID), p.request(p.wuhan))
	noErr(p.t, "open", err)
	return e
}

// stand makes u a candidate of e who accepted.
func (p *polls) stand(e *ent.Election, u *ent.User) *ent.Candidate {
	p.t.Helper()
	c, err := p.Runner.Nominate(p.As(u.ID), e.ID, u.ID, "")
	noErr(p.t, "standing", err)
	return c
}

func TestOpenElectionTakesOrganizersTermsAndOneAtATime(t *testing.T) {
	t.Parallel()
	p := newPolls(t)
	os := p.Community(policy.OpenStack())
	paris, xian, proposed := p.Group(os, group.StatusACTIVE), p.Group(p.oe, group.StatusACTIVE), p.Group(p.oe, group.StatusPROPOSED)
	osOrg := p.Person(role.KindORGANIZER, paris)

	_, err := p.Runner.OpenElection(p.As(p.m1.ID), p.request(p.wuhan))
	wantCode(t, err, apierror.Forbidden) // a member
	_, err = p.Runner.OpenElection(p.As(osOrg.ID), p.request(paris))
	refused(t, err, apierror.BadUserInput, "group") // roles without terms
	amb := p.request(proposed)
	amb.Kind = election.KindAMBASSADOR
	_, err = p.Runner.OpenElection(p.As(p.staff.ID), amb)
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["status"] != "PROPOSED" {
		t.Errorf("an election in a group that is not running: %v", err)
	}
	_, err = p.Runner.OpenElection(p.As(p.staff.ID), p.request(xian))
	wantCode(t, err, apierror.Conflict) // openEuler appoints the first term
	backwards := p.request(p.wuhan)
	backwards.NominationsCloseAt, backwards.VotingClosesAt = p.Now().Add(48*time.Hour), p.Now().Add(24*time.Hour)
	_, err = p.Runner.OpenElection(p.As(p.org.ID), backwards)
	refused(t, err, apierror.BadUserInput, "votingClosesAt")
	tooLong := p.request(p.wuhan)
	tooLong.VotingClosesAt = p.Now().AddDate(0, 0, 91)
	_, err = p.Runner.OpenElection(p.As(p.org.ID), tooLong)
	refused(t, err, apierror.BadUserInput, "votingClosesAt")
	seats := p.request(p.wuhan)
	seats.Seats = 2
	_, err = p.Runner.OpenElection(p.As(p.org.ID), seats)
	refused(t, err, apierror.BadUserInput, "seats") // openEuler has one organizer per group

	e := p.opened()
	if e.Status != election.StatusOPEN || e.TermNumber != 2 || !e.TermStartsAt.Equal(p.termEnd) || e.Seats != 1 {
		t.Fatalf("the organizer opens the election: %+v", e)
	}
	_, err = p.Runner.OpenElection(p.As(p.staff.ID), p.request(p.wuhan))
	wantCode(t, err, apierror.Conflict) // a second election for the same seat
}

func TestNominateTakesActiveMembersUntilNominationsClose(t *testing.T) {
	t.Parallel()
	p := newPolls(t)
	e := p.opened()
	_, err := p.Runner.Nominate(p.As(p.outsider.ID), e.ID, p.m1.ID, "")
	wantCode(t, err, apierror.Forbidden) // an outsider nominates
	_, err = p.Runner.Nominate(p.As(p.m3.ID), e.ID, p.outsider.ID, "")
	refused(t, err, apierror.BadUserInput, "user")
	_, err = p.Runner.Nominate(p.As(p.m3.ID), e.ID, p.lapsed.ID, "")
	refused(t, err, apierror.BadUserInput, "user")
	_, err = p.Runner.Nominate(p.As(p.m1.ID), e.ID, p.m2.ID, "My statement for you.")
	refused(t, err, apierror.BadUserInput, "statement") // candidates write their own
	c2, err := p.Runner.Nominate(p.As(p.m1.ID), e.ID, p.m2.ID, "")
	if err != nil || c2.Status != candidate.StatusNOMINATED {
		t.Fatalf("m1 nominates m2: %+v %v", c2, err)
	}
	if n := p.Client.Message.Query().Where(message.Template("election_nomination"), message.RecipientID(p.m2.ID)).CountX(p.System()); n != 1 {
		t.Errorf("%d nomination messages to m2", n)
	}
	_, err = p.Runner.Nominate(p.As(p.m3.ID), e.ID, p.m2.ID, "")
	wantCode(t, err, apierror.Conflict) // nominated twice
	c1, err := p.Runner.Nominate(p.As(p.m1.ID), e.ID, p.m1.ID, "Monthly meetups and a study group.")
	if err != nil || c1.Status != candidate.StatusACCEPTED || c1.Statement != "Monthly meetups and a study group." {
		t.Fatalf("m1 stands: %+v %v", c1, err)
	}
	p.Clock.Advance(25 * time.Hour)
	_, err = p.Runner.Nominate(p.As(p.m5.ID), e.ID, p.m5.ID, "")
	wantCode(t, err, apierror.Conflict) // nominations closed
}

func TestRespondToNominationIsTheNomineesUntilNominationsClose(t *testing.T) {
	t.Parallel()
	p := newPolls(t)
	e := p.opened()
	c2, err := p.Runner.Nominate(p.As(p.m1.ID), e.ID, p.m2.ID, "")
	noErr(t, "nominate m2", err)
	c4, err := p.Runner.Nominate(p.As(p.m3.ID), e.ID, p.m4.ID, "")
	noErr(t, "nominate m4", err)
	_, err = p.Runner.RespondToNomination(p.As(p.m1.ID), c2.ID, true, "")
	wantCode(t, err, apierror.Forbidden) // someone else's nomination
	if c, err := p.Runner.RespondToNomination(p.As(p.m2.ID), c2.ID, true, "I will."); err != nil || c.Status != candidate.StatusACCEPTED || c.Statement != "I will." {
		t.Errorf("m2 accepts: %+v %v", c, err)
	}
	if c, err := p.Runner.RespondToNomination(p.As(p.m4.ID), c4.ID, false, ""); err != nil || c.Status != candidate.StatusDECLINED {
		t.Errorf("m4 declines: %+v %v", c, err)
	}
	_, err = p.Runner.RespondToNomination(p.As(p.m4.ID), c4.ID, true, "")
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["status"] != "DECLINED" {
		t.Errorf("accepting after declining: %v", err)
	}
	p.Clock.Advance(25 * time.Hour)
	_, err = p.Runner.RespondToNomination(p.As(p.m2.ID), c2.ID, false, "")
	wantCode(t, err, apierror.Conflict) // withdrawing after nominations closed
}

func TestCastVoteOnceByMembersOnTheRollForStandingCandidates(t *testing.T) {
	t.Parallel()
	p := newPolls(t)
	e := p.opened()
	// Someone who joins after the election opened is not on the voter roll.
	late := p.member()
	c1, c2 := p.stand(e, p.m1), p.stand(e, p.m2)
	c4, err := p.Runner.Nominate(p.As(p.m3.ID), e.ID, p.m4.ID, "")
	noErr(t, "nominate m4", err)
	_, err = p.Runner.CastVote(p.As(p.m3.ID), e.ID, c1.ID)
	wantCode(t, err, apierror.Conflict) // voting during nominations

	p.Clock.Advance(25 * time.Hour)
	if _, err := p.Runner.CastVote(p.As(p.m3.ID), e.ID, c1.ID); err != nil {
		t.Fatalf("m3 votes: %v", err)
	}
	_, err = p.Runner.CastVote(p.As(p.m3.ID), e.ID, c2.ID)
	wantCode(t, err, apierror.Conflict) // voting twice
	for _, tc := range []struct {
		name string
		who  *ent.User
		cand pulid.ID
		want apierror.Code
	}{
		{"a lapsed member", p.lapsed, c1.ID, apierror.Forbidden},
		{"a member who joined late", late, c1.ID, apierror.Forbidden},
		{"an outsider", p.outsider, c1.ID, apierror.Forbidden},
		{"for a nominee who did not accept", p.m5, c4.ID, apierror.BadUserInput},
	} {
		_, err := p.Runner.CastVote(p.As(tc.who.ID), e.ID, tc.cand)
		if ae := errmap.Classify(err); ae == nil || ae.Code != tc.want {
			t.Errorf("%s votes: want %s, got %v", tc.name, tc.want, err)
		}
	}
	// Each person learns whether they voted, never anyone else.
	for u, want := range map[*ent.User]bool{p.m3: true, p.m4: false, p.staff: false} {
		if got, err := p.Runner.HasVoted(p.As(u.ID), e.ID); err != nil || got != want {
			t.Errorf("HasVoted for %s = %v, %v; want %v", u.Handle, got, err, want)
		}
	}
	if got, err := p.Runner.HasVoted(p.Anonymous(), e.ID); err != nil || got {
		t.Errorf("HasVoted anonymous = %v, %v", got, err)
	}
	p.Clock.Advance(48 * time.Hour)
	_, err = p.Runner.CastVote(p.As(p.m4.ID), e.ID, c1.ID)
	wantCode(t, err, apierror.Conflict) // voting closed
}

// TestCastVoteChangesNothingAPollerCanRead: a vote adds to a tally nobody
// reads before the deadline, and leaves the candidate's updatedAt and the
// change log as they were, so polling cannot rebuild the tally vote by vote.
func TestCastVoteChangesNothingAPollerCanRead(t *testing.T) {
	t.Parallel()
	p := newPolls(t)
	e := p.opened()
	c1 := p.stand(e, p.m1)
	p.Clock.Advance(25 * time.Hour)
	sys := p.System()
	before := p.Client.Candidate.GetX(sys, c1.ID)
	changes := p.Client.Change.Query().CountX(sys)
	for _, u := range []*ent.User{p.m3, p.m4} {
		_, err := p.Runner.CastVote(p.As(u.ID), e.ID, c1.ID)
		noErr(t, "vote", err)
	}
	after := p.Client.Candidate.GetX(sys, c1.ID)
	if after.Votes != before.Votes+2 || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("votes %d → %d, updatedAt %v → %v", before.Votes, after.Votes, before.UpdatedAt, after.UpdatedAt)
	}
	if n := p.Client.Change.Query().CountX(sys); n != changes {
		t.Errorf("votes wrote %d change-log rows", n-changes)
	}
}

func TestBreakTieIsStaffsChoiceAmongTheTied(t *testing.T) {
	t.Parallel()
	p := newPolls(t)
	e := p.opened()
	c1, c2 := p.stand(e, p.m1), p.stand(e, p.m2)
	c4, err := p.Runner.Nominate(p.As(p.m3.ID), e.ID, p.m4.ID, "")
	noErr(t, "nominate m4", err)
	_, err = p.Runner.BreakTie(p.As(p.staff.ID), e.ID, []pulid.ID{c1.ID}, "Too early.")
	wantCode(t, err, apierror.Conflict) // not tied (yet)
	p.Clock.Advance(25 * time.Hour)
	for u, c := range map[*ent.User]*ent.Candidate{p.m3: c1, p.m4: c2} {
		_, err := p.Runner.CastVote(p.As(u.ID), e.ID, c.ID)
		noErr(t, "vote", err)
	}
	p.Clock.Advance(48 * time.Hour)
	if n, err := workflow.CloseElections(p.System(), p.Runner); err != nil || n != 1 {
		t.Fatalf("closing: %d %v", n, err)
	}
	const note = "Drawn by lot at the staff meeting."
	_, err = p.Runner.BreakTie(p.As(p.org.ID), e.ID, []pulid.ID{c1.ID}, note)
	wantCode(t, err, apierror.Forbidden) // an organizer
	_, err = p.Runner.BreakTie(p.As(p.staff.ID), e.ID, []pulid.ID{c4.ID}, note)
	refused(t, err, apierror.BadUserInput, "winners") // not tied
	_, err = p.Runner.BreakTie(p.As(p.staff.ID), e.ID, []pulid.ID{c1.ID, c2.ID}, note)
	refused(t, err, apierror.BadUserInput, "winners") // two for one seat
	_, err = p.Runner.BreakTie(p.As(p.staff.ID), e.ID, []pulid.ID{c1.ID}, " ")
	refused(t, err, apierror.BadUserInput, "note")
	got, err := p.Runner.BreakTie(p.As(p.staff.ID), e.ID, []pulid.ID{c1.ID}, note)
	if err != nil || got.Status != election.StatusDECIDED || got.Note != note {
		t.Fatalf("staff break the tie: %+v %v", got, err)
	}
	if !p.Client.Candidate.GetX(p.System(), c1.ID).Elected || p.Client.Candidate.GetX(p.System(), c2.ID).Elected {
		t.Error("the chosen candidate is not the one elected")
	}
	_, err = p.Runner.BreakTie(p.As(p.staff.ID), e.ID, []pulid.ID{c1.ID}, note)
	wantCode(t, err, apierror.Conflict) // no longer tied
}

func TestCancelElectionIsTheOrganizersOrStaffsOnce(t *testing.T) {
	t.Parallel()
	p := newPolls(t)
	e := p.opened()
	const why = "Opened by mistake."
	_, err := p.Runner.CancelElection(p.As(p.m2.ID), e.ID, why)
	wantCode(t, err, apierror.Forbidden)
	_, err = p.Runner.CancelElection(p.As(p.staff.ID), e.ID, "")
	refused(t, err, apierror.BadUserInput, "reason")
	got, err := p.Runner.CancelElection(p.As(p.staff.ID), e.ID, why)
	if err != nil || got.Status != election.StatusCANCELLED || got.Note != why {
		t.Errorf("staff cancel: %+v %v", got, err)
	}
	_, err = p.Runner.CancelElection(p.As(p.staff.ID), e.ID, why)
	wantCode(t, err, apierror.Conflict)
	_, err = p.Runner.CancelElection(p.As(p.staff.ID), "ele_nosuchelection", why)
	wantCode(t, err, apierror.NotFound)
	// The seat is free for the next election.
	p.opened()
}
