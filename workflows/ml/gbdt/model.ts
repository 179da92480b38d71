/**
 * A trained ensemble in the form both `predict()` and the ONNX export read:
 * splits on raw values (float32 thresholds, category indices), not bins.
 *
 * Prediction rules, identical to onnxruntime's TreeEnsemble on the exported
 * graph:
 * - a numeric input is rounded to float32 (the ONNX input type); NaN follows
 *   the split's default direction, otherwise x ≤ threshold goes left;
 * - a string input is one-hot: "category c" goes right, anything else
 *   (another, unseen, null or "") goes left;
 * - raw scores are summed in double (the ONNX attributes are double tensors),
 *   starting from the base score;
 * - regression returns the score rounded to float32 (the ONNX output type); binary classification p = σ(s) (label 1 iff
 *   float32(s) > 0, as the ONNX head computes it); multiclass softmax,
 *   label = first arg max.
 */
import { categoryIndex, findColumn } from "../preprocess";
import { DataError, type Frame, type Prediction, type Task } from "../types";
import type { FeatureBinning } from "./binning";
import type { ModelInputColumn } from "./dataset";
import { sigmoid, type Objective } from "./losses";
import type { Tree } from "./tree";

export interface EnsembleTree {
  /** Class (score column) this tree adds to; 0 for regression and binary. */
  target: number;
  /** Internal feature per node (-1 for a leaf). */
  feature: Int32Array;
  /** Numeric: the float32 threshold; categorical: the category index (0-based). */
  threshold: Float64Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf values (learning rate applied). */
  value: Float64Array;
  gain: Float64Array;
  cover: Float64Array;
}

export interface GbdtEnsemble {
  task: Task;
  objective: Objective;
  target: string;
  /** Score columns: 1, or the number of classes for multiclass. */
  K: number;
  classes?: string[];
  /** Model inputs: every requested feature column, dropped ones included. */
  inputs: ModelInputColumn[];
  /** Features the trees use (numeric first, then string), as fitted. */
  features: FeatureBinning[];
  base: Float64Array;
  trees: EnsembleTree[];
}

/** Converts a bin-level tree to raw thresholds. */
export function toEnsembleTree(tree: Tree, features: FeatureBinning[], target: number): EnsembleTree {
  const threshold = new Float64Array(tree.nNodes);
  for (let id = 0; id < tree.nNodes; id++) {
    if (tree.left[id]! < 0) continue;
    const fb = features[tree.feature[id]!]!;
    threshold[id] = fb.kind === "number" ? fb.cuts[tree.splitBin[id]!]! : tree.splitBin[id]! - 1;
  }
  return {
    target,
    feature: tree.feature,
    threshold,
    missingLeft: tree.missingLeft,
    left: tree.left,
    right: tree.right,
    value: tree.value,
    gain: tree.gain,
    cover: tree.cover,
  };
}

/**
 * The used features of `frame` as one row-major n × F Float64Array: numeric
 * values rounded to float32 (the ONNX input type), string columns as
 * category indices (-1 = missing or unseen). One array type keeps the
 * traversal loop monomorphic.
 */
function featureMatrix(model: GbdtEnsemble, frame: Frame): Float64Array {
  const n = frame.rows;
  const F = model.features.length;
  const x = new Float64Array(n * F);
  model.features.forEach((fb, f) => {
    const col = findColumn(frame, fb.name);
    if (!col) throw new DataError(`Feature column "${fb.name}" is not in the dataset.`, "features");
    if (col.values.length !== n) throw new DataError(`Column "${fb.name}" has ${col.values.length} values for ${n} rows.`, fb.name);
    if (fb.kind === "number") {
      if (col.kind !== "number") throw new DataError(`Feature column "${fb.name}" must be numeric; it has text values.`, "features");
      const v = col.values;
      for (let r = 0; r < n; r++) x[r * F + f] = Math.fround(v[r]!);
    } else {
      const codes = categoryIndex(fb.categories, col.values);
      for (let r = 0; r < n; r++) x[r * F + f] = codes[r]!;
    }
  });
  return x;
}

