package bench

// S10, a write burst: people register for a handful of events through the
// API at a fixed rate, each with a write token of their own, while live
// subscribers watch the events' registrations and an active webhook
// endpoint makes every registration queue a fan-out job in its own
// transaction, as the product does. The burst is timed from outside
// (latency from each request's scheduled start) and then checked against
// the database: seats exact, one change row and one job per registration,
// every subscriber given every change of its event.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/change"
	"github.com/usergroups/usergroups/ent/registration"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// registerMutation is the registration every S10 person sends.
const registerMutation = `mutation Register($id: ID!) {
  registerForEvent(input: {id: $id}) { registration { id status } userErrors { code message } }
}`

// RegistrationsSubscription is the document every S10 subscriber runs: an
// event page's live counts, with the registration where the rules show it.
const RegistrationsSubscription = `subscription Registrations($e: ID!) {
  eventRegistrations(event: $e) { cursor op at node { id status } event { id goingCount waitlistCount } }
}`

// BurstSlug is the community the S10 fixture writes, beside S1's.
const BurstSlug = "burst"

// BurstConfig is the shape of one S10 burst.
type BurstConfig struct {
	// People register, each once, spread round robin over Events events
	// (default 1,000 over 5), at an even pace over Duration (default 10 s).
	People, Events int
	Duration       time.Duration
	// Capacity is each event's seats; default three fifths of its share
	// of people, so that every event fills and keeps a waitlist.
	Capacity int
	// Subscribers is how many eventRegistrations subscriptions (one socket
	// each) watch the events, spread evenly over them; every other one is
	// anonymous, the rest staff with a read token. Default 100.
	Subscriptions int
	// Wait bounds how long the deliveries are awaited after the last
	// answer; default 30 s.
	Wait time.Duration
}

func (c *BurstConfig) defaults() {
	if c.People <= 0 {
		c.People = 1000
	}
	if c.Events <= 0 {
		c.Events = 5
	}
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	if c.Capacity <= 0 {
		c.Capacity = max(1, c.People/c.Events*3/5)
	}
	if c.Subscriptions < 0 {
		c.Subscriptions = 0
	} else if c.Subscriptions == 0 {
		c.Subscriptions = 100
	}
	if c.Wait <= 0 {
		c.Wait = 30 * time.Second
	}
}

// BurstResult is what one S10 burst measured and found.
type BurstResult struct {
	Registrations int
	// Latencies are the successful registrations', from each request's
	// scheduled start, sorted.
	Latencies []time.Duration
	// Deliveries are the subscribers' delivery latencies (change's
	// timestamp to the client reading it), sorted.
	Deliveries []time.Duration
	// Elapsed runs from the first request to the last answer.
	Elapsed time.Duration
	// CPU is the server's CPU time over the burst.
	CPU time.Duration
	// Errors counts refused or failed registrations; FirstError is one.
	Errors     int
	FirstError error
	// Problems are the correctness checks that failed, one line each:
	// seats, change rows, jobs, deliveries, privacy.
	Problems []string
	// Missing counts deliveries a subscriber should have had and did not
	// get within the wait.
	Missing int
	// Webhooks is how many webhook deliveries the sink received by the end
	// of the wait (asynchronous: informational).
	Webhooks int
}

// Percentile returns the p-th (0–100) registration latency.
func (r BurstResult) Percentile(p float64) time.Duration { return percentile(r.Latencies, p) }

// DeliveryPercentile returns the p-th (0–100) delivery latency.
func (r BurstResult) DeliveryPercentile(p float64) time.Duration { return percentile(r.Deliveries, p) }

// Correct reports whether every check held and nothing failed.
func (r BurstResult) Correct() bool { return r.Errors == 0 && len(r.Problems) == 0 && r.Missing == 0 }

// burstFixture is the S10 data: one community with a group, its staff
// (read tokens), the people (write tokens), rounds × events events, and
// an active webhook endpoint for registrations.
type burstFixture struct {
	dsn       string
	community pulid.ID
	events    [][]pulid.ID // per round
	people    []string     // write-token secrets
	staff     []string     // read-token secrets
	cfg       BurstConfig
}

