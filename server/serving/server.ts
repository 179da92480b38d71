/**
 * The model server (docs/architecture.md): Open Inference Protocol v2 over plain
 * node:http, plus the friendlier `POST /v1/predict/{name}`.
 *
 *   GET  /v2/health/live                          200 { live: true }
 *   GET  /v2/health/ready                         200 { ready: true } when the database answers, else 503
 *   GET  /v2                                      server metadata
 *   GET  /v2/models/{name}[/versions/{v}]         model metadata (inputs/outputs = the manifest's)
 *   GET  /v2/models/{name}[/versions/{v}]/ready   200 { name, ready: true } once the session is loaded
 *   POST /v2/models/{name}[/versions/{v}]/infer   OIP v2 inference (see protocol.ts)
 *   POST /v1/predict/{name}[/versions/{v}]        { instances: [{ col: value }] } → { predictions }
 *   GET  /metrics                                 Prometheus text
 *
 * `{name}` is a deployment; without a version it serves the deployment's
 * alias target. Client mistakes are 400 `{ error, field }`, unknown models
 * 404, a body over the limit 413, an unloadable model 503. Nothing a client
 * sends can crash the process.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../../db/client";
import { listActiveDeploymentNames, resolveServedModel } from "../../db/queries/models";
import { listenModelChanges, pingDatabase } from "../../db/queries/serving";
import type { ArtifactStore } from "../../infra/artifacts";
import { RequestError } from "./errors";
import { ServingMetrics } from "./metrics";
import { type LoadedModel, type ModelSource, ModelRegistry } from "./model-registry";
import { inferResponse, parseInferRequest, parseJsonBody, parsePredictRequest, predictions, quote } from "./protocol";
import { matchRoute, type Route } from "./routes";

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const SERVER_NAME = "conveyor-serving";
export const SERVER_VERSION = "0.1.0";

/** Everything the server needs from the outside world. */
export interface ServingSource extends ModelSource {
  /** Resolves when the backing store is reachable (readiness). */
  ping(): Promise<void>;
  /** Names to warm up at start. */
  listDeployments?(): Promise<string[]>;
  /**
   * Subscribes to registry changes: `onChange(name)` per changed deployment
   * or model, `onReset()` when the subscription is (re-)established.
   */
  subscribe?(onChange: (name: string) => void, onReset: () => void): Promise<{ unlisten(): Promise<void> }>;
}

/** The production source: PostgreSQL (registry + LISTEN) and the artifact store. */
export function databaseSource(db: Db, store: ArtifactStore): ServingSource {
  return {
    resolve: (name, version) => resolveServedModel(db, name, version),
    readArtifact: (uri) => store.read(uri),
    ping: () => pingDatabase(db),
    listDeployments: () => listActiveDeploymentNames(db),
    subscribe: (onChange, onReset) => listenModelChanges(db, onChange, onReset),
  };
}

export type ServingOptions = ({ db: Db; store: ArtifactStore; source?: undefined } | { source: ServingSource; db?: undefined; store?: undefined }) & {
  maxBodyBytes?: number;
  /** Warm every active deployment at listen() (default true). */
  preload?: boolean;
  /** Log sink; default console.log. Pass () => {} to silence. */
  log?: (line: string) => void;
  /** Session release grace period after a model stops being served (ms). */
  releaseGraceMs?: number;
};

export interface ServingServer {
  readonly server: http.Server;
  readonly registry: ModelRegistry;
  readonly metrics: ServingMetrics;
  /** Binds (default 127.0.0.1:0), subscribes to model changes, warms deployments. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number; host: string }>;
  /** Stops accepting, lets in-flight requests finish, unlistens, releases sessions. Idempotent. */
  close(): Promise<void>;
  /** Resolves after the model-change subscription is active (or immediately without one). */
  subscribed(): Promise<void>;
}

type Json = Record<string, unknown>;

