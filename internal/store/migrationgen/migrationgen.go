// Package migrationgen writes versioned migrations from the ent schema, the
// way `atlas migrate diff` would: it replays the existing goose-format files
// on a throwaway dev database and diffs the result against the ent tables.
// cmd/migrations drives it; the store tests use it to prove that the files
// and the schema agree.
package migrationgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	"github.com/usergroups/usergroups/internal/store"
)

// DefaultPostgresDevURL is the server on which the PostgreSQL diff replays
// the migrations, in a schema created for the run and dropped after it.
const DefaultPostgresDevURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// SumFile is the name of the integrity file kept beside the migrations.
const SumFile = migrate.HashFileName

// Request describes one diff: which dialect, against which files, and how
// to name the migration it may produce.
type Request struct {
	// Dialect is the ent dialect name: dialect.SQLite or dialect.Postgres.
	Dialect string
	// DevURL is the PostgreSQL server used as the dev database; SQLite
	// always uses a private in-memory database.
	DevURL string
	// Dir holds the existing migration files and their atlas.sum.
	Dir fs.FS
	// Name is the migration's name, the part after the version.
	Name string
	// Version is the new file's goose version; cmd/migrations passes one
	// timestamp to both dialects so their files line up.
	Version string
	// Tables is the desired schema, normally ent/migrate.Tables.
	Tables []*schema.Table
}

// Next returns the files that bring the migrations in r.Dir up to
// r.Tables: the new migration and the rewritten atlas.sum, keyed by file
// name. It returns no files when the directory already matches.
//
// The files are replayed with store's own runner on an empty dev database,
// which is then diffed against the ent tables as ent's auto-migration
// would (atlas's inspect mode). ent's replay mode would do both steps
// itself, but atlas's replay refuses a PostgreSQL database that holds any
// schema besides an empty "public", which rules out a throwaway schema on
// a shared server; replaying with the production runner also means the
// diff starts from exactly what deployments have.
func Next(ctx context.Context, r Request) (map[string][]byte, error) {
	if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(r.Name) {
		return nil, fmt.Errorf("migration name %q: use lower-case letters, digits and underscores", r.Name)
	}
	if !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(r.Version) {
		return nil, fmt.Errorf("migration version %q: want a positive number", r.Version)
	}
	if err := Verify(r.Dir); err != nil {
		return nil, err
	}
	dir, err := load(r.Dir)
	if err != nil {
		return nil, err
	}
	before := snapshot(dir)
	dev, cleanup, err := openDev(ctx, r.Dialect, r.DevURL)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if err := dev.MigrateDir(ctx, r.Dir, 0); err != nil {
		return nil, fmt.Errorf("replaying the %s migrations on the dev database: %w", r.Dialect, err)
	}
	if err := diff(ctx, dev, dir, r.Version, r.Name, r.Tables); err != nil {
		return nil, err
	}
	changed := map[string][]byte{}
	newFile := false
	for name, b := range snapshot(dir) {
		if old, ok := before[name]; !ok || !bytes.Equal(old, b) {
			changed[name] = b
			newFile = newFile || name != SumFile
		}
	}
	if !newFile {
		return nil, nil
	}
	return changed, nil
}

// Drift returns the statements that would bring the database behind db to
// the schema in tables; none when they agree. It inspects the live
// database, so it checks what the migration runner actually produced.
func Drift(ctx context.Context, db *store.DB, tables []*schema.Table) ([]string, error) {
	dir := &gooseMemDir{MemDir: &migrate.MemDir{}}
	if err := diff(ctx, db, dir, "1", "drift", tables); err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, f := range files {
		s, err := f.Stmts()
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, s...)
	}
	return stmts, nil
}

