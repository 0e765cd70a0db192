// Command schemalint lints the published schema (schema.graphql) with
// graphql-schema-linter, run through npx at a pinned version with the
// rules of .graphql-schema-linterrc, against a baseline of known findings
// (.graphql-lint-baseline) that may only shrink:
//
//   - a finding the baseline does not hold fails: fix it;
//   - a baseline entry no longer found fails too, until `-prune` (make
//     lint-schema-prune) drops it, so that a fixed finding cannot come back
//     unnoticed;
//   - -prune only removes entries: the baseline never gains one.
//
// Findings are compared by rule and message (which names the type, field,
// argument or value), not by line, so that unrelated edits do not move
// them; a message found twice must be in the baseline twice.
//
// Without node (no npx on the PATH) it says so and succeeds, unless
// USERGROUPS_SCHEMA_LINT=required, as CI sets it.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
)

// linter is the pinned linter with its peer dependency, as npx arguments.
var linter = []string{"--yes", "--prefer-offline", "--loglevel=error",
	"--package=graphql@16.11.0", "--package=graphql-schema-linter@3.0.1", "graphql-schema-linter"}

// finding is one linter message, without its position.
type finding struct {
	rule, message, at string
}

// key is how a finding is stored in the baseline: one line, no position.
func (f finding) key() string { return f.rule + "\t" + f.message }

func main() {
	schema := flag.String("schema", "schema.graphql", "the SDL `file` to lint")
	baseline := flag.String("baseline", ".graphql-lint-baseline", "the `file` of known findings")
	prune := flag.Bool("prune", false, "drop the baseline entries that are no longer found (never adds one)")
	flag.Parse()
	if _, err := exec.LookPath("npx"); err != nil {
		if os.Getenv("USERGROUPS_SCHEMA_LINT") == "required" {
			fail("node's npx is not on the PATH, and USERGROUPS_SCHEMA_LINT=required: install Node.js (20 or later)")
		}
		fmt.Fprintln(os.Stderr, "schemalint: skipped, node's npx is not on the PATH (CI runs it: install Node.js to lint here)")
		return
	}
	found, err := lint(*schema)
	if err != nil {
		fail(err.Error())
	}
	known, header, err := readBaseline(*baseline)
	if err != nil {
		fail(err.Error())
	}
	added, fixed := compare(found, known)
	if *prune {
		if len(added) > 0 {
			report(os.Stderr, *schema, *baseline, added, nil)
			fail("not pruning while there are new findings")
		}
		kept := subtract(known, fixed)
		if err := writeBaseline(*baseline, header, kept); err != nil {
			fail(err.Error())
		}
		fmt.Printf("schemalint: %d entries dropped from %s, %d left\n", len(fixed), *baseline, len(kept))
		return
	}
	if len(added) > 0 || len(fixed) > 0 {
		report(os.Stderr, *schema, *baseline, added, fixed)
		os.Exit(1)
	}
	if len(known) == 0 {
		fmt.Printf("schemalint: %s: no findings\n", *schema)
		return
	}
	fmt.Printf("schemalint: %s: no new findings (%d known in %s)\n", *schema, len(known), *baseline)
}

// lint runs the linter over schema and returns its findings. The linter
// exits 1 when it finds anything, so its exit status alone means little:
// what counts is whether it printed its JSON report.
func lint(schema string) ([]finding, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("npx", append(slices.Clone(linter), "--format", "json", schema)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var report struct {
		Errors []struct {
			Message  string `json:"message"`
			Rule     string `json:"rule"`
			Location struct {
				Line   int `json:"line"`
				Column int `json:"column"`
			} `json:"location"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		return nil, fmt.Errorf("graphql-schema-linter gave no report (%v): %s%s", runErr, stdout.String(), stderr.String())
	}
	out := make([]finding, 0, len(report.Errors))
	for _, e := range report.Errors {
		out = append(out, finding{rule: e.Rule, message: oneLine(e.Message),
			at: fmt.Sprintf("%s:%d:%d", schema, e.Location.Line, e.Location.Column)})
	}
	return out, nil
}

// oneLine keeps a message on the one line its baseline entry is.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// readBaseline returns the baseline's entries and its leading comment.
func readBaseline(path string) (entries []string, header []string, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
			if len(entries) == 0 {
				header = append(header, line)
			}
		case strings.TrimSpace(line) != "":
			entries = append(entries, line)
		}
	}
	return entries, header, sc.Err()
}

// writeBaseline rewrites the baseline, sorted, under its comment.
func writeBaseline(path string, header, entries []string) error {
	sort.Strings(entries)
	var b strings.Builder
	for _, l := range header {
		b.WriteString(l + "\n")
	}
	for _, l := range entries {
		b.WriteString(l + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// compare returns the findings the baseline does not hold (counting
// repeats) and the baseline entries no finding matches.
func compare(found []finding, known []string) (added []finding, fixed []string) {
	left := map[string]int{}
	for _, k := range known {
		left[k]++
	}
	for _, f := range found {
		if left[f.key()] > 0 {
			left[f.key()]--
			continue
		}
		added = append(added, f)
	}
	for _, k := range known {
		if left[k] > 0 {
			left[k]--
			fixed = append(fixed, k)
		}
	}
	return added, fixed
}

// subtract removes each of drop once from entries.
func subtract(entries, drop []string) []string {
	n := map[string]int{}
	for _, d := range drop {
		n[d]++
	}
	var out []string
	for _, e := range entries {
		if n[e] > 0 {
			n[e]--
			continue
		}
		out = append(out, e)
	}
	return out
}

// maxShown is how many findings of each kind a report lists.
const maxShown = 100

// report says what differs from the baseline and what to do about it.
func report(w io.Writer, schema, baseline string, added []finding, fixed []string) {
	if len(added) > 0 {
		fmt.Fprintf(w, "schemalint: %d new finding(s) in %s:\n", len(added), schema)
		for i, f := range added {
			if i == maxShown {
				fmt.Fprintf(w, "  … and %d more\n", len(added)-maxShown)
				break
			}
			fmt.Fprintf(w, "  %s %s (%s)\n", f.at, f.message, f.rule)
		}
		fmt.Fprintf(w, "Fix them where the schema is written (a description in graph/schema.graphqls, or in ent/schema\n"+
			"for the generated graph/ent.graphqls), run `make generate`, and commit schema.graphql. %s only\n"+
			"lists findings older than the linter; new ones are not added to it.\n", baseline)
	}
	if len(fixed) > 0 {
		fmt.Fprintf(w, "schemalint: %d entr(ies) of %s are fixed and no longer found:\n", len(fixed), baseline)
		for i, k := range fixed {
			if i == maxShown {
				fmt.Fprintf(w, "  … and %d more\n", len(fixed)-maxShown)
				break
			}
			fmt.Fprintf(w, "  %s\n", strings.Replace(k, "\t", ": ", 1))
		}
		fmt.Fprintf(w, "Well done: run `make lint-schema-prune` to drop them from %s and commit it.\n", baseline)
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "schemalint:", msg)
	os.Exit(1)
}
