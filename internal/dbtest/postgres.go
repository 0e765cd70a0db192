package dbtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Postgres is a PostgreSQL server of one test's own, for tests that stop
// the database under a running API; the shared server cannot be stopped.
type Postgres struct {
	// DSN connects to its postgres database as the superuser, over TCP.
	DSN string

	t       testing.TB
	ctl     string
	data    string
	asOwner func(name string, args ...string) *exec.Cmd
	running bool
}

// StartPostgres initialises and starts a PostgreSQL server on a free
// loopback port in a temporary directory, stopped and removed when t ends.
// It runs only where PostgreSQL tests run (USERGROUPS_TEST_DATABASE set),
// and skips t, saying why, when the server binaries are not installed or,
// as root, there is no postgres user or runuser to run them as (PostgreSQL
// refuses to run as root).
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	if os.Getenv(EnvDatabase) == "" {
		t.Skip("needs a PostgreSQL server of its own; runs with " + EnvDatabase + " set")
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
	}
	sort.Strings(bins)
	bin := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "usergroups-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	asOwner := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		return cmd
	}
	if os.Geteuid() == 0 {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			t.Skip("running as root without runuser to start PostgreSQL as postgres")
		}
		owner, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root with no postgres user to start PostgreSQL as")
		}
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		asOwner = func(name string, args ...string) *exec.Cmd {
			cmd := exec.Command(runuser, append([]string{"-u", "postgres", "--", name}, args...)...)
			cmd.Dir = dir
			return cmd
		}
	}
	p := &Postgres{t: t, ctl: filepath.Join(bin, "pg_ctl"), data: filepath.Join(dir, "data"), asOwner: asOwner}
	if out, err := asOwner(filepath.Join(bin, "initdb"), "-D", p.data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB", port, dir)
	if out, err := asOwner(p.ctl, "-D", p.data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "120", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		t.Fatalf("starting PostgreSQL: %v\n%s\n%s", err, out, log)
	}
	p.running = true
	t.Cleanup(p.Stop)
	p.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return p
}

// Stop shuts the server down, closing every connection (a "fast"
// shutdown: what clients see when the database goes away).
func (p *Postgres) Stop() {
	if !p.running {
		return
	}
	p.running = false
	if out, err := p.asOwner(p.ctl, "-D", p.data, "-m", "fast", "-w", "-t", "120", "stop").CombinedOutput(); err != nil {
		p.t.Errorf("stopping PostgreSQL: %v\n%s", err, strings.TrimSpace(string(out)))
	}
}

// freePort is a loopback TCP port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
