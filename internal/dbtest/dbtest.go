// Package dbtest gives each test a fresh, migrated database: an in-memory
// SQLite by default, or a private schema on the PostgreSQL server named by
// USERGROUPS_TEST_DATABASE, so packages running in parallel never share rows.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"testing"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/store"
)

// EnvDatabase names the environment variable that selects PostgreSQL.
const EnvDatabase = "USERGROUPS_TEST_DATABASE"

// Option adjusts how the test database is opened.
type Option func(*store.Options)

// WithDriver wraps the ent driver, e.g. with a Counter.
func WithDriver(wrap func(dialect.Driver) dialect.Driver) Option {
	return func(o *store.Options) { o.WrapDriver = wrap }
}

// Open returns a migrated database private to t, closed and dropped when t ends.
func Open(t testing.TB, opts ...Option) *store.DB {
	t.Helper()
	dsn := DSN(t)
	var o store.Options
	for _, opt := range opts {
		opt(&o)
	}
	db, err := store.Open(dsn, o)
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrating test database: %v", err)
	}
	return db
}

// DSN returns a connection string for a new empty database private to t.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDatabase)
	if base == "" {
		return "file:" + uniqueName(t) + "?mode=memory&cache=shared"
	}
	schema := uniqueName(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connecting to %s: %v", EnvDatabase, err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA "` + schema + `"`); err != nil {
		t.Fatalf("creating test schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA "` + schema + `" CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parsing %s: %v", EnvDatabase, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// uniqueName is a lower-case identifier unique across tests and processes.
func uniqueName(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, t.Name())
	if len(name) > 30 {
		name = name[:30]
	}

	return "t_" + name + "_" + hex.EncodeToString(b[:])
}

// OpenConcurrent is Open for tests with concurrent writers: on SQLite it
// uses a file in t's temporary directory, because a shared-cache memory
// database locks whole tables instead of letting writers wait.
func OpenConcurrent(t testing.TB, opts ...Option) *store.DB {
	t.Helper()
	if os.Getenv(EnvDatabase) != "" {
		return Open(t, opts...)
	}
	var o store.Options
	for _, opt := range opts {
		opt(&o)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "concurrent.db"), o)
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrating test database: %v", err)
	}
	return db
}

// OpenReplicas opens n connections pools to one fresh, migrated database,
// as n replicas of the API would: PostgreSQL when configured, else a SQLite
// file shared by the pools.
func OpenReplicas(t testing.TB, n int) []*store.DB {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "replicas.db")
	if os.Getenv(EnvDatabase) != "" {
		dsn = DSN(t)
	}
	dbs := make([]*store.DB, n)
	for i := range dbs {
		db, err := store.Open(dsn, store.Options{})
		if err != nil {
			t.Fatalf("opening replica %d: %v", i, err)
		}
		t.Cleanup(func() { _ = db.Close() })
		dbs[i] = db
	}
	if err := dbs[0].Migrate(context.Background()); err != nil {
		t.Fatalf("migrating test database: %v", err)
	}
	return dbs
}
