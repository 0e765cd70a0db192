package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/vektah/gqlparser/v2"

	"github.com/usergroups/usergroups/ent/auditentry"
	"github.com/usergroups/usergroups/ent/exportchunk"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/graph"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/worker"
	"github.com/usergroups/usergroups/internal/workflow"
)

const (
	startExportDoc = `mutation($in: StartExportInput!) { startExport(input: $in) {
		export { id status kinds format progress rowsWritten } userErrors { code message field } } }`
	exportDoc = `query($id: ID!) { export(id: $id) { id status progress rowsWritten changeCursor downloadUrl expiresAt error } }`
)

// exportServer is the whole API over a fresh database on a clock the test
// moves, with one community of 100 events of 100 registrations each.
func exportServer(t *testing.T) (*liveServer, fixture, *dbtest.Clock) {
	t.Helper()
	clock := dbtest.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	s := serveLive(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
		return dbtest.Open(t, dbtest.WithDriver(wrap))
	}, broker.Options{}, server.Config{Now: clock.Now})
	return s, buildFixture(t, s.db, 1, 100, 100, 100), clock
}

// startExport starts an export with token and returns its id, failing the
// test on a refusal.
func startExport(t *testing.T, s *liveServer, token string, kinds []string, format string) pulid.ID {
	t.Helper()
	r := s.post(t, token, startExportDoc, map[string]any{"in": map[string]any{"community": "openstack", "kinds": kinds, "format": format}})
	id, _ := dig(r.Data, "startExport", "export", "id").(string)
	if id == "" || dig(r.Data, "startExport", "export", "status") != "QUEUED" {
		t.Fatalf("startExport: %+v %+v", r.Data, r.Errors)
	}
	return pulid.ID(id)
}

// exportDeps are the worker's, with pages of size rows.
func exportDeps(s *liveServer, runner *workflow.Runner, size int) workflow.ExportDeps {
	d := worker.ExportDeps(worker.Deps{Runner: runner, Reflected: s.src.Reflected})
	d.PageSize = size
	return d
}

