package bench

// S6 and S7: the cost of live subscriptions, measured on a `usergroups
// serve` process from outside. S6 opens idle subscriptions and reads what
// they cost from the server's /metrics; S7 opens subscribers on one
// approval queue, commits changes through the GraphQL API and times each
// delivery.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"crypto/rand"

	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// QueueSubscription is the document every S6 and S7 subscriber runs: a
// reviewer's approval queue as a dashboard shows it (who acted, and the
// application's state).
const QueueSubscription = `subscription Queue($c: ID!) {
  approvalQueue(community: $c) { cursor op at actor { handle } node { id status kind } }
}`

// applyMutation files a new-group application: one commit that appends the
// application's changes to the log.
const applyMutation = `mutation Apply($c: ID!, $name: String!) {
  applyForGroup(input: {community: $c, name: $name, city: "Berkeley", country: "US", acceptCodeOfConduct: true}) {
    application { id }
    userErrors { code message }
  }
}`

// LiveConfig is what S6 and S7 share: the server to run and how
// subscriptions are laid out on sockets.
type LiveConfig struct {
	// Binary is the `usergroups` executable to serve with.
	Binary string
	// Database is a PostgreSQL URL; each run gets its own schema there,
	// dropped afterwards. Empty runs on a SQLite file in Dir.
	Database string
	// Dir holds the SQLite file; required when Database is empty.
	Dir string
	// Subscriptions is how many subscriptions to open.
	Subscriptions int
	// PerSocket is how many subscriptions share one websocket (1: one
	// socket each, the default). The server is started with
	// --max-subscriptions at least this.
	PerSocket int
	// Viewers is how many distinct staff people (each with an API token)
	// the sockets are spread over, round robin; default one per socket.
	Viewers int
	// Timeout bounds the whole run; default 2 minutes.
	Timeout time.Duration
}

func (c *LiveConfig) defaults() {
	if c.PerSocket <= 0 {
		c.PerSocket = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = 2 * time.Minute
	}
	if c.Viewers <= 0 || c.Viewers > c.sockets() {
		c.Viewers = c.sockets()
	}
}

func (c LiveConfig) sockets() int { return (c.Subscriptions + c.PerSocket - 1) / c.PerSocket }

// Snapshot is what the server's /metrics said at one moment.
type Snapshot struct {
	Goroutines    float64
	HeapInuse     float64 // bytes in in-use heap spans
	StackInuse    float64 // bytes of goroutine stacks
	RSS           float64 // resident set size
	Subscriptions float64 // usergroups_websocket_subscriptions
	GCs           float64 // completed GC cycles
	// HeapAlloc is the bytes of heap objects, read half a second after the
	// cycle, once the sweeper has freed what the cycle found unreachable:
	// the live heap, give or take the scrapes' own garbage.
	HeapAlloc float64
}

// IdleResult is what S6 measured: the server before and after opening the
// subscriptions, each reading taken right after a garbage collection.
type IdleResult struct {
	Subscriptions, Sockets int
	Before, After          Snapshot
	// Open is how long opening every subscription took.
	Open time.Duration
	// Settled reports whether a GC completed just before each reading;
	// when false the heap figures include uncollected garbage.
	Settled bool
}

// GoroutinesPerSubscription is the server's goroutines per idle
// subscription (socket goroutines included).
func (r IdleResult) GoroutinesPerSubscription() float64 {
	return (r.After.Goroutines - r.Before.Goroutines) / float64(r.Subscriptions)
}

// KiBPerSubscription is the server's memory per idle subscription, in
// KiB: live heap objects (Snapshot.HeapAlloc) plus goroutine stacks. This
// is the figure the S6 table shows.
func (r IdleResult) KiBPerSubscription() float64 {
	d := (r.After.HeapAlloc + r.After.StackInuse) - (r.Before.HeapAlloc + r.Before.StackInuse)
	return d / 1024 / float64(r.Subscriptions)
}

