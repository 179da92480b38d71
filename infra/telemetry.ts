/**
 * OpenTelemetry traces, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: each
 * process (web, worker, serving) calls startTracing once at start; without
 * the endpoint nothing is started and the rest of the code sees no tracer
 * (tracing() is null; the @opentelemetry/api calls elsewhere are no-ops).
 *
 * A trace follows a run across the processes: a REST request (web) starts
 * the workflow (Temporal's client interceptor carries the context in the
 * workflow's headers), the workflow's and activities' spans continue it
 * (worker), and a step calling serving passes `traceparent`, which serving
 * continues. Spans leave in batches over OTLP/HTTP (JSON) to
 * `<endpoint>/v1/traces`; the SDK reads the other standard variables
 * (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_*).
 *
 * The SDK is the 1.x line: @temporalio/interceptors-opentelemetry 1.24
 * builds its workflow spans with it.
 */
import { context, diag, DiagLogLevel, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { envDetectorSync, Resource } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { env } from "./env";
import { logger, TRACING_SLOT, type Component } from "./log";

export interface Tracing {
  readonly serviceName: string;
  readonly resource: Resource;
  /** Where finished spans go (the worker hands its workflow spans here too). */
  readonly processor: SpanProcessor;
  /** Sends the spans still buffered. */
  flush(): Promise<void>;
  /** Flushes and stops; the process's spans after this are dropped. */
  shutdown(): Promise<void>;
}

const KEY = TRACING_SLOT;
const slot = globalThis as { [KEY]?: Tracing };

/** The tracing this process started, or null (not configured, or not started yet). */
export function tracing(): Tracing | null {
  return slot[KEY] ?? null;
}

/**
 * Starts exporting this process's spans when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set (else returns null and starts nothing). Idempotent.
 */
export function startTracing(component: Component): Tracing | null {
  const started = tracing();
  if (started) return started;
  const e = env();
  if (!e.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  const serviceName = e.OTEL_SERVICE_NAME ?? `conveyor-${component}`;
  const log = logger(component);
  diag.setLogger(
    {
      error: (m, ...a) => log.warn({ otel: a }, `tracing: ${m}`),
      warn: (m, ...a) => log.warn({ otel: a }, `tracing: ${m}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  const resource = envDetectorSync.detect().merge(new Resource({ [ATTR_SERVICE_NAME]: serviceName }));
  const exporter = new OTLPTraceExporter({ url: `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces` });
  const processor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // Global tracer provider, W3C trace-context propagation, AsyncLocalStorage context.
  provider.register();
  const t: Tracing = {
    serviceName,
    resource: provider.resource,
    processor,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      delete slot[KEY];
    },
  };
  slot[KEY] = t;
  log.info({ endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, service: serviceName }, "tracing: exporting spans over OTLP/HTTP");
  return t;
}

/** A tracer of this code base (a no-op one when tracing is off). */
export function tracer(name = "conveyor"): Tracer {
  return trace.getTracer(name);
}

/**
 * Runs `fn` in a new active span (child of the active one) and ends it when
 * `fn` settles; a throw marks the span as an error. Costs next to nothing
 * when tracing is off.
 */
export async function withSpan<T>(name: string, opts: { kind?: SpanKind; attributes?: Attributes }, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Headers that carry the active trace to another process (`traceparent`); empty when tracing is off. */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

/** The context an incoming request's `traceparent` continues (the active one when it has none). */
export function incomingContext(headers: Record<string, string | string[] | undefined>) {
  return propagation.extract(context.active(), headers);
}

export { SpanKind, SpanStatusCode, context as otelContext, trace as otelTrace, type Span };
