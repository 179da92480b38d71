/**
 * ONNX export of a GBDT ensemble (docs/spec.md "Model I/O").
 *
 * Graph: one input per feature column ([-1, 1], FLOAT or STRING, dropped
 * columns included) → numeric columns concatenated, string columns one-hot
 * (preprocess.ts `emitStringOneHot`) → X [N, D] → ai.onnx.ml (opset 3)
 * - regression: TreeEnsembleRegressor → `prediction` FLOAT [N, 1];
 * - multiclass: TreeEnsembleClassifier, post_transform SOFTMAX, no ZipMap
 *   → `label` STRING [N] and `probabilities` FLOAT [N, K];
 * - binary: TreeEnsembleRegressor → raw score s, then explicit ops:
 *   `probabilities` = [σ(−s), σ(s)], `label` = classes[s > 0]. onnxruntime's
 *   two-class TreeEnsembleClassifier has special cases (a label rule that
 *   compares the raw score with 0.5 when all weights are positive; with
 *   weights for both classes it rewrites class 1's score from class 0's), so
 *   the binary head is spelled out instead of relying on them.
 *
 * Thresholds, leaf weights and base values are written as double tensors
 * (`*_as_tensor`) and X is cast to DOUBLE (onnxruntime chooses the attribute
 * precision by the input type), so onnxruntime compares and sums in double
 * like `predict()` does; thresholds are float32 numbers and the cast is
 * exact, so every branch is the one `predict()` takes. Node ids are the tree's
 * breadth-first ids. NaN goes where `nodes_missing_value_tracks_true` says
 * (true branch = left = x ≤ threshold).
 */
import { attr, DataType, GraphBuilder, type Tensor } from "../onnx/builder";
import { emitStringOneHot, internalPrefix } from "../preprocess";
import type { ModelInput, ModelOutput } from "../types";
import type { GbdtEnsemble } from "./model";

/** Bumped when the exported graph changes shape (goes into producer_version). */
export const GBDT_EXPORT_VERSION = "gbdt-1";

function doubles(name: string, values: ArrayLike<number>): Tensor {
  // The builder's Tensor type lists no double_data yet; the ONNX proto has it (field 10).
  const t = { name, dims: [values.length], data_type: DataType.DOUBLE, double_data: Array.from(values) };
  return t;
}

export function modelInputs(model: GbdtEnsemble): ModelInput[] {
  return model.inputs.map((c) => ({ name: c.name, datatype: c.kind === "number" ? "FP32" : "BYTES", shape: [-1, 1] }));
}

export function modelOutputs(model: GbdtEnsemble): ModelOutput[] {
  if (model.task === "regression") return [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }];
  return [
    { name: "label", datatype: "BYTES", shape: [-1] },
    { name: "probabilities", datatype: "FP32", shape: [-1, model.classes!.length] },
  ];
}

