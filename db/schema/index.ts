/**
 * The Conveyor data model. Every user-owned row carries team_id. Only
 * db/queries/* imports these tables.
 */
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  bigint,
} from "drizzle-orm/pg-core";

const id = () =>
  uuid("id")
    .primaryKey()
    .default(sql`gen_random_uuid()`);
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const roleEnum = pgEnum("team_role", ["viewer", "editor", "admin"]);
/** `blocked`: the run finished, a gate said no and its downstream was skipped. */
export const runStatusEnum = pgEnum("run_status", ["queued", "running", "succeeded", "failed", "cancelled", "blocked"]);
export const stepStatusEnum = pgEnum("step_status", ["queued", "running", "succeeded", "failed", "skipped", "cancelled"]);

export const teams = pgTable("teams", {
  id: id(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const users = pgTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const teamMembers = pgTable(
  "team_members",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull().default("editor"),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

export const datasets = pgTable(
  "datasets",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    name: text("name").notNull(),
    /** 1, 2, … per (team, name): uploading to an existing name adds the next version. */
    version: integer("version").notNull().default(1),
    uri: text("uri").notNull(),
    sha256: text("sha256").notNull(),
    rows: integer("rows").notNull(),
    columns: jsonb("columns").$type<{ name: string; type: string }[]>().notNull(),
    createdBy: uuid("created_by").references(() => users.id),
    /** A dataset a pipeline step wrote (deploy.batch): its run and node; null for uploads. Registering is idempotent per (run, node). */
    runId: uuid("run_id").references((): AnyPgColumn => runs.id, { onDelete: "set null" }),
    nodeId: text("node_id"),
    createdAt: createdAt(),
    /** Soft delete: hidden from lists and sources, restorable (POST /api/v1/datasets/{id}/restore) until purged. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [index("datasets_team_idx").on(t.teamId), uniqueIndex("datasets_team_name_version_idx").on(t.teamId, t.name, t.version)],
);

export const pipelines = pgTable(
  "pipelines",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    latestVersion: integer("latest_version").notNull().default(1),
    isTemplate: boolean("is_template").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** Soft delete: hidden from lists, triggers quiet, every lookup a 404; POST /api/v1/pipelines/{id}/restore brings it back. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    deletedBy: uuid("deleted_by").references(() => users.id),
  },
  (t) => [index("pipelines_team_idx").on(t.teamId)],
);

/** Immutable: a saved spec is never updated, a save adds a version. */
export const pipelineVersions = pgTable(
  "pipeline_versions",
  {
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    spec: jsonb("spec").notNull(),
    message: text("message").notNull().default(""),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.pipelineId, t.version] })],
);

/**
 * Autosaved editor state, one per pipeline: the spec verbatim (it may be
 * invalid, that is the point) and the version it was started from. Saving a
 * version deletes it.
 */
export const pipelineDrafts = pgTable("pipeline_drafts", {
  pipelineId: uuid("pipeline_id")
    .primaryKey()
    .references(() => pipelines.id, { onDelete: "cascade" }),
  teamId: uuid("team_id")
    .notNull()
    .references(() => teams.id),
  spec: jsonb("spec").notNull(),
  baseVersion: integer("base_version").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid("updated_by").references(() => users.id),
});

export const runs = pgTable(
  "runs",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id),
    pipelineVersion: integer("pipeline_version").notNull(),
    workflowId: text("workflow_id").notNull().unique(),
    status: runStatusEnum("status").notNull().default("queued"),
    params: jsonb("params").$type<Record<string, unknown>>().notNull().default({}),
    /** What started the run: manual, api, schedule, webhook, dataset. */
    trigger: text("trigger").notNull().default("manual"),
    /** Facts of the trigger: the schedule and its fire time, the dataset version, … */
    triggerDetail: jsonb("trigger_detail").$type<Record<string, unknown>>().notNull().default({}),
    error: text("error"),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("runs_pipeline_idx").on(t.pipelineId, t.createdAt)],
);

export interface StepLog {
  ts: string;
  level: "info" | "warn" | "error";
  message: string;
}

/**
 * Where a running step is (the latest its attempt reported): a phase, and
 * for iterative work the iteration of total with an estimate of the time
 * left. Written at most once a second by the attempt that owns the step.
 */
export interface StepProgress {
  phase: string;
  iteration?: number;
  total?: number;
  /** What an iteration is: "tree", "iteration". */
  unit?: string;
  etaSeconds?: number;
  attempt: number;
  updatedAt: string;
}

