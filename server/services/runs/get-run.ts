import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { isUuid } from "../../../contract/api/common";
import { getRun as queryRun, listRuns as queryRuns, type RunStatus } from "../../../db/queries/runs";
import { redactPaths } from "../redact";
import type { StepOutputs } from "../../../workflows/spec/refs";

/** A run with its steps (status, outputs, logs) and every metric row. */
export async function getRun(ctx: RequestContext, opts: { runId: string }) {
  const run = isUuid(opts.runId) ? await queryRun(ctx.db, ctx.teamId, opts.runId) : null;
  if (!run) throw new ServiceError("not_found", `run ${opts.runId} does not exist`);
  return {
    ...run,
    trigger: { type: run.trigger, detail: run.triggerDetail },
    error: redactPaths(run.error),
    steps: run.steps.map((s) => ({
      ...s,
      outputs: s.outputs as StepOutputs | null,
      error: redactPaths(s.error),
      logs: s.logs.map((l) => ({ ...l, message: redactPaths(l.message) })),
    })),
  };
}

/** The team's runs, newest first. */
export async function listRuns(ctx: RequestContext, opts: { pipelineId?: string; status?: RunStatus; limit?: number }) {
  if (opts.pipelineId !== undefined && !isUuid(opts.pipelineId)) return [];
  const rows = await queryRuns(ctx.db, ctx.teamId, opts);
  return rows.map((r) => ({
    ...r.run,
    trigger: { type: r.run.trigger, detail: r.run.triggerDetail },
    error: redactPaths(r.run.error),
    pipelineName: r.pipelineName,
  }));
}