/** Raw scores, row-major rows × K. */
export function rawScores(model: GbdtEnsemble, frame: Frame): Float64Array {
  const n = frame.rows;
  const K = model.K;
  const F = model.features.length;
  const x = featureMatrix(model, frame);
  const score = new Float64Array(n * K);
  for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) score[r * K + k] = model.base[k]!;
  for (const t of model.trees) {
    const { feature, threshold, missingLeft, left, right, value } = t;
    // Per node: 0 = numeric (x ≤ t left, NaN by missingLeft), 1 = categorical (x = t right).
    const cat = new Uint8Array(feature.length);
    for (let id = 0; id < feature.length; id++) if (feature[id]! >= 0 && model.features[feature[id]!]!.kind === "string") cat[id] = 1;
    const target = t.target;
    for (let r = 0; r < n; r++) {
      const row = r * F;
      let id = 0;
      while (left[id]! >= 0) {
        const v = x[row + feature[id]!]!;
        const th = threshold[id]!;
        const goLeft = cat[id] ? v !== th : v !== v ? missingLeft[id] === 1 : v <= th;
        id = goLeft ? left[id]! : right[id]!;
      }
      const o = r * K + target;
      score[o] = score[o]! + value[id]!;
    }
  }
  return score;
}

export function predictEnsemble(model: GbdtEnsemble, frame: Frame): Prediction {
  const n = frame.rows;
  const score = rawScores(model, frame);
  if (model.task === "regression") {
    // The ONNX output is float32: round the same way so both give the same numbers.
    for (let r = 0; r < n; r++) score[r] = Math.fround(score[r]!);
    return { task: "regression", prediction: score };
  }
  const classes = model.classes!;
  const label = new Array<string>(n);
  if (model.objective === "logistic") {
    const p0 = new Float64Array(n);
    const p1 = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      // The ONNX head sees the ensemble's float32 output.
      const s = Math.fround(score[r]!);
      p1[r] = sigmoid(s);
      p0[r] = sigmoid(-s);
      label[r] = s > 0 ? classes[1]! : classes[0]!;
    }
    return { task: "classification", label, probabilities: [p0, p1] };
  }
  const K = model.K;
  const probabilities = Array.from({ length: K }, () => new Float64Array(n));
  for (let r = 0; r < n; r++) {
    const o = r * K;
    let m = -Infinity;
    let arg = 0;
    for (let k = 0; k < K; k++) {
      if (score[o + k]! > m) {
        m = score[o + k]!;
        arg = k;
      }
    }
    let z = 0;
    for (let k = 0; k < K; k++) z += Math.exp(score[o + k]! - m);
    for (let k = 0; k < K; k++) probabilities[k]![r] = Math.exp(score[o + k]! - m) / z;
    label[r] = classes[arg]!;
  }
  return { task: "classification", label, probabilities };
}

/** Gain-based importance per model input (one-hot columns summed into their string column). */
export function featureImportance(model: GbdtEnsemble): { name: string; gain: number; share: number; splits: number }[] {
  const gain = new Float64Array(model.features.length);
  const splits = new Int32Array(model.features.length);
  for (const t of model.trees) {
    for (let id = 0; id < t.feature.length; id++) {
      if (t.left[id]! < 0) continue;
      gain[t.feature[id]!] = gain[t.feature[id]!]! + t.gain[id]!;
      splits[t.feature[id]!]!++;
    }
  }
  let total = 0;
  for (let f = 0; f < gain.length; f++) total += gain[f]!;
  const byName = new Map<string, number>(model.features.map((f, i) => [f.name, i]));
  return model.inputs
    .map((inp) => {
      const i = byName.get(inp.name);
      const g = i === undefined ? 0 : gain[i]!;
      return { name: inp.name, gain: g, share: total > 0 ? g / total : 0, splits: i === undefined ? 0 : splits[i]! };
    })
    .sort((a, b) => b.gain - a.gain || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
