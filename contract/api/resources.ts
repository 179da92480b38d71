/**
 * The API's resources, one zod schema each for what goes in and what comes
 * out. The tRPC procedures, the REST routes, the OpenAPI document and the CLI
 * all use these, so a resource has one shape everywhere. Outputs never carry
 * server paths (artifact URIs stay inside): object schemas strip unknown keys.
 */
import { z } from "zod";
import { ZModelInput, ZModelManifest, ZModelOutput } from "../model";
import { ZMonitorFigures } from "../monitoring";
import { ZMessage, ZName, ZSpecDocument, ZTimestamp, ZUser, ZVersionNumber } from "./common";

const ZId = z.string().max(200).describe("resource id (a UUID)");
const ZMetrics = z.record(z.string(), z.number()).meta({ id: "Metrics", description: "metric name → value, e.g. { r2: 0.71 }" });
const ZColumn = z.object({ name: z.string(), type: z.string().describe("DuckDB logical type, e.g. DOUBLE, BIGINT, VARCHAR") }).meta({ id: "Column" });

// ---------------------------------------------------------------------------
// Pipelines

/** `blocked`: the run finished, a gate said no, and its downstream was skipped (the run's `error` says why). */
export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "blocked"] as const;

export const ZPipelineSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    latestVersion: z.number().int(),
    updatedAt: ZTimestamp,
    isTemplate: z.boolean(),
    lastRun: z
      .object({ id: z.string(), status: z.enum(RUN_STATUSES), createdAt: ZTimestamp })
      .nullable()
      .describe("the pipeline's newest run (null: never run)"),
    deletedAt: ZTimestamp.nullable().describe("set for a deleted pipeline (listed with show=deleted, restorable)"),
  })
  .meta({ id: "PipelineSummary" });

/** Why something cannot be deleted: what depends on it, one problem each (`field` names the kind: runs, schedule, alias, deployment, pipeline). */
export const ZPipelineDeleted = z
  .object({ id: z.string(), name: z.string(), deletedAt: ZTimestamp.describe("restorable with POST /api/v1/pipelines/{id}/restore") })
  .meta({ id: "PipelineDeleted" });

export const ZPipelineRestored = z.object({ id: z.string(), name: z.string(), version: z.number().int() }).meta({ id: "PipelineRestored" });

export const ZPipelineDuplicated = z
  .object({
    id: z.string(),
    name: z.string().describe('the copy\'s name: "<name> copy", or "<name> copy 2", … when taken'),
    version: z.number().int().describe("1: the copy starts its own history"),
    from: z.object({ id: z.string(), version: z.number().int() }).describe("the pipeline version copied"),
    droppedTriggers: z.number().int().describe("triggers of the original left out of the copy (a copy never runs on its own until you add them)"),
  })
  .meta({ id: "PipelineDuplicated" });

export const ZPipelineVersionInfo = z
  .object({ version: z.number().int(), message: z.string(), createdAt: ZTimestamp, createdBy: ZUser })
  .meta({ id: "PipelineVersionInfo" });

export const ZPipeline = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.number().int(),
    spec: ZSpecDocument.describe("the spec exactly as saved"),
    message: z.string(),
    createdAt: ZTimestamp,
    createdBy: ZUser,
    versions: z.array(ZPipelineVersionInfo).describe("every version, newest first"),
    draft: z.object({ baseVersion: z.number().int(), updatedAt: ZTimestamp }).nullable().describe("the autosaved editor draft, if any"),
  })
  .meta({ id: "Pipeline" });

export const ZSaved = z
  .object({
    id: z.string(),
    version: z.number().int(),
    unchanged: z.boolean().optional().describe("true when the spec equals the latest version: no new version was made"),
    webhook: z
      .object({ token: z.string(), url: z.string().describe("POST here to start a run; the JSON body is its params") })
      .optional()
      .describe("present once, when this save gave the pipeline a webhook: the token is not shown again"),
  })
  .meta({ id: "SavedVersion" });

export const ZDraft = z
  .object({
    spec: z.record(z.string(), z.unknown()).describe("kept verbatim, valid or not"),
    baseVersion: z.number().int(),
    updatedAt: ZTimestamp,
    updatedBy: ZUser,
  })
  .meta({ id: "Draft" });

export const ZDraftSaved = z.object({ baseVersion: z.number().int(), updatedAt: ZTimestamp }).meta({ id: "DraftSaved" });

