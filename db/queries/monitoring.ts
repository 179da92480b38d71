/**
 * Monitoring's reads and writes: the logged predictions of a window (with
 * their ground truth), the serving figures of a window, computed monitor
 * windows, alert rules and monitor events (alerts firing and resolving,
 * retraining runs started or held back by a cooldown).
 */
import { and, asc, desc, eq, gte, inArray, lt, lte, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  alertRules,
  deployments,
  monitorEvents,
  monitorWindows,
  modelVersions,
  pipelines,
  predictionFeedback,
  predictionLogBatches,
  servingStats,
  type DeploymentMonitoring,
} from "../schema";
import { LATENCY_BUCKETS, latencyQuantileMs } from "../../contract/serving";
import { STATS_WINDOW_MS } from "./deployments";
import { MODEL_CHANGES_CHANNEL } from "./models";
import type { ModelManifest } from "../../contract/model";
import type { MonitorFigures } from "../../contract/monitoring";
import { BATCH_MAX_SPAN_MS, batchRows, loggedBatches, type LoggedRow } from "./prediction-log";

export type { DeploymentMonitoring };

export const DEFAULT_MONITORING: DeploymentMonitoring = { intervalSeconds: 3600, retentionDays: 30, enabled: true };

export interface MonitoredDeployment {
  id: string;
  teamId: string;
  name: string;
  modelId: string;
  monitoring: DeploymentMonitoring;
}

export async function getMonitoredDeployment(db: Db, by: { id: string } | { name: string }): Promise<MonitoredDeployment | null> {
  const [d] = await db
    .select({ id: deployments.id, teamId: deployments.teamId, name: deployments.name, modelId: deployments.modelId, monitoring: deployments.monitoring })
    .from(deployments)
    .where("id" in by ? eq(deployments.id, by.id) : eq(deployments.name, by.name))
    .limit(1);
  return d ?? null;
}

/** Sets a deployment's monitoring; the serving replicas reload it at once (they log predictions only while it is enabled). */
export async function setMonitoring(db: Db, deploymentId: string, monitoring: DeploymentMonitoring): Promise<void> {
  await db.transaction(async (tx) => {
    const [d] = await tx.update(deployments).set({ monitoring }).where(eq(deployments.id, deploymentId)).returning({ name: deployments.name });
    if (d) await tx.execute(sql`select pg_notify(${MODEL_CHANGES_CHANNEL}, ${d.name})`);
  });
}

/** Every deployment, for the monitor schedules (created when missing). */
export async function listMonitoredDeployments(db: Db): Promise<MonitoredDeployment[]> {
  return db
    .select({ id: deployments.id, teamId: deployments.teamId, name: deployments.name, modelId: deployments.modelId, monitoring: deployments.monitoring })
    .from(deployments);
}

/** One logged live prediction with its ground truth, if any arrived. */
export interface LoggedPrediction extends LoggedRow {
  label: string | null;
  value: number | null;
}

/**
 * The predictions logged in [from, to), oldest first, at most `limit`,
 * joined with their feedback: the live ones, or (mode "all") the shadows'
 * too, which share the live answer's request id and row, so its feedback.
 */
export async function loggedPredictions(
  db: Db,
  deploymentId: string,
  from: Date,
  to: Date,
  limit = 1_000_000,
  mode: "live" | "all" = "live",
): Promise<LoggedPrediction[]> {
  const batches = await loggedBatches(db, deploymentId, { mode: mode === "all" ? undefined : "live", from, to });
  const rows = batches.flatMap((b) => batchRows(b, { from, to }));
  // Batches of two replicas (or a flush that waited) overlap in time: oldest first across them; stable within one.
  rows.sort((a, b) => a.at.getTime() - b.at.getTime());
  if (rows.length > limit) rows.length = limit;
  const feedback = await db.execute<{ request_id: string; row: number; label: string | null; value: number | null }>(sql`
    select f.request_id, f.row, f.label, f.value from ${predictionFeedback} f
    where f.deployment_id = ${deploymentId} and f.request_id in (
      select unnest(b.request_ids) from ${predictionLogBatches} b
      where b.deployment_id = ${deploymentId} and b.mode = 'live' and b.first_at >= ${new Date(from.getTime() - BATCH_MAX_SPAN_MS).toISOString()}
        and b.first_at < ${to.toISOString()} and b.last_at >= ${from.toISOString()})`);
  const truth = new Map(feedback.map((f) => [`${f.row}\u0000${f.request_id}`, f]));
  return rows.map((r) => {
    const f = truth.get(`${r.row}\u0000${r.requestId}`);
    return { ...r, label: f?.label ?? null, value: f?.value ?? null };
  });
}