// InuseKiBPerSubscription is heap-in-use plus stacks per idle
// subscription, in KiB: an upper bound that includes the free space of
// partly used spans, which varied by a factor of two between runs.
func (r IdleResult) InuseKiBPerSubscription() float64 {
	d := (r.After.HeapInuse + r.After.StackInuse) - (r.Before.HeapInuse + r.Before.StackInuse)
	return d / 1024 / float64(r.Subscriptions)
}

// RSSKiBPerSubscription is the growth of the server's resident memory per
// idle subscription, in KiB (an upper bound: the runtime returns freed
// memory to the system lazily).
func (r IdleResult) RSSKiBPerSubscription() float64 {
	return (r.After.RSS - r.Before.RSS) / 1024 / float64(r.Subscriptions)
}

// IdleSubscriptions is S6: it opens cfg.Subscriptions approval-queue
// subscriptions that receive nothing and reports what they cost the
// server in goroutines and memory.
func IdleSubscriptions(ctx context.Context, cfg LiveConfig) (IdleResult, error) {
	cfg.defaults()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	res := IdleResult{Subscriptions: cfg.Subscriptions, Sockets: cfg.sockets()}
	raiseFileLimit(cfg.Subscriptions)
	fx, err := newLiveFixture(ctx, cfg.Database, cfg.Dir, cfg.Viewers)
	if err != nil {
		return res, err
	}
	defer fx.drop()
	srv, err := StartServer(ctx, cfg.Binary, fx.dsn, liveFlags(cfg)...)
	if err != nil {
		return res, err
	}
	defer srv.Stop()
	time.Sleep(500 * time.Millisecond) // let start-up garbage and goroutines settle
	var ok1, ok2 bool
	if res.Before, ok1, err = settledSnapshot(ctx, srv.URL); err != nil {
		return res, err
	}
	start := time.Now()
	clients, err := openSubscribers(ctx, srv.URL, fx, cfg, nil)
	defer closeAll(clients)
	if err != nil {
		return res, err
	}
	if err := waitSubscribed(ctx, srv.URL, float64(cfg.Subscriptions)); err != nil {
		return res, err
	}
	res.Open = time.Since(start)
	time.Sleep(time.Second)
	if res.After, ok2, err = settledSnapshot(ctx, srv.URL); err != nil {
		return res, err
	}
	res.Settled = ok1 && ok2
	return res, nil
}

// FanOutConfig configures S7.
type FanOutConfig struct {
	LiveConfig
	// Replicas is 1, or 2 on PostgreSQL: the subscribers then listen on
	// the second replica and commits go through the first, so every
	// delivery crosses replicas through NOTIFY.
	Replicas int
	// Commits is how many changes are committed, one after the other;
	// default 10.
	Commits int
	// Gap is the pause after each commit's last delivery; default 200ms.
	Gap time.Duration
	// Wait bounds how long one commit's deliveries are awaited; default 20s.
	Wait time.Duration
}

// FanOutResult is what S7 measured. Latency runs from the change's own
// timestamp (`at`, taken by the server inside the committing transaction,
// same host clock) to the client reading the message.
type FanOutResult struct {
	Subscriptions, Sockets, Replicas, Commits int
	// Latencies are every delivery's, sorted.
	Latencies []time.Duration
	// Last are each commit's latest delivery, sorted.
	Last []time.Duration
	// Missing counts deliveries not received within Wait.
	Missing int
	// CPU is the server processes' CPU time over the commits.
	CPU time.Duration
}

// Percentile returns the p-th (0–100) delivery latency.
func (r FanOutResult) Percentile(p float64) time.Duration { return percentile(r.Latencies, p) }

// LastPercentile returns the p-th (0–100) commit → last delivery latency.
func (r FanOutResult) LastPercentile(p float64) time.Duration { return percentile(r.Last, p) }

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(float64(len(sorted)-1)*p/100)]
}