// writeBurstFixture migrates the database at dsn if needed and writes the
// S10 fixture for rounds bursts, with the webhook endpoint POSTing to
// sinkURL.
func writeBurstFixture(ctx context.Context, dsn string, cfg BurstConfig, rounds int, sinkURL string) (*burstFixture, error) {
	cfg.defaults()
	fx := &burstFixture{dsn: dsn, cfg: cfg}
	db, err := store.Open(dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	err = workflow.NewRunner(db.Client, nil).Import(viewer.SystemContext(ctx), "bench burst", func(ctx context.Context, c *ent.Client) error {
		return fx.write(ctx, c, rounds, sinkURL)
	})
	if err != nil {
		return nil, fmt.Errorf("bench: writing the burst fixture: %w", err)
	}
	return fx, nil
}

func (fx *burstFixture) write(ctx context.Context, c *ent.Client, rounds int, sinkURL string) error {
	cfg := fx.cfg
	com, err := c.Community.Create().SetName("Burst").SetSlug(BurstSlug).Save(ctx)
	if err != nil {
		return err
	}
	fx.community = com.ID
	g, err := c.Group.Create().SetCommunityID(com.ID).SetName("Burst Lyon").SetSlug("burst-lyon").
		SetCity("Lyon").SetCountry("FR").Save(ctx)
	if err != nil {
		return err
	}
	staffN := max(1, cfg.Subscriptions/2)
	made, err := createPeople(ctx, c, "burst", cfg.People+staffN)
	if err != nil {
		return err
	}
	people, staff := made[:cfg.People], made[cfg.People:]
	if err := makeStaff(ctx, c, com.ID, staff); err != nil {
		return err
	}
	tokens := func(us []*ent.User, scopes ...string) ([]string, error) {
		return issueTokens(ctx, c, us, "bench", scopes...)
	}
	if fx.people, err = tokens(people, "read", "write"); err != nil {
		return err
	}
	if fx.staff, err = tokens(staff, "read"); err != nil {
		return err
	}
	start := nextMonth()
	for r := range rounds {
		var ids []pulid.ID
		for k := range cfg.Events {
			e, err := publishedMeetup(ctx, c, g.ID, fmt.Sprintf("Burst %d of round %d", k+1, r+1), start.AddDate(0, 0, r*cfg.Events+k), cfg.Capacity)
			if err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		fx.events = append(fx.events, ids)
	}
	return registrationWebhook(ctx, c, com.ID, staff[0].ID, sinkURL)
}

// webhookSink is the endpoint the fixture's webhooks go to: it counts the
// distinct deliveries it received, and those received again, and answers 204.
type webhookSink struct {
	URL  string
	srv  *http.Server
	mu   sync.Mutex
	seen map[string]bool
	// again counts deliveries whose webhook-id had come before.
	again int
}

func startWebhookSink() (*webhookSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &webhookSink{URL: "http://" + ln.Addr().String() + "/hook", seen: map[string]bool{}}
	s.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		id := r.Header.Get("webhook-id")
		if s.seen[id] {
			s.again++
		}
		s.seen[id] = true
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *webhookSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// twice is how many deliveries came again under a webhook-id already seen.
func (s *webhookSink) twice() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.again
}

func (s *webhookSink) close() { _ = s.srv.Close() }

// burstFlags are the server flags S10 needs beside ServeArgs: webhooks to
// the harness's loopback sink.
func burstFlags() []string { return []string{"--webhooks-allow-private"} }

// regSubscriber is one socket with one eventRegistrations subscription.
type regSubscriber struct {
	conn  *websocket.Conn
	event pulid.ID
	done  chan struct{}

	mu        sync.Mutex
	err       error
	cursors   map[string]bool
	latencies []time.Duration
	nodes     int // items that carried the registration (none may: see below)
	going     int // the event's counts in the latest item
	waitlist  int
	received  chan struct{} // signalled on every item
}

func (s *regSubscriber) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

func (s *regSubscriber) got() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cursors)
}

// regMessage is the part of a server message a subscriber reads.
type regMessage struct {
	Type    string
	ID      string
	Payload struct {
		Data *struct {
			EventRegistrations struct {
				Cursor string
				At     time.Time
				Node   *struct{ ID string }
				Event  struct {
					ID            string
					GoingCount    int
					WaitlistCount int
				}
			}
		}
		Errors json.RawMessage
	}
}

func dialRegistrations(ctx context.Context, wsURL, token string, eventID pulid.ID) (*regSubscriber, error) {
	conn, err := dialSocket(ctx, wsURL, token)
	if err != nil {
		return nil, err
	}
	if err := conn.WriteJSON(map[string]any{"type": "subscribe", "id": "1",
		"payload": map[string]any{"query": RegistrationsSubscription, "variables": map[string]any{"e": string(eventID)}}}); err != nil {
		conn.Close()
		return nil, err
	}
	s := &regSubscriber{conn: conn, event: eventID, done: make(chan struct{}), cursors: map[string]bool{}, received: make(chan struct{}, 1)}
	go s.read()
	return s, nil
}

