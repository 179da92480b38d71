/**
 * Turns a Frame and the options into what boosting needs: the encoded
 * target, the binned feature matrix (feature-major Uint8Array) and, when
 * early stopping is on, a seeded validation split binned with the training
 * cuts. Every bad input the issue lists ends here as a DataError naming the
 * column, or as a note when the column can simply be dropped.
 */
import { compareCodeUnits, findColumn, isMissingString } from "../preprocess";
import { DataError, type Column, type Frame } from "../types";
import { binCategorical, binNumeric, fitCategoricalBinning, fitNumericBinning, type FeatureBinning } from "./binning";
import type { Objective } from "./losses";
import type { ResolvedGbdtOptions } from "./options";
import { Rng, sampleIndices } from "./rng";

export interface ModelInputColumn {
  name: string;
  kind: "number" | "string";
}

export interface PreparedData {
  objective: Objective;
  /** Scores per row: 1 (regression, binary) or the number of classes. */
  K: number;
  classes?: string[];
  /** Every requested feature column, in the order given: the model inputs. */
  inputs: ModelInputColumn[];
  /** The features used, numeric ones first, then string ones (the ONNX matrix order). */
  features: FeatureBinning[];
  /** Training rows. */
  n: number;
  bins: Uint8Array;
  y: Float64Array;
  /** Validation rows (0 when early stopping is off). */
  nValid: number;
  validBins: Uint8Array;
  yValid: Float64Array;
  notes: string[];
}

const rowRef = (i: number) => `row ${i + 1}`;

function parseNumber(s: string): number {
  const t = s.trim();
  return t === "" ? NaN : Number(t);
}

/**
 * A string column most of whose values are numbers is a numeric column with
 * stray text in it ("n/a", "12a"): one-hot encoding it would silently give a
 * poor model, so it is an error naming the first offending value.
 */
function strayTextInNumbers(values: (string | null)[]): { row: number; value: string } | null {
  let present = 0;
  let numeric = 0;
  let first: { row: number; value: string } | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissingString(v)) continue;
    present++;
    if (Number.isFinite(parseNumber(v))) numeric++;
    else first ??= { row: i, value: v };
  }
  return present >= 20 && first && numeric >= 0.9 * present ? first : null;
}

function encodeTarget(col: Column, opts: ResolvedGbdtOptions): { y: Float64Array; objective: Objective; K: number; classes?: string[] } {
  const n = col.values.length;
  const y = new Float64Array(n);
  const name = col.name;
  let missing = 0;
  let firstMissing = -1;
  const seeMissing = (i: number) => {
    missing++;
    if (firstMissing < 0) firstMissing = i;
  };
  if (opts.task === "regression") {
    for (let i = 0; i < n; i++) {
      let v: number;
      if (col.kind === "number") v = col.values[i]!;
      else {
        const s = col.values[i];
        if (isMissingString(s)) v = NaN;
        else {
          v = parseNumber(s);
          if (Number.isNaN(v)) throw new DataError(`Target column "${name}" must be numeric for regression; ${rowRef(i)} has "${s}".`, "target");
        }
      }
      if (Number.isNaN(v)) seeMissing(i);
      else if (!Number.isFinite(v)) throw new DataError(`Target column "${name}" has an infinite value (${rowRef(i)}).`, "target");
      y[i] = v;
    }
    if (missing > 0)
      throw new DataError(
        `Target column "${name}" has ${missing} missing value(s) (first at ${rowRef(firstMissing)}); drop or impute those rows first.`,
        "target",
      );
    return { y, objective: "squared_error", K: 1 };
  }
  // Classification: labels are the distinct values, numbers sorted numerically, strings by code units.
  let labels: string[];
  if (col.kind === "number") {
    const distinct = new Set<number>();
    for (let i = 0; i < n; i++) {
      const v = col.values[i]!;
      if (Number.isNaN(v)) seeMissing(i);
      else distinct.add(v);
      if (distinct.size > opts.maxClasses) break;
    }
    const sorted = [...distinct].sort((a, b) => a - b);
    labels = sorted.map(String);
    checkClasses(name, labels.length, missing, firstMissing, opts.maxClasses);
    const index = new Map(sorted.map((v, k) => [v, k]));
    for (let i = 0; i < n; i++) y[i] = index.get(col.values[i]!)!;
  } else {
    const distinct = new Set<string>();
    for (let i = 0; i < n; i++) {
      const v = col.values[i];
      if (isMissingString(v)) seeMissing(i);
      else distinct.add(v);
      if (distinct.size > opts.maxClasses) break;
    }
    labels = [...distinct].sort(compareCodeUnits);
    checkClasses(name, labels.length, missing, firstMissing, opts.maxClasses);
    const index = new Map(labels.map((v, k) => [v, k]));
    for (let i = 0; i < n; i++) y[i] = index.get(col.values[i] as string)!;
  }
  return labels.length === 2 ? { y, objective: "logistic", K: 1, classes: labels } : { y, objective: "softmax", K: labels.length, classes: labels };
}

function checkClasses(name: string, k: number, missing: number, firstMissing: number, maxClasses: number): void {
  if (k > maxClasses) {
    throw new DataError(
      `Target column "${name}" has more than ${maxClasses} distinct classes; is it a regression target? Use task "regression" or group the classes.`,
      "target",
    );
  }
  if (missing > 0)
    throw new DataError(
      `Target column "${name}" has ${missing} missing value(s) (first at ${rowRef(firstMissing)}); drop or impute those rows first.`,
      "target",
    );
  if (k < 2) throw new DataError(`Target column "${name}" has only one class${k === 1 ? "" : " (no values)"}; classification needs at least two.`, "target");
}

