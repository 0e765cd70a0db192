package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/dbtest"
)

// testDSN is a fresh database: a SQLite file, or a PostgreSQL schema when
// USERGROUPS_TEST_DATABASE is set.
func testDSN(t *testing.T) string {
	if os.Getenv(dbtest.EnvDatabase) != "" {
		return dbtest.DSN(t)
	}
	return filepath.Join(t.TempDir(), "usergroups.db")
}

// asCommand, set to 1 in the environment, makes the test binary run as
// the usergroups command (see TestMain).
const asCommand = "USERGROUPS_TEST_AS_COMMAND"

// TestMain lets the test binary stand in for the usergroups command, so
// that the README's `make demo-tokens` runs the code under test without a
// second build.
func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, nil))
	}
	os.Exit(m.Run())
}

// TestServeDemo starts `serve --demo --dev`, as `make run` does, queries
// groups over HTTP, then runs every command of the README against it.
func TestServeDemo(t *testing.T) {
	dsn := testDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--dev", "--listen", "127.0.0.1:0", "--database", dsn, "--log-level", "warn", "--db-max-conns", "5"},
			&bytes.Buffer{}, &stderr, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	case <-time.After(6 * time.Minute):
		// Loading the demo data under the race detector takes a minute
		// or two on an idle machine; more when other packages' tests
		// share its cores. This is a hang detector, not a speed test.
		t.Fatal("serve did not become ready")
	}

	body := `{"query":"{ community(slug: \"openeuler\") { groups(first: 100, where: {status: ACTIVE}) { totalCount edges { node { name city } } } } groups { totalCount } }"}`
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Community struct {
				Groups struct {
					TotalCount int
					Edges      []struct{ Node struct{ Name, City string } }
				}
			}
			Groups struct{ TotalCount int }
		}
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %s", out.Errors)
	}
	if out.Data.Community.Groups.TotalCount != 12 || out.Data.Groups.TotalCount < 60 {
		t.Errorf("openEuler has %d active groups (want its 12 cities); %d in all (want ≥ 60)", out.Data.Community.Groups.TotalCount, out.Data.Groups.TotalCount)
	}
	cities := map[string]bool{}
	for _, e := range out.Data.Community.Groups.Edges {
		cities[e.Node.City] = true
	}
	for _, c := range []string{"Beijing", "Shenzhen", "Xi'an", "Zhengzhou"} {
		if !cities[c] {
			t.Errorf("no openEuler group in %s", c)
		}
	}

	resp, err = http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("readyz = %d", resp.StatusCode)
	}

	// The pool (capped by --db-max-conns) is on /metrics, to size it by.
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(page), `go_sql_max_open_connections{db_name="usergroups"} 5`) ||
		!strings.Contains(string(page), `go_sql_in_use_connections{db_name="usergroups"}`) {
		t.Errorf("/metrics lacks the pool's connections: %v", err)
	}

	// One demo load serves both: it is the slow part.
	t.Run("README", func(t *testing.T) { testREADMECommands(t, addr, dsn) })

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited with %d after shutdown: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestHelpListsFlagsAndEnvironment(t *testing.T) {
	for cmd, want := range map[string][]string{
		"serve": {"--listen", "USERGROUPS_LISTEN", "--database", "USERGROUPS_DATABASE", "--demo", "--dev", "--cors-origins", "USERGROUPS_CORS_ORIGINS",
			"--max-depth", "--max-cost", "--operation-timeout", "USERGROUPS_OPERATION_TIMEOUT", "--max-sockets", "--max-anonymous-sockets", "--max-subscriptions",
			"--auth-failure-limit", "USERGROUPS_AUTH_FAILURE_LIMIT", "--max-pending-sockets", "USERGROUPS_MAX_PENDING_SOCKETS",
			"--read-header-timeout", "--read-timeout", "USERGROUPS_READ_TIMEOUT", "--write-timeout", "--idle-timeout", "--min-body-rate",
			"USERGROUPS_MIN_BODY_RATE", "--body-grace", "--redis-url", "USERGROUPS_REDIS_URL"},
		"migrate": {"--database", "USERGROUPS_DATABASE"},
		"seed":    {"--demo", "--database"},
	} {
		var stderr bytes.Buffer
		if code := run(context.Background(), []string{cmd, "--help"}, &bytes.Buffer{}, &stderr, nil); code != 0 {
			t.Errorf("%s --help exited %d", cmd, code)
		}
		for _, w := range want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%s --help lacks %s:\n%s", cmd, w, stderr.String())
			}
		}
	}
	if code := run(context.Background(), []string{"bogus"}, &bytes.Buffer{}, &bytes.Buffer{}, nil); code != 2 {
		t.Errorf("unknown command exited %d, want 2", code)
	}
	if code := run(context.Background(), []string{"seed"}, &bytes.Buffer{}, &bytes.Buffer{}, nil); code != 2 {
		t.Errorf("seed without --demo exited %d, want 2", code)
	}
	// Request limits that would refuse everything stop serve before it listens.
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--max-depth", "0", "--listen", "127.0.0.1:0"}, &bytes.Buffer{}, &stderr, nil); code == 0 || !strings.Contains(stderr.String(), "request limits") {
		t.Errorf("serve --max-depth 0 exited %d: %s", code, stderr.String())
	}
	// So does a Redis URL that is not one.
	stderr.Reset()
	if code := run(context.Background(), []string{"serve", "--redis-url", "http://127.0.0.1:6379", "--listen", "127.0.0.1:0"},
		&bytes.Buffer{}, &stderr, nil); code == 0 || !strings.Contains(stderr.String(), "--redis-url") {
		t.Errorf("serve --redis-url http://… exited %d: %s", code, stderr.String())
	}
	// So does a write timeout that would cut off answers an operation may still give.
	stderr.Reset()
	if code := run(context.Background(), []string{"serve", "--write-timeout", "5s", "--operation-timeout", "10s", "--listen", "127.0.0.1:0"},
		&bytes.Buffer{}, &stderr, nil); code == 0 || !strings.Contains(stderr.String(), "write timeout") {
		t.Errorf("serve --write-timeout 5s exited %d: %s", code, stderr.String())
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	dsn := testDSN(t)
	var out bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--database", dsn}, &out, &out, nil); code != 0 {
		t.Fatalf("migrate exited %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "schema up to date") {
		t.Errorf("migrate said %q", out.String())
	}
	// Migrating again is a no-op.
	if code := run(context.Background(), []string{"migrate", "--database", dsn}, &out, &out, nil); code != 0 {
		t.Fatalf("second migrate exited %d: %s", code, out.String())
	}
}

// syncBuffer lets the server goroutine log while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
