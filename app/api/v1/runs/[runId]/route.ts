import { json, rest } from "../../../../../server/rest/handler";
import { getRun } from "../../../../../server/services/runs/get-run";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET → { id, status, workflowId, steps: [{ nodeId, type, status, startedAt, finishedAt, error, outputs }], metrics, series }. */
export const GET = rest<{ runId: string }>(async (ctx, _req, { runId }) => {
  const run = await getRun(ctx, { runId });
  return json({
    id: run.id,
    status: run.status,
    workflowId: run.workflowId,
    pipelineId: run.pipelineId,
    pipelineVersion: run.pipelineVersion,
    params: run.params,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    steps: run.steps.map((s) => ({
      nodeId: s.nodeId,
      type: s.type,
      status: s.status,
      attempt: s.attempt,
      cached: s.cached,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      error: s.error,
      outputs: s.outputs,
    })),
    metrics: run.metrics.filter((m) => m.step === 0).map((m) => ({ nodeId: m.nodeId, key: m.key, value: m.value })),
    // Per-iteration curves (e.g. train_loss), in step order: { nodeId: { key: [values] } }.
    series: run.metrics.filter((m) => m.step > 0).reduce<Record<string, Record<string, number[]>>>((acc, m) => {
      ((acc[m.nodeId] ??= {})[m.key] ??= []).push(m.value);
      return acc;
    }, {}),
  });
});
