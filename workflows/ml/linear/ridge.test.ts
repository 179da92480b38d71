import { describe, expect, it } from "vitest";
import { fitPreprocessor, transform, toDense } from "../preprocess";
import { cholesky, choleskySolve, fitRidge, gram } from "./ridge";
import { trainLinear } from "./train-linear";
import { bostonFrame, frame } from "../../../testing/linear";

/** Gaussian elimination with partial pivoting — independent of the Cholesky path. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/**
 * Ridge with an unpenalized intercept from the augmented normal equations
 * [[n, 1ᵀX], [Xᵀ1, XᵀX + l2·I]] [b; w] = [1ᵀy; Xᵀy] on a dense matrix.
 */
function ridgeReference(x: number[][], y: number[], l2: number): { b: number; w: number[] } {
  const d = x[0]!.length;
  const a: number[][] = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
  const rhs = new Array<number>(d + 1).fill(0);
  x.forEach((row, i) => {
    const r = [1, ...row];
    for (let j = 0; j <= d; j++) {
      rhs[j]! += r[j]! * y[i]!;
      for (let k = 0; k <= d; k++) a[j]![k]! += r[j]! * r[k]!;
    }
  });
  for (let j = 1; j <= d; j++) a[j]![j]! += l2;
  const sol = solve(a, rhs);
  return { b: sol[0]!, w: sol.slice(1) };
}

function standardize(cols: number[][]): number[][] {
  const n = cols[0]!.length;
  const z = cols.map((c) => {
    const mean = c.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(c.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    return c.map((v) => (v - mean) / sd);
  });
  return Array.from({ length: n }, (_, i) => z.map((c) => c[i]!));
}

describe("cholesky", () => {
  it("factorizes a symmetric positive definite matrix and solves with it", () => {
    const a = [4, 2, 0.4, 2, 5, 1, 0.4, 1, 3];
    const l = Float64Array.from(a);
    expect(cholesky(l, 3)).toBe(true);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += l[i * 3 + k]! * l[j * 3 + k]!;
        expect(s).toBeCloseTo(a[i * 3 + j]!, 12);
      }
    }
    const x = choleskySolve(l, 3, Float64Array.of(1, 2, 3));
    const ref = solve(
      [
        [4, 2, 0.4],
        [2, 5, 1],
        [0.4, 1, 3],
      ],
      [1, 2, 3],
    );
    for (let i = 0; i < 3; i++) expect(x[i]).toBeCloseTo(ref[i]!, 12);
  });

  it("reports a singular matrix", () => {
    expect(cholesky(Float64Array.of(1, 1, 1, 1), 2)).toBe(false);
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2)).toBe(false);
  });
});

describe("gram", () => {
  it("equals XᵀX of the dense matrix, with one-hot blocks", () => {
    const f = frame({ a: [1, 2, NaN, 4, 5], s: ["x", "y", null, "x", "z"], t: ["p", "p", "q", "q", "p"] });
    const x = transform(fitPreprocessor(f, ["a", "s", "t"]), f);
    const dense = toDense(x);
    const d = x.width;
    const { xtx, sums } = gram(x);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < x.rows; i++) s += dense[i * d + j]!;
      expect(sums[j]).toBeCloseTo(s, 12);
      for (let k = 0; k < d; k++) {
        let t = 0;
        for (let i = 0; i < x.rows; i++) t += dense[i * d + j]! * dense[i * d + k]!;
        expect(xtx[j * d + k]).toBeCloseTo(t, 12);
      }
    }
  });
});

