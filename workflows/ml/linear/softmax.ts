/**
 * Multinomial logistic regression (softmax; binary is the 2-class case):
 * minimize (1/N)·[Σᵢ −log pᵢ,yᵢ + (l2/2)·‖W‖²] over W (K×D) and unpenalized
 * intercepts b (K), i.e. scikit-learn's LogisticRegression(C = 1/l2) scaled
 * by 1/N. Solved with L-BFGS from a deterministic start.
 */
import type { DesignMatrix } from "../preprocess";
import { lbfgs } from "./lbfgs";

export interface SoftmaxFit {
  /** K×D row-major: class k's coefficients at [k·D, (k+1)·D). */
  weights: Float64Array;
  intercepts: Float64Array;
  iterations: number;
  converged: boolean;
  gradientNorm: number;
  /** Mean training cross-entropy before training and after each iteration. */
  loss: number[];
  /** The regularized objective, same points as `loss`. */
  objective: number[];
}

/**
 * The objective and its gradient at theta = [W₀ b₀ W₁ b₁ …] (row k holds
 * D weights then the intercept). Returns { objective, crossEntropy }.
 */
export function softmaxObjective(
  x: DesignMatrix,
  y: Int32Array,
  k: number,
  l2: number,
  theta: Float64Array,
  grad: Float64Array,
): { objective: number; crossEntropy: number } {
  const n = x.rows;
  const d = x.width;
  const dn = x.numericWidth;
  const nb = x.blocks.length;
  const stride = d + 1;
  const numeric = x.numeric;
  const offsets = Int32Array.from(x.blocks, (b) => b.offset);
  const indexes = x.blocks.map((b) => b.index);
  const z = new Float64Array(k);
  const hot = new Int32Array(nb);
  grad.fill(0);
  let ce = 0;
  for (let i = 0; i < n; i++) {
    const base = i * dn;
    let nh = 0;
    for (let b = 0; b < nb; b++) {
      const idx = indexes[b]![i]!;
      if (idx >= 0) hot[nh++] = offsets[b]! + idx;
    }
    let zmax = -Infinity;
    for (let c = 0; c < k; c++) {
      const row = c * stride;
      let s = theta[row + d]!;
      for (let j = 0; j < dn; j++) s += theta[row + j]! * numeric[base + j]!;
      for (let h = 0; h < nh; h++) s += theta[row + hot[h]!]!;
      z[c] = s;
      if (s > zmax) zmax = s;
    }
    const yi = y[i]!;
    const zy = z[yi]!;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[c]! - zmax);
      z[c] = e;
      sum += e;
    }
    // −log p_y = log Σ exp(z − max) − (z_y − max): finite even when p_y underflows.
    ce += Math.log(sum) - (zy - zmax);
    const inv = 1 / sum;
    for (let c = 0; c < k; c++) {
      const r = z[c]! * inv - (c === yi ? 1 : 0);
      const row = c * stride;
      grad[row + d]! += r;
      for (let j = 0; j < dn; j++) grad[row + j]! += r * numeric[base + j]!;
      for (let h = 0; h < nh; h++) grad[row + hot[h]!]! += r;
    }
  }
  let penalty = 0;
  for (let c = 0; c < k; c++) {
    const row = c * stride;
    for (let j = 0; j < d; j++) {
      const w = theta[row + j]!;
      penalty += w * w;
      grad[row + j]! += l2 * w;
    }
  }
  for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! / n;
  return { objective: (ce + 0.5 * l2 * penalty) / n, crossEntropy: ce / n };
}

export function fitSoftmax(
  x: DesignMatrix,
  y: Int32Array,
  k: number,
  l2: number,
  opts: { maxIterations?: number; gtol?: number; onIteration?: (iteration: number) => void } = {},
): SoftmaxFit {
  const d = x.width;
  const stride = d + 1;
  // Start from W = 0 and the log class priors (centered), the best
  // intercept-only model.
  const counts = new Float64Array(k);
  for (let i = 0; i < y.length; i++) counts[y[i]!]! += 1;
  const theta0 = new Float64Array(k * stride);
  let meanLog = 0;
  for (let c = 0; c < k; c++) meanLog += Math.log(Math.max(counts[c]!, 0.5) / y.length) / k;
  for (let c = 0; c < k; c++) theta0[c * stride + d] = Math.log(Math.max(counts[c]!, 0.5) / y.length) - meanLog;

  // lbfgs evaluates the accepted point last before onIteration, so the
  // cross-entropy of the latest evaluation is the accepted one's.
  let lastCe = NaN;
  const f = (theta: Float64Array, grad: Float64Array) => {
    const r = softmaxObjective(x, y, k, l2, theta, grad);
    lastCe = r.crossEntropy;
    return r.objective;
  };
  const objective: number[] = [f(theta0, new Float64Array(theta0.length))];
  const loss: number[] = [lastCe];
  const result = lbfgs(f, theta0, {
    maxIterations: opts.maxIterations ?? 1000,
    gtol: opts.gtol ?? 1e-8,
    onIteration: (iteration, value) => {
      objective.push(value);
      loss.push(lastCe);
      opts.onIteration?.(iteration);
    },
  });
  const weights = new Float64Array(k * d);
  const intercepts = new Float64Array(k);
  // Center the intercepts: softmax is unchanged by a common shift, and the
  // unpenalized intercepts are otherwise only defined up to one.
  let bMean = 0;
  for (let c = 0; c < k; c++) bMean += result.x[c * stride + d]! / k;
  for (let c = 0; c < k; c++) {
    weights.set(result.x.subarray(c * stride, c * stride + d), c * d);
    intercepts[c] = result.x[c * stride + d]! - bMean;
  }
  return {
    weights,
    intercepts,
    iterations: result.iterations,
    converged: result.converged,
    gradientNorm: result.gradientNorm,
    loss,
    objective,
  };
}
