package bench

// SOAK, `make soak`: two replicas on one PostgreSQL schema hold thousands
// of websocket subscribers while a steady mix of dashboard reads,
// third-party queries and workflow writes runs for minutes. It samples the
// replicas' /metrics as it goes and, once the load stops and the deliveries
// settle, holds the run to the issue's checks (soak_check.go): memory and
// goroutines flat after warm-up, p99 within twice the first window's, every
// change delivered once to every subscriber that may see it, a change row
// for every write, and no job run twice.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// SoakSlug is the community the soak's writes and subscriptions are about,
// beside S1's (which its reads ask for).
const SoakSlug = "soak"

// cancelMutation is the writers' cancellation, the other half of
// registerMutation.
const cancelMutation = `mutation Cancel($id: ID!) {
  cancelRegistration(input: {id: $id}) { registration { id status } userErrors { code message } }
}`

// Kinds of soak request, as the report names them.
const (
	KindDashboard = "S1 dashboard"
	KindThirdPty  = "S5 third-party"
	KindWrite     = "write"
)

// soakKinds are the request kinds in report order.
var soakKinds = []string{KindDashboard, KindThirdPty, KindWrite}

// SoakConfig is the shape of one soak run.
type SoakConfig struct {
	// Binary is the `usergroups` executable; Database the PostgreSQL
	// server (the run gets a schema of its own there, dropped afterwards).
	Binary, Database string
	// Duration is how long the load runs; default 10 minutes.
	Duration time.Duration
	// Window is the span latencies are grouped by; the first is the
	// warm-up. Default a minute, or a quarter of Duration when shorter.
	Window time.Duration
	// SampleEvery is how often each replica's /metrics is read; default
	// 10 s, or a third of Window when shorter.
	SampleEvery time.Duration
	// Subscribers is how many websockets (one subscription each) are
	// spread over the two replicas; default 5,000. Every tenth is staff on
	// the soak community's approval queue, the others follow one of the
	// events' registrations, half anonymous and half with a person's token.
	Subscribers int
	// DashboardRate, ThirdPartyRate and WriteRate are requests per second
	// (default 20, 20 and 5): S1 as a person, the S5 saved queries with a
	// third-party read token, and writes (nine in ten a registration or a
	// cancellation, one in ten a new-group application).
	DashboardRate, ThirdPartyRate, WriteRate float64
	// Events is how many events take the registrations (default 10);
	// People the writers, each bound to one event (default 500); Capacity
	// each event's seats (default two fifths of its people, so that a
	// waitlist forms and cancellations promote from it).
	Events, People, Capacity int
	// Size is S1's data set (default 20×20).
	Size Size
	// Settle bounds the wait for the last deliveries after the load;
	// default a minute.
	Settle time.Duration
	// ProfileDir, when set, starts the replicas with --pprof and saves
	// each one's heap profile there after the warm-up window and when the
	// load ends (replica-N-warm.pb.gz, replica-N-end.pb.gz), to compare with
	// `go tool pprof -base` when memory grows.
	ProfileDir string
	// Log receives progress lines.
	Log io.Writer
}

func (c *SoakConfig) defaults() {
	if c.Duration <= 0 {
		c.Duration = 10 * time.Minute
	}
	if c.Window <= 0 {
		c.Window = min(time.Minute, c.Duration/4)
	}
	if c.SampleEvery <= 0 {
		c.SampleEvery = min(10*time.Second, max(time.Second, (c.Window/3).Truncate(time.Second)))
	}
	if c.Subscribers <= 0 {
		c.Subscribers = 5000
	}
	if c.DashboardRate <= 0 {
		c.DashboardRate = 20
	}
	if c.ThirdPartyRate <= 0 {
		c.ThirdPartyRate = 20
	}
	if c.WriteRate <= 0 {
		c.WriteRate = 5
	}
	if c.Events <= 0 {
		c.Events = 10
	}
	if c.People <= 0 {
		c.People = 500
	}
	if c.Capacity <= 0 {
		c.Capacity = max(1, c.People/c.Events*2/5)
	}
	if c.Size.Groups == 0 {
		c.Size = Size{Groups: 20, Members: 20}
	}
	if c.Settle <= 0 {
		c.Settle = time.Minute
	}
}

func (c SoakConfig) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "%s  soak: "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
}

