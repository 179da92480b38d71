/**
 * Small, real ONNX models (built with the project's GraphBuilder) and their
 * manifests, for the serving tests and the serving benchmark. They follow
 * the exported-model contract of docs/spec.md: one input per feature column,
 * shape [-1, 1], FLOAT for numbers and STRING for categories.
 */
import type { ModelManifest } from "../contract/model";
import type { ModelInput, ModelOutput, Task } from "../workflows/ml/types";
import { attr, DataType, GraphBuilder } from "../workflows/ml/onnx/builder";

export interface TestModel {
  onnx: Uint8Array;
  manifest: ModelManifest;
}

export function manifestFor(task: Task, inputs: ModelInput[], outputs: ModelOutput[], extra: Partial<ModelManifest> = {}): ModelManifest {
  return {
    format: "onnx",
    task,
    target: "y",
    nodeType: "train.linear",
    inputs,
    outputs,
    metrics: {},
    trainingData: { uri: "file:///dev/null", sha256: "0".repeat(64), rows: 0 },
    pipeline: { id: "00000000-0000-0000-0000-000000000000", version: 1, nodeId: "train" },
    runId: "00000000-0000-0000-0000-000000000000",
    params: {},
    seed: 42,
    libraries: {},
    ...extra,
  };
}

/** NaN → 0 (what trained models do for a missing number after scaling). */
function imputeZero(g: GraphBuilder, x: string): string {
  const nan = g.op("IsNaN", [x]);
  return g.op("Where", [nan, g.floatConst([0], []), x]);
}

/**
 * Regression: `prediction = weight * x + bias + (s == "a" ? 1 : 0)`, with a
 * missing x (NaN) imputed as 0. Inputs x (FP32) and s (BYTES).
 */
export function linearTestModel(opts: { weight?: number; bias?: number; sFirst?: boolean } = {}): TestModel {
  const weight = opts.weight ?? 2;
  const bias = opts.bias ?? 0;
  const g = new GraphBuilder("serving_test_linear");
  const inputs: ModelInput[] = [
    { name: "x", datatype: "FP32", shape: [-1, 1] },
    { name: "s", datatype: "BYTES", shape: [-1, 1] },
  ];
  // `sFirst`: the same model with its inputs declared the other way round.
  if (opts.sFirst) inputs.reverse();
  for (const i of inputs) g.input({ name: i.name, type: i.datatype === "FP32" ? DataType.FLOAT : DataType.STRING, shape: [-1, 1] });
  const x = imputeZero(g, "x");
  const scaled = g.op("Add", [g.op("Mul", [x, g.floatConst([weight], [])]), g.floatConst([bias], [])]);
  const isA = g.op("Cast", [g.op("Equal", ["s", g.stringConst(["a"], [1, 1])])], { to: attr.i(DataType.FLOAT) });
  g.node("Add", [scaled, isA], { outputs: ["prediction"] });
  g.output({ name: "prediction", type: DataType.FLOAT, shape: [-1, 1] });
  return {
    onnx: g.serialize({ producerVersion: "test" }),
    manifest: manifestFor("regression", inputs, [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }], { params: { weight, bias } }),
  };
}

/** The reference numbers of `linearTestModel` (float32 like the session). */
export function linearTestExpected(x: number | null, s: string | null, opts: { weight?: number; bias?: number } = {}): number {
  const w = Math.fround(opts.weight ?? 2);
  const b = Math.fround(opts.bias ?? 0);
  const xv = x == null || Number.isNaN(Math.fround(x)) ? 0 : Math.fround(x);
  return Math.fround(Math.fround(Math.fround(w * xv) + b) + (s === "a" ? 1 : 0));
}

/**
 * Binary classification on one FP32 input x: probabilities =
 * softmax([x, -x]) over classes ["yes", "no"], label = the argmax class.
 */
