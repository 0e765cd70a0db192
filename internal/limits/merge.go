package limits

import "github.com/vektah/gqlparser/v2/ast"

// pending is a selection set still to be merged, with how deeply it sits in
// the document once fragments are expanded (every field, inline fragment
// and fragment spread opens one more level).
type pending struct {
	set  ast.SelectionSet
	nest int
}

// group is one key of a JSON object in the response: every field, wherever
// it was written, that answers to the same response name there.
type group struct {
	fields []*ast.Field
	// sets are the selection sets of those fields: merged, they make the
	// object one level down.
	sets []pending
}

// merged is what flatten learns about one response object.
type merged struct {
	groups []*group
	// selections counts every field, inline fragment and fragment spread
	// visited: the work done, which is what the budget bounds.
	selections int
	// spreads counts fragment spreads as written, repeats included:
	// gqlparser compares them pairwise.
	spreads int
	aliases int
	// deepest is the most deeply nested selection set visited and where.
	deepest    int
	deepestPos *ast.Position
}

// flatten merges selection sets the way a GraphQL executor does (spec
// CollectFields): inline fragments and fragment spreads dissolve into their
// parent, fields group by response name, and a fragment spread more than
// once into the same object is expanded once. That last rule is also what
// bounds the work here: each fragment is expanded at most once per object,
// so flattening one object visits each selection of the document at most
// once. It is iterative: nesting is attacker-chosen.
func flatten(sets []pending, frags map[string]*ast.FragmentDefinition) merged {
	var m merged
	index := map[string]*group{}
	expanded := map[string]bool{}
	stack := append([]pending(nil), sets...)
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, sel := range p.set {
			m.selections++
			switch s := sel.(type) {
			case *ast.Field:
				m.note(p.nest, s.Position)
				if s.Alias != "" && s.Alias != s.Name {
					m.aliases++
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				g := index[key]
				if g == nil {
					g = &group{}
					index[key] = g
					m.groups = append(m.groups, g)
				}
				g.fields = append(g.fields, s)
				if len(s.SelectionSet) > 0 {
					g.sets = append(g.sets, pending{s.SelectionSet, p.nest + 1})
				}
			case *ast.InlineFragment:
				m.note(p.nest, s.Position)
				stack = append(stack, pending{s.SelectionSet, p.nest + 1})
			case *ast.FragmentSpread:
				m.note(p.nest, s.Position)
				m.spreads++
				if expanded[s.Name] {
					continue
				}
				expanded[s.Name] = true
				if def := frags[s.Name]; def != nil {
					stack = append(stack, pending{def.SelectionSet, p.nest + 1})
				}
			}
		}
	}
	return m
}

func (m *merged) note(nest int, pos *ast.Position) {
	if nest > m.deepest {
		m.deepest, m.deepestPos = nest, pos
	}
}

// pairs estimates the comparisons gqlparser's OverlappingFieldsCanBeMerged
// rule makes for this object: every two fields sharing a response name, and
// every two fragment spreads. That rule is quadratic (and, through nested
// selections, worse), so a document of a few thousand identical fields
// costs seconds of CPU to validate; this is the number that must stay small.
func (m *merged) pairs() int64 {
	var n int64
	for _, g := range m.groups {
		n = satAdd(n, choose2(len(g.fields)))
	}
	return satAdd(n, choose2(m.spreads))
}

func choose2(k int) int64 {
	n := int64(k)
	return n * (n - 1) / 2
}

// fragmentIndex maps each fragment name to the definition a spread of it
// means. gqlparser resolves a spread to the first definition of the name
// (duplicates are a validation error, reported later), so this does too.
func fragmentIndex(doc *ast.QueryDocument) map[string]*ast.FragmentDefinition {
	frags := make(map[string]*ast.FragmentDefinition, len(doc.Fragments))
	for _, f := range doc.Fragments {
		if _, ok := frags[f.Name]; !ok {
			frags[f.Name] = f
		}
	}
	return frags
}
