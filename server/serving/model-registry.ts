/**
 * The serving process's in-memory view of the registry:
 *
 * - resolutions: (name, version?) → the deployment's routes, each a served
 *   model version with its traffic weight or as a shadow (an explicit version
 *   is a deployment of one live route), cached until a NOTIFY on
 *   MODEL_CHANGES_CHANNEL names it (or the LISTEN reconnects), so a warm
 *   request touches no database;
 * - sessions: one onnxruntime-node InferenceSession per (model, version,
 *   sha256), created once — concurrent first requests share the same load
 *   promise — and released when no resolution points at it any more and no
 *   run is in flight.
 */
import { InferenceSession } from "onnxruntime-node";
import type { ServedModel } from "../../db/queries/models";
import type { DeploymentConfig, ServedDeployment } from "../../db/queries/deployments";
import type { Logger } from "../../infra/log";
import { Batcher, sessionRun, type BatcherHooks, type BatchingConfig, type SessionRun } from "./batcher";
import { RequestError } from "./errors";
import { compileSchema, type InputFeed, type ModelSchema, type OutputTensor } from "./protocol";

/** Where models come from (the database + artifact store in production). */
export interface ModelSource {
  /** The deployment `name`'s routes; with a version, that version of its model as the one live route. */
  resolve(name: string, version?: number): Promise<ServedDeployment | null>;
  readArtifact(uri: string): Promise<Uint8Array>;
}

/** One thread per session: the process serves many requests concurrently. */
export const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
};

export interface LoadedModel {
  /** The name clients call (the deployment). */
  name: string;
  modelName: string;
  version: number;
  served: ServedModel;
  schema: ModelSchema;
  session: InferenceSession;
  /** @internal */
  entry: SessionEntry;
}

/** A route of a loaded deployment: its version's session, or why it could not be loaded. */
export interface LoadedRoute {
  served: ServedModel;
  weight: number;
  mode: "live" | "shadow";
  model?: LoadedModel;
  error?: ModelLoadError;
}

/** A deployment ready to answer: live routes picked by weight, shadows that get a copy. */
export interface LoadedDeployment {
  name: string;
  modelName: string;
  config: DeploymentConfig;
  /** The deployment's id when its predictions are logged (prediction-log.ts). */
  logTo?: string;
  live: LoadedRoute[];
  /** Running sums of the live weights (the last is their total). */
  cumulative: number[];
  shadows: LoadedRoute[];
}

interface SessionEntry {
  key: string;
  promise: Promise<{ session: InferenceSession; schema: ModelSchema }>;
  session?: InferenceSession;
  /** session.run with feeds as tensors (the batcher's view of the session). */
  run?: SessionRun;
  inflight: number;
  /** When the sweeper first saw it unreferenced (ms), for the grace period. */
  orphanedAt?: number;
}

interface Resolution {
  name: string;
  version?: number;
  served: Promise<ServedDeployment | null>;
  servedValue?: ServedDeployment | null;
  loaded?: Promise<LoadedDeployment | null>;
  loadedValue?: LoadedDeployment | null;
  /** The load finished (successfully or not). */
  loadSettled?: boolean;
}

/** A model that resolved but could not be loaded (bad artifact, ONNX error): 503. */
export class ModelLoadError extends RequestError {
  constructor(message: string) {
    super(message, undefined, 503);
    this.name = "ModelLoadError";
  }
}

const MAX_RESOLUTIONS = 10_000;
const FAILED_LOAD_TTL_MS = 2_000;

function keyOf(name: string, version?: number): string {
  return version === undefined ? name : `${name}\u0000${version}`;
}

export class ModelRegistry {
  private readonly resolutions = new Map<string, Resolution>();
  private readonly sessions = new Map<string, SessionEntry>();
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  /** Coalesces concurrent runs of a session (batcher.ts). */
  readonly batcher: Batcher;

  constructor(
    private readonly source: ModelSource,
    private readonly opts: {
      log?: Logger;
      releaseGraceMs?: number;
      sweepIntervalMs?: number;
      /** Dynamic batching defaults (a call may override them); default DEFAULT_BATCHING. */
      batching?: BatchingConfig;
      batchHooks?: BatcherHooks;
    } = {},
  ) {
    this.batcher = new Batcher(opts.batching, opts.batchHooks);
    const every = opts.sweepIntervalMs ?? 10_000;
    this.sweeper = setInterval(() => void this.sweep(), every);
    this.sweeper.unref();
  }

  private log(level: "info" | "warn" | "error", fields: Record<string, unknown>, msg: string): void {
    this.opts.log?.[level](fields, msg);
  }