export function classifierTestModel(): TestModel {
  const classes = ["yes", "no"];
  const g = new GraphBuilder("serving_test_classifier");
  g.input({ name: "x", type: DataType.FLOAT, shape: [-1, 1] });
  const x = imputeZero(g, "x");
  const logits = g.op("Concat", [x, g.op("Neg", [x])], { axis: attr.i(1) });
  g.node("Softmax", [logits], { outputs: ["probabilities"], attrs: { axis: attr.i(1) } });
  const idx = g.op("ArgMax", ["probabilities"], { axis: attr.i(1), keepdims: attr.i(1) });
  g.node("Gather", [g.stringConst(classes, [2]), idx], { outputs: ["label"], attrs: { axis: attr.i(0) } });
  g.output({ name: "label", type: DataType.STRING, shape: [-1, 1] });
  g.output({ name: "probabilities", type: DataType.FLOAT, shape: [-1, 2] });
  return {
    onnx: g.serialize({ producerVersion: "test" }),
    manifest: manifestFor(
      "classification",
      [{ name: "x", datatype: "FP32", shape: [-1, 1] }],
      [
        { name: "label", datatype: "BYTES", shape: [-1, 1] },
        { name: "probabilities", datatype: "FP32", shape: [-1, 2] },
      ],
      { classes, nodeType: "train.linear" },
    ),
  };
}

/**
 * A model that fails at run time for some inputs: `prediction = table[x]`
 * with table = [10, 20], x cast to an integer index. x = 0 or 1 answers;
 * any other x makes onnxruntime's Gather fail (index out of bounds).
 */
export function lookupTestModel(): TestModel {
  const g = new GraphBuilder("serving_test_lookup");
  g.input({ name: "x", type: DataType.FLOAT, shape: [-1, 1] });
  const index = g.op("Cast", ["x"], { to: attr.i(DataType.INT64) });
  g.node("Gather", [g.floatConst([10, 20], [2]), index], { outputs: ["prediction"], attrs: { axis: attr.i(0) } });
  g.output({ name: "prediction", type: DataType.FLOAT, shape: [-1, 1] });
  return {
    onnx: g.serialize({ producerVersion: "test" }),
    manifest: manifestFor("regression", [{ name: "x", datatype: "FP32", shape: [-1, 1] }], [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }]),
  };
}

/** Deterministic PRNG (mulberry32) so the benchmark model is reproducible. */
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

export const BENCH_NUMERIC = Array.from({ length: 10 }, (_, i) => `num_${i}`);
export const BENCH_CATEGORIES: Record<string, string[]> = {
  carrier: ["AA", "B6", "DL", "UA", "WN"],
  origin: ["ATL", "DEN", "DFW", "JFK", "LAX", "ORD", "SEA", "SFO"],
};

/**
 * A trained-like regression model: 10 numeric columns (standardized, NaN
 * imputed) + 2 string columns (one-hot), then a gradient-boosted-trees-like
 * TreeEnsembleRegressor (ai.onnx.ml opset 3) of `trees` full trees of
 * `depth` levels with random splits. ≈ what `train.gbdt` exports.
 */
