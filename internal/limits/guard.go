package limits

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// hardNesting caps how deeply selections and input values may nest, counted
// with fragments expanded and without the leniency MaxDepth gives
// introspection. gqlparser's validator and gqlgen's executor recurse once
// per level; this keeps every later pass far from any stack limit, whatever
// MaxDepth is set to.
const hardNesting = 100

// guard checks a document before gqlgen parses and validates it: everything
// here works on the bare syntax tree, without the schema, and without
// recursion, so a hostile document is refused before any code that could
// recurse without bound (fragment cycles) or spend quadratic time
// (repeated fields) sees it.
func (c *Config) guard(query string) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, c.MaxTokens)
	if err != nil {
		return c.parseError(err)
	}
	frags := fragmentIndex(doc)
	sp, gerr := scan(doc)
	if gerr != nil {
		return gerr
	}
	if gerr := findCycle(doc, frags, sp.byFragment); gerr != nil {
		return gerr
	}
	w := walker{cfg: c, frags: frags, budget: c.MaxSelections, pairBudget: int64(c.MaxRepeats)}
	for _, op := range doc.Operations {
		if gerr := w.walk(op.SelectionSet, true); gerr != nil {
			return gerr
		}
	}
	// The validator checks every fragment, used or not, so unused ones must
	// be just as safe to check (they are refused by validation afterwards).
	used := reachable(frags, sp)
	for _, f := range doc.Fragments {
		if !used[f] {
			if gerr := w.walk(f.SelectionSet, false); gerr != nil {
				return gerr
			}
		}
	}
	return nil
}

// parseError reports a document gqlparser cannot parse the way gqlgen
// would have (GRAPHQL_PARSE_FAILED), except for the token limit, which gets
// its own code so clients can tell "too big" from "malformed".
func (c *Config) parseError(err error) *gqlerror.Error {
	gerr, ok := err.(*gqlerror.Error)
	if !ok {
		gerr = gqlerror.Wrap(err)
	}
	if gerr.Message == fmt.Sprintf("exceeded token limit of %d", c.MaxTokens) {
		return refusal(CodeQueryTooLarge, nil, c.MaxTokens, -1,
			"the document has more than %d tokens, the limit; send a smaller query", c.MaxTokens)
	}
	if gerr.Extensions == nil {
		gerr.Extensions = map[string]any{}
	}
	gerr.Extensions["code"] = CodeParseFailed
	return gerr
}

// spreads are the fragment spreads of a document, wherever they are nested.
type spreads struct {
	inOperations []*ast.FragmentSpread
	byFragment   map[*ast.FragmentDefinition][]*ast.FragmentSpread
}

// scan walks each definition once as written, collecting its fragment
// spreads and refusing input values nested deeper than hardNesting (the
// parser, the validator and argument coercion all recurse on them).
func scan(doc *ast.QueryDocument) (spreads, *gqlerror.Error) {
	sp := spreads{byFragment: make(map[*ast.FragmentDefinition][]*ast.FragmentSpread, len(doc.Fragments))}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			if err := valueNesting(v.DefaultValue); err != nil {
				return sp, err
			}
			if err := directivesNesting(v.Directives); err != nil {
				return sp, err
			}
		}
		if err := directivesNesting(op.Directives); err != nil {
			return sp, err
		}
		s, err := scanSet(op.SelectionSet)
		if err != nil {
			return sp, err
		}
		sp.inOperations = append(sp.inOperations, s...)
	}
	for _, f := range doc.Fragments {
		if err := directivesNesting(f.Directives); err != nil {
			return sp, err
		}
		s, err := scanSet(f.SelectionSet)
		if err != nil {
			return sp, err
		}
		sp.byFragment[f] = s
	}
	return sp, nil
}

