package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Section is one table of BENCHMARKS.md.
type Section struct {
	Title  string
	Intro  string
	Header []string
	Rows   [][]string
	Notes  []string
}

// Report collects the sections of one `make bench` run.
type Report struct {
	Started  time.Time
	cfg      Config
	Sections []Section
	failures []string
	// previous are earlier reports the goals table falls back on.
	previous []previousReport
}

// NewReport starts an empty report.
func NewReport(cfg Config) *Report { return &Report{Started: time.Now().UTC(), cfg: cfg} }

// Add appends a section.
func (r *Report) Add(s Section) { r.Sections = append(r.Sections, s) }

// Failed records that a scenario could not be measured.
func (r *Report) Failed(name string, err error) {
	r.failures = append(r.failures, fmt.Sprintf("%s: %v", name, err))
}

// stat renders a figure as "median (min–max)".
func stat(xs []float64, format func(float64) string) string {
	if len(xs) == 0 {
		return "–"
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return fmt.Sprintf("%s (%s–%s)", format(median(xs)), format(lo), format(hi))
}

func perSecond(x float64) string { return fmt.Sprintf("%.0f", x) }

func millis(x float64) string { return fmt.Sprintf("%.2f ms", x) }

func ratio(x float64) string { return fmt.Sprintf("%.2f×", x) }

func durations(rs []Result, f func(Result) time.Duration) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = float64(f(r)) / float64(time.Millisecond)
	}
	return out
}

func p50(r Result) time.Duration { return r.Percentile(50) }
func p99(r Result) time.Duration { return r.Percentile(99) }

func cpuPer(r Result) time.Duration { return r.CPUPerRequest() }

// ratios divides run i of a by run i of b: runs were interleaved, so each
// pair saw the same machine conditions.
func ratios(a, b []float64) []float64 {
	out := make([]float64, 0, len(a))
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			out = append(out, a[i]/b[i])
		}
	}
	return out
}

func errorsOf(rs []Result) string {
	n := 0
	var first error
	for _, r := range rs {
		n += r.Errors
		if first == nil {
			first = r.FirstError
		}
	}
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%v)", n, first)
}

const s1Title = "S1 — nested dashboard"

// Dashboard records S1 at one size.
func (r *Report) Dashboard(db string, size Size, p pair, fixed []Result, rate float64) {
	i := r.section(s1Title, "community → groups(first: k) → roles(first: m) → user → organization, and groups → events(first: 5) with registration counts; "+
		fmt.Sprintf("%d connections, closed loop. Latency at a fixed rate of half our median throughput. CPU is the server process's user+system time per request. The floor is a hand-written database/sql + encoding/json handler answering the same JSON (parity checked before timing).", Connections),
		[]string{"database", "size", "ours req/s", "floor req/s", "ours/floor", "p50 at 8 conns", "p99 at 8 conns", "fixed rate", "p50 at rate", "p99 at rate", "CPU/request ours", "CPU/request floor", "errors"})
	r.Sections[i].Rows = append(r.Sections[i].Rows, []string{
		db, size.String(),
		stat(rpsOf(p.ours), perSecond), stat(rpsOf(p.floor), perSecond), stat(ratios(rpsOf(p.ours), rpsOf(p.floor)), ratio),
		stat(durations(p.ours, p50), millis), stat(durations(p.ours, p99), millis),
		fmt.Sprintf("%.0f/s", rate), stat(durations(fixed, p50), millis), stat(durations(fixed, p99), millis),
		stat(durations(p.ours, cpuPer), millis), stat(durations(p.floor, cpuPer), millis),
		errorsOf(append(append(p.ours, p.floor...), fixed...)),
	})
}

// Flat records S2.
func (r *Report) Flat(db string, rs []Result) {
	i := r.section("S2 — flat list", "groups(first: 50), seven scalar fields each; 8 connections.", []string{"database", "req/s", "p50", "p99", "CPU/request", "errors"})
	r.Sections[i].Rows = append(r.Sections[i].Rows, []string{db, stat(rpsOf(rs), perSecond), stat(durations(rs, p50), millis), stat(durations(rs, p99), millis), stat(durations(rs, cpuPer), millis), errorsOf(rs)})
}

