package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/policy"
)

// interopDir holds the real npm clients (graphql-ws, subscriptions-transport-ws).
const interopDir = "testdata/interop"

// needNodeClients installs the npm clients once, or skips the test where
// node or the registry is missing — unless USERGROUPS_INTEROP=required
// (CI), where that is a failure.
func needNodeClients(t *testing.T) {
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
	if _, err := os.Stat(filepath.Join(interopDir, "node_modules", "graphql-ws")); err == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--silent")
	cmd.Dir = interopDir
	if out, err := cmd.CombinedOutput(); err != nil {
		give("npm ci: %v\n%s", err, out)
	}
}

// TestRealClientsResumeWithoutGapOrDuplicate: the npm graphql-ws client (and
// the legacy subscriptions-transport-ws client) subscribe from a cursor,
// receive a replayed change and a live one caused by an HTTP mutation, drop
// the socket, miss two changes, resume with `after:` and receive exactly
// those two, in order.
func TestRealClientsResumeWithoutGapOrDuplicate(t *testing.T) {
	needNodeClients(t)
	for _, mode := range []string{"graphql-transport-ws", "legacy"} {
		t.Run(mode, func(t *testing.T) {
			s := startLive(t)
			sys := dbtest.FixtureContext(t)
			tx, err := s.db.Client.Tx(sys)
			if err != nil {
				t.Fatal(err)
			}
			com := tx.Community.Create().SetName("OpenStack").SetSlug("openstack").SetPolicy(policy.OpenStack()).SaveX(sys)
			g := tx.Group.Create().SetCommunityID(com.ID).SetName("Oakland").SetSlug("oakland").SetCity("Oakland").SetCountry("US").SetStatus("ACTIVE").SaveX(sys)
			org := tx.User.Create().SetHandle("org").SetName("Org").SaveX(sys)
			tx.Role.Create().SetUserID(org.ID).SetCommunityID(com.ID).SetGroupID(g.ID).SetKind(role.KindORGANIZER).ExecX(sys)
			token, _ := dbtest.APIToken(t, sys, tx.Client(), org.ID, "read", "write")
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			latest, err := s.broker.Latest(sys)
			if err != nil {
				t.Fatal(err)
			}
			var events []string
			create := func() {
				t.Helper()
				r := s.post(t, token, `mutation($g: ID!, $t: String!) { createEvent(input: {group: $g, title: $t, startsAt: "2027-01-10T19:00",
					endsAt: "2027-01-10T21:00", timeZone: "America/Los_Angeles", onlineUrl: "https://meet.example.org/x"}) { event { id } userErrors { code message } } }`,
					map[string]any{"g": string(g.ID), "t": "Meetup number " + string(rune('A'+len(events)))})
				id, _ := dig(r.Data, "createEvent", "event", "id").(string)
				if id == "" {
					t.Fatalf("createEvent: %+v %+v", r.Data, r.Errors)
				}
				events = append(events, id)
			}
			create() // before the client connects: it must come by replay

			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			args := []string{"resume.mjs", "ws" + strings.TrimPrefix(s.url, "http") + "/graphql", token, string(com.ID), live.Cursor(broker.Position{Seq: latest})}
			if mode == "legacy" {
				args = append(args, "legacy")
			}
			cmd := exec.CommandContext(ctx, "node", args...)
			cmd.Dir = interopDir
			cmd.Stderr = os.Stderr
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stdout)
			type line struct{ Type, Cursor, Node, Message string }
			read := func() line {
				t.Helper()
				if !lines.Scan() {
					t.Fatalf("the client ended early: %v", lines.Err())
				}
				var l line
				if err := json.Unmarshal(lines.Bytes(), &l); err != nil || l.Type == "error" {
					t.Fatalf("client: %s", lines.Text())
				}
				return l
			}
			var got []line
			got = append(got, read()) // the replayed change
			create()                  // a live one
			got = append(got, read())
			if l := read(); l.Type != "disconnected" {
				t.Fatalf("want disconnected, got %+v", l)
			}
			create() // missed while away
			create()
			_, _ = io.WriteString(stdin, "go\n")
			got = append(got, read(), read())
			if l := read(); l.Type != "done" {
				t.Fatalf("want done, got %+v", l)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("client: %v", err)
			}
			var seq []string
			prev := int64(-1)
			for _, l := range got {
				seq = append(seq, l.Node)
				p, _, err := live.ParseCursor(&l.Cursor)
				if err != nil || p.Seq <= prev {
					t.Errorf("cursors not increasing: %+v", got)
				}
				prev = p.Seq
			}
			if strings.Join(seq, ",") != strings.Join(events, ",") {
				t.Errorf("received %v, want exactly %v", seq, events)
			}
		})
	}
}
