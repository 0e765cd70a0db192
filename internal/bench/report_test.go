package bench_test

import (
	"strings"
	"testing"

	"github.com/usergroups/usergroups/internal/bench"
)

func TestParseGoBenchmarks(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkExecutorS1-2   	     420	   2841733 ns/op	   43210 response-bytes	 1234567 B/op	   19001 allocs/op
BenchmarkEncodingJSONS1-2   	    9000	    120000 ns/op	   50000 B/op	     12 allocs/op
PASS
`)
	got := bench.ParseGoBenchmarks(out)
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	e := got[0]
	if e.Name != "ExecutorS1" || e.NsPerOp != 2841733 || e.BytesPerOp != 1234567 || e.AllocsPerOp != 19001 || e.Extra["response-bytes"] != 43210 {
		t.Errorf("executor: %+v", e)
	}
	if got[1].Name != "EncodingJSONS1" || got[1].AllocsPerOp != 12 {
		t.Errorf("json: %+v", got[1])
	}
}

func TestMarkdown(t *testing.T) {
	r := bench.NewReport(bench.Config{Runs: 3})
	r.Add(bench.Section{Title: "S0 — test", Header: []string{"a", "b"}, Rows: [][]string{{"1", "2"}}, Notes: []string{"a note"}})
	md := string(r.Markdown())
	for _, want := range []string{"# Benchmarks", "## S0 — test", "| a | b |", "|---|---|", "| 1 | 2 |", "a note", "- commit:", "- machine:"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestGoals: the goals table reads its verdicts from the tables, this
// run's first and an earlier report's for scenarios not run now.
func TestGoals(t *testing.T) {
	previous := `# Benchmarks

- date: 2026-11-27T00:34:14Z

## S1 — nested dashboard

| database | size | ours req/s | floor req/s | ours/floor |
|---|---|---|---|---|
| PostgreSQL | 20×20 | 106 (101–121) | 231 (210–238) | 0.48× (0.46×–0.51×) |
| SQLite | 20×20 | 106 (93–118) | 195 (184–205) | 0.72× (0.45×–0.80×) |

## S4 — SQL statements per request

| groups in the community | S1 (3 levels) | S2 (1 level) | S3 |
|---|---|---|---|
| 10 | 8 | 1 | 1 |
| 100 | 7 | 1 | 1 |

## Comparison with PostGraphile 5.1.5

| scenario | size | ours/PostGraphile |
|---|---|---|
| S1 | 20×20 | 1.92× (1.87×–2.10×) |
`
	r := bench.NewReport(bench.Config{Runs: 3})
	r.UsePrevious("BENCHMARKS.md", []byte(previous))
	r.Add(bench.Section{Title: "S4 — SQL statements per request", Header: []string{"groups in the community", "S1 (3 levels)"}, Rows: [][]string{{"10", "7"}, {"1000", "7"}}})
	r.Add(bench.Section{Title: "S11 — reads under write load", Header: []string{"database", "during/alone"}, Rows: [][]string{{"PostgreSQL", "0.61× (0.55×–0.70×)"}, {"SQLite", "0.41× (0.40×–0.52×)"}}})
	// The S9 table as internal/bench/executor.go writes it.
	r.Add(bench.Section{Title: "S9 — executor tax", Header: []string{"", "time/op", "allocs/op", "memory/op", "÷ encoding/json", "÷ executor"},
		Rows: [][]string{{"executor", "3820 µs", "41604", "2643 KiB", "17.39× (15.77×–17.89×)", ""}, {"encoding/json", "225 µs", "101", "117 KiB", "", ""}}})
	verdict := func(prefix, want, source string) {
		t.Helper()
		for _, g := range r.Goals() {
			if strings.HasPrefix(g.Goal, prefix) {
				if g.Verdict != want || !strings.Contains(g.Source, source) {
					t.Errorf("%s: %s from %q (%s), want %s from %q", g.Goal, g.Verdict, g.Source, g.Measured, want, source)
				}
				return
			}
		}
		t.Errorf("no goal %q", prefix)
	}
	verdict("S1 ≥ 2.5× PostGraphile", bench.Missed, "BENCHMARKS.md of 2026-11-27T00:34:14Z (not run now)")
	verdict("S1 ≥ 0.7× the floor", bench.Missed, "not run now")
	verdict("S8", bench.Met, "not run now")
	verdict("S4", bench.Met, "this run")
	verdict("S11 S1 during S10 on PostgreSQL", bench.Met, "this run")
	verdict("S11 S1 during S10 on SQLite", bench.Missed, "this run")
	verdict("S9", bench.Missed, "this run")
	verdict("S10 write burst on SQLite", bench.NotMeasured, "–")
	md := string(r.Markdown())
	if !strings.Contains(md, "## Goals") || strings.Index(md, "## Goals") > strings.Index(md, "## S4") {
		t.Errorf("the goals table is not first:\n%s", md)
	}
}
