import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { frame } from "../../testing/linear";
import { DataType, GraphBuilder } from "./onnx/builder";
import {
  categoryIndex,
  emitPreprocessing,
  emitStringOneHot,
  fitPreprocessor,
  fitStringCategories,
  internalPrefix,
  labelStrings,
  modelInputs,
  toDense,
  transform,
} from "./preprocess";
import { DataError, type Frame } from "./types";

async function runMatrix(f: Frame, pre: ReturnType<typeof fitPreprocessor>): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const g = new GraphBuilder("pre");
  const x = emitPreprocessing(g, pre);
  g.node("Identity", [x], { outputs: ["x"] });
  g.output({ name: "x", type: DataType.FLOAT, shape: [-1, pre.designColumns.length] });
  const session = await ort.InferenceSession.create(g.serialize({ producerVersion: "test" }));
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of modelInputs(pre)) {
    const col = f.columns.find((c) => c.name === input.name)!;
    feeds[input.name] =
      col.kind === "number"
        ? new ort.Tensor("float32", Float32Array.from(col.values), [f.rows, 1])
        : new ort.Tensor(
            "string",
            col.values.map((v) => v ?? ""),
            [f.rows, 1],
          );
  }
  const out = (await session.run(feeds)).x!;
  await session.release();
  return { data: out.data as Float32Array, dims: out.dims };
}

describe("fitPreprocessor", () => {
  it("standardizes numbers with the training mean and population std; NaN → 0 (the mean)", () => {
    const f = frame({ a: [1, 2, NaN, 5] });
    const pre = fitPreprocessor(f, ["a"]);
    // mean of 1, 2, 5 = 8/3; population variance = ((5/3)² + (2/3)² + (7/3)²)/3 = 78/27.
    expect(pre.features[0]).toEqual({ kind: "number", name: "a", mean: 8 / 3, std: Math.sqrt(78 / 27), kept: true });
    const x = transform(pre, f);
    const s = Math.sqrt(78 / 27);
    expect(Array.from(x.numeric)).toEqual([(1 - 8 / 3) / s, (2 - 8 / 3) / s, 0, (5 - 8 / 3) / s]);
  });

  it("one-hot encodes strings over the sorted training categories; unseen, null and empty → zeros", () => {
    const f = frame({ s: ["b", "a", null, "c", "a", ""] });
    const pre = fitPreprocessor(f, ["s"]);
    expect(pre.designColumns).toEqual(["s=a", "s=b", "s=c"]);
    const x = transform(pre, frame({ s: ["c", "zzz", null, "", "a", "B"] }));
    expect(Array.from(toDense(x))).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });

  it("drops constant and empty columns with a note, keeping them as inputs", () => {
    const f = frame({ k: [3, 3, NaN, 3], e: [NaN, NaN, NaN, NaN], n: [null, null, "", null], a: [1, 2, 3, 4] });
    const pre = fitPreprocessor(f, ["k", "e", "n", "a"]);
    expect(pre.notes).toEqual([
      'Column "k" was dropped: it is constant (3).',
      'Column "e" was dropped: it has no values.',
      'Column "n" was dropped: it has no values.',
    ]);
    expect(pre.designColumns).toEqual(["a"]);
    expect(modelInputs(pre).map((i) => `${i.name}:${i.datatype}`)).toEqual(["k:FP32", "e:FP32", "n:BYTES", "a:FP32"]);
  });

  it("lays out numeric columns first, then string blocks, in feature order", () => {
    const f = frame({ s: ["x", "y"], a: [1, 2], t: ["q", "p"], b: [0, 1] });
    expect(fitPreprocessor(f, ["s", "a", "t", "b"]).designColumns).toEqual(["a", "b", "s=x", "s=y", "t=p", "t=q"]);
  });

  it("caps the categories of a string column at the most frequent, with a note", () => {
    const values = ["d", "a", "b", "b", "c", "c", "c", "d", "d", "e"];
    expect(fitStringCategories(values, 3)).toEqual({ categories: ["b", "c", "d"], distinct: 5 });
    // Ties in frequency go to the earlier category in sort order.
    expect(fitStringCategories(["z", "y", "x"], 2).categories).toEqual(["x", "y"]);
    const pre = fitPreprocessor(frame({ s: values }), ["s"], { maxCategories: 3 });
    expect(pre.notes).toEqual(['Column "s" has 5 distinct values; only the 3 most frequent are one-hot encoded, the rest count as unseen.']);
  });

  it("errors on a missing feature column or infinite values", () => {
    expect(() => fitPreprocessor(frame({ a: [1] }), ["b"])).toThrow(DataError);
    expect(() => fitPreprocessor(frame({ a: [1, Infinity] }), ["a"])).toThrow(/"a" has infinite values \(row 2\)/);
    const pre = fitPreprocessor(frame({ a: [1, 2] }), ["a"]);
    expect(() => transform(pre, frame({ a: ["1", "2"] }))).toThrow(/"a" must be numeric/);
  });

  it("sorts categories by code units, not locale", () => {
    expect(fitStringCategories(["b", "B", "a", "é", "10", "9"]).categories).toEqual(["10", "9", "B", "a", "b", "é"]);
  });
});