/** The manifests and evaluation metrics of some versions of a model. */
export async function versionManifests(db: Db, modelId: string, versions: number[]) {
  if (versions.length === 0) return [];
  return db
    .select({ version: modelVersions.version, manifest: modelVersions.manifest, metrics: modelVersions.metrics })
    .from(modelVersions)
    .where(and(eq(modelVersions.modelId, modelId), inArray(modelVersions.version, versions)))
    .then((rows) => rows.map((r) => ({ ...r, manifest: r.manifest as unknown as ModelManifest })));
}

export interface SystemFigures {
  requests: number;
  errors: number;
  errorRate: number | null;
  ratePerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Live traffic of a deployment in [from, to) from the serving replicas' 10-second windows that overlap it, summed over replicas and versions. */
export async function systemFigures(db: Db, deployment: string, from: Date, to: Date): Promise<SystemFigures> {
  const rows = await db
    .select({ requests: servingStats.requests, errors: servingStats.errors, buckets: servingStats.latencyBuckets })
    .from(servingStats)
    .where(
      and(
        eq(servingStats.deployment, deployment),
        eq(servingStats.mode, "live"),
        gte(servingStats.windowStart, new Date(Math.floor(from.getTime() / STATS_WINDOW_MS) * STATS_WINDOW_MS)),
        lt(servingStats.windowStart, to),
      ),
    );
  const buckets = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  let requests = 0;
  let errors = 0;
  for (const r of rows) {
    requests += r.requests;
    errors += r.errors;
    r.buckets.forEach((c, i) => {
      if (i < buckets.length) buckets[i]! += c;
    });
  }
  const seconds = Math.max(1, (to.getTime() - from.getTime()) / 1000);
  return {
    requests,
    errors,
    errorRate: requests ? errors / requests : null,
    ratePerSecond: requests / seconds,
    p50Ms: requests ? latencyQuantileMs(buckets, 0.5) : null,
    p99Ms: requests ? latencyQuantileMs(buckets, 0.99) : null,
  };
}

export type MonitorWindowRow = typeof monitorWindows.$inferSelect;

/** Stores a computed window (a recomputation of the same window replaces it). */
export async function saveMonitorWindow(
  db: Db,
  w: { deploymentId: string; windowStart: Date; windowEnd: Date; rows: number; figures: Record<string, unknown> },
) {
  await db
    .insert(monitorWindows)
    .values({ ...w, computedAt: new Date() })
    .onConflictDoUpdate({
      target: [monitorWindows.deploymentId, monitorWindows.windowStart, monitorWindows.windowEnd],
      set: { rows: w.rows, figures: w.figures, computedAt: new Date() },
    });
}

/** Windows that start in [from, to), oldest first. */
export async function listMonitorWindows(db: Db, deploymentId: string, from: Date, to: Date, limit = 5000): Promise<MonitorWindowRow[]> {
  return db
    .select()
    .from(monitorWindows)
    .where(and(eq(monitorWindows.deploymentId, deploymentId), gte(monitorWindows.windowStart, from), lt(monitorWindows.windowStart, to)))
    .orderBy(asc(monitorWindows.windowStart), asc(monitorWindows.windowEnd))
    .limit(limit);
}

/** The newest windows ending at or before `end`, newest first (what an alert rule's `forWindows` looks back over). */
export async function recentMonitorWindows(db: Db, deploymentId: string, end: Date, n: number): Promise<MonitorWindowRow[]> {
  return db
    .select()
    .from(monitorWindows)
    .where(and(eq(monitorWindows.deploymentId, deploymentId), lte(monitorWindows.windowEnd, end)))
    .orderBy(desc(monitorWindows.windowEnd), desc(monitorWindows.computedAt))
    .limit(n);
}

/** The newest computed window of a deployment with each version's live quality in it (windows computed before that existed have none). */
export async function latestVersionQuality(db: Db, deploymentId: string) {
  const [w] = await db
    .select({ windowStart: monitorWindows.windowStart, windowEnd: monitorWindows.windowEnd, figures: monitorWindows.figures })
    .from(monitorWindows)
    .where(and(eq(monitorWindows.deploymentId, deploymentId), sql`${monitorWindows.figures} ? 'versionQuality'`))
    .orderBy(desc(monitorWindows.windowEnd), desc(monitorWindows.computedAt))
    .limit(1);
  if (!w) return null;
  return { windowStart: w.windowStart, windowEnd: w.windowEnd, versions: (w.figures as unknown as MonitorFigures).versionQuality ?? [] };
}

export type AlertRuleRow = typeof alertRules.$inferSelect;

export async function listAlertRules(db: Db, deploymentId: string): Promise<AlertRuleRow[]> {
  return db.select().from(alertRules).where(eq(alertRules.deploymentId, deploymentId)).orderBy(asc(alertRules.createdAt));
}

/** Replaces a deployment's alert rules (ids of rules that stay the same are kept, so their events stay linked). */
export async function replaceAlertRules(
  db: Db,
  deploymentId: string,
  rules: { metric: string; feature: string | null; op: string; value: number; forWindows: number }[],
): Promise<AlertRuleRow[]> {
  return db.transaction(async (tx) => {
    const existing = await tx.select().from(alertRules).where(eq(alertRules.deploymentId, deploymentId));
    const same = (a: (typeof rules)[number], b: AlertRuleRow) =>
      a.metric === b.metric && (a.feature ?? null) === b.feature && a.op === b.op && a.value === b.value && a.forWindows === b.forWindows;
    const keep = existing.filter((e) => rules.some((r) => same(r, e)));
    const gone = existing.filter((e) => !keep.includes(e)).map((e) => e.id);
    if (gone.length) await tx.delete(alertRules).where(inArray(alertRules.id, gone));
    const add = rules.filter((r) => !keep.some((e) => same(r, e)));
    if (add.length) await tx.insert(alertRules).values(add.map((r) => ({ ...r, deploymentId })));
    return tx.select().from(alertRules).where(eq(alertRules.deploymentId, deploymentId)).orderBy(asc(alertRules.createdAt));
  });
}

export type MonitorEventRow = typeof monitorEvents.$inferSelect;
export type MonitorEventKind = "alert.firing" | "alert.resolved" | "retrain.started" | "retrain.cooldown" | "retrain.failed";

export async function addMonitorEvent(
  db: Db,
  e: Omit<typeof monitorEvents.$inferInsert, "id" | "createdAt"> & { kind: MonitorEventKind },
): Promise<MonitorEventRow> {
  const [row] = await db.insert(monitorEvents).values(e).returning();
  return row!;
}

/** Events of a deployment, newest first; `from`/`to` bound their windows. */
export async function listMonitorEvents(
  db: Db,
  deploymentId: string,
  opts: { from?: Date; to?: Date; limit?: number } = {},
): Promise<(MonitorEventRow & { pipelineName: string | null })[]> {
  return db
    .select({ e: monitorEvents, pipelineName: pipelines.name })
    .from(monitorEvents)
    .leftJoin(pipelines, eq(pipelines.id, monitorEvents.pipelineId))
    .where(
      and(
        eq(monitorEvents.deploymentId, deploymentId),
        opts.from ? gte(monitorEvents.windowEnd, opts.from) : undefined,
        opts.to ? lte(monitorEvents.windowStart, opts.to) : undefined,
      ),
    )
    .orderBy(desc(monitorEvents.createdAt))
    .limit(opts.limit ?? 500)
    .then((rows) => rows.map((r) => ({ ...r.e, pipelineName: r.pipelineName })));
}

/** The newest event of a rule (its state: firing until resolved). */
export async function lastRuleEvent(db: Db, ruleId: string): Promise<MonitorEventRow | null> {
  const [e] = await db.select().from(monitorEvents).where(eq(monitorEvents.ruleId, ruleId)).orderBy(desc(monitorEvents.createdAt)).limit(1);
  return e ?? null;
}

/** When a drift trigger of a pipeline last started a run for a deployment (its cooldown counts from there). */
export async function lastRetrainStarted(db: Db, deploymentId: string, pipelineId: string): Promise<Date | null> {
  const [e] = await db
    .select({ at: monitorEvents.createdAt })
    .from(monitorEvents)
    .where(and(eq(monitorEvents.deploymentId, deploymentId), eq(monitorEvents.pipelineId, pipelineId), eq(monitorEvents.kind, "retrain.started")))
    .orderBy(desc(monitorEvents.createdAt))
    .limit(1);
  return e?.at ?? null;
}

export async function setEventRun(db: Db, eventId: string, runId: string): Promise<void> {
  await db.update(monitorEvents).set({ runId }).where(eq(monitorEvents.id, eventId));
}

/** Windows older than the deployment's retention are deleted with its predictions. */
export async function pruneMonitorWindows(db: Db, deploymentId: string, before: Date): Promise<number> {
  const r = await db
    .delete(monitorWindows)
    .where(and(eq(monitorWindows.deploymentId, deploymentId), lt(monitorWindows.windowEnd, before)))
    .returning({ s: monitorWindows.windowStart });
  return r.length;
}
