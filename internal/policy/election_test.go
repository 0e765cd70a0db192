package policy

import (
	"reflect"
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	tests := []struct {
		name    string
		tallies []Tally
		seats   int
		want    Result
	}{
		{"nobody stood", nil, 1, Result{Outcome: NoCandidates}},
		{"unopposed with no votes", []Tally{{"a", 0}}, 1, Result{Outcome: Decided, Winners: []string{"a"}}},
		{"clear winner", []Tally{{"a", 2}, {"b", 5}, {"c", 1}}, 1, Result{Outcome: Decided, Winners: []string{"b"}}},
		{"two-way tie for one seat", []Tally{{"a", 3}, {"b", 3}, {"c", 1}}, 1, Result{Outcome: Tied, Tied: []string{"a", "b"}}},
		{"nobody voted", []Tally{{"a", 0}, {"b", 0}}, 1, Result{Outcome: Tied, Tied: []string{"a", "b"}}},
		{"two seats, clear", []Tally{{"a", 1}, {"b", 4}, {"c", 3}}, 2, Result{Outcome: Decided, Winners: []string{"b", "c"}}},
		{"two seats, tie for the second", []Tally{{"a", 2}, {"b", 4}, {"c", 2}}, 2,
			Result{Outcome: Tied, Winners: []string{"b"}, Tied: []string{"a", "c"}}},
		{"tie above the cut is no tie", []Tally{{"a", 4}, {"b", 4}, {"c", 1}}, 2, Result{Outcome: Decided, Winners: []string{"a", "b"}}},
		{"fewer candidates than seats", []Tally{{"a", 1}, {"b", 0}}, 3, Result{Outcome: Decided, Winners: []string{"a", "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Count(tt.tallies, tt.seats); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Count = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPhaseAt(t *testing.T) {
	nom := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	vote := nom.Add(72 * time.Hour)
	tests := []struct {
		name string
		open bool
		now  time.Time
		want Phase
	}{
		{"open, before nominations close", true, nom.Add(-time.Second), Nominating},
		{"open, at the nominations deadline", true, nom, Voting},
		{"open, while voting", true, vote.Add(-time.Second), Voting},
		{"open, at the voting deadline (not yet counted)", true, vote, Closed},
		{"decided early", false, nom.Add(-time.Hour), Closed},
		{"cancelled while voting", false, vote.Add(-time.Hour), Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PhaseAt(tt.open, nom, vote, tt.now); got != tt.want {
				t.Fatalf("PhaseAt = %s, want %s", got, tt.want)
			}
		})
	}
}
