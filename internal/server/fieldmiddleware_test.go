package server_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"

	"github.com/usergroups/usergroups/graph"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/workflow"
)

// The generated executor marshals plain scalar fields without
// graphql.ResolveField (internal/tools/execpatch), so a field middleware
// would silently miss most fields. These tests fail as soon as one is
// registered, at run time on the handler the server builds and in the
// source of the whole module.

// fieldInterceptors returns the names of the types among srv's handler
// extensions that intercept fields. It reads gqlgen's unexported fields
// (Server.exec, Executor.extensions): when an upgrade renames them, it
// fails the test rather than pass without looking.
func fieldInterceptors(t *testing.T, srv *handler.Server) []string {
	t.Helper()
	exec := reflect.ValueOf(srv).Elem().FieldByName("exec")
	if !exec.IsValid() || exec.Kind() != reflect.Pointer || exec.IsNil() {
		t.Fatal("handler.Server has no exec field: update this test to gqlgen's new layout")
	}
	exts := exec.Elem().FieldByName("extensions")
	if !exts.IsValid() || exts.Kind() != reflect.Slice {
		t.Fatal("executor.Executor has no extensions slice: update this test to gqlgen's new layout")
	}
	if exts.Len() == 0 {
		t.Fatal("no handler extensions found: the server registers several, so this reads the wrong field")
	}
	interceptor := reflect.TypeFor[graphql.FieldInterceptor]()
	var found []string
	for i := range exts.Len() {
		if typ := exts.Index(i).Elem().Type(); typ.Implements(interceptor) {
			found = append(found, typ.String())
		}
	}
	return found
}

// TestNoFieldMiddleware checks the GraphQL handler in every configuration
// the server builds it in (its extensions vary with introspection and
// trusted documents).
func TestNoFieldMiddleware(t *testing.T) {
	db := dbtest.Open(t)
	for name, cfg := range map[string]server.Config{
		"default":  {Logger: quietLogger()},
		"trusted":  {Logger: quietLogger(), TrustedDocuments: map[string]string{}, DisableIntrospection: true},
		"no intro": {Logger: quietLogger(), DisableIntrospection: true},
	} {
		if found := fieldInterceptors(t, server.GraphQL(db, cfg)); len(found) > 0 {
			t.Errorf("%s: field middleware registered (%s): the executor's direct scalar fields would bypass it", name, strings.Join(found, ", "))
		}
	}
	// The check sees one when there is one.
	srv := handler.New(graph.NewSchema(workflow.NewRunner(db.Client, time.Now), nil))
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) })
	if found := fieldInterceptors(t, srv); len(found) != 1 {
		t.Errorf("AroundFields not detected: %v", found)
	}
}

// fieldMiddlewareInSource lists the calls of AroundFields and the methods
// named InterceptField (graphql.FieldInterceptor) in the Go source under
// root, tests and generated code aside.
func fieldMiddlewareInSource(t *testing.T, root string) []string {
	t.Helper()
	var found []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if n.Sel.Name == "AroundFields" {
					found = append(found, fset.Position(n.Pos()).String()+": AroundFields")
				}
			case *ast.FuncDecl:
				if n.Recv != nil && n.Name.Name == "InterceptField" {
					found = append(found, fset.Position(n.Pos()).String()+": InterceptField")
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestNoFieldMiddlewareInSource: nothing in the module registers a field
// middleware, including code paths the handler test does not build.
func TestNoFieldMiddlewareInSource(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not at %s: %v", root, err)
	}
	if found := fieldMiddlewareInSource(t, root); len(found) > 0 {
		t.Errorf("field middleware in the source: %s", strings.Join(found, "; "))
	}
	// The scan sees one when there is one.
	dir := t.TempDir()
	src := "package p\n\ntype x struct{}\n\nfunc (x) InterceptField() {}\n\nfunc f(s interface{ AroundFields(any) }) { s.AroundFields(nil) }\n"
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if found := fieldMiddlewareInSource(t, dir); len(found) != 2 {
		t.Errorf("scan of a registering file found %v, want 2", found)
	}
}
