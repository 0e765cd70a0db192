package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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

// readmeBlock finds the README's shell commands: its sh and bash blocks.
var readmeBlock = regexp.MustCompile("(?s)```(?:sh|bash)\n(.*?)```")

// readmeSkipped are the commands the test stands in for: it serves the
// demo itself (serve --demo --dev, as `make run` does) and is part of
// `make test`.
var readmeSkipped = regexp.MustCompile(`(?m)^make (run|test)\b.*$`)

// testREADMECommands runs every shell block of README.md, in order and in
// one shell session (variables carry over, as in a reader's terminal),
// against a served demo at addr on database dsn: each block must exit 0
// and print no GraphQL "errors". The README's base URL is replaced by
// addr; `make demo-tokens` runs this test binary as the command.
func testREADMECommands(t *testing.T, addr, dsn string) {
	for _, tool := range []string{"bash", "make", "curl", "go", "grep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's commands need %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	shim := filepath.Join(dir, "usergroups")
	if err := os.WriteFile(shim, []byte("#!/bin/sh\n"+asCommand+"=1 exec '"+exe+"' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state.sh")
	if err := os.WriteFile(state, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"USERGROUPS=" + shim, "USERGROUPS_DATABASE=" + dsn}
	for _, kv := range os.Environ() {
		// Under `make test` these would make the README's make a sub-make.
		if name, _, _ := strings.Cut(kv, "="); name != "MAKEFLAGS" && name != "MAKELEVEL" && name != "MFLAGS" {
			env = append(env, kv)
		}
	}
	blocks := readmeBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 5 {
		t.Fatalf("README.md has %d shell blocks; the test expects its examples", len(blocks))
	}
	for i, b := range blocks {
		block := readmeSkipped.ReplaceAllString(b[1], "")
		if strings.Contains(block, "…") {
			t.Errorf("block %d has a placeholder (…): a reader cannot run it as it is:\n%s", i+1, block)
			continue
		}
		block = strings.ReplaceAll(block, "http://127.0.0.1:8080", "http://"+addr)
		// set -a exports every variable a block defines; the next block
		// starts from them, as in one terminal.
		script := "set -a\n. " + state + "\nset -e\n" + block + "\nset +e\nexport -p > " + state + "\n"
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-c", script)
		cmd.Dir = "../.."
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		if err != nil {
			t.Errorf("block %d failed (%v):\n%s\nstdout: %s\nstderr: %s", i+1, err, b[1], stdout.String(), stderr.String())
			continue
		}
		if strings.Contains(stdout.String(), `"errors"`) {
			t.Errorf("block %d answered with errors:\n%s\n%s", i+1, b[1], stdout.String())
		}
	}
}
