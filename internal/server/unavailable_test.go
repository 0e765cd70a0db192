package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
)

// driverWords are what PostgreSQL drivers say about a lost database:
// none may reach a client.
var driverWords = []string{"127.0.0.1", "connect", "refused", "dial", "transaction", "fatal", "terminat",
	"sqlstate", "user=", "database=", "pgx", "pgconn", "eof", "conn closed", "administrator"}

// leaks returns the driver words, and the extra ones, that body contains.
func leaks(body []byte, extra ...string) []string {
	lower := strings.ToLower(string(body))
	var found []string
	for _, w := range append(extra, driverWords...) {
		if strings.Contains(lower, w) {
			found = append(found, w)
		}
	}
	return found
}

// rawPost sends a GraphQL request and returns the status and the body.
func rawPost(t *testing.T, base, q string, vars map[string]any) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// codes lists the extensions.code of a response body's errors.
func codes(t *testing.T, body []byte) []string {
	t.Helper()
	var r struct {
		Errors []gqlError `json:"errors"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// TestDatabaseDownIsUnavailable stops the API's PostgreSQL under it: a
// query (POST and GET), a mutation (whose transaction cannot begin), a
// subscription, /readyz and a calendar feed each answer UNAVAILABLE (503
// where the whole request failed) and never the driver's words, which name
// the database's address, user and name.
func TestDatabaseDownIsUnavailable(t *testing.T) {
	pg := dbtest.StartPostgres(t)
	u, _ := url.Parse(pg.DSN)
	port := u.Port()
	s := serveLive(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
		db, err := store.Open(pg.DSN, store.Options{WrapDriver: wrap})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}, broker.Options{})
	sys := dbtest.FixtureContext(t)
	tx, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(com.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").
		SetCountry("US").SetStatus("ACTIVE").SaveX(sys)
	start := time.Now().Add(24 * time.Hour)
	ev := tx.Event.Create().SetGroupID(g.ID).SetTitle("Meetup").SetTimeZone("America/Los_Angeles").SetStartsAt(start).
		SetEndsAt(start.Add(2 * time.Hour)).SetStatus("PUBLISHED").SaveX(sys)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	const groupsQ = `{ groups { totalCount } }`
	if status, body := rawPost(t, s.url, groupsQ, nil); status != http.StatusOK || len(codes(t, body)) > 0 {
		t.Fatalf("with the database up: %d %s", status, body)
	}

	pg.Stop()

	for _, tc := range []struct{ name, q string }{
		{"query", groupsQ},
		{"query of a nullable field", `query($s: String!) { community(slug: $s) { name } }`},
		{"mutation", `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`},
	} {
		status, body := rawPost(t, s.url, tc.q, map[string]any{"s": "openstack", "g": string(g.ID)})
		if c := codes(t, body); status != http.StatusServiceUnavailable || len(c) == 0 || c[0] != "UNAVAILABLE" {
			t.Errorf("%s: %d %s, want 503 UNAVAILABLE", tc.name, status, body)
		}
		if l := leaks(body, ":"+port); len(l) > 0 {
			t.Errorf("%s: the answer says %q: %s", tc.name, l, body)
		}
	}

	resp, err := http.Get(s.url + "/graphql?query=" + url.QueryEscape(groupsQ))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if c := codes(t, body); resp.StatusCode != http.StatusServiceUnavailable || len(c) == 0 || c[0] != "UNAVAILABLE" || len(leaks(body, ":"+port)) > 0 {
		t.Errorf("GET query: %d %s", resp.StatusCode, body)
	}

	resp, err = http.Get(s.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || len(leaks(body, ":"+port)) > 0 {
		t.Errorf("/readyz: %d %s", resp.StatusCode, body)
	}

	resp, err = http.Get(s.url + "/ical/communities/openstack.ics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || len(leaks(body, ":"+port)) > 0 {
		t.Errorf("calendar feed: %d %s", resp.StatusCode, body)
	}

	ws := s.dial(t, "")
	ws.subscribe("r", `subscription($e: ID!) { eventRegistrations(event: $e) { op } }`, map[string]any{"e": string(ev.ID)})
	_ = ws.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var frame []byte
	for frame == nil || strings.Contains(string(frame), `"type":"ping"`) {
		if _, frame, err = ws.conn.ReadMessage(); err != nil {
			t.Fatalf("reading the subscription's answer: %v", err)
		}
	}
	if !strings.Contains(string(frame), `"code":"UNAVAILABLE"`) || len(leaks(frame, ":"+port)) > 0 {
		t.Errorf("subscription: %s", frame)
	}
}

// TestCommitFailureIsNotDriverText ends a mutation's database connection
// from a second connection (pg_terminate_backend) just before the
// mutation's transaction commits: the commit fails, nothing is saved, and
// the client gets a coded error with a generic message, not the driver's
// "FATAL: terminating connection".
func TestCommitFailureIsNotDriverText(t *testing.T) {
	dsn := os.Getenv(dbtest.EnvDatabase)
	if dsn == "" {
		t.Skip("terminates a PostgreSQL backend; SQLite has none")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var armed atomic.Bool
	base := dbtest.Open(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver {
		return &killOnCommit{Driver: d, t: t, admin: admin, armed: &armed}
	}))
	w := newEventWorld(t, &dbClient{DB: base, Client: base.Client})
	armed.Store(true)
	r := w.h(w.s1, `mutation($g: ID!) { joinGroup(input: {id: $g}) { role { status } } }`, map[string]any{"g": string(w.group.ID)})
	if armed.Load() {
		t.Fatal("the mutation's transaction never committed")
	}
	if c := code(r); len(r.Errors) != 1 || (c != "UNAVAILABLE" && c != "INTERNAL_SERVER_ERROR") || r.Data["joinGroup"] != nil {
		t.Fatalf("a failed commit: data %v errors %+v, want one UNAVAILABLE or INTERNAL_SERVER_ERROR", r.Data, r.Errors)
	}
	b, _ := json.Marshal(r.Errors)
	if l := leaks(b); len(l) > 0 {
		t.Errorf("the answer says %q: %s", l, b)
	}
	sys := dbtest.FixtureContext(t)
	if n := w.c.Role.Query().Where(role.UserID(w.s1.ID)).CountX(sys); n != 0 {
		t.Errorf("the failed commit saved %d roles", n)
	}
}

// killOnCommit ends the connection of an armed mutation's transaction from
// another connection, and waits until PostgreSQL has, before letting the
// commit go ahead.
type killOnCommit struct {
	dialect.Driver
	t     *testing.T
	admin *sql.DB
	armed *atomic.Bool
}

func (d *killOnCommit) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil || !graphql.HasOperationContext(ctx) {
		return tx, err
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Mutation {
		return tx, nil
	}
	return &killedTx{Tx: tx, d: d}, nil
}

type killedTx struct {
	dialect.Tx
	d *killOnCommit
}

func (tx *killedTx) Commit() error {
	if tx.d.armed.CompareAndSwap(true, false) {
		tx.d.terminate(tx.Tx)
	}
	return tx.Tx.Commit()
}

func (d *killOnCommit) terminate(tx dialect.Tx) {
	ctx := context.Background()
	var rows entsql.Rows
	if err := tx.Query(ctx, "SELECT pg_backend_pid()", []any{}, &rows); err != nil {
		d.t.Errorf("backend pid: %v", err)
		return
	}
	var pid int
	if rows.Next() {
		_ = rows.Scan(&pid)
	}
	_ = rows.Close()
	if _, err := d.admin.Exec("SELECT pg_terminate_backend($1)", pid); err != nil {
		d.t.Errorf("terminating backend %d: %v", pid, err)
		return
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		if err := d.admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&n); err == nil && n == 0 {
			return
		}
	}
	d.t.Errorf("backend %s still there", strconv.Itoa(pid))
}