export function exportOnnx(model: GbdtEnsemble): Uint8Array {
  const g = new GraphBuilder(`gbdt_${model.task}`);
  g.useOpset("ai.onnx.ml", 3);
  const prefix = internalPrefix(model.inputs.map((c) => c.name));
  for (const c of model.inputs) g.input({ name: c.name, type: c.kind === "number" ? DataType.FLOAT : DataType.STRING, shape: [-1, 1] });

  // Intermediate names start with a prefix no input has, so a column called "concat_0" is safe.
  const concat = (inputs: string[], hint: string) => g.node("Concat", inputs, { outputs: [g.tmp(`${prefix}_${hint}`)], attrs: { axis: attr.i(1) } })[0]!;
  // Column of X for every (feature, category): numeric features first, then one-hot blocks.
  const column = new Int32Array(model.features.length);
  const blocks: string[] = [];
  const numeric = model.features.filter((f) => f.kind === "number");
  let width = 0;
  model.features.forEach((f, i) => {
    if (f.kind === "number") column[i] = width++;
  });
  if (numeric.length > 0) {
    blocks.push(
      numeric.length === 1
        ? numeric[0]!.name
        : concat(
            numeric.map((f) => f.name),
            "num",
          ),
    );
  }
  model.features.forEach((f, i) => {
    if (f.kind !== "string") return;
    column[i] = width;
    width += f.categories.length;
    blocks.push(emitStringOneHot(g, f.name, f.categories, `${prefix}_onehot`));
  });
  const xf = blocks.length === 1 ? blocks[0]! : concat(blocks, "x");
  // onnxruntime picks the attribute precision from the input type: a DOUBLE input makes it
  // read the *_as_tensor doubles and sum in double. float → double is exact.
  const x = g.node("Cast", [xf], { outputs: [g.tmp(`${prefix}_xd`)], attrs: { to: attr.i(DataType.DOUBLE) } })[0]!;

  // Node tuples.
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  // Leaf votes.
  const wTree: number[] = [];
  const wNode: number[] = [];
  const wTarget: number[] = [];
  const wValue: number[] = [];
  const binary = model.objective === "logistic";
  model.trees.forEach((t, ti) => {
    for (let id = 0; id < t.feature.length; id++) {
      treeIds.push(ti);
      nodeIds.push(id);
      if (t.left[id]! < 0) {
        featureIds.push(0);
        modes.push("LEAF");
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        missingTrue.push(0);
        wTree.push(ti);
        wNode.push(id);
        wTarget.push(t.target);
        wValue.push(t.value[id]!);
        continue;
      }
      const f = t.feature[id]!;
      const fb = model.features[f]!;
      modes.push("BRANCH_LEQ");
      trueIds.push(t.left[id]!);
      falseIds.push(t.right[id]!);
      if (fb.kind === "number") {
        featureIds.push(column[f]!);
        values.push(t.threshold[id]!);
        missingTrue.push(t.missingLeft[id]!);
      } else {
        // One-hot column of the category: 0 ≤ 0.5 (not this category) → left.
        featureIds.push(column[f]! + t.threshold[id]!);
        values.push(0.5);
        missingTrue.push(0);
      }
    }
  });
  const nodeAttrs = {
    nodes_treeids: attr.ints(treeIds),
    nodes_nodeids: attr.ints(nodeIds),
    nodes_featureids: attr.ints(featureIds),
    nodes_modes: attr.strings(modes),
    nodes_values_as_tensor: attr.tensor(doubles("nodes_values", values)),
    nodes_truenodeids: attr.ints(trueIds),
    nodes_falsenodeids: attr.ints(falseIds),
    nodes_missing_value_tracks_true: attr.ints(missingTrue),
  };

  const regressor = (output: string) =>
    g.node("TreeEnsembleRegressor", [x], {
      outputs: [output],
      domain: "ai.onnx.ml",
      attrs: {
        ...nodeAttrs,
        n_targets: attr.i(1),
        aggregate_function: attr.s("SUM"),
        post_transform: attr.s("NONE"),
        target_treeids: attr.ints(wTree),
        target_nodeids: attr.ints(wNode),
        target_ids: attr.ints(wTarget),
        target_weights_as_tensor: attr.tensor(doubles("target_weights", wValue)),
        base_values_as_tensor: attr.tensor(doubles("base_values", model.base)),
      },
    })[0]!;

  if (model.task === "regression") {
    regressor("prediction");
    g.output({ name: "prediction", type: DataType.FLOAT, shape: [-1, 1] });
  } else if (binary) {
    // Raw score s [N, 1] → probabilities (σ(−s), σ(s)), label = classes[s > 0].
    const s = regressor(g.tmp(`${prefix}_score`));
    const p1 = g.node("Sigmoid", [s], { outputs: [g.tmp(`${prefix}_p1`)] })[0]!;
    const neg = g.node("Neg", [s], { outputs: [g.tmp(`${prefix}_neg`)] })[0]!;
    const p0 = g.node("Sigmoid", [neg], { outputs: [g.tmp(`${prefix}_p0`)] })[0]!;
    g.node("Concat", [p0, p1], { outputs: ["probabilities"], attrs: { axis: attr.i(1) } });
    const zero = g.floatConst([0], [], `${prefix}_zero`);
    const positive = g.node("Greater", [s, zero], { outputs: [g.tmp(`${prefix}_pos`)] })[0]!;
    const index = g.node("Cast", [positive], { outputs: [g.tmp(`${prefix}_idx`)], attrs: { to: attr.i(DataType.INT64) } })[0]!;
    const flat = g.node("Reshape", [index, g.int64Const([-1], [1], `${prefix}_shape`)], { outputs: [g.tmp(`${prefix}_flat`)] })[0]!;
    g.node("Gather", [g.stringConst(model.classes!, [2], `${prefix}_classes`), flat], { outputs: ["label"], attrs: { axis: attr.i(0) } });
    g.output({ name: "label", type: DataType.STRING, shape: [-1] });
    g.output({ name: "probabilities", type: DataType.FLOAT, shape: [-1, 2] });
  } else {
    const classes = model.classes!;
    g.node("TreeEnsembleClassifier", [x], {
      outputs: ["label", "probabilities"],
      domain: "ai.onnx.ml",
      attrs: {
        ...nodeAttrs,
        classlabels_strings: attr.strings(classes),
        post_transform: attr.s("SOFTMAX"),
        class_treeids: attr.ints(wTree),
        class_nodeids: attr.ints(wNode),
        class_ids: attr.ints(wTarget),
        class_weights_as_tensor: attr.tensor(doubles("class_weights", wValue)),
        base_values_as_tensor: attr.tensor(doubles("base_values", model.base)),
      },
    });
    g.output({ name: "label", type: DataType.STRING, shape: [-1] });
    g.output({ name: "probabilities", type: DataType.FLOAT, shape: [-1, classes.length] });
  }
  return g.serialize({
    producerVersion: GBDT_EXPORT_VERSION,
    docString: `Gradient-boosted trees (${model.objective}) predicting "${model.target}"`,
    metadata: { "conveyor.trainer": "train.gbdt", "conveyor.target": model.target },
  });
}
