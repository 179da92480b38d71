import { describe, expect, it } from "vitest";
import { DataError, type Frame } from "../types";
import { synthetic } from "../../../testing/gbdt-data";
import { trainGbdt } from "./train";

const num = (name: string, values: ArrayLike<number>) => ({ name, kind: "number" as const, values: Float64Array.from(values) });
const str = (name: string, values: (string | null)[]) => ({ name, kind: "string" as const, values });

function expectDataError(fn: () => unknown, message: RegExp, field?: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataError);
  expect((err as DataError).message).toMatch(message);
  if (field) expect((err as DataError).field).toBe(field);
}

describe("trainGbdt", () => {
  const frame = synthetic(1500);
  const features = ["a", "b", "c"];

  it("fits regression: the training loss falls every iteration and ends well below the variance", () => {
    const m = trainGbdt(frame, { task: "regression", target: "y", features, nTrees: 40 });
    const loss = m.series.train_loss!;
    expect(loss).toHaveLength(40);
    for (let i = 1; i < loss.length; i++) expect(loss[i]!).toBeLessThanOrEqual(loss[i - 1]! + 1e-12);
    const y = frame.columns[3]!.values as Float64Array;
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const variance = y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length;
    expect(loss.at(-1)!).toBeLessThan(0.2 * variance);
    expect(m.inputs).toEqual([
      { name: "a", datatype: "FP32", shape: [-1, 1] },
      { name: "b", datatype: "FP32", shape: [-1, 1] },
      { name: "c", datatype: "BYTES", shape: [-1, 1] },
    ]);
    expect(m.outputs).toEqual([{ name: "prediction", datatype: "FP32", shape: [-1, 1] }]);
    expect(m.params.iterations).toBe(40);
    expect(m.params.lossName).toBe("mse");
    expect(m.series.valid_loss).toBeUndefined();
  });

  it("classifies binary and multiclass targets with sensible probabilities", () => {
    for (const target of ["bin", "cls"]) {
      const m = trainGbdt(frame, { task: "classification", target, features, nTrees: 30 });
      const p = m.predict(frame);
      if (p.task !== "classification") throw new Error("classification expected");
      const truth = frame.columns.find((c) => c.name === target)!.values as string[];
      let correct = 0;
      for (let i = 0; i < frame.rows; i++) {
        let sum = 0;
        for (const col of p.probabilities) sum += col[i]!;
        expect(sum).toBeCloseTo(1, 10);
        if (p.label[i] === truth[i]) correct++;
      }
      expect(correct / frame.rows).toBeGreaterThan(0.85);
      expect(m.classes).toEqual(target === "bin" ? ["no", "yes"] : ["high", "low", "mid"]);
      expect(m.params.objective).toBe(target === "bin" ? "logistic" : "softmax");
      expect(m.params.trees).toBe(target === "bin" ? 30 : 90);
      expect(m.outputs).toEqual([
        { name: "label", datatype: "BYTES", shape: [-1] },
        { name: "probabilities", datatype: "FP32", shape: [-1, m.classes!.length] },
      ]);
    }
  });

  it("is deterministic: same data, options and seed → same ONNX bytes (also with sampling)", () => {
    const opts = { task: "regression", target: "y", features, nTrees: 15, subsample: 0.7, colsampleByTree: 0.67, seed: 3 } as const;
    const a = trainGbdt(frame, opts);
    const b = trainGbdt(frame, opts);
    expect(Buffer.from(b.onnx).equals(Buffer.from(a.onnx))).toBe(true);
    expect(b.series).toEqual(a.series);
    const c = trainGbdt(frame, { ...opts, seed: 4 });
    expect(Buffer.from(c.onnx).equals(Buffer.from(a.onnx))).toBe(false);
    const cls = { task: "classification", target: "cls", features, nTrees: 5, earlyStoppingRounds: 3 } as const;
    expect(Buffer.from(trainGbdt(frame, cls).onnx).equals(Buffer.from(trainGbdt(frame, cls).onnx))).toBe(true);
  });

  it("row subsampling still fits (every row re-scored by traversal)", () => {
    const full = trainGbdt(frame, { task: "regression", target: "y", features, nTrees: 30 });
    const sub = trainGbdt(frame, { task: "regression", target: "y", features, nTrees: 30, subsample: 0.5 });
    expect(sub.series.train_loss!.at(-1)!).toBeLessThan(1.5 * full.series.train_loss!.at(-1)!);
    // The training loss the trainer tracked is the loss of its own predictions.
    const p = sub.predict(frame);
    if (p.task !== "regression") throw new Error("regression expected");
    const y = frame.columns[3]!.values as Float64Array;
    let mse = 0;
    for (let i = 0; i < frame.rows; i++) mse += (p.prediction[i]! - y[i]!) ** 2;
    expect(mse / frame.rows).toBeCloseTo(sub.series.train_loss!.at(-1)!, 4);
  });

  it("early stopping holds out a seeded validation fraction and keeps the best iteration", () => {
    // A tiny noisy set overfits quickly.
    const small = synthetic(300, 11);
    const m = trainGbdt(small, {
      task: "regression",
      target: "y",
      features,
      nTrees: 300,
      learningRate: 0.3,
      maxDepth: 6,
      minChildWeight: 0,
      l2: 0,
      earlyStoppingRounds: 5,
    });
    const valid = m.series.valid_loss!;
    const iterations = m.params.iterations as number;
    expect(iterations).toBeLessThan(300);
    expect(valid).toHaveLength(iterations);
    expect(m.series.train_loss).toHaveLength(iterations);
    const best = m.params.bestIteration as number;
    expect(valid[best - 1]).toBe(Math.min(...valid));
    expect(iterations - best).toBe(5);
    expect(m.params.keptIterations).toBe(best);
    expect(m.ensemble.trees).toHaveLength(best);
    expect(m.params.validRows).toBe(30);
    expect(m.params.trainRows).toBe(270);
    expect(m.notes.join(" ")).toMatch(/Early stopping/);
  });

  it("reports gain-based importance for every input, string columns as one", () => {
    const m = trainGbdt(frame, { task: "regression", target: "y", features, nTrees: 20 });
    const names = m.featureImportance.map((f) => f.name).sort();
    expect(names).toEqual(["a", "b", "c"]);
    const total = m.featureImportance.reduce((s, f) => s + f.share, 0);
    expect(total).toBeCloseTo(1, 12);
    for (let i = 1; i < m.featureImportance.length; i++) expect(m.featureImportance[i]!.gain).toBeLessThanOrEqual(m.featureImportance[i - 1]!.gain);
    expect(JSON.parse(m.params.featureImportance as string)).toEqual(Object.fromEntries(m.featureImportance.map((f) => [f.name, f.gain])));
  });

  it("defaults features to every other column", () => {
    const f: Frame = { rows: 4, columns: [num("x", [1, 2, 3, 4]), num("z", [4, 3, 2, 1]), num("y", [1, 2, 3, 4])] };
    const m = trainGbdt(f, { task: "regression", target: "y", nTrees: 2 });
    expect(m.inputs.map((i) => i.name)).toEqual(["x", "z"]);
  });
});

