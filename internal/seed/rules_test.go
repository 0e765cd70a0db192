package seed_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/agendaitem"
	"github.com/usergroups/usergroups/ent/application"
	"github.com/usergroups/usergroups/ent/candidate"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/election"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/review"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/sponsor"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/policy"
)

// checkRules checks the loaded demo against the rules the product applies
// (internal/policy, as the workflow calls it), recomputed from the stored
// rows: the demo must show only states the rules can produce.
func checkRules(t *testing.T, ctx context.Context, c *ent.Client) {
	ctx = authz.Unfiltered(ctx)
	coms := map[pulid.ID]*ent.Community{}
	for _, com := range c.Community.Query().AllX(ctx) {
		coms[com.ID] = com
	}
	groups := map[pulid.ID]*ent.Group{}
	for _, g := range c.Group.Query().AllX(ctx) {
		groups[g.ID] = g
	}

	t.Run("Screenings", func(t *testing.T) {
		apps := c.Application.Query().Where(application.KindEQ(application.KindNEW_GROUP)).
			Order(ent.Asc(application.FieldID)).AllX(ctx)
		if len(apps) == 0 {
			t.Fatal("no NEW_GROUP application")
		}
		for _, a := range apps {
			checkScreening(t, ctx, c, coms[a.CommunityID], groups, a)
		}
	})

	t.Run("GroupNamesAndSlugs", func(t *testing.T) {
		for _, g := range groups {
			if _, err := policy.CheckGroupName(coms[g.CommunityID].Name, g.Name); err != nil {
				t.Errorf("group %q breaks the naming rule: %v", g.Name, err)
			}
			// The slug the product gives the name, or base-2, base-3… when taken.
			base := policy.Slugify(g.Name)
			if rest, ok := strings.CutPrefix(g.Slug, base); !ok || rest != "" && !strings.HasPrefix(rest, "-") {
				t.Errorf("group %q: slug %q, the product would give %q", g.Name, g.Slug, base)
			}
			if err := policy.ValidateSlug(g.Slug); err != nil {
				t.Errorf("group %q: slug %q: %v", g.Name, g.Slug, err)
			}
		}
	})

	t.Run("RoleCaps", func(t *testing.T) {
		counts := map[string]int{}
		for _, r := range c.Role.Query().Where(role.StatusEQ(role.StatusACTIVE),
			role.KindIn(role.KindORGANIZER, role.KindAMBASSADOR)).AllX(ctx) {
			p := coms[r.CommunityID].Policy
			limit := p.MaxOrganizersPerGroup
			if r.Kind == role.KindAMBASSADOR {
				limit = p.MaxAmbassadorsPerScope
			}
			key := fmt.Sprintf("%s %s in %s%s", r.Kind, r.CommunityID, r.GroupID, r.RegionID)
			if counts[key]++; limit > 0 && counts[key] > limit {
				t.Errorf("%s: %d active, the policy allows %d", key, counts[key], limit)
			}
		}
	})

	t.Run("Terms", func(t *testing.T) {
		for _, r := range c.Role.Query().Where(role.KindIn(role.KindORGANIZER, role.KindAMBASSADOR, role.KindMEMBER)).AllX(ctx) {
			days := coms[r.CommunityID].Policy.TermLengthDays
			switch {
			case r.Kind == role.KindMEMBER || days == 0:
				if r.TermEnd != nil {
					t.Errorf("%s role %s has a term end, which its community does not give", r.Kind, r.ID)
				}
			case r.TermStart == nil || r.TermEnd == nil || !r.TermEnd.Equal(r.TermStart.AddDate(0, 0, days)):
				t.Errorf("%s role %s: term %v to %v, the policy's terms last %d days", r.Kind, r.ID, r.TermStart, r.TermEnd, days)
			}
		}
	})

	t.Run("Events", func(t *testing.T) {
		for _, e := range c.Event.Query().WithGroup().WithAgendaItems().AllX(ctx) {
			p := coms[e.Edges.Group.CommunityID].Policy
			if err := policy.CheckSchedule(policy.Schedule{Start: e.StartsAt, End: e.EndsAt, Capacity: e.Capacity,
				Venue: e.VenueName != "", Online: e.OnlineURL != ""}); err != nil {
				t.Errorf("event %s: %v", e.ID, err)
			}
			slots := make([]policy.Slot, len(e.Edges.AgendaItems))
			for i, it := range e.Edges.AgendaItems {
				slots[i] = policy.Slot{ID: string(it.ID), Title: it.Title, Track: it.Track, Start: it.StartsAt,
					Minutes: it.DurationMinutes, Pitch: it.Kind == agendaitem.KindSPONSOR_PITCH}
			}
			for _, sl := range slots {
				if err := policy.CheckAgenda(sl, slots, e.StartsAt, e.EndsAt, p.MaxSponsorPitchMinutes); err != nil {
					t.Errorf("event %s: agenda item %q: %v", e.ID, sl.Title, err)
				}
			}
			if p.MaxSponsorPitchesPerEvent == 0 {
				continue
			}
			sponsors := c.Sponsor.Query().Where(sponsor.EventID(e.ID), sponsor.PitchMinutesGT(0)).CountX(ctx)
			pitches := 0
			for _, sl := range slots {
				if sl.Pitch {
					pitches++
				}
			}
			if sponsors > p.MaxSponsorPitchesPerEvent || pitches > p.MaxSponsorPitchesPerEvent {
				t.Errorf("event %s: %d sponsors with a pitch, %d pitch slots; the policy allows %d",
					e.ID, sponsors, pitches, p.MaxSponsorPitchesPerEvent)
			}
		}
	})

	t.Run("ElectionResults", func(t *testing.T) {
		for _, e := range c.Election.Query().Where(election.StatusEQ(election.StatusSEATED)).AllX(ctx) {
			cands := c.Candidate.Query().Where(candidate.ElectionID(e.ID), candidate.StatusEQ(candidate.StatusACCEPTED)).
				Order(ent.Asc(candidate.FieldCreatedAt), ent.Asc(candidate.FieldID)).AllX(ctx)
			tallies := make([]policy.Tally, len(cands))
			var elected []string
			for i, cd := range cands {
				tallies[i] = policy.Tally{ID: string(cd.ID), Votes: cd.Votes}
				if cd.Elected {
					elected = append(elected, string(cd.ID))
				}
			}
			res := policy.Count(tallies, e.Seats)
			sort.Strings(elected)
			winners := slices.Sorted(slices.Values(res.Winners))
			if res.Outcome != policy.Decided || !slices.Equal(winners, elected) {
				t.Errorf("election %s: counting gives %s %v, the demo seats %v", e.ID, res.Outcome, winners, elected)
			}
		}
	})
}

