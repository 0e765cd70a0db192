package workflow

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/award"
	"github.com/usergroups/usergroups/ent/awardnomination"
	"github.com/usergroups/usergroups/ent/awardselection"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/shipment"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// ReasonTallyTie is extensions.reason of the refusal of a decision that
// ranks awarded nominations the tally cannot separate (equal points in one
// category) without the staff's explanation (tieBreak).
const ReasonTallyTie = "TALLY_TIE"

// AwardSelectionOpening is what staff give to open a year's selection.
type AwardSelectionOpening struct {
	// Community is the community selecting: its id or slug.
	Community pulid.ID
	// Year is the year whose verified contributions are tallied.
	Year int
	// NominationsCloseAt is when organizers should have nominated by.
	NominationsCloseAt *time.Time
}

// OpenAwardSelection opens a community's outstanding-member selection for
// a year (its staff only). A community selects once a year (CONFLICT when
// that year's exists) and only in the categories its policy names
// (BAD_USER_INPUT on community when there are none).
func (r *Runner) OpenAwardSelection(ctx context.Context, in AwardSelectionOpening) (*ent.AwardSelection, error) {
	return act(ctx, r, "open award selection", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.AwardSelection, error) {
		id, err := ref.Community(ctx, c, "community", in.Community)
		if err != nil {
			return nil, err
		}
		// Locked: two staff opening the same year at once are told apart
		// here rather than by the unique index.
		com, err := lockCommunityForStaff(ctx, c, v, id, "award selections")
		if err != nil {
			return nil, err
		}
		if len(com.Policy.AwardCategories) == 0 {
			return nil, apierror.Invalid("community", "%s names no award categories in its policy: add some (updateCommunityPolicy) before opening a selection", com.Name)
		}
		if in.Year < 2000 || in.Year > 2200 {
			return nil, apierror.Invalid("year", "year must be between 2000 and 2200")
		}
		if in.NominationsCloseAt != nil && !in.NominationsCloseAt.After(now) {
			return nil, apierror.Invalid("nominationsCloseAt", "nominationsCloseAt must be in the future")
		}
		exists, err := c.AwardSelection.Query().Where(awardselection.CommunityID(com.ID), awardselection.Year(in.Year)).Exist(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		if exists {
			return nil, apierror.Conflictf("%s already has a selection for %d", com.Name, in.Year)
		}
		return c.AwardSelection.Create().SetCommunityID(com.ID).SetYear(in.Year).SetOpenedByID(v.UserID).
			SetNillableNominationsCloseAt(in.NominationsCloseAt).Save(ctx)
	})
}

// lockSelection locks a selection's row and returns it as it is now:
// nominations and the decision that closes them run one after the other.
func lockSelection(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.AwardSelection, error) {
	q := c.AwardSelection.Query().Where(awardselection.ID(id))
	q.Modify(forUpdate)
	s, err := q.Only(ctx)
	return s, notFound(err, "award selection")
}

// openSelection refuses a step on a decided selection.
func openSelection(s *ent.AwardSelection) error {
	if s.Status != awardselection.StatusOPEN {
		return statusConflict(s.Status, "the %d selection is decided; the decision is final", s.Year)
	}
	return nil
}

// AwardNominationRequest is an organizer putting a member forward.
type AwardNominationRequest struct {
	Selection pulid.ID
	Member    pulid.ID
	// Group is the nominee's group: its id or "community/slug".
	Group    pulid.ID
	Category string
	Citation string
}