// Point records S3.
func (r *Report) Point(db string, p pair) {
	i := r.section("S3 — point lookup", "node(id:) of a random group; 8 connections; the floor answers the same JSON with one SELECT.",
		[]string{"database", "ours req/s", "floor req/s", "ours/floor", "p50", "p99", "CPU/request ours", "CPU/request floor", "errors"})
	r.Sections[i].Rows = append(r.Sections[i].Rows, []string{db, stat(rpsOf(p.ours), perSecond), stat(rpsOf(p.floor), perSecond), stat(ratios(rpsOf(p.ours), rpsOf(p.floor)), ratio),
		stat(durations(p.ours, p50), millis), stat(durations(p.ours, p99), millis), stat(durations(p.ours, cpuPer), millis), stat(durations(p.floor, cpuPer), millis), errorsOf(append(p.ours, p.floor...))})
}

// StatementRow is S4 at one community size.
type StatementRow struct {
	Groups     int
	S1, S2, S3 int64
}

// Statements records S4.
func (r *Report) Statements(rows []StatementRow) {
	s := Section{Title: "S4 — SQL statements per request", Intro: "Counted by a driver wrapper, in process, on PostgreSQL. S1 asks for every group of the community (first: N) with 5 members each; the goal is at most 1 + 2 × (connection levels) and the same at every N. S1 has three connection levels (groups, roles, events): at most 7.",
		Header: []string{"groups in the community", "S1 (3 levels)", "S2 (1 level)", "S3"}}
	for _, row := range rows {
		s.Rows = append(s.Rows, []string{fmt.Sprint(row.Groups), fmt.Sprint(row.S1), fmt.Sprint(row.S2), fmt.Sprint(row.S3)})
	}
	r.Add(s)
}

// Mix records S5.
func (r *Report) Mix(size Size, rs []Result) {
	r.Add(Section{Title: "S5 — third-party mix", Intro: fmt.Sprintf("Twenty saved documents (aliases, fragments, filters, ordering; internal/bench/queries.go) picked at random per request, data set %s, 8 connections.", size),
		Header: []string{"req/s", "p50", "p99", "CPU/request", "errors"},
		Rows:   [][]string{{stat(rpsOf(rs), perSecond), stat(durations(rs, p50), millis), stat(durations(rs, p99), millis), stat(durations(rs, cpuPer), millis), errorsOf(rs)}}})
}

func (r *Report) section(title, intro string, header []string) int {
	for i, s := range r.Sections {
		if s.Title == title {
			return i
		}
	}
	r.Add(Section{Title: title, Intro: intro, Header: header})
	return len(r.Sections) - 1
}

// Markdown renders the report as BENCHMARKS.md.
func (r *Report) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `make bench` (cmd/bench); every figure is the median with min–max over %d interleaved runs of %s each, on loopback.\n\n", r.cfg.Runs, r.cfg.Duration)
	fmt.Fprintf(&b, "- date: %s\n- commit: %s\n- machine: %s\n- Go: %s, GOMAXPROCS %d\n- PostgreSQL: %s\n\n", r.Started.Format(time.RFC3339), commit(), machine(), runtime.Version(), runtime.GOMAXPROCS(0), r.postgresVersion())
	for _, f := range r.failures {
		fmt.Fprintf(&b, "**Not measured** — %s\n\n", f)
	}
	r.goalsSection().write(&b)
	for _, s := range r.Sections {
		s.write(&b)
	}
	return b.Bytes()
}

// Splice writes this report's sections into existing, an earlier
// Markdown, and leaves the rest of it as it was (header, other sections,
// notes written by hand): each section replaces the one of the same title,
// or is appended when there is none; in the goals table, the rows this run
// measured replace theirs (or are appended), their source named after the
// run. A "**Not measured** — NAME:" line of a scenario run now is dropped,
// and this run's failures are written under the goals table. Without an
// existing report it is Markdown.
func (r *Report) Splice(existing []byte) []byte {
	if len(bytes.TrimSpace(existing)) == 0 {
		return r.Markdown()
	}
	head, chunks := splitSections(existing)
	head = r.dropFailureLines(head)
	render := func(s Section) string {
		var b bytes.Buffer
		s.write(&b)
		return b.String()
	}
	replace := func(title, text string) {
		for i := range chunks {
			if chunks[i].title == title {
				chunks[i].text = text
				return
			}
		}
		chunks = append(chunks, chunk{title, text})
	}
	for _, s := range r.Sections {
		replace(s.Title, render(s))
	}
	goals := slices.IndexFunc(chunks, func(c chunk) bool { return c.title == "Goals" })
	if goals < 0 {
		chunks = append([]chunk{{"Goals", render(r.goalsSection())}}, chunks...)
		goals = 0
	}
	chunks[goals].text = r.spliceGoals(r.dropFailureLines(chunks[goals].text))
	var b strings.Builder
	b.WriteString(head)
	for _, c := range chunks {
		b.WriteString(c.text)
	}
	return []byte(b.String())
}