// Soak runs the soak test and checks it. An error means the run could
// not be made (a server did not start, the database failed); a check
// that failed is in the result (SoakResult.Passed).
func Soak(ctx context.Context, cfg SoakConfig) (SoakResult, error) {
	cfg.defaults()
	res := SoakResult{Config: cfg, Started: time.Now().UTC()}
	if cfg.Database == "" {
		return res, errors.New("bench: the soak runs two replicas, which need PostgreSQL")
	}
	raiseFileLimit(cfg.Subscribers + 1024)
	dsn, drop, err := newSchema(ctx, cfg.Database)
	if err != nil {
		return res, err
	}
	defer drop()
	cfg.logf("loading %s and the soak fixture", cfg.Size)
	d, err := Prepare(ctx, dsn, cfg.Size)
	if err != nil {
		return res, err
	}
	sink, err := startWebhookSink()
	if err != nil {
		return res, err
	}
	defer sink.close()
	fx, err := writeSoakFixture(ctx, dsn, cfg, sink.URL)
	if err != nil {
		return res, err
	}
	var servers []*Server
	defer func() {
		for _, s := range servers {
			_ = s.Stop()
		}
	}()
	flags := burstFlags()
	if cfg.ProfileDir != "" {
		flags = append(flags, "--pprof")
	}
	for range 2 {
		s, err := StartServer(ctx, cfg.Binary, dsn, flags...)
		if err != nil {
			return res, err
		}
		servers = append(servers, s)
	}

	cfg.logf("opening %d subscribers on 2 replicas", cfg.Subscribers)
	subs, err := openSoakSubscribers(ctx, servers, fx, cfg.Subscribers)
	defer func() {
		for _, s := range subs {
			s.close()
		}
	}()
	if err != nil {
		return res, err
	}
	for i, s := range servers {
		if err := waitSubscribed(ctx, s.URL, float64(subsOn(subs, i))); err != nil {
			return res, fmt.Errorf("replica %d: %w", i+1, err)
		}
	}
	// Every subscription runs from now: the changes after the log's last
	// are those it may be owed.
	start, err := lastChange(ctx, dsn)
	if err != nil {
		return res, err
	}
	webhooks0 := sink.count()

	cfg.logf("load for %s: %.0f S1/s, %.0f S5/s, %.0f writes/s", cfg.Duration, cfg.DashboardRate, cfg.ThirdPartyRate, cfg.WriteRate)
	run := &soakRun{cfg: cfg, fx: fx, dataset: d, servers: servers}
	if err := run.load(ctx); err != nil {
		return res, err
	}
	res.Windows, res.Samples, res.writes = run.windows(), run.samples, run.writes
	res.FirstErrors = run.firstErrs

	cfg.logf("load done; waiting for the deliveries to settle")
	want, err := expectedDeliveries(ctx, dsn, fx, start)
	if err != nil {
		return res, err
	}
	deadline := time.Now().Add(cfg.Settle)
	for !allDelivered(subs, want) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(200 * time.Millisecond)
	}
	// A moment more, for a duplicate that would come after the last.
	time.Sleep(time.Second)
	res.Deliveries = countDeliveries(want, deliveredOf(subs))
	db, err := readSoakDatabase(ctx, dsn, fx, start)
	if err != nil {
		return res, err
	}
	res.db = db
	for b := time.Now().Add(cfg.Settle); sink.count()-webhooks0 < len(db.registrationChanges) && time.Now().Before(b) && ctx.Err() == nil; {
		time.Sleep(100 * time.Millisecond)
	}
	res.Webhooks, res.WebhooksTwice = sink.count()-webhooks0, sink.twice()
	res.Checks = res.check()
	return res, ctx.Err()
}

// soakFixture is the soak's data beside S1's: a community on the OpenStack
// policy with a region (new-group applications go to its queue), a group
// with Events events of Capacity seats, its staff (read tokens), the
// people who register (read and write tokens), applicants, a third-party
// tool's read token and an active webhook endpoint for registrations.
type soakFixture struct {
	community pulid.ID
	events    []pulid.ID
	people    []soakPerson
	staff     []string
	// applicants file the new-group applications, in turn.
	applicants []string
	thirdParty string
}

