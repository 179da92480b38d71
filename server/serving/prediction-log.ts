/**
 * The prediction log: every row a deployment answers (live and shadow) is
 * written to prediction_log, off the request path. After the answer is sent
 * a request appends its rows to an in-memory queue bounded in rows, as COPY
 * text: one flat string per request (built from its parsed feeds and the
 * session's outputs). Measured (bench/serving.ts part 5 and a CPU-time
 * harness): keeping references to the request's tensors until the flush and
 * building the rows then cost about 2.5× the CPU per row, all of it in the
 * garbage collector (the tensors outlive young-generation collections); one
 * flat string per request is a single object to keep. A flush every
 * `flushMs` (or as soon as `batchRows` rows wait) streams the queued text
 * into the store with COPY, on a connection of its own.
 *
 * The queue never slows or fails a request: when it is full (the store is
 * slow or down) new rows are dropped and counted
 * (`conveyor_prediction_log_dropped_total`); a flush that fails keeps its
 * rows for the next one (they still count against the bound).
 *
 * A row: the deployment, the request id (`x-request-id`, what feedback is
 * keyed by) and the row within the request, the version and mode that
 * answered, the inputs as the model received them (feature → number or
 * string; a missing value, NaN or the empty string, as null), the outputs
 * the model produced for the row (`prediction`; `label` and `probabilities`),
 * the request's model time and when it was answered.
 */
import { copyText } from "../../db/queries/prediction-log";
import type { Logger } from "../../infra/log";
import type { InputFeed, OutputTensor } from "./protocol";

export interface PredictionLogConfig {
  /** The most rows waiting to be written (queued and in flight); more are dropped. */
  maxRows: number;
  /** How often the queue is flushed (ms). */
  flushMs: number;
  /** A flush starts at once when this many rows wait; the most rows one COPY writes. */
  batchRows: number;
}

export const DEFAULT_PREDICTION_LOG: PredictionLogConfig = { maxRows: 100_000, flushMs: 1_000, batchRows: 5_000 };

/** Rows per chunk written to the COPY stream. */
const CHUNK_ROWS = 500;

/** One answered request of a route: what its rows are built from. */
export interface LoggedAnswer {
  /** The deployment's id (prediction_log.deployment_id) and name (metrics). */
  deploymentId: string;
  deployment: string;
  requestId: string;
  version: number;
  mode: "live" | "shadow";
  rows: number;
  feeds: readonly InputFeed[];
  results: Readonly<Record<string, OutputTensor>>;
  /** A classifier's classes: a label output of class indexes is logged as the class. */
  classes?: readonly string[];
  latencyMs: number;
  /** When it was answered (ms since the epoch). */
  at: number;
}

export interface PredictionLogHooks {
  written?(deployment: string, rows: number): void;
  dropped?(deployment: string, rows: number): void;
}

/** `"name":` of each feature, JSON- and COPY-escaped once. */
const keys = new Map<string, string>();
function key(name: string): string {
  let k = keys.get(name);
  if (k === undefined) {
    k = copyText(`${JSON.stringify(name)}:`);
    if (keys.size < 100_000) keys.set(name, k);
  }
  return k;
}

/** A string as JSON, COPY-escaped (only a JSON string can hold a backslash: numbers never do). */
function stringText(v: string): string {
  return copyText(JSON.stringify(v));
}

/** A float32 as the shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612); null for NaN and ±Infinity. */
export function float32Json(v: number): string {
  if (v !== v || v === Infinity || v === -Infinity) return "null";
  // The common case, cheaply: the fewest decimals (up to 6) whose rounding reads back as v.
  const m = v < 0 ? -v : v;
  if (m < 1e7 && (m >= 1e-3 || m === 0)) {
    let scale = 1;
    for (let k = 0; k <= 6; k++, scale *= 10) {
      const d = Math.round(v * scale) / scale;
      if (Math.fround(d) === v) return String(d);
    }
  }
  let d = Number(v.toPrecision(7));
  if (Math.fround(d) !== v) d = Number(v.toPrecision(9));
  return String(d);
}

/** A number of any tensor type as JSON (float32 shortest, others as they are). */
function numberJson(v: unknown, f32: boolean): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v !== "number") return "null";
  return f32 ? float32Json(v) : Number.isFinite(v) ? String(v) : "null";
}

/** The inputs of row `r` as a JSON object, COPY-escaped. */
export function inputsText(feeds: readonly InputFeed[], r: number): string {
  let s = "{";
  for (let k = 0; k < feeds.length; k++) {
    const f = feeds[k]!;
    if (k) s += ",";
    s += key(f.name);
    if (f.datatype === "FP32") s += float32Json(f.data[r]!);
    else {
      const v = f.data[r]!;
      s += v === "" ? "null" : stringText(v);
    }
  }
  return `${s}}`;
}

/** The outputs of row `r` (of `rows`) as a JSON object, COPY-escaped: prediction, label, probabilities, as far as the model produced them. */
export function outputsText(results: Readonly<Record<string, OutputTensor>>, rows: number, r: number, classes?: readonly string[]): string {
  let s = "{";
  const p = results.prediction;
  if (p) {
    const data = p.data as ArrayLike<unknown>;
    s += `"prediction":${numberJson(data[r * Math.max(1, Math.floor(data.length / rows))], p.type === "float32")}`;
  }
  const l = results.label;
  if (l) {
    const v = (l.data as ArrayLike<unknown>)[r];
    const label = typeof v === "string" ? v : typeof v === "bigint" || typeof v === "number" ? (classes?.[Number(v)] ?? String(v)) : null;
    if (s.length > 1) s += ",";
    s += `"label":${label === null ? "null" : stringText(label)}`;
  }
  const q = results.probabilities;
  if (q) {
    const data = q.data as ArrayLike<unknown>;
    const width = Math.floor(data.length / rows);
    const f32 = q.type === "float32";
    if (s.length > 1) s += ",";
    s += '"probabilities":[';
    for (let c = 0; c < width; c++) s += (c ? "," : "") + numberJson(data[r * width + c], f32);
    s += "]";
  }
  return `${s}}`;
}

