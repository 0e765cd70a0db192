package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// The goals table at the top of BENCHMARKS.md is computed from the
// report's own tables, read back by title, column header and row: each
// goal takes the median of the figures its scenario measured in this run.
// A scenario not run now is looked up in the previous reports the harness
// was given (the last comparison with PostGraphile lives in
// BENCHMARKS-postgraphile.md or in the BENCHMARKS.md it overwrites), and
// the table says so.

// Verdicts of a goal.
const (
	Met         = "MET"
	Missed      = "MISSED"
	NotMeasured = "NOT MEASURED"
)

// GoalRow is one line of the goals table.
type GoalRow struct {
	Goal, Measured, Verdict, Source string
}

// previousReport is a report written earlier, read back.
type previousReport struct {
	name, date string
	sections   []Section
}

// UsePrevious gives the goals table an earlier report to take the figures
// of scenarios not run now from; name says where it came from. Reports
// given first are preferred.
func (r *Report) UsePrevious(name string, markdown []byte) {
	p := previousReport{name: name}
	p.sections, p.date = ParseMarkdown(markdown)
	r.previous = append(r.previous, p)
}

// ParseMarkdown reads the sections and the date line of a report Markdown
// wrote (titles, headers and rows; intros and notes are dropped).
func ParseMarkdown(md []byte) (sections []Section, date string) {
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	var cur *Section
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "- date: "):
			date = strings.TrimPrefix(line, "- date: ")
		case strings.HasPrefix(line, "## "):
			sections = append(sections, Section{Title: strings.TrimPrefix(line, "## ")})
			cur = &sections[len(sections)-1]
		case cur != nil && strings.HasPrefix(line, "|") && strings.HasSuffix(line, "|"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			switch {
			case cur.Header == nil:
				cur.Header = cells
			case strings.Trim(strings.Join(cells, ""), "-") == "":
				// the separator line
			default:
				cur.Rows = append(cur.Rows, cells)
			}
		}
	}
	return sections, date
}

// table is one section found for a goal, with where it came from.
type table struct {
	Section
	source string
}

// find returns the section whose title starts with prefix, from this run
// or else from the first previous report that has it.
func (r *Report) find(prefix string) (table, bool) {
	for _, s := range r.Sections {
		if strings.HasPrefix(s.Title, prefix) && len(s.Rows) > 0 {
			return table{Section: s, source: "this run"}, true
		}
	}
	for _, p := range r.previous {
		for _, s := range p.sections {
			if strings.HasPrefix(s.Title, prefix) && len(s.Rows) > 0 {
				src := p.name
				if p.date != "" {
					src += " of " + p.date
				}
				return table{Section: s, source: src + " (not run now)"}, true
			}
		}
	}
	return table{}, false
}

// col is the index of the column named name, or -1.
func (t table) col(name string) int {
	for i, h := range t.Header {
		if h == name {
			return i
		}
	}
	return -1
}

// cell returns column name of the rows matching where (column → value).
func (t table) cells(name string, where map[string]string) []string {
	c := t.col(name)
	if c < 0 {
		return nil
	}
	var out []string
rows:
	for _, row := range t.Rows {
		for k, v := range where {
			i := t.col(k)
			if i < 0 || i >= len(row) || row[i] != v {
				continue rows
			}
		}
		if c < len(row) {
			out = append(out, row[c])
		}
	}
	return out
}

// leading is the number a cell starts with: the median of "1.92× (1.87×–2.10×)".
func leading(cell string) (float64, bool) {
	end := 0
	for end < len(cell) && (cell[end] >= '0' && cell[end] <= '9' || cell[end] == '.' || cell[end] == '-' && end == 0) {
		end++
	}
	f, err := strconv.ParseFloat(cell[:end], 64)
	return f, err == nil
}

