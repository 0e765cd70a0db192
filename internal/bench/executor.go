package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
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
// in-memory result (internal/bench/executor_test.go), run as Go
// benchmarks, each count interleaved by `go test -count`.
func (s *Suite) executorTax(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^Benchmark(ExecutorS1|EncodingJSONS1)$", "-benchmem",
		"-count", strconv.Itoa(s.cfg.Runs), "-benchtime", "2s", "./internal/bench")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	by := map[string][]GoBenchmark{}
	for _, b := range ParseGoBenchmarks(out) {
		by[b.Name] = append(by[b.Name], b)
	}
	exe, js := by["ExecutorS1"], by["EncodingJSONS1"]
	if len(exe) == 0 || len(js) == 0 {
		return fmt.Errorf("no benchmark results in:\n%s", out)
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
	s.Report.Add(Section{
		Title:  "S9 — executor tax",
		Intro:  "Serialising the fixed 20×20 S1 result through our GraphQL executor against encoding/json of the same data (Go benchmarks in internal/bench/executor_test.go; no database in either). Goal: executor ≤ 5× encoding/json.",
		Header: []string{"", "time/op", "allocs/op", "memory/op", "executor/encoding/json"},
		Rows: [][]string{
			{"executor", stat(field(exe, ns), us), stat(field(exe, allocs), count), stat(field(exe, bytesOp), kib), stat(ratios(field(exe, ns), field(js, ns)), ratio)},
			{"encoding/json", stat(field(js, ns), us), stat(field(js, allocs), count), stat(field(js, bytesOp), kib), ""},
		},
	})
	return nil
}
