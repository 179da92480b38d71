import { WorkflowUpdateFailedError } from "@temporalio/client";
import { ServiceError } from "../errors";
import { temporalClient } from "../temporal";

/**
 * Sends a workflow update and waits for its answer. A workflow that refuses
 * it (its validator or handler) is a conflict with the workflow's reason; a
 * workflow that is gone is a conflict too; Temporal unreachable is 503.
 */
export async function sendUpdate<R>(workflowId: string, update: string, arg: unknown, gone: string): Promise<R> {
  let client;
  try {
    client = await temporalClient();
  } catch {
    throw new ServiceError("unavailable", "Temporal is not reachable; nothing was changed");
  }
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg] });
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) {
      const cause = e.cause instanceof Error ? e.cause.message : e.message;
      throw new ServiceError("conflict", cause);
    }
    if (e instanceof Error && (e.name === "WorkflowNotFoundError" || /workflow execution already completed/i.test(e.message)))
      throw new ServiceError("conflict", gone);
    throw new ServiceError("unavailable", `Temporal did not take the decision (${e instanceof Error ? e.message : String(e)}); nothing was changed`);
  }
}