export const pipelineInputs = {
  list: z.object({
    q: z.string().trim().max(200).optional().describe("only pipelines whose name contains this (any case)"),
    sort: z
      .enum(["updated", "name", "lastRun"])
      .default("updated")
      .describe("updated: most recently changed first; name; lastRun: most recently run first, never-run last"),
    show: z.enum(["live", "deleted"]).default("live").describe("deleted: the deleted pipelines (restorable), most recently deleted first"),
  }),
  get: z.object({ id: ZId, version: ZVersionNumber.optional().describe("an older version; default the latest") }),
  byId: z.object({ id: ZId }),
  duplicate: z.object({ id: ZId, name: ZName.optional().describe('the copy\'s name; default "<name> copy"') }),
  version: z.object({ id: ZId, version: ZVersionNumber }),
  create: z.object({ spec: ZSpecDocument, message: ZMessage.optional().describe("what this version changes") }),
  save: z.object({ id: ZId, spec: ZSpecDocument, message: ZMessage.optional().describe("what this version changes") }),
  saveDraft: z.object({
    id: ZId,
    spec: z.record(z.string(), z.unknown()).describe("the editor's state as a spec; may be invalid"),
    baseVersion: ZVersionNumber.describe("the version the draft started from"),
  }),
};

// ---------------------------------------------------------------------------
// Runs

export const STEP_STATUSES = ["queued", "running", "succeeded", "failed", "skipped", "cancelled"] as const;

const ZDatasetRefView = z.object({
  kind: z.literal("dataset"),
  sha256: z.string(),
  rows: z.number().int(),
  schema: z.array(ZColumn),
  origin: z.object({ dataset: z.string(), version: z.number().int(), id: z.string() }).optional().describe("the uploaded dataset and version it was read from"),
});
const ZModelManifestView = ZModelManifest.extend({
  trainingData: z.object({ sha256: z.string(), rows: z.number().int() }),
  profile: z.object({ sha256: z.string() }).optional().describe("the reference profile for drift monitoring (models trained before it have none)"),
}).meta({ id: "ModelManifest" });
const ZModelRefView = z.object({ kind: z.literal("model"), sha256: z.string(), manifest: ZModelManifestView.omit({ metrics: true }) });
const ZMetricsRefView = z.object({
  kind: z.literal("metrics"),
  task: z.enum(["regression", "classification"]),
  values: ZMetrics,
  rows: z.number().int(),
  modelSha256: z.string(),
  champion: z
    .object({ version: z.number().int(), values: ZMetrics })
    .nullable()
    .optional()
    .describe("the champion's metrics on the same data, when the step compared"),
});
const ZDecisionRefView = z.object({ kind: z.literal("decision"), passed: z.boolean(), reasons: z.array(z.string()), metrics: ZMetrics });
const ZDeploymentRefView = z.object({
  kind: z.literal("deployment"),
  name: z.string(),
  model: z.string(),
  version: z.number().int(),
  alias: z.string(),
  strategy: z.string(),
  unchanged: z.boolean().optional().describe("the trained model equals this existing version: nothing new was registered and the alias did not move"),
});
export const ZPortValue = z
  .discriminatedUnion("kind", [ZDatasetRefView, ZModelRefView, ZMetricsRefView, ZDecisionRefView, ZDeploymentRefView])
  .meta({ id: "PortValue", description: "what a step produced on one output port: a reference, never data" });

export const ZStepLog = z.object({ ts: z.string(), level: z.enum(["info", "warn", "error"]), message: z.string() }).meta({ id: "StepLog" });

export const ZStepProgress = z
  .object({
    phase: z.string().describe("what the step is doing, e.g. reading the training data, training, storing the model"),
    iteration: z.number().int().optional().describe("iterative work: how far it is (with total)"),
    total: z.number().int().optional(),
    unit: z.string().optional().describe("what an iteration is, e.g. tree"),
    etaSeconds: z.number().optional().describe("estimated seconds left in this phase"),
    attempt: z.number().int(),
    updatedAt: ZTimestamp,
  })
  .meta({ id: "StepProgress" });

