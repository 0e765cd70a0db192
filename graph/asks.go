package graph

import (
	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/schematype"
	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/policy"
)

// Helpers of the funding, translation and global-effort fields (issue 19).

// effortLists are the lists global efforts are resolved in.
var effortLists = list[ent.GlobalEffort, ent.GlobalEffortEdge, ent.GlobalEffortConnection]{
	edges: func(c *ent.GlobalEffortConnection) []*ent.GlobalEffortEdge { return c.Edges },
	node:  func(e *ent.GlobalEffortEdge) *ent.GlobalEffort { return e.Node },
	id:    func(e *ent.GlobalEffort) pulid.ID { return e.ID },
}

// effortsIn lists the global efforts of a resolved list value, nil for
// anything else.
func effortsIn(v any) []pulid.ID { return effortLists.ids(v) }

// orEmpty is a list field's value for an element with nothing in it.
func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// budgetLines shows a funding request's budget with exact decimal amounts
// in its currency.
func budgetLines(a *schematype.ApplicationAnswers) []*generated.BudgetLine {
	if len(a.BudgetLines) == 0 {
		return nil
	}
	out := make([]*generated.BudgetLine, len(a.BudgetLines))
	for i, l := range a.BudgetLines {
		out[i] = &generated.BudgetLine{Label: l.Label, Amount: policy.FormatAmount(a.Currency, l.AmountMinor)}
	}
	return out
}
