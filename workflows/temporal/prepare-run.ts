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
import { createRun, getRun } from "../../db/queries/runs";
import { compile } from "../compiler/compile";
import { datasetColumnsOf } from "../nodes/ingest.csv/dataset-columns";
import type { PipelinePlan } from "../compiler/plan";
import { reusableSteps } from "../compiler/reuse";
import type { StepOutputs } from "../spec/refs";
import type { SpecError } from "../spec/spec";
import type { PipelineRunInput } from "./contracts";

export type TriggerType = "manual" | "api" | "schedule" | "webhook" | "dataset" | "drift" | "retry" | "reproduce";

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
  opts: {
    teamId: string;
    pipelineId: string;
    version?: number;
    params?: Record<string, unknown>;
    trigger: RunTrigger;
    createdBy?: string | null;
    /** An earlier run of the pipeline whose succeeded, unchanged steps this run reuses (retry, resume). */
    reuseFrom?: string;
    /** ingest.csv sources to read instead of the spec's (node id → source): a reproduction pins the dataset versions its original read. */
    pinSources?: Record<string, string>;
    /** No step cache (PipelineRunInput.fresh). */
    fresh?: boolean;
  },
): Promise<Prepared> {
  const found = await getPipeline(db, opts.teamId, opts.pipelineId, opts.version);
  if (!found) return { ok: false, reason: "not_found" };
  const spec = opts.pinSources ? pinSources(found.version.spec, opts.pinSources) : found.version.spec;
  // Column fields are checked against the datasets as they are now: a run that would fail at training is refused before it starts.
  const compiled = compile(spec, { params: opts.params ?? {}, datasets: await datasetColumnsOf(db, opts.teamId, spec) });
  if (!compiled.ok) return { ok: false, reason: "invalid", errors: compiled.errors };
  const { plan } = compiled;
  const reuse = opts.reuseFrom ? await reusableFrom(db, opts.teamId, opts.reuseFrom, plan) : undefined;
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
    input: {
      runId: run.id,
      teamId: opts.teamId,
      pipelineId: found.pipeline.id,
      pipelineVersion: found.version.version,
      plan,
      ...(reuse?.size ? { reuse: { runId: opts.reuseFrom!, outputs: Object.fromEntries(reuse) } } : {}),
      ...(opts.fresh ? { fresh: true } : {}),
    },
  };
}

/** The spec with the `source` of the given ingest nodes replaced. */
function pinSources(spec: unknown, sources: Record<string, string>): unknown {
  const s = spec as { nodes?: { id: string; config?: Record<string, unknown> }[] };
  return { ...s, nodes: s.nodes?.map((n) => (sources[n.id] ? { ...n, config: { ...n.config, source: sources[n.id] } } : n)) };
}

/** The steps of run `runId` that a new run of `plan` can reuse (workflows/compiler/reuse.ts). */
async function reusableFrom(db: Db, teamId: string, runId: string, plan: PipelinePlan): Promise<Map<string, StepOutputs>> {
  const earlier = await getRun(db, teamId, runId);
  if (!earlier) return new Map();
  const version = await getPipeline(db, teamId, earlier.pipelineId, earlier.pipelineVersion);
  const compiled = version ? compile(version.version.spec, { params: earlier.params }) : null;
  if (!compiled?.ok) return new Map();
  const succeeded = new Map(earlier.steps.filter((s) => s.status === "succeeded" && s.outputs).map((s) => [s.nodeId, s.outputs as StepOutputs]));
  return reusableSteps(compiled.plan, plan, succeeded);
}
