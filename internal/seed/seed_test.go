package seed_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/agendaitem"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/event"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/sponsor"
	"github.com/usergroups/usergroups/ent/voter"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/seed"
	"github.com/usergroups/usergroups/internal/workflow"
)

// now is the fixed reference time of the tests.
var now = time.Date(2025, 6, 18, 9, 30, 0, 0, time.UTC)

// TestDemo loads the data set and checks its shape; a second load into
// another database, for the determinism check, runs beside it (under -race
// each load takes most of the test's time).
func TestDemo(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	c := db.Client
	db2 := dbtest.Open(t)

	empty, err := seed.IsEmpty(ctx, c)
	if err != nil || !empty {
		t.Fatalf("IsEmpty on a fresh database = %v, %v; want true", empty, err)
	}
	done := make(chan struct{})
	var err2 error
	go func() {
		defer close(done)
		_, err2 = seed.Demo(ctx, db2.Client, seed.Options{Now: now})
	}()
	t.Cleanup(func() { <-done }) // before db2 is closed

	start := time.Now()
	stats, err := seed.Demo(ctx, c, seed.Options{Now: now})
	if err != nil {
		t.Fatalf("Demo: %v", err)
	}
	t.Logf("Demo on %s took %v (beside a second load): %+v", db.Dialect, time.Since(start).Round(time.Millisecond), stats)

	t.Run("Minimums", func(t *testing.T) {
		counts := map[string][2]int{ // stats, minimum
			"communities":   {stats.Communities, 2},
			"groups":        {stats.Groups, 60},
			"users":         {stats.Users, 3000},
			"organizations": {stats.Organizations, 300},
			"events":        {stats.Events, 400},
			"agenda items":  {stats.AgendaItems, 400},
			"sponsors":      {stats.Sponsors, 100},
			"registrations": {stats.Registrations, 10000},
			"applications":  {stats.Applications, 40},
			"reviews":       {stats.Reviews, 40},
			"contributions": {stats.Contributions, 2000},
			"awards":        {stats.Awards, 1},
			"submissions":   {stats.Submissions, 1},
			"reports":       {stats.Reports, 1},
			"messages":      {stats.Messages, 1},
			"regions":       {stats.Regions, 5},
			"elections":     {stats.Elections, 3},
			"candidates":    {stats.Candidates, 6},
			"voters":        {stats.Voters, 1},
			"selections":    {stats.AwardSelections, 2},
			"nominations":   {stats.Nominations, 10},
			"certificates":  {stats.Certificates, 10},
			"shipments":     {stats.Shipments, 10},
		}
		for name, v := range counts {
			if v[0] < v[1] {
				t.Errorf("%s: %d, want at least %d", name, v[0], v[1])
			}
		}
		// The stats match what is stored.
		stored := map[string][2]int{
			"groups":        {c.Group.Query().CountX(ctx), stats.Groups},
			"users":         {c.User.Query().CountX(ctx), stats.Users},
			"organizations": {c.Organization.Query().CountX(ctx), stats.Organizations},
			"roles":         {c.Role.Query().CountX(ctx), stats.Roles},
			"events":        {c.Event.Query().CountX(ctx), stats.Events},
			"registrations": {c.Registration.Query().CountX(ctx), stats.Registrations},
			"applications":  {c.Application.Query().CountX(ctx), stats.Applications},
			"reviews":       {c.Review.Query().CountX(ctx), stats.Reviews},
			"contributions": {c.Contribution.Query().CountX(ctx), stats.Contributions},
			"elections":     {c.Election.Query().CountX(ctx), stats.Elections},
			"candidates":    {c.Candidate.Query().CountX(ctx), stats.Candidates},
			"voters":        {c.Voter.Query().CountX(ctx), stats.Voters},
			"selections":    {c.AwardSelection.Query().CountX(ctx), stats.AwardSelections},
			"nominations":   {c.AwardNomination.Query().CountX(ctx), stats.Nominations},
			"certificates":  {c.Certificate.Query().CountX(ctx), stats.Certificates},
			"shipments":     {c.Shipment.Query().CountX(ctx), stats.Shipments},
		}
		for name, v := range stored {
			if v[0] != v[1] {
				t.Errorf("%s: %d stored, stats say %d", name, v[0], v[1])
			}
		}
		// Every event has an agenda.
		if n := c.Event.Query().Where(event.Not(event.HasAgendaItems())).CountX(ctx); n != 0 {
			t.Errorf("%d events without agenda items", n)
		}
		// Every contribution kind appears, some verified.
		for _, k := range []contribution.Kind{contribution.KindARTICLE, contribution.KindTALK, contribution.KindUSER_CASE,
			contribution.KindREFERRAL, contribution.KindFEEDBACK, contribution.KindCODE, contribution.KindDOCS,
			contribution.KindTRANSLATION, contribution.KindEVENT_HELP} {
			if !c.Contribution.Query().Where(contribution.KindEQ(k), contribution.VerifiedAtNotNil()).ExistX(ctx) {
				t.Errorf("no verified %s contribution", k)
			}
		}
	})

	t.Run("OpenEulerRosters", func(t *testing.T) {
		oe := c.Community.Query().Where(community.Slug("openeuler")).OnlyX(ctx)
		groups := c.Group.Query().Where(group.CommunityID(oe.ID), group.StatusEQ(group.StatusACTIVE)).AllX(ctx)
		if len(groups) != 12 {
			t.Fatalf("openEuler has %d active groups, want 12", len(groups))
		}
		for _, gr := range groups {
			org := gr.QueryRoles().Where(role.KindEQ(role.KindORGANIZER)).CountX(ctx)
			amb := gr.QueryRoles().Where(role.KindEQ(role.KindAMBASSADOR)).CountX(ctx)
			live := gr.QueryRoles().Where(role.KindIn(role.KindORGANIZER, role.KindAMBASSADOR), role.StatusEQ(role.StatusACTIVE)).CountX(ctx)
			members := gr.QueryRoles().Where(role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE)).CountX(ctx)
			if org != 1 || amb != 10 || live != 11 {
				t.Errorf("%s: %d organizers, %d ambassadors (%d active), want 1 and 10", gr.Name, org, amb, live)
			}
			if members < 50 {
				t.Errorf("%s: %d active members", gr.Name, members)
			}
			if gr.Country != "CN" || gr.Latitude == nil || gr.Longitude == nil {
				t.Errorf("%s: country %s, coordinates %v %v", gr.Name, gr.Country, gr.Latitude, gr.Longitude)
			}
			// Leaders work for partner enterprises.
			leaders := gr.QueryRoles().Where(role.KindIn(role.KindORGANIZER, role.KindAMBASSADOR)).QueryUser().AllX(ctx)
			for _, u := range leaders {
				if u.OrganizationID == "" || !c.Organization.GetX(ctx, u.OrganizationID).QueryPartnerOf().Where(community.ID(oe.ID)).ExistX(ctx) {
					t.Errorf("%s: leader %s is not from a partner enterprise", gr.Name, u.Handle)
				}
			}
		}
		if n := c.Award.Query().CountX(ctx); n < 10 {
			t.Errorf("%d awards", n)
		}
	})

	t.Run("GroupStatuses", func(t *testing.T) {
		for _, s := range []group.Status{group.StatusPROPOSED, group.StatusACTIVE, group.StatusOFFICIAL,
			group.StatusREJECTED, group.StatusDORMANT, group.StatusARCHIVED} {
			if !c.Group.Query().Where(group.StatusEQ(s)).ExistX(ctx) {
				t.Errorf("no %s group", s)
			}
		}
		if c.Group.Query().Where(group.StatusEQ(group.StatusOFFICIAL), group.OfficialSinceIsNil()).ExistX(ctx) {
			t.Error("an OFFICIAL group has no officialSince")
		}
		if c.Group.Query().Where(group.StatusEQ(group.StatusACTIVE), group.HasCommunityWith(community.Slug("openstack")), group.MentorIDIsNil()).ExistX(ctx) {
			t.Error("an ACTIVE OpenStack group has no mentor")
		}
		if !c.Group.Query().Where(group.NameContains("{")).ExistX(ctx) {
			t.Error("no group name has a nickname")
		}
	})

	t.Run("Applications", func(t *testing.T) {
		open := []application.Status{application.StatusSUBMITTED, application.StatusIN_REVIEW,
			application.StatusNEEDS_INFO, application.StatusOBJECTION_WINDOW}
		if n := c.Application.Query().Where(application.StatusIn(open...)).CountX(ctx); n < 40 {
			t.Errorf("%d open applications, want at least 40", n)
		}
		for _, k := range []application.Kind{application.KindNEW_GROUP, application.KindMEMBERSHIP, application.KindORGANIZER,
			application.KindAMBASSADOR, application.KindOFFICIAL_STATUS, application.KindFUNDING} {
			if !c.Application.Query().Where(application.KindEQ(k), application.StatusIn(open...)).ExistX(ctx) {
				t.Errorf("no open %s application", k)
			}
		}
		for _, s := range open {
			if !c.Application.Query().Where(application.StatusEQ(s)).ExistX(ctx) {
				t.Errorf("no %s application", s)
			}
		}
		if !c.Application.Query().Where(application.StatusIn(application.StatusAPPROVED, application.StatusREJECTED)).ExistX(ctx) {
			t.Error("no decided application")
		}
		if !c.Review.Query().Where(review.KindEQ(review.KindOBJECTION), review.ResolvedAtIsNil()).ExistX(ctx) {
			t.Error("no open objection")
		}
		for _, k := range []review.Kind{review.KindCOMMENT, review.KindINFO_REQUEST, review.KindENDORSEMENT, review.KindSTATUS_CHANGE} {
			if !c.Review.Query().Where(review.KindEQ(k)).ExistX(ctx) {
				t.Errorf("no %s review", k)
			}
		}
		// A new-group request with a conflict and distances.
		var conflict bool
		for _, a := range c.Application.Query().Where(application.KindEQ(application.KindNEW_GROUP), application.StatusIn(open...)).AllX(ctx) {
			if a.Answers.ProposedName == "" {
				t.Errorf("NEW_GROUP %s without a proposed name", a.ID)
			}
			for _, cf := range a.Screening.Conflicts {
				if cf.DistanceKm > 0 {
					conflict = true
				}
			}
		}
		if !conflict {
			t.Error("no open NEW_GROUP application with a conflict")
		}
		for _, a := range c.Application.Query().Where(application.KindEQ(application.KindOFFICIAL_STATUS)).AllX(ctx) {
			if len(a.Checklist.Items) == 0 {
				t.Errorf("OFFICIAL_STATUS %s without a checklist", a.ID)
			}
		}
		for _, a := range c.Application.Query().Where(application.KindEQ(application.KindFUNDING)).AllX(ctx) {
			if a.Answers.AmountCents <= 0 || a.Answers.Purpose == "" {
				t.Errorf("FUNDING %s without amount or purpose", a.ID)
			}
		}
		if n := c.Application.Query().Where(application.Not(application.HasReviews())).CountX(ctx); n != 0 {
			t.Errorf("%d applications without reviews", n)
		}
		// Reviews never lie in the future.
		if c.Review.Query().Where(review.CreatedAtGT(now)).ExistX(ctx) {
			t.Error("a review is dated after Now")
		}
	})

	t.Run("Events", func(t *testing.T) {
		for _, s := range []event.Status{event.StatusDRAFT, event.StatusPUBLISHED, event.StatusCANCELLED, event.StatusCOMPLETED} {
			if !c.Event.Query().Where(event.StatusEQ(s)).ExistX(ctx) {
				t.Errorf("no %s event", s)
			}
		}
		if c.Event.Query().Where(event.StatusEQ(event.StatusCOMPLETED), event.EndsAtGT(now)).ExistX(ctx) {
			t.Error("a COMPLETED event ends after Now")
		}
		if c.Event.Query().Where(event.StatusEQ(event.StatusPUBLISHED), event.StartsAtLT(now)).ExistX(ctx) {
			t.Error("a PUBLISHED event started before Now")
		}
		if !c.Event.Query().Where(event.VisibilityEQ(event.VisibilityMEMBERS_ONLY)).ExistX(ctx) {
			t.Error("no members-only event")
		}
		if total, capped := c.Event.Query().CountX(ctx), c.Event.Query().Where(event.CapacityNotNil()).CountX(ctx); capped*10 < total*7 {
			t.Errorf("only %d of %d events have a capacity", capped, total)
		}
		oe := c.Community.Query().Where(community.Slug("openeuler")).OnlyX(ctx)
		if c.Event.Query().Where(event.HasGroupWith(group.CommunityID(oe.ID)), event.TimeZoneNEQ("Asia/Shanghai")).ExistX(ctx) {
			t.Error("an openEuler event is not in Asia/Shanghai")
		}
		// Sponsor pitches stay within the OpenStack policy's cap.
		os := c.Community.Query().Where(community.Slug("openstack")).OnlyX(ctx)
		pitchCap := os.Policy.MaxSponsorPitchMinutes
		inOS := event.HasGroupWith(group.CommunityID(os.ID))
		if !c.AgendaItem.Query().Where(agendaitem.KindEQ(agendaitem.KindSPONSOR_PITCH), agendaitem.HasEventWith(inOS)).ExistX(ctx) {
			t.Error("no sponsor pitch in an OpenStack agenda")
		}
		if c.AgendaItem.Query().Where(agendaitem.KindEQ(agendaitem.KindSPONSOR_PITCH), agendaitem.DurationMinutesGT(pitchCap),
			agendaitem.HasEventWith(inOS)).ExistX(ctx) ||
			c.Sponsor.Query().Where(sponsor.PitchMinutesGT(pitchCap), sponsor.HasEventWith(inOS)).ExistX(ctx) {
			t.Errorf("a sponsor pitch exceeds the OpenStack cap of %d minutes", pitchCap)
		}
		if c.Event.Query().Where(event.StatusEQ(event.StatusCANCELLED), event.CancelReasonIsNil()).ExistX(ctx) {
			t.Error("a cancelled event has no reason")
		}
		// GOING never exceeds capacity; upcoming events have no attendance yet.
		for _, e := range c.Event.Query().Where(event.CapacityNotNil()).AllX(ctx) {
			seated := e.QueryRegistrations().Where(registration.StatusIn(registration.StatusGOING, registration.StatusATTENDED, registration.StatusNO_SHOW)).CountX(ctx)
			if seated > *e.Capacity {
				t.Errorf("event %s: %d seated, capacity %d", e.ID, seated, *e.Capacity)
			}
		}
		if c.Registration.Query().Where(registration.StatusIn(registration.StatusATTENDED, registration.StatusNO_SHOW),
			registration.HasEventWith(event.StartsAtGT(now))).ExistX(ctx) {
			t.Error("attendance recorded for an upcoming event")
		}
		if c.Registration.Query().Where(registration.StatusEQ(registration.StatusGOING),
			registration.HasEventWith(event.StartsAtLT(now))).ExistX(ctx) {
			t.Error("a past event still has GOING registrations")
		}
		for _, s := range []registration.Status{registration.StatusGOING, registration.StatusWAITLISTED,
			registration.StatusCANCELLED, registration.StatusATTENDED, registration.StatusNO_SHOW} {
			if !c.Registration.Query().Where(registration.StatusEQ(s)).ExistX(ctx) {
				t.Errorf("no %s registration", s)
			}
		}
	})

	t.Run("Elections", func(t *testing.T) {
		for _, com := range c.Community.Query().AllX(ctx) {
			if !strings.HasPrefix(com.AmbassadorsListEmail, "ambassadors@") || !strings.HasSuffix(com.AmbassadorsListEmail, ".example") {
				t.Errorf("%s: ambassadors' list %q", com.Name, com.AmbassadorsListEmail)
			}
		}
		oe := c.Community.Query().Where(community.Slug("openeuler")).OnlyX(ctx)
		// onRoster reports whether the person holds an ACTIVE MEMBER role in
		// the group, held since t when t is not zero (the voter roll closes
		// when an election opens).
		onRoster := func(groupID, userID pulid.ID, t time.Time) bool {
			q := c.Role.Query().Where(role.GroupID(groupID), role.UserID(userID), role.KindEQ(role.KindMEMBER), role.StatusEQ(role.StatusACTIVE))
			if !t.IsZero() {
				q.Where(role.CreatedAtLTE(t))
			}
			return q.ExistX(ctx)
		}
		var voting, nominating, seated int
		for _, e := range c.Election.Query().WithCandidates().Order(ent.Asc(election.FieldID)).AllX(ctx) {
			gr := c.Group.GetX(ctx, e.GroupID)
			voters := c.Voter.Query().Where(voter.ElectionID(e.ID)).AllX(ctx)
			votes := 0
			for _, cd := range e.Edges.Candidates {
				votes += cd.Votes
				if !onRoster(e.GroupID, cd.UserID, time.Time{}) || !onRoster(e.GroupID, cd.NominatedByID, time.Time{}) {
					t.Errorf("election %s: candidate %s or their nominator is not an active member of %s", e.ID, cd.UserID, gr.Name)
				}
				if cd.Status == candidate.StatusACCEPTED && cd.NominatedByID != cd.UserID && cd.Statement != "" {
					t.Errorf("election %s: candidate %s nominated by someone else has a statement", e.ID, cd.ID)
				}
				if cd.CreatedAt.Before(e.CreatedAt) || cd.CreatedAt.After(e.NominationsCloseAt) || cd.CreatedAt.After(now) {
					t.Errorf("election %s: candidate %s nominated at %s, outside nominations", e.ID, cd.ID, cd.CreatedAt)
				}
			}
			if e.CommunityID != oe.ID || gr.CommunityID != oe.ID || e.Kind != election.KindORGANIZER || e.Seats != 1 {
				t.Errorf("election %s: community %s (group's %s), kind %s, %d seats", e.ID, e.CommunityID, gr.CommunityID, e.Kind, e.Seats)
			}
			if !e.CreatedAt.Before(e.NominationsCloseAt) || !e.NominationsCloseAt.Before(e.VotingClosesAt) || e.TermStartsAt.Before(e.VotingClosesAt) {
				t.Errorf("election %s: opened %s, nominations close %s, voting closes %s, term starts %s",
					e.ID, e.CreatedAt, e.NominationsCloseAt, e.VotingClosesAt, e.TermStartsAt)
			}
			incumbent := c.Role.Query().Where(role.GroupID(e.GroupID), role.KindEQ(role.KindORGANIZER), role.StatusEQ(role.StatusACTIVE)).OnlyX(ctx)
			switch {
			case e.Status == election.StatusOPEN:
				// The next term: it begins when the incumbent's ends, soon.
				if incumbent.TermEnd == nil || !e.TermStartsAt.Equal(*incumbent.TermEnd) || e.TermNumber != incumbent.TermNumber+1 ||
					e.OpenedByID != incumbent.UserID || e.TermStartsAt.After(now.AddDate(0, 2, 0)) {
					t.Errorf("election %s: term %d from %s opened by %s; incumbent %s in term %d until %v",
						e.ID, e.TermNumber, e.TermStartsAt, e.OpenedByID, incumbent.UserID, incumbent.TermNumber, incumbent.TermEnd)
				}
				if e.CreatedAt.After(now) || !e.VotingClosesAt.After(now) || e.DecidedAt != nil || e.Turnout != nil {
					t.Errorf("election %s: OPEN but opened %s, closing %s, decided %v", e.ID, e.CreatedAt, e.VotingClosesAt, e.DecidedAt)
				}
				if e.NominationsCloseAt.After(now) {
					nominating++
					if len(voters) != 0 || votes != 0 {
						t.Errorf("election %s: %d voters and %d votes before voting opened", e.ID, len(voters), votes)
					}
					continue
				}
				voting++
				if len(voters) != votes || votes == 0 {
					t.Errorf("election %s: %d voters, %d votes", e.ID, len(voters), votes)
				}
				for _, cd := range e.Edges.Candidates {
					if cd.Status != candidate.StatusACCEPTED || cd.NominatedByID != cd.UserID || cd.Elected {
						t.Errorf("election %s: candidate %s is %s (nominated by %s, elected %v)", e.ID, cd.ID, cd.Status, cd.NominatedByID, cd.Elected)
					}
				}
				for _, v := range voters {
					if !onRoster(e.GroupID, v.UserID, e.CreatedAt) {
						t.Errorf("election %s: voter %s was not an active member when it opened", e.ID, v.UserID)
					}
				}
			case e.Status == election.StatusSEATED:
				seated++
				turnout := -1
				if e.Turnout != nil {
					turnout = *e.Turnout
				}
				if turnout != len(voters) || votes != len(voters) || e.DecidedAt == nil ||
					e.DecidedAt.Before(e.VotingClosesAt) || e.TermStartsAt.After(now) {
					t.Errorf("election %s: turnout %d, %d voters, %d votes, decided %v, term from %s",
						e.ID, turnout, len(voters), votes, e.DecidedAt, e.TermStartsAt)
				}
				var winners []*ent.Candidate
				for _, cd := range e.Edges.Candidates {
					if cd.Elected {
						winners = append(winners, cd)
					}
				}
				if len(winners) != e.Seats {
					t.Fatalf("election %s: %d elected for %d seats", e.ID, len(winners), e.Seats)
				}
				for _, cd := range e.Edges.Candidates {
					if cd != winners[0] && cd.Votes >= winners[0].Votes {
						t.Errorf("election %s: %s elected with %d votes, %s had %d", e.ID, winners[0].ID, winners[0].Votes, cd.ID, cd.Votes)
					}
				}
				// The winner holds the role for the elected term.
				if incumbent.UserID != winners[0].UserID || incumbent.TermNumber != e.TermNumber ||
					incumbent.TermStart == nil || !incumbent.TermStart.Equal(e.TermStartsAt) {
					t.Errorf("election %s: winner %s for term %d from %s; organizer %s in term %d from %v",
						e.ID, winners[0].UserID, e.TermNumber, e.TermStartsAt, incumbent.UserID, incumbent.TermNumber, incumbent.TermStart)
				}
				for _, v := range voters {
					if !c.Role.Query().Where(role.GroupID(e.GroupID), role.UserID(v.UserID), role.KindEQ(role.KindMEMBER),
						role.CreatedAtLTE(e.CreatedAt)).ExistX(ctx) {
						t.Errorf("election %s: voter %s was not a member when it opened", e.ID, v.UserID)
					}
				}
			default:
				t.Errorf("election %s: unexpected status %s", e.ID, e.Status)
			}
		}
		if voting == 0 || nominating == 0 || seated == 0 {
			t.Errorf("%d elections voting, %d taking nominations, %d seated; want each", voting, nominating, seated)
		}
	})

	t.Run("Rules", func(t *testing.T) { checkRules(t, ctx, c) })
	t.Run("Year", func(t *testing.T) { checkYear(t, ctx, c) })

	first := digest(ctx, t, c)

	t.Run("NotEmpty", func(t *testing.T) {
		if empty, err := seed.IsEmpty(ctx, c); err != nil || empty {
			t.Fatalf("IsEmpty after Demo = %v, %v; want false", empty, err)
		}
		_, err := seed.Demo(ctx, c, seed.Options{Now: now.Add(time.Hour)})
		if !errors.Is(err, seed.ErrNotEmpty) {
			t.Fatalf("second Demo: %v, want ErrNotEmpty", err)
		}
		if again := digest(ctx, t, c); again != first {
			t.Error("a refused Demo changed the data")
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		<-done
		if err2 != nil {
			t.Fatalf("Demo into a second database: %v", err2)
		}
		if second := digest(ctx, t, db2.Client); second != first {
			t.Errorf("two loads with the same Now differ: %s vs %s", first, second)
		}
	})

	// Issue 19's demo rows: the staff board, the newsletter, funding.
	t.Run("ReportsAndContact", func(t *testing.T) { checkDemoReportsAndContact(t, ctx, c) })
	t.Run("Submissions", func(t *testing.T) { checkDemoSubmissions(t, ctx, c) })
	t.Run("Funding", func(t *testing.T) { checkDemoFunding(t, ctx, c) })

	// Last, since it writes: the scheduled jobs find nothing due at Now
	// (the demo already holds what they would have done: warnings sent,
	// years renewed, lapses), and a month later the members left at risk
	// with nothing pending lapse.
	t.Run("JobsAtNow", func(t *testing.T) {
		at := func(d time.Duration) workflow.TickReport {
			rep, err := workflow.Tick(ctx, workflow.NewRunner(c, func() time.Time { return now.Add(d) }))
			if err != nil {
				t.Fatalf("Tick at Now+%v: %v", d, err)
			}
			return rep
		}
		if rep := at(0); rep != (workflow.TickReport{}) {
			t.Errorf("Tick at Now: %+v, want nothing due", rep)
		}
		if rep := at(31 * 24 * time.Hour); rep.Lapsed == 0 || rep.Renewed == 0 || rep.Failed != 0 {
			t.Errorf("Tick a month later: %+v, want lapses and renewals", rep)
		}
	})
}