// NominateForAward puts an active member of a group forward for one of the
// community's award categories in an open selection, with a citation.
// Organizers of the group or the community's staff nominate; after the
// selection's nominationsCloseAt only staff do. A member is nominated once
// per category.
func (r *Runner) NominateForAward(ctx context.Context, in AwardNominationRequest) (*ent.AwardNomination, error) {
	return act(ctx, r, "nominate for award", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.AwardNomination, error) {
		all := authz.Unfiltered(ctx)
		sel, err := lockSelection(ctx, c, in.Selection)
		if err != nil {
			return nil, err
		}
		if err := openSelection(sel); err != nil {
			return nil, err
		}
		gid, err := ref.Group(ctx, c, "group", in.Group)
		if err != nil {
			return nil, err
		}
		g, err := loadGroup(all, c, gid)
		if err != nil {
			return nil, err
		}
		if g.CommunityID != sel.CommunityID {
			return nil, apierror.Invalid("group", "the group is not in the selection's community")
		}
		staff := v.IsStaff(sel.CommunityID)
		if !staff && !v.HasGroupRole(g.ID, viewer.Organizer) {
			return nil, apierror.Forbiddenf("only the group's organizers and the community's staff nominate its members")
		}
		if !staff && sel.NominationsCloseAt != nil && !now.Before(*sel.NominationsCloseAt) {
			return nil, apierror.Conflictf("nominations for %d closed at %s; ask the community's staff", sel.Year, sel.NominationsCloseAt.UTC().Format(time.RFC3339))
		}
		if !slices.Contains(g.Edges.Community.Policy.AwardCategories, in.Category) {
			return nil, apierror.Invalid("category", "category must be one of %s", strings.Join(g.Edges.Community.Policy.AwardCategories, ", "))
		}
		citation, err := checkText("citation", in.Citation, 2000)
		if err != nil {
			return nil, err
		}
		member, err := activeInGroup(ctx, c, g.ID, in.Member)
		if err != nil {
			return nil, err
		}
		if !member {
			return nil, apierror.Invalid("member", "the person is not an active member of the group")
		}
		dup, err := c.AwardNomination.Query().Where(awardnomination.SelectionID(sel.ID), awardnomination.UserID(in.Member),
			awardnomination.Category(in.Category)).Exist(all)
		if err != nil {
			return nil, err
		}
		if dup {
			return nil, apierror.Conflictf("the person is already nominated for %s in %d", in.Category, sel.Year)
		}
		return c.AwardNomination.Create().SetSelectionID(sel.ID).SetCommunityID(sel.CommunityID).SetGroupID(g.ID).
			SetUserID(in.Member).SetNominatedByID(v.UserID).SetCategory(in.Category).SetCitation(citation).Save(ctx)
	})
}

// AwardDecision is one award staff give: a nomination, its place in its
// category, and optionally a title and citation of their own (by default
// the category's title and the nomination's citation).
type AwardDecision struct {
	Nomination pulid.ID
	Rank       int
	Title      *string
	Citation   *string
}

// AwardsDecision is the staff's decision of a selection.
type AwardsDecision struct {
	Selection pulid.ID
	Awards    []*AwardDecision
	// TieBreak is why staff ranked nominations the tally ties as they did;
	// required when there is such a tie.
	TieBreak *string
}

// AwardsDecided is a decided selection and the awards it gave.
type AwardsDecided struct {
	Selection *ent.AwardSelection
	Awards    []*ent.Award
}