// checkScreening recomputes a new-group request's screening from the rows
// with the policy functions the workflow's screening uses.
func checkScreening(t *testing.T, ctx context.Context, c *ent.Client, com *ent.Community, groups map[pulid.ID]*ent.Group, a *ent.Application) {
	t.Helper()
	g := groups[a.GroupID]
	if g == nil {
		t.Errorf("NEW_GROUP %s has no group", a.ID)
		return
	}
	name := fmt.Sprintf("NEW_GROUP %s (%s, %s)", a.ID, g.Name, a.Status)
	sc, p := a.Screening, com.Policy
	if sc.ScreenedAt.IsZero() || sc.ScreenedAt.Before(a.CreatedAt) {
		t.Errorf("%s: screened at %s, created %s", name, sc.ScreenedAt, a.CreatedAt)
	}

	// Supporters: the applicant first, counted when they live in the city.
	supporters := c.Application.Query().Where(application.ID(a.ID)).QuerySupporters()
	if !supporters.Clone().Where(user.ID(a.ApplicantID)).ExistX(ctx) {
		t.Errorf("%s: the applicant is not among the supporters", name)
	}
	local := supporters.Where(user.CityEqualFold(g.City)).AllX(ctx)
	orgs := map[pulid.ID]bool{}
	for _, u := range local {
		if u.OrganizationID != "" {
			orgs[u.OrganizationID] = true
		}
	}
	sup := policy.Supporters{People: len(local), Organizations: len(orgs)}
	if sc.Supporters != sup.People || sc.SupporterOrganizations != sup.Organizations {
		t.Errorf("%s: screening counts %d supporters from %d organizations, the rows %d from %d",
			name, sc.Supporters, sc.SupporterOrganizations, sup.People, sup.Organizations)
	}

	// Flags and missing information.
	var links []string
	for _, l := range a.Answers.Links {
		links = append(links, l.URL)
	}
	flags, missing := policy.Screen(p, com.Name, policy.Request{
		Name: g.Name, Description: a.Answers.Description, Links: links, HasLocation: g.Latitude != nil, Supporters: sup,
	})
	if !slices.Equal(flags, sc.Flags) || !slices.Equal(missing, sc.Missing) {
		t.Errorf("%s: screening flags %v, missing %v; the policy gives %v, %v", name, sc.Flags, sc.Missing, flags, missing)
	}

	// Conflicts: each one a pair the rule finds, with its distance.
	proposed := placeOf(g, string(group.StatusPROPOSED))
	seen := map[string]bool{}
	for _, cf := range sc.Conflicts {
		o := groups[pulid.ID(cf.GroupID)]
		if o == nil || o.CommunityID != com.ID || o.ID == g.ID || seen[cf.GroupID] {
			t.Errorf("%s: conflict with %s, not another group of the community", name, cf.GroupID)
			continue
		}
		seen[cf.GroupID] = true
		if !o.CreatedAt.Before(sc.ScreenedAt) {
			t.Errorf("%s: conflict with %s, created after the screening", name, o.Name)
		}
		found := policy.FindConflicts(p, proposed, []policy.Place{placeOf(o, cf.Status)})
		if len(found) != 1 || found[0].DistanceKm != cf.DistanceKm || cf.Name != o.Name || cf.City != o.City {
			t.Errorf("%s: conflict %+v; the rule finds %+v", name, cf, found)
		}
		switch group.Status(cf.Status) {
		case group.StatusPROPOSED, group.StatusACTIVE, group.StatusOFFICIAL:
		default:
			t.Errorf("%s: conflict with %s in status %s, which screening does not compare against", name, o.Name, cf.Status)
		}
		if cf.ResolvedAt != nil {
			settled := c.Review.Query().Where(review.ApplicationID(a.ID), review.KindEQ(review.KindCOMMENT),
				review.AuthorID(pulid.ID(cf.ResolvedBy)), review.Body("Conflict settled: "+cf.Resolution)).ExistX(ctx)
			if !settled || cf.Resolution == "" || a.DecidedAt != nil && cf.ResolvedAt.After(*a.DecidedAt) {
				t.Errorf("%s: conflict with %s settled without the reviewer's note", name, o.Name)
			}
		}
	}
	// Every group that conflicts by the rule and was there is listed. One
	// live now was live then too (proposed, active or official); one that
	// is not may have been, so only those are certain.
	for _, o := range groups {
		if o.CommunityID != com.ID || o.ID == g.ID || !o.CreatedAt.Before(sc.ScreenedAt) || seen[string(o.ID)] {
			continue
		}
		live := o.Status == group.StatusPROPOSED || o.Status == group.StatusACTIVE || o.Status == group.StatusOFFICIAL
		if !live {
			continue
		}
		if len(policy.FindConflicts(p, proposed, []policy.Place{placeOf(o, string(o.Status))})) > 0 {
			t.Errorf("%s: %s (%s) conflicts by the rule but is not in the screening", name, o.Name, o.Status)
		}
	}

	// A request approved, or approved pending objections, passed the blockers.
	if a.Status == application.StatusAPPROVED || a.Status == application.StatusOBJECTION_WINDOW {
		st := policy.ApprovalState{HasMentor: a.MentorID != "", Supporters: sup}
		for _, cf := range sc.Conflicts {
			if cf.ResolvedAt == nil {
				st.UnresolvedConflicts++
			}
		}
		if a.Status == application.StatusAPPROVED {
			st.OpenObjections = c.Review.Query().Where(review.ApplicationID(a.ID), review.KindEQ(review.KindOBJECTION),
				review.ResolvedAtIsNil()).CountX(ctx)
		}
		if bs := policy.NewGroupBlockers(p, st); len(bs) > 0 {
			t.Errorf("%s: approved although the policy blocks it: %v", name, bs)
		}
	}
	// Approval made the applicant the first organizer where the policy does.
	if a.Status == application.StatusAPPROVED {
		applicant := c.User.GetX(ctx, a.ApplicantID)
		fromPartner := applicant.OrganizationID != "" &&
			c.Organization.GetX(ctx, applicant.OrganizationID).QueryPartnerOf().Where(community.ID(com.ID)).ExistX(ctx)
		organized := c.Role.Query().Where(role.GroupID(g.ID), role.UserID(a.ApplicantID), role.KindEQ(role.KindORGANIZER)).ExistX(ctx)
		if organized != policy.ApplicantOrganizes(p, fromPartner) {
			t.Errorf("%s: the applicant organizes the group: %v; the policy says %v", name, organized, !organized)
		}
	}
}

// placeOf is a group as the conflict check sees it, in status st.
func placeOf(g *ent.Group, st string) policy.Place {
	return policy.Place{ID: string(g.ID), Name: g.Name, City: strings.TrimSpace(g.City), Country: g.Country, Status: st,
		Latitude: g.Latitude, Longitude: g.Longitude}
}