// soakPerson is one writer: a token, and the user a change's actor names.
type soakPerson struct {
	token string
	user  pulid.ID
}

func writeSoakFixture(ctx context.Context, dsn string, cfg SoakConfig, sinkURL string) (*soakFixture, error) {
	db, err := store.Open(dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	fx := &soakFixture{}
	err = workflow.NewRunner(db.Client, nil).Import(viewer.SystemContext(ctx), "bench soak", func(ctx context.Context, c *ent.Client) error {
		return fx.write(ctx, c, cfg, sinkURL)
	})
	if err != nil {
		return nil, fmt.Errorf("bench: writing the soak fixture: %w", err)
	}
	return fx, nil
}

func (fx *soakFixture) write(ctx context.Context, c *ent.Client, cfg SoakConfig, sinkURL string) error {
	com, err := c.Community.Create().SetName("Soak").SetSlug(SoakSlug).SetPolicy(policy.OpenStack()).Save(ctx)
	if err != nil {
		return err
	}
	fx.community = com.ID
	if err := c.Region.Create().SetCommunityID(com.ID).SetName("North America").SetSlug("soak-north-america").
		SetCountries([]string{"US"}).Exec(ctx); err != nil {
		return err
	}
	g, err := c.Group.Create().SetCommunityID(com.ID).SetName("Soak Lyon").SetSlug("soak-lyon").
		SetCity("Lyon").SetCountry("FR").Save(ctx)
	if err != nil {
		return err
	}
	const applicants = 20
	staffN := max(1, min(100, cfg.Subscribers/10))
	made, err := createPeople(ctx, c, "soak", cfg.People+staffN+applicants+1)
	if err != nil {
		return err
	}
	people, staff, rest := made[:cfg.People], made[cfg.People:cfg.People+staffN], made[cfg.People+staffN:]
	if err := makeStaff(ctx, c, com.ID, staff); err != nil {
		return err
	}
	tokens := func(us []*ent.User, scopes ...string) ([]string, error) {
		return issueTokens(ctx, c, us, "soak", scopes...)
	}
	writers, err := tokens(people, "read", "write")
	if err != nil {
		return err
	}
	for i, u := range people {
		fx.people = append(fx.people, soakPerson{token: writers[i], user: u.ID})
	}
	if fx.staff, err = tokens(staff, "read"); err != nil {
		return err
	}
	if fx.applicants, err = tokens(rest[:applicants], "read", "write"); err != nil {
		return err
	}
	tool, err := tokens(rest[applicants:], "read")
	if err != nil {
		return err
	}
	fx.thirdParty = tool[0]
	at := nextMonth()
	for k := range cfg.Events {
		e, err := publishedMeetup(ctx, c, g.ID, fmt.Sprintf("Soak %d", k+1), at.AddDate(0, 0, k), cfg.Capacity)
		if err != nil {
			return err
		}
		fx.events = append(fx.events, e.ID)
	}
	return registrationWebhook(ctx, c, com.ID, staff[0].ID, sinkURL)
}

// soakSubscriber is one websocket with one subscription: an approval
// queue (Event empty) or an event's registrations. It records the
// sequence number of every change delivered, in order.
type soakSubscriber struct {
	conn    *websocket.Conn
	replica int
	key     string // what it follows: "queue" or an event id
	done    chan struct{}

	mu   sync.Mutex
	err  error
	seqs []int64
}

// queueKey is the key of the approval-queue subscribers' log.
const queueKey = "queue"

func (s *soakSubscriber) close() {
	_ = s.conn.Close()
	<-s.done
}

func (s *soakSubscriber) got() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seqs)
}

func (s *soakSubscriber) read() {
	defer close(s.done)
	for {
		_, data, err := s.conn.ReadMessage()
		if err != nil {
			return
		}
		var m struct {
			Type    string
			Payload struct {
				Data map[string]*struct{ Cursor string }
			}
		}
		err = json.Unmarshal(data, &m)
		var seq int64
		if err == nil && m.Type == "next" {
			seq, err = cursorSeq(m.Payload.Data)
		}
		s.mu.Lock()
		switch {
		case err != nil:
			s.err = errors.Join(s.err, fmt.Errorf("message %.200s: %w", data, err))
		case m.Type == "next":
			s.seqs = append(s.seqs, seq)
		case m.Type == "error" || m.Type == "complete":
			s.err = errors.Join(s.err, fmt.Errorf("subscription ended: %.300s", data))
		}
		s.mu.Unlock()
	}
}

