/**
 * Quantile binning: every feature column becomes at most `maxBins` (≤ 256)
 * small integers, stored feature-major in one Uint8Array (bins[f·n + r]), so
 * a histogram pass over one feature reads one contiguous byte stream.
 *
 * Numeric columns are binned on their float32 values — the precision the
 * ONNX model sees — and every cut is a float32 number, so `x ≤ cut` means the
 * same thing in training, in `predict()` and in onnxruntime. Bin b holds the
 * values v with cuts[b−1] < v ≤ cuts[b]; a missing value (NaN) has a bin of
 * its own, the last one (so a numeric column has at most maxBins − 1 value
 * bins). String columns are one-hot in the model; here they
 * are one byte per row: bin 0 = missing or not among the kept categories,
 * bin c + 1 = category c, and a split is "category c" vs "the rest" — exactly
 * a split on the one-hot column c at 0.5.
 */
import { categoryIndex, fitStringCategories } from "../preprocess";

export interface NumericBinning {
  kind: "number";
  name: string;
  /** Ascending float32-exact cut points; value bins = cuts.length + 1. */
  cuts: Float64Array;
  /**
   * Index of the missing-value bin: always the last (= cuts.length + 1), even
   * when training had no NaN, so a NaN met later still has a bin and follows
   * the split's default direction.
   */
  missingBin: number;
  /** Value bins + the missing bin. */
  nBins: number;
  /** Whether the training values had a NaN. */
  hasMissing: boolean;
}

export interface CategoricalBinning {
  kind: "string";
  name: string;
  /** Sorted kept categories (UTF-16 code units), as preprocess.ts orders them. */
  categories: string[];
  nBins: number;
}

export type FeatureBinning = NumericBinning | CategoricalBinning;

/** Why a column cannot be a feature, or its binning. */
export type BinningResult = { ok: true; binning: FeatureBinning; note?: string } | { ok: false; note: string };

/**
 * Fits the cuts of a numeric column. Distinct float32 values that fit in the
 * bin budget get a bin each (cut at the float32 midpoint of neighbours);
 * otherwise a greedy equal-frequency pass over the sorted distinct values,
 * where a value heavier than a bin's share gets a bin of its own.
 * O(n) for a column with few distinct values, O(n log n) otherwise — paid
 * once per feature, before boosting.
 */
export function fitNumericBinning(name: string, values: Float64Array, maxBins: number): BinningResult {
  const n = values.length;
  let nonMissing = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) nonMissing++;
  if (nonMissing === 0) return { ok: false, note: `Column "${name}" was dropped: it has no values.` };
  // Distinct float32 values with counts, ascending. A hash count first: most
  // columns have few distinct values and then only those are sorted; past
  // 4096 distinct values it falls back to sorting all values.
  let distinct: Float64Array;
  let counts: Float64Array;
  let d = 0;
  const tally = new Map<number, number>();
  const f32 = new Float32Array(1);
  for (let i = 0; i < n && tally.size <= 4096; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    f32[0] = v;
    const key = f32[0];
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  if (tally.size <= 4096) {
    distinct = Float64Array.from(tally.keys()).sort();
    counts = new Float64Array(distinct.length);
    for (let i = 0; i < distinct.length; i++) counts[i] = tally.get(distinct[i]!)!;
    d = distinct.length;
  } else {
    const sorted = new Float32Array(nonMissing);
    for (let i = 0, j = 0; i < n; i++) {
      const v = values[i]!;
      if (!Number.isNaN(v)) sorted[j++] = v; // Float32Array stores fround(v)
    }
    sorted.sort();
    distinct = new Float64Array(nonMissing);
    counts = new Float64Array(nonMissing);
    for (let i = 0; i < nonMissing; i++) {
      const v = sorted[i]!;
      if (d > 0 && distinct[d - 1] === v) counts[d - 1]!++;
      else {
        distinct[d] = v;
        counts[d] = 1;
        d++;
      }
    }
  }
  const hasMissing = nonMissing < n;
  if (d === 1 && !hasMissing) return { ok: false, note: `Column "${name}" was dropped: it is constant (${distinct[0]}).` };
  const maxValueBins = maxBins - 1;
  const cuts: number[] = [];
  const cutBetween = (i: number) => {
    const a = distinct[i]!;
    const b = distinct[i + 1]!;
    let t = Math.fround((a + b) / 2);
    if (!(t < b)) t = a; // neighbouring float32 values: the midpoint rounds to b
    cuts.push(t);
  };
  if (d <= maxValueBins) {
    for (let i = 0; i + 1 < d; i++) cutBetween(i);
  } else {
    let remainingRows = nonMissing;
    let remainingBins = maxValueBins;
    let acc = 0;
    for (let i = 0; i + 1 < d && remainingBins > 1; i++) {
      acc += counts[i]!;
      const share = remainingRows / remainingBins;
      const restFitsOnePerBin = d - 1 - i <= remainingBins - 1;
      if (acc >= share || counts[i + 1]! >= share || restFitsOnePerBin) {
        cutBetween(i);
        remainingRows -= acc;
        remainingBins--;
        acc = 0;
      }
    }
  }
  const valueBins = cuts.length + 1;
  return {
    ok: true,
    binning: { kind: "number", name, cuts: Float64Array.from(cuts), missingBin: valueBins, nBins: valueBins + 1, hasMissing },
  };
}

/** The bin of one value (binary search over ≤ 255 cuts). */
export function numericBin(b: NumericBinning, x: number): number {
  const v = Math.fround(x);
  if (Number.isNaN(v)) return b.missingBin;
  const cuts = b.cuts;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Writes the bins of `values` into out[offset … offset + n). */
export function binNumeric(b: NumericBinning, values: Float64Array, out: Uint8Array, offset: number): void {
  const cuts = b.cuts;
  const nc = cuts.length;
  const miss = b.missingBin;
  for (let i = 0; i < values.length; i++) {
    const v = Math.fround(values[i]!);
    if (v !== v) {
      out[offset + i] = miss;
      continue;
    }
    let lo = 0;
    let hi = nc;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= cuts[mid]!) hi = mid;
      else lo = mid + 1;
    }
    out[offset + i] = lo;
  }
}

/** Fits a string column: the most frequent ≤ maxBins − 1 categories. */
export function fitCategoricalBinning(name: string, values: (string | null)[], maxBins: number): BinningResult {
  const maxCategories = maxBins - 1;
  const { categories, distinct } = fitStringCategories(values, maxCategories);
  if (categories.length === 0) return { ok: false, note: `Column "${name}" was dropped: it has no values.` };
  const codes = categoryIndex(categories, values);
  let none = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i]! < 0) none++;
  if (categories.length === 1 && none === 0) return { ok: false, note: `Column "${name}" was dropped: it is constant ("${categories[0]}").` };
  const note =
    distinct > maxCategories
      ? `Column "${name}" has ${distinct} distinct values; only the ${maxCategories} most frequent are one-hot encoded, the rest count as unseen.`
      : undefined;
  return { ok: true, binning: { kind: "string", name, categories, nBins: categories.length + 1 }, note };
}

export function binCategorical(b: CategoricalBinning, values: (string | null)[], out: Uint8Array, offset: number): void {
  const codes = categoryIndex(b.categories, values);
  for (let i = 0; i < codes.length; i++) out[offset + i] = codes[i]! + 1;
}
