package main

import (
	"bytes"
	"cmp"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"slices"
	"strings"
)

// Kind names one rewrite.
type Kind string

// The rewrites, in the order of the package comment.
const (
	Slice    Kind = "slice"
	Deferred Kind = "deferred"
	Direct   Kind = "direct"
	Field    Kind = "field"
	Root     Kind = "root"
)

// Kinds lists every rewrite; each must find at least one site.
var Kinds = []Kind{Slice, Deferred, Direct, Field, Root}

// Counts is how many sites of each kind a source holds.
type Counts map[Kind]int

func (c Counts) String() string {
	var b strings.Builder
	for i, k := range Kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", k, c[k])
	}
	return b.String()
}

// site is one place in the source that a rewrite applies to, or (done)
// already has.
type site struct {
	kind Kind
	pos  token.Pos
	done bool
	// edits turn the site into its rewritten form.
	edits []edit
}

// edit replaces src[start:end] by text.
type edit struct {
	start, end int
	text       string
}

// scan holds one parsed source and the sites found in it.
type scan struct {
	fset  *token.FileSet
	src   []byte
	file  *ast.File
	funcs map[string]*ast.FuncDecl // the executionContext's methods by name
	sites []site
}

// Rewrite applies every rewrite to generated source and formats it. It
// fails on a site of unknown shape, when a kind finds no site, and when
// its output still holds an unpatched site.
func Rewrite(src []byte) ([]byte, Counts, error) {
	s, err := newScan(src)
	if err != nil {
		return nil, nil, err
	}
	want := Counts{}
	var edits []edit
	for _, st := range s.sites {
		if st.done {
			return nil, nil, fmt.Errorf("%s: already rewritten (%s): rewrite gqlgen's own output", s.fset.Position(st.pos), st.kind)
		}
		want[st.kind]++
		edits = append(edits, st.edits...)
	}
	for _, k := range Kinds {
		if want[k] == 0 {
			return nil, nil, fmt.Errorf("no %s site: gqlgen's output changed shape", k)
		}
	}
	out, err := apply(src, edits)
	if err != nil {
		return nil, nil, err
	}
	if out, err = format.Source(out); err != nil {
		return nil, nil, fmt.Errorf("rewritten source does not parse: %w", err)
	}
	// The output must hold exactly the sites rewritten, all done.
	after, err := newScan(out)
	if err != nil {
		return nil, nil, fmt.Errorf("rewritten source: %w", err)
	}
	got := Counts{}
	for _, st := range after.sites {
		if !st.done {
			return nil, nil, fmt.Errorf("rewritten source: %s: %s site left unpatched", after.fset.Position(st.pos), st.kind)
		}
		got[st.kind]++
	}
	for _, k := range Kinds {
		if got[k] != want[k] {
			return nil, nil, fmt.Errorf("%s: %d sites to rewrite, %d rewritten", k, want[k], got[k])
		}
	}
	return out, got, nil
}

// Unpatched lists the sites of src that a rewrite applies to and that
// are not rewritten yet, and counts those that are.
func Unpatched(src []byte) ([]string, Counts, error) {
	s, err := newScan(src)
	if err != nil {
		return nil, nil, err
	}
	var left []string
	done := Counts{}
	for _, st := range s.sites {
		if st.done {
			done[st.kind]++
		} else {
			left = append(left, fmt.Sprintf("%s: %s", s.fset.Position(st.pos), st.kind))
		}
	}
	return left, done, nil
}

func apply(src []byte, edits []edit) ([]byte, error) {
	slices.SortFunc(edits, func(a, b edit) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end)) })
	var b bytes.Buffer
	at := 0
	for _, e := range edits {
		if e.start < at {
			return nil, fmt.Errorf("overlapping rewrites at byte %d", e.start)
		}
		b.Write(src[at:e.start])
		b.WriteString(e.text)
		at = e.end
	}
	b.Write(src[at:])
	return b.Bytes(), nil
}

func newScan(src []byte) (*scan, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "generated.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	s := &scan{fset: fset, src: src, file: file, funcs: map[string]*ast.FuncDecl{}}
	for _, d := range file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && isECMethod(fd) {
			s.funcs[fd.Name.Name] = fd
		}
	}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		if err := s.walkFunc(fd); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// walkFunc finds the sites in one function declaration.