// cursorSeq reads the change sequence number out of an item's cursor: the
// harness knows the encoding (internal/live.Cursor) that clients treat as
// opaque.
func cursorSeq(data map[string]*struct{ Cursor string }) (int64, error) {
	for _, it := range data {
		if it == nil {
			return 0, errors.New("an item without data")
		}
		raw, err := base64.RawURLEncoding.DecodeString(it.Cursor)
		if err != nil {
			return 0, err
		}
		seq, _, _ := strings.Cut(strings.TrimPrefix(string(raw), "chg:"), ":")
		return strconv.ParseInt(seq, 10, 64)
	}
	return 0, errors.New("next without data")
}

// openSoakSubscribers opens n sockets, 32 at a time, alternating between
// the replicas: every tenth staff on the approval queue, the others on
// the events' registrations in turn, every other one of those anonymous.
func openSoakSubscribers(ctx context.Context, servers []*Server, fx *soakFixture, n int) ([]*soakSubscriber, error) {
	return openAll(ctx, n, 32, "subscriber", func(i int) (*soakSubscriber, error) {
		replica := i % len(servers)
		wsURL := "ws" + strings.TrimPrefix(servers[replica].URL, "http") + "/graphql"
		var token, key, doc string
		var vars map[string]any
		if i%10 == 0 {
			token, key, doc = fx.staff[(i/10)%len(fx.staff)], queueKey, QueueSubscription
			vars = map[string]any{"c": string(fx.community)}
		} else {
			j := i - i/10 - 1 // the registration subscribers' own count
			ev := fx.events[j%len(fx.events)]
			key, doc, vars = string(ev), RegistrationsSubscription, map[string]any{"e": string(ev)}
			if j%2 == 1 {
				token = fx.people[(j/2)%len(fx.people)].token
			}
		}
		conn, err := dialSocket(ctx, wsURL, token)
		if err != nil {
			return nil, err
		}
		if err := conn.WriteJSON(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{"query": doc, "variables": vars}}); err != nil {
			conn.Close()
			return nil, err
		}
		s := &soakSubscriber{conn: conn, replica: replica, key: key, done: make(chan struct{})}
		go s.read()
		return s, nil
	})
}

func subsOn(subs []*soakSubscriber, replica int) int {
	n := 0
	for _, s := range subs {
		if s.replica == replica {
			n++
		}
	}
	return n
}

// allDelivered reports whether every subscriber holds at least as many
// items as the log owes it.
func allDelivered(subs []*soakSubscriber, want map[string][]int64) bool {
	for _, s := range subs {
		if s.got() < len(want[s.key]) {
			return false
		}
	}
	return true
}

func deliveredOf(subs []*soakSubscriber) []Delivered {
	out := make([]Delivered, len(subs))
	for i, s := range subs {
		s.mu.Lock()
		out[i] = Delivered{Key: s.key, Seqs: slices.Clone(s.seqs), Err: s.err}
		s.mu.Unlock()
	}
	return out
}

// soakRun is the load of one soak: the generators, the samples and what
// the writes did.
type soakRun struct {
	cfg     SoakConfig
	fx      *soakFixture
	dataset *Dataset
	servers []*Server

	mu        sync.Mutex
	lat       map[string]map[int][]time.Duration // kind → window → latencies
	errs      map[string]map[int]int
	firstErrs map[string]error
	samples   []SoakSample
	writes    []soakWrite
}

// soakWrite is one successful write: the node it wrote and whose it was.
type soakWrite struct {
	topic string
	node  string
	actor pulid.ID
}

