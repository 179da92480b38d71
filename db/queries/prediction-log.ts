/**
 * The prediction log and its feedback: what the serving process writes
 * (server/serving/prediction-log.ts, with COPY in batches), what
 * `POST /api/v1/deployments/{name}/feedback` joins to it, and the retention
 * the monitor's schedule applies.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Db } from "../client";
import { deployments, modelAliases, modelVersions } from "../schema";

/** The columns of a COPY line, in order: tab-separated, in PostgreSQL's text format (copyText escapes each). */
export const PREDICTION_LOG_COLUMNS = ["deployment_id", "request_id", "row", "version", "mode", "inputs", "outputs", "latency_ms", "at"] as const;

/**
 * A value as a field of COPY's text format: backslashes doubled (JSON text
 * has no raw tab, newline or carriage return, and request ids none at all:
 * infra/log requestIdOf).
 */
export function copyText(s: string): string {
  return s.includes("\\") ? s.replaceAll("\\", "\\\\") : s;
}

const COPY = `copy prediction_log (${PREDICTION_LOG_COLUMNS.join(", ")}) from stdin`;

/**
 * Writes COPY text lines (each ends with a newline; fields per
 * PREDICTION_LOG_COLUMNS) into prediction_log, chunk by chunk: one COPY, so
 * all of them or none.
 */
export async function copyPredictionLog(db: Db, chunks: AsyncIterable<string> | Iterable<string>): Promise<void> {
  // A connection of its own while the COPY streams: postgres.js pipelines queries on a pooled
  // connection, and another query's messages inside a COPY break the protocol.
  const conn = await db.$client.reserve();
  try {
    const stream: Writable = await conn.unsafe(COPY).writable();
    await pipeline(async function* () {
      for await (const c of chunks) yield c;
    }, stream);
  } finally {
    conn.release();
  }
}

/** Every logged row of a deployment, live and shadow, oldest first (tests; the monitor reads windows with db/queries/monitoring.ts). */
export async function predictionLogRows(db: Db, deploymentId: string) {
  return db.execute<{
    request_id: string;
    row: number;
    version: number;
    mode: string;
    inputs: Record<string, number | string | null>;
    outputs: Record<string, unknown>;
    latency_ms: number;
    at: string;
  }>(sql`select request_id, row, version, mode, inputs, outputs, latency_ms, at from prediction_log where deployment_id = ${deploymentId} order by id`);
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
    const keys = JSON.stringify(rows.map((r) => ({ r: r.requestId, n: r.row })));
    const found = await tx.execute<{ request_id: string; row: number }>(sql`
      select distinct l.request_id, l.row from prediction_log l
      join jsonb_to_recordset(${keys}::jsonb) as f(r text, n int) on l.request_id = f.r and l.row = f.n
      where l.deployment_id = ${deploymentId} and l.mode = 'live'`);
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
 * deployment's `monitoring.retentionDays` (by their `at`), `batch` rows per
 * statement so no delete holds its locks for long. Returns how many went.
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
      const gone = await db.execute(sql`
        delete from prediction_log where id in (
          select id from prediction_log where deployment_id = ${d.id} and at < ${cutoff} limit ${batch})`);
      predictions += gone.count;
      if (gone.count < batch) break;
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
