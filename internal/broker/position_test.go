package broker

import (
	"math/rand/v2"
	"testing"
)

// universe is the ids the set algebra is checked on: positions stay below
// it, so every id at or above it is unseen at all of them.
const universe = 24

// randomPosition returns a well-formed position with ids below universe.
func randomPosition(rng *rand.Rand) Position {
	p := Position{Seq: rng.Int64N(universe)}
	for id := int64(1); id < p.Seq; id++ {
		if rng.IntN(3) > 0 {
			continue
		}
		if n := len(p.Holes); n > 0 && p.Holes[n-1].To == id-1 {
			p.Holes[n-1].To = id
		} else {
			p.Holes = append(p.Holes, Range{id, id})
		}
	}
	return p
}

// unseenBelow lists, for each id below universe, whether it is unseen at p.
func unseenBelow(p Position) [universe]bool {
	var out [universe]bool
	for id := range int64(universe) {
		out[id] = id > 0 && p.unseen(id)
	}
	return out
}

func inSet(s []Range, id int64) bool {
	for _, r := range s {
		if r.From <= id && id <= r.To {
			return true
		}
	}
	return false
}

// TestPositionAlgebra checks meet, covers, missed and without against the
// sets of ids they stand for, on random positions.
func TestPositionAlgebra(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := randomPosition(rng), randomPosition(rng)
		if err := a.Validate(); err != nil {
			t.Fatalf("%v: %v", a, err)
		}
		ua, ub := unseenBelow(a), unseenBelow(b)

		m := meet(a, b)
		if err := m.Validate(); err != nil {
			t.Fatalf("meet(%v, %v) = %v: %v", a, b, m, err)
		}
		covered, subset := covers(a, b), true
		set := missed(a, b)
		for id := range int64(universe) {
			if unseenBelow(m)[id] != (ua[id] && ub[id]) {
				t.Fatalf("meet(%v, %v) = %v, wrong at %d", a, b, m, id)
			}
			if ub[id] && !ua[id] {
				subset = false
			}
			if want := id > 0 && ua[id] && !ub[id]; inSet(set, id) != want {
				t.Fatalf("missed(%v, %v) = %v, wrong at %d", a, b, set, id)
			}
		}
		if covered != subset {
			t.Fatalf("covers(%v, %v) = %v", a, b, covered)
		}
		for _, r := range set {
			if r.To > b.Seq {
				t.Fatalf("missed(%v, %v) = %v reaches above %d", a, b, set, b.Seq)
			}
		}

		cut := rng.Int64N(universe)
		w := without(a, intersect(set, []Range{{1, cut}}))
		if err := w.Validate(); err != nil {
			t.Fatalf("without = %v: %v", w, err)
		}
		for id := range int64(universe) {
			want := ua[id] && !(inSet(set, id) && id <= cut)
			if unseenBelow(w)[id] != want {
				t.Fatalf("%v without %v up to %d = %v, wrong at %d", a, set, cut, w, id)
			}
		}
	}
}

// TestPositionValidate: what Subscribe refuses.
func TestPositionValidate(t *testing.T) {
	for _, p := range []Position{
		{Seq: -1},
		{Seq: 5, Holes: []Range{{0, 1}}},
		{Seq: 5, Holes: []Range{{3, 2}}},
		{Seq: 5, Holes: []Range{{2, 5}}},
		{Seq: 9, Holes: []Range{{4, 5}, {2, 2}}},
		{Seq: 9, Holes: []Range{{2, 3}, {4, 5}}}, // adjacent: one hole
		{Seq: 9, Holes: []Range{{2, 3}, {3, 5}}},
	} {
		if p.Validate() == nil {
			t.Errorf("%v accepted", p)
		}
	}
	many := Position{Seq: 3 * (MaxHoles + 1)}
	for i := range int64(MaxHoles + 1) {
		many.Holes = append(many.Holes, Range{3*i + 1, 3*i + 1})
	}
	if many.Validate() == nil {
		t.Error("too many holes accepted")
	}
	many.Holes = many.Holes[:MaxHoles]
	if err := many.Validate(); err != nil {
		t.Error(err)
	}
}

func TestReflected(t *testing.T) {
	for _, c := range []struct {
		low     int64
		visible []int64
		want    string
	}{
		{10, nil, "10"},
		{10, []int64{11, 12}, "12"},
		{10, []int64{12, 13, 16}, "16[{11 11} {14 15}]"},
		{10, []int64{9, 10, 11}, "11"},
	} {
		p := Reflected(c.low, c.visible)
		if p.String() != c.want || p.Validate() != nil {
			t.Errorf("Reflected(%d, %v) = %v (%v), want %s", c.low, c.visible, p, p.Validate(), c.want)
		}
	}
	var many []int64
	for i := int64(0); i <= MaxHoles+5; i++ {
		many = append(many, 2*i+2)
	}
	p := Reflected(0, many)
	if len(p.Holes) != MaxHoles || p.Validate() != nil || p.Seq != 2*MaxHoles {
		t.Errorf("too many holes: seq %d, %d holes, %v", p.Seq, len(p.Holes), p.Validate())
	}
}