func (s *regSubscriber) read() {
	defer close(s.done)
	for {
		_, data, err := s.conn.ReadMessage()
		now := time.Now()
		if err != nil {
			return
		}
		var m regMessage
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
			it := m.Payload.Data.EventRegistrations
			s.mu.Lock()
			switch {
			case s.cursors[it.Cursor]:
				s.err = errors.Join(s.err, fmt.Errorf("change %s delivered twice", it.Cursor))
			case it.Event.ID != string(s.event):
				s.err = errors.Join(s.err, fmt.Errorf("a change of event %s on the subscription to %s", it.Event.ID, s.event))
			default:
				s.cursors[it.Cursor] = true
				s.latencies = append(s.latencies, now.Sub(it.At))
				if it.Node != nil {
					s.nodes++
				}
				s.going, s.waitlist = it.Event.GoingCount, it.Event.WaitlistCount
			}
			s.mu.Unlock()
			select {
			case s.received <- struct{}{}:
			default:
			}
		case "error", "complete":
			s.fail(fmt.Errorf("subscription ended: %.300s", data))
		}
	}
}

func (s *regSubscriber) close() {
	_ = s.conn.Close()
	<-s.done
}

// burstRunner runs the bursts of one fixture against one server.
type burstRunner struct {
	srv  *Server
	fx   *burstFixture
	sink *webhookSink
}

