package tracing

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// recording returns a provider whose spans end up in the returned exporter
// as soon as they end.
func recording(t *testing.T) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp
}

func attr(s tracetest.SpanStub, key string) (any, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.AsInterface(), true
		}
	}
	return nil, false
}

func TestWanted(t *testing.T) {
	for _, c := range []struct {
		env     map[string]string
		on, bad bool
	}{
		{env: nil},
		{env: map[string]string{"OTEL_SERVICE_NAME": "api"}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, on: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, on: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, on: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}},
		{env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}},
		{env: map[string]string{"OTEL_SDK_DISABLED": "false", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, on: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, bad: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, bad: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
			"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, on: true},
	} {
		on, err := wanted(func(k string) string { return c.env[k] })
		if on != c.on || (err != nil) != c.bad {
			t.Errorf("%v: on %v, error %v; want on %v, error %v", c.env, on, err, c.on, c.bad)
		}
	}
}

// TestFromEnvExports: with an OTLP endpoint in the environment a span
// reaches it over HTTP, flushed by Shutdown, named after the service.
func TestFromEnvExports(t *testing.T) {
	got := make(chan *coltracepb.ExportTraceServiceRequest, 1)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, req) != nil {
			t.Errorf("collector got %s %s", r.Method, r.URL)
		}
		got <- req
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test")
	p, err := FromEnv(context.Background(), func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL}[k]
	}, "v1.2.3")
	if err != nil || !Enabled(p) {
		t.Fatalf("FromEnv: %v, enabled %v", err, Enabled(p))
	}
	_, span := p.Tracer(Name).Start(context.Background(), "query Dashboard")
	span.End()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	var req *coltracepb.ExportTraceServiceRequest
	select {
	case req = <-got:
	default:
		t.Fatal("Shutdown returned before the span was exported")
	}
	rs := req.GetResourceSpans()
	if len(rs) != 1 || len(rs[0].GetScopeSpans()) != 1 || rs[0].GetScopeSpans()[0].GetSpans()[0].GetName() != "query Dashboard" {
		t.Fatalf("exported %v", req)
	}
	res := map[string]string{}
	for _, kv := range rs[0].GetResource().GetAttributes() {
		res[kv.GetKey()] = kv.GetValue().GetStringValue()
	}
	if res["service.name"] != DefaultServiceName || res["service.version"] != "v1.2.3" || res["deployment.environment"] != "test" {
		t.Fatalf("resource %v", res)
	}
}

