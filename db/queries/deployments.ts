/**
 * Deployments: named endpoints whose routes send traffic to model versions
 * (live by weight, or as shadows), their audit log, and the live figures
 * every serving replica writes. Every change of routes is one transaction
 * with its event and a NOTIFY, so the serving replicas follow at once.
 */
import { and, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  deploymentEvents,
  deployments,
  modelAliases,
  models,
  modelVersions,
  runs,
  pipelines,
  servingStats,
  type DeploymentRollout,
  type DeploymentRoute,
} from "../schema";
import { MODEL_CHANGES_CHANNEL, type ServedModel } from "./models";
import type { ModelManifest } from "../../contract/model";
import { LATENCY_BUCKETS, latencyQuantileMs } from "../../contract/serving";

export type { DeploymentRollout, DeploymentRoute };

/** How a deployment keeps one caller on one version (A/B): an OIP request parameter or an input column. */
export interface StickyKey {
  parameter?: string;
  column?: string;
}

/** Per-deployment serving options (deployments.config). */
export interface DeploymentConfig {
  sticky?: StickyKey;
  /** Dynamic batching: at most this many rows per session run, waiting at most maxDelayMs for more. */
  batching?: { maxBatchSize: number; maxDelayMs: number };
}

export interface ServedRoute {
  served: ServedModel;
  weight: number;
  mode: "live" | "shadow";
}

/** What the serving process needs to answer `/v2/models/{name}`: every route, resolved to a version. */
export interface ServedDeployment {
  name: string;
  modelName: string;
  routes: ServedRoute[];
  config: DeploymentConfig;
  /** Set when the deployment's predictions are logged (`monitoring.enabled`): the deployment's id, which prediction_log rows carry. */
  logTo?: string;
}

/** The stable routes: everything to the version `alias` names. */
export function stableRoutes(alias: string): DeploymentRoute[] {
  return [{ alias, weight: 100, mode: "live" }];
}

function describeRef(r: DeploymentRoute): string {
  return r.version !== undefined ? `v${r.version}` : `@${r.alias}`;
}

/** "v7 10% live, @champion 90% live, v8 shadow": for audit reasons and logs. */
export function describeRoutes(routes: readonly DeploymentRoute[]): string {
  return routes.map((r) => (r.mode === "shadow" ? `${describeRef(r)} shadow` : `${describeRef(r)} ${r.weight}%`)).join(", ");
}

/**
 * Resolves the active deployment `name`: each route's alias to its version
 * now. A route whose alias or version no longer exists is left out; null when
 * no live route is left (the endpoint serves nothing).
 */
export async function resolveDeployment(db: Db, name: string): Promise<ServedDeployment | null> {
  const [dep] = await db
    .select({
      id: deployments.id,
      modelId: deployments.modelId,
      modelName: models.name,
      routes: deployments.routes,
      config: deployments.config,
      monitoring: deployments.monitoring,
    })
    .from(deployments)
    .innerJoin(models, eq(models.id, deployments.modelId))
    .where(and(eq(deployments.name, name), eq(deployments.status, "active")))
    .limit(1);
  if (!dep) return null;
  const aliasRows = await db
    .select({ alias: modelAliases.alias, version: modelAliases.version })
    .from(modelAliases)
    .where(eq(modelAliases.modelId, dep.modelId));
  const aliases = new Map(aliasRows.map((a) => [a.alias, a.version]));
  const wanted = dep.routes.map((r) => (r.version !== undefined ? r.version : aliases.get(r.alias ?? "")));
  const numbers = [...new Set(wanted.filter((v): v is number => v !== undefined))];
  const rows = numbers.length
    ? await db
        .select()
        .from(modelVersions)
        .where(and(eq(modelVersions.modelId, dep.modelId), inArray(modelVersions.version, numbers)))
    : [];
  const byVersion = new Map(rows.map((r) => [r.version, r]));
  const routes: ServedRoute[] = [];
  dep.routes.forEach((r, i) => {
    const mv = byVersion.get(wanted[i] ?? -1);
    if (!mv) return;
    routes.push({
      weight: r.weight,
      mode: r.mode,
      served: {
        name,
        modelName: dep.modelName,
        version: mv.version,
        artifactUri: mv.artifactUri,
        sha256: mv.sha256,
        manifest: mv.manifest as unknown as ModelManifest,
      },
    });
  });
  if (!routes.some((r) => r.mode === "live" && r.weight > 0)) return null;
  return { name, modelName: dep.modelName, routes, config: dep.config, ...(dep.monitoring.enabled !== false ? { logTo: dep.id } : {}) };
}

/**
 * Creates the endpoint `name` for a model (stable routes following `alias`),
 * or points an existing one at it again: routes back to stable, any rollout
 * ended. Audited when anything changed.
 */
