/**
 * Shared preprocessing for the ML core (docs/architecture.md): fitted on training
 * data, applied in TypeScript (`transform`) and emitted as ONNX nodes
 * (`emitPreprocessing`) so a model file takes the raw feature columns.
 *
 * Rules, identical in TypeScript and ONNX:
 * - numeric column → (x - mean) / std with mean and population std of the
 *   non-missing training values; a missing value (NaN) becomes 0, i.e. it is
 *   imputed with the training mean. std 0 (or no values) → the column is
 *   dropped from the matrix, with a note (it stays a model input).
 * - string column → one-hot over the categories seen in training, sorted by
 *   UTF-16 code units; a missing (null or "") or unseen value → all zeros.
 *
 * The matrix layout is: every kept numeric column (in feature order), then
 * each kept string column's one-hot block (in feature order).
 */
import { DataType, attr, type GraphBuilder } from "./onnx/builder";
import { DataError, type Column, type Frame, type ModelInput } from "./types";

export interface NumericFeature {
  kind: "number";
  name: string;
  mean: number;
  std: number;
  /** False when the column was dropped (std 0 or no values). */
  kept: boolean;
}

export interface StringFeature {
  kind: "string";
  name: string;
  /** Sorted categories; empty when the column was dropped. */
  categories: string[];
  kept: boolean;
}

export type FeatureSpec = NumericFeature | StringFeature;

export interface Preprocessor {
  /** Every feature column, in the order given: one model input each. */
  features: FeatureSpec[];
  /** Names of the D matrix columns, e.g. "age" or "island=Biscoe". */
  designColumns: string[];
  /** Person-readable notes (dropped columns, capped categories). */
  notes: string[];
}

/**
 * The transformed feature matrix, stored compactly: a dense row-major block
 * of standardized numeric columns, plus per string column the index of the
 * hot category (-1 = all zeros). Column `numericWidth + offset + index` of
 * the logical [N, D] matrix is 1 for a string block. One-hot columns are
 * mostly zeros, so this keeps memory at O(N · (numeric + string columns)).
 */
export interface DesignMatrix {
  rows: number;
  /** D, the logical width. */
  width: number;
  numericWidth: number;
  /** rows × numericWidth, row-major. */
  numeric: Float64Array;
  blocks: { offset: number; size: number; index: Int32Array }[];
}

export interface FitOptions {
  /**
   * Most categories one string column may one-hot encode (default 200). A
   * column with more keeps its most frequent ones (ties: sort order); the
   * rest are treated like unseen values (all zeros), with a note.
   */
  maxCategories?: number;
}

/** True for a string value that counts as missing: null or "". */
export function isMissingString(v: string | null | undefined): v is null | undefined | "" {
  return v === null || v === undefined || v === "";
}

/** Code-unit order: deterministic and independent of the locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function findColumn(frame: Frame, name: string): Column | undefined {
  return frame.columns.find((c) => c.name === name);
}

/**
 * Fits the categories of a string feature for one-hot encoding: the distinct
 * non-missing values, sorted by code units; if there are more than
 * `maxCategories`, the most frequent ones (ties by sort order), then sorted.
 * Reusable by every trainer that one-hot encodes strings (see
 * `emitStringOneHot` for the ONNX side and `categoryIndex` for TypeScript).
 */
export function fitStringCategories(values: ArrayLike<string | null>, maxCategories = Infinity): { categories: string[]; distinct: number } {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissingString(v)) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let categories = [...counts.keys()].sort(compareCodeUnits);
  const distinct = categories.length;
  if (distinct > maxCategories) {
    categories = categories
      .map((c, order) => ({ c, n: counts.get(c) ?? 0, order }))
      .sort((a, b) => b.n - a.n || a.order - b.order)
      .slice(0, maxCategories)
      .map((x) => x.c)
      .sort(compareCodeUnits);
  }
  return { categories, distinct };
}

/**
 * Maps string values to one-hot positions: the index of the value in
 * `categories`, or -1 for a missing or unseen value (an all-zeros row).
 * Numbers (a column typed differently at prediction time) go through String().
 */
export function categoryIndex(categories: string[], values: ArrayLike<string | number | null>): Int32Array {
  const lookup = new Map<string, number>();
  categories.forEach((c, i) => lookup.set(c, i));
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "number") out[i] = Number.isNaN(v) ? -1 : (lookup.get(String(v)) ?? -1);
    else out[i] = isMissingString(v) ? -1 : (lookup.get(v) ?? -1);
  }
  return out;
}

/**
 * Emits the ONNX one-hot encoding of one STRING input of shape [N, 1]:
 * Equal against the sorted categories [1, C] (string Equal needs opset ≥ 19),
 * then Cast to FLOAT. Returns the name of a [N, C] FLOAT tensor with 1 in
 * the column of the category and all zeros for an unseen or missing ("")
 * value — the same as `categoryIndex`. `categories` must be non-empty.
 * `hint` prefixes the intermediate tensor names (see `internalPrefix`).
 */