export const ZRunStep = z
  .object({
    nodeId: z.string(),
    type: z.string(),
    status: z.enum(STEP_STATUSES),
    attempt: z.number().int(),
    cached: z.boolean(),
    startedAt: ZTimestamp.nullable(),
    finishedAt: ZTimestamp.nullable(),
    error: z.string().nullable(),
    outputs: z.record(z.string(), ZPortValue).nullable(),
    logs: z.array(ZStepLog),
    progress: ZStepProgress.nullable()
      .optional()
      .describe("the latest progress the step reported (updated at most once a second while it runs); absent from servers before it existed"),
    worker: z
      .string()
      .nullable()
      .optional()
      .describe("identity (host:pid:suffix) of the worker process that ran the latest attempt; null for reused or skipped steps"),
  })
  .meta({ id: "RunStep" });

export const ZRunSummary = z
  .object({
    id: z.string(),
    pipelineId: z.string(),
    pipelineName: z.string(),
    pipelineVersion: z.number().int(),
    workflowId: z.string(),
    status: z.enum(RUN_STATUSES),
    trigger: z
      .object({
        type: z.string().describe("manual, api, schedule, webhook, dataset or retry"),
        detail: z.record(z.string(), z.unknown()).describe("the schedule and fire time, the dataset version, …"),
      })
      .meta({ id: "RunTrigger" }),
    params: z.record(z.string(), z.unknown()),
    error: z.string().nullable(),
    createdAt: ZTimestamp,
    startedAt: ZTimestamp.nullable(),
    finishedAt: ZTimestamp.nullable(),
  })
  .meta({ id: "RunSummary" });

export const ZRun = ZRunSummary.extend({
  steps: z.array(ZRunStep).describe("in the plan's order"),
  metrics: z
    .array(z.object({ nodeId: z.string(), key: z.string(), step: z.number().int(), value: z.number() }))
    .describe("every metric of every step: step 0 is a scalar (e.g. r2), steps 1… are a curve (e.g. train_loss per iteration)"),
}).meta({ id: "Run" });

export const ZRunStarted = z.object({ runId: z.string(), workflowId: z.string().describe("the Temporal workflow id") }).meta({ id: "RunStarted" });
export const ZRunCancelled = z.object({ runId: z.string(), status: z.enum(RUN_STATUSES) }).meta({ id: "RunCancelRequested" });

const ZParamValue = z.union([z.string(), z.number(), z.boolean()]);
export const runInputs = {
  start: z.object({
    pipelineId: ZId,
    version: ZVersionNumber.optional().describe("the pipeline version to run; default the latest"),
    params: z.record(z.string(), ZParamValue).default({}).describe("values for the spec's params"),
    resumeOf: ZId.optional().describe(
      "an earlier run of this pipeline (e.g. a failed one, before an edit): its succeeded steps that did not change are reused",
    ),
  }),
  get: z.object({ runId: ZId }),
  list: z.object({
    pipelineId: ZId.optional(),
    status: z.enum(RUN_STATUSES).optional(),
    limit: z.coerce.number<number | string>().int().min(1).max(500).default(50).describe("newest first"),
  }),
};

// ---------------------------------------------------------------------------
// Models

export const ZAliasEvent = z
  .object({
    alias: z.string(),
    fromVersion: z.number().int().nullable(),
    toVersion: z.number().int().nullable().describe("null when the alias was removed"),
    actor: z.string(),
    reason: z.string(),
    runId: z.string().nullable(),
    pipelineName: z.string().nullable().describe("the pipeline of the run that moved it (null for a move by hand)"),
    createdAt: ZTimestamp,
  })
  .meta({ id: "AliasEvent" });

export const ZModelSummary = z
  .object({
    name: z.string(),
    createdAt: ZTimestamp,
    latestVersion: z.number().int().nullable(),
    latestAt: ZTimestamp.nullable().describe("when the latest version was registered"),
    aliases: z.record(z.string(), z.number().int()),
    deployments: z.array(z.string()).describe("active endpoints serving this model"),
  })
  .meta({ id: "ModelSummary" });

export const ZModel = z
  .object({
    name: z.string(),
    versions: z.array(z.object({ version: z.number().int(), metrics: ZMetrics, runId: z.string().nullable(), createdAt: ZTimestamp, sha256: z.string() })),
    aliases: z.record(z.string(), z.number().int()).describe("alias → version, e.g. { champion: 3 }"),
    events: z.array(ZAliasEvent).describe("alias moves, newest first"),
  })
  .meta({ id: "Model" });