func TestOffInstallsNothing(t *testing.T) {
	p, err := FromEnv(context.Background(), func(string) string { return "" }, "")
	if err != nil || Enabled(p) || Enabled(nil) || Enabled(Off().TracerProvider) {
		t.Fatalf("tracing on without an exporter: %v", err)
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := &fakeDriver{}
	if SQL(p)(d) != dialect.Driver(d) || Operations(p) != nil || Jobs(p) != nil || NewSubscriptions(p).tr != nil {
		t.Fatal("a wrapper was installed with tracing off")
	}
	next := &plainHandler{}
	if Incoming(p, next) != http.Handler(next) {
		t.Fatal("Incoming wrapped the handler with tracing off")
	}
	// Nothing to carry or send costs nothing.
	opts := &river.InsertOpts{MaxAttempts: 3}
	if n := testing.AllocsPerRun(100, func() {
		if o, _ := CarryToJob(context.Background(), opts); o != opts {
			t.Fatal("opts copied without a span")
		}
	}); n != 0 {
		t.Fatalf("CarryToJob without a span: %v allocations", n)
	}
	ctx, s := NewSubscriptions(p).Subscribe(context.Background(), nil, time.Time{})
	if s != nil || ctx != context.Background() || NewSubscriptions(p).Delivery(ctx, nil, nil, 1) != nil {
		t.Fatal("a subscription span with tracing off")
	}
}

type plainHandler struct{}

func (*plainHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

// fakeDriver records the statements and arguments it was sent.
type fakeDriver struct {
	statements []string
	fail       bool
}

func (d *fakeDriver) Exec(_ context.Context, q string, _, _ any) error {
	d.statements = append(d.statements, q)
	if d.fail {
		return errors.New(`duplicate key value "secret@example.org"`)
	}
	return nil
}

func (d *fakeDriver) Query(ctx context.Context, q string, args, v any) error {
	return d.Exec(ctx, q, args, v)
}
func (d *fakeDriver) Tx(context.Context) (dialect.Tx, error) { return fakeTx{d}, nil }
func (d *fakeDriver) Close() error                           { return nil }
func (d *fakeDriver) Dialect() string                        { return dialect.Postgres }

type fakeTx struct{ *fakeDriver }

func (fakeTx) Commit() error   { return nil }
func (fakeTx) Rollback() error { return nil }

// TestSQLSpans: a statement under a recording span is its child, with
// its text and no argument; outside one it makes no span.
func TestSQLSpans(t *testing.T) {
	tp, exp := recording(t)
	d := &fakeDriver{}
	drv := SQL(tp)(d)
	const q = `SELECT "users"."id" FROM "users" WHERE "users"."email" = $1`
	if err := drv.Query(context.Background(), q, []any{"secret@example.org"}, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans for a statement outside any span", n)
	}
	ctx, op := tp.Tracer("test").Start(context.Background(), "mutation Save")
	tx, err := drv.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Query(ctx, q, []any{"secret@example.org"}, nil); err != nil {
		t.Fatal(err)
	}
	d.fail = true
	if err := tx.Exec(ctx, `INSERT INTO "users" ("email") VALUES ($1)`, []any{"secret@example.org"}, nil); err == nil {
		t.Fatal("the failure was lost")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	op.End()
	var names []string
	for _, s := range exp.GetSpans() {
		names = append(names, s.Name)
		b, _ := json.Marshal(s.Attributes)
		if strings.Contains(string(b), "secret") || strings.Contains(s.Status.Description, "secret") {
			t.Errorf("span %s records a value: %s %s", s.Name, b, s.Status.Description)
		}
		if s.Name == "mutation Save" {
			continue
		}
		if s.Parent.SpanID() != op.SpanContext().SpanID() || s.SpanKind != trace.SpanKindClient {
			t.Errorf("%s: parent %v kind %v", s.Name, s.Parent.SpanID(), s.SpanKind)
		}
		if sys, _ := attr(s, "db.system"); sys != "postgresql" {
			t.Errorf("%s: db.system %v", s.Name, sys)
		}
	}
	if strings.Join(names, " ") != "BEGIN SELECT INSERT COMMIT mutation Save" {
		t.Fatalf("spans %v", names)
	}
	spans := exp.GetSpans()
	if st, _ := attr(spans[1], "db.statement"); st != q {
		t.Fatalf("db.statement %v", st)
	}
	if spans[2].Status.Code.String() != "Error" {
		t.Fatalf("the failed INSERT's status: %v", spans[2].Status)
	}
	if verb("  (SELECT 1)") != "SELECT" || verb("") != "SQL" || statement(strings.Repeat("x", 2*MaxStatement)) != strings.Repeat("x", MaxStatement)+"…" {
		t.Fatal("verb or statement")
	}
}

// TestJobCarriesTheTrace: a job queued under a span carries its trace
// context beside the metadata it had, and its run is that span's child.
func TestJobCarriesTheTrace(t *testing.T) {
	tp, exp := recording(t)
	ctx, req := tp.Tracer("test").Start(context.Background(), "mutation Approve")
	opts, err := CarryToJob(ctx, &river.InsertOpts{Metadata: []byte(`{"mine":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]any
	if err := json.Unmarshal(opts.Metadata, &md); err != nil || md["mine"] != float64(1) ||
		!strings.Contains(md["traceparent"].(string), req.SpanContext().TraceID().String()) {
		t.Fatalf("metadata %s: %v", opts.Metadata, err)
	}
	req.End()
	mw := Jobs(tp)
	job := &rivertype.JobRow{ID: 7, Kind: "deliver_message", Attempt: 2, Metadata: opts.Metadata}
	var inner trace.SpanContext
	err = mw.Work(context.Background(), job, func(ctx context.Context) error {
		inner = trace.SpanContextFromContext(ctx)
		return river.JobCancel(errors.New("no address for secret@example.org"))
	})
	if err == nil {
		t.Fatal("the job's error was swallowed")
	}
	spans := exp.GetSpans()
	s := spans[len(spans)-1]
	if s.Name != "job deliver_message" || !s.SpanContext.Equal(inner) || s.Parent.SpanID() != req.SpanContext().SpanID() ||
		s.SpanContext.TraceID() != req.SpanContext().TraceID() {
		t.Fatalf("job span %s parent %v trace %v", s.Name, s.Parent.SpanID(), s.SpanContext.TraceID())
	}
	for key, want := range map[string]any{"river.job.kind": "deliver_message", "river.job.id": int64(7),
		"river.job.attempt": int64(2), "river.job.outcome": "cancelled"} {
		if got, _ := attr(s, key); got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if strings.Contains(s.Status.Description, "secret") {
		t.Errorf("status %q quotes the error", s.Status.Description)
	}
	// A sweep nobody queued starts a trace of its own.
	_ = mw.Work(context.Background(), &rivertype.JobRow{Kind: "sweep"}, func(context.Context) error { return nil })
	spans = exp.GetSpans()
	if s := spans[len(spans)-1]; s.Parent.IsValid() {
		t.Fatalf("a sweep's span has a parent %v", s.Parent)
	}
	for err, want := range map[error]string{nil: "ok", errors.New("x"): "error", river.JobSnooze(time.Minute): "snoozed"} {
		if got := JobOutcome(err); got != want {
			t.Errorf("JobOutcome(%v) = %s, want %s", err, got, want)
		}
	}
}

// TestPropagation: an incoming traceparent is the parent of the request's
// spans; an outgoing request carries its context's span, and only then.
func TestPropagation(t *testing.T) {
	tp, _ := recording(t)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	var seen trace.SpanContext
	h := Incoming(tp, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = trace.SpanContextFromContext(r.Context())
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("traceparent", parent)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !seen.IsRemote() || seen.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("incoming context %v", seen)
	}

	got := make(chan string, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Get("traceparent") }))
	defer srv.Close()
	client := &http.Client{Transport: &Outgoing{Base: http.DefaultTransport}}
	ctx, span := tp.Tracer("test").Start(context.Background(), "job webhook_deliver")
	defer span.End()
	out, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
	resp, err := client.Do(out)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := "00-" + span.SpanContext().TraceID().String() + "-" + span.SpanContext().SpanID().String() + "-01"
	if h := <-got; h != want || out.Header.Get("traceparent") != "" {
		t.Fatalf("sent traceparent %q, want %q (the caller's request changed: %q)", h, want, out.Header.Get("traceparent"))
	}
	plain, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	if resp, err = client.Do(plain); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := <-got; h != "" {
		t.Fatalf("a request without a span sent traceparent %q", h)
	}
}
