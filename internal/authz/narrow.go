package authz

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Most private entities share one read rule: the system, Unfiltered reads
// and admins see every row; everyone else sees the rows a predicate of
// their viewer picks. narrowed builds that rule once for every entity, so
// an entity's policy says only which rows, not how a rule is wired.

// query is an ent query of one entity that predicates of type P narrow.
type query[Q any, P ~func(*sql.Selector)] interface {
	ent.Query
	Where(...P) Q
}

// narrowed is the read policy that narrows each query on Q to the rows
// visible(v) picks for its viewer v.
func narrowed[Q query[Q, P], P ~func(*sql.Selector)](visible func(*viewer.Viewer) P) privacy.QueryPolicy {
	return filtered(narrow[Q](visible))
}

// narrowedNoTokens is narrowed for rows no API token reads, whoever owns
// it: a token's queries match nothing (empty lists, zero counts, "not
// found"), even an admin's token; admins signed in see every row.
func narrowedNoTokens[Q query[Q, P], P ~func(*sql.Selector)](visible func(*viewer.Viewer) P) privacy.QueryPolicy {
	return privacy.QueryPolicy{allowSystem, allowUnfiltered, denyOutOfArea, narrow[Q](func(v *viewer.Viewer) P {
		switch {
		case v.ViaToken():
			return nothing[P](v)
		case v.IsAdmin():
			return func(*sql.Selector) {}
		}
		return visible(v)
	}), privacy.AlwaysDenyRule()}
}

// narrow is the rule that adds visible's predicate to queries on Q.
func narrow[Q query[Q, P], P ~func(*sql.Selector)](visible func(*viewer.Viewer) P) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		tq, ok := q.(Q)
		if !ok {
			return privacy.Denyf("unexpected query type %T", q)
		}
		tq.Where(visible(viewer.FromContext(ctx)))
		return privacy.Allow
	})
}

// nothing picks no row: what everyone but the system, Unfiltered reads and
// admins sees of an entity only they read.
func nothing[P ~func(*sql.Selector)](*viewer.Viewer) P {
	return func(s *sql.Selector) { s.Where(sql.False()) }
}
