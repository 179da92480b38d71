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
 * `{name}` is a deployment; without a version its routes decide which
 * version answers (by weight, or sticky by a request key), and its shadows
 * get a copy after the answer is sent (shadow.ts). Client mistakes are 400 `{ error, field }`, unknown models
 * 404, a body over the limit 413, an unloadable model 503. Nothing a client
 * sends can crash the process.
 *
 * The parts, each in its own module: routing and the server's own endpoints
 * (request-handler.ts, routes.ts), inference (inference.ts, protocol.ts,
 * model-registry.ts), hot reload on registry changes (reload.ts), start and
 * stop (lifecycle.ts), the outside world (source.ts), metrics (metrics.ts), the
 * prediction log (prediction-log.ts).
 */
import http from "node:http";
import type { Db } from "../../db/client";
import type { ArtifactStore } from "../../infra/artifacts";
import { logger, type Logger } from "../../infra/log";
import { tracer, tracing } from "../../infra/telemetry";
import { DEFAULT_BATCHING, type BatchingConfig } from "./batcher";
import { replier } from "./http-io";
import { modelRouteHandler } from "./inference";
import { bind, drain, preloadDeployments, type ServerState } from "./lifecycle";
import { ServingMetrics } from "./metrics";
import { ModelRegistry } from "./model-registry";
import { PredictionLog, type PredictionLogConfig } from "./prediction-log";
import { modelReload } from "./reload";
import { requestHandler } from "./request-handler";
import { databaseSource, type ServingSource } from "./source";
import { RouteStats } from "./stats";

export { databaseSource, type ServingSource } from "./source";
export { SERVER_NAME, SERVER_VERSION } from "./request-handler";

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type ServingOptions = ({ db: Db; store: ArtifactStore; source?: undefined } | { source: ServingSource; db?: undefined; store?: undefined }) & {
  maxBodyBytes?: number;
  /** Warm every active deployment at listen() (default true). */
  preload?: boolean;
  /** Where the server logs (an access line per request at info); default the process logger (component "serving"). */
  logger?: Logger;
  /** Session release grace period after a model stops being served (ms). */
  releaseGraceMs?: number;
  /** Dynamic batching defaults (batcher.ts); default DEFAULT_BATCHING, main.ts passes SERVING_BATCH_MAX_SIZE / _DELAY_MS. */
  batching?: BatchingConfig;
  /** How often the live figures per version are written to the store (ms, default 2000). */
  statsIntervalMs?: number;
  /** The prediction log's queue bound and flushing (prediction-log.ts); main.ts passes PREDICTION_LOG_*. */
  predictionLog?: Partial<PredictionLogConfig>;
};

export interface ServingServer {
  readonly server: http.Server;
  readonly registry: ModelRegistry;
  readonly metrics: ServingMetrics;
  /** Live figures per served version (flushed to the store). */
  readonly stats: RouteStats;
  /** Every answered row, queued for the store (prediction-log.ts). */
  readonly predictionLog: PredictionLog;
  /** Binds (default 127.0.0.1:0), subscribes to model changes, warms deployments. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number; host: string }>;
  /** Stops accepting, lets in-flight requests finish, unlistens, releases sessions. Idempotent. */
  close(): Promise<void>;
  /** Resolves after the model-change subscription is active (or immediately without one). */
  subscribed(): Promise<void>;
}

export function createServingServer(opts: ServingOptions): ServingServer {
  const source = opts.source ?? databaseSource(opts.db, opts.store);
  const log = opts.logger ?? logger("serving");
  const metrics = new ServingMetrics({ loadedSessions: () => registry.loadedSessions(), predictionLogDepth: () => predictionLog.depth() });
  const predictionLog = new PredictionLog(source.writePredictionLog ? (chunks) => source.writePredictionLog!(chunks) : undefined, opts.predictionLog, {
    log,
    hooks: { written: (d, n) => metrics.predictionsLogged(d, n), dropped: (d, n) => metrics.predictionsDropped(d, n) },
  });
  const registry = new ModelRegistry(source, {
    log,
    releaseGraceMs: opts.releaseGraceMs,
    batching: opts.batching ?? DEFAULT_BATCHING,
    batchHooks: {
      onRun: (requests, rows) => metrics.observeRun(requests, rows),
      onUnbatchable: (reason) => log.warn(`dynamic batching off for a model: ${reason}`),
    },
  });
  const reload = modelReload({ source, registry, log });
  const stats = new RouteStats(source.recordStats ? (rows) => source.recordStats!(rows) : undefined, {
    log,
    intervalMs: opts.statsIntervalMs,
    prune: source.pruneStats ? () => source.pruneStats!() : undefined,
  });
  const state: ServerState = { closing: false };
  const reply = replier(state);
  const modelRoute = modelRouteHandler({ registry, maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, reply, stats, predictionLog, log });
  // A server span per request only when this process traces (none of the work otherwise).
  const spans = tracing() ? tracer("conveyor-serving") : undefined;
  const server = http.createServer(requestHandler({ source, metrics, reload, modelRoute, reply, state, log, tracer: spans, stats }));
  server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts
  let closePromise: Promise<void> | undefined;

  return {
    server,
    registry,
    metrics,
    stats,
    predictionLog,
    subscribed: () => reload.subscribed(),
    async listen(port = 0, host = "127.0.0.1") {
      const address = await bind(server, port, host);
      // First subscription attempt inline so a caller that moves an alias right
      // after listen() is guaranteed to be heard; retries continue in the background.
      await Promise.race([reload.start(), new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (opts.preload !== false) await preloadDeployments(source, registry, log);
      stats.start();
      predictionLog.start();
      return address;
    },
    close() {
      closePromise ??= (async () => {
        state.closing = true;
        reload.stop();
        await drain(server);
        // Shadows of the last requests run after their answers: let them finish (and be logged) first.
        await new Promise((r) => setImmediate(r));
        await Promise.all([stats.close(), predictionLog.close()]);
        await reload.unlisten();
        await registry.close();
      })();
      return closePromise;
    },
  };
}