export function emitStringOneHot(g: GraphBuilder, input: string, categories: string[], hint = "onehot"): string {
  if (categories.length === 0) throw new Error("emitStringOneHot: no categories");
  const cats = g.stringConst(categories, [1, categories.length], `${hint}_categories`);
  const [eq] = g.node("Equal", [input, cats], { outputs: [g.tmp(`${hint}_eq`)] });
  const [out] = g.node("Cast", [eq!], { outputs: [g.tmp(`${hint}_f`)], attrs: { to: attr.i(DataType.FLOAT) } });
  return out!;
}

/**
 * A prefix for intermediate tensor names that no input name starts with, so
 * a feature column can never collide with a generated name such as "c_3".
 */
export function internalPrefix(inputNames: string[], base = "__cv"): string {
  let prefix = base;
  while (inputNames.some((n) => n.startsWith(prefix))) prefix += "_";
  return prefix;
}

function numericStats(values: Float64Array): { mean: number; std: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    sum += v;
    count++;
  }
  if (count === 0) return { mean: NaN, std: NaN, count };
  const mean = sum / count;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    ss += (v - mean) * (v - mean);
  }
  return { mean, std: Math.sqrt(ss / count), count };
}

/**
 * Fits the preprocessing of `features` on `frame`. Throws DataError for a
 * feature missing from the frame or with infinite values.
 */
export function fitPreprocessor(frame: Frame, features: string[], opts: FitOptions = {}): Preprocessor {
  const maxCategories = opts.maxCategories ?? 200;
  const specs: FeatureSpec[] = [];
  const notes: string[] = [];
  for (const name of features) {
    const col = findColumn(frame, name);
    if (!col) throw new DataError(`Feature column "${name}" is not in the dataset.`, "features");
    if (col.kind === "number") {
      for (let i = 0; i < col.values.length; i++) {
        const v = col.values[i]!;
        if (v === Infinity || v === -Infinity) throw new DataError(`Feature column "${name}" has infinite values (row ${i + 1}).`, "features");
      }
      const { mean, std, count } = numericStats(col.values);
      // A std this small relative to the mean is rounding noise of a constant.
      const constant = count === 0 || !(std > 1e-12 * Math.max(1, Math.abs(mean)));
      if (count === 0) notes.push(`Column "${name}" was dropped: it has no values.`);
      else if (constant) notes.push(`Column "${name}" was dropped: it is constant (${mean}).`);
      specs.push({ kind: "number", name, mean: constant ? 0 : mean, std: constant ? 1 : std, kept: !constant });
    } else {
      const { categories, distinct } = fitStringCategories(col.values, maxCategories);
      if (categories.length === 0) notes.push(`Column "${name}" was dropped: it has no values.`);
      if (distinct > maxCategories) {
        notes.push(`Column "${name}" has ${distinct} distinct values; only the ${maxCategories} most frequent are one-hot encoded, the rest count as unseen.`);
      }
      specs.push({ kind: "string", name, categories, kept: categories.length > 0 });
    }
  }
  const designColumns: string[] = [];
  for (const f of specs) if (f.kind === "number" && f.kept) designColumns.push(f.name);
  for (const f of specs) if (f.kind === "string" && f.kept) for (const c of f.categories) designColumns.push(`${f.name}=${c}`);
  return { features: specs, designColumns, notes };
}

/**
 * Applies the preprocessing to `frame`. With `float32Inputs`, numeric inputs
 * and the fitted mean/std are rounded to float32 first, as the ONNX model
 * sees them. Throws DataError for a missing feature column or a numeric one
 * given as strings.
 */
export function transform(pre: Preprocessor, frame: Frame, opts: { float32Inputs?: boolean } = {}): DesignMatrix {
  const f32 = opts.float32Inputs ?? false;
  const round = f32 ? Math.fround : (x: number) => x;
  const n = frame.rows;
  const numericSpecs = pre.features.filter((f): f is NumericFeature => f.kind === "number" && f.kept);
  const stringSpecs = pre.features.filter((f): f is StringFeature => f.kind === "string" && f.kept);
  const dn = numericSpecs.length;
  const numeric = new Float64Array(n * dn);
  numericSpecs.forEach((spec, j) => {
    const col = findColumn(frame, spec.name);
    if (!col) throw new DataError(`Feature column "${spec.name}" is not in the dataset.`, "features");
    if (col.kind !== "number") throw new DataError(`Feature column "${spec.name}" must be numeric; it has text values.`, "features");
    if (col.values.length !== n) throw new DataError(`Column "${spec.name}" has ${col.values.length} values for ${n} rows.`);
    const mean = round(spec.mean);
    const std = round(spec.std);
    const values = col.values;
    for (let i = 0; i < n; i++) {
      const z = (round(values[i]!) - mean) / std;
      numeric[i * dn + j] = Number.isNaN(z) ? 0 : z;
    }
  });
  let offset = dn;
  const blocks: DesignMatrix["blocks"] = [];
  for (const spec of stringSpecs) {
    const col = findColumn(frame, spec.name);
    if (!col) throw new DataError(`Feature column "${spec.name}" is not in the dataset.`, "features");
    if (col.values.length !== n) throw new DataError(`Column "${spec.name}" has ${col.values.length} values for ${n} rows.`);
    blocks.push({ offset, size: spec.categories.length, index: categoryIndex(spec.categories, col.values) });
    offset += spec.categories.length;
  }
  return { rows: n, width: offset, numericWidth: dn, numeric, blocks };
}

