/**
 * The prediction log: every row a deployment answers (live and shadow) is
 * written to prediction_log_batches, off the request path. After the answer
 * is sent a request appends its rows, column by column, to the open batch of
 * its deployment, version and mode: numbers into growable Float32Arrays,
 * strings as they are (nothing keeps the request's tensors alive: measured,
 * that cost 2.5× the CPU per row in the garbage collector). A flush every
 * `flushMs` (or as soon as `batchRows` rows wait) encodes each batch as one
 * row of the store (PredictionBatchData as JSON, float columns packed as
 * their bytes) and streams them with COPY
 * on a connection of its own. One stored row per batch, not per prediction:
 * PostgreSQL's cost is per row (docs/benchmarks.md, serving).
 *
 * The queue never slows or fails a request: when it is full (the store is
 * slow or down) new rows are dropped and counted
 * (`conveyor_prediction_log_dropped_total`); a flush that fails keeps its
 * batches for the next one (they still count against the bound).
 *
 * A prediction: the request id (`x-request-id`, what feedback is keyed by)
 * and the row within the request, the inputs as the model received them (a
 * missing value, NaN or the empty string, as null), the outputs the model
 * produced for the row (`prediction`; `label` and `probabilities`), the
 * request's model time and when it was answered.
 */
import { BATCH_MAX_SPAN_MS, copyText, foundByTime, shortestFloat32 } from "../../db/queries/prediction-log";
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

/**
 * The most rows of one stored batch. A batch is encoded in one go on the
 * event loop (under a µs a row, strings and ids included): small batches keep that pause short
 * (requests wait through it), and a COPY of batchRows rows writes several.
 */
export const STORED_BATCH_ROWS = 1_000;

/** One answered request of a route: what its rows are built from. */
export interface LoggedAnswer {
  /** The deployment's id (prediction_log.deployment_id) and name (metrics). */
  deploymentId: string;
  deployment: string;
  requestId: string;
  /** When the request id was made, if this server made it (a UUIDv7); null when the caller chose it. */
  requestAt: number | null;
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

/** A float32 as the shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612); null for NaN and ±Infinity. */
export function float32Json(v: number): string {
  const d = shortestFloat32(v);
  return d === null ? "null" : String(d);
}

/** A number of any tensor type as JSON (float32 shortest, others as they are). */
function numberJson(v: unknown, f32: boolean): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v !== "number") return "null";
  return f32 ? float32Json(v) : Number.isFinite(v) ? String(v) : "null";
}

/** Float32 values appended in place (a request's feed is copied with one set(), a single row by assignment), stored packed. */
class Float32Column {
  data = new Float32Array(256);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.data.length) return;
    const grown = new Float32Array(Math.max(this.data.length * 2, this.length + n));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
  push(v: number): void {
    this.room(1);
    this.data[this.length++] = v;
  }
  append(src: Float32Array, from: number, to: number): void {
    const n = to - from;
    this.room(n);
    if (n === 1) this.data[this.length] = src[from]!;
    else this.data.set(from === 0 && to === src.length ? src : src.subarray(from, to), this.length);
    this.length += n;
  }
  /** As a PackedNumbers column: the bytes in base64 (decimal text cost serving more than all the rest of a row). */
  json(): string {
    return `{"f32":"${Buffer.from(this.data.buffer, this.data.byteOffset, this.length * 4).toString("base64")}"}`;
  }
}

/** Which of the logged outputs an answer has, as bits: prediction 1, label 2, probabilities 4 (a batch holds one set). */
function outputsOf(results: LoggedAnswer["results"]): number {
  return (results.prediction ? 1 : 0) | (results.label ? 2 : 0) | (results.probabilities ? 4 : 0);
}

/** What a batch holds of each output (the outputs the log keeps, as far as the model produced them). */
type OutputColumn = { kind: "f32"; col: Float32Column } | { kind: "values"; f32: boolean; col: unknown[] };

