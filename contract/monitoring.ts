/**
 * Monitoring's public shapes: the reference profile every trained model
 * carries (profile.json beside model.onnx), and the figures of one monitor
 * window (GET /api/v1/deployments/{name}/monitoring). The statistics are
 * defined in docs/monitoring.md and computed in workflows/monitoring.
 */
import { z } from "zod";
import { ZTimestamp } from "./api/common";

export const DRIFT_STATISTICS = ["psi", "js", "ks", "wasserstein"] as const;
export type DriftStatistic = (typeof DRIFT_STATISTICS)[number];
/** Live quality metrics where a larger value is better (a drift trigger fires when one falls below its threshold). */
export const HIGHER_IS_BETTER = ["accuracy", "f1", "auc", "r2"] as const;
/** Live quality metrics where a larger value is worse. */
export const LOWER_IS_BETTER = ["mae", "rmse", "logloss"] as const;
export const QUALITY_METRICS = [...HIGHER_IS_BETTER, ...LOWER_IS_BETTER] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

const READING_ORDER: readonly string[] = ["mae", "rmse", "r2", "accuracy", "f1", "auc", "logloss"];
/** Sorts metric names as people read them (regression's, then classification's; any other after, by name): the deployment page and the CLI. */
export function byMetricReadingOrder(a: string, b: string): number {
  const rank = (m: string) => (READING_ORDER.includes(m) ? READING_ORDER.indexOf(m) : READING_ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Every metric an alert rule may watch. */
export const ALERT_METRICS = [
  ...DRIFT_STATISTICS,
  ...DRIFT_STATISTICS.map((s) => `prediction_${s}` as const),
  "missing_rate",
  "out_of_range",
  "unseen_categories",
  "schema_mismatches",
  "error_rate",
  "p50_ms",
  "p99_ms",
  "request_rate",
  "requests",
  ...QUALITY_METRICS,
  ...QUALITY_METRICS.map((m) => `${m}_change` as const),
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

export const ALERT_OPS = [">", ">=", "<", "<="] as const;
export type AlertOp = (typeof ALERT_OPS)[number];

/** How a drift trigger reads its threshold: drift statistics and error metrics fire above it, accuracy-like metrics below it. */
export function triggerOp(metric: string): AlertOp {
  return (HIGHER_IS_BETTER as readonly string[]).includes(metric) ? "<" : ">";
}

/** Numeric bins: 10, at the reference's deciles; the outer two open-ended. */
export const DRIFT_BINS = 10;
/** Added to every bin share before PSI and its logarithm (empty bins stay finite). */
export const PSI_EPSILON = 1e-4;
/** Most categories a profile keeps per categorical feature (the rest count as "other"). */
export const MAX_PROFILE_CATEGORIES = 100;

export const ZNumericProfile = z
  .object({
    kind: z.literal("numeric"),
    name: z.string(),
    /** Rows with a value (missing ones excluded). */
    count: z.number().int(),
    missing: z.number().int().describe("Rows with no value"),
    min: z.number().nullable(),
    max: z.number().nullable(),
    mean: z.number().nullable(),
    std: z.number().nullable(),
    /** The 9 inner bin edges: the 10th, 20th, … 90th percentiles (repeated when values repeat). */
    deciles: z.array(z.number()),
    /** Reference rows per bin (10 bins at `deciles`). */
    counts: z.array(z.number().int()),
    /** Sorted reference values for KS and Wasserstein: every value, or an evenly spaced quantile sketch of large data. */
    sample: z.array(z.number()),
  })
  .meta({ id: "NumericProfile" });

export const ZCategoricalProfile = z
  .object({
    kind: z.literal("categorical"),
    name: z.string(),
    count: z.number().int(),
    missing: z.number().int(),
    /** Category → reference rows, the most frequent first (at most MAX_PROFILE_CATEGORIES; `other` counts the rest). */
    frequencies: z.record(z.string(), z.number().int()),
    other: z.number().int(),
  })
  .meta({ id: "CategoricalProfile" });

export const ZColumnProfile = z.discriminatedUnion("kind", [ZNumericProfile, ZCategoricalProfile]);
export type ColumnProfile = z.infer<typeof ZColumnProfile>;
export type NumericProfile = z.infer<typeof ZNumericProfile>;
export type CategoricalProfile = z.infer<typeof ZCategoricalProfile>;

export const ZReferenceProfile = z
  .object({
    format: z.literal("conveyor-profile/v1"),
    rows: z.number().int(),
    /** One per model input, in input order. */
    features: z.array(ZColumnProfile),
    /** The model's answers on its training rows: `prediction` (regression, numeric) or `label` (classification, categorical). */
    prediction: ZColumnProfile,
  })
  .meta({ id: "ReferenceProfile", description: "A model's training data, summarised for drift monitoring" });
export type ReferenceProfile = z.infer<typeof ZReferenceProfile>;

/** Drift of one column (a feature, or the prediction) in a window against the reference. */
export const ZColumnDrift = z
  .object({
    name: z.string(),
    kind: z.enum(["numeric", "categorical"]),
    rows: z.number().int().describe("Rows of the window with a value"),
    psi: z.number().describe("Population stability index over the reference bins (categorical: categories + one unseen bucket)"),
    js: z.number().describe("Jensen–Shannon distance, base 2, over the same bins (0–1)"),
    ks: z.number().nullable().describe("Two-sample Kolmogorov–Smirnov statistic (numeric only)"),
    wasserstein: z.number().nullable().describe("Wasserstein-1 distance on raw values (numeric only)"),
    missingRate: z.number().describe("Share of the window's rows with no value"),
    outOfRange: z.number().int().describe("Numeric: values below the training minimum or above its maximum"),
    unseen: z.number().int().describe("Categorical: values the training data never had"),
    /** The window's rows per bin (numeric, same bins as the reference) or per category (`labels`, the last one "(unseen)"). */
    counts: z.array(z.number().int()),
    labels: z.array(z.string()).optional(),
  })
  .meta({ id: "ColumnDrift" });
export type ColumnDrift = z.infer<typeof ZColumnDrift>;

export const ZMonitorFigures = z
  .object({
    /** The versions that answered live traffic in the window, and how much of it. */
    versions: z.array(z.object({ version: z.number().int(), rows: z.number().int() })),
    /** The version whose reference profile the window is compared with (the one with the most rows). */
    referenceVersion: z.number().int().nullable(),
    features: z.array(ZColumnDrift),
    prediction: ZColumnDrift.nullable(),
    dataQuality: z.object({
      missingRate: z.number().describe("Share of missing values over every feature and row"),
      outOfRange: z.number().int(),
      unseenCategories: z.number().int(),
      /** Inputs the model has and the requests did not carry, or carried with another type. */
      schemaMismatches: z.array(z.string()),
    }),
    /** Live quality over the window's rows that have ground truth (null: none yet). */
    quality: z
      .object({
        labelled: z.number().int(),
        metrics: z.record(z.string(), z.number()),
        /** The same metrics at training time (the model version's evaluation). */
        training: z.record(z.string(), z.number()),
        /** metrics − training, per metric both have. */
        change: z.record(z.string(), z.number()),
      })
      .nullable(),
    /** Each version's live quality in the window, live and shadow routes apart (absent in windows computed before it existed). */
    versionQuality: z
      .array(
        z.object({
          version: z.number().int(),
          mode: z.enum(["live", "shadow"]),
          rows: z.number().int().describe("Predictions of the version (on this route) in the window"),
          labelled: z.number().int().describe("Of them, those whose ground truth arrived by the window's computation"),
          metrics: z.record(z.string(), z.number()).describe("The task's metrics over the labelled ones (empty: none labelled)"),
        }),
      )
      .optional(),
    system: z.object({
      requests: z.number().int(),
      errors: z.number().int(),
      errorRate: z.number().nullable(),
      ratePerSecond: z.number(),
      p50Ms: z.number().nullable(),
      p99Ms: z.number().nullable(),
    }),
  })
  .meta({ id: "MonitorFigures" });
export type MonitorFigures = z.infer<typeof ZMonitorFigures>;

export const ZMonitorWindow = z
  .object({
    start: ZTimestamp,
    end: ZTimestamp,
    /** Live predictions logged in the window; 0 is "no data" and `figures` is null. */
    rows: z.number().int(),
    status: z.enum(["ok", "no_data"]),
    figures: ZMonitorFigures.nullable(),
    computedAt: ZTimestamp,
  })
  .meta({ id: "MonitorWindow" });
export type MonitorWindow = z.infer<typeof ZMonitorWindow>;

/** A deployment's monitoring settings (PUT /api/v1/deployments/{name}/monitoring). */
export const ZMonitoringSettings = z
  .object({
    intervalSeconds: z.number().int().describe("Each window's length and how often one is computed"),
    retentionDays: z.number().int().describe("Logged predictions, their feedback and windows older than this are deleted"),
    webhookUrl: z.string().nullable().describe("Alert and retraining events are POSTed here as JSON"),
    enabled: z.boolean().describe("False: predictions are not logged and no window is computed"),
  })
  .meta({ id: "MonitoringSettings" });

export const ZAlertRule = z
  .object({
    id: z.string(),
    metric: z.string().describe("What to watch (docs/monitoring.md lists the metrics)"),
    feature: z.string().nullable().describe("Drift statistics: this feature (null: the most drifted one)"),
    op: z.enum([">", ">=", "<", "<="]),
    value: z.number(),
    forWindows: z.number().int().describe("Fires when this many windows with data in a row meet the condition"),
  })
  .meta({ id: "AlertRule" });

export const ZMonitorEvent = z
  .object({
    id: z.string(),
    kind: z.enum(["alert.firing", "alert.resolved", "retrain.started", "retrain.cooldown", "retrain.failed"]),
    message: z.string(),
    metric: z.string(),
    feature: z.string().nullable(),
    observed: z.number().nullable(),
    threshold: z.number().nullable(),
    windowStart: ZTimestamp,
    windowEnd: ZTimestamp,
    ruleId: z.string().nullable(),
    pipeline: z.object({ id: z.string(), name: z.string() }).nullable().describe("The pipeline a drift trigger started (retrain.*)"),
    runId: z.string().nullable().describe("The retraining run it started"),
    createdAt: ZTimestamp,
  })
  .meta({ id: "MonitorEvent" });
export type MonitorEvent = z.infer<typeof ZMonitorEvent>;

/** A reference profile without its sample: what the dashboard draws the reference histograms from. */
export const ZReferenceSummary = z
  .object({
    version: z.number().int(),
    rows: z.number().int(),
    features: z.array(z.union([ZNumericProfile.omit({ sample: true }), ZCategoricalProfile])),
    prediction: z.union([ZNumericProfile.omit({ sample: true }), ZCategoricalProfile]),
  })
  .meta({ id: "ReferenceSummary" });

export const ZMonitoring = z
  .object({
    deployment: z.string(),
    settings: ZMonitoringSettings,
    windows: z.array(ZMonitorWindow).describe("Oldest first"),
    references: z.array(ZReferenceSummary).describe("The training profile of every version the windows compare with"),
    rules: z.array(ZAlertRule),
    events: z.array(ZMonitorEvent).describe("Newest first"),
  })
  .meta({ id: "Monitoring" });
export type Monitoring = z.infer<typeof ZMonitoring>;

export const ZMonitorRun = z
  .object({
    window: ZMonitorWindow,
    events: z.array(ZMonitorEvent).describe("What acting on the window did: alerts, retraining runs"),
  })
  .meta({ id: "MonitorRun" });

const ZDeploymentName = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
/** Shortest monitor interval: a window a minute (the schedule ticks every minute). */
export const MIN_INTERVAL_SECONDS = 60;

export const ZAlertRuleInput = z
  .object({
    metric: z
      .enum(ALERT_METRICS, { error: `metric must be one of ${ALERT_METRICS.join(", ")}` })
      .describe("What to watch: psi, js, ks, wasserstein, prediction_psi, …, missing_rate, error_rate, p99_ms, accuracy, mae, …"),
    feature: z.string().min(1).max(256).nullable().optional().describe("Drift statistics: this feature only (default: the most drifted one)"),
    op: z.enum([">", ">=", "<", "<="], { error: 'op must be one of ">", ">=", "<", "<="' }),
    value: z.number({ error: "value must be a number" }).refine(Number.isFinite, "value must be finite"),
    forWindows: z.number().int().min(1, "forWindows is at least 1").max(1000).default(1).describe("Windows with data in a row that must meet the condition"),
  })
  .strict()
  .meta({ id: "AlertRuleInput" });

export const monitoringInputs = {
  get: z.object({
    name: ZDeploymentName,
    from: z.coerce
      .date<string | Date>({ error: "from must be an ISO 8601 date-time" })
      .optional()
      .describe("Windows starting at or after (default: 7 days ago)"),
    to: z.coerce.date<string | Date>({ error: "to must be an ISO 8601 date-time" }).optional().describe("Windows starting before (default: now)"),
  }),
  run: z.object({
    name: ZDeploymentName,
    from: z.coerce.date<string | Date>({ error: "from must be an ISO 8601 date-time" }).optional().describe("Window start (default: one interval before `to`)"),
    to: z.coerce.date<string | Date>({ error: "to must be an ISO 8601 date-time" }).optional().describe("Window end (default: now)"),
  }),
  configure: z.object({
    name: ZDeploymentName,
    intervalSeconds: z
      .number()
      .int("intervalSeconds is whole seconds")
      .min(MIN_INTERVAL_SECONDS, `intervalSeconds is at least ${MIN_INTERVAL_SECONDS}`)
      .max(7 * 86400, "intervalSeconds is at most 7 days")
      .optional(),
    retentionDays: z.number().int("retentionDays is whole days").min(1, "retentionDays is at least 1").max(3650).optional(),
    webhookUrl: z
      .url({ protocol: /^https?$/, error: "webhookUrl must be an http(s) URL" })
      .nullable()
      .optional(),
    enabled: z.boolean().optional(),
    rules: z.array(ZAlertRuleInput).max(100, "at most 100 alert rules").optional().describe("Replaces the deployment's alert rules when given"),
  }),
};
