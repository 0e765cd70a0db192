package board_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"entgo.io/ent/dialect"
	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that copies the template database

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/seed"
	"github.com/usergroups/usergroups/internal/store"
)

// Loading the demo takes seconds; every browser test needs it fresh, since
// tests change it (approve, join, register). So the package loads it once
// into a template — a SQLite file, or a PostgreSQL database — and each test
// opens its own copy: a file copy, or CREATE DATABASE … TEMPLATE.
var template struct {
	once sync.Once
	err  error
	file string // SQLite: the seeded file
	pg   string // PostgreSQL: the template database's name
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if template.dir != "" {
		_ = os.RemoveAll(template.dir)
	}
	if template.pg != "" {
		if admin, err := sql.Open("pgx", os.Getenv(dbtest.EnvDatabase)); err == nil {
			_, _ = admin.Exec(`DROP DATABASE IF EXISTS "` + template.pg + `" WITH (FORCE)`)
			admin.Close()
		}
	}
	os.Exit(code)
}

func randomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// withDatabase returns a PostgreSQL URL naming another database.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func makeTemplate() error {
	base := os.Getenv(dbtest.EnvDatabase)
	var dsn string
	if base == "" {
		dir, err := os.MkdirTemp("", "usergroups-board-")
		if err != nil {
			return err
		}
		template.dir = dir
		template.file = filepath.Join(dir, "demo.db")
		dsn = template.file
	} else {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return err
		}
		defer admin.Close()
		template.pg = randomName("board_demo_")
		if _, err := admin.Exec(`CREATE DATABASE "` + template.pg + `"`); err != nil {
			return err
		}
		if dsn, err = withDatabase(base, template.pg); err != nil {
			return err
		}
	}
	db, err := store.Open(dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		return err
	}
	_, err = seed.Demo(context.Background(), db.Client, seed.Options{})
	return err
}

// openDemo opens a private copy of the demo database for t, its driver
// wrapped by wrap.
func openDemo(t *testing.T, wrap func(dialect.Driver) dialect.Driver) *store.DB {
	t.Helper()
	template.once.Do(func() { template.err = makeTemplate() })
	if template.err != nil {
		t.Fatalf("loading the demo once: %v", template.err)
	}
	var dsn string
	if template.file != "" {
		dsn = filepath.Join(t.TempDir(), "demo.db")
		if err := copyFile(template.file, dsn); err != nil {
			t.Fatal(err)
		}
	} else {
		base := os.Getenv(dbtest.EnvDatabase)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		name := randomName("board_t_")
		if _, err := admin.Exec(fmt.Sprintf(`CREATE DATABASE "%s" TEMPLATE "%s"`, name, template.pg)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if admin, err := sql.Open("pgx", base); err == nil {
				_, _ = admin.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`)
				admin.Close()
			}
		})
		if dsn, err = withDatabase(base, name); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(dsn, store.Options{WrapDriver: wrap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
