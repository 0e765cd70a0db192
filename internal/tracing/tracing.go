// Package tracing is the server's OpenTelemetry tracing: the tracer
// provider the OTEL_* environment asks for, exported over OTLP/HTTP, and
// the spans of GraphQL operations, SQL statements and background jobs,
// with W3C trace context carried in from clients, into jobs and out to
// webhook receivers. It is off unless an OTLP endpoint is configured, and
// off it costs nothing: the provider is a no-op and every wrapper here
// steps aside (see docs/tracing.md).
//
// Spans never record arguments, variables or SQL parameter values: only
// names, types, statement texts with their placeholders, costs and codes.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Name is the instrumentation scope of every span the server makes.
const Name = "github.com/usergroups/usergroups"

// DefaultServiceName is service.name unless OTEL_SERVICE_NAME or
// OTEL_RESOURCE_ATTRIBUTES says otherwise.
const DefaultServiceName = "usergroups"

// Provider is the process's tracer provider and what flushes it.
type Provider struct {
	trace.TracerProvider
	shutdown func(context.Context) error
}

// Off is the provider of a server that does not trace: a no-op.
func Off() *Provider { return &Provider{TracerProvider: noop.NewTracerProvider()} }

// Shutdown exports the spans still buffered and stops the exporter; on a
// provider that is off it does nothing.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p.shutdown == nil {
		return nil
	}
	return p.shutdown(ctx)
}

// Enabled reports whether tp records spans at all: false for nil and for
// the no-op provider, so that callers install no wrapper and allocate
// nothing when tracing is off.
func Enabled(tp trace.TracerProvider) bool {
	switch p := tp.(type) {
	case nil, noop.TracerProvider:
		return false
	case *Provider:
		return p != nil && Enabled(p.TracerProvider)
	}
	return true
}

// FromEnv builds the provider the standard OTEL_* variables ask for (read
// with getenv; the exporter, sampler and resource read theirs from the
// process's environment too). Tracing is on when
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set,
// or OTEL_TRACES_EXPORTER=otlp (to http://localhost:4318); it is off with
// OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, and otherwise. Only
// OTLP over HTTP with protobuf is built in: another exporter or protocol is
// an error rather than silence. version, if not empty, is service.version.
func FromEnv(ctx context.Context, getenv func(string) string, version string) (*Provider, error) {
	on, err := wanted(getenv)
	if err != nil || !on {
		return Off(), err
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", DefaultServiceName)}
	if version != "" {
		attrs = append(attrs, attribute.String("service.version", version))
	}
	// Later detectors win: the environment names the service over our default.
	res, err := resource.New(ctx, resource.WithAttributes(attrs...), resource.WithTelemetrySDK(), resource.WithFromEnv())
	if err != nil {
		return nil, errors.Join(fmt.Errorf("tracing: OTEL_RESOURCE_ATTRIBUTES: %w", err), exp.Shutdown(ctx))
	}
	// The sampler is the SDK's default unless OTEL_TRACES_SAMPLER(_ARG) set
	// it: parentbased_always_on. The batcher follows OTEL_BSP_*.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Provider{TracerProvider: tp, shutdown: tp.Shutdown}, nil
}

// wanted decides from the environment whether to trace.
func wanted(getenv func(string) string) (bool, error) {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	if strings.EqualFold(env("OTEL_SDK_DISABLED"), "true") {
		return false, nil
	}
	for _, k := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := env(k); p != "" {
			if p != "http/protobuf" {
				return false, fmt.Errorf("tracing: %s=%s: only http/protobuf is supported", k, p)
			}
			break // the traces-specific setting overrides the general one
		}
	}
	switch exporter := env("OTEL_TRACES_EXPORTER"); exporter {
	case "none":
		return false, nil
	case "otlp":
		return true, nil
	case "":
	default:
		return false, fmt.Errorf("tracing: OTEL_TRACES_EXPORTER=%s: only otlp (or none) is supported", exporter)
	}
	return env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" || env("OTEL_EXPORTER_OTLP_ENDPOINT") != "", nil
}

// tracer is the server's tracer of tp.
func tracer(tp trace.TracerProvider) trace.Tracer { return tp.Tracer(Name) }