describe("bad input", () => {
  const ok = synthetic(200);

  it("a target with missing values is a DataError naming the first row", () => {
    const y = Float64Array.from(ok.columns[3]!.values as Float64Array);
    y[17] = NaN;
    const f: Frame = { rows: 200, columns: [num("a", ok.columns[0]!.values as Float64Array), num("y", y)] };
    expectDataError(() => trainGbdt(f, { task: "regression", target: "y" }), /1 missing value.*row 18/, "target");
    const labels = [...(ok.columns[5]!.values as string[])];
    (labels as (string | null)[])[3] = null;
    const g: Frame = { rows: 200, columns: [num("a", ok.columns[0]!.values as Float64Array), str("t", labels)] };
    expectDataError(() => trainGbdt(g, { task: "classification", target: "t" }), /missing value.*row 4/, "target");
  });

  it("a classification target with one class is a DataError", () => {
    const f: Frame = { rows: 3, columns: [num("a", [1, 2, 3]), str("t", ["x", "x", "x"])] };
    expectDataError(() => trainGbdt(f, { task: "classification", target: "t" }), /only one class/, "target");
  });

  it("more classes than the limit is a DataError suggesting regression", () => {
    const n = 150;
    const f: Frame = {
      rows: n,
      columns: [
        num(
          "a",
          Array.from({ length: n }, (_, i) => i),
        ),
        num(
          "t",
          Array.from({ length: n }, (_, i) => i),
        ),
      ],
    };
    expectDataError(() => trainGbdt(f, { task: "classification", target: "t" }), /more than 100 distinct classes.*regression/, "target");
    expectDataError(() => trainGbdt(f, { task: "classification", target: "t", maxClasses: 10 }), /more than 10 distinct/, "target");
  });

  it("a constant or entirely missing feature is dropped with a note, and stays a model input", () => {
    const f: Frame = {
      rows: 200,
      columns: [
        num("a", ok.columns[0]!.values as Float64Array),
        num("const", new Float64Array(200).fill(3)),
        num("empty", new Float64Array(200).fill(NaN)),
        str("one", new Array<string>(200).fill("k")),
        num("y", ok.columns[3]!.values as Float64Array),
      ],
    };
    const m = trainGbdt(f, { task: "regression", target: "y", nTrees: 3 });
    expect(m.notes).toEqual([
      'Column "const" was dropped: it is constant (3).',
      'Column "empty" was dropped: it has no values.',
      'Column "one" was dropped: it is constant ("k").',
    ]);
    expect(m.params.features).toEqual(["a"]);
    expect(m.inputs.map((i) => i.name)).toEqual(["a", "const", "empty", "one"]);
    const p = m.predict(f);
    if (p.task !== "regression") throw new Error("regression expected");
    for (const v of p.prediction) expect(Number.isFinite(v)).toBe(true);
  });

  it("no usable feature at all is a DataError", () => {
    const f: Frame = { rows: 3, columns: [num("c", [1, 1, 1]), num("y", [1, 2, 3])] };
    expectDataError(() => trainGbdt(f, { task: "regression", target: "y" }), /No usable feature/, "features");
  });

  it("a non-numeric value in a numeric column is a DataError naming value and row", () => {
    const values = Array.from({ length: 50 }, (_, i) => String(i * 1.5));
    values[31] = "n/a";
    const f: Frame = {
      rows: 50,
      columns: [
        str("dist", values),
        num(
          "y",
          Array.from({ length: 50 }, (_, i) => i),
        ),
      ],
    };
    expectDataError(() => trainGbdt(f, { task: "regression", target: "y" }), /"dist" holds numbers but row 32 has "n\/a"/, "features");
    // A regression target given as text: numbers are parsed, anything else is an error.
    const t = [...values];
    const g: Frame = {
      rows: 50,
      columns: [
        num(
          "x",
          Array.from({ length: 50 }, (_, i) => i),
        ),
        str("y", t),
      ],
    };
    expectDataError(() => trainGbdt(g, { task: "regression", target: "y" }), /must be numeric.*row 32 has "n\/a"/, "target");
    t[31] = "7";
    expect(trainGbdt(g, { task: "regression", target: "y", nTrees: 2 }).params.trees).toBe(2);
  });

  it("infinite values are DataErrors", () => {
    const f: Frame = { rows: 3, columns: [num("x", [1, Infinity, 3]), num("y", [1, 2, 3])] };
    expectDataError(() => trainGbdt(f, { task: "regression", target: "y" }), /"x" has an infinite value \(row 2\)/, "features");
    const g: Frame = { rows: 3, columns: [num("x", [1, 2, 3]), num("y", [1, -Infinity, 3])] };
    expectDataError(() => trainGbdt(g, { task: "regression", target: "y" }), /infinite/, "target");
  });

  it("unknown columns and bad options are DataErrors naming the field", () => {
    expectDataError(() => trainGbdt(ok, { task: "regression", target: "nope" }), /Target column "nope" is not in the dataset/, "target");
    expectDataError(() => trainGbdt(ok, { task: "regression", target: "y", features: ["a", "zz"] }), /"zz" is not in the dataset/, "features");
    expectDataError(() => trainGbdt(ok, { task: "regression", target: "y", features: ["y"] }), /cannot also be a feature/, "features");
    expectDataError(() => trainGbdt(ok, { task: "regression", target: "y", maxBins: 300 }), /maxBins/, "maxBins");
    expectDataError(() => trainGbdt(ok, { task: "regression", target: "y", learningRate: 0 }), /learningRate/, "learningRate");
    expectDataError(() => trainGbdt(ok, { task: "regression", target: "y", subsample: 1.5 }), /subsample/, "subsample");
    expectDataError(() => trainGbdt(ok, { task: "regression", target: "y", nTrees: 2.5 }), /nTrees/, "nTrees");
    expectDataError(() => trainGbdt(ok, { task: "regression", target: "y", earlyStoppingRounds: 0 }), /earlyStoppingRounds/, "earlyStoppingRounds");
    expectDataError(() => trainGbdt({ rows: 1, columns: [num("x", [1]), num("y", [1])] }, { task: "regression", target: "y" }), /at least 2 rows/);
  });

  it("a target whose loss overflows is a DataError, never a NaN model", () => {
    const n = 100;
    const f: Frame = {
      rows: n,
      columns: [
        num(
          "x",
          Array.from({ length: n }, (_, i) => i),
        ),
        num(
          "y",
          Array.from({ length: n }, (_, i) => (i % 2 ? 1e300 : -1e300)),
        ),
      ],
    };
    expectDataError(() => trainGbdt(f, { task: "regression", target: "y", nTrees: 5 }), /not finite/);
    const g: Frame = {
      rows: n,
      columns: [
        num(
          "x",
          Array.from({ length: n }, (_, i) => i),
        ),
        num(
          "y",
          Array.from({ length: n }, (_, i) => i * 1e12),
        ),
      ],
    };
    const p = trainGbdt(g, { task: "regression", target: "y", nTrees: 5 }).predict(g);
    if (p.task !== "regression") throw new Error("regression expected");
    for (const v of p.prediction) expect(Number.isFinite(v)).toBe(true);
  });
});
