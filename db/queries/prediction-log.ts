/**
 * The prediction log and its feedback: what the serving process writes
 * (server/serving/prediction-log.ts: a prediction_log_batches row per batch,
 * with COPY), how a batch reads back as predictions, what
 * `POST /api/v1/deployments/{name}/feedback` joins to it, and the retention
 * the monitor's schedule applies.
 */
import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Db } from "../client";
import { requestIdTime } from "../../infra/log";
import { deployments, modelAliases, modelVersions, predictionLogBatches } from "../schema";

/** The columns of a COPY line, in order: tab-separated, in PostgreSQL's text format (copyText escapes the data). */
export const PREDICTION_BATCH_COLUMNS = [
  "deployment_id",
  "version",
  "mode",
  "row_count",
  "first_at",
  "last_at",
  "request_ids",
  "request_rows",
  "indexed_request_ids",
  "data",
] as const;

/**
 * Finding a logged prediction by its request id without an index entry per
 * prediction: an id serving made is a UUIDv7 that carries when the request
 * arrived (t), and a prediction answered within ANSWER_WITHIN_MS of it
 * (allowing CLOCK_SLACK_MS for the clock stepping back) lies in a batch whose
 * first_at is within [t − CLOCK_SLACK_MS − BATCH_MAX_SPAN_MS, t +
 * ANSWER_WITHIN_MS], since serving seals a batch once it spans
 * BATCH_MAX_SPAN_MS. Every other id (chosen by the caller, or answered
 * later) goes into the batch's indexed_request_ids (a GIN index). Measured:
 * an index entry per prediction cost PostgreSQL more than the rest of the
 * batch together (docs/benchmarks.md, serving).
 */
export const BATCH_MAX_SPAN_MS = 60_000;
export const ANSWER_WITHIN_MS = 10_000;
export const CLOCK_SLACK_MS = 1_000;

/** Whether a prediction answered at `at`, whose request id was made at `requestAt` (null: chosen by the caller), is found by time. */
export function foundByTime(requestAt: number | null, at: number): boolean {
  return requestAt !== null && at >= requestAt - CLOCK_SLACK_MS && at <= requestAt + ANSWER_WITHIN_MS;
}

/**
 * A column of numbers packed as the bytes of a Float32Array or Float64Array
 * (native byte order: little-endian on every platform Conveyor runs on), in
 * base64: what serving writes for float columns, since writing a float as
 * decimal text cost more than everything else a logged row costs serving
 * (docs/benchmarks.md, serving). NaN reads back as null (missing).
 */
export type PackedNumbers = { f32: string } | { f64: string };

/** A column as stored: values as JSON, or numbers packed. */
export type StoredColumn<T> = T[] | PackedNumbers;

/**
 * A batch's `data`, column by column (index i is the batch's i-th
 * prediction, the one at request_ids[i], request_rows[i]).
 */
export interface PredictionBatchData {
  /** When each was answered: ms after the batch's first_at. */
  at: number[];
  /** The request's model time (ms). */
  latencyMs: StoredColumn<number>;
  /** Feature → each row's value as the model received it (null: missing). */
  inputs: Record<string, StoredColumn<number | string | null>>;
  /** Output → each row's value: prediction (number), label (string), probabilities (number[]). */
  outputs: Record<string, StoredColumn<unknown>>;
}

/**
 * The double closest to a float32 with the fewest decimals that still reads
 * back as the same float32 (0.1, not 0.10000000149011612); null for NaN and
 * ±Infinity. What the model received, as a person would write it.
 */
export function shortestFloat32(v: number): number | null {
  if (v !== v || v === Infinity || v === -Infinity) return null;
  // The common case, cheaply: the fewest decimals (up to 6) whose rounding reads back as v.
  const m = v < 0 ? -v : v;
  if (m < 1e7 && (m >= 1e-3 || m === 0)) {
    let scale = 1;
    for (let k = 0; k <= 6; k++, scale *= 10) {
      const d = Math.round(v * scale) / scale;
      if (Math.fround(d) === v) return d;
    }
  }
  const d = Number(v.toPrecision(7));
  return Math.fround(d) === v ? d : Number(v.toPrecision(9));
}

