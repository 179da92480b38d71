import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { artifacts, metrics, pipelines, runs, runSteps, stepCache, type StepLog } from "../schema";

export type RunStatus = (typeof runs.$inferSelect)["status"];
type StepStatus = (typeof runSteps.$inferSelect)["status"];

export async function createRun(
  db: Db,
  input: {
    teamId: string;
    pipelineId: string;
    pipelineVersion: number;
    workflowId: string;
    params: Record<string, unknown>;
    trigger: string;
    triggerDetail?: Record<string, unknown>;
    createdBy?: string;
    steps: { nodeId: string; type: string }[];
  },
) {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .insert(runs)
      .values({
        teamId: input.teamId,
        pipelineId: input.pipelineId,
        pipelineVersion: input.pipelineVersion,
        workflowId: input.workflowId,
        params: input.params,
        trigger: input.trigger,
        triggerDetail: input.triggerDetail ?? {},
        createdBy: input.createdBy ?? null,
      })
      .returning();
    if (input.steps.length) await tx.insert(runSteps).values(input.steps.map((s, position) => ({ runId: run!.id, nodeId: s.nodeId, type: s.type, position })));
    return run!;
  });
}

export async function setRunStatus(db: Db, runId: string, status: RunStatus, error?: string | null) {
  const now = new Date();
  await db
    .update(runs)
    .set({
      status,
      error: error ?? null,
      ...(status === "running" ? { startedAt: sql`coalesce(${runs.startedAt}, now())` } : {}),
      ...(status === "succeeded" || status === "failed" || status === "cancelled" || status === "blocked" ? { finishedAt: now } : {}),
    })
    .where(eq(runs.id, runId));
}

export async function updateStep(
  db: Db,
  runId: string,
  nodeId: string,
  patch: { status?: StepStatus; attempt?: number; cached?: boolean; error?: string | null; outputs?: Record<string, unknown>; started?: boolean; finished?: boolean },
) {
  await db
    .update(runSteps)
    .set({
      ...(patch.status ? { status: patch.status } : {}),
      ...(patch.attempt !== undefined ? { attempt: patch.attempt } : {}),
      ...(patch.cached !== undefined ? { cached: patch.cached } : {}),
      ...(patch.error !== undefined ? { error: patch.error } : {}),
      ...(patch.outputs ? { outputs: patch.outputs } : {}),
      ...(patch.started ? { startedAt: sql`coalesce(${runSteps.startedAt}, now())` } : {}),
      ...(patch.finished ? { finishedAt: new Date() } : {}),
    })
    .where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId)));
}

export async function appendStepLogs(db: Db, runId: string, nodeId: string, logs: StepLog[]) {
  if (!logs.length) return;
  await db
    .update(runSteps)
    .set({ logs: sql`${runSteps.logs} || ${JSON.stringify(logs)}::jsonb` })
    .where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId)));
}

export async function insertMetrics(db: Db, rows: { runId: string; nodeId: string; key: string; step: number; value: number }[]) {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insert(metrics)
      .values(rows.slice(i, i + 1000))
      .onConflictDoUpdate({ target: [metrics.runId, metrics.nodeId, metrics.key, metrics.step], set: { value: sql`excluded.value` } });
  }
}

export async function insertArtifacts(db: Db, rows: (typeof artifacts.$inferInsert)[]) {
  if (rows.length) await db.insert(artifacts).values(rows);
}

export async function getCachedOutputs(db: Db, key: string) {
  const [r] = await db.select().from(stepCache).where(eq(stepCache.key, key)).limit(1);
  return r ?? null;
}

export async function putCachedOutputs(db: Db, row: typeof stepCache.$inferInsert) {
  await db.insert(stepCache).values(row).onConflictDoNothing();
}

export async function getRun(db: Db, teamId: string, runId: string) {
  const [run] = await db
    .select({ run: runs, pipelineName: pipelines.name })
    .from(runs)
    .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .where(and(eq(runs.teamId, teamId), eq(runs.id, runId)))
    .limit(1);
  if (!run) return null;
  const steps = await db.select().from(runSteps).where(eq(runSteps.runId, runId)).orderBy(asc(runSteps.position));
  const metricRows = await db.select().from(metrics).where(eq(metrics.runId, runId)).orderBy(asc(metrics.nodeId), asc(metrics.key), asc(metrics.step));
  return { ...run.run, pipelineName: run.pipelineName, steps, metrics: metricRows };
}

export async function listRuns(db: Db, teamId: string, opts: { pipelineId?: string; status?: RunStatus; limit?: number } = {}) {
  return db
    .select({ run: runs, pipelineName: pipelines.name })
    .from(runs)
    .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .where(and(eq(runs.teamId, teamId), opts.pipelineId ? eq(runs.pipelineId, opts.pipelineId) : undefined, opts.status ? eq(runs.status, opts.status) : undefined))
    .orderBy(desc(runs.createdAt))
    .limit(opts.limit ?? 50);
}

export async function runTeam(db: Db, runId: string): Promise<string | null> {
  const [r] = await db.select({ teamId: runs.teamId }).from(runs).where(eq(runs.id, runId)).limit(1);
  return r?.teamId ?? null;
}

export async function stepsOf(db: Db, runIds: string[]) {
  if (!runIds.length) return [];
  return db.select().from(runSteps).where(inArray(runSteps.runId, runIds));
}
