package authz

import (
	"context"
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/privacy"
)

// grant is the capability to write. It exists only in the context a
// workflow step's body receives from the workflow's runner, so a write made
// anywhere else — a resolver, the seed, a future package — finds none and
// is refused.
type grant struct {
	step string
	// fixture marks a test's capability, which writes rows one by one
	// outside any step's transaction.
	fixture bool
}

type grantKey struct{}

// Permit returns ctx holding the capability to write for the workflow step
// named step. Only internal/workflow's runner may call it; the architecture
// test (internal/arch) fails on any other caller.
func Permit(ctx context.Context, step string) context.Context {
	return context.WithValue(ctx, grantKey{}, &grant{step: step})
}

// ForFixtures returns ctx holding the capability to write rows directly,
// inside a transaction or not, for a test laying out its fixtures. It takes
// the test so that only tests can hold it: production code has no
// testing.TB to give.
func ForFixtures(ctx context.Context, t testing.TB) context.Context {
	t.Helper()
	return context.WithValue(ctx, grantKey{}, &grant{step: "test fixture " + t.Name(), fixture: true})
}

// StepOf names the workflow step whose capability ctx holds, if any.
func StepOf(ctx context.Context) (string, bool) {
	g, ok := ctx.Value(grantKey{}).(*grant)
	if !ok {
		return "", false
	}
	return g.step, true
}

// requireStep is the one write rule of every entity: a write made inside a
// workflow step's transaction is allowed (the step decided who may take
// it), any other is refused. A step's writes must run in its transaction,
// so a context that escaped its step cannot write outside one.
var requireStep = privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
	g, ok := ctx.Value(grantKey{}).(*grant)
	if !ok {
		return privacy.Denyf("writes are made by workflow steps only")
	}
	if g.fixture {
		return privacy.Allow
	}
	if tm, ok := m.(interface{ Tx() (*ent.Tx, error) }); !ok {
		return privacy.Denyf("writes are made by workflow steps only")
	} else if _, err := tm.Tx(); err != nil {
		return privacy.Denyf("a workflow step writes in its own transaction")
	}
	return privacy.Allow
})

// requireStepNamed is requireStep for the one workflow step named name:
// a write no other step may make (a test's fixtures included).
func requireStepNamed(name string) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if step, ok := StepOf(ctx); !ok || step != name {
			return privacy.Denyf("only the workflow step %q may make this write", name)
		}
		return requireStep.EvalMutation(ctx, m)
	})
}

type unfilteredKey struct{}

// Unfiltered returns ctx in which reads see every row, for a step that
// decides from rows the actor may not see (the conflicts of a proposal, the
// voters of an election). It grants nothing to write: unlike ent's
// privacy.DecisionContext it is read by the read policies only.
func Unfiltered(ctx context.Context) context.Context {
	return context.WithValue(ctx, unfilteredKey{}, true)
}

// allowUnfiltered lets reads under Unfiltered through.
var allowUnfiltered = privacy.QueryRuleFunc(func(ctx context.Context, _ ent.Query) error {
	if isUnfiltered(ctx) {
		return privacy.Allow
	}
	return privacy.Skip
})

// isUnfiltered reports whether ctx reads under Unfiltered.
func isUnfiltered(ctx context.Context) bool {
	on, _ := ctx.Value(unfilteredKey{}).(bool)
	return on
}
