package graph

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/policy"
)

// maxResolverLines is how long a resolver's body may be: enough to map
// arguments, call one function and shape its answer. A resolver that needs
// more holds a rule, which belongs in internal/authz, internal/policy, a
// read package (queue, discover, live) or a workflow step.
const maxResolverLines = 10

// longResolvers are the resolvers allowed past maxResolverLines, each with
// the reason. Keep it short: remove an entry once its resolver is cut down.
var longResolvers = map[string]string{}

// resolverFiles are the files holding resolvers: gqlgen's and the
// subscriptions' helpers.
func resolverFiles(t *testing.T) []*ast.File {
	t.Helper()
	names, err := filepath.Glob("*.resolvers.go")
	if err != nil || len(names) < 2 {
		t.Fatalf("resolver files: %v %v", names, err)
	}
	names = append(names, "subscription.go", "resolver.go", "batch.go", "args.go")
	fset := token.NewFileSet()
	files := make([]*ast.File, 0, len(names))
	for _, n := range names {
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	lines = func(n ast.Node) int { return fset.Position(n.End()).Line - fset.Position(n.Pos()).Line }
	return files
}

// lines counts the lines a node spans beyond its first (set by resolverFiles).
var lines func(ast.Node) int

// receiver names the type of a method's receiver ("" for a function).
func receiver(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) != 1 {
		return ""
	}
	t := fn.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// TestResolversStayShort fails when a resolver's body grows past
// maxResolverLines without an entry in longResolvers, and when an entry
// there no longer applies (so the list only shrinks).
func TestResolversStayShort(t *testing.T) {
	seen := 0
	allowed := map[string]bool{}
	for _, f := range resolverFiles(t) {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !strings.HasSuffix(receiver(fn), "Resolver") || receiver(fn) == "Resolver" {
				continue
			}
			seen++
			name := receiver(fn) + "." + fn.Name.Name
			body := lines(fn.Body) - 1
			if _, ok := longResolvers[name]; ok {
				allowed[name] = true
				if body <= maxResolverLines {
					t.Errorf("%s has %d lines now: remove it from longResolvers", name, body)
				}
				continue
			}
			if body > maxResolverLines {
				t.Errorf("%s has %d lines (at most %d): move its rule out (authz, policy, queue, discover, live, workflow)", name, body, maxResolverLines)
			}
		}
	}
	if seen < 80 {
		t.Fatalf("found only %d resolvers; are the files right?", seen)
	}
	for name := range longResolvers {
		if !allowed[name] {
			t.Errorf("longResolvers lists %s, which is not a resolver any more", name)
		}
	}
}

// TestResolversReachTheDatabaseOnce: mutation resolvers call their
// workflow step and nothing else; other resolvers read through r.db(ctx) only;
// the shared client (r.client) and the transaction's (ent.FromContext) are
// read by db alone, so a field inside a mutation's payload never misses the
// mutation's writes.
func TestResolversReachTheDatabaseOnce(t *testing.T) {
	for _, f := range resolverFiles(t) {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || (receiver(fn) == "Resolver" && fn.Name.Name == "db") {
				continue
			}
			mutation := receiver(fn) == "mutationResolver"
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				x, _ := sel.X.(*ast.Ident)
				switch {
				case x == nil:
				case sel.Sel.Name == "client" && x.Name == "r":
					t.Errorf("%s reads r.client: use r.db(ctx)", fn.Name.Name)
				case sel.Sel.Name == "FromContext" && x.Name == "ent":
					t.Errorf("%s reads ent.FromContext: use r.db(ctx)", fn.Name.Name)
				case sel.Sel.Name == "db" && x.Name == "r" && mutation:
					// A mutation is one workflow step: the step returns
					// what the payload shows.
					t.Errorf("mutation %s reads the database: return what it needs from its r.wf step", fn.Name.Name)
				}
				return true
			})
		}
	}
}

// TestElectionPhasesAreTheAPIs: Election.phase shows policy.PhaseAt's
// answer as the GraphQL enum, so every phase must be one of its values.
func TestElectionPhasesAreTheAPIs(t *testing.T) {
	for _, p := range []policy.Phase{policy.Nominating, policy.Voting, policy.Closed} {
		if !generated.ElectionPhase(p).IsValid() {
			t.Errorf("phase %s is not an ElectionPhase", p)
		}
	}
	if len(generated.AllElectionPhase) != 3 {
		t.Errorf("the API has %d phases; policy.PhaseAt knows 3", len(generated.AllElectionPhase))
	}
}

// TestHandoverStepsAreTheAPIs: completeHandoverStep's step enum names
// exactly policy.HandoverSteps, in order, so every step can be done and the
// enum offers none the checklist does not have.
func TestHandoverStepsAreTheAPIs(t *testing.T) {
	steps := policy.HandoverSteps()
	if len(generated.AllHandoverStep) != len(steps) {
		t.Fatalf("the API has %d handover steps; policy has %d", len(generated.AllHandoverStep), len(steps))
	}
	for i, s := range generated.AllHandoverStep {
		if got := handoverStep(s); got != steps[i].Key {
			t.Errorf("step %d: %s is %q, policy has %q", i, s, got, steps[i].Key)
		}
	}
}