const ISO_CACHE = { at: -1, iso: "" };
/** An ISO time, once per millisecond. */
function isoTime(at: number): string {
  if (at !== ISO_CACHE.at) {
    ISO_CACHE.at = at;
    ISO_CACHE.iso = new Date(at).toISOString();
  }
  return ISO_CACHE.iso;
}

/**
 * The predictions of one deployment, version and mode (with one set of
 * inputs and outputs) waiting to be written: one prediction_log_batches row.
 */
export class PredictionBatch {
  readonly requestIds: string[] = [];
  readonly requestRows: number[] = [];
  /** The request ids feedback cannot find by their time (chosen by the caller, or answered late): indexed. */
  readonly indexedIds: string[] = [];
  /** When its first and last predictions were answered (ms). */
  firstAt = Infinity;
  lastAt = -Infinity;
  readonly at: number[] = [];
  readonly latencyMs = new Float32Column();
  readonly inputs: (Float32Column | (string | null)[])[];
  readonly outputs = new Map<string, OutputColumn>();
  readonly feeds: readonly { name: string; datatype: "FP32" | "BYTES" }[];
  rows = 0;
  /** The COPY line, once encoded (kept when a write fails). */
  private line: string | undefined;

  constructor(
    readonly deploymentId: string,
    readonly deployment: string,
    readonly version: number,
    readonly mode: "live" | "shadow",
    feeds: readonly { name: string; datatype: "FP32" | "BYTES" }[],
    /** Which outputs it holds (outputsOf). */
    readonly outputSet: number,
  ) {
    // Names and types only: the first request's tensors are not kept.
    this.feeds = feeds.map((f) => ({ name: f.name, datatype: f.datatype }));
    this.inputs = feeds.map((f) => (f.datatype === "FP32" ? new Float32Column() : []));
  }

  /** Whether an answer's rows fit this batch's columns. */
  fits(a: LoggedAnswer, outputs: number): boolean {
    if (a.feeds.length !== this.feeds.length || outputs !== this.outputSet) return false;
    for (let k = 0; k < a.feeds.length; k++) if (a.feeds[k]!.name !== this.feeds[k]!.name || a.feeds[k]!.datatype !== this.feeds[k]!.datatype) return false;
    return true;
  }

  append(a: LoggedAnswer): void {
    const rows = a.rows;
    if (!foundByTime(a.requestAt, a.at)) this.indexedIds.push(a.requestId);
    if (a.at < this.firstAt) this.firstAt = a.at;
    if (a.at > this.lastAt) this.lastAt = a.at;
    for (let r = 0; r < rows; r++) {
      this.requestIds.push(a.requestId);
      this.requestRows.push(r);
      this.at.push(a.at);
      this.latencyMs.push(a.latencyMs);
    }
    for (let k = 0; k < a.feeds.length; k++) {
      const f = a.feeds[k]!;
      const col = this.inputs[k]!;
      if (f.datatype === "FP32") (col as Float32Column).append(f.data, 0, rows);
      else for (let r = 0; r < rows; r++) (col as (string | null)[]).push(f.data[r] === "" ? null : f.data[r]!);
    }
    const p = a.results.prediction;
    if (p) {
      const data = p.data as ArrayLike<unknown>;
      const stride = Math.max(1, Math.floor(data.length / rows));
      let out = this.outputs.get("prediction");
      if (!out)
        this.outputs.set(
          "prediction",
          (out = p.type === "float32" && stride === 1 ? { kind: "f32", col: new Float32Column() } : { kind: "values", f32: p.type === "float32", col: [] }),
        );
      if (out.kind === "f32" && data instanceof Float32Array) out.col.append(data, 0, rows);
      else for (let r = 0; r < rows; r++) (out.col as unknown[]).push(Number(data[r * stride]));
    }
    const l = a.results.label;
    if (l) {
      let out = this.outputs.get("label");
      if (!out) this.outputs.set("label", (out = { kind: "values", f32: false, col: [] }));
      const data = l.data as ArrayLike<unknown>;
      for (let r = 0; r < rows; r++) {
        const v = data[r];
        (out.col as unknown[]).push(typeof v === "string" ? v : typeof v === "bigint" || typeof v === "number" ? (a.classes?.[Number(v)] ?? String(v)) : null);
      }
    }
    const q = a.results.probabilities;
    if (q) {
      let out = this.outputs.get("probabilities");
      if (!out) this.outputs.set("probabilities", (out = { kind: "values", f32: q.type === "float32", col: [] }));
      const data = q.data as ArrayLike<number>;
      const width = Math.floor(data.length / rows);
      for (let r = 0; r < rows; r++) (out.col as unknown[]).push(Array.from({ length: width }, (_, c) => data[r * width + c]));
    }
    this.rows += rows;
  }

