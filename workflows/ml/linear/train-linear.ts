/**
 * `train.linear`: ridge regression or multinomial logistic regression on
 * standardized numeric and one-hot string features (workflows/ml/preprocess),
 * exported as ONNX with the preprocessing inside the graph.
 */
import { compareCodeUnits, findColumn, fitPreprocessor, labelStrings, modelInputs, transform } from "../preprocess";
import { DataError, type Frame, type ModelOutput, type Task, type TrainedModel, type TrainHooks } from "../types";
import { exportLinearOnnx } from "./export-onnx";
import { predictLinear, toFloat32Values, type LinearParams } from "./linear-model";
import { fitRidge } from "./ridge";
import { fitSoftmax } from "./softmax";
import { ZLinearOptions } from "./options";

export interface TrainLinearOptions {
  task: Task;
  target: string;
  /** Default: every column but the target, in frame order. */
  features?: string[];
  /** Limits and defaults: ZLinearOptions (./options.ts). */
  l2?: number;
  /** Classification: L-BFGS iteration cap (ZLinearOptions). */
  maxIterations?: number;
}

export const MAX_CLASSES = 100;
const OUTPUT_NAMES = new Set(["prediction", "label", "probabilities"]);

/** A trained linear model; `linear` exposes the coefficients. */
export interface LinearTrainedModel extends TrainedModel {
  linear: LinearParams;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function checkOptions(frame: Frame, opts: TrainLinearOptions): { features: string[]; l2: number; maxIterations: number } {
  if (opts.task !== "regression" && opts.task !== "classification") {
    throw new DataError(`Unknown task "${String(opts.task)}": use "regression" or "classification".`, "task");
  }
  const parsed = ZLinearOptions.safeParse({ l2: opts.l2, maxIterations: opts.maxIterations });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? "");
    throw new DataError(`${issue.message} (got ${String((opts as unknown as Record<string, unknown>)[field])}).`, field);
  }
  const { l2, maxIterations } = parsed.data;
  if (frame.rows === 0) throw new DataError("The training dataset has no rows.");
  for (const col of frame.columns) {
    if (col.values.length !== frame.rows) {
      throw new DataError(`Column "${col.name}" has ${col.values.length} values but the dataset has ${frame.rows} rows.`);
    }
  }
  if (!findColumn(frame, opts.target)) throw new DataError(`Target column "${opts.target}" is not in the dataset.`, "target");
  const features = opts.features ?? frame.columns.map((c) => c.name).filter((n) => n !== opts.target);
  const seen = new Set<string>();
  for (const name of features) {
    if (!findColumn(frame, name)) throw new DataError(`Feature column "${name}" is not in the dataset.`, "features");
    if (name === opts.target) throw new DataError(`The target "${name}" cannot also be a feature.`, "features");
    if (seen.has(name)) throw new DataError(`Feature column "${name}" is listed twice.`, "features");
    if (OUTPUT_NAMES.has(name)) {
      throw new DataError(`Feature column "${name}" has the name of a model output; rename the column or leave it out of the features.`, "features");
    }
    seen.add(name);
  }
  if (features.length === 0) {
    throw new DataError(opts.features ? "The features list is empty." : "No feature columns: the dataset has only the target.", "features");
  }
  return { features, l2, maxIterations };
}

function regressionTarget(frame: Frame, target: string): Float64Array {
  const col = findColumn(frame, target)!;
  if (col.kind !== "number") {
    throw new DataError(`Regression needs a numeric target; column "${target}" has text values. Use task "classification" or pick a numeric column.`, "target");
  }
  let missing = 0;
  let infinite = 0;
  for (let i = 0; i < col.values.length; i++) {
    const v = col.values[i]!;
    if (Number.isNaN(v)) missing++;
    else if (!Number.isFinite(v)) infinite++;
  }
  if (missing > 0) {
    throw new DataError(
      `Target column "${target}" has ${plural(missing, "missing value")} (of ${frame.rows} rows); remove or impute those rows before training.`,
      "target",
    );
  }
  if (infinite > 0) throw new DataError(`Target column "${target}" has ${plural(infinite, "infinite value")}.`, "target");
  return col.values;
}

