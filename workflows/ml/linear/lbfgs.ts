/**
 * A deterministic L-BFGS minimizer for smooth convex objectives on typed
 * arrays (two-loop recursion, backtracking Armijo line search).
 */

/** Writes the gradient at `x` into `grad` and returns the objective value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max |gradient| ≤ gtol (default 1e-8). */
  gtol?: number;
  maxIterations?: number;
  /** History size (default 10). */
  memory?: number;
  /**
   * Called after each iteration with the new objective value; the objective
   * was last evaluated at the accepted point (callers may read side values).
   */
  onIteration?: (iteration: number, value: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** max |gradient| at the solution. */
  gradientNorm: number;
  converged: boolean;
  /** Why it stopped: gradient small, no further decrease possible, or the cap. */
  reason: "gradient" | "no-progress" | "max-iterations";
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function lbfgs(f: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const gtol = opts.gtol ?? 1e-8;
  const maxIterations = opts.maxIterations ?? 1000;
  const m = opts.memory ?? 10;
  const n = x0.length;
  const x = x0.slice();
  const g = new Float64Array(n);
  let fx = f(x, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const dir = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let iterations = 0;
  let gnorm = maxAbs(g);
  let reason: LbfgsResult["reason"] = "max-iterations";
  while (true) {
    if (gnorm <= gtol) {
      reason = "gradient";
      break;
    }
    if (iterations >= maxIterations) {
      reason = "max-iterations";
      break;
    }
    // Two-loop recursion: dir = −H·g.
    for (let i = 0; i < n; i++) dir[i] = -g[i]!;
    for (let k = s.length - 1; k >= 0; k--) {
      const a = rho[k]! * dot(s[k]!, dir);
      alpha[k] = a;
      const yk = y[k]!;
      for (let i = 0; i < n; i++) dir[i]! -= a * yk[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let i = 0; i < n; i++) dir[i]! *= gamma;
    }
    for (let k = 0; k < s.length; k++) {
      const b = rho[k]! * dot(y[k]!, dir);
      const sk = s[k]!;
      const a = alpha[k]!;
      for (let i = 0; i < n; i++) dir[i]! += (a - b) * sk[i]!;
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      s.length = 0;
      y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i]!;
      slope = dot(g, dir);
    }
    let step = s.length === 0 ? Math.min(1, 1 / Math.max(gnorm, 1e-300)) : 1;
    let fNew = NaN;
    let accepted = false;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * dir[i]!;
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted || !(fNew < fx || maxAbs(gNew) < gnorm)) {
      reason = "no-progress";
      break;
    }
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i]! - x[i]!;
      yk[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12 * dot(yk, yk)) {
      if (s.length === m) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    gnorm = maxAbs(g);
    iterations++;
    opts.onIteration?.(iterations, fx);
  }
  return { x, value: fx, iterations, gradientNorm: gnorm, converged: reason === "gradient", reason };
}
