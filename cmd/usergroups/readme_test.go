package main

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
)

// TestConfigurationTable holds docs/configuration.md's table against
// serve's flags: every flag has a row, with its environment variable and its
// default (from defaultServeConfig, whatever this machine's environment
// says), and every row names a flag. On failure it prints the rows' first
// three columns as they should read.
func TestConfigurationTable(t *testing.T) {
	const doc = "docs/configuration.md"
	text, err := os.ReadFile("../../" + doc)
	if err != nil {
		t.Fatal(err)
	}
	// The flags' table is the page's first section, before "## Other commands".
	section, _, _ := strings.Cut(string(text), "\n## ")
	type row struct{ env, def string }
	documented := map[string]row{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.SplitN(strings.Trim(line, "| "), "|", 4)
		if len(cells) < 4 {
			t.Errorf("row %q has fewer than four columns", line)
			continue
		}
		name := strings.TrimPrefix(strings.Trim(strings.TrimSpace(cells[0]), "`"), "--")
		if _, dup := documented[name]; dup {
			t.Errorf("--%s has two rows", name)
		}
		documented[name] = row{strings.Trim(strings.TrimSpace(cells[1]), "`"), strings.TrimSpace(cells[2])}
	}

	fs, _ := serveFlags(io.Discard)
	defaults := defaultServeConfig()
	inTable := map[string]bool{}
	for _, s := range settings {
		inTable[s.name] = true
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !inTable[f.Name] {
			t.Errorf("--%s is registered outside the settings table (config.go), so it has no documented default", f.Name)
		}
	})
	var want strings.Builder
	for _, s := range settings {
		env, def := s.envDoc(&defaults), s.documented(&defaults)
		want.WriteString("| `--" + s.name + "` | `" + env + "` | " + def + " | " + s.help + " |\n")
		got, ok := documented[s.name]
		switch {
		case !ok:
			t.Errorf("--%s is missing from "+doc+"'s table", s.name)
		case got.env != env:
			t.Errorf("--%s: "+doc+" says environment %q, the flag reads %q", s.name, got.env, env)
		case got.def != def:
			t.Errorf("--%s: "+doc+" says default %s, the flag's is %s", s.name, got.def, def)
		}
		delete(documented, s.name)
	}
	for name := range documented {
		t.Errorf(doc+" documents --%s, which serve does not have", name)
	}
	if t.Failed() {
		t.Logf("the rows should start:\n%s", want.String())
	}
}