let lastAt = -1;
let lastIso = "";
/** An ISO time, once per millisecond (many answers share one). */
function isoTime(at: number): string {
  if (at !== lastAt) {
    lastAt = at;
    lastIso = new Date(at).toISOString();
  }
  return lastIso;
}

/** The COPY text of one answer's rows (PREDICTION_LOG_COLUMNS, a line per row). */
export function answerText(a: LoggedAnswer): string {
  const head = `${a.deploymentId}\t${a.requestId}\t`;
  const mid = `\t${a.version}\t${a.mode}\t`;
  const tail = `\t${a.latencyMs}\t${isoTime(a.at)}\n`;
  const parts: string[] = [];
  for (let r = 0; r < a.rows; r++) parts.push(head, String(r), mid, inputsText(a.feeds, r), "\t", outputsText(a.results, a.rows, r, a.classes), tail);
  // One flat string (a join, not a rope of small pieces): what stays queued is one object per answer.
  return parts.join("");
}

/** A queued answer: its rows as COPY text, built when it was recorded (so the request's tensors are not kept alive). */
interface Queued {
  deployment: string;
  rows: number;
  text: string;
}

/** The COPY text of `queued`, about CHUNK_ROWS rows per chunk. */
function* copyChunks(queued: readonly Queued[]): Generator<string> {
  let parts: string[] = [];
  let rows = 0;
  for (const q of queued) {
    parts.push(q.text);
    rows += q.rows;
    if (rows >= CHUNK_ROWS) {
      yield parts.join("");
      parts = [];
      rows = 0;
    }
  }
  if (parts.length) yield parts.join("");
}

export class PredictionLog {
  private queue: Queued[] = [];
  /** Rows queued or being written (what the bound applies to). */
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private soon = false;
  private closed = false;
  readonly config: PredictionLogConfig;

  constructor(
    private readonly write: ((chunks: Iterable<string>) => Promise<void>) | undefined,
    config: Partial<PredictionLogConfig> = {},
    private readonly opts: { log?: Logger; hooks?: PredictionLogHooks } = {},
  ) {
    this.config = { ...DEFAULT_PREDICTION_LOG, ...config };
  }

  /** Whether anything is logged at all (a source that can write). */
  get enabled(): boolean {
    return this.write !== undefined;
  }

  /** Rows waiting to be written (queued and in flight). */
  depth(): number {
    return this.pending;
  }

  /** Queues an answer's rows; drops (and counts) them when the queue is full. */
  record(a: LoggedAnswer): void {
    if (!this.write || a.rows <= 0) return;
    if (this.closed || this.pending + a.rows > this.config.maxRows) {
      this.opts.hooks?.dropped?.(a.deployment, a.rows);
      return;
    }
    this.queue.push({ deployment: a.deployment, rows: a.rows, text: answerText(a) });
    this.pending += a.rows;
    if (this.pending >= this.config.batchRows && !this.flushing && !this.soon) {
      this.soon = true;
      setImmediate(() => {
        this.soon = false;
        void this.flush();
      });
    }
  }

  start(): void {
    if (!this.write || this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.config.flushMs);
    this.timer.unref();
  }

  /** Writes up to batchRows queued rows (then more, while a full batch waits); one flush at a time. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (!this.write || this.queue.length === 0) return Promise.resolve();
    const write = this.write;
    this.flushing = (async () => {
      for (;;) {
        let rows = 0;
        let n = 0;
        while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.rows <= this.config.batchRows)) rows += this.queue[n++]!.rows;
        const batch = this.queue.splice(0, n);
        try {
          await write(copyChunks(batch));
        } catch (e) {
          // Kept for the next flush (they still count against the bound, so the queue stays bounded).
          this.queue.unshift(...batch);
          this.opts.log?.warn({ err: e, rows }, `prediction log not written yet (${rows} rows): ${e instanceof Error ? e.message : String(e)}`);
          return;
        }
        this.pending -= rows;
        if (this.opts.hooks?.written) {
          const by = new Map<string, number>();
          for (const a of batch) by.set(a.deployment, (by.get(a.deployment) ?? 0) + a.rows);
          for (const [d, k] of by) this.opts.hooks.written(d, k);
        }
        if (this.queue.length === 0 || (this.pending < this.config.batchRows && !this.closed)) return;
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /**
   * Stops the timer and writes what is queued (graceful shutdown); rows the
   * store does not take within `timeoutMs` are dropped and counted.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closed = true;
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      const before = this.pending;
      await Promise.race([this.flush(), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
      if (this.pending === before && this.queue.length > 0) await new Promise((r) => setTimeout(r, 50).unref());
    }
    if (this.flushing) await Promise.race([this.flushing, new Promise((r) => setTimeout(r, 1_000).unref())]);
    for (const a of this.queue.splice(0)) {
      this.pending -= a.rows;
      this.opts.hooks?.dropped?.(a.deployment, a.rows);
    }
  }
}