func (s *scan) walkFunc(fd *ast.FuncDecl) error {
	if st, ok := s.directDone(fd); ok {
		s.sites = append(s.sites, st)
	}
	var stack []ast.Node
	var err error
	ast.Inspect(fd, func(n ast.Node) bool {
		if err != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if isPkgSel(n, "graphql", "MarshalSliceConcurrently") {
				err = s.slice(stack)
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				if id, ok := n.Fun.(*ast.Ident); ok {
					err = s.doneCall(id.Name, n, stack)
				}
				return true
			}
			switch {
			case sel.Sel.Name == "Concurrently":
				err = s.concurrently(n, sel, stack)
			case isIdent(sel.X, "ec") && sel.Sel.Name == "ProcessDeferredGroup":
				err = s.deferred(n, stack)
			case isPkgSel(sel, "graphql", "ResolveField"):
				err = s.resolveField(n, stack)
			}
		}
		return true
	})
	return err
}

func (s *scan) errorf(pos token.Pos, format string, args ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{s.fset.Position(pos)}, args...)...)
}

func (s *scan) text(n ast.Node) string {
	if n == nil {
		return ""
	}
	return string(s.src[s.fset.Position(n.Pos()).Offset:s.fset.Position(n.End()).Offset])
}

func (s *scan) offset(p token.Pos) int { return s.fset.Position(p).Offset }

// slice: graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func…)
// becomes marshalSliceSequentially(ctx, len(v), func…). A worker limit or
// a caller that handles panics itself would be another shape.
func (s *scan) slice(stack []ast.Node) error {
	sel := stack[len(stack)-1].(*ast.SelectorExpr)
	call, ok := parent(stack).(*ast.CallExpr)
	if !ok || call.Fun != sel {
		return s.errorf(sel.Pos(), "graphql.MarshalSliceConcurrently not called")
	}
	a := call.Args
	if len(a) != 5 || !isIdent(a[0], "ctx") || s.text(a[1]) != "len(v)" || s.text(a[2]) != "0" || !isIdent(a[3], "false") || !isFuncLit(a[4]) {
		return s.errorf(call.Pos(), "graphql.MarshalSliceConcurrently call of unknown shape: %.200s", s.text(call))
	}
	s.sites = append(s.sites, site{kind: Slice, pos: call.Pos(), edits: []edit{{
		start: s.offset(call.Pos()), end: s.offset(a[4].Pos()),
		text: "marshalSliceSequentially(ctx, len(v), ",
	}}})
	return nil
}

// concurrently: out.Concurrently(i, func(ctx) { return innerFunc(ctx, out) })
// (a field) or out.Concurrently(i, func(ctx) { return rrm(innerCtx) }) (a
// root field) becomes concurrently(ctx, out, i, …), ctx being the
// marshalling function's own. The deferred field set's calls stay (they
// run only under @defer).
func (s *scan) concurrently(call *ast.CallExpr, sel *ast.SelectorExpr, stack []ast.Node) error {
	if isIdent(sel.X, "deferredFieldSet") {
		return nil
	}
	if !isIdent(sel.X, "out") {
		return s.errorf(call.Pos(), "Concurrently on an unknown receiver: %.200s", s.text(call))
	}
	kind, ok := Kind(""), len(call.Args) == 2 && isIdent(call.Args[0], "i") && isFuncLit(call.Args[1])
	if ok {
		switch s.text(singleReturn(call.Args[1].(*ast.FuncLit).Body)) {
		case "innerFunc(ctx, out)":
			kind = Field
		case "rrm(innerCtx)":
			kind = Root
		default:
			ok = false
		}
	}
	if !ok || !inOwnBody(stack) {
		return s.errorf(call.Pos(), "FieldSet.Concurrently call of unknown shape: %.200s", s.text(call))
	}
	s.sites = append(s.sites, site{kind: kind, pos: call.Pos(), edits: []edit{{
		start: s.offset(call.Pos()), end: s.offset(call.Args[0].Pos()),
		text: "concurrently(ctx, out, ",
	}}})
	return nil
}

// deferred: the statement ec.ProcessDeferredGroup(graphql.DeferredGroup{
// Defers: deferLabelToView, …}) at the top of a marshalling function is
// wrapped in if len(deferLabelToView) > 0 { … }.
func (s *scan) deferred(call *ast.CallExpr, stack []ast.Node) error {
	if len(call.Args) != 1 || !hasDefers(call.Args[0]) || len(stack) < 4 {
		return s.errorf(call.Pos(), "ProcessDeferredGroup call of unknown shape: %.200s", s.text(call))
	}
	stmt, ok := stack[len(stack)-2].(*ast.ExprStmt)
	if !ok {
		return s.errorf(call.Pos(), "ProcessDeferredGroup's value used")
	}
	switch outer := stack[len(stack)-4].(type) {
	case *ast.FuncDecl:
		s.sites = append(s.sites, site{kind: Deferred, pos: call.Pos(), edits: []edit{
			{start: s.offset(stmt.Pos()), end: s.offset(stmt.Pos()), text: "if len(deferLabelToView) > 0 {\n"},
			{start: s.offset(stmt.End()), end: s.offset(stmt.End()), text: "\n}"},
		}})
		return nil
	case *ast.IfStmt:
		if s.text(outer.Cond) == "len(deferLabelToView) > 0" && outer.Init == nil && outer.Else == nil && len(outer.Body.List) == 1 {
			s.sites = append(s.sites, site{kind: Deferred, pos: call.Pos(), done: true})
			return nil
		}
	}
	return s.errorf(call.Pos(), "ProcessDeferredGroup called in an unknown place")
}

