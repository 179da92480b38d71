/**
 * The one way a run comes to be, whoever starts it (a person, the API, a
 * schedule, a webhook, a new dataset version): compile the saved spec with the
 * run's params and write the run row (queued, with its steps) before any
 * workflow exists, so the UI shows it at once. Starting the workflow is the
 * caller's: the web app starts it through the client, a schedule's workflow
 * as a child.
 */
import crypto from "node:crypto";
import type { Db } from "../../db/client";
import { getPipeline } from "../../db/queries/pipelines";
import { createRun } from "../../db/queries/runs";
import { compile } from "../compiler/compile";
import type { SpecError } from "../spec/spec";
import type { PipelineRunInput } from "./contracts";

export type TriggerType = "manual" | "api" | "schedule" | "webhook" | "dataset" | "retry";

export interface RunTrigger {
  type: TriggerType;
  detail?: Record<string, unknown>;
}

export type Prepared =
  | { ok: true; runId: string; workflowId: string; input: PipelineRunInput; pipelineName: string }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "invalid"; errors: SpecError[] };

export async function prepareRun(
  db: Db,
  opts: { teamId: string; pipelineId: string; version?: number; params?: Record<string, unknown>; trigger: RunTrigger; createdBy?: string | null },
): Promise<Prepared> {
  const found = await getPipeline(db, opts.teamId, opts.pipelineId, opts.version);
  if (!found) return { ok: false, reason: "not_found" };
  const compiled = compile(found.version.spec, { params: opts.params ?? {} });
  if (!compiled.ok) return { ok: false, reason: "invalid", errors: compiled.errors };
  const { plan } = compiled;
  const workflowId = `run-${crypto.randomUUID()}`;
  const run = await createRun(db, {
    teamId: opts.teamId,
    pipelineId: found.pipeline.id,
    pipelineVersion: found.version.version,
    workflowId,
    params: plan.params,
    trigger: opts.trigger.type,
    triggerDetail: opts.trigger.detail ?? {},
    createdBy: opts.createdBy ?? undefined,
    steps: plan.steps.map((s) => ({ nodeId: s.nodeId, type: s.type })),
  });
  return {
    ok: true,
    runId: run.id,
    workflowId,
    pipelineName: plan.name,
    input: { runId: run.id, teamId: opts.teamId, pipelineId: found.pipeline.id, pipelineVersion: found.version.version, plan },
  };
}