export function benchTreeModel(opts: { trees?: number; depth?: number; seed?: number } = {}): TestModel {
  const trees = opts.trees ?? 100;
  const depth = opts.depth ?? 6;
  const rand = rng(opts.seed ?? 42);
  const g = new GraphBuilder("serving_bench_gbdt");
  g.useOpset("ai.onnx.ml", 3);
  for (const name of BENCH_NUMERIC) g.input({ name, type: DataType.FLOAT, shape: [-1, 1] });
  const catNames = Object.keys(BENCH_CATEGORIES);
  for (const name of catNames) g.input({ name, type: DataType.STRING, shape: [-1, 1] });

  const raw = g.op("Concat", BENCH_NUMERIC, { axis: attr.i(1) });
  const means = BENCH_NUMERIC.map(() => rand() * 10);
  const stds = BENCH_NUMERIC.map(() => 0.5 + rand() * 3);
  const scaled = g.op("Div", [g.op("Sub", [raw, g.floatConst(means, [means.length])]), g.floatConst(stds, [stds.length])]);
  const blocks = [imputeZero(g, scaled)];
  for (const name of catNames) {
    const cats = BENCH_CATEGORIES[name]!;
    blocks.push(g.op("Cast", [g.op("Equal", [name, g.stringConst(cats, [1, cats.length])])], { to: attr.i(DataType.FLOAT) }));
  }
  const features = g.op("Concat", blocks, { axis: attr.i(1) });
  const width = BENCH_NUMERIC.length + catNames.reduce((n, c) => n + BENCH_CATEGORIES[c]!.length, 0);

  const internal = 2 ** depth - 1;
  const total = 2 ** (depth + 1) - 1;
  const a = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missingTrue: [] as number[],
    tTree: [] as number[],
    tNode: [] as number[],
    tIds: [] as number[],
    tWeights: [] as number[],
  };
  for (let t = 0; t < trees; t++) {
    for (let n = 0; n < total; n++) {
      a.treeIds.push(t);
      a.nodeIds.push(n);
      if (n < internal) {
        const f = Math.floor(rand() * width);
        a.featureIds.push(f);
        a.modes.push("BRANCH_LEQ");
        a.values.push(f < BENCH_NUMERIC.length ? rand() * 2 - 1 : 0.5);
        a.trueIds.push(2 * n + 1);
        a.falseIds.push(2 * n + 2);
        a.missingTrue.push(rand() < 0.5 ? 1 : 0);
      } else {
        a.featureIds.push(0);
        a.modes.push("LEAF");
        a.values.push(0);
        a.trueIds.push(0);
        a.falseIds.push(0);
        a.missingTrue.push(0);
        a.tTree.push(t);
        a.tNode.push(n);
        a.tIds.push(0);
        a.tWeights.push((rand() - 0.5) * 0.2);
      }
    }
  }
  g.node("TreeEnsembleRegressor", [features], {
    outputs: ["prediction"],
    domain: "ai.onnx.ml",
    attrs: {
      n_targets: attr.i(1),
      aggregate_function: attr.s("SUM"),
      post_transform: attr.s("NONE"),
      base_values: attr.floats([12.5]),
      nodes_treeids: attr.ints(a.treeIds),
      nodes_nodeids: attr.ints(a.nodeIds),
      nodes_featureids: attr.ints(a.featureIds),
      nodes_modes: attr.strings(a.modes),
      nodes_values: attr.floats(a.values),
      nodes_truenodeids: attr.ints(a.trueIds),
      nodes_falsenodeids: attr.ints(a.falseIds),
      nodes_missing_value_tracks_true: attr.ints(a.missingTrue),
      target_treeids: attr.ints(a.tTree),
      target_nodeids: attr.ints(a.tNode),
      target_ids: attr.ints(a.tIds),
      target_weights: attr.floats(a.tWeights),
    },
  });
  g.output({ name: "prediction", type: DataType.FLOAT, shape: [-1, 1] });
  const inputs: ModelInput[] = [
    ...BENCH_NUMERIC.map((name): ModelInput => ({ name, datatype: "FP32", shape: [-1, 1] })),
    ...catNames.map((name): ModelInput => ({ name, datatype: "BYTES", shape: [-1, 1] })),
  ];
  return {
    onnx: g.serialize({ producerVersion: "bench" }),
    manifest: manifestFor("regression", inputs, [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }], {
      nodeType: "train.gbdt",
      params: { nTrees: trees, maxDepth: depth },
    }),
  };
}

/** A realistic OIP v2 infer body of `rows` rows (default one) for `benchTreeModel`. */
export function benchInferBody(
  seed = 7,
  rows = 1,
): { inputs: Array<{ name: string; shape: number[]; datatype: "FP32" | "BYTES"; data: Array<number | string> }> } {
  const rand = rng(seed);
  const column = <T>(value: () => T): T[] => Array.from({ length: rows }, value);
  return {
    inputs: [
      ...BENCH_NUMERIC.map((name) => ({ name, shape: [rows, 1], datatype: "FP32" as const, data: column(() => Math.round(rand() * 1000) / 100) })),
      ...Object.entries(BENCH_CATEGORIES).map(([name, cats]) => ({
        name,
        shape: [rows, 1],
        datatype: "BYTES" as const,
        data: column(() => cats[Math.floor(rand() * cats.length)]!),
      })),
    ],
  };
}
