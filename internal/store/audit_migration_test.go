package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/store"
)

// TestAuditTrailMigrationCopiesTheLogsAuditRows: the migration that gives
// the audit trail its own table copies the audit rows the change log held
// (topic "audit") into it, and only those, so the trail survives the
// pruning of the log.
func TestAuditTrailMigrationCopiesTheLogsAuditRows(t *testing.T) {
	ctx := context.Background()
	dir := embedded(t)
	migs, err := store.ReadMigrations(dir)
	if err != nil {
		t.Fatal(err)
	}
	i := len(migs) - 1
	for i > 0 && !strings.HasSuffix(migs[i].Name, "_audit_trail.sql") {
		i--
	}
	if i == 0 {
		t.Fatal("no audit_trail migration")
	}
	db := openFresh(t, dbtest.DSN(t))
	if err := db.MigrateDir(ctx, dir, migs[i-1].Version); err != nil {
		t.Fatal(err)
	}
	q := `INSERT INTO changes (topic, node_type, node_id, op, community_id, group_id, actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	if db.Dialect == dialect.Postgres {
		q = `INSERT INTO changes (topic, node_type, node_id, op, community_id, group_id, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, row := range [][]any{
		{"audit", "Event", "evt_1", "ACCESSED", "com_1", "grp_1", "usr_1", at},
		{"group", "Group", "grp_1", "UPDATED", "com_1", "grp_1", "usr_1", at},
		{"audit", "Report", "rpt_1", "ACCESSED", "com_1", "", "usr_2", at},
	} {
		if _, err := db.SQL.ExecContext(ctx, q, row...); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MigrateDir(ctx, dir, 0); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT action, node_type, node_id, community_id, actor_id FROM audit_entries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var action, typ, node, com, actor string
		if err := rows.Scan(&action, &typ, &node, &com, &actor); err != nil {
			t.Fatal(err)
		}
		got = append(got, action+" "+typ+" "+node+" "+com+" "+actor)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"ACCESSED Event evt_1 com_1 usr_1", "ACCESSED Report rpt_1 com_1 usr_2"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("audit entries after the migration = %q, want %q", got, want)
	}
}
