package dberr_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/store/dberr"
)

// TestUnreachable tells a database that cannot be used from a statement
// that failed, on the errors the drivers really return.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	for name, dsn := range map[string]string{
		"PostgreSQL not listening":     fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable&connect_timeout=10", closedPort),
		"SQLite file cannot be opened": filepath.Join(t.TempDir(), "no such directory", "usergroups.db"),
	} {
		db, err := store.Open(dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Ping(context.Background())
		if err == nil || !dberr.Unreachable(err) {
			t.Errorf("%s: %v is not unreachable", name, err)
		}
		if _, err := db.Client.Community.Query().Count(dbtest.FixtureContext(t)); err == nil || !dberr.Unreachable(err) {
			t.Errorf("%s, through ent: %v is not unreachable", name, err)
		}
		db.Close()
	}

	db := dbtest.Open(t)
	if _, err := db.SQL.Exec("SELECT * FROM no_such_table"); err == nil || dberr.Unreachable(err) {
		t.Errorf("a bad statement: %v", err)
	}
	sys := dbtest.FixtureContext(t)
	db.Client.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	if _, err := db.Client.Community.Create().SetName("again").SetSlug("openstack").SetPolicy(policy.OpenStack()).Save(sys); err == nil || dberr.Unreachable(err) {
		t.Errorf("a duplicate: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Ping(ctx); err == nil || dberr.Unreachable(err) {
		t.Errorf("a cancelled context: %v", err)
	}
	for code, want := range map[string]bool{"57P01": true, "57P03": true, "08006": true, "53300": true,
		"57014": false, "23505": false, "40001": false, "42P01": false} {
		if got := dberr.Unreachable(fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code})); got != want {
			t.Errorf("SQLSTATE %s: unreachable %v, want %v", code, got, want)
		}
	}
	if dberr.Unreachable(nil) {
		t.Error("no error is unreachable")
	}
}