func scanSet(set ast.SelectionSet) ([]*ast.FragmentSpread, *gqlerror.Error) {
	var spreads []*ast.FragmentSpread
	stack := []ast.SelectionSet{set}
	for len(stack) > 0 {
		set := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				for _, a := range s.Arguments {
					if err := valueNesting(a.Value); err != nil {
						return nil, err
					}
				}
				if err := directivesNesting(s.Directives); err != nil {
					return nil, err
				}
				if len(s.SelectionSet) > 0 {
					stack = append(stack, s.SelectionSet)
				}
			case *ast.InlineFragment:
				if err := directivesNesting(s.Directives); err != nil {
					return nil, err
				}
				stack = append(stack, s.SelectionSet)
			case *ast.FragmentSpread:
				if err := directivesNesting(s.Directives); err != nil {
					return nil, err
				}
				spreads = append(spreads, s)
			}
		}
	}
	return spreads, nil
}

func directivesNesting(dirs ast.DirectiveList) *gqlerror.Error {
	for _, d := range dirs {
		for _, a := range d.Arguments {
			if err := valueNesting(a.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

func valueNesting(v *ast.Value) *gqlerror.Error {
	if v == nil {
		return nil
	}
	type item struct {
		v    *ast.Value
		nest int
	}
	stack := []item{{v, 1}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.nest > hardNesting {
			return refusal(CodeQueryTooDeep, it.v.Position, hardNesting, it.nest,
				"input values may nest at most %d levels; this one reaches %d", hardNesting, it.nest)
		}
		for _, ch := range it.v.Children {
			if ch.Value != nil {
				stack = append(stack, item{ch.Value, it.nest + 1})
			}
		}
	}
	return nil
}

// findCycle refuses a document whose fragments spread each other in a
// cycle. gqlparser does report cycles (NoFragmentCycles), but other rules
// run in the same pass and OverlappingFieldsCanBeMerged follows spreads
// without remembering where it has been (vektah/gqlparser#173): on a cycle
// it recurses until the goroutine stack overflows, which Go cannot recover
// from, so one request would kill the process. The search is an iterative
// depth-first search so that a long chain of fragments cannot overflow it
// either.
func findCycle(doc *ast.QueryDocument, frags map[string]*ast.FragmentDefinition,
	spreads map[*ast.FragmentDefinition][]*ast.FragmentSpread,
) *gqlerror.Error {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[*ast.FragmentDefinition]int, len(doc.Fragments))
	type frame struct {
		def  *ast.FragmentDefinition
		next int
	}
	for _, start := range doc.Fragments {
		if state[start] != unseen {
			continue
		}
		path := []frame{{def: start}}
		state[start] = onPath
		for len(path) > 0 {
			top := &path[len(path)-1]
			out := spreads[top.def]
			if top.next == len(out) {
				state[top.def] = done
				path = path[:len(path)-1]
				continue
			}
			sp := out[top.next]
			top.next++
			target := frags[sp.Name]
			switch {
			case target == nil:
				// Unknown fragment: the validator reports it.
			case state[target] == onPath:
				var names []string
				for i := range path {
					if path[i].def == target || len(names) > 0 {
						names = append(names, path[i].def.Name)
					}
				}
				names = append(names, target.Name)
				return refusal(CodeCyclicFragments, sp.Position, 0, -1,
					"fragments must not spread themselves: %s", strings.Join(names, " → "))
			case state[target] == unseen:
				state[target] = onPath
				path = append(path, frame{def: target})
			}
		}
	}
	return nil
}

// reachable returns the fragments some operation uses, directly or through
// other fragments.
func reachable(frags map[string]*ast.FragmentDefinition, sp spreads) map[*ast.FragmentDefinition]bool {
	seen := map[*ast.FragmentDefinition]bool{}
	var todo []*ast.FragmentDefinition
	visit := func(list []*ast.FragmentSpread) {
		for _, s := range list {
			if f := frags[s.Name]; f != nil && !seen[f] {
				seen[f] = true
				todo = append(todo, f)
			}
		}
	}
	visit(sp.inOperations)
	for len(todo) > 0 {
		f := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		visit(sp.byFragment[f])
	}
	return seen
}

// walker measures operations as they will execute: fragments expanded and
// fields merged into the objects of the response. Its budgets are shared by
// every definition of the document, since the validator goes through all
// of them.
type walker struct {
	cfg        *Config
	frags      map[string]*ast.FragmentDefinition
	budget     int
	pairBudget int64
}

// walk measures one operation (limits true: its depth, aliases and root
// fields count against the client's limits) or one unused fragment (only
// checked for the work it would give the validator).
func (w *walker) walk(root ast.SelectionSet, limits bool) *gqlerror.Error {
	type object struct {
		sets  []pending
		depth int // of the fields of this object
		intro bool
	}
	cfg := w.cfg
	aliases := 0
	stack := []object{{sets: []pending{{root, 1}}, depth: 1}}
	for first := true; len(stack) > 0; first = false {
		obj := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		m := flatten(obj.sets, w.frags)
		if m.deepest > hardNesting {
			return refusal(CodeQueryTooDeep, m.deepestPos, hardNesting, m.deepest,
				"selections are nested %d levels deep once fragments are expanded; the limit is %d",
				m.deepest, hardNesting)
		}
		if limits && first {
			n := 0
			for _, g := range m.groups {
				n += len(g.fields)
			}
			if n > cfg.MaxRootFields {
				return refusal(CodeTooManyRootFields, nil, cfg.MaxRootFields, n,
					"the operation selects %d root fields; the limit is %d: split it into several requests",
					n, cfg.MaxRootFields)
			}
		}
		if limits && len(m.groups) > 0 && obj.depth > cfg.MaxDepth {
			return refusal(CodeQueryTooDeep, m.groups[0].fields[0].Position, cfg.MaxDepth, obj.depth,
				"the operation nests fields %d levels deep; the limit is %d", obj.depth, cfg.MaxDepth)
		}
		aliases += m.aliases
		if limits && aliases > cfg.MaxAliases {
			return refusal(CodeTooManyAliases, nil, cfg.MaxAliases, aliases,
				"the operation uses %d aliases (fragments expanded); the limit is %d", aliases, cfg.MaxAliases)
		}
		w.budget -= m.selections
		if w.budget < 0 {
			n := cfg.MaxSelections - w.budget
			return refusal(CodeQueryTooComplex, nil, cfg.MaxSelections, n,
				"the document makes at least %d selections (fields, fragment spreads, inline fragments) "+
					"once fragments are expanded; the limit is %d", n, cfg.MaxSelections)
		}
		w.pairBudget -= m.pairs()
		if w.pairBudget < 0 {
			return w.repeated(m)
		}
		for _, g := range m.groups {
			if len(g.sets) == 0 {
				continue
			}
			child := object{sets: g.sets, depth: obj.depth + 1, intro: obj.intro || named(g, "__schema", "__type")}
			if obj.intro && named(g, "ofType") {
				// __Type.ofType unwraps one NON_NULL or LIST wrapper: it
				// nests in the query text but does no work, and standard
				// introspection queries (graphql-js asks for 9 levels of
				// it) would otherwise need a depth limit twice as lax for
				// everyone.
				child.depth = obj.depth
			}
			stack = append(stack, child)
		}
	}
	return nil
}

// repeated explains a document refused for the validator's pairwise work,
// naming what repeats most in the object where the budget ran out.
func (w *walker) repeated(m merged) *gqlerror.Error {
	limit := w.cfg.MaxRepeats
	used := int(min(int64(limit)-w.pairBudget, costCeiling))
	var worst *group
	for _, g := range m.groups {
		if worst == nil || len(g.fields) > len(worst.fields) {
			worst = g
		}
	}
	if worst != nil && len(worst.fields) >= m.spreads {
		f := worst.fields[0]
		return refusal(CodeQueryTooComplex, f.Position, limit, used,
			"the field %q is selected %d times in one object, which makes %d pairs of same-named "+
				"selections to check in the document; the limit is %d: select each field once",
			f.Alias, len(worst.fields), used, limit)
	}
	return refusal(CodeQueryTooComplex, nil, limit, used,
		"%d fragment spreads land in one object, which makes %d pairs of same-named selections "+
			"to check in the document; the limit is %d: spread each fragment once", m.spreads, used, limit)
}

// named reports whether every field of g is one of names.
func named(g *group, names ...string) bool {
	for _, f := range g.fields {
		ok := false
		for _, n := range names {
			if f.Name == n {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
