/**
 * Objectives: gradients and hessians of each loss with respect to the raw
 * score, written into `g` and `h` (g[r], h[r] for score[r]), plus the mean
 * loss of the scores they were computed from (so the per-iteration training
 * loss costs nothing extra). Rows may be in any order, as long as score, y,
 * g and h share it (train.ts passes arrays in the grower's node order).
 *
 * - squared error: loss ½(s − y)², g = s − y, h = 1; reported as MSE.
 * - logistic (binary, y ∈ {0, 1}): p = σ(s), g = p − y, h = p(1 − p);
 *   reported as mean log loss.
 * - softmax (K classes, y = class index): p = softmax(s), g_k = p_k − [y = k],
 *   h_k = p_k(1 − p_k) (the diagonal of the Hessian, as in Friedman's
 *   multiclass boosting); reported as mean log loss.
 *
 * Hessians are floored at HESS_FLOOR so a confident leaf never divides by 0.
 * Each function is one tight loop: O(rows) per iteration, small next to the
 * histogram work. The trainer passes plain arrays of doubles (arrays.ts).
 */
import type { Vec } from "./arrays";

export type Objective = "squared_error" | "logistic" | "softmax";

export const HESS_FLOOR = 1e-16;

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Squared error (h = 1; `h` may be null when the caller needs no hessians). Returns the mean squared error of `score`. */
export function squaredErrorGradients(score: Vec, y: Vec, g: Vec, h: Vec | null): number {
  const n = y.length;
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const d = score[r]! - y[r]!;
    g[r] = d;
    loss += d * d;
  }
  if (h) for (let r = 0; r < n; r++) h[r] = 1;
  return n > 0 ? loss / n : 0;
}

/**
 * The mean squared error from squared-error gradients alone: g = s − y, so
 * MSE = mean(g²). For a trainer that keeps g current itself (train.ts).
 */
export function meanSquare(g: Vec): number {
  const n = g.length;
  let loss = 0;
  for (let r = 0; r < n; r++) loss += g[r]! * g[r]!;
  return n > 0 ? loss / n : 0;
}

/** Binary logistic. Returns the mean log loss of `score`. */
export function logisticGradients(score: Vec, y: Vec, g: Vec, h: Vec): number {
  const n = y.length;
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const s = score[r]!;
    const t = y[r]!;
    const p = sigmoid(s);
    g[r] = p - t;
    const q = p * (1 - p);
    h[r] = q > HESS_FLOOR ? q : HESS_FLOOR;
    // −[t log p + (1 − t) log(1 − p)] = softplus(s) − t·s
    loss += softplus(s) - t * s;
  }
  return n > 0 ? loss / n : 0;
}

/**
 * Softmax probabilities of the row-major n×K `score` into `prob` (same
 * layout). Returns the mean log loss against class indices `y`.
 */
export function softmaxProbabilities(score: Vec, y: Vec, K: number, prob: Vec): number {
  const n = y.length;
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const o = r * K;
    let m = -Infinity;
    for (let k = 0; k < K; k++) if (score[o + k]! > m) m = score[o + k]!;
    let z = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(score[o + k]! - m);
      prob[o + k] = e;
      z += e;
    }
    for (let k = 0; k < K; k++) prob[o + k] = prob[o + k]! / z;
    // −log p_y = log Σ e^s − s_y
    loss += m + Math.log(z) - score[o + y[r]!]!;
  }
  return n > 0 ? loss / n : 0;
}

/** Gradients and hessians of class k from the probabilities of `softmaxProbabilities`. */
export function softmaxGradients(prob: Vec, y: Vec, K: number, k: number, g: Vec, h: Vec): void {
  const n = y.length;
  for (let r = 0; r < n; r++) {
    const p = prob[r * K + k]!;
    g[r] = y[r] === k ? p - 1 : p;
    const q = p * (1 - p);
    h[r] = q > HESS_FLOOR ? q : HESS_FLOOR;
  }
}

/** The mean loss of raw scores (validation, final training loss). */
export function meanLoss(objective: Objective, score: Vec, y: Vec, K: number): number {
  const n = y.length;
  if (n === 0) return 0;
  let loss = 0;
  if (objective === "squared_error") {
    for (let r = 0; r < n; r++) {
      const d = score[r]! - y[r]!;
      loss += d * d;
    }
  } else if (objective === "logistic") {
    for (let r = 0; r < n; r++) loss += softplus(score[r]!) - y[r]! * score[r]!;
  } else {
    for (let r = 0; r < n; r++) {
      const o = r * K;
      let m = -Infinity;
      for (let k = 0; k < K; k++) if (score[o + k]! > m) m = score[o + k]!;
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(score[o + k]! - m);
      loss += m + Math.log(z) - score[o + y[r]!]!;
    }
  }
  return loss / n;
}
