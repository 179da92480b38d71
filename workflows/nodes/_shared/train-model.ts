/**
 * The part every train.* activity shares: pick columns, read the dataset,
 * train in a training thread (the worker's event loop stays free: heartbeats,
 * other steps, cancellation), store model.onnx, its reference profile
 * (profile.json, for drift monitoring) and the manifest, record the training
 * curves and feature importance. Progress (tree 140 / 500, the time left) is
 * the step's progress; a cancelled step terminates the thread at once.
 */
import { columnKind, parquetRel, readFrame, withDuckDb } from "../../data/duckdb";
import { DataError, type Frame, type Task } from "../../ml/types";
import { trainInThread } from "../../ml/train-in-thread";
import type { ReportedProgress, TrainJob } from "../../ml/train-job";
import type { ModelManifest } from "../../../contract/model";
import type { ModelRef, DatasetRef, ColumnSchema } from "../../spec/refs";
import type { StepContext } from "../step-context";
import { LIBRARY_VERSIONS } from "../versions";

export function selectColumns(
  ctx: StepContext<unknown>,
  ds: DatasetRef,
  target: string,
  features?: string[],
): { target: ColumnSchema; features: ColumnSchema[] } {
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
      if (columnKind(c.type) === "other")
        throw new DataError(`feature "${f}" has type ${c.type}; use numeric or text columns (derive numbers from dates first)`, "config.features");
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

/** The first `n` rows (copies): what is left of the frame here once its columns moved to the training thread. */
function head(frame: Frame, n: number): Frame {
  const rows = Math.min(frame.rows, n);
  return {
    rows,
    columns: frame.columns.map((c) => (c.kind === "number" ? { ...c, values: c.values.slice(0, rows) } : { ...c, values: c.values.slice(0, rows) })),
  };
}

const PHASES: Record<ReportedProgress["phase"], string> = { preparing: "preparing the data", training: "training", exporting: "exporting the model to ONNX" };

/** `job`: the trainer and its options (the frame it gets holds the selected feature columns and the target). */
export async function trainModelStep(
  ctx: StepContext<{ task: Task; target: string; features?: string[] }>,
  job: TrainJob,
  seed: number | null,
): Promise<{ model: ModelRef }> {
  const ds = ctx.inputs.dataset;
  if (!ds || ds.kind !== "dataset") throw new Error(`step ${ctx.nodeId}: missing dataset input`);
  const { target, features } = selectColumns(ctx, ds, ctx.config.target, ctx.config.features);
  ctx.progress({ phase: "reading the training data" });
  const frame = await withDuckDb(async (conn) => readFrame(conn, await parquetRel(ctx.deps.store, ds), [...features, target]));
  if (frame.rows === 0) throw new DataError("the training dataset has no rows", "inputs.dataset");
  ctx.log(`training on ${frame.rows} rows, ${features.length} features: ${features.map((f) => f.name).join(", ")}`);
  const examples = head(frame, 1000);
  const started = performance.now();
  const model = await trainInThread(frame, job, {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ ...p, phase: PHASES[p.phase] }),
  });
  ctx.log(`trained in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  for (const note of model.notes) ctx.log(note, "warn");
  for (const [key, values] of Object.entries(model.series)) values.forEach((v, i) => ctx.metric(key, v, i + 1));
  // Gain-based importance (GBDT) as metrics, one per feature, drawn as bars in the run view.
  for (const f of model.featureImportance ?? []) ctx.metric(`importance.${f.name}`, f.gain);

  ctx.progress({ phase: "storing the model" });
  const { store } = ctx.deps;
  const onnx = await store.putBytes(model.onnx, "model.onnx");
  // The reference profile the monitor compares live traffic with (workflows/monitoring/profile-store.ts reads it).
  const profile = await store.putBytes(new TextEncoder().encode(JSON.stringify(model.profile)), "profile.json");
  const manifest: Omit<ModelManifest, "metrics"> = {
    format: "onnx",
    task: model.task,
    target: model.target,
    nodeType: ctx.type,
    inputs: model.inputs,
    outputs: model.outputs,
    ...(model.classes ? { classes: model.classes } : {}),
    example: exampleRow(
      examples,
      model.inputs.map((i) => i.name),
    ),
    trainingData: { uri: ds.uri, sha256: ds.sha256, rows: ds.rows },
    profile: { uri: profile.uri, sha256: profile.sha256 },
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