// spliceGoals puts this run's goal rows and failures into the goals
// section text: each row replaces the row of the same goal, or follows
// the table's last row.
func (r *Report) spliceGoals(text string) string {
	lines := strings.SplitAfter(text, "\n")
	last := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "|") {
			last = i
		}
	}
	if last < 0 {
		return text
	}
	source := fmt.Sprintf("`-only %s` of %s", strings.Join(slices.Sorted(maps.Keys(r.cfg.Only)), ","), r.Started.Format(time.RFC3339))
	for _, g := range r.Goals() {
		if g.Source != "this run" {
			continue
		}
		row := fmt.Sprintf("| %s | %s | **%s** | %s |\n", g.Goal, g.Measured, g.Verdict, source)
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "| "+g.Goal+" |") })
		if i < 0 {
			last++
			lines = slices.Insert(lines, last, row)
		} else {
			lines[i] = row
		}
	}
	var failures []string
	for _, f := range r.failures {
		failures = append(failures, fmt.Sprintf("\n**Not measured** — %s\n", f))
	}
	lines = slices.Insert(lines, last+1, failures...)
	return strings.Join(lines, "")
}

// dropFailureLines removes the "**Not measured** — NAME: …" lines of the
// scenarios this run ran, with the blank line before each.
func (r *Report) dropFailureLines(text string) string {
	lines := strings.SplitAfter(text, "\n")
	out := lines[:0]
	for _, l := range lines {
		name, _, ok := strings.Cut(strings.TrimPrefix(l, "**Not measured** — "), ":")
		if ok && strings.HasPrefix(l, "**Not measured** — ") && r.cfg.Only[name] {
			if n := len(out); n > 0 && strings.TrimSpace(out[n-1]) == "" {
				out = out[:n-1]
			}
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

// chunk is one "## " section of a Markdown report, heading included.
type chunk struct{ title, text string }

// splitSections cuts a report into what precedes its first "## " heading
// and its sections, each up to the next heading.
func splitSections(md []byte) (head string, chunks []chunk) {
	lines := strings.SplitAfter(string(md), "\n")
	var cur *chunk
	for _, line := range lines {
		if title, ok := strings.CutPrefix(line, "## "); ok {
			chunks = append(chunks, chunk{title: strings.TrimSpace(title)})
			cur = &chunks[len(chunks)-1]
		}
		if cur == nil {
			head += line
		} else {
			cur.text += line
		}
	}
	// Each section ends on a blank line, the last one too.
	if n := len(chunks); n > 0 && !strings.HasSuffix(chunks[n-1].text, "\n\n") {
		chunks[n-1].text = strings.TrimRight(chunks[n-1].text, "\n") + "\n\n"
	}
	return head, chunks
}

// write renders the section: heading, introduction, table and notes.
func (s Section) write(b *bytes.Buffer) {
	fmt.Fprintf(b, "## %s\n\n", s.Title)
	if s.Intro != "" {
		fmt.Fprintf(b, "%s\n\n", s.Intro)
	}
	if len(s.Header) > 0 {
		fmt.Fprintf(b, "| %s |\n|%s\n", strings.Join(s.Header, " | "), strings.Repeat("---|", len(s.Header)))
		for _, row := range s.Rows {
			fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
		}
		b.WriteString("\n")
	}
	for _, n := range s.Notes {
		fmt.Fprintf(b, "%s\n\n", n)
	}
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); len(bytes.TrimSpace(st)) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%s, %d cores%s, %s/%s", model, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH)
}

func (r *Report) postgresVersion() string {
	if r.cfg.PostgresURL == "" {
		return "–"
	}
	db, _, err := OpenSQL(r.cfg.PostgresURL)
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(`SHOW server_version`).Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the harness's own values
	}
	return b
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// serveOnce runs one request through an in-process handler.
func serveOnce(ctx context.Context, h http.Handler, query string, vars map[string]any) ([]byte, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(mustJSON(map[string]any{"query": query, "variables": vars})))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors":`)) {
		return nil, fmt.Errorf("HTTP %d: %.300s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes(), nil
}
