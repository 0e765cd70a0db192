package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/dbtest"
)

// copyMigrations copies the repository's migrations into a temporary
// directory, so the command can write without touching them.
func copyMigrations(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS("../../migrations")); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestNextVersionPassesNewestFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "postgres"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "postgres", "20300101000000_future.sql"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	if v, err := nextVersion(dir, now); err != nil || v != "20300101000001" {
		t.Errorf("nextVersion behind a future file = %q, %v", v, err)
	}
	if v, err := nextVersion(t.TempDir(), now); err != nil || v != "20260102020405" {
		t.Errorf("nextVersion = %q, %v; want the UTC timestamp", v, err)
	}
}

func TestHashIsStable(t *testing.T) {
	dir := copyMigrations(t)
	if err := run(context.Background(), []string{"-hash", "-dir", dir}, &bytes.Buffer{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, d := range dialectDirs() {
		want, _ := os.ReadFile(filepath.Join("../../migrations", d.sub, "atlas.sum"))
		got, _ := os.ReadFile(filepath.Join(dir, d.sub, "atlas.sum"))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rehashing changed atlas.sum:\n%s\nwant\n%s", d.sub, got, want)
		}
	}
}

// TestNoChanges runs the generator as `make migration` does; it needs the
// PostgreSQL server of USERGROUPS_TEST_DATABASE for the postgres diff.
func TestNoChanges(t *testing.T) {
	devURL := os.Getenv(dbtest.EnvDatabase)
	if devURL == "" {
		t.Skip("USERGROUPS_TEST_DATABASE is not set: no PostgreSQL dev database")
	}
	dir := copyMigrations(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-name", "nothing", "-dir", dir, "-dev-url", devURL}, &out, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "no changes") {
		t.Errorf("output %q, want no changes", out.String())
	}
}