export const ZModelVersion = z
  .object({
    name: z.string(),
    version: z.number().int(),
    manifest: ZModelManifestView,
    metrics: ZMetrics,
    runId: z.string().nullable(),
    sha256: z.string(),
    createdAt: ZTimestamp,
    modelUrl: z.string().describe("where to download model.onnx"),
    lineage: z
      .object({
        run: z.object({ id: z.string(), status: z.string(), trigger: z.string(), createdAt: ZTimestamp }).nullable().describe("the run that trained it"),
        pipeline: z.object({ id: z.string(), name: z.string(), version: z.number().int() }).nullable().describe("the pipeline version it ran"),
        trainingData: z.object({
          dataset: z
            .object({ name: z.string(), version: z.number().int(), id: z.string() })
            .nullable()
            .describe("the uploaded dataset it read (null: a bundled sample)"),
          sha256: z.string().describe("of the training split"),
          rows: z.number().int(),
        }),
        params: z.record(z.string(), z.unknown()),
        seed: z.number().nullable(),
        libraries: z.record(z.string(), z.string()).describe("code versions"),
        reproductions: z
          .array(
            z.object({
              runId: z.string(),
              status: z.string(),
              createdAt: ZTimestamp,
              sameBytes: z.boolean().nullable().describe("the run's model has this version's bytes (null until it succeeds)"),
            }),
          )
          .describe("runs started with Reproduce, newest first"),
      })
      .describe("where the version came from"),
  })
  .meta({ id: "ModelVersion" });

export const ZModelDeleted = z.object({ name: z.string(), versions: z.number().int().describe("versions deleted with it") }).meta({ id: "ModelDeleted" });

export const ZAliasMoved = z
  .object({ name: z.string(), alias: z.string(), version: z.number().int().nullable(), fromVersion: z.number().int().nullable() })
  .meta({ id: "AliasMoved" });

const ZInstance = z.record(z.string(), z.union([z.number(), z.string(), z.null()])).meta({ id: "Instance", description: "one row: input column → value" });

export const ZPredictions = z
  .object({
    model_name: z.string(),
    model_version: z.number().int(),
    request_id: z.string().optional().describe("what feedback on these predictions names (POST /api/v1/deployments/{name}/feedback)"),
    predictions: z.array(z.union([z.object({ prediction: z.number() }), z.object({ label: z.string(), probabilities: z.record(z.string(), z.number()) })])),
  })
  .meta({ id: "Predictions" });

const ZAlias = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, "must be lower-case letters, digits, '-' or '_', starting with a letter");

export const modelInputs = {
  list: z.object({
    q: z.string().trim().max(200).optional().describe("only models whose name contains this (any case)"),
    sort: z.enum(["name", "updated", "created"]).default("name").describe("name; updated: newest version first; created: newest model first"),
  }),
  get: z.object({ name: ZName }),
  version: z.object({ name: ZName, version: ZVersionNumber }),
  setAlias: z.object({ name: ZName, alias: ZAlias, version: ZVersionNumber, reason: ZMessage.min(1, "say why (it is kept in the audit trail)") }),
  deleteAlias: z.object({ name: ZName, alias: ZAlias, reason: ZMessage.min(1, "say why (it is kept in the audit trail)") }),
  predict: z.object({
    name: ZName,
    version: ZVersionNumber.optional().describe("a registered version; default what the deployment of that name serves"),
    instances: z.array(ZInstance).min(1, "send at least one instance").max(1000, "at most 1000 instances per request"),
  }),
};

export { ZModelInput, ZModelOutput };

// ---------------------------------------------------------------------------
// Deployments

const ZRouteView = z
  .object({
    version: z.number().int().nullable().describe("the version it sends to (an alias route: where the alias points now; null when it points nowhere)"),
    alias: z.string().nullable().describe("set when the route follows an alias"),
    weight: z.number().describe("percent of live traffic (0 for a shadow)"),
    mode: z.enum(["live", "shadow"]).describe("live answers its share of requests; shadow gets a copy of every request and never answers"),
  })
  .meta({ id: "DeploymentRoute" });

