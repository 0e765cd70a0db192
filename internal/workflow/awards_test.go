package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/award"
	"github.com/usergroups/usergroups/ent/awardnomination"
	"github.com/usergroups/usergroups/ent/awardselection"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/shipment"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// selectionWorld is an openEuler community with two groups, each with an
// organizer and members, and a staff member.
type selectionWorld struct {
	*world
	com          *ent.Community
	g1, g2       *ent.Group
	staff        *ent.User
	org1, org2   *ent.User
	ada, bob, cy *ent.User // members: ada and bob of g1, cy of g2
}

func newSelectionWorld(t *testing.T) *selectionWorld {
	w := newWorld(t)
	s := &selectionWorld{world: w}
	s.com = w.Community(policy.OpenEuler())
	s.g1, s.g2 = w.Group(s.com, group.StatusACTIVE), w.Group(s.com, group.StatusACTIVE)
	s.staff = w.Person(role.KindCOMMUNITY_MANAGER, s.com)
	s.org1, s.org2 = w.Person(role.KindORGANIZER, s.g1), w.Person(role.KindORGANIZER, s.g2)
	s.ada, s.bob = w.Person(role.KindMEMBER, s.g1), w.Person(role.KindMEMBER, s.g1)
	s.cy = w.Person(role.KindMEMBER, s.g2)
	return s
}

// contribution records a contribution of u credited to g on the given day
// of 2026, VERIFIED with points unless a status is given.
func (s *selectionWorld) contribution(u *ent.User, g *ent.Group, on time.Time, points int, opts ...func(*ent.ContributionCreate)) *ent.Contribution {
	s.t.Helper()
	return create(s.world, func(ctx context.Context, c *ent.Client) (*ent.Contribution, error) {
		b := c.Contribution.Create().SetCommunityID(s.com.ID).SetUserID(u.ID).SetGroupID(g.ID).SetKind(contribution.KindARTICLE).
			SetTitle("An article").SetOccurredOn(on).SetStatus(contribution.StatusVERIFIED).SetPoints(points)
		for _, o := range opts {
			o(b)
		}
		return b.Save(ctx)
	})
}

func (s *selectionWorld) open(t *testing.T) *ent.AwardSelection {
	t.Helper()
	sel, err := s.Runner.OpenAwardSelection(s.As(s.staff.ID), workflow.AwardSelectionOpening{Community: s.com.ID, Year: 2026})
	noErr(t, "opening the selection", err)
	return sel
}

func (s *selectionWorld) nominate(t *testing.T, sel *ent.AwardSelection, by, u *ent.User, g *ent.Group, category string) *ent.AwardNomination {
	t.Helper()
	n, err := s.Runner.NominateForAward(s.As(by.ID), workflow.AwardNominationRequest{Selection: sel.ID, Member: u.ID, Group: g.ID,
		Category: category, Citation: "Wrote the group's best articles this year."})
	noErr(t, "nominating", err)
	return n
}

func jan(d int) time.Time { return time.Date(2026, time.January, d, 12, 0, 0, 0, time.UTC) }

func TestOpenAwardSelection(t *testing.T) {
	s := newSelectionWorld(t)
	close := s.Now().Add(30 * day)
	sel, err := s.Runner.OpenAwardSelection(s.As(s.staff.ID), workflow.AwardSelectionOpening{Community: pulid.ID(s.com.Slug), Year: 2026, NominationsCloseAt: &close})
	noErr(t, "opening by slug", err)
	if sel.Status != awardselection.StatusOPEN || sel.Year != 2026 || sel.OpenedByID != s.staff.ID || sel.NominationsCloseAt == nil {
		t.Errorf("selection = %+v", sel)
	}
	_, err = s.Runner.OpenAwardSelection(s.As(s.staff.ID), workflow.AwardSelectionOpening{Community: s.com.ID, Year: 2026})
	wantCode(t, err, apierror.Conflict)
	_, err = s.Runner.OpenAwardSelection(s.As(s.org1.ID), workflow.AwardSelectionOpening{Community: s.com.ID, Year: 2027})
	wantCode(t, err, apierror.Forbidden)
	_, err = s.Runner.OpenAwardSelection(s.Anonymous(), workflow.AwardSelectionOpening{Community: s.com.ID, Year: 2027})
	wantCode(t, err, apierror.Unauthenticated)
	_, err = s.Runner.OpenAwardSelection(s.As(s.staff.ID), workflow.AwardSelectionOpening{Community: s.com.ID, Year: 1999})
	refused(t, err, apierror.BadUserInput, "year")
	past := s.Now().Add(-day)
	_, err = s.Runner.OpenAwardSelection(s.As(s.staff.ID), workflow.AwardSelectionOpening{Community: s.com.ID, Year: 2027, NominationsCloseAt: &past})
	refused(t, err, apierror.BadUserInput, "nominationsCloseAt")

	stack := s.Community(policy.OpenStack())
	admin := s.Person(role.KindADMIN, nil)
	_, err = s.Runner.OpenAwardSelection(s.As(admin.ID), workflow.AwardSelectionOpening{Community: stack.ID, Year: 2026})
	refused(t, err, apierror.BadUserInput, "community")
}

