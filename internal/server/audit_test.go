package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/server"
)

// auditDir holds the graphql-http server audit (npm) and its runner.
const auditDir = "testdata/audit"

// needAuditSuite installs the audit suite once, or skips the test where
// node or the registry is missing — unless USERGROUPS_INTEROP=required
// (CI), where that is a failure.
func needAuditSuite(t *testing.T) {
	t.Helper()
	required := os.Getenv("USERGROUPS_INTEROP") == "required"
	give := func(format string, args ...any) {
		t.Helper()
		if required {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	if _, err := exec.LookPath("node"); err != nil {
		give("node is not installed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(auditDir, "node_modules", "graphql-http")); err == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--silent")
	cmd.Dir = auditDir
	if out, err := cmd.CombinedOutput(); err != nil {
		give("npm ci: %v\n%s", err, out)
	}
}

// auditResult is one audit's outcome as audit.mjs reports it.
type auditResult struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"` // ok, notice (MAY), warn (SHOULD), error (MUST)
	Reason      string `json:"reason"`
	HTTPStatus  int    `json:"httpStatus"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// guardedAudits are answered by the HTTP guard, before gqlgen or by fixing
// its answer; they must stay passing, even the ones that would only warn.
// gqlgen alone fails six of them (422 or "data": null where the spec wants
// otherwise) and reaches most others only through its undecodable-body path,
// which echoes the body and panics in entgql's transaction hook.
var guardedAudits = []string{
	"9C48",                         // no mutations over GET
	"9ABE",                         // 4xx without a Content-Type
	"A5BF", "423L", "3E3A", "8764", // 400 on a missing body or query
	"LKJ0", "LKJ1", "LKJ2", "LKJ3", // 400 on a query that is not a string
	"6C00", "6C01", "6C02", "6C03", // … an operationName that is not a string
	"4760", "4761", "4762", "4763", // … variables that are not a map
	"58B0", "58B1", "58B2", "58B3", // … extensions that are not a map
	"BCF8", "B7N8", // 400 on unparsable JSON
	"572B", "FDE2", "7B9B", // 200 for GraphQL errors in application/json
	"D586", "5E5B", // no data entry in a 4xx application/graphql-response+json
}

// TestGraphQLOverHTTPAudit runs the graphql-http server audit — the
// conformance suite of the GraphQL over HTTP spec — against the real
// server: any failed MUST fails the test, and the SHOULDs and MAYs are
// listed.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	needAuditSuite(t)
	db := dbtest.Open(t)
	api := server.New(db, server.Config{Logger: quietLogger()})
	hs := httptest.NewServer(api)
	t.Cleanup(func() {
		_ = api.Shutdown(context.Background())
		hs.Close()
	})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "audit.mjs", hs.URL+"/graphql")
	cmd.Dir = auditDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, stderr.Bytes())
	}
	var report struct{ Results []auditResult }
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("audit report %q: %v", out, err)
	}
	if len(report.Results) < 50 {
		t.Fatalf("only %d audits ran", len(report.Results))
	}
	counts := map[string]int{}
	byID := map[string]auditResult{}
	for _, r := range report.Results {
		counts[r.Status]++
		byID[r.ID] = r
		if r.Status == "ok" {
			continue
		}
		line := func(format string, args ...any) { t.Logf(format, args...) }
		if r.Status == "error" {
			line = func(format string, args ...any) { t.Errorf(format, args...) }
		}
		line("%s %s %s: %s — got %d %s %s", r.Status, r.ID, r.Name, r.Reason, r.HTTPStatus, r.ContentType, r.Body)
	}
	t.Logf("%d audits: %d ok, %d notice, %d warn, %d error",
		len(report.Results), counts["ok"], counts["notice"], counts["warn"], counts["error"])
	for _, id := range guardedAudits {
		if r, ok := byID[id]; !ok {
			t.Errorf("audit %s did not run", id)
		} else if r.Status != "ok" {
			t.Errorf("audit %s (%s) no longer passes: %s", id, r.Name, r.Reason)
		}
	}

	// The limiter is in place: every /graphql response tells the budget.
	resp, err := http.Get(hs.URL + "/graphql?query=%7B__typename%7D")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") == "" || resp.Header.Get("X-RateLimit-Remaining") == "" {
		t.Errorf("GET query = %d with headers %v", resp.StatusCode, resp.Header)
	}
}
