/**
 * Monitoring's public shapes: the reference profile every trained model
 * carries (profile.json beside model.onnx), and the figures of one monitor
 * window (GET /api/v1/deployments/{name}/monitoring). The statistics are
 * defined in docs/monitoring.md and computed in workflows/monitoring.
 */
import { z } from "zod";
import { ZTimestamp } from "./api/common";

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