const ZRollout = z
  .object({
    strategy: z.enum(["canary", "shadow", "ab"]),
    challenger: z.number().int().describe("the version being rolled out"),
    step: z.number().int().optional().describe("canary: index into steps"),
    steps: z.array(z.number()).optional().describe("canary: percent of traffic at each step"),
    workflowId: z.string(),
    runId: z.string().optional(),
    startedAt: z.string(),
    stepStartedAt: z.string(),
  })
  .meta({ id: "Rollout" });

export const ZDeploymentSummary = z
  .object({
    name: z.string().describe("the endpoint: /v2/models/{name}"),
    model: z.string().describe("registry model"),
    alias: z.string().describe("the alias its stable route follows; promote moves it"),
    status: z.string(),
    routes: z.array(ZRouteView),
    rollout: ZRollout.nullable().describe("a canary, shadow or A/B rollout in progress"),
    sticky: z.object({ parameter: z.string().optional(), column: z.string().optional() }).nullable().describe("A/B: what keeps a caller on one version"),
    updatedAt: ZTimestamp,
  })
  .meta({ id: "DeploymentSummary" });

const ZVersionFigures = z
  .object({
    version: z.number().int(),
    mode: z.enum(["live", "shadow"]),
    requests: z.number().int(),
    errors: z.number().int().describe("answers with status 400 or more"),
    errorRate: z.number(),
    p50Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
    agreement: z.number().nullable().describe("shadow: share of compared rows whose answer agreed with the live answer"),
    compared: z.number().int(),
  })
  .meta({ id: "VersionFigures" });

const ZDeploymentEvent = z
  .object({
    kind: z.string().describe("created, updated, canary-step, shadow-started, ab-started, promoted, rolled-back"),
    fromRoutes: z.array(ZRouteView).nullable(),
    toRoutes: z.array(ZRouteView),
    actor: z.string().describe("user:<id> or pipeline:<id>"),
    reason: z.string(),
    runId: z.string().nullable(),
    pipelineName: z.string().nullable().describe("the pipeline of the run that made the change"),
    createdAt: ZTimestamp,
  })
  .meta({ id: "DeploymentEvent" });

export const ZDeployment = ZDeploymentSummary.extend({
  figuresSince: ZTimestamp,
  figures: z.array(ZVersionFigures).describe("live figures per version, summed over serving replicas"),
  quality: z
    .object({
      windowStart: ZTimestamp,
      windowEnd: ZTimestamp,
      versions: ZMonitorFigures.shape.versionQuality.unwrap(),
    })
    .nullable()
    .describe("each version's live quality (ground truth sent as feedback) in the newest monitor window; null before one is computed"),
  history: z.array(ZDeploymentEvent).describe("route changes, newest first"),
}).meta({ id: "Deployment" });

export const ZDeploymentChanged = ZDeploymentSummary.extend({ outcome: z.string().describe("what happened") }).meta({ id: "DeploymentChanged" });

const ZReason = ZMessage.min(1, "say why (it is kept in the audit trail)");

export const deploymentInputs = {
  list: z.object({ model: ZName.optional().describe("only this registry model's deployments") }),
  get: z.object({
    name: ZName,
    minutes: z.coerce
      .number<number | string>()
      .int()
      .min(1)
      .max(10080)
      .optional()
      .describe("figures of the last N minutes (default 15; during a rollout: since its step began)"),
  }),
  promote: z.object({
    name: ZName,
    version: ZVersionNumber.optional().describe("the version to promote (during a rollout: its challenger, the default)"),
    reason: ZReason,
  }),
  rollback: z.object({ name: ZName, reason: ZReason }),
};

/** The most feedback items one call takes. */
export const MAX_FEEDBACK_ITEMS = 10_000;

const ZFeedbackItem = z
  .object({
    requestId: z
      .string()
      .min(1, "must not be empty")
      .max(256, "must be at most 256 characters")
      .describe("the prediction's request id: the `x-request-id` of its serving answer (`/v1/predict` also answers it as `request_id`)"),
    row: z.number().int().min(0).max(2_147_483_647).default(0).describe("the row within that request (default 0)"),
    label: z
      .string()
      .max(1000, "must be at most 1000 characters")
      .optional()
      .describe("classification deployments: the true class, one of the model's classes"),
    value: z.number().optional().describe("regression deployments: the true value"),
    at: z.iso.datetime({ offset: true }).optional().describe("when the truth was observed (ISO 8601; default: now)"),
  })
  .meta({ id: "FeedbackItem" });