func TestNominateForAward(t *testing.T) {
	s := newSelectionWorld(t)
	sel := s.open(t)
	req := func(u *ent.User, g *ent.Group, category string) workflow.AwardNominationRequest {
		return workflow.AwardNominationRequest{Selection: sel.ID, Member: u.ID, Group: g.ID, Category: category, Citation: "For a year of talks."}
	}
	n, err := s.Runner.NominateForAward(s.As(s.org1.ID), req(s.ada, s.g1, policy.AwardOutstandingMember))
	noErr(t, "organizer nominating a member", err)
	if n.Status != awardnomination.StatusNOMINATED || n.NominatedByID != s.org1.ID || n.GroupID != s.g1.ID || n.CommunityID != s.com.ID {
		t.Errorf("nomination = %+v", n)
	}
	_, err = s.Runner.NominateForAward(s.As(s.org1.ID), req(s.ada, s.g1, policy.AwardOutstandingMember))
	wantCode(t, err, apierror.Conflict)
	_, err = s.Runner.NominateForAward(s.As(s.org2.ID), req(s.bob, s.g1, policy.AwardOutstandingMember))
	wantCode(t, err, apierror.Forbidden)
	_, err = s.Runner.NominateForAward(s.As(s.bob.ID), req(s.bob, s.g1, policy.AwardOutstandingMember))
	wantCode(t, err, apierror.Forbidden)
	_, err = s.Runner.NominateForAward(s.As(s.org1.ID), req(s.cy, s.g1, policy.AwardOutstandingMember))
	refused(t, err, apierror.BadUserInput, "member")
	_, err = s.Runner.NominateForAward(s.As(s.org1.ID), req(s.bob, s.g1, "BEST_HAT"))
	refused(t, err, apierror.BadUserInput, "category")
	bad := req(s.bob, s.g1, policy.AwardBestContent)
	bad.Citation = "  "
	_, err = s.Runner.NominateForAward(s.As(s.org1.ID), bad)
	refused(t, err, apierror.BadUserInput, "citation")
	_, err = s.Runner.NominateForAward(s.As(s.staff.ID), req(s.cy, s.g2, policy.AwardBestContent))
	noErr(t, "staff nominating", err)
}

func TestNominationsClose(t *testing.T) {
	s := newSelectionWorld(t)
	close := s.Now().Add(day)
	sel, err := s.Runner.OpenAwardSelection(s.As(s.staff.ID), workflow.AwardSelectionOpening{Community: s.com.ID, Year: 2026, NominationsCloseAt: &close})
	noErr(t, "opening", err)
	s.Clock.Advance(2 * day)
	_, err = s.Runner.NominateForAward(s.As(s.org1.ID), workflow.AwardNominationRequest{Selection: sel.ID, Member: s.ada.ID, Group: s.g1.ID,
		Category: policy.AwardOutstandingMember, Citation: "Late but deserved."})
	wantCode(t, err, apierror.Conflict)
	s.nominate(t, sel, s.staff, s.ada, s.g1, policy.AwardOutstandingMember)
}

