/**
 * ONNX export of a linear model with its preprocessing inside the graph
 * (docs/spec.md "Model I/O"): raw feature columns in; `prediction` [N, 1]
 * for regression, `label` [N] + `probabilities` [N, K] (softmax, no ZipMap)
 * for classification.
 */
import { DataType, GraphBuilder, attr } from "../onnx/builder";
import { emitPreprocessing, internalPrefix } from "../preprocess";
import type { LinearParams } from "./linear-model";

export const PRODUCER_VERSION = "train.linear@1";

export function exportLinearOnnx(model: LinearParams): Uint8Array {
  const { pre } = model;
  const d = pre.designColumns.length;
  const k = model.intercepts.length;
  const g = new GraphBuilder(model.task === "regression" ? "ridge" : "logistic");
  const prefix = internalPrefix(pre.features.map((f) => f.name));
  const x = emitPreprocessing(g, pre, prefix);
  // weights are K×D row-major; MatMul wants [D, K].
  const wt = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) wt[j * k + c] = model.weights[c * d + j]!;
  const w = g.floatConst(wt, [d, k], `${prefix}_weights`);
  const b = g.floatConst(model.intercepts, [k], `${prefix}_intercepts`);
  const [xw] = g.node("MatMul", [x, w], { outputs: [g.tmp(`${prefix}_xw`)] });
  if (model.task === "regression") {
    g.node("Add", [xw!, b], { outputs: ["prediction"] });
    g.output({ name: "prediction", type: DataType.FLOAT, shape: [-1, 1] });
  } else {
    const classes = model.classes ?? [];
    const [logits] = g.node("Add", [xw!, b], { outputs: [g.tmp(`${prefix}_logits`)] });
    g.node("Softmax", [logits!], { outputs: ["probabilities"], attrs: { axis: attr.i(1) } });
    const [best] = g.node("ArgMax", [logits!], { outputs: [g.tmp(`${prefix}_argmax`)], attrs: { axis: attr.i(1), keepdims: attr.i(0) } });
    const names = g.stringConst(classes, [k], `${prefix}_classes`);
    g.node("Gather", [names, best!], { outputs: ["label"], attrs: { axis: attr.i(0) } });
    g.output({ name: "label", type: DataType.STRING, shape: [-1] });
    g.output({ name: "probabilities", type: DataType.FLOAT, shape: [-1, k] });
  }
  const metadata: Record<string, string> = { "conveyor.task": model.task, "conveyor.target": model.target };
  if (model.classes) metadata["conveyor.classes"] = JSON.stringify(model.classes);
  return g.serialize({
    producerVersion: PRODUCER_VERSION,
    docString:
      model.task === "regression"
        ? "Ridge regression on standardized / one-hot features"
        : "Multinomial logistic regression on standardized / one-hot features",
    metadata,
  });
}