  /** The batch as JSON text (PredictionBatchData). */
  dataJson(): string {
    const first = this.firstAt;
    const inputs = this.feeds.map((f, k) => {
      const col = this.inputs[k]!;
      return `${JSON.stringify(f.name)}:${col instanceof Float32Column ? col.json() : JSON.stringify(col)}`;
    });
    const outputs: string[] = [];
    for (const [name, out] of this.outputs) {
      let json: string;
      if (out.kind === "f32") json = out.col.json();
      else if (name === "label") json = JSON.stringify(out.col);
      else if (name === "probabilities") json = `[${(out.col as number[][]).map((p) => `[${p.map((v) => numberJson(v, out.f32)).join(",")}]`).join(",")}]`;
      else json = `[${out.col.map((v) => numberJson(v, out.f32)).join(",")}]`;
      outputs.push(`${JSON.stringify(name)}:${json}`);
    }
    return `{"at":[${this.at.map((t) => t - first).join(",")}],"latencyMs":${this.latencyMs.json()},"inputs":{${inputs.join(",")}},"outputs":{${outputs.join(",")}}}`;
  }

  /** The batch as a COPY line (PREDICTION_BATCH_COLUMNS). Request ids are plain ([\w.:@/+=-], infra/log requestIdOf), so quoting them is enough. */
  copyLine(): string {
    if (this.line === undefined) {
      this.line = `${this.deploymentId}\t${this.version}\t${this.mode}\t${this.rows}\t${isoTime(this.firstAt)}\t${isoTime(this.lastAt)}\t{"${this.requestIds.join('","')}"}\t{${this.requestRows.join(",")}}\t{${this.indexedIds.map((id) => `"${id}"`).join(",")}}\t${copyText(this.dataJson())}\n`;
    }
    return this.line;
  }
}
export class PredictionLog {
  /** The batches being filled, by deployment id: one per version and mode. */
  private open = new Map<string, PredictionBatch[]>();
  /** Batches ready to be written, oldest first. */
  private sealed: PredictionBatch[] = [];
  /** Rows open, sealed or being written (what the bound applies to). */
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private soon = false;
  private closed = false;
  readonly config: PredictionLogConfig;

  constructor(
    private readonly write: ((lines: Iterable<string>) => Promise<void>) | undefined,
    config: Partial<PredictionLogConfig> = {},
    private readonly opts: { log?: Logger; hooks?: PredictionLogHooks } = {},
  ) {
    this.config = { ...DEFAULT_PREDICTION_LOG, ...config };
  }

  /** Whether anything is logged at all (a source that can write). */
  get enabled(): boolean {
    return this.write !== undefined;
  }

  /** Rows waiting to be written (open, sealed and in flight). */
  depth(): number {
    return this.pending;
  }