// diff writes to dir, as migration version_name, the changes that bring the
// database behind db to tables.
func diff(ctx context.Context, db *store.DB, dir migrate.Dir, version, name string, tables []*schema.Table) error {
	opts := []schema.MigrateOption{
		schema.WithDir(dir),
		schema.WithFormatter(versionedGoose{version: version}),
		schema.WithDialect(db.Dialect),
		schema.WithMigrationMode(schema.ModeInspect),
		// Versioned files are reviewed before they run, so they may drop
		// what the schema no longer declares; auto-migration never did.
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	}
	opts = append(opts, schema.WithDiffHook(ignoreQueue))
	if db.Dialect == dialect.Postgres {
		opts = append(opts, schema.WithDiffHook(normalizePredicates(ctx, db.SQL)))
	}
	m, err := schema.NewMigrate(entsql.OpenDB(db.Dialect, db.SQL), opts...)
	if err != nil {
		return err
	}
	if err := m.NamedDiff(ctx, name, tables...); err != nil {
		return fmt.Errorf("diffing the %s database against the ent schema: %w", db.Dialect, err)
	}
	return nil
}

// Sum computes atlas.sum for the migration files in dir.
func Sum(dir fs.FS) ([]byte, error) {
	d, err := load(dir)
	if err != nil {
		return nil, err
	}
	sum, err := d.Checksum()
	if err != nil {
		return nil, err
	}
	return sum.MarshalText()
}

// Verify reports whether atlas.sum in dir still matches the migration
// files: an edited, removed or hand-added file fails it, and so does a
// merge that brought in two branches' migrations without regenerating.
func Verify(dir fs.FS) error {
	d, err := load(dir)
	if err != nil {
		return err
	}
	if err := migrate.Validate(d); err != nil {
		var ce *migrate.ChecksumError
		if errors.As(err, &ce) {
			return fmt.Errorf("atlas.sum: %s %s (line %d): %w", ce.File, ce.Reason, ce.Line, err)
		}
		return fmt.Errorf("atlas.sum: %w", err)
	}
	return nil
}

// load copies the .sql files and atlas.sum of dir into memory, so a diff
// can run against them without touching the real directory.
func load(dir fs.FS) (*gooseMemDir, error) {
	d := &gooseMemDir{MemDir: &migrate.MemDir{}}
	entries, err := fs.ReadDir(dir, ".")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || (path.Ext(e.Name()) != ".sql" && e.Name() != SumFile) {
			continue
		}
		b, err := fs.ReadFile(dir, e.Name())
		if err != nil {
			return nil, err
		}
		if err := d.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// snapshot returns every file in d, atlas.sum included.
func snapshot(d *gooseMemDir) map[string][]byte {
	out := map[string][]byte{}
	files, _ := d.MemDir.Files() // MemDir never fails
	for _, f := range files {
		out[f.Name()] = f.Bytes()
	}
	if b, err := fs.ReadFile(d, SumFile); err == nil {
		out[SumFile] = b
	}
	return out
}

// QueuePrefix starts the name of every table, type and function of River's
// job queue: their migration is River's own SQL, not derived from the ent
// schema, so diffs leave them alone.
const QueuePrefix = "river_"

// ignoreQueue hides River's tables and types from the inspected schema, so a
// diff neither drops them nor reports them as drift.
func ignoreQueue(next schema.Differ) schema.Differ {
	return schema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
		current.Tables = slices.DeleteFunc(slices.Clone(current.Tables), func(t *atlas.Table) bool {
			return strings.HasPrefix(t.Name, QueuePrefix)
		})
		current.Objects = slices.DeleteFunc(slices.Clone(current.Objects), func(o atlas.Object) bool {
			e, ok := o.(*atlas.EnumType)
			return ok && strings.HasPrefix(e.T, QueuePrefix)
		})
		return next.Diff(current, desired)
	})
}

// normalizePredicates rewrites the WHERE clause of each desired partial
// index into the form PostgreSQL stores and atlas inspects (with casts and
// ANY(ARRAY[...]) for IN), by creating the index in a transaction that is
// rolled back. atlas compares predicates as text, so without this every
// diff would drop and re-create each partial index.
func normalizePredicates(ctx context.Context, db *sql.DB) schema.DiffHook {
	return func(next schema.Differ) schema.Differ {
		return schema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
			for _, t := range desired.Tables {
				if _, ok := current.Table(t.Name); !ok {
					continue // a new table: its index is created as written
				}
				for _, idx := range t.Indexes {
					for _, a := range idx.Attrs {
						p, ok := a.(*postgres.IndexPredicate)
						if !ok || len(idx.Parts) == 0 || idx.Parts[0].C == nil {
							continue
						}
						norm, err := storedPredicate(ctx, db, t.Name, idx.Parts[0].C.Name, p.P)
						if err != nil {
							return nil, err
						}
						if norm != "" {
							p.P = norm
						}
					}
				}
			}
			return next.Diff(current, desired)
		})
	}
}