// Goals computes the goals table from the report's sections.
func (r *Report) Goals() []GoalRow {
	var rows []GoalRow
	add := func(goal, measured string, ok bool, src string) {
		v := Missed
		if ok {
			v = Met
		}
		rows = append(rows, GoalRow{Goal: goal, Measured: measured, Verdict: v, Source: src})
	}
	none := func(goal string) {
		rows = append(rows, GoalRow{Goal: goal, Measured: "–", Verdict: NotMeasured, Source: "–"})
	}

	// S1 against PostGraphile, at the comparison's size.
	const pgGoal = "S1 ≥ 2.5× PostGraphile (req/s)"
	if t, ok := r.find("Comparison with PostGraphile"); ok {
		cells := t.cells("ours/PostGraphile", map[string]string{"scenario": "S1"})
		if x, ok := firstNumber(cells); ok {
			add(pgGoal, cells[0], x >= 2.5, t.source)
		} else {
			none(pgGoal)
		}
	} else {
		none(pgGoal)
	}
	// S1 against the floor, every PostgreSQL size; S8 is S1 on SQLite.
	r.floorGoal("S1 ≥ 0.7× the floor on PostgreSQL, every size (req/s)", "PostgreSQL", add, none)
	r.floorGoal("S8 (S1 on SQLite) ≥ 0.7× its floor (req/s)", "SQLite", add, none)

	const s9Goal = "S9 executor ≤ 5× encoding/json (time/op)"
	if t, ok := r.find("S9 "); ok {
		cells := t.cells("÷ encoding/json", map[string]string{"": "executor"})
		if x, ok := firstNumber(cells); ok {
			add(s9Goal, cells[0], x <= 5, t.source)
		} else {
			none(s9Goal)
		}
	} else {
		none(s9Goal)
	}

	const s6Goal = "S6 ≤ 16 KiB and ≤ 2 goroutines per idle subscription, one socket each (every count)"
	if t, ok := r.find("S6 "); ok {
		kib := t.cells("heap+stack KiB/sub", map[string]string{"per socket": "1"})
		gor := t.cells("goroutines/sub", map[string]string{"per socket": "1"})
		subs := t.cells("subscriptions", map[string]string{"per socket": "1"})
		if len(kib) > 0 && len(kib) == len(gor) && len(kib) == len(subs) {
			met, parts := true, []string{}
			for i := range kib {
				k, ok1 := leading(kib[i])
				g, ok2 := leading(gor[i])
				met = met && ok1 && ok2 && k <= 16 && g <= 2
				parts = append(parts, fmt.Sprintf("%s KiB, %s goroutines at %s", trimStat(kib[i]), trimStat(gor[i]), subs[i]))
			}
			add(s6Goal, strings.Join(parts, "; "), met, t.source)
		} else {
			none(s6Goal)
		}
	} else {
		none(s6Goal)
	}

	const s7Goal, s7Replica = "S7 10k subscribers: last delivery p99 ≤ 250 ms", "S7 10k subscribers: a second replica adds ≤ 5 ms (last delivery p99)"
	if t, ok := r.find("S7 "); ok {
		one := t.cells("last delivery p99", map[string]string{"subscribers": "10000", "replicas": "1"})
		two := t.cells("last delivery p99", map[string]string{"subscribers": "10000", "replicas": "2"})
		if x, ok := firstNumber(one); ok {
			add(s7Goal, one[0], x <= 250, t.source)
			if y, ok := firstNumber(two); ok {
				add(s7Replica, fmt.Sprintf("%+.2f ms (%s vs %s)", y-x, two[0], one[0]), y-x <= 5, t.source)
			} else {
				none(s7Replica)
			}
		} else {
			none(s7Goal)
			none(s7Replica)
		}
	} else {
		none(s7Goal)
		none(s7Replica)
	}

	const s4Goal = "S4 S1 ≤ 1 + 2 × levels = 7 statements, at every size"
	if t, ok := r.find("S4 "); ok {
		cells := t.cells("S1 (3 levels)", nil)
		worst, all := 0.0, len(cells) > 0
		for _, c := range cells {
			x, ok := leading(c)
			all = all && ok
			worst = max(worst, x)
		}
		if all {
			add(s4Goal, fmt.Sprintf("%s (at %s groups)", strings.Join(cells, ", "), strings.Join(t.cells("groups in the community", nil), ", ")), worst <= 7, t.source)
		} else {
			none(s4Goal)
		}
	} else {
		none(s4Goal)
	}

	for _, db := range []string{"PostgreSQL", "SQLite"} {
		goal := "S10 write burst on " + db + ": p99 ≤ 250 ms, every check holding, no delivery missing, no error"
		t, ok := r.find(s10Title)
		p99 := t.cells("p99", map[string]string{"database": db})
		x, okx := firstNumber(p99)
		if !ok || !okx {
			none(goal)
			continue
		}
		checks := firstCell(t.cells("checks", map[string]string{"database": db}))
		missing := firstCell(t.cells("missing deliveries", map[string]string{"database": db}))
		errs := firstCell(t.cells("errors", map[string]string{"database": db}))
		add(goal, fmt.Sprintf("p99 %s; checks %s; missing %s; errors %s", p99[0], checks, missing, errs),
			x <= 250 && checks == "exact" && missing == "0" && errs == "0", t.source)
	}
	for _, db := range []string{"PostgreSQL", "SQLite"} {
		goal := "S11 S1 during S10 on " + db + ": ≥ 0.5× S1 alone (req/s)"
		t, ok := r.find(s11Title)
		cells := t.cells("during/alone", map[string]string{"database": db})
		if x, okx := firstNumber(cells); ok && okx {
			add(goal, cells[0], x >= 0.5, t.source)
		} else {
			none(goal)
		}
	}
	r.soakGoal(add, none)
	return rows
}

