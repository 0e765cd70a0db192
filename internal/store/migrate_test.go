package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"

	entmigrate "github.com/usergroups/usergroups/ent/migrate"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/store/migrationgen"
	"github.com/usergroups/usergroups/migrations"
)

// testDialect is the dialect dbtest hands out in this run.
func testDialect() string {
	if os.Getenv(dbtest.EnvDatabase) != "" {
		return dialect.Postgres
	}
	return dialect.SQLite
}

// embedded returns the migrations Migrate applies for the test dialect.
func embedded(t *testing.T) fs.FS {
	t.Helper()
	dir, err := migrations.Dir(testDialect())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// versions returns the rows of the version table, oldest first.
func versions(t *testing.T, db *store.DB) []int64 {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT version_id FROM ` + store.VersionTable + ` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// wantVersions is what a fully migrated database records: goose's 0, then
// every file once.
func wantVersions(t *testing.T, dir fs.FS) []int64 {
	t.Helper()
	migs, err := store.ReadMigrations(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{0}
	for _, m := range migs {
		want = append(want, m.Version)
	}
	return want
}

func openFresh(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestMigrationsMatchSchema fails when the ent schema has changes that no
// migration covers, i.e. when `make migration` would write a file, and
// when a migration was edited without `make migration-hash`.
func TestMigrationsMatchSchema(t *testing.T) {
	ctx := context.Background()
	for _, d := range []string{dialect.SQLite, dialect.Postgres} {
		dir, err := migrations.Dir(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := migrationgen.Verify(dir); err != nil {
			t.Errorf("%s: %v (run make migration-hash only if the edit was intended)", d, err)
		}
	}
	files, err := migrationgen.Next(ctx, migrationgen.Request{
		Dialect: testDialect(),
		DevURL:  os.Getenv(dbtest.EnvDatabase),
		Dir:     embedded(t),
		Name:    "pending",
		Version: "1",
		Tables:  entmigrate.Tables,
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if name != migrationgen.SumFile {
			t.Errorf("the ent schema has changes no migration covers; run make migration NAME=...; it would write:\n%s", b)
		}
	}

	// The generator replays the files on a dev database; check the runner
	// on a real test database too, inspected rather than replayed.
	db := dbtest.Open(t)
	drift, err := migrationgen.Drift(ctx, db, entmigrate.Tables)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Errorf("migrated database differs from the ent schema:\n%s", strings.Join(drift, "\n"))
	}
	if got, want := versions(t, db), wantVersions(t, embedded(t)); !slices.Equal(got, want) {
		t.Errorf("recorded versions %v, want %v", got, want)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t) // migrated once already
	for range 2 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := versions(t, db), wantVersions(t, embedded(t)); !slices.Equal(got, want) {
		t.Errorf("recorded versions %v, want %v", got, want)
	}
}

// TestConcurrentMigrate starts replicas on one empty database at once: all
// must succeed and each migration must run once.
func TestConcurrentMigrate(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "replicas.db")
	if testDialect() == dialect.Postgres {
		dsn = dbtest.DSN(t)
	}
	const replicas = 4
	dbs := make([]*store.DB, replicas)
	for i := range dbs {
		dbs[i] = openFresh(t, dsn)
	}
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	if got, want := versions(t, dbs[0]), wantVersions(t, embedded(t)); !slices.Equal(got, want) {
		t.Errorf("recorded versions %v, want %v", got, want)
	}
}

// TestMigrateBaselinesAutoMigratedDatabase upgrades a database that ent's
// auto-migration made, as every deployment before versioned migrations
// was: its data stays and the init migration is recorded, not re-run.
func TestMigrateBaselinesAutoMigratedDatabase(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := openFresh(t, dbtest.DSN(t))
	migs, err := store.ReadMigrations(embedded(t))
	if err != nil {
		t.Fatal(err)
	}
	// The last auto-migrating release made the init schema; once later
	// migrations exist, today's ent schema would overshoot it.
	if len(migs) == 1 {
		if err := db.Client.Schema.Create(ctx); err != nil {
			t.Fatal(err)
		}
	} else {
		for _, stmt := range migs[0].Stmts {
			if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
	}
	com := community(ctx, t, db.Client, "legacy")
	if len(migs) == 1 {
		// A database from an older release lacks what was added since;
		// while init is the newest migration, baselining adds it.
		if _, err := db.SQL.Exec(`DROP INDEX user_organization_id`); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, db); !slices.Equal(got, wantVersions(t, embedded(t))) {
		t.Errorf("recorded versions %v, want 0, then init %d and the rest", got, migs[0].Version)
	}
	if n := db.Client.Community.Query().CountX(ctx); n != 1 {
		t.Errorf("%d communities after baselining, want 1", n)
	}
	if _, err := db.Client.Community.Get(ctx, com.ID); err != nil {
		t.Error(err)
	}
	drift, err := migrationgen.Drift(ctx, db, entmigrate.Tables)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Errorf("baselined database differs from the ent schema:\n%s", strings.Join(drift, "\n"))
	}
}

// TestUpgradeKeepsData migrates a database to each migration's predecessor,
// puts a canary row in every table, migrates to the newest and checks that
// every canary survived unchanged. Besides the real migrations it runs one
// that exists only here, generated as `make migration` would from an
// altered schema: it rebuilds "users", which half the tables refer to, so
// it catches a runner that lets SQLite's table rebuild cascade.
func TestUpgradeKeepsData(t *testing.T) {
	ctx := context.Background()
	base := embedded(t)
	dir := fstest.MapFS{}
	if err := fs.WalkDir(base, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(base, p)
		dir[p] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	extra, err := migrationgen.Next(ctx, migrationgen.Request{
		Dialect: testDialect(),
		DevURL:  os.Getenv(dbtest.EnvDatabase),
		Dir:     base,
		Name:    "test_only_rebuild_users",
		Version: "99990101000000",
		Tables:  alteredTables(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(extra) != 2 {
		t.Fatalf("generated %d files for the altered schema, want a migration and atlas.sum", len(extra))
	}
	for name, b := range extra {
		dir[name] = &fstest.MapFile{Data: b}
	}
	migs, err := store.ReadMigrations(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(migs); i++ {
		t.Run(migs[i].Name, func(t *testing.T) {
			db := openFresh(t, dbtest.DSN(t))
			if err := db.MigrateDir(ctx, dir, migs[i-1].Version); err != nil {
				t.Fatal(err)
			}
			before := inspect(ctx, t, db)
			canaries := insertCanaries(ctx, t, db, before)
			if err := db.MigrateDir(ctx, dir, 0); err != nil {
				t.Fatal(err)
			}
			after := inspect(ctx, t, db)
			for _, tb := range before.Tables {
				now, ok := after.Table(tb.Name)
				if !ok || canaries[tb.Name] == nil {
					continue // dropped on purpose, or the version table
				}
				// Columns dropped or converted on purpose are not compared.
				kept := slices.DeleteFunc(slices.Clone(tb.Columns), func(c *atlas.Column) bool {
					c2, ok := now.Column(c.Name)
					return !ok || typeOf(c) != typeOf(c2)
				})
				got := selectRow(ctx, t, db, tb, kept, canaries[tb.Name])
				if got == nil {
					t.Errorf("%s: canary row gone", tb.Name)
					continue
				}
				for _, c := range kept {
					if got[c.Name] != canaries[tb.Name][c.Name] {
						t.Errorf("%s.%s: %q before the migration, %q after", tb.Name, c.Name, canaries[tb.Name][c.Name], got[c.Name])
					}
				}
			}
		})
	}
}

// alteredTables is the ent schema with the nullability of users.name
// flipped (a column change SQLite can only make by rebuilding the table)
// and a new indexed column on users.
func alteredTables(t *testing.T) []*schema.Table {
	t.Helper()
	tables := cloneTables(entmigrate.Tables)
	i := slices.IndexFunc(tables, func(t *schema.Table) bool { return t.Name == "users" })
	if i < 0 {
		t.Fatal(`no "users" table: pick another widely referenced table to rebuild`)
	}
	users := tables[i]
	c, ok := users.Column("name")
	if !ok {
		t.Fatal(`no users.name column: pick another column to alter`)
	}
	c.Nullable = !c.Nullable
	note := &schema.Column{Name: "canary_note", Type: field.TypeString, Nullable: true}
	users.Columns = append(users.Columns, note)
	users.Indexes = append(users.Indexes, &schema.Index{Name: "user_canary_note", Columns: []*schema.Column{note}})
	return tables
}

// cloneTables deep-copies ent tables so a test can alter them without
// touching ent/migrate.Tables, which other tests read.
func cloneTables(src []*schema.Table) []*schema.Table {
	tables := map[*schema.Table]*schema.Table{}
	cols := map[*schema.Column]*schema.Column{}
	mapCols := func(cs []*schema.Column) []*schema.Column {
		out := make([]*schema.Column, len(cs))
		for i, c := range cs {
			out[i] = cols[c]
		}
		return out
	}
	out := make([]*schema.Table, len(src))
	for i, t := range src {
		nt := &schema.Table{Name: t.Name, Schema: t.Schema, Annotation: t.Annotation, Comment: t.Comment, View: t.View, Pos: t.Pos}
		for _, c := range t.Columns {
			nc := &schema.Column{Name: c.Name, Type: c.Type, SchemaType: c.SchemaType, Attr: c.Attr, Size: c.Size, Key: c.Key,
				Unique: c.Unique, Increment: c.Increment, Nullable: c.Nullable, Default: c.Default, Enums: c.Enums,
				Collation: c.Collation, Comment: c.Comment}
			cols[c] = nc
			nt.Columns = append(nt.Columns, nc)
		}
		tables[t], out[i] = nt, nt
	}
	for _, t := range src {
		nt := tables[t]
		nt.PrimaryKey = mapCols(t.PrimaryKey)
		for _, idx := range t.Indexes {
			nt.Indexes = append(nt.Indexes, &schema.Index{Name: idx.Name, Unique: idx.Unique, Columns: mapCols(idx.Columns), Annotation: idx.Annotation})
		}
		for _, fk := range t.ForeignKeys {
			nt.ForeignKeys = append(nt.ForeignKeys, &schema.ForeignKey{Symbol: fk.Symbol, Columns: mapCols(fk.Columns),
				RefTable: tables[fk.RefTable], RefColumns: mapCols(fk.RefColumns), OnUpdate: fk.OnUpdate, OnDelete: fk.OnDelete})
		}
	}
	return out
}

// inspect reads the database's current schema with atlas.
func inspect(ctx context.Context, t *testing.T, db *store.DB) *atlas.Schema {
	t.Helper()
	var (
		drv atlasmigrate.Driver
		err error
	)
	if db.Dialect == dialect.Postgres {
		drv, err = postgres.Open(db.SQL)
	} else {
		drv, err = sqlite.Open(db.SQL)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := drv.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func typeOf(c *atlas.Column) string { return fmt.Sprintf("%T %v", c.Type.Type, c.Type.Type) }

// insertCanaries puts one row in every table of s (but the version table),
// referring to the other tables' canaries wherever a foreign key allows, so
// cascades and SET NULLs show. It returns each row as text by column.
func insertCanaries(ctx context.Context, t *testing.T, db *store.DB, s *atlas.Schema) map[string]map[string]string {
	t.Helper()
	values := map[string]map[string]any{} // inserted rows, by table
	// River's tables are River's own SQL, with its own checks: not ours to fill.
	pending := slices.DeleteFunc(slices.Clone(s.Tables), func(tb *atlas.Table) bool {
		return tb.Name == store.VersionTable || strings.HasPrefix(tb.Name, migrationgen.QueuePrefix)
	})
	// Insert a table once every table it refers to has a row; when only
	// cycles are left, break one through a nullable key.
	for relaxed := false; len(pending) > 0; {
		progress := false
		for _, tb := range slices.Clone(pending) {
			row, ok := canaryRow(tb, values, relaxed)
			if !ok {
				continue
			}
			insertRow(ctx, t, db, tb, row)
			values[tb.Name] = row
			pending = slices.DeleteFunc(pending, func(p *atlas.Table) bool { return p == tb })
			progress, relaxed = true, false
		}
		if !progress {
			if relaxed {
				t.Fatalf("cannot order canary rows for %d tables", len(pending))
			}
			relaxed = true
		}
	}
	out := map[string]map[string]string{}
	for _, tb := range s.Tables {
		if row := values[tb.Name]; row != nil {
			out[tb.Name] = selectRow(ctx, t, db, tb, tb.Columns, stringify(row))
		}
	}
	return out
}

// canaryRow builds tb's canary row, or reports false when a key it must
// fill refers to a table without a canary yet (any key, unless relaxed).
func canaryRow(tb *atlas.Table, values map[string]map[string]any, relaxed bool) (map[string]any, bool) {
	row := map[string]any{}
	for i, c := range tb.Columns {
		row[c.Name] = canaryValue(tb.Name, i, c)
	}
	for _, fk := range tb.ForeignKeys {
		ref := values[fk.RefTable.Name]
		if fk.RefTable.Name == tb.Name {
			ref = row
		}
		for i, c := range fk.Columns {
			switch {
			case ref != nil:
				row[c.Name] = ref[fk.RefColumns[i].Name]
			case relaxed && c.Type.Null:
				row[c.Name] = nil
			default:
				return nil, false
			}
		}
	}
	return row, true
}

func canaryValue(table string, i int, c *atlas.Column) any {
	switch c.Type.Type.(type) {
	case *atlas.IntegerType:
		return int64(7 + i)
	case *atlas.FloatType, *atlas.DecimalType:
		return 1.5
	case *atlas.BoolType:
		return true
	case *atlas.TimeType:
		return time.Date(2024, 2, 29, 12, 30, 0, 0, time.UTC)
	case *atlas.JSONType:
		return "[]"
	default:
		return fmt.Sprintf("canary-%s-%d", table, i)
	}
}

func insertRow(ctx context.Context, t *testing.T, db *store.DB, tb *atlas.Table, row map[string]any) {
	t.Helper()
	var names, marks []string
	var args []any
	for i, c := range tb.Columns {
		names = append(names, `"`+c.Name+`"`)
		marks = append(marks, placeholder(db, i))
		args = append(args, row[c.Name])
	}
	q := fmt.Sprintf(`INSERT INTO "%s" (%s) VALUES (%s)`, tb.Name, strings.Join(names, ", "), strings.Join(marks, ", "))
	if _, err := db.SQL.ExecContext(ctx, q, args...); err != nil {
		t.Fatalf("inserting the %s canary: %v", tb.Name, err)
	}
}

// selectRow returns, as text by column, cols of the row of tb whose primary
// key matches key, or nil when there is none. The columns are named rather
// than "*": pgx caches the statement, and PostgreSQL refuses a cached plan
// whose result changed shape after the migration added a column.
func selectRow(ctx context.Context, t *testing.T, db *store.DB, tb *atlas.Table, cols []*atlas.Column, key map[string]string) map[string]string {
	t.Helper()
	var names []string
	for _, c := range cols {
		names = append(names, `"`+c.Name+`"`)
	}
	var where []string
	var args []any
	for i, p := range tb.PrimaryKey.Parts {
		where = append(where, fmt.Sprintf(`CAST("%s" AS TEXT) = %s`, p.C.Name, placeholder(db, i)))
		args = append(args, key[p.C.Name])
	}
	rows, err := db.SQL.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM "%s" WHERE %s`,
		strings.Join(names, ", "), tb.Name, strings.Join(where, " AND ")), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i, c := range cols {
		out[c.Name] = text(vals[i])
	}
	return out
}

func stringify(row map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range row {
		out[k] = text(v)
	}
	return out
}

// text renders a value for comparison; primary keys are compared in SQL as
// CAST(... AS TEXT), so integers and strings render the same way there.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v)
	}
}

func placeholder(db *store.DB, i int) string {
	if db.Dialect == dialect.Postgres {
		return fmt.Sprintf("$%d", i+1)
	}
	return "?"
}