// run is one S10 burst on round's events: it opens the subscribers,
// registers every person for one event at a fixed pace, waits for the
// deliveries and checks the database.
func (b *burstRunner) run(ctx context.Context, round int) (BurstResult, error) {
	cfg := b.fx.cfg
	events := b.fx.events[round]
	res := BurstResult{Registrations: cfg.People}
	// The last burst's sockets close on the client first: wait until the
	// server has let them go, or they would count as this burst's.
	if err := waitNoSockets(ctx, b.srv.URL); err != nil {
		return res, err
	}
	before, err := scrape(ctx, b.srv.URL)
	if err != nil {
		return res, err
	}
	subs, err := b.subscribe(ctx, events)
	defer func() {
		for _, s := range subs {
			s.close()
		}
	}()
	if err != nil {
		return res, err
	}
	if err := waitSubscribed(ctx, b.srv.URL, before["usergroups_websocket_subscriptions"]+float64(len(subs))); err != nil {
		return res, err
	}
	fanOut0, err := b.fanOutJobs(ctx)
	if err != nil {
		return res, err
	}
	webhooks0 := b.sink.count()

	hc := NewClient(128)
	defer hc.CloseIdleConnections()
	interval := cfg.Duration / time.Duration(cfg.People)
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		ok  = map[pulid.ID]int{} // successful registrations per event
		cpu = readCPU(b.srv.CPU)
	)
	start := time.Now()
	for i := range cfg.People {
		at := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(at))
		if ctx.Err() != nil {
			break
		}
		ev := events[i%len(events)]
		wg.Go(func() {
			body := mustJSON(map[string]any{"query": registerMutation, "variables": map[string]any{"id": string(ev)}})
			out, err := postAs(ctx, hc, b.srv.URL+"/graphql", b.fx.people[i], body)
			el := time.Since(at)
			if err == nil {
				err = registered(out)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Errors++
				if res.FirstError == nil {
					res.FirstError = err
				}
				return
			}
			ok[ev]++
			res.Latencies = append(res.Latencies, el)
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.CPU = readCPU(b.srv.CPU) - cpu
	slices.Sort(res.Latencies)

	// Every subscriber should get every change of its event.
	deadline := time.Now().Add(cfg.Wait)
	for _, s := range subs {
		for s.got() < ok[s.event] && time.Now().Before(deadline) && ctx.Err() == nil {
			select {
			case <-s.received:
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	res.Problems = append(res.Problems, b.checkDeliveries(subs, ok, &res)...)
	problems, err := b.checkDatabase(ctx, events, ok, fanOut0)
	if err != nil {
		return res, err
	}
	res.Problems = append(res.Problems, problems...)
	// Webhook deliveries run in the background after the unit commits; wait
	// a little for them, but they are not a correctness check.
	for b.sink.count()-webhooks0 < res.Registrations-res.Errors && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	res.Webhooks = b.sink.count() - webhooks0
	return res, ctx.Err()
}

// registered checks a registerForEvent answer.
func registered(out []byte) error {
	var ans struct {
		Data struct {
			RegisterForEvent struct {
				Registration *struct{ ID, Status string }
				UserErrors   []struct{ Code, Message string }
			}
		}
	}
	if err := json.Unmarshal(out, &ans); err != nil {
		return err
	}
	r := ans.Data.RegisterForEvent
	if r.Registration == nil || len(r.UserErrors) > 0 {
		return fmt.Errorf("registration refused: %.300s", out)
	}
	return nil
}

// subscribe opens cfg.Subscriptions sockets, spread evenly over events,
// every other one anonymous and the others staff with a read token.
func (b *burstRunner) subscribe(ctx context.Context, events []pulid.ID) ([]*regSubscriber, error) {
	n := b.fx.cfg.Subscriptions
	wsURL := "ws" + strings.TrimPrefix(b.srv.URL, "http") + "/graphql"
	return openAll(ctx, n, 16, "subscriber", func(i int) (*regSubscriber, error) {
		token := ""
		if i%2 == 1 {
			token = b.fx.staff[(i/2)%len(b.fx.staff)]
		}
		return dialRegistrations(ctx, wsURL, token, events[i%len(events)])
	})
}

// checkDeliveries: every subscriber got each change of its event once and
// ends on the event's final counts; none was shown a registration (API
// tokens and anonymous viewers never read them).
func (b *burstRunner) checkDeliveries(subs []*regSubscriber, ok map[pulid.ID]int, res *BurstResult) []string {
	var problems []string
	short, leaks, stale := 0, 0, 0
	for _, s := range subs {
		s.mu.Lock()
		if s.err != nil {
			problems = append(problems, fmt.Sprintf("subscriber on %s: %v", s.event, s.err))
		}
		want := ok[s.event]
		if got := len(s.cursors); got < want {
			short++
			res.Missing += want - got
		} else if got > want {
			problems = append(problems, fmt.Sprintf("a subscriber on %s got %d changes, %d registrations were made", s.event, got, want))
		}
		leaks += s.nodes
		if want > 0 && s.going+s.waitlist != want {
			stale++
		}
		res.Deliveries = append(res.Deliveries, s.latencies...)
		s.mu.Unlock()
	}
	slices.Sort(res.Deliveries)
	if leaks > 0 {
		problems = append(problems, fmt.Sprintf("%d deliveries showed a registration to a token or anonymous subscriber", leaks))
	}
	if stale > 0 && short == 0 {
		problems = append(problems, fmt.Sprintf("%d subscribers' last item did not carry the event's final counts", stale))
	}
	return problems
}

// checkDatabase: per event, going = min(capacity, registrations) and the
// rest waitlisted, in the rows and in the event's counters; one change row
// per registration; one fan-out job per registration, holding its change.
func (b *burstRunner) checkDatabase(ctx context.Context, events []pulid.ID, ok map[pulid.ID]int, fanOut0 map[int64]int) ([]string, error) {
	db, err := store.Open(b.fx.dsn, store.Options{MaxOpenConns: 2})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	all := authz.Unfiltered(viewer.SystemContext(ctx))
	var problems []string
	var regIDs []string
	capacity := b.fx.cfg.Capacity
	for _, id := range events {
		regs, err := db.Client.Registration.Query().Where(registration.EventID(id)).All(all)
		if err != nil {
			return nil, err
		}
		going, waiting := 0, 0
		for _, r := range regs {
			regIDs = append(regIDs, string(r.ID))
			switch r.Status {
			case registration.StatusGOING:
				going++
			case registration.StatusWAITLISTED:
				waiting++
			}
		}
		n := ok[id]
		wantGoing := min(capacity, n)
		if len(regs) != n || going != wantGoing || waiting != n-wantGoing {
			problems = append(problems, fmt.Sprintf("event %s: %d rows, %d going, %d waitlisted; %d registered for %d seats", id, len(regs), going, waiting, n, capacity))
		}
		e, err := db.Client.Event.Get(all, id)
		if err != nil {
			return nil, err
		}
		if e.GoingCount != going || e.WaitlistCount != waiting {
			problems = append(problems, fmt.Sprintf("event %s counts %d going, %d waitlisted; its rows %d and %d", id, e.GoingCount, e.WaitlistCount, going, waiting))
		}
	}
	changes, err := db.Client.Change.Query().Where(change.Topic(changelog.TopicRegistration), change.NodeIDIn(regIDs...)).All(all)
	if err != nil {
		return nil, err
	}
	perNode := map[string]int{}
	for _, c := range changes {
		perNode[c.NodeID]++
	}
	badChanges := 0
	for _, id := range regIDs {
		if perNode[id] != 1 {
			badChanges++
		}
	}
	if badChanges > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d registrations without exactly one change row (%d rows)", badChanges, len(regIDs), len(changes)))
	}
	fanOut, err := b.fanOutJobs(ctx)
	if err != nil {
		return nil, err
	}
	badJobs := 0
	for _, c := range changes {
		if fanOut[c.ID]-fanOut0[c.ID] != 1 {
			badJobs++
		}
	}
	if badJobs > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d registration changes not in exactly one webhook fan-out job", badJobs, len(changes)))
	}
	return problems, nil
}

// fanOutJobs counts, per change id, the webhook fan-out jobs that carry it
// (River keeps completed jobs for a day, so none is gone by the check).
func (b *burstRunner) fanOutJobs(ctx context.Context) (map[int64]int, error) {
	return fanOutJobsAt(ctx, b.fx.dsn)
}

// fanOutJobsAt counts, per change id, the webhook fan-out jobs of the
// database at dsn that carry it.
func fanOutJobsAt(ctx context.Context, dsn string) (map[int64]int, error) {
	db, postgres, err := OpenSQL(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// River keeps args as jsonb on PostgreSQL and as SQLite's binary JSONB.
	args := "json(args)"
	if postgres {
		args = "args::text"
	}
	rows, err := db.QueryContext(ctx, `SELECT `+args+` FROM river_job WHERE kind = '`+workflow.JobWebhookFanOut+`'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var args workflow.WebhookFanOut
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, fmt.Errorf("bench: fan-out job args %.100s: %w", raw, err)
		}
		for _, id := range args.ChangeIDs {
			out[id]++
		}
	}
	return out, rows.Err()
}

// WriteBurstConfig configures a standalone S10 run.
type WriteBurstConfig struct {
	BurstConfig
	// Binary is the `usergroups` executable.
	Binary string
	// Database is a PostgreSQL URL (a schema of its own, dropped after) or
	// empty for a SQLite file in Dir.
	Database, Dir string
	// Runs is how many bursts run, one after the other, each on events of
	// its own; default 1.
	Runs int
}

// WriteBurst is S10 on a database of its own: the fixture, one server, and
// cfg.Runs bursts.
func WriteBurst(ctx context.Context, cfg WriteBurstConfig) ([]BurstResult, error) {
	env, err := newWriteEnv(ctx, cfg.Database, cfg.Dir, cfg.Binary, nil, cfg.BurstConfig, max(1, cfg.Runs))
	if err != nil {
		return nil, err
	}
	defer env.close()
	var out []BurstResult
	for r := range max(1, cfg.Runs) {
		res, err := env.burst.run(ctx, r)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

// writeEnv is a database holding the burst fixture (and, for S11, an S1
// data set), the webhook sink and a server on it.
type writeEnv struct {
	burst   *burstRunner
	dataset *Dataset
	close   func()
}

// newWriteEnv creates the database (a PostgreSQL schema on base, or a
// SQLite file in dir), loads size when not nil, writes the burst fixture
// for rounds bursts and starts the server.
func newWriteEnv(ctx context.Context, base, dir, binary string, size *Size, cfg BurstConfig, rounds int) (*writeEnv, error) {
	env := &writeEnv{}
	var cleanup []func()
	env.close = func() {
		for _, f := range slices.Backward(cleanup) {
			f()
		}
	}
	fail := func(err error) (*writeEnv, error) {
		env.close()
		return nil, err
	}
	var dsn string
	if base == "" {
		if dir == "" {
			return nil, errors.New("bench: a SQLite run needs a directory")
		}
		dsn = dir + "/write-" + randomHex() + ".db"
	} else {
		d, drop, err := newSchema(ctx, base)
		if err != nil {
			return nil, err
		}
		dsn = d
		cleanup = append(cleanup, drop)
	}
	if size != nil {
		d, err := Prepare(ctx, dsn, *size)
		if err != nil {
			return fail(err)
		}
		env.dataset = d
	}
	sink, err := startWebhookSink()
	if err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, sink.close)
	fx, err := writeBurstFixture(ctx, dsn, cfg, rounds, sink.URL)
	if err != nil {
		return fail(err)
	}
	raiseFileLimit(fx.cfg.Subscriptions + 256)
	srv, err := StartServer(ctx, binary, dsn, burstFlags()...)
	if err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, func() { _ = srv.Stop() })
	env.burst = &burstRunner{srv: srv, fx: fx, sink: sink}
	return env, nil
}
