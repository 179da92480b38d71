/**
 * Prepares a run (prepare-run.ts: compile, run row) and starts its pipeline
 * workflow: what the web app does for a person, the API, a webhook or an
 * upload, and a worker for a dataset version a step registered (its
 * `dataset` triggers). If Temporal cannot be reached or refuses, the run is
 * marked failed and a LaunchError says so.
 */
import type { Client } from "@temporalio/client";
import type { Db } from "../../db/client";
import { setRunStatus } from "../../db/queries/runs";
import { prepareRun, type Prepared } from "./prepare-run";

export class LaunchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LaunchError";
  }
}

export async function launchRun(
  db: Db,
  temporal: { client: () => Promise<Client>; taskQueue: string },
  opts: Parameters<typeof prepareRun>[1],
): Promise<Prepared> {
  const prepared = await prepareRun(db, opts);
  if (!prepared.ok) return prepared;
  try {
    const client = await temporal.client();
    await client.workflow.start("pipelineRun", {
      taskQueue: temporal.taskQueue,
      workflowId: prepared.workflowId,
      args: [prepared.input],
      memo: { pipeline: prepared.pipelineName, runId: prepared.runId },
    });
  } catch (err) {
    const message = `could not start the workflow: ${err instanceof Error ? err.message : String(err)}`;
    await setRunStatus(db, prepared.runId, "failed", message);
    throw new LaunchError(message, { cause: err });
  }
  return prepared;
}