// load runs the three generators and the sampler for the configured
// duration and waits for every request's answer.
func (r *soakRun) load(ctx context.Context) error {
	r.lat, r.errs, r.firstErrs = map[string]map[int][]time.Duration{}, map[string]map[int]int{}, map[string]error{}
	clients := make([]*http.Client, len(r.servers))
	for i := range clients {
		clients[i] = NewClient(64)
		defer clients[i].CloseIdleConnections()
	}
	start := time.Now()
	end := start.Add(r.cfg.Duration)
	var wg sync.WaitGroup

	s1 := mustJSON(map[string]any{"query": S1Query, "variables": s1Vars(r.dataset.Size)})
	s5 := make([][]byte, len(S5Queries))
	for i, q := range S5Queries {
		s5[i] = mustJSON(map[string]any{"query": q.Query, "variables": q.Variables(r.dataset)})
	}
	writer := newSoakWriter(r.fx)
	gens := []struct {
		kind string
		rate float64
		send func(ctx context.Context, c *http.Client, base string, i int) error
	}{
		{KindDashboard, r.cfg.DashboardRate, func(ctx context.Context, c *http.Client, base string, i int) error {
			_, err := postAs(ctx, c, base+"/graphql", r.fx.people[i%len(r.fx.people)].token, s1)
			return err
		}},
		{KindThirdPty, r.cfg.ThirdPartyRate, func(ctx context.Context, c *http.Client, base string, i int) error {
			_, err := postAs(ctx, c, base+"/graphql", r.fx.thirdParty, s5[i%len(s5)])
			return err
		}},
		{KindWrite, r.cfg.WriteRate, func(ctx context.Context, c *http.Client, base string, i int) error {
			w, err := writer.write(ctx, c, base, i)
			if err == nil {
				r.mu.Lock()
				r.writes = append(r.writes, w)
				r.mu.Unlock()
			}
			return err
		}},
	}
	for _, g := range gens {
		wg.Go(func() {
			interval := time.Duration(float64(time.Second) / g.rate)
			var reqs sync.WaitGroup
			defer reqs.Wait()
			for i := 0; ; i++ {
				at := start.Add(time.Duration(i) * interval)
				if !at.Before(end) || ctx.Err() != nil {
					return
				}
				time.Sleep(time.Until(at))
				replica := i % len(r.servers)
				reqs.Go(func() {
					err := g.send(ctx, clients[replica], r.servers[replica].URL, i)
					r.record(g.kind, int(at.Sub(start)/r.cfg.Window), time.Since(at), err)
				})
			}
		})
	}
	sampleErr := make(chan error, 1)
	wg.Go(func() { sampleErr <- r.sample(ctx, start, end) })
	profileErr := make(chan error, 1)
	wg.Go(func() {
		select {
		case <-time.After(time.Until(start.Add(r.cfg.Window))):
			profileErr <- r.profile(ctx, "warm")
		case <-ctx.Done():
			profileErr <- nil
		}
	})
	wg.Wait()
	return errors.Join(<-sampleErr, <-profileErr, r.profile(ctx, "end"), ctx.Err())
}

// profile saves each replica's heap profile (after a collection) as
// replica-N-name.pb.gz in ProfileDir; without ProfileDir it does nothing.
func (r *soakRun) profile(ctx context.Context, name string) error {
	if r.cfg.ProfileDir == "" {
		return nil
	}
	for i, s := range r.servers {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/debug/pprof/heap?gc=1", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("replica %d heap profile: %w", i+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("replica %d heap profile: HTTP %d %v", i+1, resp.StatusCode, err)
		}
		if err := os.WriteFile(filepath.Join(r.cfg.ProfileDir, fmt.Sprintf("replica-%d-%s.pb.gz", i+1, name)), body, 0o644); err != nil {
			return err
		}
	}
	r.cfg.logf("heap profiles (%s) saved in %s", name, r.cfg.ProfileDir)
	return nil
}

func (r *soakRun) record(kind string, window int, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.errs[kind] == nil {
			r.errs[kind] = map[int]int{}
		}
		r.errs[kind][window]++
		if r.firstErrs[kind] == nil {
			r.firstErrs[kind] = err
		}
		return
	}
	if r.lat[kind] == nil {
		r.lat[kind] = map[int][]time.Duration{}
	}
	r.lat[kind][window] = append(r.lat[kind][window], d)
}