/** The bytes of a packed column as the typed array they came from (copied: base64 decoding gives no alignment). */
function packedArray(p: PackedNumbers): Float32Array | Float64Array {
  const bytes = Buffer.from("f32" in p ? p.f32 : p.f64, "base64");
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return "f32" in p ? new Float32Array(buf) : new Float64Array(buf);
}

/** A stored column as its values (packed numbers unpacked: float32s as shortestFloat32, NaN as null). */
export function storedColumn<T>(col: StoredColumn<T>): (T | number | null)[] {
  if (Array.isArray(col)) return col;
  const a = packedArray(col);
  const out = new Array<number | null>(a.length);
  if (a instanceof Float32Array) for (let i = 0; i < a.length; i++) out[i] = shortestFloat32(a[i]!);
  else for (let i = 0; i < a.length; i++) out[i] = Number.isFinite(a[i]) ? a[i]! : null;
  return out;
}

/** One logged prediction, read back from its batch. */
export interface LoggedRow {
  requestId: string;
  row: number;
  version: number;
  mode: string;
  inputs: Record<string, number | string | null>;
  outputs: Record<string, unknown>;
  latencyMs: number;
  at: Date;
}

/** A stored batch as the rows it holds (those answered in [from, to) when given), in order. */
export function batchRows(
  b: { version: number; mode: string; firstAt: Date; requestIds: string[]; requestRows: number[]; data: string },
  range?: { from: Date; to: Date },
): LoggedRow[] {
  const d = JSON.parse(b.data) as PredictionBatchData;
  const first = b.firstAt.getTime();
  const inputs = Object.entries(d.inputs).map(([name, col]) => [name, storedColumn(col)] as const);
  const outputs = Object.entries(d.outputs).map(([name, col]) => [name, storedColumn(col)] as const);
  const latencyMs = storedColumn(d.latencyMs);
  const lo = range ? range.from.getTime() : -Infinity;
  const hi = range ? range.to.getTime() : Infinity;
  const rows: LoggedRow[] = [];
  for (let i = 0; i < b.requestIds.length; i++) {
    const at = first + d.at[i]!;
    if (at < lo || at >= hi) continue;
    const ins: Record<string, number | string | null> = {};
    for (const [name, col] of inputs) ins[name] = col[i] ?? null;
    const outs: Record<string, unknown> = {};
    for (const [name, col] of outputs) outs[name] = col[i];
    rows.push({
      requestId: b.requestIds[i]!,
      row: b.requestRows[i]!,
      version: b.version,
      mode: b.mode,
      inputs: ins,
      outputs: outs,
      latencyMs: latencyMs[i] ?? 0,
      at: new Date(at),
    });
  }
  return rows;
}

/**
 * A value as a field of COPY's text format: backslashes doubled (JSON text
 * has no raw tab, newline or carriage return, and request ids none at all:
 * infra/log requestIdOf).
 */
export function copyText(s: string): string {
  return s.includes("\\") ? s.replaceAll("\\", "\\\\") : s;
}

const COPY = `copy prediction_log_batches (${PREDICTION_BATCH_COLUMNS.join(", ")}) from stdin`;

/**
 * Writes COPY text lines (a batch each, ending with a newline; fields per
 * PREDICTION_BATCH_COLUMNS) into prediction_log_batches: one COPY, so all of
 * them or none.
 */
export async function copyPredictionLog(db: Db, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
  // A connection of its own while the COPY streams: postgres.js pipelines queries on a pooled
  // connection, and another query's messages inside a COPY break the protocol.
  const conn = await db.$client.reserve();
  try {
    const stream: Writable = await conn.unsafe(COPY).writable();
    await pipeline(async function* () {
      for await (const c of lines) yield c;
    }, stream);
  } finally {
    conn.release();
  }
}

