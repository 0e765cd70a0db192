package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// GoBenchmark is one line of `go test -bench -benchmem` output.
type GoBenchmark struct {
	Name                string
	NsPerOp, BytesPerOp float64
	AllocsPerOp         float64
	Extra               map[string]float64
}

// ParseGoBenchmarks reads the result lines of `go test -bench` output.
func ParseGoBenchmarks(out []byte) []GoBenchmark {
	var res []GoBenchmark
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		b := GoBenchmark{Name: strings.TrimPrefix(name, "Benchmark"), Extra: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				b.NsPerOp = v
			case "B/op":
				b.BytesPerOp = v
			case "allocs/op":
				b.AllocsPerOp = v
			default:
				b.Extra[f[i+1]] = v
			}
		}
		res = append(res, b)
	}
	return res
}

// executorTax is S9: the executor against encoding/json on the same fixed
// in-memory result (internal/bench/executor_test.go), and the same
// executor as gqlgen generates it, before internal/tools/execpatch
// (execpatch.go). The benchmarks run from compiled test binaries, one
// benchmark at a time, interleaved: executor, encoding/json, executor
// without execpatch, then again.
func (s *Suite) executorTax(ctx context.Context) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "usergroups-s9-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	patched := filepath.Join(tmp, "patched.test")
	if err := buildBenchTest(ctx, root, patched, ""); err != nil {
		return err
	}
	unpatched := filepath.Join(tmp, "unpatched.test")
	var unpatchedErr error
	s.cfg.logf("S9: generating gqlgen's executor without execpatch in a copy of the module")
	overlay, cleanup, err := unpatchedOverlay(ctx, root)
	if err == nil {
		defer cleanup()
		err = buildBenchTest(ctx, root, unpatched, overlay)
	}
	if err != nil {
		unpatchedErr, unpatched = err, ""
		s.cfg.logf("S9 without execpatch not measured: %v", err)
	}
	dir := filepath.Join(root, "internal", "bench")
	var exe, js, raw []GoBenchmark
	for range s.cfg.Runs {
		b, err := runBenchmark(ctx, patched, dir, "ExecutorS1")
		if err != nil {
			return err
		}
		exe = append(exe, b)
		if b, err = runBenchmark(ctx, patched, dir, "EncodingJSONS1"); err != nil {
			return err
		}
		js = append(js, b)
		if unpatched != "" {
			if b, err = runBenchmark(ctx, unpatched, dir, "ExecutorS1"); err != nil {
				return err
			}
			raw = append(raw, b)
		}
	}
	field := func(bs []GoBenchmark, f func(GoBenchmark) float64) []float64 {
		xs := make([]float64, len(bs))
		for i, b := range bs {
			xs[i] = f(b)
		}
		return xs
	}
	ns := func(b GoBenchmark) float64 { return b.NsPerOp / 1000 }
	allocs := func(b GoBenchmark) float64 { return b.AllocsPerOp }
	bytesOp := func(b GoBenchmark) float64 { return b.BytesPerOp / 1024 }
	us := func(x float64) string { return fmt.Sprintf("%.0f µs", x) }
	count := func(x float64) string { return fmt.Sprintf("%.0f", x) }
	kib := func(x float64) string { return fmt.Sprintf("%.0f KiB", x) }
	row := func(name string, bs []GoBenchmark, vsJSON, vsExecutor string) []string {
		return []string{name, stat(field(bs, ns), us), stat(field(bs, allocs), count), stat(field(bs, bytesOp), kib), vsJSON, vsExecutor}
	}
	sec := Section{
		Title: "S9 — executor tax",
		Intro: "Serialising the fixed 20×20 S1 result through our GraphQL executor against encoding/json of the same data (Go benchmarks in internal/bench/executor_test.go; no database in either), " +
			"and through the executor as gqlgen generates it, without internal/tools/execpatch's rewrite (generated in a copy of the module and swapped in with a build overlay). " +
			"One benchmark run of 2s at a time, the three interleaved; ratios are per run. Goal: executor ≤ 5× encoding/json.",
		Header: []string{"", "time/op", "allocs/op", "memory/op", "÷ encoding/json", "÷ executor"},
		Rows: [][]string{
			row("executor", exe, stat(ratios(field(exe, ns), field(js, ns)), ratio), ""),
			row("encoding/json", js, "", ""),
		},
	}
	if unpatchedErr != nil {
		sec.Notes = append(sec.Notes, fmt.Sprintf("The executor without execpatch was not measured: %v", unpatchedErr))
	} else {
		sec.Rows = append(sec.Rows, row("executor without execpatch", raw, stat(ratios(field(raw, ns), field(js, ns)), ratio),
			stat(ratios(field(raw, ns), field(exe, ns)), ratio)+" time, "+stat(ratios(field(raw, allocs), field(exe, allocs)), ratio)+" allocs"))
	}
	s.Report.Add(sec)
	return nil
}