// sample reads each replica's /metrics at the start and every SampleEvery
// until end.
func (r *soakRun) sample(ctx context.Context, start, end time.Time) error {
	for at := start; !at.After(end) && ctx.Err() == nil; at = at.Add(r.cfg.SampleEvery) {
		time.Sleep(time.Until(at))
		for i, s := range r.servers {
			m, err := scrape(ctx, s.URL)
			if err != nil {
				return fmt.Errorf("replica %d metrics: %w", i+1, err)
			}
			snap := snapshotOf(m)
			r.mu.Lock()
			r.samples = append(r.samples, SoakSample{At: at.Sub(start), Replica: i, HeapAlloc: snap.HeapAlloc, HeapInuse: snap.HeapInuse,
				HeapGoal: m["go_memstats_next_gc_bytes"], Stack: snap.StackInuse, Goroutines: snap.Goroutines, Sockets: m["usergroups_websocket_sockets"],
				DBOpen: m["go_sql_open_connections"], DBInUse: m["go_sql_in_use_connections"], DBWaits: m["go_sql_wait_count_total"]})
			r.mu.Unlock()
		}
	}
	return nil
}

// windows summarises the run per window: p99 and counts per kind, and the
// replicas' median memory and goroutines over the window's samples.
func (r *soakRun) windows() []SoakWindow {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := int((r.cfg.Duration + r.cfg.Window - 1) / r.cfg.Window)
	out := make([]SoakWindow, n)
	for w := range out {
		sw := SoakWindow{Start: time.Duration(w) * r.cfg.Window, P99: map[string]time.Duration{}, Requests: map[string]int{}, Errors: map[string]int{}}
		for _, k := range soakKinds {
			lat := slices.Clone(r.lat[k][w])
			slices.Sort(lat)
			sw.P99[k] = percentile(lat, 99)
			sw.Requests[k] = len(lat)
			sw.Errors[k] = r.errs[k][w]
		}
		for rep := range r.servers {
			in := samplesIn(r.samples, rep, sw.Start, sw.Start+r.cfg.Window)
			sw.MemMiB = append(sw.MemMiB, medianOf(in, SoakSample.memory)/(1<<20))
			sw.HeapAllocMiB = append(sw.HeapAllocMiB, medianOf(in, func(s SoakSample) float64 { return s.HeapAlloc })/(1<<20))
			sw.Goroutines = append(sw.Goroutines, medianOf(in, func(s SoakSample) float64 { return s.Goroutines }))
		}
		out[w] = sw
	}
	return out
}

// soakWriter makes the writes, each answered without a userError: a
// person registers when not registered and cancels when registered, and
// is lent to one request at a time (a queue of idle people), so no write
// is refused as already done; one write in ten is a new-group application
// by the next applicant, under a name of its own.
type soakWriter struct {
	fx         *soakFixture
	idle       chan int
	registered []bool // by person; read and written only by the request holding the person
	apps       atomic.Int64
}

func newSoakWriter(fx *soakFixture) *soakWriter {
	w := &soakWriter{fx: fx, idle: make(chan int, len(fx.people)), registered: make([]bool, len(fx.people))}
	for i := range fx.people {
		w.idle <- i
	}
	return w
}

func (w *soakWriter) write(ctx context.Context, c *http.Client, base string, i int) (soakWrite, error) {
	if i%10 == 9 {
		return w.apply(ctx, c, base)
	}
	var p int
	select {
	case p = <-w.idle:
	default:
		return soakWrite{}, errors.New("bench: every writer is busy: the server is not keeping up")
	}
	defer func() { w.idle <- p }()
	person := w.fx.people[p]
	doc, field := registerMutation, "registerForEvent"
	if w.registered[p] {
		doc, field = cancelMutation, "cancelRegistration"
	}
	body := mustJSON(map[string]any{"query": doc, "variables": map[string]any{"id": string(w.fx.events[p%len(w.fx.events)])}})
	out, err := postAs(ctx, c, base+"/graphql", person.token, body)
	if err != nil {
		return soakWrite{}, err
	}
	id, err := payloadNode(out, field, "registration")
	if err != nil {
		return soakWrite{}, err
	}
	w.registered[p] = !w.registered[p]
	return soakWrite{topic: changelog.TopicRegistration, node: id, actor: person.user}, nil
}

func (w *soakWriter) apply(ctx context.Context, c *http.Client, base string) (soakWrite, error) {
	n := int(w.apps.Add(1))
	token := w.fx.applicants[n%len(w.fx.applicants)]
	body := mustJSON(map[string]any{"query": applyMutation, "variables": map[string]any{
		"c": string(w.fx.community), "name": capital(letters(n)) + " {Soak}",
	}})
	out, err := postAs(ctx, c, base+"/graphql", token, body)
	if err != nil {
		return soakWrite{}, err
	}
	id, err := payloadNode(out, "applyForGroup", "application")
	if err != nil {
		return soakWrite{}, err
	}
	return soakWrite{topic: changelog.TopicApplication, node: id}, nil
}

