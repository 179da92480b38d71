/**
 * Where a model version came from (its run, pipeline version, training data,
 * params, seed and code version) and "Reproduce": a run of the same pipeline
 * version with the same params on the same data (uploaded datasets pinned to
 * the versions the original read), every step recomputed (no step cache).
 * It reproduces the version when its model has the same bytes.
 */
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { getRun, reproductionsOf } from "../../../db/queries/runs";
import { datasetSource } from "../../../workflows/nodes/ingest.csv/source-ref";
import type { DatasetRef, StepOutputs } from "../../../workflows/spec/refs";
import type { ModelManifest } from "../../../contract/model";
import { startRun } from "../runs/start-run";

function modelShas(outputs: unknown[]): string[] {
  return outputs.flatMap((o) => Object.values((o ?? {}) as StepOutputs).flatMap((v) => (v.kind === "model" ? [v.sha256] : [])));
}

/** The lineage of a version registered by run `runId` (null when it has no run). */
export async function lineageOf(ctx: RequestContext, v: { name: string; version: number; runId: string | null; sha256: string; manifest: ModelManifest }) {
  const run = v.runId ? await getRun(ctx.db, ctx.teamId, v.runId) : null;
  const ingest = run?.steps.find((s) => (s.outputs as StepOutputs | null)?.dataset?.kind === "dataset" && s.type === "ingest.csv");
  const data = ingest ? ((ingest.outputs as StepOutputs).dataset as DatasetRef) : null;
  const reproductions = await reproductionsOf(ctx.db, ctx.teamId, v.name, v.version);
  return {
    run: run ? { id: run.id, status: run.status, trigger: run.trigger, createdAt: run.createdAt } : null,
    pipeline: run ? { id: run.pipelineId, name: run.pipelineName, version: run.pipelineVersion } : null,
    trainingData: {
      dataset: data?.origin ? { name: data.origin.dataset, version: data.origin.version, id: data.origin.id } : null,
      sha256: v.manifest.trainingData.sha256,
      rows: v.manifest.trainingData.rows,
    },
    params: v.manifest.params,
    seed: v.manifest.seed,
    libraries: v.manifest.libraries,
    reproductions: reproductions.map((r) => {
      const shas = modelShas(r.outputs);
      return { runId: r.id, status: r.status, createdAt: r.createdAt, sameBytes: r.status === "succeeded" ? shas.includes(v.sha256) : null };
    }),
  };
}

export async function reproduce(ctx: RequestContext, v: { name: string; version: number; runId: string | null; sha256: string }) {
  if (!v.runId) throw new ServiceError("invalid", `model ${v.name} version ${v.version} was not made by a run: there is nothing to reproduce`);
  const run = await getRun(ctx.db, ctx.teamId, v.runId);
  if (!run) throw new ServiceError("invalid", `the run that made ${v.name} version ${v.version} no longer exists`);
  const pinSources: Record<string, string> = {};
  for (const s of run.steps) {
    const origin = ((s.outputs as StepOutputs | null)?.dataset as DatasetRef | undefined)?.origin;
    if (s.type === "ingest.csv" && origin) pinSources[s.nodeId] = datasetSource(origin.dataset, origin.version);
  }
  return startRun(ctx, {
    pipelineId: run.pipelineId,
    version: run.pipelineVersion,
    params: run.params,
    trigger: { type: "reproduce", detail: { model: v.name, version: v.version, sha256: v.sha256, of: run.id } },
    pinSources,
    fresh: true,
  });
}
