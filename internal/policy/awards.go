package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// TallyRow is one member's verified contributions credited to one group in
// a selection's year, as the tally query sums them.
type TallyRow struct {
	UserID        string
	GroupID       string // empty for contributions credited to no group
	Points        int
	Contributions int
	// Last is when the member's latest counted contribution occurred.
	Last time.Time
}

// RankedRow is a tally row with its place.
type RankedRow struct {
	TallyRow
	// Rank is 1 + the number of rows with strictly more points: rows with
	// equal points share a rank, which shows staff a tie to break.
	Rank int
}

// RankTally orders a year's tally and gives each row its rank. Points
// decide the rank; equal points are a tie, whatever else differs, and
// only staff break it (DecideAwards' tieBreak). Within a tie the listing
// order is more contributions first, then the earlier last contribution
// (who reached the total sooner), then the ids, so that the list is stable.
func RankTally(rows []TallyRow) []RankedRow {
	out := make([]RankedRow, len(rows))
	for i, r := range rows {
		out[i] = RankedRow{TallyRow: r}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Points != b.Points:
			return a.Points > b.Points
		case a.Contributions != b.Contributions:
			return a.Contributions > b.Contributions
		case !a.Last.Equal(b.Last):
			return a.Last.Before(b.Last)
		case a.UserID != b.UserID:
			return a.UserID < b.UserID
		}
		return a.GroupID < b.GroupID
	})
	for i := range out {
		if i > 0 && out[i].Points == out[i-1].Points {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

// YearSpan is the instants a selection's year covers, in UTC: from its
// first moment up to (not including) the next year's.
func YearSpan(year int) (from, to time.Time) {
	from = time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(1, 0, 0)
}

// AwardTitle is the title an award of category gets when staff give none:
// OUTSTANDING_MEMBER reads "Outstanding member".
func AwardTitle(category string) string {
	s := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(category), "_", " "))
	if s == "" {
		return "Award"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// AwardPick is one award staff decide, with what the checks need to know
// about the nomination it names.
type AwardPick struct {
	// Nomination is the id the decision names.
	Nomination string
	// Known is whether that nomination belongs to the selection decided.
	Known bool
	// Category is the nomination's category.
	Category string
	// Rank is the place staff give it in its category, 1 first.
	Rank int
	// Points is the nominee's points in the year's tally for the
	// nomination's group.
	Points int
}

// Tie is two or more awarded nominations of one category with equal tally
// points: the tally does not separate them, so staff say why they ranked
// them as they did.
type Tie struct {
	Category    string
	Points      int
	Nominations []string
}

// CheckAwardDecision checks staff's awards for a selection whose community
// gives categories: every nomination belongs to the selection and is
// listed once, its category is still one of the policy's, and ranks start
// at 1 and are unique within a category. It returns the ties among the
// awarded nominations (by category, in input order), which the decision
// must explain; the error names the input field at fault.
func CheckAwardDecision(categories []string, picks []AwardPick) ([]Tie, error) {
	seen := map[string]bool{}
	ranks := map[string]map[int]string{}
	for i, p := range picks {
		switch {
		case !p.Known:
			return nil, &FieldError{Field: "awards", Reason: fmt.Sprintf("award %d: the nomination %q is not one of this selection's", i+1, p.Nomination)}
		case seen[p.Nomination]:
			return nil, &FieldError{Field: "awards", Reason: fmt.Sprintf("award %d: the nomination %q is listed twice", i+1, p.Nomination)}
		case !slices.Contains(categories, p.Category):
			return nil, &FieldError{Field: "awards", Reason: fmt.Sprintf("award %d: the category %s is not among the community's award categories", i+1, p.Category)}
		case p.Rank < 1:
			return nil, &FieldError{Field: "awards", Reason: fmt.Sprintf("award %d: rank must be 1 or more", i+1)}
		}
		seen[p.Nomination] = true
		if ranks[p.Category] == nil {
			ranks[p.Category] = map[int]string{}
		}
		if other, ok := ranks[p.Category][p.Rank]; ok {
			return nil, &FieldError{Field: "awards", Reason: fmt.Sprintf("award %d: rank %d in %s is already given to the nomination %q", i+1, p.Rank, p.Category, other)}
		}
		ranks[p.Category][p.Rank] = p.Nomination
	}
	var ties []Tie
	index := map[[2]any]int{}
	for _, p := range picks {
		k := [2]any{p.Category, p.Points}
		if i, ok := index[k]; ok {
			ties[i].Nominations = append(ties[i].Nominations, p.Nomination)
			continue
		}
		index[k] = len(ties)
		ties = append(ties, Tie{Category: p.Category, Points: p.Points, Nominations: []string{p.Nomination}})
	}
	return slices.DeleteFunc(ties, func(t Tie) bool { return len(t.Nominations) < 2 }), nil
}
