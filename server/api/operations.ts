/**
 * What each endpoint of contract/api/endpoints.ts does: one service call.
 * The REST routes (server/rest/handler.ts) and the tRPC procedures
 * (server/api/router.ts) both run these, so they cannot drift apart.
 */
import type { z } from "zod";
import type { ArtifactDownload } from "../../infra/artifacts";
import type { Endpoints } from "../../contract/api/endpoints";
import type { RequestContext } from "../context";
import { checkHealth } from "../services/health/check-health";
import { discardDraft, getDraft, saveDraft } from "../services/pipelines/drafts";
import { getPipeline, getPipelineVersion, listPipelines, listVersions } from "../services/pipelines/get-pipeline";
import { savePipeline } from "../services/pipelines/save-pipeline";
import { deletePipeline, restorePipeline } from "../services/pipelines/delete-pipeline";
import { duplicatePipeline } from "../services/pipelines/duplicate-pipeline";
import { deleteModel } from "../services/models/delete-model";
import { deleteDataset, restoreDataset } from "../services/datasets/delete-dataset";
import { cancelRun } from "../services/runs/cancel-run";
import { retryRun } from "../services/runs/retry-run";
import { getRun, listRuns } from "../services/runs/get-run";
import { startRun } from "../services/runs/start-run";
import { getModel, getModelVersion, listModels, downloadModelFile, reproduceModelVersion } from "../services/models/get-model";
import { deleteAlias, setAlias } from "../services/models/aliases";
import { predict } from "../services/models/predict";
import { getDeployment, listDeployments, promoteDeployment, rollbackDeployment } from "../services/deployments/deployments";
import { configureMonitoring, getMonitoring, runMonitoring } from "../services/monitoring/monitoring";
import { recordFeedback } from "../services/monitoring/feedback";
import { decideApproval, downloadApprovalModel, getApproval, listApprovals } from "../services/approvals/approvals";
import { listDatasets, uploadDataset } from "../services/datasets/upload-dataset";
import { getDataset } from "../services/datasets/get-dataset";
import { openApiDocument } from "../openapi";
import { listSchedules, listTriggers, pauseTrigger, regenerateWebhook } from "../services/triggers/list";
import { fireWebhook } from "../services/triggers/webhooks";
import { pipelineJsonSchema } from "../../workflows/compiler/json-schema";

type Out<E> = E extends { output: infer O } ? (O extends z.ZodType ? z.input<O> : ArtifactDownload) : never;
type In<E> = E extends { input: infer I extends z.ZodType } ? z.output<I> : never;

export type Operation<E> = (ctx: RequestContext, input: In<E>) => Promise<Out<E>>;
export type Operations = { [K in keyof Endpoints]: Operation<Endpoints[K]> };

export const operations: Operations = {
  health: () => checkHealth(),
  openapi: async () => openApiDocument(),
  pipelineSchema: async () => pipelineJsonSchema(),

  listPipelines: (ctx, input) => listPipelines(ctx, input),
  createPipeline: (ctx, { spec, message }) => savePipeline(ctx, { spec, message }),
  getPipeline: (ctx, input) => getPipeline(ctx, input),
  savePipeline: (ctx, input) => savePipeline(ctx, input),
  deletePipeline: (ctx, input) => deletePipeline(ctx, input),
  restorePipeline: (ctx, input) => restorePipeline(ctx, input),
  duplicatePipeline: (ctx, input) => duplicatePipeline(ctx, input),
  listPipelineVersions: (ctx, input) => listVersions(ctx, input),
  getPipelineVersion: (ctx, input) => getPipelineVersion(ctx, input),
  getDraft: (ctx, input) => getDraft(ctx, input),
  saveDraft: (ctx, input) => saveDraft(ctx, input),
  discardDraft: (ctx, input) => discardDraft(ctx, input),

  startRun: (ctx, input) => startRun(ctx, input),
  listPipelineRuns: (ctx, input) => listRuns(ctx, input),
  listRuns: (ctx, input) => listRuns(ctx, input),
  getRun: (ctx, input) => getRun(ctx, input),
  cancelRun: (ctx, input) => cancelRun(ctx, input),
  retryRun: (ctx, input) => retryRun(ctx, input),

  listTriggers: (ctx, input) => listTriggers(ctx, input),
  pauseTrigger: (ctx, input) => pauseTrigger(ctx, { ...input, paused: true }),
  resumeTrigger: (ctx, input) => pauseTrigger(ctx, { ...input, paused: false }),
  regenerateWebhook: (ctx, input) => regenerateWebhook(ctx, input),
  callWebhook: (ctx, input) => fireWebhook(ctx, input),
  listSchedules: (ctx) => listSchedules(ctx),

  listModels: (ctx, input) => listModels(ctx, input),
  getModel: (ctx, input) => getModel(ctx, input),
  deleteModel: (ctx, input) => deleteModel(ctx, input),
  getModelVersion: (ctx, input) => getModelVersion(ctx, input),
  downloadModel: (ctx, input) => downloadModelFile(ctx, input),
  reproduceModel: (ctx, input) => reproduceModelVersion(ctx, input),
  setAlias: (ctx, input) => setAlias(ctx, input),
  deleteAlias: (ctx, input) => deleteAlias(ctx, input),
  predict: (ctx, input) => predict(ctx, input),

  listDeployments: (ctx, input) => listDeployments(ctx, input),
  getDeployment: (ctx, input) => getDeployment(ctx, input),
  promoteDeployment: (ctx, input) => promoteDeployment(ctx, input),
  rollbackDeployment: (ctx, input) => rollbackDeployment(ctx, input),
  recordFeedback: (ctx, input) => recordFeedback(ctx, input),
  getMonitoring: (ctx, input) => getMonitoring(ctx, input),
  runMonitoring: (ctx, input) => runMonitoring(ctx, input),
  configureMonitoring: (ctx, input) => configureMonitoring(ctx, input),

  listApprovals: (ctx, input) => listApprovals(ctx, input),
  getApproval: (ctx, input) => getApproval(ctx, input),
  decideApproval: (ctx, input) => decideApproval(ctx, input),
  downloadApprovalModel: (ctx, input) => downloadApprovalModel(ctx, input),

  listDatasets: (ctx) => listDatasets(ctx),
  getDataset: (ctx, input) => getDataset(ctx, input),
  deleteDataset: (ctx, input) => deleteDataset(ctx, input),
  restoreDataset: (ctx, input) => restoreDataset(ctx, input),
  uploadDataset: (ctx, input) => uploadDataset(ctx, input),
};
