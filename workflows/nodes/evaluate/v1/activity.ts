import type { z } from "zod";
import definition from "./definition";
import { defineActivity, inputOf } from "../../step-context";
import { parquetRel, readFrame, withDuckDb } from "../../../data/duckdb";
import { loadSession, scoreFrame } from "../../../ml/onnx/score";
import { classificationMetrics, regressionMetrics } from "../../../ml/metrics";
import { DataError } from "../../../ml/types";
import type { ColumnSchema } from "../../../spec/refs";

export default defineActivity<z.infer<typeof definition.config>>(definition, async (ctx) => {
  const model = inputOf(ctx, "model", "model");
  const ds = inputOf(ctx, "dataset", "dataset");
  const { manifest } = model;
  const byName = new Map(ds.schema.map((c) => [c.name, c]));
  const missing = [...manifest.inputs.map((i) => i.name), manifest.target].filter((n) => !byName.has(n));
  if (missing.length) throw new DataError(`the evaluation dataset lacks column(s) ${missing.map((m) => `"${m}"`).join(", ")}`, "inputs.dataset");
  const columns: ColumnSchema[] = [...manifest.inputs.map((i) => byName.get(i.name)!), byName.get(manifest.target)!];
  const frame = await withDuckDb((conn) => readFrame(conn, parquetRel(ctx.deps.store, ds), columns));
  if (frame.rows === 0) throw new DataError("the evaluation dataset has no rows", "inputs.dataset");
  const session = await loadSession(await ctx.deps.store.read(model.uri));
  try {
    const prediction = await scoreFrame(session, frame, manifest);
    const y = frame.columns[frame.columns.length - 1]!;
    let values: Record<string, number>;
    if (prediction.task === "regression") {
      if (y.kind !== "number") throw new DataError(`target "${manifest.target}" must be numeric for regression`, "inputs.dataset");
      const keep = y.values.map((v) => (Number.isNaN(v) ? 0 : 1));
      const dropped = keep.length - keep.reduce((a, b) => a + b, 0);
      if (dropped) ctx.log(`${dropped} row(s) without a target value are not scored`, "warn");
      const yTrue = y.values.filter((v) => !Number.isNaN(v));
      const yPred = prediction.prediction.filter((_, i) => keep[i] === 1);
      values = { ...regressionMetrics(yTrue, yPred) };
    } else {
      const truth = y.kind === "number" ? Array.from(y.values, (v) => (Number.isNaN(v) ? null : String(v))) : y.values;
      const idx = truth.flatMap((t, i) => (t === null ? [] : [i]));
      if (idx.length < truth.length) ctx.log(`${truth.length - idx.length} row(s) without a target value are not scored`, "warn");
      values = { ...classificationMetrics(
        idx.map((i) => truth[i]!),
        manifest.classes ?? [],
        prediction.probabilities.map((p) => Float64Array.from(idx, (i) => p[i]!)),
      ) };
    }
    for (const [k, v] of Object.entries(values)) ctx.metric(k, v);
    ctx.log(`metrics on ${frame.rows} rows: ${Object.entries(values).map(([k, v]) => `${k}=${v.toPrecision(4)}`).join(", ")}`);
    return { metrics: { kind: "metrics", task: manifest.task, values, rows: frame.rows, modelSha256: model.sha256 } };
  } finally {
    await session.release();
  }
});