function send(res: http.ServerResponse, status: number, body: unknown, headers?: http.OutgoingHttpHeaders): void {
  const text = JSON.stringify(body);
  const head: http.OutgoingHttpHeaders = { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) };
  if (headers) Object.assign(head, headers);
  res.writeHead(status, head);
  res.end(text);
}

/**
 * Collects the body up to `limit` bytes. Hot path: no named closures (tsx's
 * keepNames would wrap each one per request) and no Error objects unless
 * something actually went wrong.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new RequestError(`the request body is larger than the limit of ${limit} bytes`, "body", 413));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size < 0) return; // already refused; the socket closes after the 413
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        size = -1;
        chunks.length = 0;
        reject(new RequestError(`the request body is larger than the limit of ${limit} bytes`, "body", 413));
      }
    });
    req.on("end", () => {
      if (size >= 0) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    // A client that goes away mid-body is a client problem, not a server error.
    req.on("error", () => reject(new RequestError("the request was aborted while its body was being read", "body")));
    req.on("close", () => {
      if (!req.complete) reject(new RequestError("the client closed the connection before sending the whole body", "body"));
    });
  });
}

function notFound(name: string, version?: number): RequestError {
  const what = version === undefined ? `model ${quote(name)} is not deployed` : `model ${quote(name)} has no version ${version}`;
  return new RequestError(what, "model", 404);
}

export function createServingServer(opts: ServingOptions): ServingServer {
  const source = opts.source ?? databaseSource(opts.db!, opts.store!);
  const log = opts.log ?? ((line: string) => console.log(`[serving] ${line}`));
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const registry = new ModelRegistry(source, { log, releaseGraceMs: opts.releaseGraceMs });
  const metrics = new ServingMetrics(() => ({
    conveyor_serving_models_loaded: { help: "ONNX sessions currently loaded.", value: registry.loadedSessions() },
  }));
  let subscription: { unlisten(): Promise<void> } | undefined;
  let subscribedResolve: () => void = () => {};
  const subscribedPromise = new Promise<void>((r) => (subscribedResolve = r));
  let closing = false;
  let retryTimer: NodeJS.Timeout | undefined;

  /** `send`, plus `Connection: close` once shutting down (keep-alive sockets then drain). */
  function reply(res: http.ServerResponse, status: number, payload: unknown, headers?: http.OutgoingHttpHeaders): void {
    send(res, status, payload, closing ? { ...headers, connection: "close" } : headers);
  }

  async function model(name: string, version?: number): Promise<LoadedModel> {
    const m = registry.peek(name, version) ?? (await registry.get(name, version));
    if (!m) throw notFound(name, version);
    return m;
  }

  async function handleModelRoute(route: Extract<Route, { name: string }>, req: http.IncomingMessage, res: http.ServerResponse, label: { model: string }): Promise<void> {
    const { name, version } = route;
    switch (route.kind) {
      case "model-metadata": {
        const served = await registry.resolve(name, version);
        if (!served) throw notFound(name, version);
        label.model = name;
        const m = served.manifest;
        reply(res, 200, {
          name,
          versions: [String(served.version)],
          platform: "onnxruntime",
          inputs: m.inputs,
          outputs: m.outputs,
          parameters: { model: served.modelName, version: served.version, sha256: served.sha256, task: m.task, ...(m.classes ? { classes: m.classes } : {}) },
        });
        return;
      }
      case "model-ready": {
        const served = await registry.resolve(name, version);
        if (!served) throw notFound(name, version);
        label.model = name;
        try {
          const m = await model(name, version);
          reply(res, 200, { name, version: String(m.version), ready: true });
        } catch (e) {
          reply(res, 503, { name, version: String(served.version), ready: false, error: e instanceof Error ? e.message : String(e) });
        }
        return;
      }
      case "infer":
      case "predict": {
        const body = await readBody(req, maxBody);
        // Warm path: a Map lookup, no await.
        const m = registry.peek(name, version) ?? (await registry.get(name, version));
        if (!m) throw notFound(name, version);
        label.model = name;
        const json = parseJsonBody(body);
        if (route.kind === "infer") {
          const parsed = parseInferRequest(json, m.schema);
          const names = parsed.outputs ?? m.schema.outputs;
          const results = await registry.run(m, parsed.rows, parsed.feeds, names);
          reply(res, 200, inferResponse(m, parsed.id ?? crypto.randomUUID(), names, results, m.schema));
        } else {
          const parsed = parsePredictRequest(json, m.schema);
          const results = await registry.run(m, parsed.rows, parsed.feeds, m.schema.outputs);
          reply(res, 200, {
            model_name: name,
            model_version: m.version,
            predictions: predictions(parsed.rows, m.schema.outputs, results, m.schema),
          });
        }
        return;
      }
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const start = performance.now();
    const label = { endpoint: "unknown", model: "" };
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
            reply(res, 200, { ready: true, subscribed: subscription !== undefined || !source.subscribe });
          } catch (e) {
            reply(res, 503, { ready: false, error: `database unreachable: ${e instanceof Error ? e.message : String(e)}` });
          }
          return;
        case "server-metadata":
          reply(res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: [] });
          return;
        case "metrics": {
          const text = metrics.render();
          res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(text), ...(closing ? { connection: "close" } : {}) });
          res.end(text);
          return;
        }
        default:
          await handleModelRoute(route, req, res, label);
      }
    } catch (e) {
      if (res.headersSent) return;
      if (e instanceof RequestError) {
        const body: Json = { error: e.message };
        if (e.field) body.field = e.field;
        reply(res, e.status, body, e.status === 413 ? { connection: "close" } : undefined);
      } else {
        log(`internal error on ${req.method} ${req.url?.slice(0, 200)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        reply(res, 500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      }
    } finally {
      metrics.observe(label.endpoint, label.model, res.statusCode, (performance.now() - start) / 1000);
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // handle() catches everything; this is the last line of defence.
      log(`unhandled: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) reply(res, 500, { error: "internal error" });
    });
  });
  server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts

  async function subscribe(attempt = 0): Promise<void> {
    if (!source.subscribe || closing) return;
    try {
      const sub = await source.subscribe(
        (name) => {
          log(`registry change: "${name}"`);
          void registry.invalidate(name);
        },
        () => void registry.invalidateAll(),
      );
      if (closing) {
        await sub.unlisten().catch(() => {});
        return;
      }
      subscription = sub;
      subscribedResolve();
    } catch (e) {
      const delay = Math.min(10_000, 500 * 2 ** attempt);
      log(`cannot LISTEN for model changes (${e instanceof Error ? e.message : String(e)}); retrying in ${delay} ms`);
      await new Promise<void>((resolve) => {
        retryTimer = setTimeout(resolve, delay);
        retryTimer.unref();
      });
      return subscribe(attempt + 1);
    }
  }

  let closePromise: Promise<void> | undefined;

  return {
    server,
    registry,
    metrics,
    subscribed: () => (source.subscribe ? subscribedPromise : Promise.resolve()),
    async listen(port = 0, host = "127.0.0.1") {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const addr = server.address() as AddressInfo;
      const url = `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
      // First subscription attempt inline so a caller that moves an alias right
      // after listen() is guaranteed to be heard; retries continue in the background.
      const first = subscribe();
      await Promise.race([first, new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (opts.preload !== false && source.listDeployments) {
        try {
          const names = await source.listDeployments();
          await registry.preload(names.map((n): [string, undefined] => [n, undefined]));
        } catch (e) {
          log(`preload skipped: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return { url, port: addr.port, host: addr.address };
    },
    close() {
      closePromise ??= (async () => {
        closing = true;
        if (retryTimer) clearTimeout(retryTimer);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive sockets: close them as soon as their in-flight request is answered.
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        force.unref();
        await closed; // the callback runs even when the server was never listening
        clearInterval(idle);
        clearTimeout(force);
        await subscription?.unlisten().catch(() => {});
        await registry.close();
      })();
      return closePromise;
    },
  };
}