// floorGoal adds the ours/floor goal of S1 on one database: MET when the
// median of every size reaches 0.7×.
func (r *Report) floorGoal(goal, db string, add func(string, string, bool, string), none func(string)) {
	t, ok := r.find(s1Title)
	if !ok {
		none(goal)
		return
	}
	cells := t.cells("ours/floor", map[string]string{"database": db})
	sizes := t.cells("size", map[string]string{"database": db})
	if len(cells) == 0 || len(cells) != len(sizes) {
		none(goal)
		return
	}
	met, parts := true, []string{}
	for i, c := range cells {
		x, ok := leading(c)
		met = met && ok && x >= 0.7
		parts = append(parts, fmt.Sprintf("%s at %s", c, sizes[i]))
	}
	add(goal, strings.Join(parts, "; "), met, t.source)
}

func firstNumber(cells []string) (float64, bool) {
	if len(cells) == 0 {
		return 0, false
	}
	return leading(cells[0])
}

func firstCell(cells []string) string {
	if len(cells) == 0 {
		return "–"
	}
	return cells[0]
}

// trimStat keeps a cell's median.
func trimStat(cell string) string {
	m, _, _ := strings.Cut(cell, " (")
	return m
}

// goalsSection renders the goals as the report's first table.
func (r *Report) goalsSection() Section {
	s := Section{Title: "Goals", Header: []string{"goal", "measured (median, min–max)", "verdict", "from"},
		Intro: "Each verdict is computed from the tables below (the median of the runs); a scenario not run now is taken from the report named under “from”. " +
			"S10 and S11 are ours: a registration is a person waiting on a button, so it gets the live updates' latency budget (S7's 250 ms), and a seat count that is off, a change row or job missing, or a subscriber left behind fails it whatever the speed; " +
			"a burst of a hundred registrations a second may take CPU from the dashboard on two cores, but S1 keeping half its throughput shows reads are not queued behind the writes' locks. " +
			"SOAK (`make soak`, run on its own) is MET when every check of its table passes."}
	for _, g := range r.Goals() {
		s.Rows = append(s.Rows, []string{g.Goal, g.Measured, "**" + g.Verdict + "**", g.Source})
	}
	return s
}
