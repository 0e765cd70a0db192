package policy_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/policy"
)

func TestRankTally(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	type want struct {
		user string
		rank int
	}
	for _, tc := range []struct {
		name string
		rows []policy.TallyRow
		want []want
	}{
		{"empty", nil, []want{}},
		{"points first", []policy.TallyRow{
			{UserID: "a", Points: 3, Contributions: 9, Last: day(1)},
			{UserID: "b", Points: 7, Contributions: 1, Last: day(9)},
		}, []want{{"b", 1}, {"a", 2}}},
		{"equal points share a rank; contributions order the listing", []policy.TallyRow{
			{UserID: "a", Points: 5, Contributions: 1, Last: day(1)},
			{UserID: "b", Points: 5, Contributions: 3, Last: day(9)},
			{UserID: "c", Points: 2, Contributions: 2, Last: day(2)},
		}, []want{{"b", 1}, {"a", 1}, {"c", 3}}},
		{"then the earlier last contribution, then the id", []policy.TallyRow{
			{UserID: "z", Points: 4, Contributions: 2, Last: day(5)},
			{UserID: "y", Points: 4, Contributions: 2, Last: day(3)},
			{UserID: "b", Points: 4, Contributions: 2, Last: day(3)},
			{UserID: "q", Points: 1, Contributions: 1, Last: day(1)},
		}, []want{{"b", 1}, {"y", 1}, {"z", 1}, {"q", 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := []want{}
			for _, r := range policy.RankTally(tc.rows) {
				got = append(got, want{r.UserID, r.Rank})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RankTally = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAwardTitle(t *testing.T) {
	for in, want := range map[string]string{
		policy.AwardOutstandingMember: "Outstanding member",
		policy.AwardBestUserCase:      "Best user case",
		"HERO":                        "Hero",
		"":                            "Award",
	} {
		if got := policy.AwardTitle(in); got != want {
			t.Errorf("AwardTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestYearSpan(t *testing.T) {
	from, to := policy.YearSpan(2026)
	if !from.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("YearSpan(2026) = %v, %v", from, to)
	}
}

func TestCheckAwardDecision(t *testing.T) {
	cats := []string{policy.AwardOutstandingMember, policy.AwardBestContent}
	pick := func(id, cat string, rank, points int) policy.AwardPick {
		return policy.AwardPick{Nomination: id, Known: true, Category: cat, Rank: rank, Points: points}
	}
	om, bc := policy.AwardOutstandingMember, policy.AwardBestContent
	for _, tc := range []struct {
		name     string
		picks    []policy.AwardPick
		wantErr  bool
		wantTies []policy.Tie
	}{
		{"nothing awarded", nil, false, nil},
		{"distinct points", []policy.AwardPick{pick("n1", om, 1, 9), pick("n2", om, 2, 5), pick("n3", bc, 1, 9)}, false, nil},
		{"equal points in one category tie", []policy.AwardPick{pick("n1", om, 1, 5), pick("n2", om, 2, 5), pick("n3", om, 3, 1)}, false,
			[]policy.Tie{{Category: om, Points: 5, Nominations: []string{"n1", "n2"}}}},
		{"equal points across categories do not", []policy.AwardPick{pick("n1", om, 1, 5), pick("n2", bc, 1, 5)}, false, nil},
		{"unknown nomination", []policy.AwardPick{{Nomination: "x", Category: om, Rank: 1}}, true, nil},
		{"listed twice", []policy.AwardPick{pick("n1", om, 1, 5), pick("n1", om, 2, 5)}, true, nil},
		{"category no longer in the policy", []policy.AwardPick{pick("n1", policy.AwardBestUserCase, 1, 5)}, true, nil},
		{"rank below 1", []policy.AwardPick{pick("n1", om, 0, 5)}, true, nil},
		{"rank given twice in a category", []policy.AwardPick{pick("n1", om, 1, 5), pick("n2", om, 1, 3)}, true, nil},
		{"the same rank in two categories", []policy.AwardPick{pick("n1", om, 1, 5), pick("n2", bc, 1, 3)}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ties, err := policy.CheckAwardDecision(cats, tc.picks)
			var fe *policy.FieldError
			if tc.wantErr {
				if !errors.As(err, &fe) || fe.Field != "awards" {
					t.Fatalf("got %v, want a FieldError on awards", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v", err)
			}
			if len(ties) != len(tc.wantTies) || (len(ties) > 0 && !reflect.DeepEqual(ties, tc.wantTies)) {
				t.Errorf("ties = %+v, want %+v", ties, tc.wantTies)
			}
		})
	}
}
