import { describe, expect, it } from "vitest";
import { fitPreprocessor, transform, toDense, type DesignMatrix } from "../preprocess";
import { lbfgs } from "./lbfgs";
import { fitSoftmax, softmaxObjective } from "./softmax";
import { frame } from "../../../testing/linear";

/** Deterministic uniform [0, 1) numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Gaussian blobs around the given centers, plus a string column correlated with the class. */
function blobs(centers: [number, number][], perClass: number, spread: number, seed: number) {
  const r = rng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const s: string[] = [];
  const y: number[] = [];
  centers.forEach(([ca, cb], k) => {
    for (let i = 0; i < perClass; i++) {
      a.push(ca + spread * normal(r));
      b.push(cb + spread * normal(r));
      s.push(r() < 0.7 ? `g${k}` : `g${(k + 1) % centers.length}`);
      y.push(k);
    }
  });
  return { a, b, s, y: Int32Array.from(y) };
}

function design(cols: Record<string, number[] | string[]>): DesignMatrix {
  const f = frame(cols);
  return transform(fitPreprocessor(f, Object.keys(cols)), f);
}

/** The gradient of (1/N)[Σ CE + (l2/2)‖W‖²] on the dense matrix, written out directly. */
function referenceGradient(x: DesignMatrix, y: Int32Array, k: number, l2: number, w: Float64Array, b: Float64Array) {
  const dense = toDense(x);
  const n = x.rows;
  const d = x.width;
  const gw = new Float64Array(k * d);
  const gb = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: k }, (_, c) => b[c]! + Array.from({ length: d }, (_, j) => w[c * d + j]! * dense[i * d + j]!).reduce((s, v) => s + v, 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((s, v) => s + v, 0);
    for (let c = 0; c < k; c++) {
      const r = e[c]! / sum - (y[i] === c ? 1 : 0);
      gb[c]! += r / n;
      for (let j = 0; j < d; j++) gw[c * d + j]! += (r * dense[i * d + j]!) / n;
    }
  }
  for (let i = 0; i < k * d; i++) gw[i]! += (l2 * w[i]!) / n;
  return { gw, gb };
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe("softmaxObjective", () => {
  it("has the gradient of finite differences", () => {
    const { a, b, s, y } = blobs(
      [
        [0, 0],
        [2, 1],
        [-1, 2],
      ],
      10,
      1,
      7,
    );
    const x = design({ a, b, s });
    const k = 3;
    const r = rng(3);
    const theta = Float64Array.from({ length: k * (x.width + 1) }, () => normal(r));
    const grad = new Float64Array(theta.length);
    softmaxObjective(x, y, k, 0.7, theta, grad);
    const scratch = new Float64Array(theta.length);
    const h = 1e-6;
    for (let i = 0; i < theta.length; i++) {
      const p = theta.slice();
      const m = theta.slice();
      p[i]! += h;
      m[i]! -= h;
      const fd = (softmaxObjective(x, y, k, 0.7, p, scratch).objective - softmaxObjective(x, y, k, 0.7, m, scratch).objective) / (2 * h);
      expect(grad[i]).toBeCloseTo(fd, 7);
    }
  });
});

describe("softmaxObjective: extreme logits", () => {
  it("stays finite when the true class's probability underflows", () => {
    const x = design({ a: [-1, 1] });
    // theta = [W₀ b₀ W₁ b₁]: a logit gap of 2000 makes p(true) = exp(−2000) for both rows.
    const theta = Float64Array.of(1000, 0, -1000, 0);
    const grad = new Float64Array(4);
    const { crossEntropy } = softmaxObjective(x, Int32Array.of(0, 1), 2, 0, theta, grad);
    expect(crossEntropy).toBeCloseTo(2000, 9);
  });
});

