/**
 * Dynamic batching, as Triton's dynamic batcher does it: concurrent requests
 * for one loaded model version are coalesced into one `session.run`, and
 * each request gets its own rows of the outputs.
 *
 * - A queue per session (and batching setting): a request joins it; the
 *   queue runs when it holds `maxBatchSize` rows, or when its oldest request
 *   has waited `maxDelayMs`. Requests asking for different outputs share a
 *   batch: the run fetches the union, each gets its own subset.
 * - One run per queue at a time. `session.run` blocks the event loop, so the
 *   requests that arrive meanwhile are read only after it returns: the next
 *   batch is formed one turn of the event loop later (after the pending
 *   sockets are read), which collects them all.
 * - A request of `maxBatchSize` rows or more runs alone, at once.
 * - A run that fails fails exactly the requests of its batch, each with an
 *   error that says so. (Validation happens before: a bad request never
 *   joins a batch.)
 * - An output whose first dimension is not the batch's rows cannot be split:
 *   that batch is re-run request by request and the queue stops batching.
 * - `maxBatchSize` ≤ 1 or `maxDelayMs` ≤ 0: batching is off, every request
 *   runs on its own.
 *
 * Exactness: a model computes each row on its own (trees, linear maps,
 * softmax per row), with one intra-op thread, so a row's answer is bitwise
 * the same in a batch as alone (batcher.test.ts checks this on real models).
 */
import { Tensor, type InferenceSession } from "onnxruntime-node";
import type { InputFeed, OutputTensor } from "./protocol";

export interface BatchingConfig {
  /** Most rows per session run; ≤ 1 turns batching off. */
  maxBatchSize: number;
  /** Longest a request waits for others to join it (ms); ≤ 0 turns batching off. */
  maxDelayMs: number;
}

/** The process defaults (infra/env.ts: SERVING_BATCH_MAX_SIZE, SERVING_BATCH_MAX_DELAY_MS). */
export const DEFAULT_BATCHING: BatchingConfig = { maxBatchSize: 64, maxDelayMs: 1 };

export function batchingEnabled(c: BatchingConfig): boolean {
  return c.maxBatchSize > 1 && c.maxDelayMs > 0;
}

/** Runs a session on `rows` rows of feeds, fetching `outputs`. */
export type SessionRun = (rows: number, feeds: InputFeed[], outputs: readonly string[]) => Promise<Record<string, OutputTensor>>;

/** The onnxruntime-node run: one [rows, 1] tensor per feed. */
export function sessionRun(session: InferenceSession): SessionRun {
  return (rows, feeds, outputs) => {
    const tensors: Record<string, Tensor> = {};
    for (const f of feeds) {
      tensors[f.name] = f.datatype === "FP32" ? new Tensor("float32", f.data, [rows, 1]) : new Tensor("string", f.data, [rows, 1]);
    }
    return session.run(tensors, outputs as string[]);
  };
}

/** The run of a batch failed: every request in it gets this. */
export class BatchRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchRunError";
  }
}

interface Pending {
  rows: number;
  feeds: InputFeed[];
  outputs: readonly string[];
  /** performance.now() when it joined the queue. */
  at: number;
  resolve: (r: Record<string, OutputTensor>) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  config: BatchingConfig;
  run: SessionRun;
  pending: Pending[];
  rows: number;
  running: boolean;
  timer?: NodeJS.Timeout;
  /** An output could not be split by rows: no more batching for this session. */
  unbatchable: boolean;
}

export interface BatcherHooks {
  /** After each session run: how many requests and rows it served. */
  onRun?: (requests: number, rows: number) => void;
  /** A session whose outputs cannot be split by rows (batching stops for it). */
  onUnbatchable?: (reason: string) => void;
}

/**
 * Coalesces runs per session. `key` identifies the session (the registry's
 * session entry): its queues go away with it.
 */
export class Batcher {
  private readonly queues = new WeakMap<object, Map<string, Queue>>();

  constructor(
    readonly defaults: BatchingConfig = DEFAULT_BATCHING,
    private readonly hooks: BatcherHooks = {},
  ) {}

  /**
   * The outputs of one request: batched with concurrent requests for the
   * same `key` unless batching is off (`config`, else the defaults).
   */
  run(
    key: object,
    session: SessionRun,
    rows: number,
    feeds: InputFeed[],
    outputs: readonly string[],
    config: BatchingConfig = this.defaults,
  ): Promise<Record<string, OutputTensor>> {
    if (!batchingEnabled(config) || rows >= config.maxBatchSize) return this.direct(session, rows, feeds, outputs);
    const q = this.queue(key, session, config);
    if (q.unbatchable) return this.direct(session, rows, feeds, outputs);
    return new Promise((resolve, reject) => {
      q.pending.push({ rows, feeds, outputs, at: performance.now(), resolve, reject });
      q.rows += rows;
      this.kick(q, false);
    });
  }

  private direct(session: SessionRun, rows: number, feeds: InputFeed[], outputs: readonly string[]): Promise<Record<string, OutputTensor>> {
    const p = session(rows, feeds, outputs);
    this.hooks.onRun?.(1, rows);
    return p;
  }

  private queue(key: object, run: SessionRun, config: BatchingConfig): Queue {
    let byConfig = this.queues.get(key);
    if (!byConfig) {
      byConfig = new Map();
      this.queues.set(key, byConfig);
    }
    const id = `${config.maxBatchSize}/${config.maxDelayMs}`;
    let q = byConfig.get(id);
    if (!q) {
      q = { config, run, pending: [], rows: 0, running: false, unbatchable: false };
      byConfig.set(id, q);
    }
    return q;
  }

