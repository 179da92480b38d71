/**
 * The part every train.* activity shares: pick columns, read the dataset,
 * call the trainer, store model.onnx + manifest, record the training curves.
 */
import { columnKind, parquetRel, readFrame, withDuckDb } from "../../data/duckdb";
import { DataError, type Frame, type Task, type TrainedModel } from "../../ml/types";
import type { ModelManifest } from "../../../contract/model";
import type { ModelRef, DatasetRef, ColumnSchema } from "../../spec/refs";
import type { StepContext } from "../step-context";
import { LIBRARY_VERSIONS } from "../versions";

export function selectColumns(ctx: StepContext<unknown>, ds: DatasetRef, target: string, features?: string[]): { target: ColumnSchema; features: ColumnSchema[] } {
  const byName = new Map(ds.schema.map((c) => [c.name, c]));
  const names = ds.schema.map((c) => c.name).join(", ");
  const t = byName.get(target);
  if (!t) throw new DataError(`target column "${target}" is not in the dataset (columns: ${names})`, "config.target");
  let chosen: ColumnSchema[];
  if (features) {
    chosen = features.map((f) => {
      const c = byName.get(f);
      if (!c) throw new DataError(`feature column "${f}" is not in the dataset (columns: ${names})`, "config.features");
      if (f === target) throw new DataError(`"${f}" is the target; it cannot also be a feature`, "config.features");
      if (columnKind(c.type) === "other") throw new DataError(`feature "${f}" has type ${c.type}; use numeric or text columns (derive numbers from dates first)`, "config.features");
      return c;
    });
  } else {
    chosen = ds.schema.filter((c) => c.name !== target);
    const skipped = chosen.filter((c) => columnKind(c.type) === "other");
    for (const c of skipped) ctx.log(`column "${c.name}" (${c.type}) is not used as a feature: only numeric and text columns are`, "warn");
    chosen = chosen.filter((c) => columnKind(c.type) !== "other");
  }
  if (chosen.length === 0) throw new DataError("no usable feature columns", "config.features");
  return { target: t, features: chosen };
}

/** The first training row with no missing feature (or the first row), JSON-safe. */
function exampleRow(frame: Frame, names: string[]): Record<string, number | string | null> {
  const cols = names.map((n) => frame.columns.find((c) => c.name === n)!).filter(Boolean);
  const missing = (c: Frame["columns"][number], i: number) => (c.kind === "number" ? Number.isNaN(c.values[i]!) : c.values[i] == null);
  let row = 0;
  for (let i = 0; i < Math.min(frame.rows, 1000); i++) {
    if (cols.every((c) => !missing(c, i))) {
      row = i;
      break;
    }
  }
  return Object.fromEntries(cols.map((c) => [c.name, missing(c, row) ? null : (c.values[row] as number | string)]));
}

export async function trainModelStep(
  ctx: StepContext<{ task: Task; target: string; features?: string[] }>,
  train: (frame: Frame) => TrainedModel,
  seed: number | null,
): Promise<{ model: ModelRef }> {
  const ds = ctx.inputs.dataset;
  if (!ds || ds.kind !== "dataset") throw new Error(`step ${ctx.nodeId}: missing dataset input`);
  const { target, features } = selectColumns(ctx, ds, ctx.config.target, ctx.config.features);
  const frame = await withDuckDb((conn) => readFrame(conn, parquetRel(ctx.deps.store, ds), [...features, target]));
  if (frame.rows === 0) throw new DataError("the training dataset has no rows", "inputs.dataset");
  ctx.log(`training on ${frame.rows} rows, ${features.length} features: ${features.map((f) => f.name).join(", ")}`);
  const started = performance.now();
  const model = train(frame);
  ctx.log(`trained in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  for (const note of model.notes) ctx.log(note, "warn");
  for (const [key, values] of Object.entries(model.series)) values.forEach((v, i) => ctx.metric(key, v, i + 1));

  const { store } = ctx.deps;
  const onnx = await store.putBytes(model.onnx, "model.onnx");
  const manifest: Omit<ModelManifest, "metrics"> = {
    format: "onnx",
    task: model.task,
    target: model.target,
    nodeType: ctx.type,
    inputs: model.inputs,
    outputs: model.outputs,
    ...(model.classes ? { classes: model.classes } : {}),
    example: exampleRow(frame, model.inputs.map((i) => i.name)),
    trainingData: { uri: ds.uri, sha256: ds.sha256, rows: ds.rows },
    pipeline: { id: ctx.pipelineId, version: ctx.pipelineVersion, nodeId: ctx.nodeId },
    runId: ctx.runId,
    params: { ...ctx.config, ...model.params },
    seed,
    libraries: LIBRARY_VERSIONS,
  };
  const manifestRef = await store.putBytes(new TextEncoder().encode(JSON.stringify(manifest, null, 2)), "manifest.json");
  ctx.log(`model.onnx ${onnx.sizeBytes} bytes, sha256 ${onnx.sha256.slice(0, 12)}…`);
  return { model: { kind: "model", uri: onnx.uri, sha256: onnx.sha256, manifestUri: manifestRef.uri, manifest } };
}
