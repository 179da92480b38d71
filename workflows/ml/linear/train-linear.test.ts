import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { DataError, type Frame } from "../types";
import { trainLinear, type TrainLinearOptions } from "./train-linear";
import { bostonFrame, frame, maxRelDiff, penguinsFrame, runOnnx } from "../../../testing/linear";

function expectDataError(f: Frame, opts: TrainLinearOptions, message: RegExp): void {
  let error: unknown;
  try {
    trainLinear(f, opts);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DataError);
  expect((error as DataError).message).toMatch(message);
}

/** Rows of `f` at `rows` (a test/holdout frame). */
function take(f: Frame, rows: number[]): Frame {
  return {
    rows: rows.length,
    columns: f.columns.map((c) =>
      c.kind === "number" ? { ...c, values: Float64Array.from(rows, (i) => c.values[i]!) } : { ...c, values: rows.map((i) => c.values[i] ?? null) },
    ),
  };
}

function probabilityMatrix(p: Float64Array[], n: number): Float64Array {
  const k = p.length;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = p[c]![i]!;
  return out;
}

const small = () =>
  frame({
    x: [1, 2, 3, 4, 5, 6, 7, 8],
    color: ["red", "blue", "red", "green", "blue", null, "red", "green"],
    y: [2.1, 3.9, 6.2, 8.1, 9.8, 12.2, 13.9, 16.1],
    cls: ["a", "b", "a", "b", "a", "b", "b", "a"],
  });

describe("trainLinear: bad input is a DataError", () => {
  const f = small();
  it("no rows", () =>
    expectDataError(
      {
        rows: 0,
        columns: [
          { name: "y", kind: "number", values: new Float64Array(0) },
          { name: "x", kind: "number", values: new Float64Array(0) },
        ],
      },
      { task: "regression", target: "y" },
      /no rows/,
    ));
  it("target not in the dataset", () => expectDataError(f, { task: "regression", target: "price" }, /Target column "price" is not in the dataset/));
  it("feature not in the dataset, named", () =>
    expectDataError(f, { task: "regression", target: "y", features: ["x", "colour"] }, /Feature column "colour" is not in the dataset/));
  it("missing target values: the column and how many", () => {
    const g = frame({ x: [1, 2, 3, 4], y: [1, NaN, 3, NaN] });
    expectDataError(g, { task: "regression", target: "y" }, /Target column "y" has 2 missing values \(of 4 rows\)/);
    const h = frame({ x: [1, 2, 3, 4], label: ["a", null, "b", ""] });
    expectDataError(h, { task: "classification", target: "label" }, /Target column "label" has 2 missing values/);
  });
  it("text target for regression", () => expectDataError(f, { task: "regression", target: "cls" }, /numeric target; column "cls" has text values/));
  it("exactly one class", () =>
    expectDataError(frame({ x: [1, 2, 3], c: ["a", "a", "a"] }), { task: "classification", target: "c" }, /only one class \("a"\)/));
  it("more than 100 classes", () => {
    const x = Array.from({ length: 101 }, (_, i) => i);
    expectDataError(frame({ x, c: x.map((v) => v * 1.5) }), { task: "classification", target: "c" }, /101 distinct values.*at most 100 classes/);
  });
  it("target listed as a feature, duplicate feature, empty features", () => {
    expectDataError(f, { task: "regression", target: "y", features: ["x", "y"] }, /target "y" cannot also be a feature/);
    expectDataError(f, { task: "regression", target: "y", features: ["x", "x"] }, /"x" is listed twice/);
    expectDataError(f, { task: "regression", target: "y", features: [] }, /features list is empty/);
  });
  it("a feature named like a model output", () => {
    expectDataError(frame({ label: [1, 2, 3], y: [1, 2, 4] }), { task: "regression", target: "y" }, /"label" has the name of a model output/);
  });
  it("no usable features (all constant or empty)", () => {
    expectDataError(
      frame({ k: [5, 5, 5], e: [NaN, NaN, NaN], y: [1, 2, 3] }),
      { task: "regression", target: "y" },
      /No usable feature columns: "k", "e" are constant or empty/,
    );
  });
  it("negative l2, infinite values", () => {
    expectDataError(f, { task: "regression", target: "y", l2: -1 }, /l2 must be ≥ 0 \(got -1\)/);
    expectDataError(frame({ x: [1, Infinity, 3], y: [1, 2, 3] }), { task: "regression", target: "y" }, /"x" has infinite values/);
    expectDataError(frame({ x: [1, 2, 3], y: [1, -Infinity, 3] }), { task: "regression", target: "y" }, /"y" has 1 infinite value/);
  });
  it("predict on a frame without a feature column", () => {
    const model = trainLinear(f, { task: "regression", target: "y", features: ["x", "color"] });
    expect(() => model.predict(frame({ x: [1, 2] }))).toThrow(/Feature column "color" is not in the dataset/);
  });
});

