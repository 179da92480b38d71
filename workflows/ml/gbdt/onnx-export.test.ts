/**
 * ONNX parity: the exported graph, run by onnxruntime-node and by
 * onnxruntime-web (wasm backend, in Node), gives the TypeScript model's
 * predictions — NaN, unseen/missing categories and dropped columns included.
 */
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import type { Frame, Prediction } from "../types";
import { trainGbdt, type GbdtTrainedModel } from "./train";
import { synthetic } from "../../../testing/gbdt-data";

type Runtime = {
  name: string;
  create: (bytes: Uint8Array) => Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>> }>;
  Tensor: typeof ortNode.Tensor;
};

const runtimes: Runtime[] = [
  { name: "onnxruntime-node", create: (b) => ortNode.InferenceSession.create(b), Tensor: ortNode.Tensor },
  { name: "onnxruntime-web (wasm)", create: (b) => ortWeb.InferenceSession.create(b, { executionProviders: ["wasm"] }), Tensor: ortWeb.Tensor },
];

beforeAll(() => {
  ortWeb.env.wasm.numThreads = 1;
});

/** Feeds for the model's inputs from a frame: numbers as float32, strings with null as "". */
function feeds(rt: Runtime, model: GbdtTrainedModel, frame: Frame): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const input of model.inputs) {
    const col = frame.columns.find((c) => c.name === input.name)!;
    out[input.name] =
      col.kind === "number"
        ? new rt.Tensor("float32", Float32Array.from(col.values), [frame.rows, 1])
        : new rt.Tensor(
            "string",
            col.values.map((v) => v ?? ""),
            [frame.rows, 1],
          );
  }
  return out;
}

/** A test frame with what training never saw: NaN everywhere, an unseen category, "" and null. */
function scoringFrame(train: Frame): Frame {
  const n = 400;
  const part = (c: Frame["columns"][number]) => (c.kind === "number" ? { ...c, values: c.values.slice(0, n) } : { ...c, values: c.values.slice(0, n) });
  const columns = train.columns.map(part);
  const a = columns[0]!.values as Float64Array;
  const c = columns[2]!.values as (string | null)[];
  for (let i = 0; i < n; i += 7) a[i] = NaN;
  for (let i = 0; i < n; i += 5) c[i] = "purple";
  for (let i = 1; i < n; i += 9) c[i] = "";
  a[3] = 1e30; // far outside the training range
  return { rows: n, columns };
}

function expectParity(model: GbdtTrainedModel, ts: Prediction, out: Record<string, { data: unknown; dims: readonly number[] }>, n: number): void {
  if (ts.task === "regression") {
    const o = out.prediction!;
    expect(o.dims).toEqual([n, 1]);
    const data = o.data as Float32Array;
    for (let i = 0; i < n; i++) expect(Math.abs(data[i]! - ts.prediction[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ts.prediction[i]!)));
    return;
  }
  const K = model.classes!.length;
  expect(out.label!.dims).toEqual([n]);
  expect(out.probabilities!.dims).toEqual([n, K]);
  expect(Array.from(out.label!.data as string[])).toEqual(ts.label);
  const p = out.probabilities!.data as Float32Array;
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) expect(Math.abs(p[i * K + k]! - ts.probabilities[k]![i]!)).toBeLessThanOrEqual(1e-5);
}

describe("ONNX export parity", () => {
  const train = synthetic(1200, 21);
  // "const" is dropped in training but stays a model input.
  train.columns.push({ name: "const", kind: "number", values: new Float64Array(train.rows).fill(1) });
  const features = ["a", "b", "c", "const"];
  const models: [string, GbdtTrainedModel][] = [
    ["regression", trainGbdt(train, { task: "regression", target: "y", features, nTrees: 60 })],
    ["binary", trainGbdt(train, { task: "classification", target: "bin", features, nTrees: 40 })],
    ["multiclass", trainGbdt(train, { task: "classification", target: "cls", features, nTrees: 25 })],
    [
      "regression, sampled rows and columns",
      trainGbdt(train, { task: "regression", target: "y", features, nTrees: 30, subsample: 0.6, colsampleByTree: 0.5, maxDepth: 4 }),
    ],
    // One feature of three per tree: the feature-major histogram path.
    ["regression, one column per tree", trainGbdt(train, { task: "regression", target: "y", features, nTrees: 30, colsampleByTree: 0.3 })],
    [
      "regression, depth 12 (node arrays bounded by rows)",
      trainGbdt(train, { task: "regression", target: "y", features, nTrees: 8, maxDepth: 12, minChildWeight: 0, l2: 0.1 }),
    ],
    [
      "multiclass, sampled rows, early stopping",
      trainGbdt(train, { task: "classification", target: "cls", features, nTrees: 30, subsample: 0.7, earlyStoppingRounds: 5 }),
    ],
  ];
  const score = scoringFrame(train);

  for (const rt of runtimes) {
    for (const [name, model] of models) {
      it(`${rt.name}: ${name}`, async () => {
        const session = await rt.create(model.onnx);
        const out = await session.run(feeds(rt, model, score));
        expectParity(model, model.predict(score), out, score.rows);
      }, 60_000);
    }
  }

  it("declares exactly the model inputs and outputs (no ZipMap)", async () => {
    for (const [, model] of models) {
      const s = await ortNode.InferenceSession.create(model.onnx);
      expect([...s.inputNames]).toEqual(model.inputs.map((i) => i.name));
      expect([...s.outputNames]).toEqual(model.outputs.map((o) => o.name));
    }
  });

  it("a single row works too (batch of one)", async () => {
    const [, model] = models[2]!;
    const one: Frame = {
      rows: 1,
      columns: score.columns.map((c) => (c.kind === "number" ? { ...c, values: c.values.slice(5, 6) } : { ...c, values: c.values.slice(5, 6) })),
    };
    const out = await (await ortNode.InferenceSession.create(model.onnx)).run(feeds(runtimes[0]!, model, one) as Record<string, ortNode.Tensor>);
    expectParity(model, model.predict(one), out, 1);
  });

  it("a feature column named like an internal tensor does not clash", async () => {
    const n = 300;
    const x = Float64Array.from({ length: n }, (_, i) => i % 17);
    const f: Frame = {
      rows: n,
      columns: [
        { name: "__cv_x_1", kind: "number", values: x },
        { name: "concat_0", kind: "string", values: Array.from({ length: n }, (_, i) => (i % 3 ? "p" : "q")) },
        { name: "y", kind: "number", values: Float64Array.from(x, (v, i) => v * 2 + (i % 3 ? 0 : 5)) },
      ],
    };
    const m = trainGbdt(f, { task: "regression", target: "y", nTrees: 10 });
    const out = await (await ortNode.InferenceSession.create(m.onnx)).run(feeds(runtimes[0]!, m, f) as Record<string, ortNode.Tensor>);
    expectParity(m, m.predict(f), out, n);
  });
});