function classificationTarget(frame: Frame, target: string): { y: Int32Array; classes: string[] } {
  const labels = labelStrings(findColumn(frame, target)!);
  let missing = 0;
  const distinct = new Set<string>();
  for (const l of labels) {
    if (l === null) missing++;
    else distinct.add(l);
  }
  if (missing > 0) {
    throw new DataError(
      `Target column "${target}" has ${plural(missing, "missing value")} (of ${frame.rows} rows); remove or impute those rows before training.`,
      "target",
    );
  }
  const classes = [...distinct].sort(compareCodeUnits);
  if (classes.length < 2) {
    throw new DataError(`Target column "${target}" has only one class ("${classes[0] ?? ""}"); classification needs at least two.`, "target");
  }
  if (classes.length > MAX_CLASSES) {
    throw new DataError(
      `Target column "${target}" has ${classes.length} distinct values; classification supports at most ${MAX_CLASSES} classes. For a continuous target use task "regression".`,
      "target",
    );
  }
  const index = new Map(classes.map((c, i) => [c, i] as const));
  const y = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) y[i] = index.get(labels[i]!)!;
  return { y, classes };
}

export function trainLinear(frame: Frame, opts: TrainLinearOptions, hooks: TrainHooks = {}): LinearTrainedModel {
  const onProgress = hooks.onProgress ?? (() => {});
  onProgress({ phase: "preparing" });
  const { features, l2, maxIterations } = checkOptions(frame, opts);
  const { task, target } = opts;
  const yReg = task === "regression" ? regressionTarget(frame, target) : undefined;
  const yCls = task === "classification" ? classificationTarget(frame, target) : undefined;

  const pre = fitPreprocessor(frame, features);
  if (pre.designColumns.length === 0) {
    throw new DataError(
      `No usable feature columns: ${features.map((f) => `"${f}"`).join(", ")} ${features.length === 1 ? "is" : "are"} constant or empty.`,
      "features",
    );
  }
  const x = transform(pre, frame);
  const notes = [...pre.notes];
  const series: Record<string, number[]> = {};
  const params: TrainedModel["params"] = { l2, featureColumns: features.length, designWidth: pre.designColumns.length };
  let linear: LinearParams;
  const outputs: ModelOutput[] = [];

  if (yReg) {
    onProgress({ phase: "training" });
    const fit = fitRidge(x, yReg, l2);
    if (fit.jitter > 0) {
      notes.push(
        `The features are collinear (for example a one-hot column set that always has a value duplicates the intercept), so a tiny l2 of ${fit.jitter.toExponential(2)} was added to solve the normal equations. Use l2 > 0 to avoid this.`,
      );
    }
    params.intercept = fit.intercept;
    linear = { task, target, pre, weights: toFloat32Values(fit.weights), intercepts: toFloat32Values(Float64Array.of(fit.intercept)) };
    outputs.push({ name: "prediction", datatype: "FP32", shape: [-1, 1] });
  } else {
    const { y, classes } = yCls!;
    onProgress({ phase: "training", iteration: 0, total: maxIterations, unit: "iteration" });
    const fit = fitSoftmax(x, y, classes.length, l2, {
      maxIterations,
      onIteration: (iteration) => onProgress({ phase: "training", iteration, total: maxIterations, unit: "iteration" }),
    });
    series.loss = fit.loss;
    series.objective = fit.objective;
    params.iterations = fit.iterations;
    params.converged = fit.converged;
    params.gradientNorm = fit.gradientNorm;
    params.finalLoss = fit.loss[fit.loss.length - 1] ?? NaN;
    params.classes = classes;
    if (!fit.converged) {
      notes.push(
        `The optimizer stopped after ${plural(fit.iterations, "iteration")} before fully converging (largest gradient ${fit.gradientNorm.toExponential(2)}). With l2 = ${l2} the classes may be separable; a larger l2 helps.`,
      );
    }
    linear = { task, target, pre, weights: toFloat32Values(fit.weights), intercepts: toFloat32Values(fit.intercepts), classes };
    outputs.push({ name: "label", datatype: "BYTES", shape: [-1] }, { name: "probabilities", datatype: "FP32", shape: [-1, classes.length] });
  }

  onProgress({ phase: "exporting" });
  return {
    task,
    target,
    onnx: exportLinearOnnx(linear),
    inputs: modelInputs(pre),
    outputs,
    ...(linear.classes ? { classes: linear.classes } : {}),
    params,
    series,
    notes,
    predict: (f: Frame) => predictLinear(linear, f),
    linear,
  };
}
