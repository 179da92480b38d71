import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { getRun } from "./get-run";
import { startRun } from "./start-run";

/**
 * Runs a failed, cancelled or blocked run's pipeline version again with the
 * same params; every step that succeeded keeps its outputs (deploys run again).
 */
export async function retryRun(ctx: RequestContext, opts: { runId: string }) {
  const run = await getRun(ctx, opts);
  if (run.status === "succeeded") throw new ServiceError("conflict", `run ${run.id} succeeded: there is nothing to retry (start a new run instead)`);
  if (run.status === "queued" || run.status === "running") throw new ServiceError("conflict", `run ${run.id} is still ${run.status}; cancel it first to retry`);
  return startRun(ctx, {
    pipelineId: run.pipelineId,
    version: run.pipelineVersion,
    params: run.params,
    trigger: { type: "retry", detail: { of: run.id } },
    resumeOf: run.id,
  });
}
