/**
 * A fitted linear model as both the ONNX graph and `predict` use it: the
 * preprocessing plus float32-rounded coefficients, so the TypeScript
 * prediction is the ONNX graph's arithmetic done in float64.
 */
import { transform, type Preprocessor } from "../preprocess";
import type { Frame, Prediction, Task } from "../types";

export interface LinearParams {
  task: Task;
  target: string;
  pre: Preprocessor;
  /** K×D row-major (K = 1 for regression), float32-representable. */
  weights: Float64Array;
  /** K intercepts, float32-representable. */
  intercepts: Float64Array;
  /** Classification: K sorted class labels. */
  classes?: string[];
}

/** Rounds to float32, the precision the ONNX graph stores. */
export function toFloat32Values(a: Float64Array): Float64Array {
  return Float64Array.from(a, Math.fround);
}

export function predictLinear(model: LinearParams, frame: Frame): Prediction {
  const x = transform(model.pre, frame, { float32Inputs: true });
  const n = x.rows;
  const d = x.width;
  const dn = x.numericWidth;
  const k = model.intercepts.length;
  const nb = x.blocks.length;
  const hot = new Int32Array(nb);
  const numeric = x.numeric;
  const offsets = Int32Array.from(x.blocks, (b) => b.offset);
  const indexes = x.blocks.map((b) => b.index);
  const z = new Float64Array(k);
  const out = Array.from({ length: model.task === "regression" ? 1 : k }, () => new Float64Array(n));
  const best = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let nh = 0;
    for (let b = 0; b < nb; b++) {
      const idx = indexes[b]![i]!;
      if (idx >= 0) hot[nh++] = offsets[b]! + idx;
    }
    const base = i * dn;
    let zmax = -Infinity;
    let arg = 0;
    for (let c = 0; c < k; c++) {
      const row = c * d;
      let s = 0;
      for (let j = 0; j < dn; j++) s += numeric[base + j]! * model.weights[row + j]!;
      for (let h = 0; h < nh; h++) s += model.weights[row + hot[h]!]!;
      s += model.intercepts[c]!;
      z[c] = s;
      if (s > zmax) {
        zmax = s;
        arg = c;
      }
    }
    if (model.task === "regression") {
      out[0]![i] = z[0]!;
      continue;
    }
    best[i] = arg;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[c]! - zmax);
      z[c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[c]![i] = z[c]! / sum;
  }
  if (model.task === "regression") return { task: "regression", prediction: out[0]! };
  const classes = model.classes ?? [];
  const label = new Array<string>(n);
  for (let i = 0; i < n; i++) label[i] = classes[best[i]!]!;
  return { task: "classification", label, probabilities: out };
}