func TestTally(t *testing.T) {
	s := newSelectionWorld(t)
	sel := s.open(t)
	s.contribution(s.ada, s.g1, jan(3), 5)
	s.contribution(s.ada, s.g1, jan(4), 3)
	s.contribution(s.bob, s.g1, jan(5), 8)
	s.contribution(s.cy, s.g2, jan(6), 2)
	s.contribution(s.cy, s.g2, time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), 50) // last year
	s.contribution(s.cy, s.g2, jan(7), 40, func(b *ent.ContributionCreate) { b.SetStatus(contribution.StatusPENDING) })

	rows, err := workflow.Tally(s.As(s.staff.ID), s.Client, sel, nil, 50)
	noErr(t, "staff's tally", err)
	type line struct {
		who           pulid.ID
		rank, points  int
		contributions int
	}
	var got []line
	for _, r := range rows {
		got = append(got, line{r.Member.ID, r.Rank, r.Points, r.Contributions})
	}
	// ada and bob tie on 8 points: ada, with more contributions, is listed first.
	want := []line{{s.ada.ID, 1, 8, 2}, {s.bob.ID, 1, 8, 1}, {s.cy.ID, 3, 2, 1}}
	if len(got) != len(want) {
		t.Fatalf("tally = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if rows[0].Group == nil || rows[0].Group.ID != s.g1.ID {
		t.Errorf("row 0's group = %v", rows[0].Group)
	}

	rows, err = workflow.Tally(s.As(s.org2.ID), s.Client, sel, nil, 50)
	noErr(t, "an organizer's tally", err)
	if len(rows) != 1 || rows[0].Member.ID != s.cy.ID {
		t.Errorf("organizer of g2 sees %d rows, want cy's only", len(rows))
	}
	g1 := s.g1.ID
	_, err = workflow.Tally(s.As(s.org2.ID), s.Client, sel, &g1, 50)
	wantCode(t, err, apierror.Forbidden)
	rows, err = workflow.Tally(s.As(s.staff.ID), s.Client, sel, &g1, 1)
	noErr(t, "staff's tally of one group", err)
	if len(rows) != 1 || rows[0].Member.ID != s.ada.ID {
		t.Errorf("the top row of g1 = %+v", rows)
	}
	for name, ctx := range map[string]context.Context{"anonymous": s.Anonymous(), "member": s.As(s.ada.ID)} {
		_, err = workflow.Tally(ctx, s.Client, sel, nil, 50)
		if err == nil {
			t.Errorf("%s read the tally", name)
		}
		wantCode(t, err, apierror.Forbidden)
	}
}