export const feedbackInputs = {
  record: z.object({
    name: ZName,
    feedback: z
      .array(ZFeedbackItem)
      .min(1, "send at least one item")
      .max(MAX_FEEDBACK_ITEMS, `send at most ${MAX_FEEDBACK_ITEMS} items per call`)
      .describe("the whole JSON body: one item per predicted row"),
  }),
};

export const ZFeedbackRecorded = z
  .object({
    recorded: z.number().int().describe("items stored (the last one for a request's row wins)"),
    unknown: z
      .array(z.object({ index: z.number().int(), requestId: z.string(), row: z.number().int() }))
      .describe("items naming no logged live prediction of this deployment: not stored"),
  })
  .meta({ id: "FeedbackRecorded" });

// ---------------------------------------------------------------------------
// Approvals

export const APPROVAL_STATUSES = ["pending", "approved", "rejected", "expired"] as const;

export const ZApproval = z
  .object({
    id: z.string(),
    status: z.enum(APPROVAL_STATUSES),
    runId: z.string(),
    nodeId: z.string(),
    modelName: z.string(),
    pipeline: z.object({ id: z.string(), name: z.string(), version: z.number().int() }),
    instructions: z.string(),
    task: z.string().nullable(),
    rows: z.number().int().nullable().describe("evaluation rows"),
    metrics: ZMetrics.describe("the challenger's"),
    champion: z
      .object({
        version: z.number().int(),
        runId: z.string(),
        pipeline: z.object({ id: z.string(), version: z.number().int(), nodeId: z.string() }),
        metrics: ZMetrics,
        sameRows: z.boolean().describe("scored on the same rows as the challenger (else its registered metrics)"),
      })
      .nullable(),
    model: z.object({ sha256: z.string(), manifest: z.record(z.string(), z.unknown()) }).nullable(),
    modelUrl: z.string().describe("the challenger's model.onnx (for the in-browser preview)"),
    expiresAt: ZTimestamp,
    decidedBy: z.string().nullable(),
    comment: z.string().nullable(),
    decidedAt: ZTimestamp.nullable(),
    createdAt: ZTimestamp,
  })
  .meta({ id: "Approval" });

const ZFieldChange = z.object({
  field: z.string(),
  before: z.unknown().optional().describe("absent when the field was added"),
  after: z.unknown().optional().describe("absent when the field was removed"),
});
export const ZApprovalDetail = ZApproval.extend({
  championPipeline: z.object({ id: z.string(), version: z.number().int(), nodeId: z.string() }).nullable(),
  diff: z
    .object({
      nodes: z.object({
        added: z.array(z.string()),
        removed: z.array(z.string()),
        changed: z.array(z.object({ id: z.string(), fields: z.array(ZFieldChange) })),
      }),
      edges: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
      pipeline: z.array(ZFieldChange),
      layoutOnly: z.boolean(),
    })
    .nullable()
    .describe("this run's pipeline version against the one that made the champion"),
}).meta({ id: "ApprovalDetail" });

export const approvalInputs = {
  list: z.object({ status: z.enum(APPROVAL_STATUSES).optional().describe("e.g. pending: the inbox") }),
  get: z.object({ id: ZId }),
  decide: z.object({
    id: ZId,
    decision: z.enum(["approve", "reject"], { error: 'decision must be "approve" or "reject"' }),
    comment: ZMessage.default(""),
  }),
};

// ---------------------------------------------------------------------------
// Datasets

export const ZDataset = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.number().int().describe("1, 2, … per name"),
    rows: z.number().int(),
    columns: z.array(ZColumn),
    createdAt: ZTimestamp,
  })
  .meta({ id: "Dataset" });

export const ZDatasetUploaded = ZDataset.extend({
  runs: z
    .array(z.object({ pipelineId: z.string(), runId: z.string().nullable(), error: z.string().nullable() }))
    .describe("runs started by `dataset` triggers on this name (error when one could not start)"),
}).meta({ id: "DatasetUploaded" });

