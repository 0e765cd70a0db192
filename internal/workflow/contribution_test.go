package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// ledger is a group of an openEuler-like community with its organizer, an
// ambassador, staff, two members and an outsider.
type ledger struct {
	*world
	com                                        *ent.Community
	group, other                               *ent.Group
	org, amb, staff, member, member2, outsider *ent.User
	otherOrg                                   *ent.User
}

func newLedger(t *testing.T) *ledger {
	w := newWorld(t)
	w.Clock.Set(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	p := policy.OpenEuler()
	p.ContributionPoints = map[string]int{"ARTICLE": 7}
	com := w.Community(p)
	l := &ledger{world: w, com: com, group: w.Group(com, group.StatusACTIVE), other: w.Group(com, group.StatusACTIVE)}
	l.org, l.amb = w.Person(role.KindORGANIZER, l.group), w.Person(role.KindAMBASSADOR, l.group)
	l.staff = w.Person(role.KindCOMMUNITY_MANAGER, com)
	l.member, l.member2 = w.Person(role.KindMEMBER, l.group), w.Person(role.KindMEMBER, l.group)
	l.outsider, l.otherOrg = w.User(), w.Person(role.KindORGANIZER, l.other)
	return l
}

func (l *ledger) article(by *ent.User, edit func(*workflow.ContributionRecord)) (*ent.Contribution, error) {
	in := workflow.ContributionRecord{GroupID: l.group.ID, Kind: contribution.KindARTICLE, Title: "openEuler on RISC-V boards",
		URL: "https://blog.example.org/riscv", Details: "A write-up of our lab evening.", OccurredOn: l.Now().Add(-48 * time.Hour)}
	if edit != nil {
		edit(&in)
	}
	return l.Runner.RecordContribution(l.As(by.ID), in)
}

func TestRecordContributionChecksTheMemberAndTheClaim(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	ct, err := l.article(l.member, nil)
	if err != nil || ct.Status != contribution.StatusPENDING || ct.Automatic || ct.Points != 0 || ct.UserID != l.member.ID ||
		ct.GroupID != l.group.ID || ct.CommunityID != l.com.ID || ct.URL != "https://blog.example.org/riscv" {
		t.Fatalf("record: %+v %v", ct, err)
	}
	_, err = l.article(l.outsider, nil)
	wantCode(t, err, apierror.Forbidden)
	_, err = l.article(l.otherOrg, nil) // organizer elsewhere, not a member here
	wantCode(t, err, apierror.Forbidden)
	_, err = l.article(l.member, func(in *workflow.ContributionRecord) { in.GroupID = "grp_nothere" })
	wantCode(t, err, apierror.NotFound)
	_, err = l.article(l.member, func(in *workflow.ContributionRecord) { in.Kind = contribution.KindPARTICIPATION })
	refused(t, err, apierror.BadUserInput, "kind")
	_, err = l.article(l.member, func(in *workflow.ContributionRecord) { in.Kind = contribution.KindREFERRAL })
	refused(t, err, apierror.BadUserInput, "kind")
	_, err = l.article(l.member, func(in *workflow.ContributionRecord) { in.Kind, in.URL = contribution.KindCODE, "" })
	refused(t, err, apierror.BadUserInput, "url")
	_, err = l.article(l.member, func(in *workflow.ContributionRecord) { in.Title = "" })
	refused(t, err, apierror.BadUserInput, "title")
	_, err = l.article(l.member, func(in *workflow.ContributionRecord) { in.OccurredOn = l.Now().Add(time.Hour) })
	refused(t, err, apierror.BadUserInput, "occurredOn")
	_, err = l.article(l.member, func(in *workflow.ContributionRecord) { in.OccurredOn = l.Now().Add(-367 * day) })
	refused(t, err, apierror.BadUserInput, "occurredOn")
	if fb, err := l.article(l.org, func(in *workflow.ContributionRecord) { in.Kind, in.URL = contribution.KindFEEDBACK, "" }); err != nil || fb.URL != "" {
		t.Errorf("an organizer records feedback without a link: %+v %v", fb, err)
	}
	if n := l.Client.Contribution.Query().CountX(l.System()); n != 2 {
		t.Errorf("%d contributions recorded, want 2", n)
	}
}

func TestVerifyAndDeclineContribution(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	pending := func() *ent.Contribution {
		t.Helper()
		ct, err := l.article(l.member, nil)
		noErr(t, "record", err)
		return ct
	}
	// Who may decide: organizers and ambassadors of the group and staff;
	// never the contributor, another member, another group's organizer.
	for _, tc := range []struct {
		name string
		who  *ent.User
		code apierror.Code // "" when allowed
	}{
		{"the member", l.member, apierror.Forbidden},
		{"another member", l.member2, apierror.NotFound},
		{"an outsider", l.outsider, apierror.NotFound},
		{"another group's organizer", l.otherOrg, apierror.NotFound},
		{"the organizer", l.org, ""},
		{"the ambassador", l.amb, ""},
		{"staff", l.staff, ""},
	} {
		ct := pending()
		got, err := l.Runner.VerifyContribution(l.As(tc.who.ID), ct.ID)
		if tc.code != "" {
			wantCode(t, err, tc.code)
			_, err = l.Runner.DeclineContribution(l.As(tc.who.ID), ct.ID, "Not ours.")
			wantCode(t, err, tc.code)
			continue
		}
		if err != nil || got.Status != contribution.StatusVERIFIED || got.Points != 7 || got.VerifiedAt == nil ||
			!got.VerifiedAt.Equal(l.Now()) || got.VerifiedByID != tc.who.ID {
			t.Errorf("%s verifies: %+v %v", tc.name, got, err)
		}
	}
	// A reviewer never decides their own.
	own, err := l.article(l.org, nil)
	noErr(t, "the organizer records one", err)
	_, err = l.Runner.VerifyContribution(l.As(l.org.ID), own.ID)
	wantCode(t, err, apierror.Forbidden)
	if got, err := l.Runner.VerifyContribution(l.As(l.amb.ID), own.ID); err != nil || got.Status != contribution.StatusVERIFIED {
		t.Errorf("the ambassador verifies the organizer's: %+v %v", got, err)
	}

	// Points are the policy's at the moment of verification.
	later := pending()
	_, err = l.Runner.UpdateCommunityPolicy(l.As(l.staff.ID), workflow.CommunityPolicyUpdate{ID: l.com.ID,
		Patch: policy.Patch{ContributionPoints: []policy.KindPoints{{Kind: "ARTICLE", Points: 11}}}})
	noErr(t, "change points", err)
	if got, err := l.Runner.VerifyContribution(l.As(l.org.ID), later.ID); err != nil || got.Points != 11 {
		t.Errorf("verified after the change: %+v %v", got, err)
	}
	_, err = l.Runner.VerifyContribution(l.As(l.amb.ID), later.ID)
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["status"] != "VERIFIED" {
		t.Errorf("verified twice: %v", ae.Extensions)
	}
	_, err = l.Runner.DeclineContribution(l.As(l.amb.ID), later.ID, "Too late.")
	wantCode(t, err, apierror.Conflict)

	// Declining needs a reason and tells the member, once.
	d := pending()
	_, err = l.Runner.DeclineContribution(l.As(l.org.ID), d.ID, "  ")
	refused(t, err, apierror.BadUserInput, "reason")
	got, err := l.Runner.DeclineContribution(l.As(l.org.ID), d.ID, "The link does not open.")
	if err != nil || got.Status != contribution.StatusDECLINED || got.DeclineReason != "The link does not open." ||
		got.DeclinedByID != l.org.ID || got.DeclinedAt == nil || got.Points != 0 {
		t.Fatalf("decline: %+v %v", got, err)
	}
	msgs := l.Client.Message.Query().Where(message.Template("contribution_declined")).AllX(l.System())
	if len(msgs) != 1 || msgs[0].RecipientID != l.member.ID {
		t.Errorf("declined messages: %+v", msgs)
	}
	_, err = l.Runner.DeclineContribution(l.As(l.amb.ID), d.ID, "Again.")
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["status"] != "DECLINED" {
		t.Errorf("declined twice: %v", ae.Extensions)
	}
	_, err = l.Runner.VerifyContribution(l.As(l.org.ID), "ctb_nothere")
	wantCode(t, err, apierror.NotFound)
}

func TestCheckInRecordsParticipationOnce(t *testing.T) {
	t.Parallel()
	m := newMeetups(t, dbtest.Open(t))
	e := m.published(nil)
	var regs []*ent.Registration
	for _, u := range []*ent.User{m.s1, m.s2} {
		r, err := m.Runner.RegisterForEvent(m.As(u.ID), e.ID)
		noErr(t, "register", err)
		regs = append(regs, r)
	}
	m.Clock.Set(e.StartsAt.Add(10 * time.Minute))
	participation := func(u *ent.User) []*ent.Contribution {
		return m.Client.Contribution.Query().Where(contribution.UserID(u.ID), contribution.KindEQ(contribution.KindPARTICIPATION)).AllX(m.System())
	}
	_, err := m.Runner.CheckIn(m.As(m.org.ID), e.ID, regs[0].ID, "")
	noErr(t, "check s1 in", err)
	got := participation(m.s1)
	if len(got) != 1 {
		t.Fatalf("s1's participation: %+v", got)
	}
	p := got[0]
	if p.Status != contribution.StatusVERIFIED || !p.Automatic || p.GroupID != m.group.ID || p.EventID != e.ID ||
		p.Title != e.Title || !p.OccurredOn.Equal(e.StartsAt) || p.Points != policy.DefaultPoints["PARTICIPATION"] || p.VerifiedAt == nil {
		t.Errorf("participation: %+v", p)
	}
	_, err = m.Runner.CheckIn(m.As(m.org.ID), e.ID, regs[0].ID, "")
	wantCode(t, err, apierror.Conflict)
	if n := len(participation(m.s1)); n != 1 {
		t.Errorf("s1 checked in twice: %d participations", n)
	}
	// s2 missed the door: a NO_SHOW corrected after completion counts, and
	// a correction made twice (the row set back by mistake) counts once.
	_, err = m.Runner.CompleteEvent(m.As(m.org.ID), e.ID)
	noErr(t, "complete", err)
	if n := len(participation(m.s2)); n != 0 {
		t.Fatalf("a no-show participated %d times", n)
	}
	for range 2 {
		_, err = m.Runner.CheckIn(m.As(m.staff.ID), e.ID, regs[1].ID, "")
		noErr(t, "correct s2", err)
		m.Import(func(ctx context.Context, c *ent.Client) error {
			return c.Registration.UpdateOneID(regs[1].ID).SetStatus(registration.StatusNO_SHOW).Exec(ctx)
		})
	}
	if n := len(participation(m.s2)); n != 1 {
		t.Errorf("s2 corrected twice: %d participations, want 1", n)
	}
}

func TestRedeemedInviteRecordsAReferral(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	inv, err := l.Runner.CreateInvite(l.As(l.org.ID), l.group.ID, nil, nil)
	noErr(t, "invite", err)
	ro, err := l.Runner.RedeemInvite(l.As(l.outsider.ID), inv.Code)
	noErr(t, "redeem", err)
	refs := l.Client.Contribution.Query().Where(contribution.KindEQ(contribution.KindREFERRAL)).AllX(l.System())
	if len(refs) != 1 {
		t.Fatalf("referrals: %+v", refs)
	}
	r := refs[0]
	if r.UserID != l.org.ID || r.GroupID != l.group.ID || r.Status != contribution.StatusVERIFIED || !r.Automatic ||
		r.Points != policy.DefaultPoints["REFERRAL"] || !r.OccurredOn.Equal(l.Now()) || ro.UserID != l.outsider.ID {
		t.Errorf("referral: %+v", r)
	}
	// Staff redeeming their own invite referred nobody.
	own, err := l.Runner.CreateInvite(l.As(l.staff.ID), l.group.ID, nil, nil)
	noErr(t, "staff invite", err)
	_, err = l.Runner.RedeemInvite(l.As(l.staff.ID), own.Code)
	noErr(t, "staff join", err)
	if n := l.Client.Contribution.Query().Where(contribution.KindEQ(contribution.KindREFERRAL)).CountX(l.System()); n != 1 {
		t.Errorf("%d referrals after staff joined with their own invite, want 1", n)
	}
}

// Every kind of the schema has its points and is known to the policy.
func TestEveryContributionKindHasPoints(t *testing.T) {
	for _, k := range []contribution.Kind{contribution.KindPARTICIPATION, contribution.KindARTICLE, contribution.KindTALK,
		contribution.KindUSER_CASE, contribution.KindREFERRAL, contribution.KindFEEDBACK, contribution.KindCODE,
		contribution.KindDOCS, contribution.KindCOMMUNICATION, contribution.KindTRANSLATION, contribution.KindEVENT_HELP} {
		if err := contribution.KindValidator(k); err != nil {
			t.Fatal(err)
		}
		if _, ok := policy.DefaultPoints[string(k)]; !ok {
			t.Errorf("no default points for %s", k)
		}
	}
	if len(policy.ContributionKinds) != 11 {
		t.Errorf("the policy knows %d kinds, the schema 11", len(policy.ContributionKinds))
	}
}