// payloadNode reads data.<field>.<node>.id from a mutation's answer,
// failing on any userError.
func payloadNode(out []byte, field, node string) (string, error) {
	var ans struct {
		Data map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(out, &ans); err != nil {
		return "", err
	}
	p := ans.Data[field]
	var n *struct{ ID string }
	_ = json.Unmarshal(p[node], &n)
	if ue := string(p["userErrors"]); (ue != "" && ue != "[]") || n == nil || n.ID == "" {
		return "", fmt.Errorf("%s refused: %.300s", field, out)
	}
	return n.ID, nil
}

// lastChange is the change log's last sequence number.
func lastChange(ctx context.Context, dsn string) (int64, error) {
	db, _, err := OpenSQL(dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var seq int64
	err = db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM changes`).Scan(&seq)
	return seq, err
}

// expectedDeliveries reads from the change log, after start, what each
// kind of subscriber may see: per event, the changes to its registrations
// (everyone who may see the event gets each, with the counts); for the
// approval queue, the community's application changes (staff see them all).
func expectedDeliveries(ctx context.Context, dsn string, fx *soakFixture, start int64) (map[string][]int64, error) {
	db, _, err := OpenSQL(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT c.id, r.event_id FROM changes c JOIN registrations r ON r.id = c.node_id
		WHERE c.topic = $1 AND c.id > $2 ORDER BY c.id`, changelog.TopicRegistration, start)
	if err != nil {
		return nil, err
	}
	want := map[string][]int64{}
	for rows.Next() {
		var seq int64
		var ev string
		if err := rows.Scan(&seq, &ev); err != nil {
			rows.Close()
			return nil, err
		}
		want[ev] = append(want[ev], seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, `SELECT id FROM changes WHERE topic = $1 AND community_id = $2 AND id > $3 ORDER BY id`,
		changelog.TopicApplication, string(fx.community), start)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		want[queueKey] = append(want[queueKey], seq)
	}
	return want, rows.Err()
}

// soakDatabase is what the checks read from the database after the run.
type soakDatabase struct {
	// changes counts the change rows after the start per node and actor.
	changes map[string]map[pulid.ID]int
	// registrationChanges are the registration changes after the start.
	registrationChanges []int64
	// fanOut counts, per change id, the webhook fan-out jobs carrying it.
	fanOut map[int64]int
	// retried are the jobs that ran more than once.
	retried []retriedJob
}

// retriedJob is a River job with more than one attempt.
type retriedJob struct {
	Kind, State, Errors string
	Attempt             int
}

func readSoakDatabase(ctx context.Context, dsn string, fx *soakFixture, start int64) (soakDatabase, error) {
	out := soakDatabase{changes: map[string]map[pulid.ID]int{}}
	db, _, err := OpenSQL(dsn)
	if err != nil {
		return out, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT id, topic, node_id, COALESCE(actor_id, '') FROM changes WHERE id > $1 AND topic IN ($2, $3)`,
		start, changelog.TopicRegistration, changelog.TopicApplication)
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var seq int64
		var topic, node, actor string
		if err := rows.Scan(&seq, &topic, &node, &actor); err != nil {
			rows.Close()
			return out, err
		}
		if out.changes[node] == nil {
			out.changes[node] = map[pulid.ID]int{}
		}
		out.changes[node][pulid.ID(actor)]++
		if topic == changelog.TopicRegistration {
			out.registrationChanges = append(out.registrationChanges, seq)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	if out.fanOut, err = fanOutJobsAt(ctx, dsn); err != nil {
		return out, err
	}
	rows, err = db.QueryContext(ctx, `SELECT kind, state, attempt, COALESCE(errors::text, '') FROM river_job WHERE attempt > 1 ORDER BY id`)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var j retriedJob
		if err := rows.Scan(&j.Kind, &j.State, &j.Attempt, &j.Errors); err != nil {
			return out, err
		}
		out.retried = append(out.retried, j)
	}
	return out, rows.Err()
}
