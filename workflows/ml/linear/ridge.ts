/**
 * Ridge regression with an unpenalized intercept, solved exactly:
 * minimize Σᵢ (yᵢ − b − xᵢ·w)² + l2·‖w‖² via the centered normal equations
 * (XcᵀXc + l2·I) w = Xcᵀyc (Cholesky), b = ȳ − x̄·w.
 */
import type { DesignMatrix } from "../preprocess";

export interface RidgeFit {
  /** D coefficients on the design-matrix columns. */
  weights: Float64Array;
  intercept: number;
  /** Extra diagonal added because XᵀX + l2·I was singular (0 normally). */
  jitter: number;
}

/**
 * XᵀX (full symmetric D×D, row-major) and the column sums of the design
 * matrix, exploiting the one-hot blocks' sparsity.
 */
export function gram(x: DesignMatrix): { xtx: Float64Array; sums: Float64Array } {
  const d = x.width;
  const dn = x.numericWidth;
  const nb = x.blocks.length;
  const xtx = new Float64Array(d * d);
  const sums = new Float64Array(d);
  const hot = new Int32Array(nb);
  const numeric = x.numeric;
  const offsets = Int32Array.from(x.blocks, (b) => b.offset);
  const indexes = x.blocks.map((b) => b.index);
  for (let i = 0; i < x.rows; i++) {
    const base = i * dn;
    let nh = 0;
    for (let b = 0; b < nb; b++) {
      const k = indexes[b]![i]!;
      if (k >= 0) hot[nh++] = offsets[b]! + k;
    }
    for (let j = 0; j < dn; j++) {
      const uj = numeric[base + j]!;
      sums[j]! += uj;
      if (uj === 0) continue;
      const row = j * d;
      for (let k = j; k < dn; k++) xtx[row + k]! += uj * numeric[base + k]!;
      for (let h = 0; h < nh; h++) xtx[row + hot[h]!]! += uj;
    }
    // Blocks are in offset order, so hot[] is increasing: upper triangle.
    for (let a = 0; a < nh; a++) {
      const ha = hot[a]!;
      sums[ha]! += 1;
      for (let c = a; c < nh; c++) xtx[ha * d + hot[c]!]! += 1;
    }
  }
  for (let j = 0; j < d; j++) for (let k = j + 1; k < d; k++) xtx[k * d + j] = xtx[j * d + k]!;
  return { xtx, sums };
}

/** Xᵀv for a length-N vector v. */
export function transposeTimes(x: DesignMatrix, v: Float64Array): Float64Array {
  const dn = x.numericWidth;
  const out = new Float64Array(x.width);
  for (let i = 0; i < x.rows; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    const base = i * dn;
    for (let j = 0; j < dn; j++) out[j]! += x.numeric[base + j]! * vi;
    for (const block of x.blocks) {
      const k = block.index[i]!;
      if (k >= 0) out[block.offset + k]! += vi;
    }
  }
  return out;
}

/**
 * In-place Cholesky factorization A = LLᵀ of a symmetric n×n row-major
 * matrix (lower triangle holds L). Returns false when A is not numerically
 * positive definite (a pivot ≤ tol · the largest diagonal entry).
 */
export function cholesky(a: Float64Array, n: number, tol = 1e-12): boolean {
  let maxDiag = 0;
  for (let j = 0; j < n; j++) maxDiag = Math.max(maxDiag, Math.abs(a[j * n + j]!));
  const floor = tol * Math.max(maxDiag, Number.MIN_VALUE);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j]!;
    for (let k = 0; k < j; k++) s -= a[rj + k]! * a[rj + k]!;
    if (!(s > floor)) return false;
    const ljj = Math.sqrt(s);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j]!;
      for (let k = 0; k < j; k++) t -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = t / ljj;
    }
  }
  return true;
}

/** Solves LLᵀx = b given the factor from `cholesky`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

export function fitRidge(x: DesignMatrix, y: Float64Array, l2: number): RidgeFit {
  const n = x.rows;
  const d = x.width;
  let ySum = 0;
  for (let i = 0; i < n; i++) ySum += y[i]!;
  const yMean = ySum / n;
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = y[i]! - yMean;
  const { xtx, sums } = gram(x);
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = sums[j]! / n;
  // Xcᵀyc = Xᵀyc − x̄·Σyc, and Σyc is 0 up to rounding.
  let ycSum = 0;
  for (let i = 0; i < n; i++) ycSum += yc[i]!;
  const rhs = transposeTimes(x, yc);
  for (let j = 0; j < d; j++) rhs[j]! -= mean[j]! * ycSum;
  // XcᵀXc = XᵀX − n·x̄x̄ᵀ (well conditioned: columns are standardized or 0/1).
  const centered = new Float64Array(d * d);
  let trace = 0;
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) centered[j * d + k] = xtx[j * d + k]! - n * mean[j]! * mean[k]!;
    trace += centered[j * d + j]!;
  }
  let jitter = 0;
  for (let attempt = 0; ; attempt++) {
    const a = centered.slice();
    for (let j = 0; j < d; j++) a[j * d + j]! += l2 + jitter;
    if (cholesky(a, d)) {
      const weights = choleskySolve(a, d, rhs);
      let intercept = yMean;
      for (let j = 0; j < d; j++) intercept -= mean[j]! * weights[j]!;
      return { weights, intercept, jitter };
    }
    if (attempt >= 12) throw new Error("fitRidge: the normal equations could not be factorized");
    jitter = jitter === 0 ? 1e-10 * Math.max(trace / Math.max(d, 1), 1e-300) : jitter * 10;
  }
}
