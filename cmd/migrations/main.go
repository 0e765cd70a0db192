// Command migrations writes the next versioned migration for every dialect
// when the ent schema has changed, and rewrites atlas.sum after a migration
// was edited by hand.
//
//	go run ./cmd/migrations -name add_group_timezone   # make migration NAME=add_group_timezone
//	go run ./cmd/migrations -hash                      # make migration-hash
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/ent/migrate"
	"github.com/usergroups/usergroups/internal/store/migrationgen"
)

// dialectDir pairs an ent dialect with its directory under -dir.
type dialectDir struct{ dialect, sub string }

// dialectDirs lists the dialects with migrations, in a fixed order.
func dialectDirs() []dialectDir {
	return []dialectDir{{dialect.SQLite, "sqlite"}, {dialect.Postgres, "postgres"}}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, time.Now()); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "migrations:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("migrations", flag.ContinueOnError)
	name := fs.String("name", "", "name of the new migration, e.g. add_group_timezone (lower-case, digits, underscores)")
	dir := fs.String("dir", "migrations", "directory holding one migration directory per dialect")
	devURL := fs.String("dev-url", migrationgen.DefaultPostgresDevURL,
		"PostgreSQL server to replay the migrations on, in a throwaway schema")
	hash := fs.Bool("hash", false, "only rewrite each dialect's atlas.sum (after editing a migration by hand)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *hash {
		return rehash(*dir, stdout)
	}
	if *name == "" {
		return errors.New("-name is required (make migration NAME=...)")
	}
	for _, d := range dialectDirs() {
		if err := os.MkdirAll(filepath.Join(*dir, d.sub), 0o755); err != nil {
			return err
		}
	}
	version, err := nextVersion(*dir, now)
	if err != nil {
		return err
	}
	// Diff every dialect before writing anything, so a failure on one (no
	// PostgreSQL server, say) never leaves the directories out of step.
	pending := map[string]map[string][]byte{}
	for _, d := range dialectDirs() {
		files, err := migrationgen.Next(ctx, migrationgen.Request{
			Dialect: d.dialect,
			DevURL:  *devURL,
			Dir:     os.DirFS(filepath.Join(*dir, d.sub)),
			Name:    *name,
			Version: version,
			Tables:  migrate.Tables,
		})
		if err != nil {
			return err
		}
		if len(files) > 0 {
			pending[d.sub] = files
		}
	}
	if len(pending) == 0 {
		fmt.Fprintln(stdout, "no changes: the migrations already match the ent schema")
		return nil
	}
	var written []string
	for sub, files := range pending {
		for file, b := range files {
			p := filepath.Join(*dir, sub, file)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				return err
			}
			written = append(written, p)
		}
	}
	sort.Strings(written)
	for _, p := range written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	return nil
}

// nextVersion is the current UTC time as a goose timestamp version, moved
// past the newest existing file should the clock be behind it.
func nextVersion(dir string, now time.Time) (string, error) {
	v, err := strconv.ParseInt(now.UTC().Format("20060102150405"), 10, 64)
	if err != nil {
		return "", err
	}
	for _, d := range dialectDirs() {
		entries, err := os.ReadDir(filepath.Join(dir, d.sub))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		for _, e := range entries {
			prefix, _, ok := strings.Cut(e.Name(), "_")
			if !ok || filepath.Ext(e.Name()) != ".sql" {
				continue
			}
			if n, err := strconv.ParseInt(prefix, 10, 64); err == nil && n >= v {
				v = n + 1
			}
		}
	}
	return strconv.FormatInt(v, 10), nil
}

// rehash rewrites atlas.sum in every dialect directory.
func rehash(dir string, stdout io.Writer) error {
	for _, d := range dialectDirs() {
		sum, err := migrationgen.Sum(os.DirFS(filepath.Join(dir, d.sub)))
		if err != nil {
			return err
		}
		p := filepath.Join(dir, d.sub, migrationgen.SumFile)
		if err := os.WriteFile(p, sum, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", p)
	}
	return nil
}