export const runSteps = pgTable(
  "run_steps",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    type: text("type").notNull(),
    /** Index in the plan's topological order (display order). */
    position: integer("position").notNull().default(0),
    status: stepStatusEnum("status").notNull().default("queued"),
    attempt: integer("attempt").notNull().default(0),
    cached: boolean("cached").notNull().default(false),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    error: text("error"),
    outputs: jsonb("outputs").$type<Record<string, unknown>>(),
    logs: jsonb("logs").$type<StepLog[]>().notNull().default([]),
    progress: jsonb("progress").$type<StepProgress>(),
    /** Identity of the worker process running (or that ran) the current attempt. */
    worker: text("worker"),
    /**
     * What the step's attempts saved to resume from (e.g. the chunks
     * deploy.batch has scored): kept across attempts, so a retry after a
     * killed worker goes on where the last one stopped.
     */
    checkpoint: jsonb("checkpoint").$type<unknown>(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
);

export const artifacts = pgTable(
  "artifacts",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    nodeId: text("node_id"),
    port: text("port"),
    kind: text("kind").notNull(),
    uri: text("uri").notNull(),
    sha256: text("sha256").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    meta: jsonb("meta").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("artifacts_run_idx").on(t.runId)],
);

/** Scalars have step 0; training curves use step = iteration. */
export const metrics = pgTable(
  "metrics",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    key: text("key").notNull(),
    step: integer("step").notNull().default(0),
    value: doublePrecision("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId, t.key, t.step] })],
);

export const models = pgTable(
  "models",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("models_team_name_idx").on(t.teamId, t.name)],
);

export const modelVersions = pgTable(
  "model_versions",
  {
    modelId: uuid("model_id")
      .notNull()
      .references(() => models.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    artifactUri: text("artifact_uri").notNull(),
    sha256: text("sha256").notNull(),
    manifest: jsonb("manifest").$type<Record<string, unknown>>().notNull(),
    metrics: jsonb("metrics").$type<Record<string, number>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.version] })],
);

export const modelAliases = pgTable(
  "model_aliases",
  {
    modelId: uuid("model_id")
      .notNull()
      .references(() => models.id, { onDelete: "cascade" }),
    alias: text("alias").notNull(),
    version: integer("version").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.alias] })],
);

