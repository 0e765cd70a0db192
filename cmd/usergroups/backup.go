package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/usergroups/usergroups/internal/backup"
	"github.com/usergroups/usergroups/internal/store"
)

// errPostgres refuses the SQLite backup commands on PostgreSQL, whose own
// tools do it better.
var errPostgres = errors.New("PostgreSQL databases are backed up with pg_dump and restored with pg_restore (docs/backups.md)")

func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", "Write a consistent copy of the SQLite database to a new file; safe while serve runs.", stderr)
	database := databaseFlag(fs)
	to := fs.String("to", "", "the file to write; it must not exist")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		fmt.Fprintln(stderr, "usergroups backup: --to is required")
		return errUsage
	}
	if store.IsPostgres(*database) {
		return errPostgres
	}
	if err := existingSQLite(*database); err != nil {
		return err
	}
	db, err := store.Open(*database, store.Options{MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	info, err := backup.SQLite(ctx, db.SQL, *to)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d bytes, schema version %d, change log at %d, in %s\n",
		info.Path, info.Bytes, info.SchemaVersion, info.LastChange, info.Took.Round(1e6))
	return nil
}

func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", "Restore a backup file as a new SQLite database at --database, which must not exist or be empty. Stop serve first.", stderr)
	database := databaseFlag(fs)
	from := fs.String("from", "", "the backup file to restore")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		fmt.Fprintln(stderr, "usergroups restore: --from is required")
		return errUsage
	}
	if store.IsPostgres(*database) {
		return errPostgres
	}
	info, err := backup.Restore(ctx, *from, sqlitePath(*database))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s: schema version %d, change log at %d, in %s\n",
		info.Path, *from, info.SchemaVersion, info.LastChange, info.Took.Round(1e6))
	return nil
}

// sqlitePath is the file a SQLite --database names (a path or a file: URI).
func sqlitePath(dsn string) string {
	p, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	return p
}

// existingSQLite refuses to back up a database file that does not exist,
// which opening it would silently create.
func existingSQLite(dsn string) error {
	p := sqlitePath(dsn)
	if _, err := os.Stat(p); err != nil {
		return fmt.Errorf("no database at %s: %w", p, err)
	}
	return nil
}
