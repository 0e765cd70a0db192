package limits

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// costCeiling is where cost arithmetic saturates: 2^53-1, the largest
// integer every JSON parser reads exactly. Saturating rather than wrapping
// matters: `first: 2147483647` three lists deep is 2^93, which in int64
// arithmetic wraps to some arbitrary (possibly small, possibly negative)
// number and would let the query through.
const costCeiling = 1<<53 - 1

// satAdd and satMul take operands in [0, costCeiling].
func satAdd(a, b int64) int64 {
	if b > costCeiling-a {
		return costCeiling
	}
	return a + b
}

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > costCeiling/b {
		return costCeiling
	}
	return a * b
}

// cost computes an operation's cost: one per field of the response, where
// a list field's children count once per item the list may hold. That is
// its first or last argument (variables applied, the larger if both), or,
// for a list without those arguments, DefaultPageSize or the length of its
// longest list argument (nodes(ids:)), whichever is larger. A Relay
// connection (a field with first/last that returns an object) passes its
// page size to its list children (edges, nodes), so a page is not counted
// twice. Fields are merged by response name as the executor merges them;
// where they cannot be told apart (a union's branches) the larger page
// wins. Introspection (__schema, __type) costs 1: it is answered from
// memory, and gqlparser bounds its recursion.
//
// Nothing is skipped for @skip/@include: the cost is an upper bound.
func (c *Config) cost(oc *graphql.OperationContext) (int64, *gqlerror.Error) {
	if oc.Operation == nil {
		return 0, nil
	}
	type node struct {
		parent int
		items  int64 // its children count this many times
		conn   int64 // page size of its list children, when a connection
		sum    int64 // the cost of its children, as they are totalled
		sets   []pending
	}
	frags := fragmentIndex(oc.Doc)
	nodes := []node{{parent: -1, items: 1, sets: []pending{{oc.Operation.SelectionSet, 1}}}}
	budget := c.MaxSelections
	// Breadth first, so that every node comes after its parent and the
	// totals can be summed in one backward pass.
	for i := 0; i < len(nodes); i++ {
		m := flatten(nodes[i].sets, frags)
		nodes[i].sets = nil
		// The guard bounded this document already; this only keeps the
		// walk bounded should the two ever disagree.
		if budget -= m.selections; budget < 0 {
			n := c.MaxSelections - budget
			return 0, refusal(CodeQueryTooComplex, nil, c.MaxSelections, n,
				"the operation makes at least %d selections once fragments are expanded; the limit is %d",
				n, c.MaxSelections)
		}
		parentConn := nodes[i].conn
		for _, g := range m.groups {
			child := node{parent: i, items: 1}
			if !named(g, "__schema", "__type") {
				child.sets = g.sets
				page, paginated := c.pageSize(g.fields, oc.Variables)
				switch {
				case !isList(g) && paginated:
					child.conn = page
				case isList(g) && paginated:
					child.items = page
				case isList(g) && parentConn > 0:
					child.items = parentConn
				case isList(g):
					child.items = max(int64(c.DefaultPageSize), longestListArg(g.fields, oc.Variables))
				}
			}
			nodes = append(nodes, child)
		}
	}
	for i := len(nodes) - 1; i > 0; i-- {
		n := nodes[i]
		p := &nodes[n.parent]
		p.sum = satAdd(p.sum, satAdd(1, satMul(n.items, n.sum)))
	}
	return nodes[0].sum, nil
}

func isList(g *group) bool {
	for _, f := range g.fields {
		if f.Definition != nil && f.Definition.Type != nil && f.Definition.Type.Elem != nil {
			return true
		}
	}
	return false
}

// pageSize returns the largest page the fields of g may ask for, and
// whether they take first/last at all.
func (c *Config) pageSize(fields []*ast.Field, vars map[string]any) (int64, bool) {
	var page int64
	paginated := false
	for _, f := range fields {
		if f.Definition == nil {
			continue
		}
		var n int64
		given, takes := false, false
		for _, name := range [...]string{"first", "last"} {
			def := f.Definition.Arguments.ForName(name)
			if def == nil {
				continue
			}
			takes = true
			v := def.DefaultValue
			if a := f.Arguments.ForName(name); a != nil {
				v = a.Value
			}
			if x, ok := intValue(v, vars); ok {
				n, given = max(n, x), true
			}
		}
		if !takes {
			continue
		}
		if !given {
			n = int64(c.DefaultPageSize)
		}
		page, paginated = max(page, n), true
	}
	return page, paginated
}

// intValue evaluates an Int argument. It errs towards large: a value it
// cannot read counts as costCeiling, since the resolver may read it
// differently.
func intValue(v *ast.Value, vars map[string]any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Kind {
	case ast.NullValue:
		return 0, false
	case ast.Variable:
		x, ok := vars[v.Raw]
		if !ok {
			if d := v.VariableDefinition; d != nil && d.DefaultValue != nil && d.DefaultValue.Kind != ast.Variable {
				return intValue(d.DefaultValue, nil)
			}
			return 0, false
		}
		return anyInt(x)
	case ast.IntValue, ast.FloatValue, ast.StringValue, ast.BlockValue:
		return parseCount(v.Raw), true
	}
	return costCeiling, true
}

func anyInt(x any) (int64, bool) {
	switch n := x.(type) {
	case nil:
		return 0, false
	case int:
		return clampInt(int64(n)), true
	case int8:
		return clampInt(int64(n)), true
	case int16:
		return clampInt(int64(n)), true
	case int32:
		return clampInt(int64(n)), true
	case int64:
		return clampInt(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint:
		return clampUint(uint64(n)), true
	case uint64:
		return clampUint(n), true
	case float32:
		return clampFloat(float64(n)), true
	case float64:
		return clampFloat(n), true
	case json.Number:
		return parseCount(string(n)), true
	case string:
		return parseCount(n), true
	}
	return costCeiling, true
}

func parseCount(s string) int64 {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return clampInt(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return clampFloat(f)
	}
	// Out of int64 range ("99999999999999999999") or not a number.
	if len(s) > 0 && s[0] == '-' {
		return 0
	}
	return costCeiling
}

func clampInt(i int64) int64 {
	return min(max(i, 0), costCeiling)
}

func clampUint(u uint64) int64 {
	return int64(min(u, costCeiling))
}

func clampFloat(f float64) int64 {
	switch {
	case math.IsNaN(f), f >= costCeiling:
		return costCeiling
	case f <= 0:
		return 0
	}
	return int64(math.Ceil(f))
}

// longestListArg is the length of the longest list among the arguments of
// fields: a field like nodes(ids:) returns about as many items.
func longestListArg(fields []*ast.Field, vars map[string]any) int64 {
	var n int64
	for _, f := range fields {
		for _, a := range f.Arguments {
			switch {
			case a.Value == nil:
			case a.Value.Kind == ast.ListValue:
				n = max(n, int64(len(a.Value.Children)))
			case a.Value.Kind == ast.Variable:
				if l, ok := vars[a.Value.Raw].([]any); ok {
					n = max(n, int64(len(l)))
				}
			}
		}
	}
	return n
}
