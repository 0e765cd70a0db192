package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupAndRestoreCommands: the demo database is backed up to a file,
// restored into an empty path, and the restored copy migrates and holds
// the demo data; the commands refuse PostgreSQL, a missing source and an
// existing destination with exit status 1.
func TestBackupAndRestoreCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, copyPath, restored := filepath.Join(dir, "src.db"), filepath.Join(dir, "copy.db"), filepath.Join(dir, "restored.db")
	cmd := func(want int, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if code := run(ctx, args, &out, &out, nil); code != want {
			t.Fatalf("%s exited %d, want %d: %s", strings.Join(args, " "), code, want, out.String())
		}
		return out.String()
	}
	cmd(0, "seed", "--demo", "--database", src)
	if out := cmd(0, "backup", "--database", src, "--to", copyPath); !strings.Contains(out, "wrote "+copyPath) {
		t.Errorf("backup said %q", out)
	}
	if out := cmd(0, "restore", "--from", copyPath, "--database", restored); !strings.Contains(out, "restored "+restored) {
		t.Errorf("restore said %q", out)
	}
	cmd(0, "migrate", "--database", restored)
	if out := cmd(0, "token", "list", "--database", restored); out == "" {
		t.Error("token list on the restored database said nothing")
	}
	if out := cmd(1, "restore", "--from", copyPath, "--database", restored); !strings.Contains(out, "not empty") {
		t.Errorf("restore over a database said %q", out)
	}
	if out := cmd(1, "backup", "--database", "postgres://postgres@127.0.0.1:1/x", "--to", filepath.Join(dir, "pg")); !strings.Contains(out, "pg_dump") {
		t.Errorf("backup of PostgreSQL said %q", out)
	}
	if out := cmd(1, "backup", "--database", filepath.Join(dir, "none.db"), "--to", filepath.Join(dir, "none-copy.db")); !strings.Contains(out, "no database") {
		t.Errorf("backup of a missing file said %q", out)
	}
	cmd(2, "backup", "--database", src)
}