// resolveField classifies a graphql.ResolveField call: a field function
// whose value is a struct field of obj, with no middleware, marshalled by
// a scalar marshaller, is a direct site; every other call is kept. Any
// call whose arguments are not the known ones is an error.
func (s *scan) resolveField(call *ast.CallExpr, stack []ast.Node) error {
	a := call.Args
	if len(a) != 9 || !isIdent(a[0], "ctx") || s.text(a[1]) != "ec.OperationContext" || !isIdent(a[2], "field") ||
		!isFuncLit(a[3]) || !isFuncLit(a[4]) || !(isIdent(a[5], "nil") || isFuncLit(a[5])) || !isFuncLit(a[6]) ||
		!isBool(a[7]) || !isBool(a[8]) {
		return s.errorf(call.Pos(), "graphql.ResolveField call of unknown shape")
	}
	marshal, ok := marshalCall(a[6].(*ast.FuncLit), "selections", "v")
	if !ok {
		return s.errorf(a[6].Pos(), "ResolveField marshaller of unknown shape: %.200s", s.text(a[6]))
	}
	fd, ok := stack[0].(*ast.FuncDecl)
	value, isRead := fieldRead(a[4].(*ast.FuncLit))
	if !ok || !isIdent(a[5], "nil") || !isRead || !isFieldFunc(fd) || len(fd.Body.List) != 1 ||
		len(stack) != 4 || stack[2] != ast.Node(fd.Body.List[0]) {
		return nil
	}
	scalar, err := s.scalarMarshaller(marshal)
	if err != nil {
		return s.errorf(call.Pos(), "%v", err)
	}
	if !scalar {
		return nil
	}
	ret := fd.Body.List[0]
	s.sites = append(s.sites, site{kind: Direct, pos: fd.Pos(), edits: []edit{{
		start: s.offset(ret.Pos()), end: s.offset(ret.End()),
		text: fmt.Sprintf("return ec.%s(ctx, field.Selections, %s)", marshal, s.text(value)),
	}}})
	return nil
}

// directDone reports a field function already rewritten by Direct: its
// body is `return ec.marshal…(ctx, field.Selections, obj.F)`.
func (s *scan) directDone(fd *ast.FuncDecl) (site, bool) {
	if !isFieldFunc(fd) || len(fd.Body.List) != 1 {
		return site{}, false
	}
	call, ok := singleReturn(fd.Body).(*ast.CallExpr)
	if !ok || len(call.Args) != 3 || !isIdent(call.Args[0], "ctx") || s.text(call.Args[1]) != "field.Selections" {
		return site{}, false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "ec") || !strings.HasPrefix(sel.Sel.Name, "marshal") || !isObjField(call.Args[2]) {
		return site{}, false
	}
	return site{kind: Direct, pos: fd.Pos(), done: true}, true
}

// doneCall reports the rewritten calls of Slice, Field and Root.
func (s *scan) doneCall(name string, call *ast.CallExpr, stack []ast.Node) error {
	switch name {
	case "marshalSliceSequentially":
		s.sites = append(s.sites, site{kind: Slice, pos: call.Pos(), done: true})
	case "concurrently":
		if len(call.Args) != 4 || !isFuncLit(call.Args[3]) || !inOwnBody(stack) {
			return s.errorf(call.Pos(), "concurrently call of unknown shape")
		}
		kind := Field
		if s.text(singleReturn(call.Args[3].(*ast.FuncLit).Body)) == "rrm(innerCtx)" {
			kind = Root
		}
		s.sites = append(s.sites, site{kind: kind, pos: call.Pos(), done: true})
	}
	return nil
}