describe("trainLinear: model I/O and determinism", () => {
  it("declares one input per feature column and the outputs of the task, as in the ONNX file", async () => {
    const f = small();
    const reg = trainLinear(f, { task: "regression", target: "y", features: ["x", "color"] });
    expect(reg.inputs).toEqual([
      { name: "x", datatype: "FP32", shape: [-1, 1] },
      { name: "color", datatype: "BYTES", shape: [-1, 1] },
    ]);
    expect(reg.outputs).toEqual([{ name: "prediction", datatype: "FP32", shape: [-1, 1] }]);
    expect(reg.classes).toBeUndefined();
    const cls = trainLinear(f, { task: "classification", target: "cls" });
    expect(cls.inputs.map((i) => i.name)).toEqual(["x", "color", "y"]);
    expect(cls.outputs).toEqual([
      { name: "label", datatype: "BYTES", shape: [-1] },
      { name: "probabilities", datatype: "FP32", shape: [-1, 2] },
    ]);
    expect(cls.classes).toEqual(["a", "b"]);
    for (const m of [reg, cls]) {
      const session = await ort.InferenceSession.create(m.onnx);
      expect(session.inputNames).toEqual(m.inputs.map((i) => i.name));
      expect(session.outputNames).toEqual(m.outputs.map((o) => o.name));
      await session.release();
    }
  });

  it("same data and options → identical ONNX bytes", () => {
    const f = small();
    for (const opts of [
      { task: "regression", target: "y" },
      { task: "classification", target: "cls", l2: 0.3 },
    ] as const) {
      const a = trainLinear(f, opts);
      const b = trainLinear(small(), opts);
      expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
      expect(a.series).toEqual(b.series);
    }
    const p = penguinsFrame();
    const opts = { task: "classification", target: "Species" } as const;
    expect(Buffer.from(trainLinear(p, opts).onnx).equals(Buffer.from(trainLinear(penguinsFrame(), opts).onnx))).toBe(true);
    // A different l2 is a different model.
    expect(
      Buffer.from(trainLinear(f, { task: "regression", target: "y", l2: 2 }).onnx).equals(
        Buffer.from(trainLinear(f, { task: "regression", target: "y" }).onnx),
      ),
    ).toBe(false);
  });

  it("labels numeric targets with String() and sorts the classes", () => {
    const m = trainLinear(frame({ x: [1, 2, 3, 4, 5, 6], c: [10, 2, 10, 2, 1.5, 1.5] }), { task: "classification", target: "c" });
    expect(m.classes).toEqual(["1.5", "10", "2"]);
    const pred = m.predict(frame({ x: [1] }));
    if (pred.task !== "classification") throw new Error("task");
    expect(m.classes).toContain(pred.label[0]);
  });

  it("keeps a dropped constant column as an input and notes it", async () => {
    const f = frame({ x: [1, 2, 3, 4], k: [7, 7, 7, 7], y: [1, 3, 5, 7] });
    const m = trainLinear(f, { task: "regression", target: "y", l2: 0 });
    expect(m.notes).toEqual(['Column "k" was dropped: it is constant (7).']);
    expect(m.inputs.map((i) => i.name)).toEqual(["x", "k"]);
    const out = await runOnnx(m.onnx, m.inputs, frame({ x: [5, 6], k: [100, -3] }));
    expect(Array.from(out.prediction!.data as Float32Array)).toEqual([9, 11]);
  });

  it("notes an optimizer that stopped before converging", () => {
    const m = trainLinear(small(), { task: "classification", target: "cls", maxIterations: 2 });
    expect(m.params.converged).toBe(false);
    expect(m.notes.join(" ")).toMatch(/stopped after 2 iterations/);
  });
});

