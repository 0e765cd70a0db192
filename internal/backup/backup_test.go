package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/internal/backup"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/store"
)

// openMigrated opens the SQLite file at path as serve would and migrates it;
// it is closed when the test ends.
func openMigrated(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(dbtest.FixtureContext(t)); err != nil {
		t.Fatalf("migrating %s: %v", filepath.Base(path), err)
	}
	return db
}

// TestBackupUnderWriteLoadRestores: a backup taken while writers commit
// transactions of two rows each holds every transaction committed before
// it began, no half of any transaction, and nothing that was not
// committed; restored into an empty path it opens, migrates and reads as
// the same rows. (SQLite only: PostgreSQL is backed up with pg_dump.)
func TestBackupUnderWriteLoadRestores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	db := openMigrated(t, src)
	sys := dbtest.FixtureContext(t)

	// Writers: each transaction writes a pair of change rows for one node.
	var (
		committed atomic.Int64
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		writeErr  atomic.Pointer[error]
	)
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tx, err := db.Client.Tx(sys)
				if err == nil {
					node := string(rune('a'+w)) + string(rune('0'+i%10))
					for range 2 {
						if err = tx.Change.Create().SetTopic("pair").SetNodeType("Pair").SetNodeID(node).
							SetOp(change.OpCREATED).Exec(sys); err != nil {
							break
						}
					}
					if err == nil {
						err = tx.Commit()
					} else {
						_ = tx.Rollback()
					}
				}
				if err != nil {
					writeErr.Store(&err)
					return
				}
				committed.Add(1)
			}
		})
	}
	for committed.Load() < 50 {
		if p := writeErr.Load(); p != nil {
			t.Fatal(*p)
		}
		time.Sleep(time.Millisecond)
	}
	before := committed.Load()
	out := filepath.Join(dir, "copy.db")
	info, err := backup.SQLite(ctx, db.SQL, out)
	after := committed.Load()
	for committed.Load() < after+20 && writeErr.Load() == nil {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if p := writeErr.Load(); p != nil {
		t.Fatal(*p)
	}
	if info.Bytes == 0 || info.SchemaVersion == 0 || info.LastChange == 0 {
		t.Errorf("info %+v", info)
	}

	// Restore into an empty path, migrate as serve would, and compare.
	restored := filepath.Join(dir, "restored", "usergroups.db")
	if err := os.MkdirAll(filepath.Dir(restored), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, out, restored); err != nil {
		t.Fatal(err)
	}
	rdb := openMigrated(t, restored)
	got, err := rdb.Client.Change.Query().Where(change.Topic("pair")).Order(change.ByID()).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	if n := int64(len(got)); n%2 != 0 || n/2 < before || n/2 > after {
		t.Fatalf("the backup holds %d rows: %d transactions were committed before it began and %d when it ended, two rows each", n, before, after)
	}
	if got[len(got)-1].ID != info.LastChange {
		t.Errorf("last change %d, the backup reported %d", got[len(got)-1].ID, info.LastChange)
	}
	// Every row is the source's own, column for column.
	for _, c := range got {
		orig, err := db.Client.Change.Get(sys, c.ID)
		if err != nil {
			t.Fatalf("row %d is in the backup but not in the source: %v", c.ID, err)
		}
		if orig.NodeID != c.NodeID || orig.Op != c.Op || !orig.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("row %d differs: %+v vs %+v", c.ID, c, orig)
		}
	}
	// Each transaction's two rows came together.
	byNode := map[string]int{}
	for _, c := range got {
		byNode[c.NodeID]++
	}
	for node, n := range byNode {
		if n%2 != 0 {
			t.Errorf("node %s has %d rows: half a transaction", node, n)
		}
	}
}

// TestNeverOverwrites: neither a backup nor a restore replaces a file
// with content, and a restore refuses a file that is not a usergroups
// database, leaving the destination untouched.
func TestNeverOverwrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	db := openMigrated(t, src)
	taken := filepath.Join(dir, "taken")
	if err := os.WriteFile(taken, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.SQLite(ctx, db.SQL, taken); !errors.Is(err, backup.ErrExists) {
		t.Errorf("backup over a file: %v", err)
	}
	copyPath := filepath.Join(dir, "copy.db")
	if _, err := backup.SQLite(ctx, db.SQL, copyPath); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, copyPath, taken); !errors.Is(err, backup.ErrExists) {
		t.Errorf("restore over a file: %v", err)
	}
	if b, _ := os.ReadFile(taken); string(b) != "keep me" {
		t.Errorf("the file was changed: %q", b)
	}
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("this is not a database, just text of some length to fill a page"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "fresh.db")
	if _, err := backup.Restore(ctx, junk, target); err == nil {
		t.Error("a text file was restored")
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed restore left %s: %v", target, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".db" && e.Name() != "taken" && e.Name() != "live.db-wal" && e.Name() != "live.db-shm" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