// storedPredicate returns PostgreSQL's stored form of predicate on table,
// or "" when the database cannot build such an index (a column the
// migration has yet to add, say), in which case the diff shows a change
// anyway.
func storedPredicate(ctx context.Context, db *sql.DB, table, column, predicate string) (string, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer func() { _ = tx.Rollback() }()
	const probe = "usergroups_predicate_probe"
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE INDEX %q ON %q (%q) WHERE %s`, probe, table, column, predicate)); err != nil {
		return "", ctx.Err()
	}
	var norm string
	err = tx.QueryRowContext(ctx, `SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = $1::regclass`, probe).Scan(&norm)
	return norm, err
}

// gooseMemDir is an in-memory migration directory read the way goose reads
// files: only the "+goose Up" section runs. A plain MemDir would replay the
// down section too and drop every table it had just created.
type gooseMemDir struct{ *migrate.MemDir }

// Files returns the .sql files as goose files, ordered by name.
func (d *gooseMemDir) Files() ([]migrate.File, error) {
	files, err := d.MemDir.Files()
	if err != nil {
		return nil, err
	}
	for i, f := range files {
		files[i] = &sqltool.GooseFile{LocalFile: f.(*migrate.LocalFile)}
	}
	return files, nil
}

// versionedGoose formats plans with atlas's goose formatter but a version
// chosen by the caller: the formatter's own clock would give the SQLite and
// PostgreSQL files of one change different versions when the second diff
// finishes a second later.
type versionedGoose struct{ version string }

// Format implements migrate.Formatter.
func (f versionedGoose) Format(p *migrate.Plan) ([]migrate.File, error) {
	files, err := sqltool.GooseFormatter.Format(p)
	if err != nil {
		return nil, err
	}
	for i, file := range files {
		_, rest, ok := strings.Cut(file.Name(), "_")
		if !ok {
			return nil, fmt.Errorf("unexpected goose file name %q", file.Name())
		}
		files[i] = migrate.NewLocalFile(f.version+"_"+rest, file.Bytes())
	}
	return files, nil
}

// openDev returns an empty database to replay migrations on and a function
// that disposes of it.
func openDev(ctx context.Context, dialectName, devURL string) (*store.DB, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "usergroups_dev_" + hex.EncodeToString(b[:])
	switch dialectName {
	case dialect.SQLite:
		// One connection: each connection to a private memory database
		// would see a database of its own.
		db, err := store.Open("file:"+name+"?mode=memory", store.Options{MaxOpenConns: 1})
		if err != nil {
			return nil, nil, err
		}
		return db, func() { _ = db.Close() }, nil
	case dialect.Postgres:
		if devURL == "" {
			devURL = DefaultPostgresDevURL
		}
		admin, err := store.Open(devURL, store.Options{MaxOpenConns: 1})
		if err != nil {
			return nil, nil, err
		}
		if _, err := admin.SQL.ExecContext(ctx, `CREATE SCHEMA "`+name+`"`); err != nil {
			_ = admin.Close()
			return nil, nil, fmt.Errorf("creating the dev schema on %s: %w", redact(devURL), err)
		}
		drop := func() {
			_, _ = admin.SQL.ExecContext(context.WithoutCancel(ctx), `DROP SCHEMA "`+name+`" CASCADE`)
			_ = admin.Close()
		}
		u, err := url.Parse(devURL)
		if err != nil {
			drop()
			return nil, nil, err
		}
		q := u.Query()
		q.Set("search_path", name)
		u.RawQuery = q.Encode()
		dev, err := store.Open(u.String(), store.Options{MaxOpenConns: 2})
		if err != nil {
			drop()
			return nil, nil, err
		}
		return dev, func() { _ = dev.Close(); drop() }, nil
	default:
		return nil, nil, fmt.Errorf("no migrations for dialect %q", dialectName)
	}
}

// redact hides a password in a URL for error messages.
func redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return "the dev database"
}