describe("trainLinear: ONNX parity with the TypeScript model", () => {
  it("regression with an unseen category, a missing category and a NaN", async () => {
    const m = trainLinear(small(), { task: "regression", target: "y", features: ["x", "color"] });
    const test = frame({ x: [1.5, NaN, 9, -4, 3], color: ["red", "purple", null, "green", ""] });
    const ts = m.predict(test);
    if (ts.task !== "regression") throw new Error("task");
    const out = await runOnnx(m.onnx, m.inputs, test);
    expect(out.prediction!.dims).toEqual([5, 1]);
    expect(maxRelDiff(out.prediction!.data as Float32Array, ts.prediction)).toBeLessThan(1e-5);
    // NaN imputes the training mean and unseen/missing categories are all zeros:
    // row 2 (NaN, "purple") and row 3 (9, missing) agree with a row where only that part changes.
    const ref = m.predict(frame({ x: [4.5, 9], color: ["none-of-them", "none-of-them"] }));
    if (ref.task !== "regression") throw new Error("task");
    expect(ts.prediction[1]).toBeCloseTo(ref.prediction[0]!, 10);
    expect(ts.prediction[2]).toBeCloseTo(ref.prediction[1]!, 10);
  });

  it("Boston house prices: regression on medv", async () => {
    const f = bostonFrame();
    const m = trainLinear(f, { task: "regression", target: "medv" });
    const ts = m.predict(f);
    if (ts.task !== "regression") throw new Error("task");
    const out = await runOnnx(m.onnx, m.inputs, f);
    expect(maxRelDiff(out.prediction!.data as Float32Array, ts.prediction)).toBeLessThan(1e-5);
    expect(m.inputs).toHaveLength(13);
  });

  it("penguins: 3-class species with island/sex strings, nulls, and unseen values", async () => {
    const f = penguinsFrame();
    const m = trainLinear(f, { task: "classification", target: "Species" });
    expect(m.classes).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    expect(m.inputs.map((i) => `${i.name}:${i.datatype}`)).toEqual([
      "Island:BYTES",
      "Beak Length (mm):FP32",
      "Beak Depth (mm):FP32",
      "Flipper Length (mm):FP32",
      "Body Mass (g):FP32",
      "Sex:BYTES",
    ]);
    expect(m.params.converged).toBe(true);
    const loss = m.series.loss!;
    expect(loss[0]).toBeGreaterThan(loss[loss.length - 1]!);
    const ts = m.predict(f);
    if (ts.task !== "classification") throw new Error("task");
    const species = f.columns.find((c) => c.name === "Species")!.values as (string | null)[];
    expect(ts.label.filter((l, i) => l === species[i]).length / f.rows).toBeGreaterThan(0.97);

    // Holdout-like rows: an island never seen, a NaN measurement, missing and odd sex values.
    const test = take(f, [0, 3, 150, 200, 300, 340]);
    const island = test.columns.find((c) => c.name === "Island")!;
    if (island.kind === "string") island.values[0] = "Atlantis";
    const beak = test.columns.find((c) => c.name === "Beak Length (mm)")!;
    if (beak.kind === "number") beak.values[2] = NaN;
    for (const g of [f, test]) {
      const pred = m.predict(g);
      if (pred.task !== "classification") throw new Error("task");
      const out = await runOnnx(m.onnx, m.inputs, g);
      expect(out.probabilities!.dims).toEqual([g.rows, 3]);
      expect(maxRelDiff(out.probabilities!.data as Float32Array, probabilityMatrix(pred.probabilities, g.rows))).toBeLessThan(1e-5);
      expect(out.label!.data).toEqual(pred.label);
    }
  });

  it("binary classification with a numeric target", async () => {
    const f = bostonFrame();
    const chas = f.columns.find((c) => c.name === "chas")!;
    const m = trainLinear(f, { task: "classification", target: "chas", features: ["nox", "dis", "medv", "indus"], l2: 0.1 });
    expect(chas.kind).toBe("number");
    expect(m.classes).toEqual(["0", "1"]);
    const pred = m.predict(f);
    if (pred.task !== "classification") throw new Error("task");
    const out = await runOnnx(m.onnx, m.inputs, f);
    expect(maxRelDiff(out.probabilities!.data as Float32Array, probabilityMatrix(pred.probabilities, f.rows))).toBeLessThan(1e-5);
    expect(out.label!.data).toEqual(pred.label);
    for (let i = 0; i < f.rows; i++) expect(pred.probabilities[0]![i]! + pred.probabilities[1]![i]!).toBeCloseTo(1, 12);
  });

  it("feature columns named like generated tensors do not collide", async () => {
    const f = frame({ c_0: [1, 2, 3, 4, 5], matmul_1: [2, 1, 4, 3, 5], __cv_mean_2: ["a", "b", "a", "b", "a"], y: [1, 2, 3, 4, 6] });
    const m = trainLinear(f, { task: "regression", target: "y" });
    const pred = m.predict(f);
    if (pred.task !== "regression") throw new Error("task");
    const out = await runOnnx(m.onnx, m.inputs, f);
    expect(maxRelDiff(out.prediction!.data as Float32Array, pred.prediction)).toBeLessThan(1e-5);
  });
});
