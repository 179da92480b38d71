/**
 * Approvals: a gate.approval step waiting for a person. Created pending by
 * the step's activity; decided exactly once (approved, rejected, or expired
 * at its deadline) by the run's workflow, which a person's decision reaches
 * as a workflow update. Every transition is a conditional update, so two
 * decisions cannot both win.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { approvals, pipelines, runs } from "../schema";

export type ApprovalRow = typeof approvals.$inferSelect;
export type ApprovalStatus = ApprovalRow["status"];

/** Creates the pending approval of (run, node), or returns the one a previous attempt created. */
export async function createApproval(
  db: Db,
  input: { teamId: string; runId: string; nodeId: string; modelName: string; detail: Record<string, unknown>; expiresAt: Date },
): Promise<ApprovalRow> {
  const [run] = await db.select({ workflowId: runs.workflowId }).from(runs).where(eq(runs.id, input.runId)).limit(1);
  if (!run) throw new Error(`run ${input.runId} does not exist`);
  const [row] = await db
    .insert(approvals)
    .values({ ...input, workflowId: run.workflowId })
    .onConflictDoUpdate({ target: [approvals.runId, approvals.nodeId], set: { runId: sql`excluded.run_id` } })
    .returning();
  return row!;
}

/**
 * Decides a pending approval. Returns the row as it is afterwards and
 * whether this call decided it (false: it was already decided, by whom the
 * row says).
 */
export async function decideApproval(
  db: Db,
  input: { id: string; runId: string; nodeId: string; status: "approved" | "rejected" | "expired"; decidedBy: string; comment: string },
): Promise<{ row: ApprovalRow; decided: boolean } | null> {
  const mine = and(eq(approvals.id, input.id), eq(approvals.runId, input.runId), eq(approvals.nodeId, input.nodeId));
  const [row] = await db
    .update(approvals)
    .set({ status: input.status, decidedBy: input.decidedBy, comment: input.comment, decidedAt: new Date() })
    .where(and(mine, eq(approvals.status, "pending")))
    .returning();
  if (row) return { row, decided: true };
  const [current] = await db.select().from(approvals).where(mine).limit(1);
  return current ? { row: current, decided: false } : null;
}

const withPipeline = {
  approval: approvals,
  pipelineId: runs.pipelineId,
  pipelineVersion: runs.pipelineVersion,
  pipelineName: pipelines.name,
};

/** A team's approval by id, with its run's pipeline; null when it is not the team's. */
export async function getApproval(db: Db, teamId: string, id: string) {
  const [row] = await db
    .select(withPipeline)
    .from(approvals)
    .innerJoin(runs, eq(runs.id, approvals.runId))
    .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .where(and(eq(approvals.teamId, teamId), eq(approvals.id, id)))
    .limit(1);
  return row ?? null;
}

/** A team's approvals, newest first; `status` filters (e.g. the pending inbox). */
export async function listApprovals(db: Db, teamId: string, opts: { status?: ApprovalStatus; limit?: number } = {}) {
  return db
    .select(withPipeline)
    .from(approvals)
    .innerJoin(runs, eq(runs.id, approvals.runId))
    .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .where(and(eq(approvals.teamId, teamId), opts.status ? eq(approvals.status, opts.status) : undefined))
    .orderBy(desc(approvals.createdAt))
    .limit(opts.limit ?? 100);
}