describe("fitRidge", () => {
  const x1 = [0.5, 1.7, -2.2, 3.1, 0.0, 4.4, -1.3, 2.8];
  const x2 = [10, 14, 9, 21, 13, 8, 17, 12];
  const y = x1.map((v, i) => 3 + 2 * v - 0.5 * x2[i]!);

  it("recovers the exact linear coefficients as l2 → 0", () => {
    const f = frame({ x1, x2, y });
    const pre = fitPreprocessor(f, ["x1", "x2"]);
    const fit = fitRidge(transform(pre, f), Float64Array.from(y), 1e-12);
    // Back to raw units: coefficient / std, intercept − Σ coefficient·mean/std.
    const [s1, s2] = pre.features.map((p) => (p.kind === "number" ? p : null));
    expect(fit.weights[0]! / s1!.std).toBeCloseTo(2, 9);
    expect(fit.weights[1]! / s2!.std).toBeCloseTo(-0.5, 9);
    expect(fit.intercept - (fit.weights[0]! * s1!.mean) / s1!.std - (fit.weights[1]! * s2!.mean) / s2!.std).toBeCloseTo(3, 9);
    expect(fit.jitter).toBe(0);
  });

  it("matches the augmented normal equations for l2 = 2.5", () => {
    const yNoisy = y.map((v, i) => v + [0.3, -0.2, 0.5, -0.1, 0.0, 0.4, -0.6, 0.2][i]!);
    const f = frame({ x1, x2, y: yNoisy });
    const fit = fitRidge(transform(fitPreprocessor(f, ["x1", "x2"]), f), Float64Array.from(yNoisy), 2.5);
    const ref = ridgeReference(standardize([x1, x2]), yNoisy, 2.5);
    expect(fit.intercept).toBeCloseTo(ref.b, 10);
    expect(fit.weights[0]).toBeCloseTo(ref.w[0]!, 10);
    expect(fit.weights[1]).toBeCloseTo(ref.w[1]!, 10);
    // And the trained model predicts with these coefficients.
    const model = trainLinear(f, { task: "regression", target: "y", l2: 2.5 });
    const z = standardize([x1, x2]);
    const pred = model.predict(f);
    if (pred.task !== "regression") throw new Error("task");
    z.forEach((row, i) => expect(pred.prediction[i]).toBeCloseTo(ref.b + ref.w[0]! * row[0]! + ref.w[1]! * row[1]!, 5));
  });

  it("handles a one-hot block collinear with the intercept when l2 = 0", () => {
    const c = ["a", "b", "c", "a", "b", "c", "a", "b"];
    const yc = x1.map((v, i) => 1 + v + (c[i] === "b" ? 2 : c[i] === "c" ? 5 : 0));
    const f = frame({ x1, c, y: yc });
    const model = trainLinear(f, { task: "regression", target: "y", l2: 0 });
    expect(model.notes.join(" ")).toMatch(/collinear/);
    const pred = model.predict(f);
    if (pred.task !== "regression") throw new Error("task");
    yc.forEach((v, i) => expect(pred.prediction[i]).toBeCloseTo(v, 4));
  });

  it("matches the augmented normal equations on the Boston house prices", () => {
    const f = bostonFrame();
    const names = f.columns.map((c) => c.name).filter((n) => n !== "medv");
    const medv = f.columns.find((c) => c.name === "medv")!.values as Float64Array;
    const model = trainLinear(f, { task: "regression", target: "medv", l2: 1 });
    expect(model.linear.pre.designColumns).toEqual(names);
    const z = standardize(names.map((n) => Array.from(f.columns.find((c) => c.name === n)!.values as Float64Array)));
    const ref = ridgeReference(z, Array.from(medv), 1);
    const pred = model.predict(f);
    if (pred.task !== "regression") throw new Error("task");
    z.forEach((row, i) => {
      const r = ref.b + row.reduce((s, v, j) => s + v * ref.w[j]!, 0);
      expect(Math.abs(pred.prediction[i]! - r)).toBeLessThan(1e-4);
    });
    // Reference: ordinary least squares on this data has R² ≈ 0.741.
    let ssRes = 0;
    let ssTot = 0;
    const mean = medv.reduce((s, v) => s + v, 0) / medv.length;
    medv.forEach((v, i) => {
      ssRes += (v - pred.prediction[i]!) ** 2;
      ssTot += (v - mean) ** 2;
    });
    expect(1 - ssRes / ssTot).toBeCloseTo(0.741, 2);
  });
});