  /**
   * Runs the queue if it is full, or (`checkTime`: from a timer or after a
   * run, never while requests are still being added in the same turn of the
   * event loop) if its oldest request waited long enough; else makes sure a
   * timer will.
   */
  private kick(q: Queue, checkTime = true): void {
    if (q.running || q.pending.length === 0) return;
    const waited = performance.now() - q.pending[0]!.at;
    if (q.rows >= q.config.maxBatchSize || (checkTime && waited >= q.config.maxDelayMs)) {
      if (q.timer) {
        clearTimeout(q.timer);
        q.timer = undefined;
      }
      this.flush(q);
    } else if (!q.timer) {
      q.timer = setTimeout(
        () => {
          q.timer = undefined;
          // The delay is up (libuv's clock may lag performance.now() by a fraction of a millisecond: no second timer).
          if (!q.running && q.pending.length > 0) this.flush(q);
        },
        Math.max(1, q.config.maxDelayMs - waited),
      );
    }
  }

  private flush(q: Queue): void {
    // Oldest first, up to maxBatchSize rows (every queued request is smaller than that).
    let rows = 0;
    let n = 0;
    while (n < q.pending.length && rows + q.pending[n]!.rows <= q.config.maxBatchSize) rows += q.pending[n++]!.rows;
    const batch = q.pending.splice(0, n);
    q.rows -= rows;
    q.running = true;
    void this.runBatch(q, batch, rows).finally(() => {
      q.running = false;
      // One turn of the event loop later: the requests that came in during the run are read first.
      setImmediate(() => this.kick(q));
    });
  }

  private async runBatch(q: Queue, batch: Pending[], rows: number): Promise<void> {
    if (batch.length === 1) {
      const only = batch[0]!;
      try {
        only.resolve(await this.direct(q.run, only.rows, only.feeds, only.outputs));
      } catch (e) {
        only.reject(e);
      }
      return;
    }
    const outputs = unionOf(batch);
    let results: Record<string, OutputTensor>;
    try {
      results = await q.run(rows, concatFeeds(batch, rows), outputs);
      this.hooks.onRun?.(batch.length, rows);
    } catch (e) {
      const err = new BatchRunError(
        `the model failed on a batch of ${batch.length} requests (${rows} rows) that included this one: ${e instanceof Error ? e.message : String(e)}`,
      );
      for (const p of batch) p.reject(err);
      return;
    }
    const unsplittable = outputs.find((name) => results[name] && results[name].dims[0] !== rows);
    if (unsplittable !== undefined) {
      q.unbatchable = true;
      this.hooks.onUnbatchable?.(
        `output ${JSON.stringify(unsplittable)} has shape [${results[unsplittable]!.dims.join(", ")}] for ${rows} rows: it cannot be split by rows, so requests run one by one`,
      );
      for (const p of batch) {
        try {
          p.resolve(await this.direct(q.run, p.rows, p.feeds, p.outputs));
        } catch (e) {
          p.reject(e);
        }
      }
      return;
    }
    let offset = 0;
    for (const p of batch) {
      const mine: Record<string, OutputTensor> = {};
      for (const name of p.outputs) {
        const t = results[name];
        if (t) mine[name] = sliceRows(t, rows, offset, p.rows);
      }
      offset += p.rows;
      p.resolve(mine);
    }
  }
}

/** The outputs any request of the batch asked for, each once, in first-asked order. */
function unionOf(batch: Pending[]): string[] {
  const first = batch[0]!.outputs;
  let same = true;
  for (let i = 1; i < batch.length && same; i++) {
    const o = batch[i]!.outputs;
    same = o === first || (o.length === first.length && o.every((n, k) => n === first[k]));
  }
  if (same) return [...first];
  const all = new Set<string>();
  for (const p of batch) for (const n of p.outputs) all.add(n);
  return [...all];
}

/** The batch's feeds, request after request (every request has the model's inputs in the same order). */
export function concatFeeds(batch: ReadonlyArray<{ rows: number; feeds: InputFeed[] }>, rows: number): InputFeed[] {
  const first = batch[0]!.feeds;
  return first.map((f, k) => {
    if (f.datatype === "FP32") {
      const data = new Float32Array(rows);
      let at = 0;
      for (const p of batch) {
        data.set(p.feeds[k]!.data as Float32Array, at);
        at += p.rows;
      }
      return { name: f.name, datatype: "FP32", data };
    }
    const data = new Array<string>(rows);
    let at = 0;
    for (const p of batch) {
      const src = p.feeds[k]!.data as string[];
      for (let i = 0; i < src.length; i++) data[at + i] = src[i]!;
      at += p.rows;
    }
    return { name: f.name, datatype: "BYTES", data };
  });
}

/** Rows [offset, offset + count) of a tensor whose first dimension is `total` rows (typed arrays as views, no copy). */
export function sliceRows(t: OutputTensor, total: number, offset: number, count: number): OutputTensor {
  const data = t.data as ArrayLike<unknown> & { subarray?: (a: number, b: number) => unknown; slice: (a: number, b: number) => unknown };
  const width = total > 0 ? data.length / total : 0;
  const from = offset * width;
  const to = (offset + count) * width;
  return {
    type: t.type,
    dims: [count, ...t.dims.slice(1)],
    data: typeof data.subarray === "function" ? data.subarray(from, to) : data.slice(from, to),
  };
}
