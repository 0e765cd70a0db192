// Package backup takes a consistent copy of the embedded SQLite database
// while the server runs, and restores such a copy into an empty path.
//
// A copy is made with SQLite's VACUUM INTO: one read transaction, so the
// file holds the database exactly as of one commit, while writers carry on
// (the database runs in WAL mode). PostgreSQL is backed up with its own
// tools (docs/backups.md).
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/migrations"
)

// Info describes a backup file.
type Info struct {
	// Path is the file.
	Path string
	// Bytes is its size.
	Bytes int64
	// SchemaVersion is the newest migration applied in it.
	SchemaVersion int64
	// LastChange is the sequence number of the newest change-log row it
	// holds: subscriptions and change feeds resume from there after a
	// restore.
	LastChange int64
	// Took is how long the copy took.
	Took time.Duration
}

// ErrExists is returned when the destination of a backup or a restore is
// not empty: neither ever overwrites a file.
var ErrExists = errors.New("the destination exists and is not empty")

// SQLite writes a consistent copy of db, an open SQLite database, to the
// file to, which must not exist. The copy is written beside it under a
// temporary name and renamed into place once complete and synced, so a
// failure leaves no partial file at to.
func SQLite(ctx context.Context, db *sql.DB, to string) (Info, error) {
	start := time.Now()
	if err := vacant(to); err != nil {
		return Info{}, err
	}
	tmp, err := tempBeside(to)
	if err != nil {
		return Info{}, err
	}
	defer os.Remove(tmp)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return Info{}, fmt.Errorf("copying the database: %w", err)
	}
	info, err := inspect(ctx, tmp)
	if err != nil {
		return Info{}, err
	}
	if err := publish(tmp, to); err != nil {
		return Info{}, err
	}
	info.Path, info.Took = to, time.Since(start)
	return info, nil
}

// Restore checks the backup file from (a usergroups database whose schema
// this binary knows, passing SQLite's integrity check) and writes it as a
// fresh database at to, which must not exist or be an empty file. Serve
// then migrates it forward if it is older than the binary.
func Restore(ctx context.Context, from, to string) (Info, error) {
	start := time.Now()
	if err := vacant(to); err != nil {
		return Info{}, err
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(to + side); err == nil {
			return Info{}, fmt.Errorf("%s: %w", to+side, ErrExists)
		}
	}
	info, err := inspect(ctx, from)
	if err != nil {
		return Info{}, err
	}
	tmp, err := tempBeside(to)
	if err != nil {
		return Info{}, err
	}
	defer os.Remove(tmp)
	src := store.OpenSQLiteSnapshot(from)
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return Info{}, fmt.Errorf("writing the restored database: %w", err)
	}
	if err := publish(tmp, to); err != nil {
		return Info{}, err
	}
	info.Path, info.Took = to, time.Since(start)
	return info, nil
}

// inspect opens the file at path as a snapshot and checks that it is an
// intact usergroups database this binary can run.
func inspect(ctx context.Context, path string) (Info, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Info{}, err
	}
	db := store.OpenSQLiteSnapshot(path)
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		return Info{}, fmt.Errorf("%s is not a SQLite database: %w", path, err)
	}
	if check != "ok" {
		return Info{}, fmt.Errorf("%s fails SQLite's integrity check: %s", path, check)
	}
	info := Info{Path: path, Bytes: st.Size()}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM `+store.VersionTable+` WHERE is_applied`).
		Scan(&info.SchemaVersion); err != nil {
		return Info{}, fmt.Errorf("%s is not a usergroups database (no migration table): %w", path, err)
	}
	newest, err := newestMigration()
	if err != nil {
		return Info{}, err
	}
	if info.SchemaVersion > newest {
		return Info{}, fmt.Errorf("%s has schema version %d, newer than this release's %d: restore it with a release at least as new", path, info.SchemaVersion, newest)
	}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM changes`).Scan(&info.LastChange); err != nil {
		return Info{}, fmt.Errorf("%s has no change log: %w", path, err)
	}
	return info, nil
}

// newestMigration is the newest SQLite migration embedded in the binary.
func newestMigration() (int64, error) {
	dir, err := migrations.Dir(dialect.SQLite)
	if err != nil {
		return 0, err
	}
	migs, err := store.ReadMigrations(dir)
	if err != nil || len(migs) == 0 {
		return 0, fmt.Errorf("reading the embedded migrations: %w", err)
	}
	return migs[len(migs)-1].Version, nil
}

// vacant refuses a destination that exists with content.
func vacant(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case st.IsDir() || st.Size() > 0:
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	return nil
}

// tempBeside names a file in path's directory for the copy to be written
// to before it is renamed into place (a rename within one directory is
// atomic). SQLite creates the file itself, so the name must be free.
func tempBeside(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	return name, os.Remove(name)
}

// publish syncs tmp and renames it to path, then syncs the directory so the
// rename survives a crash.
func publish(tmp, path string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