/** The stored batches of a deployment overlapping [from, to) (all when no range), oldest first. */
export async function loggedBatches(db: Db, deploymentId: string, opts: { mode?: "live" | "shadow"; from?: Date; to?: Date } = {}) {
  return db
    .select({
      version: predictionLogBatches.version,
      mode: predictionLogBatches.mode,
      firstAt: predictionLogBatches.firstAt,
      requestIds: predictionLogBatches.requestIds,
      requestRows: predictionLogBatches.requestRows,
      data: predictionLogBatches.data,
    })
    .from(predictionLogBatches)
    .where(
      and(
        eq(predictionLogBatches.deploymentId, deploymentId),
        opts.mode ? eq(predictionLogBatches.mode, opts.mode) : undefined,
        // A batch spans at most BATCH_MAX_SPAN_MS: the first_at bound lets the index do the work.
        opts.from ? gte(predictionLogBatches.firstAt, new Date(opts.from.getTime() - BATCH_MAX_SPAN_MS)) : undefined,
        opts.from ? gte(predictionLogBatches.lastAt, opts.from) : undefined,
        opts.to ? lt(predictionLogBatches.firstAt, opts.to) : undefined,
      ),
    )
    .orderBy(asc(predictionLogBatches.firstAt), asc(predictionLogBatches.id));
}

/** Every logged prediction of a deployment, live and shadow, in the order written (tests; the monitor reads windows with db/queries/monitoring.ts). */
export async function predictionLogRows(db: Db, deploymentId: string): Promise<LoggedRow[]> {
  return (await loggedBatches(db, deploymentId)).flatMap((b) => batchRows(b));
}

/** What a deployment predicts, from the version its alias points at (else its newest): its task and, for classification, its classes. */
export async function deploymentTask(db: Db, deploymentId: string): Promise<{ task: string; classes: string[] | null } | null> {
  const [row] = await db
    .select({ manifest: modelVersions.manifest, aliased: sql<boolean>`${modelAliases.version} is not null` })
    .from(deployments)
    .innerJoin(modelVersions, eq(modelVersions.modelId, deployments.modelId))
    .leftJoin(
      modelAliases,
      and(eq(modelAliases.modelId, deployments.modelId), eq(modelAliases.alias, deployments.alias), eq(modelAliases.version, modelVersions.version)),
    )
    .where(eq(deployments.id, deploymentId))
    .orderBy(sql`${modelAliases.version} is null`, sql`${modelVersions.version} desc`)
    .limit(1);
  if (!row) return null;
  const m = row.manifest as { task?: unknown; classes?: unknown };
  return {
    task: typeof m.task === "string" ? m.task : "regression",
    classes: Array.isArray(m.classes) ? m.classes.map(String) : null,
  };
}

export interface FeedbackRow {
  requestId: string;
  row: number;
  label: string | null;
  value: number | null;
  at: Date;
}

/**
 * Stores feedback for logged LIVE predictions of a deployment, in one
 * transaction; the last one for a (request, row) wins (also within `rows`).
 * Returns the indexes of `rows` with no logged live prediction (not stored).
 */