/** The dense row-major [N, D] matrix (for tests and small data). */
export function toDense(x: DesignMatrix): Float64Array {
  const out = new Float64Array(x.rows * x.width);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.numericWidth; j++) out[i * x.width + j] = x.numeric[i * x.numericWidth + j]!;
    for (const b of x.blocks) {
      const k = b.index[i]!;
      if (k >= 0) out[i * x.width + b.offset + k] = 1;
    }
  }
  return out;
}

/** The model inputs of the preprocessing: one per feature column. */
export function modelInputs(pre: Preprocessor): ModelInput[] {
  return pre.features.map((f) => ({ name: f.name, datatype: f.kind === "number" ? "FP32" : "BYTES", shape: [-1, 1] }));
}

/**
 * Emits the preprocessing into `g`: declares one graph input per feature
 * column (named as the column, [-1, 1], FLOAT or STRING — dropped columns
 * too, so the model's inputs are exactly its feature columns) and returns
 * the name of the [N, D] FLOAT feature matrix in the layout of `transform`.
 * Requires D > 0. `prefix` names intermediates (see `internalPrefix`).
 */
export function emitPreprocessing(g: GraphBuilder, pre: Preprocessor, prefix = internalPrefix(pre.features.map((f) => f.name))): string {
  if (pre.designColumns.length === 0) throw new Error("emitPreprocessing: no feature columns to encode");
  for (const f of pre.features) {
    g.input({ name: f.name, type: f.kind === "number" ? DataType.FLOAT : DataType.STRING, shape: [-1, 1] });
  }
  const blocks: string[] = [];
  const numericSpecs = pre.features.filter((f): f is NumericFeature => f.kind === "number" && f.kept);
  if (numericSpecs.length > 0) {
    const dn = numericSpecs.length;
    const [raw] = g.node(
      "Concat",
      numericSpecs.map((f) => f.name),
      { outputs: [g.tmp(`${prefix}_num`)], attrs: { axis: attr.i(1) } },
    );
    const mean = g.floatConst(
      numericSpecs.map((f) => f.mean),
      [dn],
      `${prefix}_mean`,
    );
    const std = g.floatConst(
      numericSpecs.map((f) => f.std),
      [dn],
      `${prefix}_std`,
    );
    const [centered] = g.node("Sub", [raw!, mean], { outputs: [g.tmp(`${prefix}_sub`)] });
    const [scaled] = g.node("Div", [centered!, std], { outputs: [g.tmp(`${prefix}_div`)] });
    const [nan] = g.node("IsNaN", [scaled!], { outputs: [g.tmp(`${prefix}_isnan`)] });
    const zero = g.floatConst([0], [], `${prefix}_zero`);
    const [imputed] = g.node("Where", [nan!, zero, scaled!], { outputs: [g.tmp(`${prefix}_imputed`)] });
    blocks.push(imputed!);
  }
  for (const f of pre.features) {
    if (f.kind === "string" && f.kept) blocks.push(emitStringOneHot(g, f.name, f.categories, `${prefix}_onehot`));
  }
  if (blocks.length === 1) return blocks[0]!;
  const [matrix] = g.node("Concat", blocks, { outputs: [g.tmp(`${prefix}_x`)], attrs: { axis: attr.i(1) } });
  return matrix!;
}

/**
 * A classification target's values as labels: strings as they are, numbers
 * through String(); null for missing (null, "" or NaN).
 */
export function labelStrings(column: Column): (string | null)[] {
  const out: (string | null)[] = new Array<string | null>(column.values.length);
  if (column.kind === "number") {
    for (let i = 0; i < column.values.length; i++) {
      const v = column.values[i]!;
      out[i] = Number.isNaN(v) ? null : String(v);
    }
  } else {
    for (let i = 0; i < column.values.length; i++) {
      const v = column.values[i];
      out[i] = isMissingString(v) ? null : v;
    }
  }
  return out;
}
