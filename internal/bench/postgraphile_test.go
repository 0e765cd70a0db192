package bench_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/bench"
)

// TestPostGraphileParityShapes checks the conversion of PostGraphile's
// answers to ours on canned answers, without PostGraphile.
func TestPostGraphileParityShapes(t *testing.T) {
	ours := `{"data":{"community":{"id":"com_1","name":"Bench","groups":{"totalCount":1,"edges":[{"node":{"id":"grp_1","name":"G","city":"Lyon","status":"ACTIVE",
		"roles":{"totalCount":1,"edges":[{"node":{"id":"rol_1","kind":"ORGANIZER","status":"ACTIVE","user":{"id":"usr_1","handle":"u","name":"U","organization":null}}}]},
		"events":{"edges":[{"node":{"id":"evt_1","title":"T","startsAt":"2026-12-26T18:00:00Z","goingCount":7,"waitlistCount":1}}]}}}]}}},"extensions":{"cost":{"requestedQueryCost":18}}}`
	theirs := `{"data":{"community":{"nodes":[{"id":"com_1","name":"Bench","groups":{"totalCount":1,"edges":[{"node":{"id":"grp_1","name":"G","city":"Lyon","status":"ACTIVE",
		"roles":{"totalCount":1,"edges":[{"node":{"id":"rol_1","kind":"ORGANIZER","status":"ACTIVE","user":{"id":"usr_1","handle":"u","name":"U","organization":null}}}]},
		"events":{"edges":[{"node":{"id":"evt_1","title":"T","startsAt":"2026-12-26T19:00:00.000000+01:00","goingCount":"7","waitlistCount":"1"}}]}}}]}}]}}}`
	if err := bench.PostGraphileParity([]byte(ours), []byte(theirs), "S1"); err != nil {
		t.Errorf("S1: %v", err)
	}
	if err := bench.PostGraphileParity([]byte(ours), []byte(strings.Replace(theirs, `"7"`, `"8"`, 1)), "S1"); err == nil {
		t.Error("S1: a different goingCount passed")
	}
	if err := bench.PostGraphileParity([]byte(`{"data":{"community":null}}`), []byte(`{"data":{"community":{"nodes":[]}}}`), "S1"); err != nil {
		t.Errorf("S1, no community: %v", err)
	}
	s3 := `{"data":{"node":{"id":"grp_1","name":"G","slug":"g","city":"Lyon","country":"FR","status":"ACTIVE","createdAt":"2025-01-01T00:00:00Z"}}}`
	s3theirs := `{"data":{"node":{"id":"grp_1","name":"G","slug":"g","city":"Lyon","country":"FR","status":"ACTIVE","createdAt":"2025-01-01T00:00:00.000000+00:00"}}}`
	if err := bench.PostGraphileParity([]byte(s3), []byte(s3theirs), "S3"); err != nil {
		t.Errorf("S3: %v", err)
	}
	if err := bench.PostGraphileParity([]byte(s3), []byte(strings.Replace(s3theirs, "2025", "2024", 1)), "S3"); err == nil {
		t.Error("S3: a different createdAt passed")
	}
}

// TestComparePostGraphile runs the comparison with PostGraphile at a tiny
// size with 1 s runs. It installs Node and PostGraphile from npm (cached in
// a temporary folder), so it runs only when USERGROUPS_BENCH_POSTGRAPHILE=1,
// on the PostgreSQL server of USERGROUPS_BENCH_DATABASE (default
// bench.DefaultPostgresURL).
func TestComparePostGraphile(t *testing.T) {
	if os.Getenv("USERGROUPS_BENCH_POSTGRAPHILE") != "1" {
		t.Skip("set USERGROUPS_BENCH_POSTGRAPHILE=1 to install PostGraphile from npm and compare")
	}
	binary := filepath.Join(t.TempDir(), "usergroups")
	build := exec.Command("go", "build", "-o", binary, "github.com/usergroups/usergroups/cmd/usergroups")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the server: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r, err := bench.ComparePostGraphile(ctx, binary, []bench.Size{{Groups: 3, Members: 4}}, 3, time.Second)
	if err != nil {
		t.Fatal(err) // includes parity failures
	}
	if len(r.Rows) != 3 {
		t.Fatalf("%d rows, want S1, S2, S3", len(r.Rows))
	}
	for _, row := range r.Rows {
		for i := range row.Ours {
			o, p := row.Ours[i], row.Theirs[i]
			if o.Requests == 0 || p.Requests == 0 || o.RPS() <= 0 || p.RPS() <= 0 {
				t.Errorf("%s run %d: %d and %d requests", row.Scenario, i, o.Requests, p.Requests)
			}
			if o.Errors != 0 || p.Errors != 0 {
				t.Errorf("%s run %d: errors ours %d (%v), PostGraphile %d (%v)", row.Scenario, i, o.Errors, o.FirstError, p.Errors, p.FirstError)
			}
			if o.CPU <= 0 || p.CPU <= 0 || o.Percentile(50) <= 0 || p.Percentile(99) <= 0 {
				t.Errorf("%s run %d: CPU %v / %v, latencies %v / %v", row.Scenario, i, o.CPU, p.CPU, o.Percentile(50), p.Percentile(99))
			}
		}
	}
	md := string(r.Markdown())
	if !strings.Contains(md, "| S1 | 3×4 |") || !strings.Contains(md, "PostGraphile "+bench.PostGraphileVersion) {
		t.Errorf("markdown:\n%s", md)
	}
	t.Logf("\n%s", md)
}
