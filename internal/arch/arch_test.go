// Package arch holds the tests that keep the tree's layering and its one
// write authority true as code moves: ARCHITECTURE.md draws the arrows, and
// these tests fail when an import points up or a rule gets a second home.
package arch

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const module = "github.com/usergroups/usergroups/"

// layers ranks our packages from the bottom up: a package may import
// packages of its own layer or below, never above. A package of ours that
// no layer names fails the test, so a new package is placed on purpose.
// An entry ending in "/..." covers the folder and everything under it.
var layers = [][]string{
	// 0. Generated data access, value types and leaves that know nothing of ours.
	{"ent/...", "internal/policy", "internal/letters", "internal/limits", "internal/viewer",
		"internal/apierror", "internal/store/dberr", "internal/metrics", "internal/oidc", "internal/auth/secret", "migrations",
		"internal/explorer", "internal/certificate/...", "internal/mail", "internal/mail/mailtest", "internal/webhook", "internal/jobs",
		"internal/board", "internal/devidp", "internal/webassets", "internal/tracing", "internal/sqlhook"},
	// 1. Read rules and what ent's schema wires to every write: privacy,
	// the change log, derived counters; opening and migrating the store.
	{"internal/authz", "internal/ref", "internal/changelog", "internal/attendance", "ent/schema", "ent/runtime",
		"internal/store", "internal/store/migrationgen", "internal/backup", "internal/httpguard", "internal/errmap", "ent/enttest"},
	// 2. The processes (the only writers) and the read models beside them.
	{"internal/workflow", "internal/queue", "internal/discover", "internal/auth", "internal/ical",
		"internal/broker", "internal/live", "internal/ratelimit", "internal/ratelimit/redisstore", "internal/seed", "internal/dbtest", "internal/worker"},
	// 3. The GraphQL schema and the transports.
	{"graph/...", "internal/transport/..."},
	// 4. HTTP assembly.
	{"internal/server"},
	// 5. Programs, benchmarks, build tools and the README's example clients.
	{"cmd/...", "internal/bench/...", "internal/tools/...", "internal/arch", "examples/...", ""},
}

// layerOf returns the layer of a package path relative to the module, the
// most specific entry winning, or -1.
func layerOf(rel string) int {
	best, bestLen := -1, -1
	for i, entries := range layers {
		for _, e := range entries {
			var ok bool
			if base, tree := strings.CutSuffix(e, "/..."); tree {
				ok = rel == base || strings.HasPrefix(rel, base+"/")
			} else {
				ok = rel == e
			}
			if ok && len(e) > bestLen {
				best, bestLen = i, len(e)
			}
		}
	}
	return best
}

// file is one parsed non-test Go file of the module.
type file struct {
	pkg  string // package path relative to the module ("internal/workflow")
	path string // file path relative to the module root
	ast  *ast.File
}

// sources parses every non-test Go file of the module (imports and
// bodies), skipping testdata and hidden folders.
func sources(t *testing.T) []file {
	t.Helper()
	parsed.once.Do(func() { parsed.files, parsed.err = parseTree() })
	if parsed.err != nil {
		t.Fatal(parsed.err)
	}
	return parsed.files
}

// parsed is the tree, parsed once for all the tests of this package.
var parsed struct {
	once  sync.Once
	files []file
	err   error
}

// parseTree parses the module's non-test files: whole for ours, imports
// only for generated ones (ent's, gqlgen's executor), whose bodies hold no
// call these tests look for and are most of the tree's bytes.
func parseTree() ([]file, error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return nil, fmt.Errorf("module root not found from %s: %w", root, err)
	}
	var out []file
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		mode := parser.SkipObjectResolution | parser.ParseComments
		if strings.HasPrefix(rel, "ent/") || strings.HasPrefix(rel, "graph/generated/") {
			mode |= parser.ImportsOnly
		}
		f, err := parser.ParseFile(fset, p, nil, mode)
		if err != nil {
			return err
		}
		if buildIgnored(f) {
			return nil
		}
		out = append(out, file{pkg: path.Dir(rel), path: rel, ast: f})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].pkg == "." {
			out[i].pkg = ""
		}
	}
	return out, nil
}

// buildIgnored tells files built only by hand (ent/entc.go) from the rest.
func buildIgnored(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build ignore") {
				return true
			}
		}
	}
	return false
}

// ours returns the module-relative path of an import of ours.
func ours(imp *ast.ImportSpec) (string, bool) {
	p, _ := strconv.Unquote(imp.Path.Value)
	if !strings.HasPrefix(p, module) {
		return "", false
	}
	return strings.TrimPrefix(p, module), true
}

// TestLayering: every import of ours points to the importer's layer or
// below (cmd → server → transport/graph → workflow → authz/policy → ent).
func TestLayering(t *testing.T) {
	var problems []string
	for _, f := range sources(t) {
		from := layerOf(f.pkg)
		if from < 0 {
			problems = append(problems, f.pkg+": in no layer (add it to internal/arch and ARCHITECTURE.md)")
			continue
		}
		for _, imp := range f.ast.Imports {
			to, ok := ours(imp)
			if !ok {
				continue
			}
			if l := layerOf(to); l < 0 {
				problems = append(problems, to+": in no layer (imported by "+f.path+")")
			} else if l > from {
				problems = append(problems, f.path+" (layer "+strconv.Itoa(from)+") imports "+to+" (layer "+strconv.Itoa(l)+")")
			}
		}
	}
	report(t, problems)
}

// calls lists the files outside the allowed packages that call pkg.name
// (pkg as the file imports it under its own name).
func calls(fs []file, importPath, name string, allowed func(f file) bool) []string {
	var out []string
	for _, f := range fs {
		if allowed(f) {
			continue
		}
		local := ""
		for _, imp := range f.ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == importPath {
				local = filepath.Base(p)
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != name {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == local {
				out = append(out, f.path+": uses "+local+"."+name)
			}
			return true
		})
	}
	return out
}

// TestOnlyWorkflowWrites: the capability to write is handed out by the
// workflow's runner and nowhere else, and nothing outside authz switches
// ent's privacy off (which would allow writes too).
func TestOnlyWorkflowWrites(t *testing.T) {
	fs := sources(t)
	var problems []string
	problems = append(problems, calls(fs, module+"internal/authz", "Permit", func(f file) bool {
		return f.path == "internal/workflow/runner.go"
	})...)
	// ForFixtures takes a testing.TB, so only tests can call it; dbtest
	// hands it to them.
	problems = append(problems, calls(fs, module+"internal/authz", "ForFixtures", func(f file) bool {
		return f.path == "internal/dbtest/fixture.go"
	})...)
	problems = append(problems, calls(fs, module+"ent/privacy", "DecisionContext", func(f file) bool {
		return f.pkg == "internal/authz" || strings.HasPrefix(f.pkg, "ent")
	})...)
	report(t, problems)
}

// TestWorkflowClock: steps take the time from the runner, so tests and
// jobs decide what "now" is; no step reads the wall clock itself.
func TestWorkflowClock(t *testing.T) {
	fs := sources(t)
	var problems []string
	for _, name := range []string{"Now", "Since", "Until"} {
		problems = append(problems, calls(fs, "time", name, func(f file) bool {
			return f.pkg != "internal/workflow" || f.path == "internal/workflow/runner.go"
		})...)
	}
	report(t, problems)
}

func report(t *testing.T, problems []string) {
	t.Helper()
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}
