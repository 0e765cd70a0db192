package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/dbtest"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// TestMain removes the server binary the tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// serverBinary builds the usergroups server once for every test of the
// package that runs it as a process: a build is most of such a test's time.
func serverBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "usergroups-bench-test-"); buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(buildDir, "usergroups"), "github.com/usergroups/usergroups/cmd/usergroups").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building the server: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "usergroups")
}

// TestWritesAndReadsUnderWrites runs S11, and so S10, at a toy size on a
// real server (SQLite, or PostgreSQL when USERGROUPS_TEST_DATABASE is
// set): every registration answered, seats, change rows, jobs, deliveries
// and webhooks as the product makes them, S1 answered the same throughout.
// Then it breaks the database and the deliveries to see that each check
// can fail. It checks what the scenarios report, never how fast.
func TestWritesAndReadsUnderWrites(t *testing.T) {
	bin := serverBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// 24 people over 3 events of 5 seats: 5 going and 3 waitlisted each.
	cfg := ReadsUnderWritesConfig{Binary: bin, Database: os.Getenv(dbtest.EnvDatabase), Dir: t.TempDir(), Size: Size{Groups: 2, Members: 2}, Runs: 1,
		// A second, not less: S1's closed loop runs as long as the burst, and
		// under the race detector on a loaded PostgreSQL pass a quarter of a
		// second once completed no request at all.
		BurstConfig: BurstConfig{People: 24, Events: 3, Capacity: 5, Duration: time.Second, Subscriptions: 6}}
	cfg.defaults()
	env, err := newWriteEnv(ctx, cfg.Database, cfg.Dir, cfg.Binary, &cfg.Size, cfg.BurstConfig, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer env.close()
	res, err := readsUnderWrites(ctx, env, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range append(res.Alone, res.Loaded...) {
		if r.Requests == 0 || r.Errors != 0 {
			t.Errorf("S1 run %d: %d requests, %d errors (%v)", i, r.Requests, r.Errors, r.FirstError)
		}
	}
	if len(res.Bursts) != 1 {
		t.Fatalf("%d bursts, want 1", len(res.Bursts))
	}
	b := res.Bursts[0]
	if len(b.Latencies) != 24 || !b.Correct() {
		t.Errorf("%d of 24 registrations answered, %d errors (%v), %d deliveries missing, problems %q", len(b.Latencies), b.Errors, b.FirstError, b.Missing, b.Problems)
	}
	// 6 subscribers, 2 per event, each given its event's 8 changes.
	if len(b.Deliveries) != 6*8 || b.DeliveryPercentile(0) <= 0 {
		t.Errorf("%d deliveries (want 48), first after %v", len(b.Deliveries), b.DeliveryPercentile(0))
	}
	if b.Webhooks != 24 {
		t.Errorf("%d webhook deliveries, want 24", b.Webhooks)
	}

	// The checks fail on what they guard against.
	events := env.burst.fx.events[0]
	made := map[pulid.ID]int{events[0]: 8, events[1]: 8, events[2]: 8}
	if p, err := env.burst.checkDatabase(ctx, events, made, nil); err != nil || len(p) != 0 {
		t.Fatalf("a second check of the same database: %q, %v", p, err)
	}
	made[events[0]] = 9
	if p, _ := env.burst.checkDatabase(ctx, events, made, nil); !anyContains(p, "registered for 5 seats") {
		t.Errorf("a registration lost: %q", p)
	}
	made[events[0]] = 8
	sqlDB, _, err := OpenSQL(env.burst.fx.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	for _, stmt := range []string{
		`UPDATE events SET going_count = going_count + 1 WHERE id = '` + string(events[1]) + `'`,
		`DELETE FROM changes WHERE id = (SELECT MAX(id) FROM changes WHERE topic = 'registration')`,
	} {
		if _, err := sqlDB.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	p, err := env.burst.checkDatabase(ctx, events, made, nil)
	if err != nil || !anyContains(p, "counts 6 going") || !anyContains(p, "without exactly one change row") {
		t.Errorf("a wrong counter and a missing change row: %q, %v", p, err)
	}
	// Jobs counted as if they had been there before the burst: none new.
	before, err := env.burst.fanOutJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := env.burst.checkDatabase(ctx, events, made, before); !anyContains(p, "not in exactly one webhook fan-out job") {
		t.Errorf("no fan-out jobs: %q", p)
	}

	short := &regSubscriber{event: events[0], cursors: map[string]bool{"a": true}, nodes: 1, going: 1}
	var r BurstResult
	if p := env.burst.checkDeliveries([]*regSubscriber{short}, map[pulid.ID]int{events[0]: 2}, &r); r.Missing != 1 || !anyContains(p, "showed a registration") {
		t.Errorf("a missing delivery and a leak: missing %d, %q", r.Missing, p)
	}
}

func anyContains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
