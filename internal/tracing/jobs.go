package tracing

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// CarryToJob returns opts with the trace context of ctx's span in the
// job's metadata (its traceparent and tracestate keys), so that the job's
// run continues the trace of the request whose transaction inserted it.
// Without a span in ctx, tracing off included, opts is returned as it is.
func CarryToJob(ctx context.Context, opts *river.InsertOpts) (*river.InsertOpts, error) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return opts, nil
	}
	o := river.InsertOpts{}
	if opts != nil {
		o = *opts
	}
	md := map[string]any{}
	if len(o.Metadata) > 0 {
		if err := json.Unmarshal(o.Metadata, &md); err != nil {
			return nil, err
		}
	}
	carrier := propagation.MapCarrier{}
	w3c.Inject(ctx, carrier)
	for k, v := range carrier {
		md[k] = v
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	o.Metadata = b
	return &o, nil
}

// fromJob returns ctx with the remote span context a job's metadata
// carries, if any.
func fromJob(ctx context.Context, job *rivertype.JobRow) context.Context {
	if len(job.Metadata) == 0 {
		return ctx
	}
	var md map[string]any
	if json.Unmarshal(job.Metadata, &md) != nil {
		return ctx
	}
	carrier := propagation.MapCarrier{}
	for _, k := range w3c.Fields() {
		if s, ok := md[k].(string); ok {
			carrier[k] = s
		}
	}
	if len(carrier) == 0 {
		return ctx
	}
	return w3c.Extract(ctx, carrier)
}

// Jobs is River worker middleware that runs each job attempt in a span
// "job <kind>" (river.job.kind, .id, .attempt, .outcome), the child of the
// span whose trace context the job carries (CarryToJob), or a new trace
// for a job nobody's request queued (the sweeps). Nil when tracing is off:
// install nothing.
func Jobs(tp trace.TracerProvider) rivertype.WorkerMiddleware {
	if !Enabled(tp) {
		return nil
	}
	return &jobMiddleware{tr: tracer(tp)}
}

type jobMiddleware struct {
	river.MiddlewareDefaults
	tr trace.Tracer
}

func (m *jobMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	ctx, span := m.tr.Start(fromJob(ctx, job), "job "+job.Kind, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("river.job.kind", job.Kind), attribute.Int64("river.job.id", job.ID),
			attribute.Int("river.job.attempt", job.Attempt)))
	defer span.End()
	err := doInner(ctx)
	outcome := JobOutcome(err)
	span.SetAttributes(attribute.String("river.job.outcome", outcome))
	if err != nil && outcome != "snoozed" {
		// The error's text stays with the job (River's errors, the
		// backgroundJobs query): it may quote what the job handled.
		span.SetStatus(codes.Error, outcome)
	}
	return err
}

// JobOutcome names how a job attempt ended: ok, cancelled (it will not
// run again), snoozed (it runs again later) or error (River retries it
// until its attempts run out).
func JobOutcome(err error) string {
	var (
		cancel *rivertype.JobCancelError
		snooze *rivertype.JobSnoozeError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &cancel):
		return "cancelled"
	case errors.As(err, &snooze):
		return "snoozed"
	}
	return "error"
}
