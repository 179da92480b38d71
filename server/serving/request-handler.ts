/**
 * Routing: a request to its endpoint (routes.ts matches the URL). The
 * server's own endpoints are answered here (health, server metadata,
 * metrics), the model endpoints by inference.ts. A RequestError becomes its
 * status with `{ error, field }`; anything else a logged 500, so nothing a
 * client sends can crash the process. Every request is counted and timed,
 * has a request id (the client's `x-request-id` when it is a sane one, else
 * a new UUID; echoed in the answer), and gets one access log line at info;
 * when tracing, a server span that continues the caller's `traceparent`.
 */
import type http from "node:http";
import { ROOT_CONTEXT, propagation, SpanKind, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import { infoLine, requestIdOf, type Logger } from "../../infra/log";
import { RequestError } from "./errors";
import { REQUEST_ID, type Reply, type TaggedResponse } from "./http-io";
import type { ModelRouteHandler } from "./inference";
import type { ServerState } from "./lifecycle";
import type { ServingMetrics } from "./metrics";
import type { ModelReload } from "./reload";
import { matchRoute, type Route } from "./routes";
import type { ServingSource } from "./source";
import type { RouteStats } from "./stats";

export const SERVER_NAME = "conveyor-serving";
export const SERVER_VERSION = "0.1.0";
/**
 * The OIP extensions this server implements, as Triton and KServe name them:
 * binary tensor data (binary.ts; with gzip or deflate request bodies, http-io.ts).
 */
export const SERVER_EXTENSIONS = ["binary_tensor_data"];

type Json = Record<string, unknown>;

/** The route templates (http.route of a server span). */
const TEMPLATES: Record<Route["kind"], string> = {
  live: "/v2/health/live",
  ready: "/v2/health/ready",
  "server-metadata": "/v2",
  metrics: "/metrics",
  "model-metadata": "/v2/models/{name}",
  "model-ready": "/v2/models/{name}/ready",
  infer: "/v2/models/{name}/infer",
  predict: "/v1/predict/{name}",
};

/** What a request was about, filled in as it is answered (metrics, the access log, the span). */
export interface RequestLabel {
  endpoint: string;
  /** The deployment named in the URL, once it is known to exist. */
  model: string;
  /** The registered model and version that answered. */
  modelName?: string;
  version?: number;
  /** The deployment's traffic picked the version (no explicit version in the URL): counted in its live figures. */
  routed?: boolean;
}

export function requestHandler({
  source,
  metrics,
  reload,
  modelRoute,
  reply,
  state,
  log,
  tracer,
  stats,
}: {
  source: ServingSource;
  /** The live figures per version, counted for routed requests. */
  stats: RouteStats;
  metrics: ServingMetrics;
  reload: ModelReload;
  modelRoute: ModelRouteHandler;
  reply: Reply;
  state: Readonly<ServerState>;
  log: Logger;
  /** Set when the process traces: a server span per request. */
  tracer?: Tracer;
}): http.RequestListener {
  // The access log: a line per request, so written the cheap way (infoLine).
  const accessLog = infoLine(log, "request");

  function startSpan(t: Tracer, req: http.IncomingMessage, path: string): Span {
    return t.startSpan(
      `${req.method} serving`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method, "url.path": path } },
      propagation.extract(ROOT_CONTEXT, req.headers),
    );
  }

  function endSpan(span: Span, req: http.IncomingMessage, status: number, label: RequestLabel, requestId: string): void {
    const route = TEMPLATES[label.endpoint as Route["kind"]];
    if (route) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute("http.route", route);
    }
    span.setAttributes({ "http.response.status_code": status, "conveyor.request_id": requestId });
    if (label.model) span.setAttribute("conveyor.deployment", label.model);
    if (label.version !== undefined) span.setAttributes({ "conveyor.model": label.modelName, "conveyor.model_version": label.version });
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  async function handle(req: http.IncomingMessage, res: TaggedResponse): Promise<void> {
    const start = performance.now();
    const label: RequestLabel = { endpoint: "unknown", model: "" };
    const requestId = requestIdOf(req.headers["x-request-id"]);
    res[REQUEST_ID] = requestId;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = (q === -1 ? url : url.slice(0, q)).slice(0, 200);
    const span = tracer ? startSpan(tracer, req, path) : undefined;
    try {
      const match = matchRoute(req.method ?? "GET", req.url ?? "/");
      if (!match.ok) {
        reply(res, match.status, { error: match.error }, match.allow ? { allow: match.allow } : undefined);
        return;
      }
      const route = match.route;
      label.endpoint = route.kind;
      switch (route.kind) {
        case "live":
          reply(res, 200, { live: true });
          return;
        case "ready":
          try {
            await source.ping();
            reply(res, 200, { ready: true, subscribed: reload.active });
          } catch (e) {
            reply(res, 503, { ready: false, error: `database unreachable: ${e instanceof Error ? e.message : String(e)}` });
          }
          return;
        case "server-metadata":
          reply(res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: SERVER_EXTENSIONS });
          return;
        case "metrics": {
          const text = await metrics.render();
          res.writeHead(200, {
            "content-type": metrics.contentType,
            "content-length": Buffer.byteLength(text),
            "x-request-id": requestId,
            ...(state.closing ? { connection: "close" } : {}),
          });
          res.end(text);
          return;
        }
        default:
          await modelRoute(route, req, res, label);
      }
    } catch (e) {
      if (res.headersSent) return;
      if (e instanceof RequestError) {
        const body: Json = { error: e.message };
        if (e.field) body.field = e.field;
        reply(res, e.status, body, e.status === 413 ? { connection: "close" } : undefined);
      } else {
        log.error({ err: e, requestId, method: req.method, path }, `internal error on ${req.method} ${path}`);
        reply(res, 500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      }
    } finally {
      const ms = performance.now() - start;
      metrics.observe(label.endpoint, label.model, res.statusCode, ms / 1000, label.version);
      // A routed request the version could not answer (a 4xx: its inputs differ from what callers send; a 5xx) counts against it.
      if (label.routed) stats.observe(label.model, label.version!, "live", res.statusCode >= 400, ms / 1000);
      accessLog({
        requestId,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(ms * 100) / 100,
        deployment: label.model || undefined,
        model: label.modelName,
        version: label.version,
        trace_id: span?.spanContext().traceId,
      });
      if (span) endSpan(span, req, res.statusCode, label, requestId);
    }
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      // handle() catches everything; this is the last line of defence.
      log.error({ err: e }, "unhandled error in the request handler");
      if (!res.headersSent) reply(res, 500, { error: "internal error" });
    });
  };
}
