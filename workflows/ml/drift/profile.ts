/**
 * The reference profile of a model: its training data (every model input)
 * and its own predictions on it, summarised once at training time so that
 * monitor windows can be compared with it (drift.ts). Stored as profile.json
 * beside model.onnx (workflows/nodes/_shared/train-model.ts; read back with
 * profile-store.ts). Pure and universal. Definitions: docs/monitoring.md.
 */
import { MAX_PROFILE_CATEGORIES, type CategoricalProfile, type ColumnProfile, type NumericProfile, type ReferenceProfile } from "../../../contract/monitoring";
import type { ModelInput } from "../../../contract/model";
import { binEdges, quantileSorted, sortedCounts, sortedFinite } from "./drift";

/* The frame and prediction shapes below are structural: workflows/ml/types' Frame and Prediction fit them. */

export type ProfileColumn = { kind: "number"; values: Float64Array } | { kind: "string"; values: (string | null)[] };
/** workflows/ml/types' Frame: column-major, NaN / null for missing. */
export interface ProfileFrame {
  rows: number;
  columns: (ProfileColumn & { name: string })[];
}
/** workflows/ml/types' Prediction (a classifier's probabilities are not profiled). */
export type ProfilePrediction = { task: "regression"; prediction: Float64Array } | { task: "classification"; label: string[] };

/** A numeric profile keeps every value up to this many; larger columns keep a quantile sketch of SKETCH_POINTS. */
export const SAMPLE_MAX = 2000;
/** Points of the quantile sketch: the mid-quantiles (k + ½)/2001, k = 0 … 2000. */
export const SKETCH_POINTS = SAMPLE_MAX + 1;

/**
 * The sorted values KS and Wasserstein compare a window with: all of them
 * when there are at most SAMPLE_MAX, else SKETCH_POINTS evenly spaced
 * mid-quantiles (numpy.quantile "linear" at (k + ½)/2001, k = 0 … 2000): each
 * point stands for the 1/2001 of the mass around it, so the extremes do not
 * pull Wasserstein up the way a sketch ending at the minimum and maximum
 * does (3–4× less bias on undrifted heavy-tailed features).
 *
 * The sketch's error. Each step of the sketch's CDF holds 1/2001 of the
 * mass and sits within one quantile interval (1/2000 of the reference) of
 * where the reference's own CDF takes that value, so
 *   |F_sketch(x) − F_ref(x)| ≤ 1/2000 + 1/n  for every x, and
 *   KS(window, sketch) is within 1/1000 of KS(window, reference);
 *   W1(sketch, reference) ≤ (max − min)/1000 (each point moves at most across
 *   its two neighbouring quantile intervals, whose widths sum to max − min
 *   twice over 2000 intervals), so by the triangle inequality
 *   Wasserstein(window, sketch) is within (max − min)/1000 of the exact figure.
 * Both bounds are checked in profile.test.ts; on smooth data the errors are
 * far smaller (≈ 1e-4 of the range).
 */
export function referenceSample(sorted: Float64Array): number[] {
  if (sorted.length <= SAMPLE_MAX) return Array.from(sorted);
  const out: number[] = [];
  for (let k = 0; k < SKETCH_POINTS; k++) out.push(quantileSorted(sorted, (k + 0.5) / SKETCH_POINTS));
  return out;
}

/** A numeric column's profile. Missing: NaN and ±Infinity. std is the population standard deviation (ddof 0, as numpy.std). */
export function numericProfile(name: string, values: Float64Array): NumericProfile {
  const sorted = sortedFinite(values);
  const count = sorted.length;
  const missing = values.length - count;
  if (count === 0) return { kind: "numeric", name, count, missing, min: null, max: null, mean: null, std: null, deciles: [], counts: [], sample: [] };
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i]!;
  const mean = sum / count;
  let ss = 0;
  for (let i = 0; i < count; i++) {
    const d = sorted[i]! - mean;
    ss += d * d;
  }
  const deciles = binEdges(sorted);
  return {
    kind: "numeric",
    name,
    count,
    missing,
    min: sorted[0]!,
    max: sorted[count - 1]!,
    mean,
    std: Math.sqrt(ss / count),
    deciles,
    counts: sortedCounts(sorted, deciles),
    sample: referenceSample(sorted),
  };
}

/**
 * A categorical column's profile: the MAX_PROFILE_CATEGORIES most frequent
 * values (ties by name) with their counts, most frequent first; `other`
 * counts the rows of every other value. Missing: null.
 */
export function categoricalProfile(name: string, values: (string | null)[]): CategoricalProfile {
  const freq = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null || v === undefined) missing++;
    else freq.set(v, (freq.get(v) ?? 0) + 1);
  }
  const ranked = [...freq].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const kept = ranked.slice(0, MAX_PROFILE_CATEGORIES);
  let other = 0;
  for (const [, c] of ranked.slice(MAX_PROFILE_CATEGORIES)) other += c;
  return { kind: "categorical", name, count: values.length - missing, missing, frequencies: Object.fromEntries(kept), other };
}

/** The profile of one column: numeric for number columns, categorical for string ones. */
export function profileColumn(name: string, column: ProfileColumn): ColumnProfile {
  return column.kind === "number" ? numericProfile(name, column.values) : categoricalProfile(name, column.values);
}

/**
 * A model's reference profile: one profile per model input, in input order
 * (FP32 inputs numeric, BYTES inputs categorical), and one of its
 * predictions on the same rows (`prediction`, numeric, for regression;
 * `label`, categorical, for classification). `rows` is the number of rows
 * profiled.
 */
export function referenceProfile(frame: ProfileFrame, inputs: ModelInput[], prediction: ProfilePrediction): ReferenceProfile {
  const features = inputs.map((input): ColumnProfile => {
    const column = frame.columns.find((c) => c.name === input.name);
    if (!column) throw new Error(`referenceProfile: model input "${input.name}" is not a column of the frame (${frame.columns.map((c) => c.name).join(", ")})`);
    const want = input.datatype === "FP32" ? "number" : "string";
    if (column.kind !== want) throw new Error(`referenceProfile: model input "${input.name}" is ${input.datatype} but its column holds ${column.kind}s`);
    return profileColumn(input.name, column);
  });
  const rows = prediction.task === "regression" ? prediction.prediction.length : prediction.label.length;
  if (rows !== frame.rows) throw new Error(`referenceProfile: ${rows} predictions for ${frame.rows} rows`);
  return {
    format: "conveyor-profile/v1",
    rows: frame.rows,
    features,
    prediction: prediction.task === "regression" ? numericProfile("prediction", prediction.prediction) : categoricalProfile("label", prediction.label),
  };
}