/** Audit log: every alias move, who/when/why/from which run. */
export const aliasEvents = pgTable("alias_events", {
  id: id(),
  modelId: uuid("model_id")
    .notNull()
    .references(() => models.id, { onDelete: "cascade" }),
  alias: text("alias").notNull(),
  fromVersion: integer("from_version"),
  /** Null when the alias was removed. */
  toVersion: integer("to_version"),
  actor: text("actor").notNull(),
  reason: text("reason").notNull(),
  runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

/**
 * Where a deployment sends requests: a model version, or an alias (followed as
 * it moves), with a share of live traffic or as a shadow that gets a copy of
 * every request and never answers.
 */
export interface DeploymentRoute {
  /** Exactly one of version and alias. */
  version?: number;
  alias?: string;
  /** Percent of live traffic, 0–100; the live routes' weights add up to 100. Shadows: 0. */
  weight: number;
  mode: "live" | "shadow";
}

/**
 * A rollout in progress (canary, shadow or A/B): which strategy, which
 * version is the challenger, where it is, and the Temporal workflow driving
 * it. Null when the deployment is stable.
 */
export interface DeploymentRollout {
  strategy: "canary" | "shadow" | "ab";
  challenger: number;
  /** Canary: index into steps of the weight the challenger has now. */
  step?: number;
  steps?: number[];
  workflowId: string;
  runId?: string;
  startedAt: string;
  /** When the current step began (its live figures are read from here). */
  stepStartedAt: string;
}

/** A serving endpoint: `name` is what clients call (/v2/models/{name}). */
export const deployments = pgTable("deployments", {
  id: id(),
  teamId: uuid("team_id")
    .notNull()
    .references(() => teams.id),
  name: text("name").notNull().unique(),
  modelId: uuid("model_id")
    .notNull()
    .references(() => models.id),
  /** The alias the deployment's stable route follows; promote moves it. */
  alias: text("alias").notNull().default("champion"),
  strategy: text("strategy").notNull().default("replace"),
  status: text("status").notNull().default("active"),
  config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  /** Where requests go now. Stable: one live route following `alias`. */
  routes: jsonb("routes")
    .$type<DeploymentRoute[]>()
    .notNull()
    .default(sql`'[]'::jsonb`),
  rollout: jsonb("rollout").$type<DeploymentRollout | null>(),
  runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
  monitoring: jsonb("monitoring")
    .$type<DeploymentMonitoring>()
    .notNull()
    .default(sql`'{"intervalSeconds":3600,"retentionDays":30,"enabled":true}'::jsonb`),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Audit log of a deployment: every change of its routes, by a person or a pipeline. */
export const deploymentEvents = pgTable(
  "deployment_events",
  {
    id: id(),
    deploymentId: uuid("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    /** created, updated, canary-step, promoted, rolled-back, shadow-started, ab-started, … */
    kind: text("kind").notNull(),
    fromRoutes: jsonb("from_routes").$type<DeploymentRoute[]>(),
    toRoutes: jsonb("to_routes").$type<DeploymentRoute[]>().notNull(),
    actor: text("actor").notNull(),
    reason: text("reason").notNull(),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("deployment_events_deployment_idx").on(t.deploymentId, t.createdAt)],
);

/**
 * Live figures of each served version, written by every serving replica
 * every few seconds in 10-second windows (counts add up across replicas):
 * what the deployments page shows and what a canary's rollback rules read.
 */
export const servingStats = pgTable(
  "serving_stats",
  {
    replica: text("replica").notNull(),
    deployment: text("deployment").notNull(),
    version: integer("version").notNull(),
    mode: text("mode").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    requests: integer("requests").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    /** Request counts per latency bucket (upper bounds in server/serving's LATENCY_BUCKETS, then +Inf). */
    latencyBuckets: jsonb("latency_buckets").$type<number[]>().notNull(),
    latencySumMs: doublePrecision("latency_sum_ms").notNull().default(0),
    /** Shadow routes: answers compared with the live answer, and how many agreed. */
    compared: integer("compared").notNull().default(0),
    agreed: integer("agreed").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.replica, t.deployment, t.version, t.mode, t.windowStart] }),
    index("serving_stats_deployment_idx").on(t.deployment, t.windowStart),
  ],
);

/**
 * How a deployment is watched (PUT /api/v1/deployments/{name}/monitoring):
 * the monitor's interval (each window covers one interval of logged
 * predictions), how long predictions are kept, and where alert events are
 * POSTed. Defaults: hourly windows, 30 days.
 */
export interface DeploymentMonitoring {
  /** Seconds between monitor windows (and each window's length). */
  intervalSeconds: number;
  /** Logged predictions and their feedback older than this are deleted. */
  retentionDays: number;
  /** Alert events are POSTed here as JSON when set. */
  webhookUrl?: string | null;
  /** False: predictions are not logged and no monitor runs. */
  enabled: boolean;
}

/**
 * The prediction log: every row a deployment's routes answer (live and
 * shadow), written by the serving process off the request path
 * (server/serving/prediction-log.ts). One row here is a batch of logged
 * predictions of one deployment, version and mode (what one replica
 * answered between two flushes, spanning at most a minute): PostgreSQL pays
 * per stored row and per index entry, and a row per prediction cost it 6×
 * the CPU (docs/benchmarks.md, serving). Feedback finds a prediction by its
 * request id (`x-request-id`) and row: by the time in the ids serving made,
 * through the GIN index for the others (db/queries/prediction-log.ts,
 * foundByTime). `data` holds the rest column by column (PredictionBatchData).
 */
export const predictionLogBatches = pgTable(
  "prediction_log_batches",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    deploymentId: uuid("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    mode: text("mode").notNull().default("live"),
    rowCount: integer("row_count").notNull(),
    /** When the batch's first and last predictions were answered. */
    firstAt: timestamp("first_at", { withTimezone: true }).notNull(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
    /** Each prediction's request id and row within its request, in order. */
    requestIds: text("request_ids").array().notNull(),
    requestRows: integer("request_rows").array().notNull(),
    /** The request ids not found by their time (chosen by callers, or answered late). */
    indexedRequestIds: text("indexed_request_ids").array().notNull(),
    /** PredictionBatchData as JSON text (written and read whole, never queried into; stored uncompressed: migration 0012). */
    data: text("data").notNull(),
  },
  (t) => [
    index("prediction_log_batches_deployment_idx").on(t.deploymentId, t.firstAt),
    index("prediction_log_batches_request_idx").using("gin", t.indexedRequestIds),
  ],
);

/** Ground truth for logged predictions (POST /api/v1/deployments/{name}/feedback): the last one sent for a row wins. */
export const predictionFeedback = pgTable(
  "prediction_feedback",
  {
    deploymentId: uuid("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    requestId: text("request_id").notNull(),
    row: integer("row").notNull().default(0),
    /** Classification: the true class. */
    label: text("label"),
    /** Regression: the true value. */
    value: doublePrecision("value"),
    /** When the truth was observed (the sender's `at`, default: received). */
    at: timestamp("at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.requestId, t.row] })],
);

/** One computed monitor window of a deployment: every figure of contract/monitoring.ts ZMonitorFigures. */
export const monitorWindows = pgTable(
  "monitor_windows",
  {
    deploymentId: uuid("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    windowEnd: timestamp("window_end", { withTimezone: true }).notNull(),
    /** Live predictions in the window (0: a "no data" window). */
    rows: integer("rows").notNull(),
    figures: jsonb("figures").$type<Record<string, unknown>>().notNull(),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.windowStart, t.windowEnd] })],
);

/** An alert rule of a deployment: fires when `metric` (of `feature`, or the worst feature) `op` `value` for `forWindows` windows in a row. */
export const alertRules = pgTable("alert_rules", {
  id: id(),
  deploymentId: uuid("deployment_id")
    .notNull()
    .references(() => deployments.id, { onDelete: "cascade" }),
  metric: text("metric").notNull(),
  feature: text("feature"),
  op: text("op").notNull(),
  value: doublePrecision("value").notNull(),
  forWindows: integer("for_windows").notNull().default(1),
  createdAt: createdAt(),
});

/**
 * What monitoring did: an alert rule firing or resolving, a drift trigger
 * starting a retraining run (`runId`) or being held back by its cooldown.
 */
export const monitorEvents = pgTable(
  "monitor_events",
  {
    id: id(),
    deploymentId: uuid("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    ruleId: uuid("rule_id").references(() => alertRules.id, { onDelete: "set null" }),
    pipelineId: uuid("pipeline_id").references(() => pipelines.id, { onDelete: "set null" }),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    windowEnd: timestamp("window_end", { withTimezone: true }).notNull(),
    metric: text("metric").notNull(),
    feature: text("feature"),
    observed: doublePrecision("observed"),
    threshold: doublePrecision("threshold"),
    message: text("message").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("monitor_events_deployment_idx").on(t.deploymentId, t.createdAt)],
);

export const approvalStatusEnum = pgEnum("approval_status", ["pending", "approved", "rejected", "expired"]);

/** A gate.approval step waiting for a person: one per (run, node). */
export const approvals = pgTable(
  "approvals",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    status: approvalStatusEnum("status").notNull().default("pending"),
    /** The registry model the challenger would join. */
    modelName: text("model_name").notNull(),
    /** What the approver looks at: challenger and champion metrics, the model file, the champion's run. */
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    decidedBy: text("decided_by"),
    comment: text("comment"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("approvals_run_node_idx").on(t.runId, t.nodeId), index("approvals_team_status_idx").on(t.teamId, t.status)],
);

/** Step outputs by cache key = hash(node type@version, config, input hashes, code version). */
export const stepCache = pgTable("step_cache", {
  key: text("key").primaryKey(),
  teamId: uuid("team_id")
    .notNull()
    .references(() => teams.id),
  nodeType: text("node_type").notNull(),
  outputs: jsonb("outputs").$type<Record<string, unknown>>().notNull(),
  runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

/**
 * The webhook of a pipeline: `POST /api/v1/hooks/{token}` starts a run. Only
 * the token's sha256 is kept; the token itself is shown once, when it is made.
 */
export const webhookTokens = pgTable("webhook_tokens", {
  pipelineId: uuid("pipeline_id")
    .primaryKey()
    .references(() => pipelines.id, { onDelete: "cascade" }),
  teamId: uuid("team_id")
    .notNull()
    .references(() => teams.id),
  tokenSha256: text("token_sha256").notNull().unique(),
  /** The token's last 4 characters, to tell tokens apart in the UI. */
  hint: text("hint").notNull(),
  createdAt: createdAt(),
  createdBy: uuid("created_by").references(() => users.id),
});

/**
 * Worker processes, each beating every few seconds while it polls: what
 * /api/health reads to notice a dead worker within seconds (Temporal's own
 * poller list keeps a dead worker for minutes), and what an operator sees.
 */
export const workers = pgTable("workers", {
  identity: text("identity").primaryKey(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  /** Task queues it polls, e.g. ["conveyor-pipelines", "conveyor-pipelines-heavy"]. */
  taskQueues: jsonb("task_queues").$type<string[]>().notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  /** Set when it shut down cleanly. */
  stoppedAt: timestamp("stopped_at", { withTimezone: true }),
});
