package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	entschema "entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/usergroups/usergroups/ent/migrate"
	"github.com/usergroups/usergroups/migrations"
)

// VersionTable records the applied migrations in goose's layout, so the
// goose CLI (`goose -dir migrations/postgres postgres URL status`) reads
// and continues what Migrate did.
const VersionTable = "goose_db_version"

// migrateLockKey is the first half of the PostgreSQL advisory lock that
// serializes Migrate; the second half is the schema's name, so replicas of
// one deployment wait for each other while test schemas on a shared server
// do not.
const migrateLockKey = 0x75677270 // "ugrp"

// Migration is one goose-format SQL migration file.
type Migration struct {
	// Version is the number before the first underscore of the file name.
	Version int64
	// Name is the file name.
	Name string
	// Stmts are the statements of the file's "+goose Up" section.
	Stmts []string
}

// ReadMigrations parses the goose-format .sql files in dir, ordered by
// version. Only the "+goose Up" section is read: Migrate never goes down.
func ReadMigrations(dir fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		prefix, _, _ := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: the name must start with a positive version number", e.Name())
		}
		b, err := fs.ReadFile(dir, e.Name())
		if err != nil {
			return nil, err
		}
		if !bytes.Contains(b, []byte("-- +goose Up")) {
			return nil, fmt.Errorf("migration %s: no \"-- +goose Up\" section", e.Name())
		}
		// Every migration runs in the transaction that records it; a file
		// that must run outside one (CREATE INDEX CONCURRENTLY) needs a
		// runner that can record it safely, which this one is not.
		if bytes.Contains(b, []byte("-- +goose NO TRANSACTION")) {
			return nil, fmt.Errorf("migration %s: NO TRANSACTION migrations are not supported", e.Name())
		}
		stmts, err := (&sqltool.GooseFile{LocalFile: migrate.NewLocalFile(e.Name(), b)}).Stmts()
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), Stmts: stmts})
	}
	slices.SortFunc(out, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// Migrate brings the schema up to date: it applies, in version order, the
// embedded migrations for the database's dialect that are not recorded as
// applied yet. Running it again, or from several replicas at once, is safe.
func (d *DB) Migrate(ctx context.Context) error {
	dir, err := migrations.Dir(d.Dialect)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		err = d.MigrateDir(ctx, dir, 0)
		// Replicas opening a fresh SQLite file at once can meet SQLITE_BUSY
		// before any busy handler applies (switching the file to WAL takes
		// an exclusive lock). Every migration is one transaction and the
		// run is idempotent, so trying again is safe.
		if err == nil || d.Dialect != dialect.SQLite || attempt == 5 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*50) * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return nil
}

// MigrateDir applies the goose-format migrations in dir whose versions are
// at most target (0: all of them) and not yet recorded in VersionTable,
// each in its own transaction together with its record. Migrate uses it
// with the embedded files; tests and cmd/migrations use other directories.
//
// PostgreSQL replicas queue on an advisory lock. On SQLite each migration
// reads the applied versions inside its write transaction, which SQLite
// runs one at a time, so a second process finds the work done.
func (d *DB) MigrateDir(ctx context.Context, dir fs.FS, target int64) (err error) {
	migs, err := ReadMigrations(dir)
	if err != nil {
		return err
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	// After a failure the connection may still be in a transaction, hold
	// the lock or have foreign keys off: discard it rather than return it
	// to the pool. (Only then: the last connection to a shared-cache
	// memory database takes the database with it.)
	defer func() {
		if err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}()
	r := runner{conn: conn, dialect: d.Dialect}
	if d.Dialect == dialect.Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1, hashtext(coalesce(current_schema(), '')))`, migrateLockKey); err != nil {
			return fmt.Errorf("waiting for the migration lock: %w", err)
		}
		defer func() {
			if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, hashtext(coalesce(current_schema(), '')))`, migrateLockKey); uerr != nil {
				err = errors.Join(err, uerr)
			}
		}()
	}
	if err := r.inTx(ctx, func() error { return r.setup(ctx, migs) }); err != nil {
		return err
	}
	if d.Dialect == dialect.SQLite {
		// A migration that rebuilds a table (SQLite's way to alter a
		// column) drops the old one; with foreign keys on, that drop
		// would cascade to or null out the rows referring to it. The
		// pragma is a no-op inside a transaction, so it is set around
		// them, and each migration checks the keys before it commits.
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = off"); err != nil {
			return err
		}
		defer func() {
			if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = on"); ferr != nil {
				err = errors.Join(err, ferr)
			}
		}()
	}
	for {
		done := false
		err := r.inTx(ctx, func() error {
			m, err := r.next(ctx, migs, target)
			if err != nil || m == nil {
				done = true
				return err
			}
			return r.apply(ctx, m)
		})
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// runner applies migrations on one connection, where the lock, the
// foreign-key pragma and the transactions all live.
type runner struct {
	conn    *sql.Conn
	dialect string
}

// inTx runs fn in a transaction begun with a plain BEGIN on the connection.
// On SQLite it is BEGIN IMMEDIATE whatever the DSN says, so the versions
// are read under the write lock.
func (r runner) inTx(ctx context.Context, fn func() error) error {
	begin := "BEGIN"
	if r.dialect == dialect.SQLite {
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := r.conn.ExecContext(ctx, begin); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := r.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return err
	}
	_, err := r.conn.ExecContext(ctx, "COMMIT")
	return err
}

// setup creates the version table the first time. A database that already
// has the application's tables but no version table was made by ent's
// auto-migration, which Migrate used before versioned migrations: it is
// baselined by recording the first (init) migration as applied.
func (r runner) setup(ctx context.Context, migs []Migration) error {
	tables, err := r.tables(ctx)
	if err != nil {
		return err
	}
	if tables[VersionTable] {
		return nil
	}
	ddl := `CREATE TABLE ` + VersionTable + ` (
		id serial NOT NULL,
		version_id bigint NOT NULL,
		is_applied boolean NOT NULL,
		tstamp timestamp NULL default now(),
		PRIMARY KEY(id)
	)`
	if r.dialect == dialect.SQLite {
		ddl = `CREATE TABLE ` + VersionTable + ` (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		version_id INTEGER NOT NULL,
		is_applied INTEGER NOT NULL,
		tstamp TIMESTAMP DEFAULT (datetime('now'))
	)`
	}
	if _, err := r.conn.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("creating %s: %w", VersionTable, err)
	}
	// goose starts every version table with version 0.
	if err := r.record(ctx, 0); err != nil {
		return err
	}
	legacy := slices.ContainsFunc(entmigrate.Tables, func(t *entschema.Table) bool { return tables[t.Name] })
	if !legacy || len(migs) == 0 {
		return nil
	}
	if len(migs) == 1 {
		// The init migration is the ent schema, so ent's own
		// auto-migration brings a database from an older release to
		// exactly what init would have made, as the old Migrate would
		// have on this upgrade. Once later migrations exist it would
		// overshoot init, and the database must already match it.
		drv := noTxDriver{entsql.NewDriver(r.dialect, entsql.Conn{ExecQuerier: r.conn})}
		if err := entmigrate.NewSchema(drv).Create(ctx); err != nil {
			return fmt.Errorf("bringing the auto-migrated schema up to %s: %w", migs[0].Name, err)
		}
	}
	return r.record(ctx, migs[0].Version)
}

