/**
 * Scoring a model's ONNX file on a dataset and computing its metrics: what
 * every version of evaluate does, for the model it is given (and evaluate@2
 * for the registry's champion too).
 */
import { inputOf, type StepContext } from "../step-context";
import { parquetRel, readFrame, withDuckDb } from "../../data/duckdb";
import { loadSession, scoreFrame } from "../../ml/onnx/score";
import { classificationMetrics, regressionMetrics } from "../../ml/metrics";
import { DataError } from "../../ml/types";
import type { ColumnSchema, DatasetRef, MetricsRef } from "../../spec/refs";
import type { ModelManifest } from "../../../contract/model";

type Manifest = Omit<ModelManifest, "metrics">;

/** Metrics of the model (`manifest`, its ONNX bytes from `load`) on `ds`; rows without a target are left out, with a warning. */
export async function scoreModel(
  ctx: StepContext<unknown>,
  ds: DatasetRef,
  manifest: Manifest,
  load: () => Promise<Uint8Array>,
): Promise<{ values: Record<string, number>; rows: number }> {
  const byName = new Map(ds.schema.map((c) => [c.name, c]));
  const missing = [...manifest.inputs.map((i) => i.name), manifest.target].filter((n) => !byName.has(n));
  if (missing.length) throw new DataError(`the evaluation dataset lacks column(s) ${missing.map((m) => `"${m}"`).join(", ")}`, "inputs.dataset");
  const columns: ColumnSchema[] = [...manifest.inputs.map((i) => byName.get(i.name)!), byName.get(manifest.target)!];
  ctx.progress({ phase: "reading the evaluation data" });
  const frame = await withDuckDb(async (conn) => readFrame(conn, await parquetRel(ctx.deps.store, ds), columns));
  if (frame.rows === 0) throw new DataError("the evaluation dataset has no rows", "inputs.dataset");
  ctx.progress({ phase: `scoring ${frame.rows} rows with the model` });
  const session = await loadSession(await load());
  try {
    const prediction = await scoreFrame(session, frame, manifest);
    ctx.progress({ phase: "computing the metrics" });
    const y = frame.columns[frame.columns.length - 1]!;
    if (prediction.task === "regression") {
      if (y.kind !== "number") throw new DataError(`target "${manifest.target}" must be numeric for regression`, "inputs.dataset");
      const keep = y.values.map((v) => (Number.isNaN(v) ? 0 : 1));
      const dropped = keep.length - keep.reduce((a, b) => a + b, 0);
      if (dropped) ctx.log(`${dropped} row(s) without a target value are not scored`, "warn");
      const yTrue = y.values.filter((v) => !Number.isNaN(v));
      const yPred = prediction.prediction.filter((_, i) => keep[i] === 1);
      return { values: { ...regressionMetrics(yTrue, yPred) }, rows: frame.rows };
    }
    const truth = y.kind === "number" ? Array.from(y.values, (v) => (Number.isNaN(v) ? null : String(v))) : y.values;
    const idx = truth.flatMap((t, i) => (t === null ? [] : [i]));
    if (idx.length < truth.length) ctx.log(`${truth.length - idx.length} row(s) without a target value are not scored`, "warn");
    const values = classificationMetrics(
      idx.map((i) => truth[i]!),
      manifest.classes ?? [],
      prediction.probabilities.map((p) => Float64Array.from(idx, (i) => p[i]!)),
    );
    return { values: { ...values }, rows: frame.rows };
  } finally {
    await session.release();
  }
}

export const formatMetrics = (values: Record<string, number>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}=${v.toPrecision(4)}`)
    .join(", ");

/** The step's own model on its dataset: metrics recorded and logged, as evaluate@1 always did. */
export async function evaluateInput(ctx: StepContext<unknown>): Promise<{ metrics: MetricsRef; dataset: DatasetRef }> {
  const model = inputOf(ctx, "model", "model");
  const ds = inputOf(ctx, "dataset", "dataset");
  const { values, rows } = await scoreModel(ctx, ds, model.manifest, () => ctx.deps.store.read(model.uri));
  for (const [k, v] of Object.entries(values)) ctx.metric(k, v);
  ctx.log(`metrics on ${rows} rows: ${formatMetrics(values)}`);
  return { metrics: { kind: "metrics", task: model.manifest.task, values, rows, modelSha256: model.sha256 }, dataset: ds };
}