// DecideAwards decides a selection, in one transaction and for good: an
// award per listed nomination (AWARDED; every other nomination NOT_AWARDED),
// each with the nominee's tally points, a gift package owed and a message
// to the winner; the selection becomes DECIDED (CONFLICT afterwards).
// Awarded nominations of one category with equal tally points need the
// staff's tieBreak (BAD_USER_INPUT on tieBreak, reason TALLY_TIE).
func (r *Runner) DecideAwards(ctx context.Context, in AwardsDecision) (AwardsDecided, error) {
	return act(ctx, r, "decide awards", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (AwardsDecided, error) {
		all := authz.Unfiltered(ctx)
		sel, err := lockSelection(ctx, c, in.Selection)
		if err != nil {
			return AwardsDecided{}, err
		}
		if !v.IsStaff(sel.CommunityID) {
			return AwardsDecided{}, apierror.Forbiddenf("only the community's staff decide awards")
		}
		if err := openSelection(sel); err != nil {
			return AwardsDecided{}, err
		}
		com, err := c.Community.Get(all, sel.CommunityID)
		if err != nil {
			return AwardsDecided{}, err
		}
		noms, err := c.AwardNomination.Query().Where(awardnomination.SelectionID(sel.ID)).All(all)
		if err != nil {
			return AwardsDecided{}, err
		}
		byID := map[pulid.ID]*ent.AwardNomination{}
		for _, n := range noms {
			byID[n.ID] = n
		}
		rows, err := tallyRows(all, c, sel.CommunityID, sel.Year, nil)
		if err != nil {
			return AwardsDecided{}, err
		}
		points := map[[2]string]int{}
		for _, row := range rows {
			points[[2]string{row.UserID, row.GroupID}] = row.Points
		}
		picks := make([]policy.AwardPick, len(in.Awards))
		for i, a := range in.Awards {
			p := policy.AwardPick{Nomination: string(a.Nomination), Rank: a.Rank}
			if n := byID[a.Nomination]; n != nil {
				p.Known, p.Category, p.Points = true, n.Category, points[[2]string{string(n.UserID), string(n.GroupID)}]
			}
			picks[i] = p
		}
		ties, err := policy.CheckAwardDecision(com.Policy.AwardCategories, picks)
		if err != nil {
			return AwardsDecided{}, err
		}
		tieBreak := ""
		if in.TieBreak != nil {
			tieBreak = strings.TrimSpace(*in.TieBreak)
		}
		if len(ties) > 0 && tieBreak == "" {
			e := apierror.Invalid("tieBreak", "%d nominations in %s have %d points each: say why you ranked them as you did (tieBreak)",
				len(ties[0].Nominations), ties[0].Category, ties[0].Points)
			e.Extensions = map[string]any{"reason": ReasonTallyTie}
			return AwardsDecided{}, e
		}
		if len([]rune(tieBreak)) > 1000 {
			return AwardsDecided{}, apierror.Invalid("tieBreak", "tieBreak must be at most 1000 characters")
		}
		out := AwardsDecided{}
		awarded := make([]pulid.ID, 0, len(in.Awards))
		for i, a := range in.Awards {
			n := byID[a.Nomination]
			aw, err := createAward(ctx, c, sel, n, *a, picks[i].Points)
			if err != nil {
				return AwardsDecided{}, err
			}
			if _, err := issueAwardCertificate(ctx, c, aw, now); err != nil {
				return AwardsDecided{}, err
			}
			if err := c.Shipment.Create().SetCommunityID(sel.CommunityID).SetUserID(n.UserID).SetAwardID(aw.ID).
				SetKind(shipment.KindGIFT_PACKAGE).SetDedupeKey("award:" + string(aw.ID)).Exec(ctx); err != nil {
				return AwardsDecided{}, err
			}
			if err := queueMessage(ctx, c, sel.CommunityID, n.UserID, letters.KindAwardWon,
				letters.AwardWon{Community: com.Name, Award: aw.Title, Year: sel.Year, Rank: aw.Rank}, string(aw.ID)); err != nil {
				return AwardsDecided{}, err
			}
			awarded = append(awarded, n.ID)
			out.Awards = append(out.Awards, aw)
		}
		if err := c.AwardNomination.Update().Where(awardnomination.IDIn(awarded...)).
			SetStatus(awardnomination.StatusAWARDED).Exec(ctx); err != nil {
			return AwardsDecided{}, err
		}
		if err := c.AwardNomination.Update().Where(awardnomination.SelectionID(sel.ID), awardnomination.IDNotIn(awarded...)).
			SetStatus(awardnomination.StatusNOT_AWARDED).Exec(ctx); err != nil {
			return AwardsDecided{}, err
		}
		upd := c.AwardSelection.UpdateOneID(sel.ID).SetStatus(awardselection.StatusDECIDED).
			SetDecidedAt(now).SetDecidedByID(v.UserID)
		if tieBreak != "" {
			upd.SetTieBreak(tieBreak)
		}
		out.Selection, err = upd.Save(ctx)
		return out, err
	})
}