// scalarMarshaller reports whether the generated marshaller writes a
// single scalar or enum value: not a list, and not an object (whose fields
// would need this field's context as their parent), which it tells by
// the marshaller calling no other marshaller or object function and
// making no field context, and that it writes no error that would need
// the field's context.
func (s *scan) scalarMarshaller(name string) (bool, error) {
	if strings.Contains(name, "ᚕ") {
		return false, nil
	}
	fd, ok := s.funcs[name]
	if !ok || fd.Body == nil {
		return false, fmt.Errorf("marshaller %s not in the file", name)
	}
	// A non-null marshaller of a pointer reports a nil value as an error
	// at the field's path, which needs the field's own context.
	if params := fd.Type.Params.List; strings.HasPrefix(name, "marshalN") && len(params) > 0 {
		if _, ok := params[len(params)-1].Type.(*ast.StarExpr); ok {
			return false, nil
		}
	}
	scalar := true
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if isIdent(n.X, "ec") && (strings.HasPrefix(n.Sel.Name, "_") || strings.HasPrefix(n.Sel.Name, "marshal")) {
				scalar = false
			}
			if isPkgSel(n, "graphql", "FieldContext") {
				scalar = false
			}
		}
		return scalar
	})
	return scalar, nil
}

// marshalCall returns the marshaller that a ResolveField marshal function
// `func(ctx, selections, v T) graphql.Marshaler { return ec.marshalX(ctx, selections, v) }` calls.
func marshalCall(fl *ast.FuncLit, sel, v string) (string, bool) {
	call, ok := singleReturn(fl.Body).(*ast.CallExpr)
	if !ok || len(call.Args) != 3 || !isIdent(call.Args[0], "ctx") || !isIdent(call.Args[1], sel) || !isIdent(call.Args[2], v) {
		return "", false
	}
	f, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !isIdent(f.X, "ec") || !strings.HasPrefix(f.Sel.Name, "marshal") {
		return "", false
	}
	return f.Sel.Name, true
}

// fieldRead returns obj.F when a resolver function is exactly
// `func(ctx context.Context) (any, error) { return obj.F, nil }`.
func fieldRead(fl *ast.FuncLit) (ast.Expr, bool) {
	if len(fl.Body.List) != 1 {
		return nil, false
	}
	ret, ok := fl.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 2 || !isIdent(ret.Results[1], "nil") || !isObjField(ret.Results[0]) {
		return nil, false
	}
	return ret.Results[0], true
}

func isObjField(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && isIdent(sel.X, "obj")
}

// isFieldFunc reports a generated field function:
// func (ec *executionContext) _T_f(ctx context.Context, field graphql.CollectedField, obj *T) (ret graphql.Marshaler).
func isFieldFunc(fd *ast.FuncDecl) bool {
	if !isECMethod(fd) || !strings.HasPrefix(fd.Name.Name, "_") {
		return false
	}
	var names []string
	for _, p := range fd.Type.Params.List {
		for _, n := range p.Names {
			names = append(names, n.Name)
		}
	}
	return slices.Equal(names, []string{"ctx", "field", "obj"}) && fd.Type.Results != nil && len(fd.Type.Results.List) == 1
}

func isECMethod(fd *ast.FuncDecl) bool {
	if fd.Recv == nil || len(fd.Recv.List) != 1 || len(fd.Recv.List[0].Names) != 1 || fd.Recv.List[0].Names[0].Name != "ec" {
		return false
	}
	star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
	return ok && isIdent(star.X, "executionContext")
}

// inOwnBody reports that the innermost function around the node on top of
// stack is the declaration at its bottom, whose first parameter is ctx: a
// rewrite that names ctx there names that parameter.
func inOwnBody(stack []ast.Node) bool {
	fd, ok := stack[0].(*ast.FuncDecl)
	if !ok || len(fd.Type.Params.List) == 0 || len(fd.Type.Params.List[0].Names) == 0 || fd.Type.Params.List[0].Names[0].Name != "ctx" {
		return false
	}
	for _, n := range stack[1 : len(stack)-1] {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
	}
	return true
}

// hasDefers reports graphql.DeferredGroup{…, Defers: deferLabelToView, …}.
func hasDefers(e ast.Expr) bool {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return false
	}
	sel, ok := lit.Type.(*ast.SelectorExpr)
	if !ok || !isPkgSel(sel, "graphql", "DeferredGroup") {
		return false
	}
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Defers") && isIdent(kv.Value, "deferLabelToView") {
			return true
		}
	}
	return false
}

func singleReturn(body *ast.BlockStmt) ast.Expr {
	if body == nil || len(body.List) != 1 {
		return nil
	}
	ret, ok := body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil
	}
	return ret.Results[0]
}

func parent(stack []ast.Node) ast.Node {
	if len(stack) < 2 {
		return nil
	}
	return stack[len(stack)-2]
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isBool(e ast.Expr) bool { return isIdent(e, "true") || isIdent(e, "false") }

func isFuncLit(e ast.Expr) bool {
	_, ok := e.(*ast.FuncLit)
	return ok
}

func isPkgSel(sel *ast.SelectorExpr, pkg, name string) bool {
	return isIdent(sel.X, pkg) && sel.Sel.Name == name
}