// FanOut is S7: cfg.Subscriptions subscribers on one approval queue, and
// cfg.Commits applications filed through the API one after the other; it
// times every delivery.
func FanOut(ctx context.Context, cfg FanOutConfig) (FanOutResult, error) {
	cfg.defaults()
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.Commits <= 0 {
		cfg.Commits = 10
	}
	if cfg.Gap <= 0 {
		cfg.Gap = 200 * time.Millisecond
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 20 * time.Second
	}
	res := FanOutResult{Subscriptions: cfg.Subscriptions, Sockets: cfg.sockets(), Replicas: cfg.Replicas}
	if cfg.Replicas > 2 || (cfg.Replicas == 2 && cfg.Database == "") {
		return res, errors.New("bench: two replicas need PostgreSQL")
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	raiseFileLimit(cfg.Subscriptions)
	fx, err := newLiveFixture(ctx, cfg.Database, cfg.Dir, cfg.Viewers)
	if err != nil {
		return res, err
	}
	defer fx.drop()
	var servers []*Server
	defer func() {
		for _, s := range servers {
			_ = s.Stop()
		}
	}()
	for range cfg.Replicas {
		s, err := StartServer(ctx, cfg.Binary, fx.dsn, liveFlags(cfg.LiveConfig)...)
		if err != nil {
			return res, err
		}
		servers = append(servers, s)
	}
	writer, reader := servers[0], servers[len(servers)-1]

	tally := newTally()
	clients, err := openSubscribers(ctx, reader.URL, fx, cfg.LiveConfig, tally)
	defer closeAll(clients)
	if err != nil {
		return res, err
	}
	if err := waitSubscribed(ctx, reader.URL, float64(cfg.Subscriptions)); err != nil {
		return res, err
	}

	hc := NewClient(2)
	cpu0 := serversCPU(servers)
	for i := range cfg.Commits {
		body, _ := json.Marshal(map[string]any{"query": applyMutation, "variables": map[string]any{
			"c": string(fx.community), "name": capital(letters(i+1)) + " {Bench}",
		}})
		out, err := postAs(ctx, hc, writer.URL+"/graphql", fx.applicant, body)
		if err != nil {
			return res, fmt.Errorf("bench: commit %d: %w", i, err)
		}
		var ans struct {
			Data struct {
				ApplyForGroup struct{ Application struct{ ID string } }
			}
		}
		if err := json.Unmarshal(out, &ans); err != nil || ans.Data.ApplyForGroup.Application.ID == "" {
			return res, fmt.Errorf("bench: commit %d answered %.200s", i, out)
		}
		node := ans.Data.ApplyForGroup.Application.ID
		got := tally.await(ctx, node, cfg.Subscriptions, cfg.Wait)
		res.Missing += cfg.Subscriptions - got
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		time.Sleep(cfg.Gap)
	}
	res.CPU = serversCPU(servers) - cpu0
	res.Commits = cfg.Commits
	res.Latencies, res.Last = tally.latencies()
	for _, c := range clients {
		if err := c.failure(); err != nil {
			return res, err
		}
	}
	return res, nil
}

func serversCPU(servers []*Server) time.Duration {
	var sum time.Duration
	for _, s := range servers {
		d, _ := s.CPU()
		sum += d
	}
	return sum
}

// liveFlags raises the server's per-socket subscription cap to the layout.
func liveFlags(cfg LiveConfig) []string {
	return []string{"--max-subscriptions", strconv.Itoa(max(cfg.PerSocket, 100))}
}

// raiseFileLimit lifts the soft limit on open files to the hard one when n
// sockets (plus slack) would not fit; the server child inherits it.
func raiseFileLimit(n int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return
	}
	if want := uint64(n + 1024); lim.Cur < want && lim.Cur < lim.Max {
		lim.Cur = min(lim.Max, max(want, lim.Cur))
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// liveFixture is the database a live scenario runs on: a community whose
// staff subscribe, and an applicant whose applications are the changes.
type liveFixture struct {
	dsn       string
	community pulid.ID
	staff     []string // API token secrets, read scope
	applicant string   // API token secret, write scope
	drop      func()
}

// newLiveFixture creates a database (a PostgreSQL schema, or a SQLite file
// in dir), migrates it and writes the community, viewers staff people and
// the applicant, as the system.
func newLiveFixture(ctx context.Context, base, dir string, viewers int) (*liveFixture, error) {
	fx := &liveFixture{drop: func() {}}
	if base == "" {
		if dir == "" {
			return nil, errors.New("bench: a SQLite run needs a directory")
		}
		fx.dsn = filepath.Join(dir, fmt.Sprintf("live-%s.db", randomHex()))
	} else {
		dsn, drop, err := newSchema(ctx, base)
		if err != nil {
			return nil, err
		}
		fx.dsn, fx.drop = dsn, drop
	}
	if err := fx.load(ctx, viewers); err != nil {
		fx.drop()
		return nil, err
	}
	return fx, nil
}

func (fx *liveFixture) load(ctx context.Context, viewers int) error {
	db, err := store.Open(fx.dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	err = workflow.NewRunner(db.Client, nil).Import(viewer.SystemContext(ctx), "bench data", func(ctx context.Context, c *ent.Client) error {
		return fx.write(ctx, c, viewers)
	})
	if err != nil {
		return fmt.Errorf("bench: writing the live fixture: %w", err)
	}
	return nil
}

func (fx *liveFixture) write(ctx context.Context, c *ent.Client, viewers int) error {
	com, err := c.Community.Create().SetName("Bench").SetSlug(Slug).SetPolicy(policy.OpenStack()).Save(ctx)
	if err != nil {
		return err
	}
	fx.community = com.ID
	if err := c.Region.Create().SetCommunityID(com.ID).SetName("North America").SetSlug("north-america").
		SetCountries([]string{"US"}).Exec(ctx); err != nil {
		return err
	}
	made, err := createPeople(ctx, c, "staff", viewers+1)
	if err != nil {
		return err
	}
	applicant, staff := made[0], made[1:]
	if err := makeStaff(ctx, c, com.ID, staff); err != nil {
		return err
	}
	applicants, err := issueTokens(ctx, c, []*ent.User{applicant}, "bench", "read", "write")
	if err != nil {
		return err
	}
	fx.applicant = applicants[0]
	fx.staff, err = issueTokens(ctx, c, staff, "bench", "read")
	return err
}

// newSchema creates a private schema on the PostgreSQL server at base and
// returns a URL that uses it and a function that drops it.
func newSchema(ctx context.Context, base string) (string, func(), error) {
	s, err := NewSchema(ctx, base, "bench_live_"+randomHex())
	if err != nil {
		return "", nil, err
	}
	return s.DSN, func() { _ = s.Drop(context.Background()) }, nil
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// subscriber is one client websocket and the subscriptions on it. Its
// reader goroutine answers nothing: the server's pings are answered by
// gorilla's default ping handler, and runs end long before the idle timeout.
type subscriber struct {
	conn  *websocket.Conn
	done  chan struct{}
	mu    sync.Mutex
	err   error
	first map[string]bool // "sub id/node id" seen
}

func (s *subscriber) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *subscriber) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

func closeAll(clients []*subscriber) {
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			_ = c.conn.Close()
			<-c.done
		})
	}
	wg.Wait()
}