// createAward saves the award a decision gives for nomination n.
func createAward(ctx context.Context, c *ent.Client, sel *ent.AwardSelection, n *ent.AwardNomination, a AwardDecision, points int) (*ent.Award, error) {
	title := policy.AwardTitle(n.Category)
	if a.Title != nil && strings.TrimSpace(*a.Title) != "" {
		title = strings.TrimSpace(*a.Title)
	}
	citation := n.Citation
	if a.Citation != nil && strings.TrimSpace(*a.Citation) != "" {
		citation = strings.TrimSpace(*a.Citation)
	}
	return c.Award.Create().SetCommunityID(sel.CommunityID).SetUserID(n.UserID).SetGroupID(n.GroupID).
		SetYear(sel.Year).SetTitle(title).SetCategory(n.Category).SetRank(a.Rank).SetCitation(citation).
		SetPoints(points).SetSelectionID(sel.ID).Save(ctx)
}

// TallyEntry is one line of a selection's tally: a member's points from
// verified contributions of the year credited to one group.
type TallyEntry struct {
	Rank          int
	Member        *ent.User
	Group         *ent.Group
	Points        int
	Contributions int
}

// Tally is a selection's tally as the viewer may read it (authz.TallyScope):
// every row for the community's staff, their groups' rows for organizers
// and ambassadors, FORBIDDEN for anyone else; group narrows it to one
// group (id or "community/slug"), first to the top rows (1 to 500). Its
// SQL is the same whatever the rows: one grouped query, then the members
// and groups of the rows shown.
func Tally(ctx context.Context, c *ent.Client, sel *ent.AwardSelection, groupRef *pulid.ID, first int) ([]*TallyEntry, error) {
	if first < 1 || first > 500 {
		return nil, apierror.Invalid("first", "first must be between 1 and 500")
	}
	// The row a resolver holds may carry only the fields its query
	// selected: the community and year the permission and sums rest on are
	// read again.
	sel, err := c.AwardSelection.Query().Where(awardselection.ID(sel.ID)).
		Select(awardselection.FieldCommunityID, awardselection.FieldYear).Only(authz.Unfiltered(ctx))
	if err != nil {
		return nil, notFound(err, "award selection")
	}
	everything, groups, ok := authz.TallyScope(viewer.FromContext(ctx), sel.CommunityID)
	if !ok {
		return nil, apierror.Forbiddenf("the tally is for the community's staff and the groups' organizers and ambassadors")
	}
	if groupRef != nil {
		gid, err := ref.Group(ctx, c, "group", *groupRef)
		if err != nil {
			return nil, err
		}
		if !everything && !slices.Contains(groups, gid) {
			return nil, apierror.Forbiddenf("only the group's organizers and ambassadors and the community's staff read its tally")
		}
		groups, everything = []pulid.ID{gid}, false
	}
	if everything {
		groups = nil
	} else if groups == nil {
		groups = []pulid.ID{}
	}
	rows, err := tallyRows(authz.Unfiltered(ctx), c, sel.CommunityID, sel.Year, groups)
	if err != nil {
		return nil, err
	}
	ranked := policy.RankTally(rows)
	if len(ranked) > first {
		ranked = ranked[:first]
	}
	var userIDs, groupIDs []pulid.ID
	for _, r := range ranked {
		userIDs = append(userIDs, pulid.ID(r.UserID))
		if r.GroupID != "" {
			groupIDs = append(groupIDs, pulid.ID(r.GroupID))
		}
	}
	users, err := c.User.Query().Where(user.IDIn(userIDs...)).All(authz.Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	gs, err := c.Group.Query().Where(group.IDIn(groupIDs...)).All(ctx)
	if err != nil {
		return nil, err
	}
	userByID, groupByID := map[string]*ent.User{}, map[string]*ent.Group{}
	for _, u := range users {
		userByID[string(u.ID)] = u
	}
	for _, g := range gs {
		groupByID[string(g.ID)] = g
	}
	out := make([]*TallyEntry, 0, len(ranked))
	for _, r := range ranked {
		out = append(out, &TallyEntry{Rank: r.Rank, Member: userByID[r.UserID], Group: groupByID[r.GroupID],
			Points: r.Points, Contributions: r.Contributions})
	}
	return out, nil
}

// tallyRows sums a community's verified contributions that occurred in
// year by member and group, in one grouped query; groups non-nil keeps
// only those groups' rows.
func tallyRows(ctx context.Context, c *ent.Client, communityID pulid.ID, year int, groups []pulid.ID) ([]policy.TallyRow, error) {
	from, to := policy.YearSpan(year)
	q := c.Contribution.Query().Where(contribution.CommunityID(communityID), contribution.StatusEQ(contribution.StatusVERIFIED),
		contribution.OccurredOnGTE(from), contribution.OccurredOnLT(to))
	if groups != nil {
		q = q.Where(contribution.GroupIDIn(groups...))
	}
	var scanned []struct {
		UserID  pulid.ID `json:"user_id"`
		GroupID pulid.ID `json:"group_id"`
		Sum     int      `json:"sum"`
		Count   int      `json:"count"`
		Max     any      `json:"max"`
	}
	err := q.GroupBy(contribution.FieldUserID, contribution.FieldGroupID).
		Aggregate(ent.Sum(contribution.FieldPoints), ent.Count(), ent.Max(contribution.FieldOccurredOn)).Scan(ctx, &scanned)
	if err != nil {
		return nil, err
	}
	rows := make([]policy.TallyRow, len(scanned))
	for i, s := range scanned {
		rows[i] = policy.TallyRow{UserID: string(s.UserID), GroupID: string(s.GroupID), Points: s.Sum, Contributions: s.Count, Last: scannedTime(s.Max)}
	}
	return rows, nil
}

// scannedTime reads an aggregate of a time column: PostgreSQL answers a
// time, SQLite the text it stores.
func scannedTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case []byte:
		return scannedTime(string(t))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p
			}
		}
	}
	return time.Time{}
}

