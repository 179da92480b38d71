import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { env } from "../../../infra/env";
import { temporalClient } from "../../temporal";
import { getRun as findRun } from "../../../db/queries/runs";
import type { RunTrigger } from "../../../workflows/temporal/prepare-run";
import { launchRun, LaunchError } from "../../../workflows/temporal/launch-run";
import { isUuid, MAX_INT32 } from "../../../contract/api/common";

/**
 * Prepares the run and starts the pipeline workflow
 * (workflows/temporal/launch-run.ts). If Temporal refuses, the run is marked failed.
 * The trigger defaults to the door the request came through (UI: manual, REST: api).
 */
export async function startRun(
  ctx: RequestContext,
  opts: {
    pipelineId: string;
    version?: number;
    params?: Record<string, unknown>;
    trigger?: RunTrigger;
    createdBy?: string | null;
    resumeOf?: string;
    /** A reproduction: sources pinned to the dataset versions of the original, and no step cache. */
    pinSources?: Record<string, string>;
    fresh?: boolean;
  },
): Promise<{ runId: string; workflowId: string }> {
  const exists = isUuid(opts.pipelineId) && (opts.version === undefined || opts.version <= MAX_INT32);
  if (opts.resumeOf !== undefined) {
    const earlier = isUuid(opts.resumeOf) ? await findRun(ctx.db, ctx.teamId, opts.resumeOf) : null;
    if (!earlier || earlier.pipelineId !== opts.pipelineId)
      throw new ServiceError("invalid", `run ${opts.resumeOf} is not a run of pipeline ${opts.pipelineId}`, [
        { nodeId: null, field: "resumeOf", message: `run ${opts.resumeOf} is not a run of this pipeline` },
      ]);
  }
  const trigger = opts.trigger ?? { type: ctx.via === "rest" ? "api" : "manual", ...(opts.resumeOf ? { detail: { resumeOf: opts.resumeOf } } : {}) };
  const launch = () =>
    launchRun(
      ctx.db,
      { client: temporalClient, taskQueue: env().TEMPORAL_TASK_QUEUE },
      {
        teamId: ctx.teamId,
        pipelineId: opts.pipelineId,
        version: opts.version,
        params: opts.params,
        trigger,
        createdBy: opts.createdBy === undefined ? ctx.userId : opts.createdBy,
        reuseFrom: opts.resumeOf,
        pinSources: opts.pinSources,
        fresh: opts.fresh,
      },
    ).catch((err: unknown) => {
      if (err instanceof LaunchError) throw new ServiceError("unavailable", "could not start the workflow: Temporal is not reachable");
      throw err;
    });
  const prepared = exists ? await launch() : null;
  if (!prepared || (!prepared.ok && prepared.reason === "not_found")) {
    throw new ServiceError("not_found", `pipeline ${opts.pipelineId}${opts.version ? ` version ${opts.version}` : ""} does not exist`);
  }
  if (!prepared.ok) throw new ServiceError("invalid", "the pipeline cannot run", prepared.errors);
  return { runId: prepared.runId, workflowId: prepared.workflowId };
}