export const ZColumnStats = z
  .object({
    name: z.string(),
    type: z.string().describe("DuckDB logical type, e.g. DOUBLE, BIGINT, VARCHAR"),
    kind: z.enum(["number", "string", "other"]).describe("how trainers read the column: numbers, text (categories), or other (dates, booleans)"),
    missing: z.number().int().describe("rows with no value"),
    distinct: z.number().int().describe("distinct values (missing not counted)"),
    min: z.union([z.number(), z.string()]).nullable().describe("numbers, dates and times: the smallest value"),
    max: z.union([z.number(), z.string()]).nullable().describe("numbers, dates and times: the largest value"),
    mean: z.number().nullable().describe("numbers: the mean"),
    top: z
      .array(z.object({ value: z.string(), count: z.number().int() }))
      .describe("text and boolean columns: the most frequent values, most frequent first (at most 3)"),
  })
  .meta({ id: "ColumnStats" });

export const ZCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ZDatasetDetail = ZDataset.extend({
  stats: z.array(ZColumnStats).describe("one per column, in the dataset's column order"),
  preview: z
    .object({ rows: z.array(z.array(ZCell)).describe("the first rows, one value per column in column order (long text cut to 200 characters)") })
    .describe("the first rows of the dataset"),
}).meta({ id: "DatasetDetail" });

/** A raw request body: its bytes whole, or as a stream (the server reads an upload as it arrives, never whole). */
export type Bytes = Uint8Array | ReadableStream<Uint8Array>;
export const ZBytes = z.custom<Bytes>(
  (v) => v instanceof Uint8Array || (typeof v === "object" && v !== null && typeof (v as { getReader?: unknown }).getReader === "function"),
  "must be bytes",
);

export const ZDatasetDeleted = ZDataset.extend({
  deletedAt: ZTimestamp.describe("restorable with POST /api/v1/datasets/{id}/restore"),
}).meta({ id: "DatasetDeleted" });

export const datasetInputs = {
  list: z.object({}),
  get: z.object({ id: ZId }),
  upload: z.object({ name: ZName.describe("the dataset's name"), csv: ZBytes.describe("the CSV bytes (header row first), whole or as they arrive") }),
};

// ---------------------------------------------------------------------------
// Triggers

export const ZScheduleState = z
  .object({
    paused: z.boolean(),
    note: z.string().nullable().describe("why it was paused or resumed, and by whom"),
    nextFireTimes: z.array(ZTimestamp).describe("the next five"),
    lastFiredAt: ZTimestamp.nullable(),
  })
  .meta({ id: "ScheduleState" });

export const ZTriggerState = z
  .object({
    index: z.number().int(),
    version: z.number().int().describe("the pipeline version the trigger is from (always the latest)"),
    description: z.string().describe('in words, e.g. "at 02:00, every day (Europe/Berlin)"'),
    trigger: z.record(z.string(), z.unknown()).describe("the trigger as in the spec"),
    schedule: ZScheduleState.nullable().optional().describe("schedule triggers: the Temporal Schedule's state (null until it exists)"),
    webhook: z
      .object({ path: z.string(), hint: z.string() })
      .nullable()
      .optional()
      .describe("webhook triggers: the URL with the token hidden but its last 4 characters"),
    dataset: z.object({ latestVersion: z.number().int().nullable() }).optional().describe("dataset triggers: the subscribed dataset's latest version"),
  })
  .meta({ id: "TriggerState" });

export const ZScheduleSummary = z
  .object({
    pipelineId: z.string(),
    pipelineName: z.string(),
    index: z.number().int(),
    cron: z.string(),
    timezone: z.string(),
    description: z.string(),
    schedule: ZScheduleState.nullable(),
  })
  .meta({ id: "ScheduleSummary" });

export const ZWebhookToken = z
  .object({ token: z.string(), hint: z.string(), url: z.string().describe("POST here to start a run; the JSON body is its params") })
  .meta({ id: "WebhookToken", description: "shown this once: only its hash is kept" });

export const triggerInputs = {
  list: z.object({ id: ZId }),
  pause: z.object({
    id: ZId,
    index: z.coerce.number<number | string>().int().min(0).max(99).describe("the trigger's position in the spec's `triggers`, from 0"),
    reason: ZMessage.min(1, "say why (it is kept with the schedule)"),
  }),
  regenerate: z.object({ id: ZId }),
  hook: z.object({
    token: z.string().max(200),
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe("the run's params (the whole JSON body)"),
  }),
  schedules: z.object({}),
};

// ---------------------------------------------------------------------------
// Health

export const ZHealth = z
  .object({ db: z.string(), temporal: z.string(), worker: z.string(), serving: z.string() })
  .meta({ id: "Health", description: 'each "ok" or the reason it is not' });