// AwardCategories are the categories a selection's community awards in now.
func AwardCategories(ctx context.Context, c *ent.Client, sel *ent.AwardSelection) ([]string, error) {
	com, err := c.Community.Query().Where(community.HasAwardSelectionsWith(awardselection.ID(sel.ID))).Only(authz.Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	return append([]string{}, com.Policy.AwardCategories...), nil
}

// ShowcaseAward is one award as the public showcase shows it: the person's
// name and organization only with their showcase consent, their photo only
// with their photo consent.
type ShowcaseAward struct {
	Award        *ent.Award
	Year         int
	Category     *string
	Title        string
	Rank         int
	Citation     *string
	Name         *string
	PhotoURL     *string
	Organization *string
	Group        *ent.Group
}

// Showcase is a community's awards (of one year, or all, newest year first;
// then by category and rank) as anyone may see them: the page of
// outstanding members reads only this.
func Showcase(ctx context.Context, c *ent.Client, communityRef pulid.ID, year *int) ([]*ShowcaseAward, error) {
	id, err := ref.Community(ctx, c, "community", communityRef)
	if err != nil {
		return nil, err
	}
	q := c.Award.Query().Where(award.CommunityID(id))
	if year != nil {
		q = q.Where(award.Year(*year))
	}
	awards, err := q.WithUser(func(uq *ent.UserQuery) { uq.WithOrganization() }).WithGroup().
		Order(ent.Desc(award.FieldYear), ent.Asc(award.FieldCategory), ent.Asc(award.FieldRank), ent.Asc(award.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*ShowcaseAward, 0, len(awards))
	for _, a := range awards {
		s := &ShowcaseAward{Award: a, Year: a.Year, Category: showcaseText(a.Category), Title: a.Title, Rank: a.Rank,
			Citation: showcaseText(a.Citation), Group: a.Edges.Group}
		if u := a.Edges.User; u != nil {
			if u.ShowcaseConsent {
				s.Name = showcaseText(u.Name)
				s.Organization = showcaseText(u.Affiliation)
				if u.Edges.Organization != nil {
					s.Organization = showcaseText(u.Edges.Organization.Name)
				}
			}
			if u.PhotoConsent {
				s.PhotoURL = showcaseText(u.AvatarURL)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func showcaseText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
