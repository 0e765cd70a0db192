package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/gorilla/websocket"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/jobs"
	"github.com/usergroups/usergroups/internal/live"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/server"
	"github.com/usergroups/usergroups/internal/store"
	"github.com/usergroups/usergroups/internal/tracing"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/webhook"
	"github.com/usergroups/usergroups/internal/worker"
	"github.com/usergroups/usergroups/internal/workflow"
)

// spans is an in-memory exporter that exports each span as it ends.
type spans struct{ *tracetest.InMemoryExporter }

func recordSpans(t *testing.T) (*sdktrace.TracerProvider, spans) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, spans{exp}
}

// wait returns the first span ok accepts, waiting (bounded) for it: jobs
// and deliveries end on goroutines of their own.
func (s spans) wait(t *testing.T, what string, ok func(tracetest.SpanStub) bool) tracetest.SpanStub {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, sp := range s.GetSpans() {
			if ok(sp) {
				return sp
			}
		}
	}
	var names []string
	for _, sp := range s.GetSpans() {
		names = append(names, sp.Name)
	}
	t.Fatalf("no span %s among %v", what, names)
	return tracetest.SpanStub{}
}

// named accepts the span of that name in trace tid.
func named(name string, tid trace.TraceID) func(tracetest.SpanStub) bool {
	return func(s tracetest.SpanStub) bool { return s.Name == name && s.SpanContext.TraceID() == tid }
}

func spanAttr(s tracetest.SpanStub, key string) any {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.AsInterface()
		}
	}
	return nil
}

// traceparent is a client's sampled trace context.
func traceparent(tid trace.TraceID, sid trace.SpanID) string {
	return "00-" + tid.String() + "-" + sid.String() + "-01"
}

// postTraced runs a GraphQL operation over HTTP with a bearer token and a traceparent.
func (s *liveServer) postTraced(t *testing.T, token, parent, q string, vars map[string]any) gqlResponse {
	t.Helper()
	return s.postWith(t, token, http.Header{"Traceparent": {parent}}, q, vars)
}