func TestDecideAwards(t *testing.T) {
	s := newSelectionWorld(t)
	sel := s.open(t)
	s.contribution(s.ada, s.g1, jan(3), 8)
	s.contribution(s.bob, s.g1, jan(5), 8)
	s.contribution(s.cy, s.g2, jan(6), 2)
	na := s.nominate(t, sel, s.org1, s.ada, s.g1, policy.AwardOutstandingMember)
	nb := s.nominate(t, sel, s.org1, s.bob, s.g1, policy.AwardOutstandingMember)
	nc := s.nominate(t, sel, s.org2, s.cy, s.g2, policy.AwardBestContent)
	nd := s.nominate(t, sel, s.org2, s.cy, s.g2, policy.AwardOutstandingMember)
	title := "Member of the year"
	decision := workflow.AwardsDecision{Selection: sel.ID, Awards: []*workflow.AwardDecision{
		{Nomination: na.ID, Rank: 1, Title: &title},
		{Nomination: nb.ID, Rank: 2},
		{Nomination: nc.ID, Rank: 1},
	}}

	_, err := s.Runner.DecideAwards(s.As(s.org1.ID), decision)
	wantCode(t, err, apierror.Forbidden)
	_, err = s.Runner.DecideAwards(s.As(s.staff.ID), decision)
	if ae := refused(t, err, apierror.BadUserInput, "tieBreak"); ae.Extensions["reason"] != workflow.ReasonTallyTie {
		t.Errorf("tie refusal's reason = %v", ae.Extensions["reason"])
	}
	bad := decision
	bad.Awards = []*workflow.AwardDecision{{Nomination: na.ID, Rank: 1}, {Nomination: nd.ID, Rank: 1}}
	_, err = s.Runner.DecideAwards(s.As(s.staff.ID), bad)
	refused(t, err, apierror.BadUserInput, "awards")

	why := "Ada also ran the spring meetups."
	decision.TieBreak = &why
	got, err := s.Runner.DecideAwards(s.As(s.staff.ID), decision)
	noErr(t, "deciding", err)
	if got.Selection.Status != awardselection.StatusDECIDED || got.Selection.DecidedAt == nil || got.Selection.DecidedByID != s.staff.ID {
		t.Errorf("selection = %+v", got.Selection)
	}
	if len(got.Awards) != 3 {
		t.Fatalf("%d awards, want 3", len(got.Awards))
	}
	a0, a1, a2 := got.Awards[0], got.Awards[1], got.Awards[2]
	if a0.Title != title || a0.UserID != s.ada.ID || a0.Points != 8 || a0.Rank != 1 || a0.Category != policy.AwardOutstandingMember ||
		a0.SelectionID != sel.ID || a0.Year != 2026 || a0.GroupID != s.g1.ID || a0.Citation != na.Citation {
		t.Errorf("ada's award = %+v", a0)
	}
	if a1.Title != "Outstanding member" || a1.Rank != 2 || a2.Title != "Best content" || a2.Points != 2 {
		t.Errorf("other awards = %+v, %+v", a1, a2)
	}
	statuses := map[pulid.ID]awardnomination.Status{}
	for _, n := range s.Client.AwardNomination.Query().AllX(s.System()) {
		statuses[n.ID] = n.Status
	}
	if statuses[na.ID] != awardnomination.StatusAWARDED || statuses[nc.ID] != awardnomination.StatusAWARDED ||
		statuses[nd.ID] != awardnomination.StatusNOT_AWARDED {
		t.Errorf("nomination statuses = %v", statuses)
	}
	ships := s.Client.Shipment.Query().Where(shipment.KindEQ(shipment.KindGIFT_PACKAGE)).AllX(s.System())
	if len(ships) != 3 {
		t.Errorf("%d gift packages owed, want 3", len(ships))
	}
	for _, sh := range ships {
		if sh.AwardID == "" || sh.Status != shipment.StatusPENDING {
			t.Errorf("shipment = %+v", sh)
		}
	}
	if n := s.Client.Message.Query().Where(message.Template("award_won")).CountX(s.System()); n != 3 {
		t.Errorf("%d winners told, want 3", n)
	}

	_, err = s.Runner.DecideAwards(s.As(s.staff.ID), decision)
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["status"] != "DECIDED" {
		t.Errorf("second decision's status = %v", ae.Extensions["status"])
	}
	_, err = s.Runner.NominateForAward(s.As(s.staff.ID), workflow.AwardNominationRequest{Selection: sel.ID, Member: s.bob.ID, Group: s.g1.ID,
		Category: policy.AwardBestContent, Citation: "Too late."})
	wantCode(t, err, apierror.Conflict)
}

// A decision that fails midway (the second award's title is too short for
// the schema) saves nothing.
func TestDecideAwardsIsOneTransaction(t *testing.T) {
	s := newSelectionWorld(t)
	sel := s.open(t)
	na := s.nominate(t, sel, s.org1, s.ada, s.g1, policy.AwardOutstandingMember)
	nc := s.nominate(t, sel, s.org2, s.cy, s.g2, policy.AwardBestContent)
	short := "x"
	_, err := s.Runner.DecideAwards(s.As(s.staff.ID), workflow.AwardsDecision{Selection: sel.ID, Awards: []*workflow.AwardDecision{
		{Nomination: na.ID, Rank: 1}, {Nomination: nc.ID, Rank: 1, Title: &short},
	}})
	wantCode(t, err, apierror.BadUserInput)
	ctx := s.System()
	if n := s.Client.Award.Query().Where(award.SelectionID(sel.ID)).CountX(ctx); n != 0 {
		t.Errorf("%d awards saved", n)
	}
	if n := s.Client.Shipment.Query().CountX(ctx); n != 0 {
		t.Errorf("%d shipments saved", n)
	}
	if n := s.Client.Message.Query().Where(message.Template("award_won")).CountX(ctx); n != 0 {
		t.Errorf("%d messages saved", n)
	}
	if got := s.Client.AwardSelection.GetX(ctx, sel.ID); got.Status != awardselection.StatusOPEN {
		t.Errorf("selection is %s", got.Status)
	}
	if n := s.Client.AwardNomination.Query().Where(awardnomination.StatusNEQ(awardnomination.StatusNOMINATED)).CountX(ctx); n != 0 {
		t.Errorf("%d nominations changed", n)
	}
}

