import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { temporalClient } from "../../temporal";
import { getRun } from "./get-run";

/**
 * Asks Temporal to cancel the run's workflow. The workflow marks the run
 * `cancelled` (workflows/temporal/pipeline-workflow.ts); a run that already
 * finished is a conflict, and nothing changes.
 */
export async function cancelRun(
  ctx: RequestContext,
  opts: { runId: string },
): Promise<{ runId: string; status: "queued" | "running" | "succeeded" | "failed" | "cancelled" }> {
  const run = await getRun(ctx, opts);
  if (run.status !== "queued" && run.status !== "running")
    throw new ServiceError("conflict", `run ${run.id} already finished (${run.status}); only a queued or running run can be cancelled`);
  try {
    const client = await temporalClient();
    await client.workflow.getHandle(run.workflowId).cancel();
  } catch (e) {
    if (e instanceof Error && e.name === "WorkflowNotFoundError") throw new ServiceError("conflict", `run ${run.id} has no running workflow`);
    throw new ServiceError("unavailable", "could not cancel the run: Temporal is not reachable");
  }
  return { runId: run.id, status: run.status };
}
