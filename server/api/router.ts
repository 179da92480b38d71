/**
 * The UI's API. Procedures validate input, call one service, return its
 * result. Validation failures of specs come back as values ({ ok: false,
 * errors }) so the canvas can show them by node and field.
 */
import { z } from "zod";
import { procedure, router } from "./trpc";
import { ServiceError } from "../errors";
import { getPipeline, listPipelines, listVersions } from "../services/pipelines/get-pipeline";
import { discardDraft, getDraft, saveDraft } from "../services/pipelines/drafts";
import { savePipeline } from "../services/pipelines/save-pipeline";
import { startRun } from "../services/runs/start-run";
import { getRun, listRuns } from "../services/runs/get-run";
import { getModel, getModelVersion, listModels } from "../services/models/get-model";
import { inferServer } from "../services/models/infer-server";
import { listDatasets } from "../services/datasets/upload-dataset";
import type { SpecError } from "../../workflows/spec/spec";

type Refusable<T> = ({ ok: true } & T) | { ok: false; errors: SpecError[] };

async function refusable<T>(fn: () => Promise<T>): Promise<Refusable<T>> {
  try {
    return { ok: true, ...(await fn()) };
  } catch (e) {
    if (e instanceof ServiceError && e.code === "invalid") return { ok: false, errors: e.errors };
    throw e;
  }
}

const Message = z.string().trim().max(500).optional();
const Instance = z.record(z.string(), z.union([z.number(), z.string(), z.null()]));

export const appRouter = router({
  pipelines: router({
    list: procedure.query(({ ctx }) => listPipelines(ctx)),
    get: procedure.input(z.object({ id: z.string(), version: z.number().int().positive().optional() })).query(({ ctx, input }) => getPipeline(ctx, input)),
    versions: procedure.input(z.object({ id: z.string() })).query(({ ctx, input }) => listVersions(ctx, input)),
    create: procedure
      .input(z.object({ spec: z.unknown(), message: Message }))
      .mutation(({ ctx, input }) => refusable(() => savePipeline(ctx, { spec: input.spec, message: input.message }))),
    save: procedure
      .input(z.object({ id: z.string(), spec: z.unknown(), message: Message }))
      .mutation(({ ctx, input }) => refusable(() => savePipeline(ctx, input))),
    // Autosave: the spec is kept verbatim, valid or not; saving a version deletes it.
    draft: procedure.input(z.object({ id: z.string() })).query(({ ctx, input }) => getDraft(ctx, input)),
    saveDraft: procedure
      .input(z.object({ id: z.string(), spec: z.record(z.string(), z.unknown()), baseVersion: z.number().int().positive() }))
      .mutation(({ ctx, input }) => saveDraft(ctx, input)),
    discardDraft: procedure.input(z.object({ id: z.string() })).mutation(({ ctx, input }) => discardDraft(ctx, input)),
  }),
  runs: router({
    start: procedure
      .input(z.object({ pipelineId: z.string(), version: z.number().int().positive().optional(), params: z.record(z.string(), z.unknown()).optional() }))
      .mutation(({ ctx, input }) => refusable(() => startRun(ctx, input))),
    get: procedure.input(z.object({ runId: z.string() })).query(({ ctx, input }) => getRun(ctx, input)),
    list: procedure.input(z.object({ pipelineId: z.string().optional() }).optional()).query(({ ctx, input }) => listRuns(ctx, input ?? {})),
  }),
  models: router({
    list: procedure.query(({ ctx }) => listModels(ctx)),
    get: procedure.input(z.object({ name: z.string() })).query(({ ctx, input }) => getModel(ctx, input)),
    version: procedure.input(z.object({ name: z.string(), version: z.number().int().positive() })).query(({ ctx, input }) => getModelVersion(ctx, input)),
    inferServer: procedure
      .input(z.object({ name: z.string(), version: z.number().int().positive(), instances: z.array(Instance).min(1).max(1000) }))
      .mutation(({ ctx, input }) => inferServer(ctx, input)),
  }),
  datasets: router({
    list: procedure.query(({ ctx }) => listDatasets(ctx)),
  }),
});

export type AppRouter = typeof appRouter;