describe("fitSoftmax", () => {
  it("binary: reaches high accuracy and a zero gradient", () => {
    const { a, b, s, y } = blobs(
      [
        [0, 0],
        [3, 2],
      ],
      100,
      1,
      11,
    );
    const x = design({ a, b, s });
    const fit = fitSoftmax(x, y, 2, 1);
    expect(fit.converged).toBe(true);
    const { gw, gb } = referenceGradient(x, y, 2, 1, fit.weights, fit.intercepts);
    expect(maxAbs(gw)).toBeLessThan(1e-7);
    expect(maxAbs(gb)).toBeLessThan(1e-7);
    const dense = toDense(x);
    let correct = 0;
    for (let i = 0; i < x.rows; i++) {
      const z = [0, 1].map(
        (c) =>
          fit.intercepts[c]! + Array.from({ length: x.width }, (_, j) => fit.weights[c * x.width + j]! * dense[i * x.width + j]!).reduce((t, v) => t + v, 0),
      );
      if ((z[1]! > z[0]! ? 1 : 0) === y[i]) correct++;
    }
    expect(correct / x.rows).toBeGreaterThan(0.95);
    // The objective never increases; the recorded loss starts at the prior's entropy (log 2).
    for (let i = 1; i < fit.objective.length; i++) expect(fit.objective[i]!).toBeLessThanOrEqual(fit.objective[i - 1]!);
    expect(fit.loss[0]).toBeCloseTo(Math.log(2), 12);
    expect(fit.loss.length).toBe(fit.iterations + 1);
  });

  it("binary: equals Newton's method on the equivalent 1-parameter-vector logistic regression", () => {
    // Softmax with K = 2 and a symmetric penalty has W₁ = −W₀ at the optimum, so
    // w = W₁ − W₀ minimizes Σ log(1 + exp(−sᵢ(b + w·xᵢ))) + (l2/4)‖w‖².
    const { a, y } = blobs(
      [
        [0, 0],
        [1.5, 0],
      ],
      40,
      1,
      5,
    );
    const x = design({ a });
    const l2 = 3;
    const fit = fitSoftmax(x, y, 2, l2);
    const z = Array.from(x.numeric);
    let b = 0;
    let w = 0;
    for (let it = 0; it < 50; it++) {
      let gb = 0,
        gw = 0,
        hbb = 0,
        hbw = 0,
        hww = 0;
      z.forEach((xi, i) => {
        const p = 1 / (1 + Math.exp(-(b + w * xi)));
        const r = p - y[i]!;
        const v = p * (1 - p);
        gb += r;
        gw += r * xi;
        hbb += v;
        hbw += v * xi;
        hww += v * xi * xi;
      });
      gw += (l2 / 2) * w;
      hww += l2 / 2;
      const det = hbb * hww - hbw * hbw;
      b -= (hww * gb - hbw * gw) / det;
      w -= (hbb * gw - hbw * gb) / det;
    }
    expect(fit.weights[1]! - fit.weights[0]!).toBeCloseTo(w, 7);
    expect(fit.weights[1]! + fit.weights[0]!).toBeCloseTo(0, 7);
    expect(fit.intercepts[1]! - fit.intercepts[0]!).toBeCloseTo(b, 7);
  });

  it("3 classes: reaches high accuracy and a zero gradient", () => {
    const { a, b, s, y } = blobs(
      [
        [0, 0],
        [4, 0],
        [2, 4],
      ],
      80,
      1,
      23,
    );
    const x = design({ a, b, s });
    const fit = fitSoftmax(x, y, 3, 0.5);
    expect(fit.converged).toBe(true);
    const { gw, gb } = referenceGradient(x, y, 3, 0.5, fit.weights, fit.intercepts);
    expect(maxAbs(gw)).toBeLessThan(1e-7);
    expect(maxAbs(gb)).toBeLessThan(1e-7);
    // At the optimum the class weights sum to zero (Σₖ ∂/∂Wₖ of the cross-entropy is 0).
    for (let j = 0; j < x.width; j++) expect(fit.weights[j]! + fit.weights[x.width + j]! + fit.weights[2 * x.width + j]!).toBeCloseTo(0, 6);
    const dense = toDense(x);
    let correct = 0;
    for (let i = 0; i < x.rows; i++) {
      const z = [0, 1, 2].map(
        (c) =>
          fit.intercepts[c]! + Array.from({ length: x.width }, (_, j) => fit.weights[c * x.width + j]! * dense[i * x.width + j]!).reduce((t, v) => t + v, 0),
      );
      if (z.indexOf(Math.max(...z)) === y[i]) correct++;
    }
    expect(correct / x.rows).toBeGreaterThan(0.95);
  });

  it("stops at the iteration cap, reporting it did not converge", () => {
    const x = design({ a: [-2, -1, 1, 2] });
    const y = Int32Array.of(0, 0, 1, 1);
    const capped = fitSoftmax(x, y, 2, 0, { maxIterations: 3 });
    expect(capped.converged).toBe(false);
    expect(capped.iterations).toBe(3);
    // Separable with no penalty: the weights grow until the gradient vanishes.
    const free = fitSoftmax(x, y, 2, 0);
    expect(free.weights[1]! - free.weights[0]!).toBeGreaterThan(10);
    expect(free.loss[free.loss.length - 1]).toBeLessThan(1e-6);
  });
});

describe("lbfgs", () => {
  it("minimizes the Rosenbrock function", () => {
    const res = lbfgs(
      (v, g) => {
        const [x, y] = [v[0]!, v[1]!];
        g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
        g[1] = 200 * (y - x * x);
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
      },
      Float64Array.of(-1.2, 1),
      { gtol: 1e-9, maxIterations: 500 },
    );
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 6);
    expect(res.x[1]).toBeCloseTo(1, 6);
  });
});
