/**
 * Every REST endpoint of `/api`, described once: method, path, the flat
 * input schema (path parameters, query parameters and body fields together),
 * how the body maps onto it, the output schema and the errors it can answer.
 * The REST routes (server/rest), the tRPC procedures (server/api), the
 * OpenAPI document (GET /api/v1/openapi.json) and the CLI (cli/) all read it.
 */
import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "./common";
import {
  approvalInputs,
  datasetInputs,
  deploymentInputs,
  feedbackInputs,
  ZFeedbackRecorded,
  ZApproval,
  ZApprovalDetail,
  ZDeployment,
  ZDeploymentChanged,
  ZDeploymentSummary,
  modelInputs,
  pipelineInputs,
  runInputs,
  triggerInputs,
  ZAliasMoved,
  ZDataset,
  ZDatasetDetail,
  ZDatasetUploaded,
  ZDraft,
  ZDraftSaved,
  ZHealth,
  ZModel,
  ZModelDeleted,
  ZModelSummary,
  ZModelVersion,
  ZDatasetDeleted,
  ZPipelineDeleted,
  ZPipelineDuplicated,
  ZPipelineRestored,
  ZPipeline,
  ZPipelineSummary,
  ZPipelineVersionInfo,
  ZPredictions,
  ZRun,
  ZRunCancelled,
  ZRunStarted,
  ZRunSummary,
  ZSaved,
  ZScheduleState,
  ZScheduleSummary,
  ZTriggerState,
  ZWebhookToken,
} from "./resources";
import { monitoringInputs, ZMonitoring, ZMonitorRun, ZMonitoringSettings, ZAlertRule } from "../monitoring";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/**
 * How the request body maps onto the input: `"fields"` — the JSON body is an
 * object whose keys are input fields; `{ json: f }` — the whole JSON body is
 * input field `f`; `{ raw, field }` — the raw bytes of media type `raw` are
 * input field `field`. Input fields that are neither path parameters nor body
 * fields come from the query string.
 */
export type BodyMapping = "fields" | { json: string } | { raw: string; field: string };

export interface Endpoint<I extends z.ZodObject = z.ZodObject, O extends z.ZodType | null = z.ZodType | null> {
  operationId: string;
  method: HttpMethod;
  /** Full path with `{param}` placeholders, e.g. `/api/v1/pipelines/{id}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  input: I;
  body?: BodyMapping;
  status: 200 | 201 | 202;
  /** JSON output; null for a binary answer (`produces`). */
  output: O;
  produces?: string;
  /** When the operation answers null: a 404 with this message (`{param}` filled in). */
  nullIsNotFound?: string;
  errors: ErrorCode[];
  /** Answers without looking up the caller's team (the stack's own health, this document): works while the database is down. */
  noCaller?: true;
}

const endpoint = <I extends z.ZodObject, O extends z.ZodType | null>(e: Endpoint<I, O>) => e;

/** The names of the `{param}`s of a path template, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
}

/** Which input fields come from the body (JSON or raw) and which from the query string. */
export function inputPlaces(e: Endpoint): { path: string[]; body: string[]; query: string[] } {
  const path = pathParams(e.path);
  const keys = Object.keys(e.input.shape).filter((k) => !path.includes(k));
  const body = !e.body ? [] : e.body === "fields" ? keys : "json" in e.body ? [e.body.json] : [e.body.field];
  return { path, body, query: keys.filter((k) => !body.includes(k)) };
}

/**
 * Every error an endpoint can answer: the ones it declares, those any
 * parameter or body can cause (malformed, invalid, NUL characters, too long,
 * too large, wrong media type), and `internal`.
 */
export function errorsOf(e: Endpoint): ErrorCode[] {
  const places = inputPlaces(e);
  const codes = new Set<ErrorCode>(e.errors);
  if (places.path.length || places.query.length) ["bad_request", "invalid"].forEach((c) => codes.add(c as ErrorCode));
  if (e.body) ["bad_request", "invalid", "payload_too_large", "unsupported_media_type"].forEach((c) => codes.add(c as ErrorCode));
  if (e.nullIsNotFound) codes.add("not_found");
  codes.add("internal");
  return Object.keys(ERROR_STATUS).filter((c) => codes.has(c as ErrorCode)) as ErrorCode[];
}

const V1 = "/api/v1";