function gatherNumbers(values: Float64Array, idx: Int32Array | null): Float64Array {
  if (!idx) return values;
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]!]!;
  return out;
}

function gatherStrings(values: (string | null)[], idx: Int32Array | null): (string | null)[] {
  if (!idx) return values;
  const out = new Array<string | null>(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]!] ?? null;
  return out;
}

export function prepareData(frame: Frame, opts: ResolvedGbdtOptions): PreparedData {
  const notes: string[] = [];
  const N = frame.rows;
  for (const c of frame.columns) {
    if (c.values.length !== N) throw new DataError(`Column "${c.name}" has ${c.values.length} values for ${N} rows.`, c.name);
  }
  const targetCol = findColumn(frame, opts.target);
  if (!targetCol) throw new DataError(`Target column "${opts.target}" is not in the dataset.`, "target");
  const featureNames = opts.features ?? frame.columns.map((c) => c.name).filter((c) => c !== opts.target);
  if (featureNames.includes(opts.target)) throw new DataError(`Target column "${opts.target}" cannot also be a feature.`, "features");
  if (new Set(featureNames).size !== featureNames.length) throw new DataError("features lists a column twice.", "features");
  if (featureNames.length === 0) throw new DataError("There are no feature columns.", "features");
  if (N < 2) throw new DataError(`Training needs at least 2 rows; the dataset has ${N}.`);

  const inputs: ModelInputColumn[] = [];
  const cols: Column[] = [];
  for (const name of featureNames) {
    const col = findColumn(frame, name);
    if (!col) throw new DataError(`Feature column "${name}" is not in the dataset.`, "features");
    if (col.kind === "number") {
      for (let i = 0; i < N; i++) {
        const v = col.values[i]!;
        if (v === Infinity || v === -Infinity) throw new DataError(`Feature column "${name}" has an infinite value (${rowRef(i)}).`, "features");
      }
    } else {
      const stray = strayTextInNumbers(col.values);
      if (stray) {
        throw new DataError(
          `Feature column "${name}" holds numbers but ${rowRef(stray.row)} has "${stray.value}"; clean or impute it (feature.impute), or encode it as text on purpose.`,
          "features",
        );
      }
    }
    inputs.push({ name, kind: col.kind });
    cols.push(col);
  }

  const target = encodeTarget(targetCol, opts);

  // Early stopping holds out a seeded validation fraction; binning sees training rows only.
  let trainIdx: Int32Array | null = null;
  let validIdx: Int32Array | null = null;
  if (opts.earlyStoppingRounds !== null) {
    const nValid = Math.round(opts.validationFraction * N);
    if (nValid < 1 || N - nValid < 2) {
      notes.push(`Early stopping is off: ${N} rows are too few to hold out a validation fraction of ${opts.validationFraction}.`);
    } else {
      validIdx = sampleIndices(new Rng(opts.seed ^ 0x5eed), N, nValid);
      const isValid = new Uint8Array(N);
      for (let i = 0; i < nValid; i++) isValid[validIdx[i]!] = 1;
      trainIdx = new Int32Array(N - nValid);
      for (let i = 0, j = 0; i < N; i++) if (!isValid[i]) trainIdx[j++] = i;
    }
  }
  const n = trainIdx ? trainIdx.length : N;
  const nValid = validIdx ? validIdx.length : 0;

  // Fit binnings on training rows: numeric features first, then string ones.
  const fitted: { binning: FeatureBinning; col: Column }[] = [];
  for (const kind of ["number", "string"] as const) {
    cols.forEach((col) => {
      if (col.kind !== kind) return;
      const res =
        col.kind === "number"
          ? fitNumericBinning(col.name, gatherNumbers(col.values, trainIdx), opts.maxBins)
          : fitCategoricalBinning(col.name, gatherStrings(col.values, trainIdx), opts.maxBins);
      if (!res.ok) notes.push(res.note);
      else {
        if (res.note) notes.push(res.note);
        fitted.push({ binning: res.binning, col });
      }
    });
  }
  if (fitted.length === 0) throw new DataError("No usable feature columns: every feature is constant or empty.", "features");

  const F = fitted.length;
  const bins = new Uint8Array(F * n);
  const validBins = new Uint8Array(F * nValid);
  fitted.forEach(({ binning, col }, f) => {
    if (binning.kind === "number" && col.kind === "number") {
      binNumeric(binning, gatherNumbers(col.values, trainIdx), bins, f * n);
      if (validIdx) binNumeric(binning, gatherNumbers(col.values, validIdx), validBins, f * nValid);
    } else if (binning.kind === "string" && col.kind === "string") {
      binCategorical(binning, gatherStrings(col.values, trainIdx), bins, f * n);
      if (validIdx) binCategorical(binning, gatherStrings(col.values, validIdx), validBins, f * nValid);
    }
  });

  return {
    objective: target.objective,
    K: target.K,
    classes: target.classes,
    inputs,
    features: fitted.map((x) => x.binning),
    n,
    bins,
    y: gatherNumbers(target.y, trainIdx),
    nValid,
    validBins,
    yValid: validIdx ? gatherNumbers(target.y, validIdx) : new Float64Array(0),
    notes,
  };
}