// download GETs a download path and returns its status and body.
func download(t *testing.T, s *liveServer, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// TestExportEventsMatchesPagedCopy is the test: an export of
// 10,000 registrations' counts (100 events) by the community's staff,
// through a read token, reports progress page by page, succeeds, and its
// file holds what paging the events connection returns; it is audited
// and downloads once.
func TestExportEventsMatchesPagedCopy(t *testing.T) {
	s, f, clock := exportServer(t)
	ctx := context.Background()
	id := startExport(t, s, f.staffToken, []string{"EVENTS"}, "JSONL")

	sys := viewer.SystemContext(ctx)
	if n := s.db.Client.AuditEntry.Query().Where(auditentry.NodeID(string(id)), auditentry.ActionEQ(auditentry.ActionACCESSED),
		auditentry.ActorID(string(f.manager))).CountX(sys); n != 1 {
		t.Errorf("audit entries for the export = %d, want 1", n)
	}

	runner := workflow.NewRunner(s.db.Client, clock.Now)
	deps := exportDeps(s, runner, 30)
	var progress []float64
	var status any
	for i := 0; ; i++ {
		done, err := workflow.ExportPage(ctx, runner, id, deps)
		if err != nil {
			t.Fatal(err)
		}
		r := s.post(t, f.staffToken, exportDoc, map[string]any{"id": id})
		p, _ := dig(r.Data, "export", "progress").(float64)
		progress = append(progress, p)
		status = dig(r.Data, "export", "status")
		if done {
			break
		}
		if i > 10 {
			t.Fatalf("no end after %d pages: %v", i, progress)
		}
	}
	for i := 1; i < len(progress); i++ {
		if progress[i] <= progress[i-1] {
			t.Errorf("progress did not increase: %v", progress)
		}
	}
	if len(progress) < 4 || progress[len(progress)-1] != 1 || progress[0] >= 1 || status != "SUCCEEDED" {
		t.Fatalf("progress %v, status %v", progress, status)
	}
	r := s.post(t, f.staffToken, exportDoc, map[string]any{"id": id})
	if dig(r.Data, "export", "rowsWritten") != float64(100) || dig(r.Data, "export", "changeCursor") == nil {
		t.Errorf("export = %+v %+v", r.Data, r.Errors)
	}
	path, _ := dig(r.Data, "export", "downloadUrl").(string)
	if !strings.HasPrefix(path, "/exports/"+string(id)+"?") {
		t.Fatalf("downloadUrl = %q", path)
	}

	// The paged copy: every event the token sees, 25 at a time.
	type counts struct{ Going, Waitlist, Attended float64 }
	paged := map[string]counts{}
	var after any
	for {
		r := s.post(t, f.staffToken, `query($after: Cursor) { events(community: "openstack", first: 25, after: $after,
			where: {statusIn: [DRAFT, PUBLISHED, CANCELLED, COMPLETED]}) {
			pageInfo { hasNextPage endCursor } nodes { id goingCount waitlistCount attendedCount } } }`, map[string]any{"after": after})
		nodes, _ := dig(r.Data, "events", "nodes").([]any)
		if len(r.Errors) > 0 || len(nodes) == 0 {
			t.Fatalf("events: %+v", r.Errors)
		}
		for _, n := range nodes {
			m := n.(map[string]any)
			paged[m["id"].(string)] = counts{m["goingCount"].(float64), m["waitlistCount"].(float64), m["attendedCount"].(float64)}
		}
		if dig(r.Data, "events", "pageInfo", "hasNextPage") != true {
			break
		}
		after = dig(r.Data, "events", "pageInfo", "endCursor")
	}

	status2, header, body := download(t, s, path)
	if status2 != http.StatusOK || header.Get("Content-Type") != "application/x-ndjson" ||
		!strings.HasPrefix(header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v %.200s", status2, header, body)
	}
	exported := map[string]counts{}
	sum := 0.0
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		var row struct {
			Kind                                     string
			ID                                       string
			GoingCount, WaitlistCount, AttendedCount float64
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil || row.Kind != "EVENTS" {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		exported[row.ID] = counts{row.GoingCount, row.WaitlistCount, row.AttendedCount}
		sum += row.GoingCount + row.WaitlistCount
	}
	if len(exported) != 100 || sum != 10000 {
		t.Errorf("exported %d events, %v registrations; want 100 and 10000", len(exported), sum)
	}
	if len(paged) != len(exported) {
		t.Errorf("paged copy has %d events, the export %d", len(paged), len(exported))
	}
	for id, c := range paged {
		if exported[id] != c {
			t.Errorf("event %s: exported %+v, paged %+v", id, exported[id], c)
		}
	}

	// Once only: the second download is gone, and so is the file.
	if st, _, _ := download(t, s, path); st != http.StatusGone {
		t.Errorf("second download: %d, want 410", st)
	}
	if n := s.db.Client.ExportChunk.Query().Where(exportchunk.ExportID(id)).CountX(sys); n != 0 {
		t.Errorf("%d chunks left after the download", n)
	}
	r = s.post(t, f.staffToken, exportDoc, map[string]any{"id": id})
	if dig(r.Data, "export", "downloadUrl") != nil || dig(r.Data, "export", "status") != "EXPIRED" {
		t.Errorf("after the download: %+v", r.Data)
	}
}

// TestExportRefusalsAndLinks: who may not export what, the link's
// signature and expiry, another person's export, and a token revoked
// while its export waits.
func TestExportRefusalsAndLinks(t *testing.T) {
	s, f, clock := exportServer(t)
	ctx := context.Background()
	fx := dbtest.FixtureContext(t)
	// The group's organizer: not the community's staff.
	orgUser := s.db.Client.User.Query().Where(user.Handle("u0-0")).OnlyX(viewer.SystemContext(ctx))
	orgToken, _ := dbtest.APIToken(t, fx, s.db.Client, orgUser.ID, "read")
	groupsOnly, _ := dbtest.APIToken(t, fx, s.db.Client, f.manager, "groups")

	in := func(kinds ...string) map[string]any {
		return map[string]any{"in": map[string]any{"community": "openstack", "kinds": kinds, "format": "JSONL"}}
	}
	if r := s.post(t, orgToken, startExportDoc, in("APPLICATIONS")); code(r) != "FORBIDDEN" {
		t.Errorf("applications by a non-staff: %+v %+v", r.Data, r.Errors)
	}
	r := s.post(t, groupsOnly, startExportDoc, in("GROUPS", "EVENTS"))
	if code(r) != "FORBIDDEN" || r.Errors[0].Extensions["missingScope"] != "EVENTS" {
		t.Errorf("events with a groups-only token: %+v", r.Errors)
	}
	if r := s.post(t, f.staffToken, startExportDoc, map[string]any{"in": map[string]any{"community": "openstack",
		"kinds": []string{"GROUPS", "EVENTS"}, "format": "CSV"}}); code(r) != "BAD_USER_INPUT" {
		t.Errorf("two kinds as CSV: %+v %+v", r.Data, r.Errors)
	}
	if n := s.db.Client.Export.Query().CountX(viewer.SystemContext(ctx)); n != 0 {
		t.Errorf("refusals left %d exports", n)
	}

	// A CSV of the groups, as staff; nobody else sees the export.
	runner := workflow.NewRunner(s.db.Client, clock.Now)
	id := startExport(t, s, f.staffToken, []string{"GROUPS"}, "CSV")
	if r := s.post(t, orgToken, exportDoc, map[string]any{"id": id}); dig(r.Data, "export") != nil || len(r.Errors) > 0 {
		t.Errorf("another person reads the export: %+v %+v", r.Data, r.Errors)
	}
	if err := workflow.RunExport(ctx, runner, id, exportDeps(s, runner, 0)); err != nil {
		t.Fatal(err)
	}
	r = s.post(t, f.staffToken, exportDoc, map[string]any{"id": id})
	path, _ := dig(r.Data, "export", "downloadUrl").(string)
	u, err := url.Parse(path)
	if err != nil || path == "" {
		t.Fatalf("downloadUrl %q: %+v", path, r.Data)
	}
	bad := u.Query()
	bad.Set("sig", "x"+bad.Get("sig")[1:])
	if st, _, _ := download(t, s, u.Path+"?"+bad.Encode()); st != http.StatusForbidden {
		t.Errorf("bad signature: %d, want 403", st)
	}
	longer := u.Query()
	longer.Set("expires", "9999999999")
	if st, _, _ := download(t, s, u.Path+"?"+longer.Encode()); st != http.StatusForbidden {
		t.Errorf("expiry moved: %d, want 403", st)
	}
	clock.Advance(25 * time.Hour)
	if st, _, _ := download(t, s, path); st != http.StatusGone {
		t.Errorf("expired: %d, want 410", st)
	}
	if n, err := workflow.ExpireExports(ctx, runner); err != nil || n != 1 {
		t.Errorf("ExpireExports = %d, %v; want 1", n, err)
	}
	if n := s.db.Client.ExportChunk.Query().Where(exportchunk.ExportID(id)).CountX(viewer.SystemContext(ctx)); n != 0 {
		t.Errorf("%d chunks left after expiry", n)
	}

	// A token revoked before its export runs fails it, saying why.
	tokSecret, tok := dbtest.APIToken(t, fx, s.db.Client, f.manager, "read")
	id = startExport(t, s, tokSecret, []string{"EVENTS"}, "JSONL")
	s.db.Client.APIToken.UpdateOneID(tok.ID).SetRevokedAt(clock.Now()).ExecX(fx)
	if err := workflow.RunExport(ctx, runner, id, exportDeps(s, runner, 0)); err != nil {
		t.Fatal(err)
	}
	r = s.post(t, f.staffToken, exportDoc, map[string]any{"id": id})
	if dig(r.Data, "export", "status") != "FAILED" || !strings.Contains(dig(r.Data, "export", "error").(string), "revoked") {
		t.Errorf("export with a revoked token: %+v %+v", r.Data, r.Errors)
	}
}

// TestExportRecipe runs docs/tools-export.md's GraphQL: start, poll
// (after the job), download, and the subscription it continues with,
// checked against the published schema.
func TestExportRecipe(t *testing.T) {
	b, err := os.ReadFile("../../docs/tools-export.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	if len(blocks) != 3 {
		t.Fatalf("%d graphql blocks in the recipe, want 3", len(blocks))
	}
	s, f, clock := exportServer(t)
	r := s.post(t, f.staffToken, blocks[0][1], map[string]any{"in": map[string]any{"community": "openstack",
		"kinds": []string{"GROUPS", "EVENTS"}, "format": "JSONL"}})
	id, _ := dig(r.Data, "startExport", "export", "id").(string)
	if id == "" {
		t.Fatalf("start: %+v %+v", r.Data, r.Errors)
	}
	runner := workflow.NewRunner(s.db.Client, clock.Now)
	if err := workflow.RunExport(context.Background(), runner, pulid.ID(id), exportDeps(s, runner, 0)); err != nil {
		t.Fatal(err)
	}
	r = s.post(t, f.staffToken, blocks[1][1], map[string]any{"id": id})
	path, _ := dig(r.Data, "export", "downloadUrl").(string)
	if dig(r.Data, "export", "status") != "SUCCEEDED" || dig(r.Data, "export", "rowsWritten") != float64(101) || path == "" {
		t.Fatalf("poll: %+v %+v", r.Data, r.Errors)
	}
	st, _, body := download(t, s, path)
	if st != http.StatusOK || strings.Count(body, "\n") != 101 || !strings.HasPrefix(body, `{"kind":"GROUPS"`) {
		t.Errorf("download: %d %.200s", st, body)
	}
	if _, errs := gqlparser.LoadQueryWithRules(graph.Published(), blocks[2][1], nil); len(errs) > 0 {
		t.Errorf("the recipe's subscription: %v", errs)
	}
}