// openSubscribers dials the sockets of cfg's layout, 32 at a time, and
// starts the subscriptions; with a tally, every approval-queue item read
// is recorded in it.
func openSubscribers(ctx context.Context, base string, fx *liveFixture, cfg LiveConfig, t *tally) ([]*subscriber, error) {
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/graphql"
	return openAll(ctx, cfg.sockets(), 32, "socket", func(i int) (*subscriber, error) {
		subs := min(cfg.PerSocket, cfg.Subscriptions-i*cfg.PerSocket)
		return dialSubscriber(ctx, wsURL, fx.staff[i%len(fx.staff)], string(fx.community), subs, t)
	})
}

// dialSocket opens a graphql-transport-ws socket on wsURL and initialises
// it with token (none when empty).
func dialSocket(ctx context.Context, wsURL, token string) (*websocket.Conn, error) {
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 20 * time.Second,
		ReadBufferSize: 1024, WriteBufferSize: 1024}
	conn, _, err := d.DialContext(ctx, wsURL, nil)
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	payload := map[string]any{}
	if token != "" {
		payload["Authorization"] = "Bearer " + token
	}
	if err := conn.WriteJSON(map[string]any{"type": "connection_init", "payload": payload}); err != nil {
		conn.Close()
		return nil, err
	}
	var ack struct{ Type string }
	if err := conn.ReadJSON(&ack); err != nil || ack.Type != "connection_ack" {
		conn.Close()
		return nil, fmt.Errorf("connection_init answered %q: %v", ack.Type, err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	return conn, nil
}

func dialSubscriber(ctx context.Context, wsURL, token, community string, subs int, t *tally) (*subscriber, error) {
	conn, err := dialSocket(ctx, wsURL, token)
	if err != nil {
		return nil, err
	}
	for k := range subs {
		if err := conn.WriteJSON(map[string]any{"type": "subscribe", "id": strconv.Itoa(k),
			"payload": map[string]any{"query": QueueSubscription, "variables": map[string]any{"c": community}}}); err != nil {
			conn.Close()
			return nil, err
		}
	}
	s := &subscriber{conn: conn, done: make(chan struct{}), first: map[string]bool{}}
	go s.read(t)
	return s, nil
}

// queueMessage is the part of a server message the tally needs.
type queueMessage struct {
	Type    string
	ID      string
	Payload struct {
		Data *struct {
			ApprovalQueue struct {
				At   time.Time
				Node struct{ ID string }
			}
		}
		Errors json.RawMessage
	}
}

func (s *subscriber) read(t *tally) {
	defer close(s.done)
	for {
		_, data, err := s.conn.ReadMessage()
		now := time.Now()
		if err != nil {
			return // closed by the run's end, or the server went away
		}
		var m queueMessage
		if err := json.Unmarshal(data, &m); err != nil {
			s.fail(fmt.Errorf("unreadable message %.200s", data))
			continue
		}
		switch m.Type {
		case "next":
			if m.Payload.Data == nil {
				s.fail(fmt.Errorf("next without data: %.300s", data))
				continue
			}
			q := m.Payload.Data.ApprovalQueue
			key := m.ID + "/" + q.Node.ID
			if s.first[key] || t == nil {
				continue
			}
			s.first[key] = true
			t.record(q.Node.ID, now.Sub(q.At))
		case "error", "complete":
			s.fail(fmt.Errorf("subscription %s ended: %.300s", m.ID, data))
		}
	}
}

// tally collects the first delivery of each node to each subscription.
type tally struct {
	mu    sync.Mutex
	cond  *sync.Cond
	nodes map[string][]time.Duration
	order []string
}

func newTally() *tally {
	t := &tally{nodes: map[string][]time.Duration{}}
	t.cond = sync.NewCond(&t.mu)
	return t
}

func (t *tally) record(node string, d time.Duration) {
	t.mu.Lock()
	t.nodes[node] = append(t.nodes[node], d)
	t.mu.Unlock()
	t.cond.Broadcast()
}

// await waits until want subscriptions got node, or wait passes, and
// returns how many did.
func (t *tally) await(ctx context.Context, node string, want int, wait time.Duration) int {
	deadline := time.Now().Add(wait)
	stop := context.AfterFunc(ctx, t.cond.Broadcast)
	defer stop()
	timer := time.AfterFunc(wait, t.cond.Broadcast)
	defer timer.Stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.order = append(t.order, node)
	for len(t.nodes[node]) < want && time.Now().Before(deadline) && ctx.Err() == nil {
		t.cond.Wait()
	}
	return len(t.nodes[node])
}

// latencies returns every delivery's latency and each node's last, sorted.
func (t *tally) latencies() (all, last []time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, node := range t.order {
		ds := t.nodes[node]
		if len(ds) == 0 {
			continue
		}
		all = append(all, ds...)
		last = append(last, slices.Max(ds))
	}
	slices.Sort(all)
	slices.Sort(last)
	return all, last
}

// postAs posts a GraphQL body with an API token.
func postAs(ctx context.Context, c *http.Client, url, token string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(buf.Bytes(), []byte(`"errors":`)) {
		return buf.Bytes(), fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, buf.Bytes())
	}
	return buf.Bytes(), nil
}