export async function upsertDeployment(
  db: Db,
  input: { teamId: string; name: string; modelId: string; alias: string; strategy: string; runId?: string; actor: string; reason: string },
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${"deployment:" + input.name}))`);
    const [prev] = await tx.select().from(deployments).where(eq(deployments.name, input.name)).for("update").limit(1);
    const routes = stableRoutes(input.alias);
    const [row] = await tx
      .insert(deployments)
      .values({
        teamId: input.teamId,
        name: input.name,
        modelId: input.modelId,
        alias: input.alias,
        strategy: input.strategy,
        routes,
        runId: input.runId ?? null,
      })
      .onConflictDoUpdate({
        target: deployments.name,
        set: {
          modelId: input.modelId,
          alias: input.alias,
          strategy: input.strategy,
          routes,
          rollout: null,
          runId: input.runId ?? null,
          status: "active",
          updatedAt: new Date(),
        },
      })
      .returning({ id: deployments.id });
    const same = prev && prev.status === "active" && prev.modelId === input.modelId && JSON.stringify(prev.routes) === JSON.stringify(routes) && !prev.rollout;
    if (!same) {
      await tx.insert(deploymentEvents).values({
        deploymentId: row!.id,
        kind: prev ? "updated" : "created",
        fromRoutes: prev?.routes ?? null,
        toRoutes: routes,
        actor: input.actor,
        reason: input.reason,
        runId: input.runId ?? null,
      });
    }
    await tx.execute(sql`select pg_notify(${MODEL_CHANGES_CHANNEL}, ${input.name})`);
    return { id: row!.id };
  });
}

export type DeploymentRow = typeof deployments.$inferSelect;

/** Serialises changes of one deployment: the caller's callback sees the row locked, and what it returns is applied with an event. */
export async function changeDeployment(
  db: Db,
  input: { teamId: string; name: string },
  decide: (row: DeploymentRow & { modelName: string }) => Promise<{
    routes: DeploymentRoute[];
    rollout: DeploymentRollout | null;
    /** New serving options (e.g. an A/B test's sticky key); unchanged when absent. */
    config?: DeploymentConfig;
    kind: string;
    actor: string;
    reason: string;
    runId?: string | null;
  } | null>,
): Promise<{ row: DeploymentRow; changed: boolean } | null> {
  return db.transaction(async (tx) => {
    const [found] = await tx
      .select({ d: deployments, modelName: models.name })
      .from(deployments)
      .innerJoin(models, eq(models.id, deployments.modelId))
      .where(and(eq(deployments.teamId, input.teamId), eq(deployments.name, input.name)))
      .for("update", { of: deployments })
      .limit(1);
    if (!found) return null;
    const change = await decide({ ...found.d, modelName: found.modelName });
    if (!change) return { row: found.d, changed: false };
    const [row] = await tx
      .update(deployments)
      .set({
        routes: change.routes,
        rollout: change.rollout,
        ...(change.config ? { config: change.config as Record<string, unknown> } : {}),
        updatedAt: new Date(),
      })
      .where(eq(deployments.id, found.d.id))
      .returning();
    await tx.insert(deploymentEvents).values({
      deploymentId: found.d.id,
      kind: change.kind,
      fromRoutes: found.d.routes,
      toRoutes: change.routes,
      actor: change.actor,
      reason: change.reason,
      runId: change.runId ?? null,
    });
    await tx.execute(sql`select pg_notify(${MODEL_CHANGES_CHANNEL}, ${input.name})`);
    return { row: row!, changed: true };
  });
}

export async function listActiveDeploymentNames(db: Db): Promise<string[]> {
  const rows = await db.select({ name: deployments.name }).from(deployments).where(eq(deployments.status, "active"));
  return rows.map((r) => r.name);
}

/** A team's deployments with their model's aliases (to show what each alias route points at). */
export async function listDeployments(db: Db, teamId: string, opts: { modelName?: string } = {}) {
  const rows = await db
    .select({ d: deployments, modelName: models.name })
    .from(deployments)
    .innerJoin(models, eq(models.id, deployments.modelId))
    .where(and(eq(deployments.teamId, teamId), opts.modelName ? eq(models.name, opts.modelName) : undefined))
    .orderBy(deployments.name);
  const modelIds = [...new Set(rows.map((r) => r.d.modelId))];
  const aliasRows = modelIds.length ? await db.select().from(modelAliases).where(inArray(modelAliases.modelId, modelIds)) : [];
  return rows.map(({ d, modelName }) => ({
    ...d,
    modelName,
    aliases: Object.fromEntries(aliasRows.filter((a) => a.modelId === d.modelId).map((a) => [a.alias, a.version])),
  }));
}

/** A team's deployment by name with its aliases, or null. */
export async function getDeployment(db: Db, teamId: string, name: string) {
  const [found] = await db
    .select({ d: deployments, modelName: models.name })
    .from(deployments)
    .innerJoin(models, eq(models.id, deployments.modelId))
    .where(and(eq(deployments.teamId, teamId), eq(deployments.name, name)))
    .limit(1);
  if (!found) return null;
  const aliasRows = await db.select().from(modelAliases).where(eq(modelAliases.modelId, found.d.modelId));
  return { ...found.d, modelName: found.modelName, aliases: Object.fromEntries(aliasRows.map((a) => [a.alias, a.version])) as Record<string, number> };
}

/** The newest events of a deployment, newest first, with the name of the pipeline of each event's run. */
export async function deploymentHistory(db: Db, deploymentId: string, limit = 50) {
  return db
    .select({
      kind: deploymentEvents.kind,
      fromRoutes: deploymentEvents.fromRoutes,
      toRoutes: deploymentEvents.toRoutes,
      actor: deploymentEvents.actor,
      reason: deploymentEvents.reason,
      runId: deploymentEvents.runId,
      pipelineName: pipelines.name,
      createdAt: deploymentEvents.createdAt,
    })
    .from(deploymentEvents)
    .leftJoin(runs, eq(runs.id, deploymentEvents.runId))
    .leftJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .where(eq(deploymentEvents.deploymentId, deploymentId))
    .orderBy(desc(deploymentEvents.createdAt))
    .limit(limit);
}

/** One replica's counts for one (deployment, version, mode) in one 10-second window. */
export interface ServingStatsRow {
  deployment: string;
  version: number;
  mode: "live" | "shadow";
  windowStart: Date;
  requests: number;
  errors: number;
  /** One count per LATENCY_BUCKETS bound, then +Inf. */
  latencyBuckets: number[];
  latencySumMs: number;
  compared: number;
  agreed: number;
}

export const STATS_WINDOW_MS = 10_000;

/** Adds a replica's counts (upsert per window: a replica flushes a window more than once). */
export async function recordServingStats(db: Db, replica: string, rows: readonly ServingStatsRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(servingStats)
    .values(rows.map((r) => ({ replica, ...r })))
    .onConflictDoUpdate({
      target: [servingStats.replica, servingStats.deployment, servingStats.version, servingStats.mode, servingStats.windowStart],
      set: {
        requests: sql`${servingStats.requests} + excluded.requests`,
        errors: sql`${servingStats.errors} + excluded.errors`,
        latencyBuckets: sql`(select jsonb_agg(coalesce((${servingStats.latencyBuckets}->>(i - 1))::bigint, 0) + (excluded.latency_buckets->>(i - 1))::bigint order by i) from generate_series(1, jsonb_array_length(excluded.latency_buckets)) as i)`,
        latencySumMs: sql`${servingStats.latencySumMs} + excluded.latency_sum_ms`,
        compared: sql`${servingStats.compared} + excluded.compared`,
        agreed: sql`${servingStats.agreed} + excluded.agreed`,
      },
    });
}

/** How long live figures are kept (the deployments page reads minutes to days back). */
export const STATS_RETENTION_MS = 14 * 86_400_000;

/** Deletes figures older than the retention; returns how many windows went. */
export async function pruneServingStats(db: Db, now = Date.now()): Promise<number> {
  const gone = await db
    .delete(servingStats)
    .where(lt(servingStats.windowStart, new Date(now - STATS_RETENTION_MS)))
    .returning({ replica: servingStats.replica });
  return gone.length;
}

export interface VersionFigures {
  version: number;
  mode: "live" | "shadow";
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Shadow: share of compared answers equal to the live answer (null before any). */
  agreement: number | null;
  compared: number;
}

/** Live figures per (version, mode) of a deployment since `since`, summed over replicas and windows. */
export async function deploymentFigures(db: Db, deployment: string, since: Date): Promise<VersionFigures[]> {
  const rows = await db
    .select()
    .from(servingStats)
    .where(
      and(eq(servingStats.deployment, deployment), gte(servingStats.windowStart, new Date(Math.floor(since.getTime() / STATS_WINDOW_MS) * STATS_WINDOW_MS))),
    );
  const acc = new Map<
    string,
    { version: number; mode: "live" | "shadow"; requests: number; errors: number; buckets: number[]; compared: number; agreed: number }
  >();
  for (const r of rows) {
    const key = `${r.version}:${r.mode}`;
    let a = acc.get(key);
    if (!a) {
      a = {
        version: r.version,
        mode: r.mode as "live" | "shadow",
        requests: 0,
        errors: 0,
        buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
        compared: 0,
        agreed: 0,
      };
      acc.set(key, a);
    }
    a.requests += r.requests;
    a.errors += r.errors;
    a.compared += r.compared;
    a.agreed += r.agreed;
    r.latencyBuckets.forEach((c, i) => {
      if (i < a.buckets.length) a.buckets[i]! += c;
    });
  }
  return [...acc.values()]
    .sort((x, y) => x.version - y.version || x.mode.localeCompare(y.mode))
    .map((a) => ({
      version: a.version,
      mode: a.mode,
      requests: a.requests,
      errors: a.errors,
      errorRate: a.requests ? a.errors / a.requests : 0,
      p50Ms: latencyQuantileMs(a.buckets, 0.5),
      p99Ms: latencyQuantileMs(a.buckets, 0.99),
      agreement: a.compared ? a.agreed / a.compared : null,
      compared: a.compared,
    }));
}
