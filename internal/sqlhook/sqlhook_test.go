package sqlhook_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/sqlhook"
	"github.com/usergroups/usergroups/internal/store"
)

type markKey struct{}

// mark is the value a test puts in a context, to tell the contexts a hook
// is given apart.
func mark(ctx context.Context) string {
	s, _ := ctx.Value(markKey{}).(string)
	return s
}

func marked(s string) context.Context { return context.WithValue(context.Background(), markKey{}, s) }

// recorder is a hook that notes each round trip as "KIND query @mark".
type recorder struct{ seen []string }

func (r *recorder) hook(ctx context.Context, rt sqlhook.RoundTrip, do func(context.Context) error) error {
	q := rt.Query
	if rt.Statement() {
		q = rt.Kind.String() + " " + q
	}
	r.seen = append(r.seen, q+" @"+mark(ctx))
	return do(ctx)
}

// open returns ent's driver on a fresh database (unmigrated: the tests
// need one table of their own) and its pool.
func open(t *testing.T) (*entsql.Driver, *sql.DB) {
	t.Helper()
	db, err := store.Open(dbtest.DSN(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	drv := entsql.OpenDB(db.Dialect, db.SQL)
	if err := drv.Exec(context.Background(), "CREATE TABLE hooked (n INTEGER)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	return drv, db.SQL
}

func rowCount(t *testing.T, d dialect.ExecQuerier) int {
	t.Helper()
	var rows entsql.Rows
	if err := d.Query(context.Background(), "SELECT count(*) FROM hooked", []any{}, &rows); err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, err := entsql.ScanInt(rows)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHookSeesEveryRoundTrip: statements in and out of transactions,
// BEGIN, COMMIT and ROLLBACK reach the hook and then the database;
// COMMIT and ROLLBACK with the context their transaction began in.
func TestHookSeesEveryRoundTrip(t *testing.T) {
	inner, _ := open(t)
	r := &recorder{}
	drv := sqlhook.Wrap(inner, r.hook)
	if err := drv.Exec(marked("auto"), "INSERT INTO hooked (n) VALUES (1)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	tx, err := drv.Tx(marked("began"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Exec(marked("in"), "INSERT INTO hooked (n) VALUES (2)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx, err = drv.BeginTx(marked("undone"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Exec(marked("in"), "INSERT INTO hooked (n) VALUES (3)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := rowCount(t, drv); n != 2 {
		t.Fatalf("%d rows, want 2 (the rolled-back one undone)", n)
	}
	want := []string{
		"Exec INSERT INTO hooked (n) VALUES (1) @auto",
		"BEGIN @began", "Exec INSERT INTO hooked (n) VALUES (2) @in", "COMMIT @began",
		"BEGIN @undone", "Exec INSERT INTO hooked (n) VALUES (3) @in", "ROLLBACK @undone",
		"Query SELECT count(*) FROM hooked @",
	}
	if got := strings.Join(r.seen, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("the hook saw\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

// optsDriver records the options its transactions were begun with.
type optsDriver struct {
	*entsql.Driver
	opts []*sql.TxOptions
}

func (d *optsDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	d.opts = append(d.opts, opts)
	return d.Driver.BeginTx(ctx, opts)
}

// plainDriver has no BeginTx.
type plainDriver struct{ dialect.Driver }

// TestBeginTxOptions: ent's Client.BeginTx works through the wrapper and
// its options reach the wrapped driver; one without BeginTx still begins a
// (plain) transaction.
func TestBeginTxOptions(t *testing.T) {
	inner, _ := open(t)
	od := &optsDriver{Driver: inner}
	r := &recorder{}
	client := ent.NewClient(ent.Driver(sqlhook.Wrap(od, r.hook)))
	opts := &sql.TxOptions{Isolation: sql.LevelSerializable}
	tx, err := client.BeginTx(marked("snapshot"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if len(od.opts) != 1 || od.opts[0] != opts {
		t.Fatalf("the wrapped driver was begun with %v, want %v", od.opts, opts)
	}
	if got := strings.Join(r.seen, ", "); got != "BEGIN @snapshot, ROLLBACK @snapshot" {
		t.Fatalf("the hook saw %s", got)
	}

	r.seen = nil
	ptx, err := sqlhook.Wrap(plainDriver{inner}, r.hook).BeginTx(marked("plain"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := ptx.Exec(marked("in"), "INSERT INTO hooked (n) VALUES (1)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := ptx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.seen, ", "); got != "BEGIN @plain, Exec INSERT INTO hooked (n) VALUES (1) @in, COMMIT @plain" {
		t.Fatalf("the hook saw %s", got)
	}
	if n := rowCount(t, inner); n != 1 {
		t.Fatalf("%d rows after the plain transaction, want 1", n)
	}
}

// TestHooksCompose: the outer wrapper's hook runs around the inner one's,
// and the context it hands to do is the one the inner hook gets.
func TestHooksCompose(t *testing.T) {
	inner, _ := open(t)
	var seen []string
	layer := func(name string) sqlhook.Hook {
		return func(ctx context.Context, rt sqlhook.RoundTrip, do func(context.Context) error) error {
			seen = append(seen, fmt.Sprintf("%s>%s@%s", name, rt.Kind, mark(ctx)))
			err := do(context.WithValue(ctx, markKey{}, mark(ctx)+name))
			seen = append(seen, fmt.Sprintf("<%s", name))
			return err
		}
	}
	drv := sqlhook.Wrap(sqlhook.Wrap(inner, layer("in")), layer("out"))
	if err := drv.Exec(marked("-"), "INSERT INTO hooked (n) VALUES (1)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	tx, err := drv.Tx(marked("-"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// The inner wrapper began its transaction in the context the outer
	// hook derived, so its COMMIT gets that one.
	want := "out>Exec@- in>Exec@-out <in <out " +
		"out>BEGIN@- in>BEGIN@-out <in <out " +
		"out>COMMIT@- in>COMMIT@-out <in <out"
	if got := strings.Join(seen, " "); got != want {
		t.Fatalf("order\n%s\nwant\n%s", got, want)
	}
}

// TestHookRefuses: a hook's error is the caller's, a statement it does not
// let through never runs, and a transaction it refuses after BEGIN is
// rolled back rather than left holding its connection.
func TestHookRefuses(t *testing.T) {
	inner, pool := open(t)
	refused := errors.New("refused")
	drv := sqlhook.Wrap(inner, func(ctx context.Context, rt sqlhook.RoundTrip, do func(context.Context) error) error {
		switch {
		case rt.Kind == sqlhook.Exec:
			return refused
		case rt.Kind == sqlhook.Begin:
			if err := do(ctx); err != nil {
				return err
			}
			return refused
		}
		return do(ctx)
	})
	if err := drv.Exec(context.Background(), "INSERT INTO hooked (n) VALUES (1)", []any{}, nil); !errors.Is(err, refused) {
		t.Fatalf("Exec: %v", err)
	}
	if n := rowCount(t, drv); n != 0 {
		t.Fatalf("a refused statement ran: %d rows", n)
	}
	if _, err := drv.Tx(context.Background()); !errors.Is(err, refused) {
		t.Fatalf("Tx: %v", err)
	}
	if n := pool.Stats().InUse; n != 0 {
		t.Fatalf("%d connections still in use after a refused transaction", n)
	}
}