// scrape reads the server's /metrics into a map of unlabelled samples.
func scrape(ctx context.Context, base string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		// The pool's go_sql_* metrics carry the one label db_name: read
		// them as unlabelled.
		name = strings.TrimSuffix(name, `{db_name="usergroups"}`)
		if !ok || strings.ContainsRune(name, '{') {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[name] = f
		}
	}
	return out, sc.Err()
}

func snapshotOf(m map[string]float64) Snapshot {
	return Snapshot{
		Goroutines:    m["go_goroutines"],
		HeapInuse:     m["go_memstats_heap_inuse_bytes"],
		StackInuse:    m["go_memstats_stack_inuse_bytes"],
		RSS:           m["process_resident_memory_bytes"],
		Subscriptions: m["usergroups_websocket_subscriptions"],
		GCs:           m["go_gc_duration_seconds_count"],
		HeapAlloc:     m["go_memstats_heap_alloc_bytes"],
	}
}

// introspection allocates a few hundred KiB per answer, enough to bring on
// a GC cycle without piling up garbage between the cycle and the reading.
const introspection = `{"query":"{ __schema { types { name fields { name args { name } type { name } } } } }"}`

// settleCycles is how many GC cycles a reading waits for. Each cycle also
// halves the stacks of goroutines that use less than a quarter of theirs,
// and a goroutine that parked after a deep call (authentication, the
// subscription's start) keeps its grown stack until then; an idle server
// runs a cycle at least every two minutes, so an idle subscription's
// steady cost is the one after a few cycles.
const settleCycles = 3