describe("categoryIndex and labelStrings", () => {
  it("maps values to category positions, -1 for missing/unseen, numbers through String()", () => {
    expect(Array.from(categoryIndex(["1", "2.5", "x"], ["x", null, "", "y", "1"]))).toEqual([2, -1, -1, -1, 0]);
    expect(Array.from(categoryIndex(["1", "2.5", "x"], Float64Array.of(2.5, 1, NaN, 3)))).toEqual([1, 0, -1, -1]);
  });
  it("labels numbers with String() and treats NaN, null and empty as missing", () => {
    expect(labelStrings({ name: "y", kind: "number", values: Float64Array.of(1, 0.5, NaN, -2) })).toEqual(["1", "0.5", null, "-2"]);
    expect(labelStrings({ name: "y", kind: "string", values: ["a", null, ""] })).toEqual(["a", null, null]);
  });
});

describe("ONNX preprocessing", () => {
  it("produces the matrix of transform() for the raw inputs", async () => {
    const train = frame({
      s: ["red", "blue", null, "green", "blue"],
      big: [1000.5, 2000.25, 1500, NaN, 1800],
      k: [1, 1, 1, 1, 1],
      t: ["x", "y", "x", "y", "x"],
      small: [0.001, 0.002, -0.004, 0.003, 0],
    });
    const pre = fitPreprocessor(train, ["s", "big", "k", "t", "small"]);
    const test = frame({
      s: ["blue", "purple", null, "", "red"],
      big: [NaN, 3000, 1000.5, -50, 1800],
      k: [5, 1, 1, NaN, 2],
      t: ["y", "y", "x", "z", null],
      small: [0.0015, NaN, 1, 0, -0.002],
    });
    const expected = toDense(transform(pre, test, { float32Inputs: true }));
    const { data, dims } = await runMatrix(test, pre);
    expect(dims).toEqual([5, pre.designColumns.length]);
    expect(pre.designColumns).toEqual(["big", "small", "s=blue", "s=green", "s=red", "t=x", "t=y"]);
    for (let i = 0; i < expected.length; i++) expect(Math.abs(data[i]! - expected[i]!)).toBeLessThan(1e-5);
  });

  it("emitStringOneHot alone: [N, C] with zeros for unseen", async () => {
    const g = new GraphBuilder("onehot");
    g.input({ name: "s", type: DataType.STRING, shape: [-1, 1] });
    const out = emitStringOneHot(g, "s", ["a", "b"]);
    g.node("Identity", [out], { outputs: ["y"] });
    g.output({ name: "y", type: DataType.FLOAT, shape: [-1, 2] });
    const session = await ort.InferenceSession.create(g.serialize({ producerVersion: "test" }));
    const res = await session.run({ s: new ort.Tensor("string", ["b", "c", "a", ""], [4, 1]) });
    expect(Array.from(res.y!.data as Float32Array)).toEqual([0, 1, 0, 0, 1, 0, 0, 0]);
    await session.release();
  });

  it("internalPrefix avoids every input name", () => {
    expect(internalPrefix(["a", "b"])).toBe("__cv");
    expect(internalPrefix(["__cv_mean_3", "x"])).toBe("__cv__");
    expect(internalPrefix(["__cv", "__cv_", "__cv__x"])).toBe("__cv___");
  });
});