// TestDemoRefusesNonEmpty checks a database with a community is left alone.
func TestDemoRefusesNonEmpty(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	err := workflow.NewRunner(db.Client, nil).Import(ctx, "a community", func(ctx context.Context, c *ent.Client) error {
		return c.Community.Create().SetName("Existing").SetSlug("existing").Exec(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(ctx, db.Client, seed.Options{Now: now}); !errors.Is(err, seed.ErrNotEmpty) {
		t.Fatalf("Demo: %v, want ErrNotEmpty", err)
	}
	if n := db.Client.User.Query().CountX(ctx); n != 0 {
		t.Errorf("%d users written", n)
	}
	if n := db.Client.Community.Query().CountX(ctx); n != 1 {
		t.Errorf("%d communities, want 1", n)
	}
}

// BenchmarkDemo measures one load into a fresh database.
func BenchmarkDemo(b *testing.B) {
	ctx := dbtest.FixtureContext(b)
	for b.Loop() {
		b.StopTimer()
		db := dbtest.Open(b)
		b.StartTimer()
		if _, err := seed.Demo(ctx, db.Client, seed.Options{Now: now}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = db.Close()
		b.StartTimer()
	}
}

// digest hashes the identity and shape of the data set: ids with names,
// handles, relationships, statuses and dates.
func digest(ctx context.Context, t *testing.T, c *ent.Client) string {
	t.Helper()
	h := sha256.New()
	w := func(h hash.Hash, format string, args ...any) { fmt.Fprintf(h, format+"\n", args...) }
	for _, x := range c.Group.Query().Order(ent.Asc(group.FieldID)).AllX(ctx) {
		w(h, "group %s %s %s %s %s", x.ID, x.Name, x.Slug, x.Status, x.MentorID)
	}
	for _, x := range c.User.Query().Order(ent.Asc("id")).AllX(ctx) {
		w(h, "user %s %s %s %s", x.ID, x.Handle, x.Name, x.OrganizationID)
	}
	for _, x := range c.Contact.Query().Order(ent.Asc("id")).AllX(ctx) {
		w(h, "contact %s %s %s", x.ID, x.UserID, x.Email)
	}
	for _, x := range c.Organization.Query().Order(ent.Asc("id")).AllX(ctx) {
		w(h, "org %s %s", x.ID, x.Name)
	}
	for _, x := range c.Role.Query().Order(ent.Asc(role.FieldID)).AllX(ctx) {
		w(h, "role %s %s %s %s %s %d", x.ID, x.UserID, x.Kind, x.ScopeKey, x.Status, x.CreatedAt.Unix())
	}
	for _, x := range c.Event.Query().Order(ent.Asc(event.FieldID)).AllX(ctx) {
		w(h, "event %s %s %s %s %d %d", x.ID, x.GroupID, x.Title, x.Status, x.StartsAt.Unix(), x.EndsAt.Unix())
	}
	for _, x := range c.Registration.Query().Order(ent.Asc(registration.FieldID)).AllX(ctx) {
		w(h, "rsv %s %s %s %s %s", x.ID, x.EventID, x.UserID, x.Status, x.CheckInCode)
	}
	for _, x := range c.Application.Query().Order(ent.Asc(application.FieldID)).AllX(ctx) {
		w(h, "app %s %s %s %s %s %d", x.ID, x.Kind, x.Status, x.ApplicantID, x.GroupID, x.CreatedAt.Unix())
	}
	for _, x := range c.Review.Query().Order(ent.Asc(review.FieldID)).AllX(ctx) {
		w(h, "rev %s %s %s %s %d", x.ID, x.ApplicationID, x.Kind, x.Body, x.CreatedAt.Unix())
	}
	for _, x := range c.Contribution.Query().Order(ent.Asc(contribution.FieldID)).AllX(ctx) {
		w(h, "ctb %s %s %s %s %s %s %d", x.ID, x.UserID, x.Kind, x.Title, x.URL, x.Status, x.Points)
	}
	for _, x := range c.Award.Query().Order(ent.Asc("id")).AllX(ctx) {
		w(h, "awd %s %s %s %d", x.ID, x.UserID, x.Title, x.Rank)
	}
	for _, x := range c.AwardNomination.Query().Order(ent.Asc("id")).AllX(ctx) {
		w(h, "nom %s %s %s %s %s", x.ID, x.SelectionID, x.UserID, x.Category, x.Status)
	}
	for _, x := range c.Certificate.Query().Order(ent.Asc("id")).AllX(ctx) {
		w(h, "crt %s %s %s %s %s", x.ID, x.UserID, x.Kind, x.Code, x.HolderName)
	}
	for _, x := range c.Shipment.Query().Order(ent.Asc("id")).AllX(ctx) {
		w(h, "shm %s %s %s %s %s", x.ID, x.UserID, x.Kind, x.Status, x.TrackingCode)
	}
	for _, x := range c.Election.Query().Order(ent.Asc(election.FieldID)).AllX(ctx) {
		w(h, "ele %s %s %s %d %d %d", x.ID, x.GroupID, x.Status, x.TermNumber, x.CreatedAt.Unix(), x.VotingClosesAt.Unix())
	}
	for _, x := range c.Candidate.Query().Order(ent.Asc(candidate.FieldID)).AllX(ctx) {
		w(h, "cnd %s %s %s %s %s %d %v", x.ID, x.ElectionID, x.UserID, x.NominatedByID, x.Status, x.Votes, x.Elected)
	}
	for _, x := range c.Voter.Query().Order(ent.Asc(voter.FieldID)).AllX(ctx) {
		w(h, "vtr %s %s %s", x.ID, x.ElectionID, x.UserID)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
