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