  /** Appends an answer's rows to its batch; drops (and counts) them when the queue is full. */
  record(a: LoggedAnswer): void {
    if (!this.write || a.rows <= 0) return;
    if (this.closed || this.pending + a.rows > this.config.maxRows) {
      this.opts.hooks?.dropped?.(a.deployment, a.rows);
      return;
    }
    const outputs = outputsOf(a.results);
    // The open batches of the deployment (a version and mode each): no key string per answer (measured: it cost more than the append).
    let open = this.open.get(a.deploymentId);
    if (!open) this.open.set(a.deploymentId, (open = []));
    let at = 0;
    while (at < open.length && (open[at]!.version !== a.version || open[at]!.mode !== a.mode)) at++;
    let batch = open[at];
    // A batch spans at most BATCH_MAX_SPAN_MS (feedback looks for a prediction by time within it), even while the store is slow.
    if (batch && (!batch.fits(a, outputs) || a.at - batch.firstAt > BATCH_MAX_SPAN_MS)) {
      this.sealed.push(batch);
      batch = undefined;
    }
    if (!batch) {
      batch = new PredictionBatch(a.deploymentId, a.deployment, a.version, a.mode, a.feeds, outputs);
      open[at] = batch;
    }
    batch.append(a);
    this.pending += a.rows;
    if (batch.rows >= Math.min(this.config.batchRows, STORED_BATCH_ROWS)) {
      open.splice(at, 1);
      this.sealed.push(batch);
      let waiting = 0;
      for (const b of this.sealed) waiting += b.rows;
      if (waiting >= this.config.batchRows && !this.flushing && !this.soon) {
        this.soon = true;
        setImmediate(() => {
          this.soon = false;
          void this.flush();
        });
      }
    }
  }

  start(): void {
    if (!this.write || this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.config.flushMs);
    this.timer.unref();
  }

  /** Writes the waiting batches, up to batchRows rows per COPY (then more, while a full batch waits); one flush at a time. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    for (const open of this.open.values()) this.sealed.push(...open);
    this.open.clear();
    if (!this.write || this.sealed.length === 0) return Promise.resolve();
    const write = this.write;
    this.flushing = (async () => {
      for (;;) {
        let rows = 0;
        let n = 0;
        while (n < this.sealed.length && (n === 0 || rows + this.sealed[n]!.rows <= this.config.batchRows)) rows += this.sealed[n++]!.rows;
        const batches = this.sealed.splice(0, n);
        try {
          // Encoded one batch at a time as the COPY takes them: the event loop turns between two.
          await write(
            (function* () {
              for (const b of batches) yield b.copyLine();
            })(),
          );
        } catch (e) {
          // Kept for the next flush (they still count against the bound, so the queue stays bounded).
          this.sealed.unshift(...batches);
          this.opts.log?.warn({ err: e, rows }, `prediction log not written yet (${rows} rows): ${e instanceof Error ? e.message : String(e)}`);
          return;
        }
        this.pending -= rows;
        if (this.opts.hooks?.written) {
          const by = new Map<string, number>();
          for (const b of batches) by.set(b.deployment, (by.get(b.deployment) ?? 0) + b.rows);
          for (const [d, k] of by) this.opts.hooks.written(d, k);
        }
        let waiting = 0;
        for (const b of this.sealed) waiting += b.rows;
        if (this.sealed.length === 0 || (waiting < this.config.batchRows && !this.closed)) return;
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
    const waiting = () => this.sealed.length > 0 || [...this.open.values()].some((o) => o.length > 0);
    while (waiting() && Date.now() < deadline) {
      const before = this.pending;
      await Promise.race([this.flush(), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
      if (this.pending === before && waiting()) await new Promise((r) => setTimeout(r, 50).unref());
    }
    if (this.flushing) await Promise.race([this.flushing, new Promise((r) => setTimeout(r, 1_000).unref())]);
    for (const b of [...this.sealed.splice(0), ...[...this.open.values()].flat()]) {
      this.pending -= b.rows;
      this.opts.hooks?.dropped?.(b.deployment, b.rows);
    }
    this.open.clear();
  }
}