export async function recordPredictionFeedback(db: Db, deploymentId: string, rows: readonly FeedbackRow[]): Promise<{ recorded: number; unknown: number[] }> {
  if (rows.length === 0) return { recorded: 0, unknown: [] };
  return db.transaction(async (tx) => {
    // Each (request, row) asked about, with the time in its id when serving made it (foundByTime).
    const keys = JSON.stringify(
      rows.map((r) => {
        const t = requestIdTime(r.requestId);
        return { r: r.requestId, n: r.row, t: t === null ? null : new Date(t).toISOString() };
      }),
    );
    const before = `${(CLOCK_SLACK_MS + BATCH_MAX_SPAN_MS) / 1000} seconds`;
    const slack = `${CLOCK_SLACK_MS / 1000} seconds`;
    const within = `${ANSWER_WITHIN_MS / 1000} seconds`;
    // The batches that may hold each: by the time in its id, or through the index of the others; then where in them.
    const found = await tx.execute<{ request_id: string; row: number }>(sql`
      with f as (select distinct * from jsonb_to_recordset(${keys}::jsonb) as f(r text, n int, t timestamptz)),
      candidates as (
        select f.r, f.n, b.id from f join ${predictionLogBatches} b
          on b.deployment_id = ${deploymentId} and b.mode = 'live'
          and b.first_at >= f.t - ${before}::interval and b.first_at <= f.t + ${within}::interval
          and b.last_at >= f.t - ${slack}::interval
        where f.t is not null
        union
        select f.r, f.n, b.id from f join ${predictionLogBatches} b
          on b.deployment_id = ${deploymentId} and b.mode = 'live' and b.indexed_request_ids @> array[f.r]
      )
      select distinct c.r as request_id, c.n as row
      from candidates c
      join ${predictionLogBatches} b on b.id = c.id
      cross join lateral unnest(array_positions(b.request_ids, c.r)) as p(i)
      where b.request_rows[p.i] = c.n`);
    const known = new Set(found.map((f) => `${f.row}\u0000${f.request_id}`));
    const unknown: number[] = [];
    // The last item for a (request, row) wins: one upsert row each.
    const last = new Map<string, FeedbackRow>();
    rows.forEach((r, i) => {
      const key = `${r.row}\u0000${r.requestId}`;
      if (!known.has(key)) unknown.push(i);
      else {
        last.delete(key);
        last.set(key, r);
      }
    });
    const keep = [...last.values()];
    if (keep.length) {
      await tx.execute(sql`
        insert into prediction_feedback (deployment_id, request_id, row, label, value, at)
        select ${deploymentId}::uuid, f."requestId", f.row, f.label, f.value, f.at
        from jsonb_to_recordset(${JSON.stringify(keep)}::jsonb) as f("requestId" text, row int, label text, value float8, at timestamptz)
        on conflict (deployment_id, request_id, row) do update
          set label = excluded.label, value = excluded.value, at = excluded.at, received_at = now()`);
    }
    return { recorded: rows.length - unknown.length, unknown };
  });
}

/**
 * Retention: deletes logged predictions and feedback older than each
 * deployment's `monitoring.retentionDays` (a batch of predictions once its
 * newest is; feedback by its `at`), `batch` stored rows per statement so no
 * delete holds its locks for long. Returns how many predictions and
 * feedback rows went.
 */
export async function pruneLoggedPredictions(db: Db, now = new Date(), opts: { batch?: number } = {}): Promise<{ predictions: number; feedback: number }> {
  const batch = opts.batch ?? 10_000;
  const deps = await db.select({ id: deployments.id, monitoring: deployments.monitoring }).from(deployments);
  let predictions = 0;
  let feedback = 0;
  for (const d of deps) {
    const days = Number(d.monitoring?.retentionDays);
    if (!Number.isFinite(days) || days <= 0) continue;
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
    for (;;) {
      const gone = await db.execute<{ row_count: number }>(sql`
        delete from prediction_log_batches where id in (
          select id from prediction_log_batches where deployment_id = ${d.id} and first_at < ${cutoff} and last_at < ${cutoff} limit ${batch})
        returning row_count`);
      for (const g of gone) predictions += g.row_count;
      if (gone.length < batch) break;
    }
    for (;;) {
      const gone = await db.execute(sql`
        delete from prediction_feedback where ctid in (
          select ctid from prediction_feedback where deployment_id = ${d.id} and at < ${cutoff} limit ${batch})`);
      feedback += gone.count;
      if (gone.count < batch) break;
    }
  }
  return { predictions, feedback };
}