func TestShowcase(t *testing.T) {
	s := newSelectionWorld(t)
	org := s.Organization()
	s.Import(func(ctx context.Context, c *ent.Client) error {
		if err := c.User.UpdateOneID(s.ada.ID).SetShowcaseConsent(true).SetAvatarURL("https://example.org/ada.png").SetOrganizationID(org.ID).Exec(ctx); err != nil {
			return err
		}
		return c.User.UpdateOneID(s.cy.ID).SetPhotoConsent(true).SetAvatarURL("https://example.org/cy.png").Exec(ctx)
	})
	sel := s.open(t)
	na := s.nominate(t, sel, s.org1, s.ada, s.g1, policy.AwardOutstandingMember)
	nc := s.nominate(t, sel, s.org2, s.cy, s.g2, policy.AwardBestContent)
	_, err := s.Runner.DecideAwards(s.As(s.staff.ID), workflow.AwardsDecision{Selection: sel.ID, Awards: []*workflow.AwardDecision{
		{Nomination: na.ID, Rank: 1}, {Nomination: nc.ID, Rank: 1},
	}})
	noErr(t, "deciding", err)
	year := 2026
	list, err := workflow.Showcase(s.Anonymous(), s.Client, pulid.ID(s.com.Slug), &year)
	noErr(t, "showcase", err)
	if len(list) != 2 {
		t.Fatalf("%d awards shown, want 2", len(list))
	}
	// Ordered by category: BEST_CONTENT (cy) before OUTSTANDING_MEMBER (ada).
	cy, ada := list[0], list[1]
	if ada.Name == nil || *ada.Name != s.ada.Name || ada.Organization == nil || *ada.Organization != org.Name || ada.PhotoURL != nil {
		t.Errorf("ada (showcase consent only) shown as %+v", ada)
	}
	if cy.Name != nil || cy.Organization != nil || cy.PhotoURL == nil || *cy.PhotoURL != "https://example.org/cy.png" {
		t.Errorf("cy (photo consent only) shown as %+v", cy)
	}
	if ada.Title != "Outstanding member" || ada.Group == nil || ada.Citation == nil {
		t.Errorf("ada's award = %+v", ada)
	}
	other := 2025
	list, err = workflow.Showcase(s.Anonymous(), s.Client, s.com.ID, &other)
	noErr(t, "showcase of another year", err)
	if len(list) != 0 {
		t.Errorf("2025 shows %d awards", len(list))
	}
}