  private entry(name: string, version?: number): Resolution {
    const key = keyOf(name, version);
    let r = this.resolutions.get(key);
    if (r) return r;
    if (this.resolutions.size >= MAX_RESOLUTIONS) this.dropUnknown();
    const served = this.source.resolve(name, version).catch((e: unknown) => {
      throw new ModelLoadError(`cannot resolve model ${JSON.stringify(name)}: ${e instanceof Error ? e.message : String(e)}`);
    });
    const res: Resolution = { name, version, served };
    this.resolutions.set(key, res);
    served.then(
      (v) => {
        res.servedValue = v;
      },
      (e: unknown) => {
        // Database trouble: forget it so the next request asks again.
        if (this.resolutions.get(key) === res) this.resolutions.delete(key);
        this.log("warn", { deployment: name, version, err: e }, `resolving "${name}" failed: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    r = res;
    return r;
  }

  /** Negative entries are the only unbounded kind (random names): drop them. */
  private dropUnknown(): void {
    for (const [key, r] of this.resolutions) if (r.servedValue === null) this.resolutions.delete(key);
  }

  /** Registry metadata for (name, version?), cached; null when not deployed. */
  async resolve(name: string, version?: number): Promise<ServedDeployment | null> {
    const r = this.entry(name, version);
    return r.servedValue !== undefined ? r.servedValue : r.served;
  }

  /** The warm path: a loaded deployment without awaiting anything, if there is one. */
  peek(name: string, version?: number): LoadedDeployment | null | undefined {
    return this.resolutions.get(keyOf(name, version))?.loadedValue;
  }

  /**
   * The loaded deployment for (name, version?); null when not deployed. Every
   * route's session is loaded; a live route that cannot be loaded keeps its
   * error (the requests it gets answer 503 and count against its version),
   * and when no live route loads the whole deployment fails.
   */
  get(name: string, version?: number): Promise<LoadedDeployment | null> {
    const r = this.entry(name, version);
    if (r.loaded) return r.loaded;
    const key = keyOf(name, version);
    const loaded = r.served.then(async (dep) => {
      if (!dep) return null;
      const routes = await Promise.all(
        dep.routes.map(async (route): Promise<LoadedRoute> => {
          const { served, weight, mode } = route;
          try {
            const entry = this.session(served);
            const { session, schema } = await entry.promise;
            return { served, weight, mode, model: { name, modelName: served.modelName, version: served.version, served, schema, session, entry } };
          } catch (e) {
            return { served, weight, mode, error: e instanceof ModelLoadError ? e : new ModelLoadError(String(e)) };
          }
        }),
      );
      const live = routes.filter((x) => x.mode === "live" && x.weight > 0);
      const firstError = live.find((x) => x.error)?.error;
      if (firstError && live.every((x) => x.error)) throw firstError;
      const cumulative: number[] = [];
      let sum = 0;
      for (const x of live) cumulative.push((sum += x.weight));
      return {
        name,
        modelName: dep.modelName,
        config: dep.config,
        ...(dep.logTo ? { logTo: dep.logTo } : {}),
        live,
        cumulative,
        shadows: routes.filter((x) => x.mode === "shadow"),
      } satisfies LoadedDeployment;
    });
    r.loaded = loaded;
    loaded.then(
      (v) => {
        r.loadedValue = v;
        r.loadSettled = true;
      },
      () => {
        r.loadSettled = true;
        // Keep the failure briefly (no load storm), then let a request retry.
        setTimeout(() => {
          if (this.resolutions.get(key) === r) this.resolutions.delete(key);
        }, FAILED_LOAD_TTL_MS).unref();
      },
    );
    return loaded;
  }

  private session(served: ServedModel): SessionEntry {
    const key = `${served.modelName}\u0000${served.version}\u0000${served.sha256}`;
    const existing = this.sessions.get(key);
    if (existing) {
      existing.orphanedAt = undefined;
      return existing;
    }
    const entry = { key, inflight: 0 } as SessionEntry;
    entry.promise = (async () => {
      const t0 = performance.now();
      let bytes: Uint8Array;
      try {
        bytes = await this.source.readArtifact(served.artifactUri);
      } catch (e) {
        this.log("error", { deployment: served.name, model: served.modelName, version: served.version, err: e }, `cannot read ${served.artifactUri}`);
        throw new ModelLoadError(`model ${JSON.stringify(served.name)} version ${served.version} could not be loaded: its artifact is unreadable`);
      }
      let session: InferenceSession;
      try {
        session = await InferenceSession.create(bytes, SESSION_OPTIONS);
      } catch (e) {
        this.log("error", { deployment: served.name, model: served.modelName, version: served.version, err: e }, `onnxruntime refused ${served.artifactUri}`);
        throw new ModelLoadError(`model ${JSON.stringify(served.name)} version ${served.version} could not be loaded: not a valid ONNX model`);
      }
      if (this.closed) {
        await session.release();
        throw new ModelLoadError("the server is shutting down");
      }
      entry.session = session;
      const ms = Math.round(performance.now() - t0);
      this.log(
        "info",
        { deployment: served.name, model: served.modelName, version: served.version, ms },
        `loaded ${served.modelName} v${served.version} for "${served.name}" in ${ms} ms`,
      );
      return { session, schema: compileSchema(served.manifest, session.outputNames) };
    })();
    entry.promise.catch(() => {
      if (this.sessions.get(key) === entry) this.sessions.delete(key);
    });
    this.sessions.set(key, entry);
    return entry;
  }

  /**
   * Runs the model on validated feeds; `outputs` are the names to fetch.
   * Concurrent runs of one session are batched (batcher.ts) with `batching`
   * (a deployment's setting), else the registry's defaults.
   */
  async run(
    model: LoadedModel,
    rows: number,
    feeds: InputFeed[],
    outputs: readonly string[],
    batching?: BatchingConfig,
  ): Promise<Record<string, OutputTensor>> {
    const entry = model.entry;
    entry.run ??= sessionRun(model.session);
    entry.inflight++;
    try {
      return await this.batcher.run(entry, entry.run, rows, feeds, outputs, batching);
    } finally {
      entry.inflight--;
    }
  }

  /**
   * A NOTIFY payload (a deployment or a model name) changed: forget what it
   * resolved to (and anything still resolving), then reload what was being
   * served so the next request finds the new version warm.
   */
  invalidate(changed: string): Promise<void> {
    const again: Array<[string, number | undefined]> = [];
    for (const [key, r] of this.resolutions) {
      const v = r.servedValue;
      if (r.name === changed || v === undefined || v?.modelName === changed) {
        this.resolutions.delete(key);
        if (v) again.push([r.name, r.version]);
      }
    }
    if (!again.some(([n, ver]) => n === changed && ver === undefined)) again.push([changed, undefined]);
    return this.preload(again);
  }

  /** Drops every resolution (after a LISTEN reconnect) and reloads the served ones. */
  invalidateAll(): Promise<void> {
    const again: Array<[string, number | undefined]> = [];
    for (const r of this.resolutions.values()) if (r.servedValue) again.push([r.name, r.version]);
    this.resolutions.clear();
    return this.preload(again);
  }

  /** Resolves and loads each (name, version?); failures are logged, not thrown. */
  async preload(targets: Array<[string, number | undefined]>): Promise<void> {
    await Promise.all(
      targets.map(([name, version]) =>
        this.get(name, version).then(
          (d) => {
            if (d && version === undefined) {
              const routes = [...d.live, ...d.shadows].map(
                (x) => `v${x.served.version} ${x.mode === "live" ? `${x.weight}%` : "shadow"}${x.error ? " (not loaded)" : ""}`,
              );
              this.log("info", { deployment: name, model: d.modelName, routes }, `"${name}" → ${d.modelName} ${routes.join(", ")}`);
            }
          },
          () => {},
        ),
      ),
    );
    void this.sweep();
  }

  /** How many sessions are loaded (a metrics gauge). */
  loadedSessions(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.session) n++;
    return n;
  }

  /**
   * Releases sessions that no resolution uses and that have been unused for
   * the grace period, with no run in flight. Skipped while anything is still
   * resolving (it might be about to use one).
   */
  async sweep(now = Date.now()): Promise<number> {
    const used = new Set<string>();
    for (const r of this.resolutions.values()) {
      if (r.loaded && !r.loadSettled) return 0;
      if (r.servedValue === undefined) return 0;
      if (r.servedValue) for (const x of r.servedValue.routes) used.add(`${x.served.modelName}\u0000${x.served.version}\u0000${x.served.sha256}`);
    }
    const grace = this.opts.releaseGraceMs ?? 30_000;
    let released = 0;
    for (const [key, s] of this.sessions) {
      if (used.has(key) || !s.session) {
        s.orphanedAt = undefined;
        continue;
      }
      s.orphanedAt ??= now;
      if (s.inflight > 0 || now - s.orphanedAt < grace) continue;
      this.sessions.delete(key);
      released++;
      await s.session.release().catch(() => {});
      const [model, version] = key.split("\u0000");
      this.log("info", { model, version: Number(version) }, `released session ${model} v${version}`);
    }
    return released;
  }

  /** Releases every session once in-flight runs finish (at most `waitMs`). */
  async close(waitMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.resolutions.clear();
    const deadline = Date.now() + waitMs;
    while ([...this.sessions.values()].some((s) => s.inflight > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.promise.then(({ session }) => session.release()).catch(() => {})));
  }
}
