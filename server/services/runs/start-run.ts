import crypto from "node:crypto";
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { env } from "../../../infra/env";
import { temporalClient } from "../../temporal";
import { compile } from "../../../workflows/compiler/compile";
import { getPipeline } from "../../../db/queries/pipelines";
import { createRun, setRunStatus } from "../../../db/queries/runs";
import type { PipelineRunInput } from "../../../workflows/temporal/contracts";
import { isUuid, MAX_INT32 } from "../../../contract/api/common";

/**
 * Compiles the saved spec with the run's params and starts the pipeline
 * workflow. The run row exists before the workflow starts, so the UI can
 * show it at once; if Temporal refuses, the run is marked failed.
 */
export async function startRun(
  ctx: RequestContext,
  opts: { pipelineId: string; version?: number; params?: Record<string, unknown>; trigger?: string },
): Promise<{ runId: string; workflowId: string }> {
  const exists = isUuid(opts.pipelineId) && (opts.version === undefined || opts.version <= MAX_INT32);
  const found = exists ? await getPipeline(ctx.db, ctx.teamId, opts.pipelineId, opts.version) : null;
  if (!found) throw new ServiceError("not_found", `pipeline ${opts.pipelineId}${opts.version ? ` version ${opts.version}` : ""} does not exist`);
  const compiled = compile(found.version.spec, { params: opts.params ?? {} });
  if (!compiled.ok) throw new ServiceError("invalid", "the pipeline cannot run", compiled.errors);
  const { plan } = compiled;
  const workflowId = `run-${crypto.randomUUID()}`;
  const run = await createRun(ctx.db, {
    teamId: ctx.teamId,
    pipelineId: found.pipeline.id,
    pipelineVersion: found.version.version,
    workflowId,
    params: plan.params,
    trigger: opts.trigger ?? (ctx.via === "rest" ? "api" : "manual"),
    createdBy: ctx.userId,
    steps: plan.steps.map((s) => ({ nodeId: s.nodeId, type: s.type })),
  });
  const args: PipelineRunInput = { runId: run.id, teamId: ctx.teamId, pipelineId: found.pipeline.id, pipelineVersion: found.version.version, plan };
  try {
    const client = await temporalClient();
    await client.workflow.start("pipelineRun", {
      taskQueue: env().TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [args],
      memo: { pipeline: plan.name, runId: run.id },
    });
  } catch (err) {
    const message = `could not start the workflow: ${err instanceof Error ? err.message : String(err)}`;
    await setRunStatus(ctx.db, run.id, "failed", message);
    throw new ServiceError("unavailable", "could not start the workflow: Temporal is not reachable");
  }
  return { runId: run.id, workflowId };
}
