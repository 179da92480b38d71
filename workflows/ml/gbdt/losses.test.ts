import { describe, expect, it } from "vitest";
import { HESS_FLOOR, logisticGradients, meanLoss, sigmoid, softmaxGradients, softmaxProbabilities, softplus, squaredErrorGradients } from "./losses";

/** Central finite difference of a scalar function. */
function fd(f: (s: number) => number, s: number, eps = 1e-5): number {
  return (f(s + eps) - f(s - eps)) / (2 * eps);
}

describe("squared error", () => {
  it("g = s − y, h = 1, loss reported as MSE", () => {
    const score = Float64Array.from([1, 2.5, -3]);
    const y = Float64Array.from([0, 3, -1]);
    const g = new Float64Array(3);
    const h = new Float64Array(3);
    const mse = squaredErrorGradients(score, y, g, h);
    expect(Array.from(g)).toEqual([1, -0.5, -2]);
    expect(Array.from(h)).toEqual([1, 1, 1]);
    expect(mse).toBeCloseTo((1 + 0.25 + 4) / 3, 12);
    expect(meanLoss("squared_error", score, y, 1)).toBeCloseTo(mse, 12);
  });

  it("g and h are the derivatives of ½(s − y)²", () => {
    const loss = (s: number) => 0.5 * (s - 0.7) ** 2;
    const g = new Float64Array(1);
    const h = new Float64Array(1);
    squaredErrorGradients(Float64Array.of(2.2), Float64Array.of(0.7), g, h);
    expect(g[0]).toBeCloseTo(fd(loss, 2.2), 6);
    expect(h[0]).toBeCloseTo(
      fd((s) => fd(loss, s), 2.2, 1e-3),
      4,
    );
  });
});

describe("logistic", () => {
  it("g = σ(s) − y, h = σ(s)(1 − σ(s)) match finite differences of the log loss", () => {
    for (const [s, t] of [
      [0, 1],
      [1.3, 0],
      [-2.1, 1],
      [4, 1],
    ] as const) {
      const loss = (x: number) => -(t * Math.log(sigmoid(x)) + (1 - t) * Math.log(1 - sigmoid(x)));
      const g = new Float64Array(1);
      const h = new Float64Array(1);
      const l = logisticGradients(Float64Array.of(s), Float64Array.of(t), g, h);
      expect(l).toBeCloseTo(loss(s), 10);
      expect(g[0]).toBeCloseTo(sigmoid(s) - t, 12);
      expect(g[0]).toBeCloseTo(fd(loss, s), 6);
      expect(h[0]).toBeCloseTo(sigmoid(s) * (1 - sigmoid(s)), 12);
      expect(h[0]).toBeCloseTo(
        fd((x) => fd(loss, x), s, 1e-3),
        4,
      );
    }
  });

  it("stays finite at extreme scores and floors the hessian", () => {
    const g = new Float64Array(2);
    const h = new Float64Array(2);
    const l = logisticGradients(Float64Array.of(800, -800), Float64Array.of(0, 1), g, h);
    expect(l).toBeCloseTo(800, 6);
    expect(g[0]).toBe(1);
    expect(g[1]).toBe(-1);
    expect(h[0]).toBe(HESS_FLOOR);
    expect(h[1]).toBe(HESS_FLOOR);
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
  });
});

describe("softmax", () => {
  it("probabilities, log loss, and per-class g/h match the definitions", () => {
    const K = 3;
    const score = Float64Array.from([0.5, -1, 2, 0, 0, 0]);
    const y = Float64Array.from([2, 0]);
    const prob = new Float64Array(6);
    const l = softmaxProbabilities(score, y, K, prob);
    const z0 = Math.exp(0.5) + Math.exp(-1) + Math.exp(2);
    expect(prob[0]).toBeCloseTo(Math.exp(0.5) / z0, 12);
    expect(prob[2]).toBeCloseTo(Math.exp(2) / z0, 12);
    expect(prob[3]).toBeCloseTo(1 / 3, 12);
    expect(l).toBeCloseTo((-Math.log(Math.exp(2) / z0) - Math.log(1 / 3)) / 2, 12);
    expect(meanLoss("softmax", score, y, K)).toBeCloseTo(l, 12);

    for (let k = 0; k < K; k++) {
      const g = new Float64Array(2);
      const h = new Float64Array(2);
      softmaxGradients(prob, y, K, k, g, h);
      // Row 0 (label 2): d/ds_k of −log softmax_2(s).
      const loss = (sk: number) => {
        const s = [0.5, -1, 2];
        s[k] = sk;
        return -Math.log(Math.exp(s[2]!) / s.reduce((a, b) => a + Math.exp(b), 0));
      };
      expect(g[0]).toBeCloseTo(fd(loss, [0.5, -1, 2][k]!), 6);
      expect(h[0]).toBeCloseTo(prob[k]! * (1 - prob[k]!), 12);
      expect(h[0]).toBeCloseTo(
        fd((x) => fd(loss, x), [0.5, -1, 2][k]!, 1e-3),
        4,
      );
      expect(g[1]).toBeCloseTo(k === 0 ? 1 / 3 - 1 : 1 / 3, 12);
    }
  });

  it("is stable for large scores", () => {
    const prob = new Float64Array(2);
    const l = softmaxProbabilities(Float64Array.of(1000, 0), Float64Array.of(1), 2, prob);
    expect(prob[0]).toBe(1);
    expect(l).toBeCloseTo(1000, 6);
  });
});
