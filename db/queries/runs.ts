import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { artifacts, metrics, pipelines, runs, runSteps, stepCache, type StepLog, type StepProgress } from "../schema";

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

/**
 * Sets a run's status. A run that ends closes the steps it left open, so a
 * step never says `running` in a finished run: cancelled → its queued and
 * running steps are `cancelled`; failed → running ones `failed`, queued ones
 * `skipped`. (Steps are fenced by status: a late attempt cannot reopen them.)
 */
export async function setRunStatus(db: Db, runId: string, status: RunStatus, error?: string | null) {
  const now = new Date();
  await db.transaction(async (tx) => {
    await tx
      .update(runs)
      .set({
        status,
        error: error ?? null,
        ...(status === "running" ? { startedAt: sql`coalesce(${runs.startedAt}, now())` } : {}),
        ...(status === "succeeded" || status === "failed" || status === "cancelled" || status === "blocked" ? { finishedAt: now } : {}),
      })
      .where(eq(runs.id, runId));
    const close = (from: StepStatus, to: StepStatus, why: string | null) =>
      tx
        .update(runSteps)
        .set({ status: to, finishedAt: now, ...(why ? { error: why } : {}) })
        .where(and(eq(runSteps.runId, runId), eq(runSteps.status, from)));
    if (status === "cancelled") {
      await close("running", "cancelled", "the run was cancelled while this step was running");
      await close("queued", "cancelled", null);
    } else if (status === "failed") {
      await close("running", "failed", "the run failed while this step was running");
      await close("queued", "skipped", "the run failed before this step started");
    }
  });
}

export async function updateStep(
  db: Db,
  runId: string,
  nodeId: string,
  patch: {
    status?: StepStatus;
    attempt?: number;
    cached?: boolean;
    error?: string | null;
    outputs?: Record<string, unknown>;
    started?: boolean;
    finished?: boolean;
  },
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

// ---------------------------------------------------------------------------
// Step writes of an activity attempt, fenced by attempt number: an attempt
// owns its step from claimStep until it finishes it; once a newer attempt has
// claimed the step, or the run has closed it, an older attempt's writes are
// no-ops (they report false) — a timed-out attempt that keeps running can
// never overwrite the step's status, outputs or cache entry.

/**
 * Attempt `attempt` takes the step over: running, its outputs and progress
 * cleared. False when a newer (or the same) attempt holds it, or the step is
 * closed (failed, skipped, cancelled: the run ended or gave up on it).
 */
export async function claimStep(db: Db, runId: string, nodeId: string, attempt: number, worker?: string): Promise<boolean> {
  const rows = await db
    .update(runSteps)
    .set({
      status: "running",
      attempt,
      error: null,
      outputs: null,
      cached: false,
      progress: null,
      finishedAt: null,
      worker: worker ?? null,
      startedAt: sql`coalesce(${runSteps.startedAt}, now())`,
    })
    .where(
      and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId), lt(runSteps.attempt, attempt), inArray(runSteps.status, ["queued", "running", "succeeded"])),
    )
    .returning({ nodeId: runSteps.nodeId });
  return rows.length === 1;
}

/** Who holds a step now (for messages about a stale attempt). */
export async function stepHolder(db: Db, runId: string, nodeId: string): Promise<{ status: StepStatus; attempt: number } | null> {
  const [r] = await db
    .select({ status: runSteps.status, attempt: runSteps.attempt })
    .from(runSteps)
    .where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId)))
    .limit(1);
  return r ?? null;
}

const owned = (runId: string, nodeId: string, attempt: number) =>
  and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId), eq(runSteps.attempt, attempt), eq(runSteps.status, "running"));

/** The latest progress of the attempt that owns the step; a no-op (false) otherwise. */
export async function reportStepProgress(db: Db, runId: string, nodeId: string, attempt: number, progress: StepProgress): Promise<boolean> {
  const rows = await db
    .update(runSteps)
    .set({ progress })
    .where(owned(runId, nodeId, attempt))
    .returning({ nodeId: runSteps.nodeId });
  return rows.length === 1;
}

/**
 * What attempt `attempt` saved to resume from (a retry after a killed worker
 * goes on from it): a no-op (false) unless that attempt owns the step.
 */