// next returns the first migration up to target that is not applied yet, or
// nil when there is none.
func (r runner) next(ctx context.Context, migs []Migration, target int64) (*Migration, error) {
	applied, err := r.applied(ctx)
	if err != nil {
		return nil, err
	}
	var newest int64
	for v, ok := range applied {
		if ok && v > newest {
			newest = v
		}
	}
	for i := range migs {
		m := &migs[i]
		if target > 0 && m.Version > target {
			return nil, nil
		}
		if applied[m.Version] {
			continue
		}
		// A file older than the newest applied one was written against a
		// schema that lacked what came after; like goose, refuse rather
		// than apply it out of order. Regenerating it gives a new version.
		if m.Version < newest {
			return nil, fmt.Errorf("migration %s is older than the newest applied version %d: regenerate it", m.Name, newest)
		}
		return m, nil
	}
	return nil, nil
}

// applied returns the recorded versions; like goose, the latest row of a
// version decides whether it is applied.
func (r runner) applied(ctx context.Context) (map[int64]bool, error) {
	rows, err := r.conn.QueryContext(ctx, `SELECT version_id, is_applied FROM `+VersionTable+` ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var (
			v  int64
			ok bool
		)
		if err := rows.Scan(&v, &ok); err != nil {
			return nil, err
		}
		if _, seen := out[v]; !seen {
			out[v] = ok
		}
	}
	return out, rows.Err()
}

// apply runs m's statements and records it, inside the caller's transaction.
func (r runner) apply(ctx context.Context, m *Migration) error {
	var before map[string]bool
	if r.dialect == dialect.SQLite {
		var err error
		if before, err = r.violations(ctx); err != nil {
			return err
		}
	}
	for i, stmt := range m.Stmts {
		if _, err := r.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migration %s, statement %d: %w", m.Name, i+1, err)
		}
	}
	if r.dialect == dialect.SQLite {
		after, err := r.violations(ctx)
		if err != nil {
			return err
		}
		for v := range after {
			if !before[v] {
				return fmt.Errorf("migration %s breaks a foreign key: %s", m.Name, v)
			}
		}
	}
	return r.record(ctx, m.Version)
}

// record marks version as applied.
func (r runner) record(ctx context.Context, version int64) error {
	// The version is an integer we parsed, so formatting it in is safe and
	// spares the two dialects' placeholder styles.
	_, err := r.conn.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (version_id, is_applied) VALUES (%d, true)`, VersionTable, version))
	return err
}

// tables returns the names of the tables in the current schema.
func (r runner) tables(ctx context.Context) (map[string]bool, error) {
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	if r.dialect == dialect.SQLite {
		q = `SELECT name FROM sqlite_master WHERE type = 'table'`
	}
	rows, err := r.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out[name] = true
	}
	return out, rows.Err()
}

// violations lists SQLite's foreign-key violations, so a migration is
// blamed only for those it adds.
func (r runner) violations(ctx context.Context) (map[string]bool, error) {
	rows, err := r.conn.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var (
			table, parent string
			rowid, fkid   sql.NullInt64
		)
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return nil, err
		}
		out[fmt.Sprintf("row %d of %s refers to a missing %s row (key %d)", rowid.Int64, table, parent, fkid.Int64)] = true
	}
	return out, rows.Err()
}

// noTxDriver runs ent's auto-migration inside the runner's transaction: its
// own BEGIN would fail on a connection already in one.
type noTxDriver struct{ *entsql.Driver }

// Tx returns a transaction whose Commit and Rollback do nothing.
func (d noTxDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d.Driver), nil }
