package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
)

func community(ctx context.Context, t *testing.T, c *ent.Client, slug string) *ent.Community {
	t.Helper()
	com, err := c.Community.Create().SetName(slug).SetSlug(slug).SetPolicy(policy.OpenStack()).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return com
}

// inTx runs fn in a transaction and commits it.
func inTx(ctx context.Context, c *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := c.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func TestUniqueness(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.Open(t)
	c := db.Client
	a, b := community(ctx, t, c, "alpha"), community(ctx, t, c, "beta")
	var grp *ent.Group
	var u *ent.User
	if err := inTx(ctx, c, func(tx *ent.Tx) error {
		var err error
		grp, err = tx.Group.Create().SetCommunityID(a.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").Save(ctx)
		if err != nil {
			return err
		}
		u, err = tx.User.Create().SetHandle("ada").SetName("Ada").Save(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	t.Run("group slug is unique per community", func(t *testing.T) {
		err := inTx(ctx, c, func(tx *ent.Tx) error {
			_, err := tx.Group.Create().SetCommunityID(a.ID).SetName("Paris {Two}").SetSlug("paris").SetCity("Paris").SetCountry("FR").Save(ctx)
			return err
		})
		if !ent.IsConstraintError(err) {
			t.Errorf("same slug in one community: err = %v", err)
		}
		if err := inTx(ctx, c, func(tx *ent.Tx) error {
			_, err := tx.Group.Create().SetCommunityID(b.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").Save(ctx)
			return err
		}); err != nil {
			t.Errorf("same slug in another community refused: %v", err)
		}
	})

	t.Run("one live role of a kind per person and scope", func(t *testing.T) {
		member := func() error {
			return inTx(ctx, c, func(tx *ent.Tx) error {
				_, err := tx.Role.Create().SetUserID(u.ID).SetCommunityID(a.ID).SetGroupID(grp.ID).SetKind("MEMBER").Save(ctx)
				return err
			})
		}
		if err := member(); err != nil {
			t.Fatal(err)
		}
		if err := member(); !ent.IsConstraintError(err) {
			t.Fatalf("second live membership: err = %v", err)
		}
		// A community-wide role of the same kind is another scope.
		if err := inTx(ctx, c, func(tx *ent.Tx) error {
			_, err := tx.Role.Create().SetUserID(u.ID).SetCommunityID(a.ID).SetKind("AMBASSADOR").Save(ctx)
			if err != nil {
				return err
			}
			_, err = tx.Role.Create().SetUserID(u.ID).SetCommunityID(a.ID).SetKind("AMBASSADOR").Save(ctx)
			return err
		}); !ent.IsConstraintError(err) {
			t.Errorf("two live community ambassador roles: err = %v", err)
		}
		// Once the membership has ended, the person may join again.
		if err := inTx(ctx, c, func(tx *ent.Tx) error {
			return tx.Role.Update().SetStatus("LEFT").Exec(ctx)
		}); err != nil {
			t.Fatal(err)
		}
		if err := member(); err != nil {
			t.Errorf("re-joining after leaving refused: %v", err)
		}
	})

	t.Run("one registration per person and event", func(t *testing.T) {
		start := time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC)
		register := func(ev *ent.Event, code string) error {
			return inTx(ctx, c, func(tx *ent.Tx) error {
				_, err := tx.Registration.Create().SetEventID(ev.ID).SetUserID(u.ID).SetCheckInCode(code).Save(ctx)
				return err
			})
		}
		var ev *ent.Event
		if err := inTx(ctx, c, func(tx *ent.Tx) error {
			var err error
			ev, err = tx.Event.Create().SetGroupID(grp.ID).SetTitle("Meetup").SetTimeZone("Europe/Paris").
				SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).Save(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := register(ev, "c1"); err != nil {
			t.Fatal(err)
		}
		if err := register(ev, "c2"); !ent.IsConstraintError(err) {
			t.Errorf("second registration: err = %v", err)
		}
	})
}

// TestConcurrentWritersWait checks that concurrent write transactions queue
// for the lock instead of failing: SQLite's busy timeout with IMMEDIATE
// transactions, PostgreSQL's row locks.
func TestConcurrentWritersWait(t *testing.T) {
	ctx := dbtest.FixtureContext(t)
	db := dbtest.OpenConcurrent(t)
	com := community(ctx, t, db.Client, "gamma")
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- inTx(ctx, db.Client, func(tx *ent.Tx) error {
				// Read, then write: the pattern that deadlocks SQLite's
				// deferred transactions.
				n, err := tx.Group.Query().Count(ctx)
				if err != nil {
					return err
				}
				_, err = tx.Group.Create().SetCommunityID(com.ID).SetName(fmt.Sprintf("City %c", 'A'+i)).
					SetSlug(fmt.Sprintf("city-%d-%d", i, n)).SetCity("City").SetCountry("FR").Save(ctx)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("writer failed: %v", err)
		}
	}
	if n := db.Client.Group.Query().CountX(ctx); n != writers {
		t.Errorf("%d groups written, want %d", n, writers)
	}
}

func TestSQLiteDSN(t *testing.T) {
	got := store.SQLiteDSN("./usergroups.db")
	for _, want := range []string{"file:./usergroups.db?", "foreign_keys%281%29", "busy_timeout", "journal_mode%28WAL%29", "_txlock=immediate"} {
		if !strings.Contains(got, want) {
			t.Errorf("SQLiteDSN = %q, lacks %q", got, want)
		}
	}
	if mem := store.SQLiteDSN("file:x?mode=memory&cache=shared"); strings.Contains(mem, "WAL") || !strings.Contains(mem, "cache=shared") {
		t.Errorf("memory DSN = %q", mem)
	}
}

// TestMaxOpenConns: the pool opens the connections asked for (serve's
// --db-max-conns), and each dialect's default when none is.
func TestMaxOpenConns(t *testing.T) {
	dsn := dbtest.DSN(t)
	def := 8
	if store.IsPostgres(dsn) {
		def = 20
	}
	for asked, want := range map[int]int{0: def, 3: 3} {
		db, err := store.Open(dsn, store.Options{MaxOpenConns: asked})
		if err != nil {
			t.Fatal(err)
		}
		if got := db.SQL.Stats().MaxOpenConnections; got != want {
			t.Errorf("MaxOpenConns %d: the pool opens %d, want %d", asked, got, want)
		}
		_ = db.Close()
	}
}