func TestMarkShipmentShipped(t *testing.T) {
	s := newSelectionWorld(t)
	p := policy.OpenStack()
	p.JoinSouvenir = true
	com := s.Community(p)
	g := s.Group(com, group.StatusACTIVE)
	staff := s.Person(role.KindCOMMUNITY_MANAGER, com)
	joiner := s.User()
	_, err := s.Runner.JoinGroup(s.As(joiner.ID), workflow.JoinRequest{GroupID: g.ID})
	noErr(t, "joining", err)
	sh := s.Client.Shipment.Query().OnlyX(s.System())
	if sh.Kind != shipment.KindSOUVENIR || sh.UserID != joiner.ID || sh.RoleID == "" || sh.Status != shipment.StatusPENDING {
		t.Fatalf("souvenir = %+v", sh)
	}

	carrier, code := "La Poste", "LP123"
	in := workflow.ShipmentSent{Shipment: sh.ID, Carrier: &carrier, TrackingCode: &code}
	_, err = s.Runner.MarkShipmentShipped(s.As(joiner.ID), in)
	wantCode(t, err, apierror.Forbidden)
	_, err = s.Runner.MarkShipmentShipped(s.As(staff.ID), in)
	if ae := refused(t, err, apierror.Conflict, ""); ae.Extensions["reason"] != workflow.ReasonNoAddress {
		t.Errorf("refusal's reason = %v", ae.Extensions["reason"])
	}
	s.Import(func(ctx context.Context, c *ent.Client) error {
		return c.ShippingAddress.Create().SetUserID(joiner.ID).SetRecipientName("Joiner").SetAddress("1 rue de Rivoli").SetCountry("FR").Exec(ctx)
	})
	got, err := s.Runner.MarkShipmentShipped(s.As(staff.ID), in)
	noErr(t, "marking shipped", err)
	if got.Status != shipment.StatusSHIPPED || got.ShippedAt == nil || got.ShippedByID != staff.ID || got.Carrier != carrier || got.TrackingCode != code {
		t.Errorf("shipment = %+v", got)
	}
	if n := s.Client.Message.Query().Where(message.Template("shipment_sent"), message.RecipientID(joiner.ID)).CountX(s.System()); n != 1 {
		t.Errorf("%d messages to the member, want 1", n)
	}
	_, err = s.Runner.MarkShipmentShipped(s.As(staff.ID), in)
	wantCode(t, err, apierror.Conflict)

	// The person and staff see the address through the shipment; others do not.
	for name, tc := range map[string]struct {
		ctx  context.Context
		want bool
	}{"person": {s.As(joiner.ID), true}, "staff": {s.As(staff.ID), true}, "organizer elsewhere": {s.As(s.org1.ID), false}, "anonymous": {s.Anonymous(), false}} {
		a, err := workflow.ShipmentAddress(tc.ctx, s.Client, got)
		noErr(t, name, err)
		if (a != nil) != tc.want {
			t.Errorf("%s sees the address: %v, want %v", name, a != nil, tc.want)
		}
	}

	// No souvenir where the policy gives none.
	plain := s.Group(s.Community(policy.OpenStack()), group.StatusACTIVE)
	_, err = s.Runner.JoinGroup(s.As(s.User().ID), workflow.JoinRequest{GroupID: plain.ID})
	noErr(t, "joining without a souvenir", err)
	if n := s.Client.Shipment.Query().CountX(s.System()); n != 1 {
		t.Errorf("%d shipments, want only the first souvenir", n)
	}
}

func TestSummitShortlist(t *testing.T) {
	s := newSelectionWorld(t)
	userCase := func(b *ent.ContributionCreate) { b.SetKind(contribution.KindUSER_CASE) }
	uc := s.contribution(s.ada, s.g1, jan(3), 8, userCase)
	pending := s.contribution(s.bob, s.g1, jan(3), 0, userCase, func(b *ent.ContributionCreate) { b.SetStatus(contribution.StatusPENDING) })
	article := s.contribution(s.bob, s.g1, jan(3), 5)

	_, err := s.Runner.ShortlistUserCase(s.As(s.org1.ID), workflow.UserCaseShortlisting{Contribution: uc.ID, Year: 2026})
	wantCode(t, err, apierror.Forbidden)
	_, err = s.Runner.ShortlistUserCase(s.As(s.staff.ID), workflow.UserCaseShortlisting{Contribution: pending.ID, Year: 2026})
	wantCode(t, err, apierror.Conflict)
	_, err = s.Runner.ShortlistUserCase(s.As(s.staff.ID), workflow.UserCaseShortlisting{Contribution: article.ID, Year: 2026})
	refused(t, err, apierror.BadUserInput, "id")
	got, err := s.Runner.ShortlistUserCase(s.As(s.staff.ID), workflow.UserCaseShortlisting{Contribution: uc.ID, Year: 2026})
	noErr(t, "shortlisting", err)
	if got.ShortlistedYear == nil || *got.ShortlistedYear != 2026 {
		t.Errorf("shortlisted year = %v", got.ShortlistedYear)
	}
	list, err := workflow.SummitShortlist(s.As(s.staff.ID), s.Client, s.com.ID, 2026)
	noErr(t, "staff's shortlist", err)
	if len(list) != 1 || list[0].ID != uc.ID {
		t.Errorf("staff's shortlist = %v", list)
	}
	// Ada's ledger is private: the public sees the shortlist without her case.
	list, err = workflow.SummitShortlist(s.Anonymous(), s.Client, s.com.ID, 2026)
	noErr(t, "public shortlist", err)
	if len(list) != 0 {
		t.Errorf("a private ledger's user case is public: %v", list)
	}
	got, err = s.Runner.UnshortlistUserCase(s.As(s.staff.ID), uc.ID)
	noErr(t, "unshortlisting", err)
	if got.ShortlistedYear != nil {
		t.Errorf("still shortlisted for %d", *got.ShortlistedYear)
	}
}