// settledSnapshot reads /metrics right after the settleCycles-th GC cycle
// from now. The server has no way to be told to collect, so the harness
// makes it allocate (one introspection query at a time) until its GC count
// has moved enough, and takes the scrape that shows it: what remains above
// the live heap is at most one answer's garbage. ok is false when the
// cycles did not come within 20 s.
func settledSnapshot(ctx context.Context, base string) (Snapshot, bool, error) {
	m, err := scrape(ctx, base)
	if err != nil {
		return Snapshot{}, false, err
	}
	gcs := m["go_gc_duration_seconds_count"]
	hc := NewClient(1)
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if _, err := Post(ctx, hc, base+"/graphql", []byte(introspection)); err != nil {
			return Snapshot{}, false, err
		}
		if m, err = scrape(ctx, base); err != nil {
			return Snapshot{}, false, err
		}
		if m["go_gc_duration_seconds_count"] >= gcs+settleCycles {
			snap := snapshotOf(m)
			time.Sleep(500 * time.Millisecond) // let the sweeper free the garbage
			if m, err = scrape(ctx, base); err != nil {
				return Snapshot{}, false, err
			}
			snap.HeapAlloc = m["go_memstats_heap_alloc_bytes"]
			return snap, true, nil
		}
	}
	return snapshotOf(m), false, ctx.Err()
}

// waitSubscribed waits until the server at base runs at least want
// subscriptions and every one of them follows the change log: each
// unshared one holds a broker subscription of its own, and each shared
// execution one for all its members.
func waitSubscribed(ctx context.Context, base string, want float64) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var subs, streams, need float64
	for ctx.Err() == nil {
		m, err := scrape(ctx, base)
		if err != nil {
			return err
		}
		subs, streams = m["usergroups_websocket_subscriptions"], m["usergroups_broker_subscribers"]
		need = m["usergroups_websocket_shared_groups"] + subs - m["usergroups_websocket_shared_members"]
		if subs >= want && streams >= need {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("bench: %v of %v subscriptions, %v of %v broker streams: %w", subs, want, streams, need, ctx.Err())
}

// waitNoSockets waits, for up to a minute, until the server at base holds
// no websocket.
func waitNoSockets(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var sockets float64
	for ctx.Err() == nil {
		m, err := scrape(ctx, base)
		if err != nil {
			return err
		}
		if sockets = m["usergroups_websocket_sockets"]; sockets == 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("bench: %v websockets still open: %w", sockets, ctx.Err())
}
