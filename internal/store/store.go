// Package store opens the database behind usergroups — embedded SQLite by
// default, PostgreSQL for larger deployments — and migrates its schema.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/usergroups/usergroups/ent"
	_ "github.com/usergroups/usergroups/ent/runtime" // schema hooks and defaults
	"github.com/usergroups/usergroups/internal/jobs"
)

// DB is an open database: the ent client and the pool under it.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
}

// Options tune how a database is opened.
type Options struct {
	// WrapDriver, if set, wraps the ent driver (tests count statements with it).
	WrapDriver func(dialect.Driver) dialect.Driver
	// MaxOpenConns caps the pool; 0 keeps the default for the dialect.
	MaxOpenConns int
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL, a SQLite "file:" URI, or a SQLite
// file path. It does not migrate; call Migrate.
func Open(dsn string, opts Options) (*DB, error) {
	var (
		db   *sql.DB
		name string
	)
	if IsPostgres(dsn) {
		cfg, err := stdlibConfig(dsn)
		if err != nil {
			return nil, err
		}
		db = cfg
		name = dialect.Postgres
		if opts.MaxOpenConns == 0 {
			opts.MaxOpenConns = 20
		}
	} else {
		db = sql.OpenDB(sqliteConnector{dsn: SQLiteDSN(dsn)})
		name = dialect.SQLite
		if opts.MaxOpenConns == 0 {
			opts.MaxOpenConns = 8
		}
	}
	db.SetMaxOpenConns(opts.MaxOpenConns)
	db.SetMaxIdleConns(opts.MaxOpenConns)
	// Innermost, so that whatever wraps the driver, the workflow runner can
	// insert background jobs in the transaction ent begins.
	drv := jobs.CaptureTx(entsql.OpenDB(name, db))
	if opts.WrapDriver != nil {
		drv = opts.WrapDriver(drv)
	}
	return &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: name}, nil
}

// Close closes the client and the pool.
func (d *DB) Close() error { return d.Client.Close() }

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

func stdlibConfig(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parsing PostgreSQL URL: %w", err)
	}
	return stdlib.OpenDB(*cfg), nil
}

// SQLiteDSN turns a path or file: URI into a modernc DSN with the settings
// usergroups relies on: foreign keys, a busy timeout so writers wait instead
// of failing, WAL for concurrent readers, and IMMEDIATE transactions so a
// transaction that will write takes the write lock up front (no deadlocked
// upgrades from read to write).
func SQLiteDSN(dsn string) string {
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	base, query, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		q = url.Values{}
	}
	pragmas := []string{"foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)"}
	if q.Get("mode") != "memory" {
		pragmas = append(pragmas, "journal_mode(WAL)")
	}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	return base + "?" + q.Encode()
}

// sqliteConnector opens modernc SQLite connections without registering a
// database/sql driver name globally.
type sqliteConnector struct{ dsn string }

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	return (&sqlite.Driver{}).Open(c.dsn)
}

func (c sqliteConnector) Driver() driver.Driver { return &sqlite.Driver{} }

// OpenSQLiteSnapshot opens the SQLite file at path read-only as a file that
// nothing changes (immutable: no locks, no WAL), which is what a backup is.
func OpenSQLiteSnapshot(path string) *sql.DB {
	q := url.Values{"mode": {"ro"}, "immutable": {"1"}}
	db := sql.OpenDB(sqliteConnector{dsn: "file:" + path + "?" + q.Encode()})
	db.SetMaxOpenConns(1)
	return db
}