export const endpoints = {
  health: endpoint({
    operationId: "getHealth",
    method: "GET",
    path: "/api/health",
    tag: "meta",
    summary: "Health of every process: database, Temporal, worker, serving",
    description: "200 when every part answers `ok`, else 503 with the same body naming what is wrong.",
    input: z.object({}),
    status: 200,
    output: ZHealth,
    errors: ["unavailable"],
    noCaller: true,
  }),

  openapi: endpoint({
    operationId: "getOpenApi",
    method: "GET",
    path: `${V1}/openapi.json`,
    tag: "meta",
    summary: "This document: the OpenAPI 3.1 description of the API (rendered at /api/docs)",
    input: z.object({}),
    status: 200,
    output: z.record(z.string(), z.unknown()),
    errors: [],
    noCaller: true,
  }),
  pipelineSchema: endpoint({
    operationId: "getPipelineSchema",
    method: "GET",
    path: `${V1}/schema/pipeline.json`,
    tag: "meta",
    summary: "JSON Schema of a conveyor/v1 pipeline spec, node configs included",
    input: z.object({}),
    status: 200,
    output: z.record(z.string(), z.unknown()),
    errors: [],
  }),

  // --- pipelines -----------------------------------------------------------
  listPipelines: endpoint({
    operationId: "listPipelines",
    method: "GET",
    path: `${V1}/pipelines`,
    tag: "pipelines",
    summary: "The team's pipelines with their last run: search by name, sort by change, name or last run",
    input: pipelineInputs.list,
    status: 200,
    output: z.array(ZPipelineSummary),
    errors: [],
  }),
  createPipeline: endpoint({
    operationId: "createPipeline",
    method: "POST",
    path: `${V1}/pipelines`,
    tag: "pipelines",
    summary: "Save a spec as a new pipeline (version 1)",
    description: "The body is a conveyor/v1 spec, stored exactly as sent. An invalid spec is refused with 422 and every problem by node and field.",
    input: pipelineInputs.create,
    body: { json: "spec" },
    status: 201,
    output: ZSaved,
    errors: ["bad_request", "invalid", "payload_too_large", "unsupported_media_type"],
  }),
  getPipeline: endpoint({
    operationId: "getPipeline",
    method: "GET",
    path: `${V1}/pipelines/{id}`,
    tag: "pipelines",
    summary: "A pipeline at its latest (or a given) version, with its history",
    input: pipelineInputs.get,
    status: 200,
    output: ZPipeline,
    errors: ["bad_request", "not_found"],
  }),
  savePipeline: endpoint({
    operationId: "savePipelineVersion",
    method: "PUT",
    path: `${V1}/pipelines/{id}`,
    tag: "pipelines",
    summary: "Save a spec as the pipeline's next immutable version",
    description: "Deletes the pipeline's draft. An invalid spec is refused with 422 and the draft is kept.",
    input: pipelineInputs.save,
    body: { json: "spec" },
    status: 201,
    output: ZSaved,
    errors: ["bad_request", "not_found", "invalid", "payload_too_large", "unsupported_media_type"],
  }),
  deletePipeline: endpoint({
    operationId: "deletePipeline",
    method: "DELETE",
    path: `${V1}/pipelines/{id}`,
    tag: "pipelines",
    summary: "Delete a pipeline (restorable): hidden from lists, its triggers quiet",
    description:
      "Refused with 409, one detail per dependent, while a run of it is queued or running, a schedule trigger of it is active (pause it), " +
      "or a model version one of its runs trained has an alias or serves in a deployment. Runs, versions and models stay; " +
      "`POST /api/v1/pipelines/{id}/restore` brings it back with its triggers.",
    input: pipelineInputs.byId,
    status: 200,
    output: ZPipelineDeleted,
    errors: ["not_found", "conflict", "unavailable"],
  }),
  restorePipeline: endpoint({
    operationId: "restorePipeline",
    method: "POST",
    path: `${V1}/pipelines/{id}/restore`,
    tag: "pipelines",
    summary: "Undo a delete: the pipeline is listed again and its triggers act again",
    input: pipelineInputs.byId,
    status: 200,
    output: ZPipelineRestored,
    errors: ["not_found"],
  }),
  duplicatePipeline: endpoint({
    operationId: "duplicatePipeline",
    method: "POST",
    path: `${V1}/pipelines/{id}/duplicate`,
    tag: "pipelines",
    summary: "Copy a pipeline's latest version into a new pipeline (version 1), without its triggers",
    description: 'The copy is named "<name> copy" (then "copy 2", …) unless `name` is given; its spec equals the original\'s but for `name` and `triggers`.',
    input: pipelineInputs.duplicate,
    body: "fields",
    status: 201,
    output: ZPipelineDuplicated,
    errors: ["bad_request", "not_found", "invalid", "unsupported_media_type"],
  }),
  listPipelineVersions: endpoint({
    operationId: "listPipelineVersions",
    method: "GET",
    path: `${V1}/pipelines/{id}/versions`,
    tag: "pipelines",
    summary: "Every version of a pipeline, newest first",
    input: pipelineInputs.byId,
    status: 200,
    output: z.array(ZPipelineVersionInfo),
    errors: ["not_found"],
  }),
  getPipelineVersion: endpoint({
    operationId: "getPipelineVersion",
    method: "GET",
    path: `${V1}/pipelines/{id}/versions/{version}`,
    tag: "pipelines",
    summary: "One immutable version of a pipeline",
    input: pipelineInputs.version,
    status: 200,
    output: ZPipeline,
    errors: ["bad_request", "not_found"],
  }),
  getDraft: endpoint({
    operationId: "getPipelineDraft",
    method: "GET",
    path: `${V1}/pipelines/{id}/draft`,
    tag: "pipelines",
    summary: "The editor's autosaved draft of a pipeline",
    input: pipelineInputs.byId,
    status: 200,
    output: ZDraft.nullable(),
    nullIsNotFound: "pipeline {id} has no draft",
    errors: ["not_found"],
  }),
  saveDraft: endpoint({
    operationId: "savePipelineDraft",
    method: "PUT",
    path: `${V1}/pipelines/{id}/draft`,
    tag: "pipelines",
    summary: "Autosave the editor's state (kept verbatim, valid or not)",
    input: pipelineInputs.saveDraft,
    body: "fields",
    status: 200,
    output: ZDraftSaved,
    errors: ["bad_request", "not_found", "invalid", "payload_too_large", "unsupported_media_type"],
  }),
  discardDraft: endpoint({
    operationId: "discardPipelineDraft",
    method: "DELETE",
    path: `${V1}/pipelines/{id}/draft`,
    tag: "pipelines",
    summary: "Discard the draft (`discarded` is false when there was none)",
    input: pipelineInputs.byId,
    status: 200,
    output: z.object({ discarded: z.boolean() }).meta({ id: "DraftDiscarded" }),
    errors: ["not_found"],
  }),

  // --- runs ----------------------------------------------------------------
  startRun: endpoint({
    operationId: "startRun",
    method: "POST",
    path: `${V1}/pipelines/{pipelineId}/runs`,
    tag: "runs",
    summary: "Run a pipeline version with params",
    description: "The run row exists before the workflow starts. Params are checked against the spec's params (422 naming them).",
    input: runInputs.start,
    body: "fields",
    status: 202,
    output: ZRunStarted,
    errors: ["bad_request", "not_found", "invalid", "unavailable", "unsupported_media_type"],
  }),
  listPipelineRuns: endpoint({
    operationId: "listPipelineRuns",
    method: "GET",
    path: `${V1}/pipelines/{pipelineId}/runs`,
    tag: "runs",
    summary: "Runs of one pipeline, newest first",
    input: runInputs.list.required({ pipelineId: true }),
    status: 200,
    output: z.array(ZRunSummary),
    errors: ["bad_request"],
  }),
  listRuns: endpoint({
    operationId: "listRuns",
    method: "GET",
    path: `${V1}/runs`,
    tag: "runs",
    summary: "The team's runs, newest first, optionally of one pipeline or status",
    input: runInputs.list,
    status: 200,
    output: z.array(ZRunSummary),
    errors: ["bad_request"],
  }),
  getRun: endpoint({
    operationId: "getRun",
    method: "GET",
    path: `${V1}/runs/{runId}`,
    tag: "runs",
    summary: "A run with its steps, logs, outputs and metrics",
    input: runInputs.get,
    status: 200,
    output: ZRun,
    errors: ["not_found"],
  }),
  cancelRun: endpoint({
    operationId: "cancelRun",
    method: "POST",
    path: `${V1}/runs/{runId}/cancel`,
    tag: "runs",
    summary: "Cancel a queued or running run",
    description: "The workflow is cancelled through Temporal and the run ends `cancelled`. A finished run answers 409.",
    input: runInputs.get,
    status: 202,
    output: ZRunCancelled,
    errors: ["not_found", "conflict", "unavailable"],
  }),

  retryRun: endpoint({
    operationId: "retryRun",
    method: "POST",
    path: `${V1}/runs/{runId}/retry`,
    tag: "runs",
    summary: "Run a failed, cancelled or blocked run's pipeline version again, reusing every step that succeeded",
    description:
      "A new run of the same version and params; steps that succeeded keep their outputs (deploys run again). A run that succeeded or is still going answers 409.",
    input: runInputs.get,
    status: 202,
    output: ZRunStarted,
    errors: ["not_found", "conflict", "unavailable"],
  }),

  // --- triggers ------------------------------------------------------------
  listTriggers: endpoint({
    operationId: "listTriggers",
    method: "GET",
    path: `${V1}/pipelines/{id}/triggers`,
    tag: "triggers",
    summary: "The triggers of a pipeline's latest version, with their state",
    input: triggerInputs.list,
    status: 200,
    output: z.array(ZTriggerState),
    errors: ["not_found", "unavailable"],
  }),
  pauseTrigger: endpoint({
    operationId: "pauseTrigger",
    method: "POST",
    path: `${V1}/pipelines/{id}/triggers/{index}/pause`,
    tag: "triggers",
    summary: "Pause a schedule trigger, with a reason",
    input: triggerInputs.pause,
    body: "fields",
    status: 200,
    output: ZScheduleState,
    errors: ["not_found", "conflict", "unavailable"],
  }),
  resumeTrigger: endpoint({
    operationId: "resumeTrigger",
    method: "POST",
    path: `${V1}/pipelines/{id}/triggers/{index}/resume`,
    tag: "triggers",
    summary: "Resume a paused schedule trigger, with a reason",
    input: triggerInputs.pause,
    body: "fields",
    status: 200,
    output: ZScheduleState,
    errors: ["not_found", "conflict", "unavailable"],
  }),
  regenerateWebhook: endpoint({
    operationId: "regenerateWebhook",
    method: "POST",
    path: `${V1}/pipelines/{id}/webhook/regenerate`,
    tag: "triggers",
    summary: "A new webhook token; the old one stops working at once",
    input: triggerInputs.regenerate,
    status: 201,
    output: ZWebhookToken,
    errors: ["not_found", "conflict"],
  }),
  callWebhook: endpoint({
    operationId: "callWebhook",
    method: "POST",
    path: `${V1}/hooks/{token}`,
    tag: "triggers",
    summary: "Start a run of the webhook's pipeline; the JSON body is its params",
    description: "An unknown token is a 404 that says nothing more. Params are checked against the spec's params (422 naming them).",
    input: triggerInputs.hook,
    body: { json: "params" },
    status: 202,
    output: ZRunStarted,
    errors: ["not_found", "invalid", "unavailable"],
  }),
  listSchedules: endpoint({
    operationId: "listSchedules",
    method: "GET",
    path: `${V1}/schedules`,
    tag: "triggers",
    summary: "Every schedule trigger of the team's pipelines, with its state",
    input: triggerInputs.schedules,
    status: 200,
    output: z.array(ZScheduleSummary),
    errors: ["unavailable"],
  }),

  // --- models --------------------------------------------------------------
  listModels: endpoint({
    operationId: "listModels",
    method: "GET",
    path: `${V1}/models`,
    tag: "models",
    summary: "The team's registered models with their latest version and aliases",
    input: modelInputs.list,
    status: 200,
    output: z.array(ZModelSummary),
    errors: [],
  }),
  getModel: endpoint({
    operationId: "getModel",
    method: "GET",
    path: `${V1}/models/{name}`,
    tag: "models",
    summary: "A registered model: versions, aliases and the audit trail of alias moves",
    input: modelInputs.get,
    status: 200,
    output: ZModel,
    errors: ["not_found"],
  }),
  deleteModel: endpoint({
    operationId: "deleteModel",
    method: "DELETE",
    path: `${V1}/models/{name}`,
    tag: "models",
    summary: "Delete a registered model with its versions, aliases and their audit trail",
    description:
      "Refused with 409, one detail per dependent, while a deployment serves it or an alias points at one of its versions (remove the alias first). " +
      "Not undoable: runs keep their outputs, but the registry forgets the model.",
    input: modelInputs.get,
    status: 200,
    output: ZModelDeleted,
    errors: ["not_found", "conflict"],
  }),
  getModelVersion: endpoint({
    operationId: "getModelVersion",
    method: "GET",
    path: `${V1}/models/{name}/versions/{version}`,
    tag: "models",
    summary: "One model version: manifest (inputs, outputs, lineage), metrics",
    input: modelInputs.version,
    status: 200,
    output: ZModelVersion,
    errors: ["bad_request", "not_found"],
  }),
  downloadModel: endpoint({
    operationId: "downloadModel",
    method: "GET",
    path: `${V1}/models/{name}/versions/{version}/model.onnx`,
    tag: "models",
    summary: "The version's ONNX file (immutable)",
    input: modelInputs.version,
    status: 200,
    output: null,
    produces: "application/octet-stream",
    errors: ["bad_request", "not_found"],
  }),
  reproduceModel: endpoint({
    operationId: "reproduceModelVersion",
    method: "POST",
    path: `${V1}/models/{name}/versions/{version}/reproduce`,
    tag: "models",
    summary: "Reproduce a version: run its pipeline version again with the same params on the same data, nothing from the step cache",
    description:
      "Uploaded datasets are pinned to the versions the original run read. The reproduction is listed in the version's lineage with whether its model has the same bytes.",
    input: modelInputs.version,
    status: 202,
    output: ZRunStarted,
    errors: ["bad_request", "not_found", "invalid", "unavailable"],
  }),
  setAlias: endpoint({
    operationId: "setModelAlias",
    method: "PUT",
    path: `${V1}/models/{name}/aliases/{alias}`,
    tag: "models",
    summary: "Point an alias (e.g. champion) at a version: promote or roll back by hand",
    description: "Audited (who, when, why); the serving process follows the move within a second.",
    input: modelInputs.setAlias,
    body: "fields",
    status: 200,
    output: ZAliasMoved,
    errors: ["bad_request", "not_found", "invalid", "unsupported_media_type"],
  }),
  deleteAlias: endpoint({
    operationId: "deleteModelAlias",
    method: "DELETE",
    path: `${V1}/models/{name}/aliases/{alias}`,
    tag: "models",
    summary: "Remove an alias (audited; `reason` in the query string)",
    input: modelInputs.deleteAlias,
    status: 200,
    output: ZAliasMoved,
    errors: ["bad_request", "not_found", "invalid"],
  }),
  predict: endpoint({
    operationId: "predict",
    method: "POST",
    path: `${V1}/models/{name}/predict`,
    tag: "models",
    summary: "Predictions from the serving process, for a model's deployment or one of its versions",
    description: "Forwards `{ instances }` to the serving process (`/v1/predict/{name}[/versions/{v}]`).",
    input: modelInputs.predict,
    body: "fields",
    status: 200,
    output: ZPredictions,
    errors: ["bad_request", "not_found", "invalid", "unavailable", "unsupported_media_type"],
  }),

  // --- deployments ---------------------------------------------------------
  listDeployments: endpoint({
    operationId: "listDeployments",
    method: "GET",
    path: `${V1}/deployments`,
    tag: "deployments",
    summary: "The team's serving endpoints: routes (versions, weights, shadows) and rollouts in progress",
    input: deploymentInputs.list,
    status: 200,
    output: z.array(ZDeploymentSummary),
    errors: [],
  }),
  getDeployment: endpoint({
    operationId: "getDeployment",
    method: "GET",
    path: `${V1}/deployments/{name}`,
    tag: "deployments",
    summary: "A deployment: routes, rollout, live figures per version and the history of changes",
    input: deploymentInputs.get,
    status: 200,
    output: ZDeployment,
    errors: ["not_found"],
  }),
  promoteDeployment: endpoint({
    operationId: "promoteDeployment",
    method: "POST",
    path: `${V1}/deployments/{name}/promote`,
    tag: "deployments",
    summary: "Promote: the rollout's challenger now, or a version by hand",
    description:
      "During a canary, shadow or A/B rollout the challenger becomes what the deployment's alias points at and the rollout ends (the run's deploy step succeeds). Otherwise `version` becomes it. Audited.",
    input: deploymentInputs.promote,
    body: "fields",
    status: 200,
    output: ZDeploymentChanged,
    errors: ["not_found", "invalid", "conflict", "unavailable", "unsupported_media_type"],
  }),
  rollbackDeployment: endpoint({
    operationId: "rollbackDeployment",
    method: "POST",
    path: `${V1}/deployments/{name}/rollback`,
    tag: "deployments",
    summary: "Roll back: end the rollout with the champion serving, or move the alias back to its previous version",
    input: deploymentInputs.rollback,
    body: "fields",
    status: 200,
    output: ZDeploymentChanged,
    errors: ["not_found", "invalid", "conflict", "unavailable", "unsupported_media_type"],
  }),
  recordFeedback: endpoint({
    operationId: "recordFeedback",
    method: "POST",
    path: `${V1}/deployments/{name}/feedback`,
    tag: "monitoring",
    summary: "Ground truth for logged predictions: the true label or value of each predicted row",
    description:
      "The body is a JSON array of `{ requestId, row?, label | value, at? }` (at most 10,000): `requestId` is the `x-request-id` of the serving answer " +
      "(`/v1/predict` also answers it as `request_id`; an OIP `infer` answer's `id` is not it), `row` the row within that request (default 0). " +
      "Classification deployments take `label` (one of the model's classes), regression deployments `value`. Items naming no logged live prediction " +
      "are answered in `unknown` and not stored; the last feedback for a row wins. Any invalid item is a 422 naming it, and nothing is stored.",
    input: feedbackInputs.record,
    body: { json: "feedback" },
    status: 200,
    output: ZFeedbackRecorded,
    errors: ["bad_request", "not_found", "invalid", "unsupported_media_type"],
  }),

  // --- monitoring ----------------------------------------------------------
  getMonitoring: endpoint({
    operationId: "getMonitoring",
    method: "GET",
    path: `${V1}/deployments/{name}/monitoring`,
    tag: "monitoring",
    summary: "A deployment's monitor windows (drift per feature, prediction drift, data quality, live quality, traffic), alert rules and events",
    description:
      "Windows starting in [from, to) (default: the last 7 days), oldest first. A window without traffic has status `no_data` and no figures. `references` holds the training profile (bins and counts, categories) each window compares with.",
    input: monitoringInputs.get,
    status: 200,
    output: ZMonitoring,
    errors: ["not_found", "invalid"],
  }),
  runMonitoring: endpoint({
    operationId: "runMonitoring",
    method: "POST",
    path: `${V1}/deployments/{name}/monitoring/run`,
    tag: "monitoring",
    summary: "Compute a monitor window now and act on it (alert rules, drift triggers)",
    description:
      "Default window: the last interval before now. A drift trigger whose condition holds starts its pipeline (unless in cooldown); the events say what happened.",
    input: monitoringInputs.run,
    body: "fields",
    status: 200,
    output: ZMonitorRun,
    errors: ["not_found", "invalid", "unavailable", "unsupported_media_type"],
  }),
  configureMonitoring: endpoint({
    operationId: "configureMonitoring",
    method: "PUT",
    path: `${V1}/deployments/{name}/monitoring`,
    tag: "monitoring",
    summary: "Set a deployment's monitor interval, retention, webhook and alert rules",
    description: "Fields left out keep their value; `rules`, when given, replaces every alert rule.",
    input: monitoringInputs.configure,
    body: "fields",
    status: 200,
    output: z.object({ deployment: z.string(), settings: ZMonitoringSettings, rules: z.array(ZAlertRule) }).meta({ id: "MonitoringConfigured" }),
    errors: ["not_found", "invalid", "unsupported_media_type"],
  }),

  // --- approvals -----------------------------------------------------------
  listApprovals: endpoint({
    operationId: "listApprovals",
    method: "GET",
    path: `${V1}/approvals`,
    tag: "approvals",
    summary: "Approvals of gate.approval steps, newest first (status=pending: the inbox)",
    input: approvalInputs.list,
    status: 200,
    output: z.array(ZApproval),
    errors: [],
  }),
  getApproval: endpoint({
    operationId: "getApproval",
    method: "GET",
    path: `${V1}/approvals/{id}`,
    tag: "approvals",
    summary: "An approval: the challenger's and the champion's metrics, and the pipeline diff against the champion's",
    input: approvalInputs.get,
    status: 200,
    output: ZApprovalDetail,
    errors: ["not_found"],
  }),
  decideApproval: endpoint({
    operationId: "decideApproval",
    method: "POST",
    path: `${V1}/approvals/{id}`,
    tag: "approvals",
    summary: "Approve or reject: the waiting run continues at once",
    description: "Audited. A decided or expired approval is a 409 naming who decided it; the first decision wins.",
    input: approvalInputs.decide,
    body: "fields",
    status: 200,
    output: ZApproval,
    errors: ["not_found", "invalid", "conflict", "unavailable", "unsupported_media_type"],
  }),
  downloadApprovalModel: endpoint({
    operationId: "downloadApprovalModel",
    method: "GET",
    path: `${V1}/approvals/{id}/model.onnx`,
    tag: "approvals",
    summary: "The challenger's ONNX file (for the in-browser preview)",
    input: approvalInputs.get,
    status: 200,
    output: null,
    produces: "application/octet-stream",
    errors: ["not_found"],
  }),

  // --- datasets ------------------------------------------------------------
  listDatasets: endpoint({
    operationId: "listDatasets",
    method: "GET",
    path: `${V1}/datasets`,
    tag: "datasets",
    summary: "The team's uploaded datasets, newest first",
    input: datasetInputs.list,
    status: 200,
    output: z.array(ZDataset),
    errors: [],
  }),
  getDataset: endpoint({
    operationId: "getDataset",
    method: "GET",
    path: `${V1}/datasets/{id}`,
    tag: "datasets",
    summary: "A dataset version with its column statistics (type, missing, distinct, min/max/mean, top values) and its first rows",
    input: datasetInputs.get,
    status: 200,
    output: ZDatasetDetail,
    errors: ["not_found"],
  }),
  deleteDataset: endpoint({
    operationId: "deleteDataset",
    method: "DELETE",
    path: `${V1}/datasets/{id}`,
    tag: "datasets",
    summary: "Delete a dataset version (restorable): hidden from lists and sources",
    description:
      "Refused with 409 naming every pipeline version that reads it: a source `dataset:<id>` or `dataset:<name>@<version>`, or, for the latest version, " +
      "a source `dataset:<name>` or a `dataset` trigger on the name. `POST /api/v1/datasets/{id}/restore` brings it back.",
    input: datasetInputs.get,
    status: 200,
    output: ZDatasetDeleted,
    errors: ["not_found", "conflict"],
  }),
  restoreDataset: endpoint({
    operationId: "restoreDataset",
    method: "POST",
    path: `${V1}/datasets/{id}/restore`,
    tag: "datasets",
    summary: "Undo a dataset delete",
    input: datasetInputs.get,
    status: 200,
    output: ZDataset,
    errors: ["not_found"],
  }),
  uploadDataset: endpoint({
    operationId: "uploadDataset",
    method: "POST",
    path: `${V1}/datasets`,
    tag: "datasets",
    summary: "Upload a CSV (header row first) as the next version of dataset `name`; column types are inferred",
    description: "Every pipeline with a `dataset` trigger on this name starts a run.",
    input: datasetInputs.upload,
    body: { raw: "text/csv", field: "csv" },
    status: 201,
    output: ZDatasetUploaded,
    errors: ["bad_request", "invalid", "payload_too_large"],
  }),
} satisfies Record<string, Endpoint>;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

/** The HTTP status of an error code (re-exported for clients). */
export const statusOf = (code: ErrorCode) => ERROR_STATUS[code];

/** Path parameters of `pathname` against a template like `/api/v1/pipelines/{id}`; undefined when it does not match. Throws on bad %-encoding. */
export function matchPath(template: string, pathname: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), "([^/]+)"));
  const m = new RegExp(`^${pattern}/?$`).exec(pathname);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
}

/** The endpoint serving `method pathname` (literal paths before parameterized ones). */
export function matchEndpoint(method: string, pathname: string): Endpoint | undefined {
  const all = (Object.values(endpoints) as Endpoint[]).filter((e) => e.method === method);
  all.sort((a, b) => pathParams(a.path).length - pathParams(b.path).length);
  return all.find((e) => {
    try {
      return matchPath(e.path, pathname) !== undefined;
    } catch {
      return false;
    }
  });
}
