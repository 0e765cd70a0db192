package main

import (
	"slices"
	"testing"
)

// TestCompare: findings are matched to baseline entries by rule and
// message, a repeated message once per entry, whatever their position.
func TestCompare(t *testing.T) {
	f := func(rule, msg, at string) finding { return finding{rule: rule, message: msg, at: at} }
	found := []finding{
		f("r", "a", "s:1:1"), f("r", "a", "s:9:1"), f("r", "b", "s:2:1"), f("q", "c", "s:3:1"),
	}
	known := []string{"r\ta", "r\tb", "r\tgone", "q\tc", "q\tc"}
	added, fixed := compare(found, known)
	if len(added) != 1 || added[0].at != "s:9:1" {
		t.Errorf("added = %v, want the second `a` only", added)
	}
	if !slices.Equal(fixed, []string{"r\tgone", "q\tc"}) {
		t.Errorf("fixed = %q", fixed)
	}
	if kept := subtract(known, fixed); !slices.Equal(kept, []string{"r\ta", "r\tb", "q\tc"}) {
		t.Errorf("kept = %q", kept)
	}
}
