// Package migrations holds the versioned schema migrations: one directory
// of goose-format SQL files per dialect, written by cmd/migrations from the
// ent schema and applied in order by store.DB.Migrate.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"

	"entgo.io/ent/dialect"
)

// files is package state only because go:embed requires a package-level
// variable; Dir hands out read-only views of it.
//
//go:embed sqlite/*.sql sqlite/atlas.sum postgres/*.sql postgres/atlas.sum
var files embed.FS

// Dir returns the migrations for an ent dialect name (dialect.SQLite or
// dialect.Postgres), rooted at that dialect's directory.
func Dir(dialectName string) (fs.FS, error) {
	switch dialectName {
	case dialect.SQLite:
		return fs.Sub(files, "sqlite")
	case dialect.Postgres:
		return fs.Sub(files, "postgres")
	default:
		return nil, fmt.Errorf("no migrations for dialect %q", dialectName)
	}
}