export async function saveStepCheckpoint(db: Db, runId: string, nodeId: string, attempt: number, checkpoint: unknown): Promise<boolean> {
  const rows = await db
    .update(runSteps)
    .set({ checkpoint })
    .where(owned(runId, nodeId, attempt))
    .returning({ nodeId: runSteps.nodeId });
  return rows.length === 1;
}

/** The step's checkpoint as its last attempt saved it (null: none). */
export async function stepCheckpoint(db: Db, runId: string, nodeId: string): Promise<unknown> {
  const [r] = await db
    .select({ checkpoint: runSteps.checkpoint })
    .from(runSteps)
    .where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, nodeId)))
    .limit(1);
  return r?.checkpoint ?? null;
}

/**
 * Ends the step for the attempt that owns it, in one transaction: status,
 * outputs, and (succeeded) its metrics, artifacts and cache entry. False, and
 * nothing written, when the attempt no longer owns the step.
 */
export async function finishStep(
  db: Db,
  input: {
    runId: string;
    nodeId: string;
    attempt: number;
    /** "running": the activity is done but the workflow continues the step (an approval, a rollout). */
    status: "succeeded" | "cancelled" | "running";
    error?: string | null;
    outputs?: Record<string, unknown>;
    cached?: boolean;
    metrics?: { runId: string; nodeId: string; key: string; step: number; value: number }[];
    artifacts?: (typeof artifacts.$inferInsert)[];
    cache?: typeof stepCache.$inferInsert;
  },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(runSteps)
      .set({
        status: input.status,
        finishedAt: input.status === "running" ? null : new Date(),
        ...(input.error !== undefined ? { error: input.error } : {}),
        ...(input.outputs ? { outputs: input.outputs } : {}),
        ...(input.cached !== undefined ? { cached: input.cached } : {}),
      })
      .where(owned(input.runId, input.nodeId, input.attempt))
      .returning({ nodeId: runSteps.nodeId });
    if (rows.length === 0) return false;
    const m = input.metrics ?? [];
    for (let i = 0; i < m.length; i += 1000) {
      await tx
        .insert(metrics)
        .values(m.slice(i, i + 1000))
        .onConflictDoUpdate({ target: [metrics.runId, metrics.nodeId, metrics.key, metrics.step], set: { value: sql`excluded.value` } });
    }
    if (input.artifacts?.length) await tx.insert(artifacts).values(input.artifacts);
    if (input.cache) await tx.insert(stepCache).values(input.cache).onConflictDoNothing();
    return true;
  });
}

export async function getCachedOutputs(db: Db, key: string) {
  const [r] = await db.select().from(stepCache).where(eq(stepCache.key, key)).limit(1);
  return r ?? null;
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
    .where(
      and(eq(runs.teamId, teamId), opts.pipelineId ? eq(runs.pipelineId, opts.pipelineId) : undefined, opts.status ? eq(runs.status, opts.status) : undefined),
    )
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

/** Runs started to reproduce a model version (trigger "reproduce"), newest first, with their steps' outputs. */
export async function reproductionsOf(db: Db, teamId: string, model: string, version: number) {
  const rows = await db
    .select({ id: runs.id, status: runs.status, createdAt: runs.createdAt })
    .from(runs)
    .where(
      and(
        eq(runs.teamId, teamId),
        eq(runs.trigger, "reproduce"),
        sql`${runs.triggerDetail}->>'model' = ${model}`,
        sql`(${runs.triggerDetail}->>'version')::int = ${version}`,
      ),
    )
    .orderBy(desc(runs.createdAt))
    .limit(20);
  const steps = rows.length
    ? await db
        .select({ runId: runSteps.runId, outputs: runSteps.outputs })
        .from(runSteps)
        .where(
          inArray(
            runSteps.runId,
            rows.map((r) => r.id),
          ),
        )
    : [];
  return rows.map((r) => ({ ...r, outputs: steps.filter((s) => s.runId === r.id).map((s) => s.outputs) }));
}

/** Runs a new dataset version started through `dataset` triggers (trigger detail `datasetId`), by pipeline. */
export async function runsStartedByDataset(db: Db, teamId: string, datasetId: string): Promise<{ pipelineId: string; runId: string }[]> {
  return db
    .select({ pipelineId: runs.pipelineId, runId: runs.id })
    .from(runs)
    .where(and(eq(runs.teamId, teamId), eq(runs.trigger, "dataset"), sql`${runs.triggerDetail}->>'datasetId' = ${datasetId}`));
}
