package broker

import (
	"errors"
	"fmt"
	"math"
)

// MaxHoles bounds the holes a Position may list. The broker never watches
// more at once (see Options.HoleWatch), so every position it hands out fits,
// and a cursor that lists more was not issued by it.
const MaxHoles = 1000

// Range is the sequence numbers From to To, both included.
type Range struct {
	From, To int64
}

// Position is a subscriber's place in the change log: it has handled every
// change with an id up to Seq except those in Holes, ids that were not yet
// committed when later ones were delivered. Resuming from a Position
// replays the changes above Seq and those that have since appeared in its
// Holes, so a change that commits late is not lost to a subscriber who
// reconnects. The zero Position has seen nothing.
type Position struct {
	Seq int64
	// Holes are in increasing order, disjoint, not adjacent, and below Seq.
	Holes []Range
}

// Validate reports whether p is well formed: what Subscribe accepts.
func (p Position) Validate() error {
	if p.Seq < 0 {
		return errors.New("negative sequence number")
	}
	if len(p.Holes) > MaxHoles {
		return fmt.Errorf("more than %d holes", MaxHoles)
	}
	prev := int64(-1) // the last id of the previous hole
	for _, h := range p.Holes {
		if h.From < 1 || h.From > h.To || h.To >= p.Seq || (prev >= 0 && h.From <= prev+1) {
			return fmt.Errorf("hole %d-%d is out of order or out of range", h.From, h.To)
		}
		prev = h.To
	}
	return nil
}

// Low returns the low-water mark: every id up to it has been handled.
func (p Position) Low() int64 {
	if len(p.Holes) > 0 {
		return p.Holes[0].From - 1
	}
	return p.Seq
}

// unseen reports whether the change id is still to come at p.
func (p Position) unseen(id int64) bool {
	if id > p.Seq {
		return true
	}
	for _, h := range p.Holes {
		if id < h.From {
			return false
		}
		if id <= h.To {
			return true
		}
	}
	return false
}

// Reflected is the position of a snapshot of the database that shows every
// change up to low and, above it, exactly the ids in visible (increasing):
// the ids above low it does not show are its holes. A snapshot taken after
// the broker settled low shows every change up to it, so a subscriber who
// resumes from this position gets exactly the changes the snapshot did not
// show. Past MaxHoles holes the position stops below the first hole it
// cannot list: what lies above comes again (shown twice, never lost).
func Reflected(low int64, visible []int64) Position {
	p := Position{Seq: low}
	for _, id := range visible {
		if id <= p.Seq {
			continue
		}
		if id > p.Seq+1 {
			if len(p.Holes) == MaxHoles {
				break
			}
			p.Holes = append(p.Holes, Range{From: p.Seq + 1, To: id - 1})
		}
		p.Seq = id
	}
	return p
}

// String is for logs and test failures.
func (p Position) String() string {
	if len(p.Holes) == 0 {
		return fmt.Sprint(p.Seq)
	}
	return fmt.Sprintf("%d%v", p.Seq, p.Holes)
}

// The set algebra below works on sorted, disjoint lists of ranges, the last
// of which may be open (To == math.MaxInt64). A Position's unseen ids are
// its holes plus the open range above Seq.

// unseenSet returns the ids still to come at p.
func (p Position) unseenSet() []Range {
	out := append(make([]Range, 0, len(p.Holes)+1), p.Holes...)
	if p.Seq < math.MaxInt64 {
		out = append(out, Range{p.Seq + 1, math.MaxInt64})
	}
	return out
}

// positionOf is the inverse of unseenSet: s must end with an open range.
func positionOf(s []Range) Position {
	s = normalize(s)
	if len(s) == 0 || s[len(s)-1].To != math.MaxInt64 {
		// Every id seen: only possible at the very end of the int64 space.
		return Position{Seq: math.MaxInt64, Holes: s}
	}
	holes := s[:len(s)-1]
	if len(holes) == 0 {
		holes = nil
	}
	return Position{Seq: s[len(s)-1].From - 1, Holes: holes}
}

// normalize merges adjacent ranges in a sorted, disjoint list.
func normalize(s []Range) []Range {
	out := s[:0:0]
	for _, r := range s {
		if n := len(out); n > 0 && out[n-1].To < math.MaxInt64 && out[n-1].To+1 >= r.From {
			out[n-1].To = max(out[n-1].To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

// intersect returns the ids in both a and b.
func intersect(a, b []Range) []Range {
	var out []Range
	for i, j := 0, 0; i < len(a) && j < len(b); {
		lo, hi := max(a[i].From, b[j].From), min(a[i].To, b[j].To)
		if lo <= hi {
			out = append(out, Range{lo, hi})
		}
		if a[i].To < b[j].To {
			i++
		} else {
			j++
		}
	}
	return out
}

// subtract returns the ids in a and not in b.
func subtract(a, b []Range) []Range {
	var out []Range
	j := 0
	for _, r := range a {
		lo := r.From
		for j < len(b) && b[j].To < lo {
			j++
		}
		covered := false
		for k := j; k < len(b) && b[k].From <= r.To; k++ {
			if b[k].From > lo {
				out = append(out, Range{lo, b[k].From - 1})
			}
			if b[k].To >= r.To {
				covered = true
				break
			}
			lo = b[k].To + 1
		}
		if !covered {
			out = append(out, Range{lo, r.To})
		}
	}
	return out
}

// meet is the position of a subscriber who has seen what a has seen and
// what b has seen.
func meet(a, b Position) Position {
	return positionOf(intersect(a.unseenSet(), b.unseenSet()))
}

// covers reports whether everything still to come at b is still to come at
// a, i.e. a is no further than b.
func covers(a, b Position) bool {
	return len(subtract(b.unseenSet(), a.unseenSet())) == 0
}

// missed returns the ids still to come at from that at has already
// settled (delivered or proved empty): what a subscriber resuming from
// from must be replayed when the broker stands at at. They are all at or
// below at.Seq.
func missed(from, at Position) []Range {
	return subtract(from.unseenSet(), at.unseenSet())
}

// without returns p having also seen the ids in s.
func without(p Position, s []Range) Position {
	return positionOf(subtract(p.unseenSet(), s))
}
