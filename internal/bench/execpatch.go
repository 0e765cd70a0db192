package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// S9 measures the executor twice: as committed, rewritten by
// internal/tools/execpatch, and as gqlgen writes it, so that BENCHMARKS.md
// shows what the rewrite buys. The unpatched executor is gqlgen's output
// for the same schema and configuration, generated in a temporary copy of
// the module and swapped in for graph/generated/generated.go with a build
// overlay (go build -overlay): every other file of the test binary is the
// same.

// unpatchedOverlay generates gqlgen's executor in a copy of the module at
// root and returns a build overlay file that replaces the committed one
// with it. cleanup removes the copy.
func unpatchedOverlay(ctx context.Context, root string) (overlay string, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "usergroups-unpatched-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	mod := filepath.Join(tmp, "module")
	if err := copyModule(ctx, root, mod); err != nil {
		return "", nil, err
	}
	gen := exec.CommandContext(ctx, "go", "tool", "gqlgen", "generate", "--config", "gqlgen.yml")
	gen.Dir = mod
	if out, err := gen.CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("gqlgen generate: %w\n%s", err, out)
	}
	const rel = "graph/generated/generated.go"
	unpatched := filepath.Join(mod, rel)
	src, err := os.ReadFile(unpatched)
	if err != nil {
		return "", nil, err
	}
	// gqlgen's output carries the calls execpatch rewrites away; and the
	// rest of what it wrote must be what is committed, or the two
	// executors would differ in more than the rewrite.
	if !bytes.Contains(src, []byte("graphql.MarshalSliceConcurrently(")) {
		return "", nil, fmt.Errorf("gqlgen's %s has no MarshalSliceConcurrently call: is it rewritten already?", rel)
	}
	for _, f := range []string{"graph/generated/models_gen.go"} {
		a, errA := os.ReadFile(filepath.Join(root, f))
		b, errB := os.ReadFile(filepath.Join(mod, f))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			return "", nil, fmt.Errorf("gqlgen regenerated %s differently from the committed one: run make generate", f)
		}
	}
	overlay = filepath.Join(tmp, "overlay.json")
	b, err := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(root, rel): unpatched}})
	if err != nil {
		return "", nil, err
	}
	return overlay, cleanup, os.WriteFile(overlay, b, 0o644)
}

// copyModule copies the module's files, committed or not (git's
// ignored files aside), from root into dir.
func copyModule(ctx context.Context, root, dir string) error {
	ls := exec.CommandContext(ctx, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = root
	out, err := ls.Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %w", err)
	}
	for name := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not in a module")
	}
	return filepath.Dir(gomod), nil
}

// buildBenchTest compiles internal/bench's tests into bin, with overlay
// when it is not empty.
func buildBenchTest(ctx context.Context, root, bin, overlay string) error {
	args := []string{"test", "-c", "-o", bin}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./internal/bench")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// runBenchmark runs one benchmark of a compiled test binary once, in the
// package directory as go test would, and returns its result.
func runBenchmark(ctx context.Context, bin, dir, name string) (GoBenchmark, error) {
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^$", "-test.bench", "^Benchmark"+name+"$", "-test.benchmem", "-test.count", "1", "-test.benchtime", "2s")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return GoBenchmark{}, fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	for _, b := range ParseGoBenchmarks(out) {
		if b.Name == name {
			return b, nil
		}
	}
	return GoBenchmark{}, fmt.Errorf("no result for %s in:\n%s", name, out)
}