// TestTracingFollowsARequest follows traces from clients through the
// server on an in-memory exporter: a query's span continues the client's
// traceparent and its SQL statements are its children; a websocket's
// subscribe continues the handshake's; a mutation's jobs run in its trace
// and the webhook they deliver carries it on. No span records a value a
// client sent (a variable, an argument bound to a statement).
func TestTracingFollowsARequest(t *testing.T) {
	tp, exp := recordSpans(t)
	traceSQL := tracing.SQL(tp)
	s := serveLiveWith(t, func(wrap func(dialect.Driver) dialect.Driver) *store.DB {
		return dbtest.OpenConcurrent(t, dbtest.WithDriver(func(d dialect.Driver) dialect.Driver { return traceSQL(wrap(d)) }))
	}, broker.Options{}, func(_ *store.DB, _ *live.Source, cfg *server.Config) {
		cfg.TracerProvider = tp
		cfg.WebhooksAllowPrivate = true
	})
	sys := dbtest.FixtureContext(t)
	tx, err := s.db.Client.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	com := tx.Community.Create().SetName("Traced").SetSlug("traced").SetPolicy(policy.OpenStack()).SaveX(sys)
	g := tx.Group.Create().SetCommunityID(com.ID).SetName("Paris").SetSlug("paris").SetCity("Paris").SetCountry("FR").SetStatus("ACTIVE").SaveX(sys)
	mgr := tx.User.Create().SetHandle("mgr").SetName("Manager").SaveX(sys)
	tx.Role.Create().SetUserID(mgr.ID).SetCommunityID(com.ID).SetKind(role.KindCOMMUNITY_MANAGER).ExecX(sys)
	token, _ := dbtest.APIToken(t, sys, tx.Client(), mgr.ID, "read", "write")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	hooks := make(chan http.Header, 8)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hooks <- r.Header.Clone() }))
	t.Cleanup(receiver.Close)
	runner := workflow.NewRunner(s.db.Client, nil)
	runner.SetWebhooksAllowPrivate(true)
	v, err := authz.ViewerFor(viewer.SystemContext(context.Background()), s.db.Client, mgr.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runner.CreateWebhookEndpoint(viewer.NewContext(context.Background(), v), workflow.NewWebhookEndpoint{
		Community: com.ID, URL: receiver.URL, Topics: []string{"event"}}); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.Open(jobs.Config{DB: s.db.SQL, Dialect: s.db.Dialect, PollInterval: 20 * time.Millisecond, Logger: quietLogger(),
		TracerProvider: tp, Workers: worker.Workers(worker.Deps{Runner: runner, Log: quietLogger(),
			HTTP: webhook.NewClient(webhook.ClientOptions{AllowPrivate: true})})})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(stop)
	})
	system := map[string]string{dialect.SQLite: "sqlite", dialect.Postgres: "postgresql"}[s.db.Dialect]

	// A query continues the client's trace; its statements are its children.
	const hiddenSlug = "hidden-slug-5150"
	client := trace.SpanContextConfig{TraceID: trace.TraceID{1, 2, 3, 4}, SpanID: trace.SpanID{5, 6, 7, 8}}
	r := s.postTraced(t, token, traceparent(client.TraceID, client.SpanID), `query Find($slug: String!) { community(slug: $slug) { name } }`,
		map[string]any{"slug": hiddenSlug})
	if len(r.Errors) > 0 {
		t.Fatalf("query: %+v", r.Errors)
	}
	op := exp.wait(t, "query Find", named("query Find", client.TraceID))
	if op.Parent.SpanID() != client.SpanID || op.SpanKind != trace.SpanKindServer {
		t.Fatalf("query span's parent %v, kind %v", op.Parent.SpanID(), op.SpanKind)
	}
	for key, want := range map[string]any{"graphql.operation.type": "query", "graphql.operation.name": "Find", "graphql.outcome": "ok"} {
		if got := spanAttr(op, key); got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if cost, _ := spanAttr(op, "graphql.operation.cost").(int64); cost <= 0 {
		t.Errorf("cost %v", spanAttr(op, "graphql.operation.cost"))
	}
	statements := 0
	for _, sp := range exp.GetSpans() {
		if sp.SpanContext.TraceID() != client.TraceID || spanAttr(sp, "db.statement") == nil {
			continue
		}
		statements++
		if sp.Parent.SpanID() != op.SpanContext.SpanID() || spanAttr(sp, "db.system") != system {
			t.Errorf("statement span %s: parent %v, db.system %v", sp.Name, sp.Parent.SpanID(), spanAttr(sp, "db.system"))
		}
	}
	if statements < 2 { // the snapshot's BEGIN and at least one SELECT
		t.Fatalf("%d statement spans under the query", statements)
	}

	// A websocket's subscribe continues its handshake's trace.
	socketTrace := trace.SpanContextConfig{TraceID: trace.TraceID{9, 9, 9}, SpanID: trace.SpanID{7, 7, 7}}
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(s.url, "http")+"/graphql",
		http.Header{"Traceparent": {traceparent(socketTrace.TraceID, socketTrace.SpanID)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	sock := &socket{t: t, conn: conn}
	sock.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	if m := sock.read(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	sock.subscribe("s", `subscription Follow($c: ID!) { changes(community: $c) { cursor } }`, map[string]any{"c": string(com.ID)})
	sub := exp.wait(t, "subscription Follow", named("subscription Follow", socketTrace.TraceID))
	if sub.Parent.SpanID() != socketTrace.SpanID || spanAttr(sub, "graphql.outcome") != "ok" {
		t.Fatalf("subscribe span: parent %v, outcome %v", sub.Parent.SpanID(), spanAttr(sub, "graphql.outcome"))
	}

	// A mutation queues the webhook fan-out in its transaction: the job
	// runs in the mutation's trace, queues the delivery in it, and the
	// delivery's request carries it to the receiver.
	const hiddenTitle = "Hidden title 7781"
	mutation := trace.SpanContextConfig{TraceID: trace.TraceID{0xab, 0xcd}, SpanID: trace.SpanID{0xef}}
	r = s.postTraced(t, token, traceparent(mutation.TraceID, mutation.SpanID),
		`mutation Plan($g: ID!, $t: String!) { createEvent(input: {group: $g, title: $t, startsAt: "2027-01-10T19:00",
			endsAt: "2027-01-10T21:00", timeZone: "Europe/Paris", onlineUrl: "https://meet.example.org/x"}) { event { id } userErrors { code message } } }`,
		map[string]any{"g": string(g.ID), "t": hiddenTitle})
	if !accepted(r, "createEvent") {
		t.Fatalf("createEvent: %+v %+v", r.Data, r.Errors)
	}
	plan := exp.wait(t, "mutation Plan", named("mutation Plan", mutation.TraceID))
	fanOut := exp.wait(t, "job webhook_fanout", named("job webhook_fanout", mutation.TraceID))
	deliver := exp.wait(t, "job webhook_deliver", named("job webhook_deliver", mutation.TraceID))
	if plan.Parent.SpanID() != mutation.SpanID || deliver.Parent.SpanID() != fanOut.SpanContext.SpanID() {
		t.Fatalf("parents: mutation %v, delivery %v (fan-out %v)", plan.Parent.SpanID(), deliver.Parent.SpanID(), fanOut.SpanContext.SpanID())
	}
	for key, want := range map[string]any{"river.job.kind": "webhook_deliver", "river.job.attempt": int64(1), "river.job.outcome": "ok"} {
		if got := spanAttr(deliver, key); got != want {
			t.Errorf("delivery job: %s = %v, want %v", key, got, want)
		}
	}
	select {
	case h := <-hooks:
		if got, want := h.Get("traceparent"), traceparent(mutation.TraceID, deliver.SpanContext.SpanID()); got != want {
			t.Fatalf("the webhook's traceparent %q, want %q", got, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook reached the receiver")
	}

	// The subscription delivers the new event: a delivery span in the
	// socket's trace.
	if m := sock.read(); m["type"] != "next" {
		t.Fatalf("want next, got %v", m)
	}
	exp.wait(t, "subscription Follow delivery", named("subscription Follow delivery", socketTrace.TraceID))

	for _, sp := range exp.GetSpans() {
		b, _ := json.Marshal(sp.Attributes)
		for _, hidden := range []string{hiddenSlug, hiddenTitle, token} {
			if strings.Contains(string(b), hidden) || strings.Contains(sp.Name, hidden) || strings.Contains(sp.Status.Description, hidden) {
				t.Errorf("span %s records %q: %s", sp.Name, hidden, b)
			}
		}
	}
}

// TestTracingOffIsFree: a server whose provider is the no-op one installs
// nothing, so an operation allocates what it does without tracing at all;
// the same operation traced allocates its spans (the test can tell).
func TestTracingOffIsFree(t *testing.T) {
	db := dbtest.Open(t)
	tp, _ := recordSpans(t)
	const q = `{"query":"query Find($slug: String!) { community(slug: $slug) { name } }","variables":{"slug":"none"}}`
	allocs := func(p trace.TracerProvider) float64 {
		h := server.New(db, server.Config{Logger: quietLogger(), TracerProvider: p, RateLimit: 1 << 30, AnonymousRateLimit: 1 << 30})
		run := func() {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(q))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "errors") {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		run() // caches (the parsed document) warm
		return testing.AllocsPerRun(200, run)
	}
	none, off, on := allocs(nil), allocs(tracing.Off()), allocs(tp)
	t.Logf("allocations per query: no provider %.1f, off %.1f, on %.1f", none, off, on)
	// AllocsPerRun averages; the database driver's pools make the count
	// wobble by a fraction of one between runs of the same code.
	if off > none+1 {
		t.Errorf("tracing off allocates %.1f per query, %.1f without a provider", off, none)
	}
	if on < off+5 {
		t.Errorf("tracing on allocates %.1f per query, off %.1f: the measure does not see spans", on, off)
	}
}
