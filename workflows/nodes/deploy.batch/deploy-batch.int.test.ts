/**
 * deploy.batch against real PostgreSQL + Temporal + a worker + serving:
 * ingest → split → train.gbdt → (evaluate → gate → deploy.endpoint) and
 * deploy.batch on the test split scores exactly what serving and evaluate
 * score with the same model; its predictions go into a PostgreSQL table and
 * become a named dataset whose new version starts a subscribed pipeline; a
 * registry reference (model:<name>@champion) scores with the deployed
 * version; bad input fails naming what is wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sixStepSpec, startHarness, type Harness } from "../../../testing/temporal-harness";
import { savePipeline } from "../../../server/services/pipelines/save-pipeline";
import { startRun } from "../../../server/services/runs/start-run";
import { listDatasets, uploadDataset } from "../../../server/services/datasets/upload-dataset";
import { lit, withDuckDb } from "../../data/duckdb";
import { countRunRows } from "../../../db/queries/predictions";
import type { DatasetRef, MetricsRef, ModelRef } from "../../spec/refs";
import { NODE_ACTIVITIES } from "../activities.generated";
import type { NodeActivity } from "../step-context";
import type { BatchCheckpoint } from "./batch";

const uid = Math.random().toString(36).slice(2, 8);
const model = `batch-${uid}`;
const FEATURES = ["hour", "day_of_week", "distance", "origin", "destination"];

/**
 * deploy.batch as the worker runs it, except that the first attempt writing
 * to `crashTable` dies right after its second chunk of rows is committed to
 * the table, before its checkpoint says so (a worker lost at the worst time).
 */
const crashTable = `batch_${uid}.crash_scores`;
let crashed = false;
const batchActivity: NodeActivity = (ctx) => {
  const real = NODE_ACTIVITIES["deploy.batch@1"]!;
  if (crashed || (ctx.config as { table?: string }).table !== crashTable) return real(ctx);
  crashed = true;
  let tableSaves = 0;
  return real({
    ...ctx,
    saveCheckpoint: async (cp) => {
      if ((cp as BatchCheckpoint).tableRows !== undefined && ++tableSaves === 2) throw new Error("the worker was lost");
      await ctx.saveCheckpoint(cp);
    },
  });
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ nodeActivities: { "deploy.batch@1": batchActivity } });
});
afterAll(async () => {
  await h?.db.$client.unsafe(`drop schema if exists batch_${uid} cascade`);
  await h?.stop();
});

/** The six-step flights pipeline plus deploy.batch scoring the test split with the trained model. */
function trainingSpec(batch: Record<string, unknown>) {
  const s = sixStepSpec({
    name: model,
    source: "sample:flights-20k",
    split: { strategy: "time", timeColumn: "departure", testFraction: 0.2 },
    train: { type: "train.gbdt", config: { task: "regression", target: "delay", features: FEATURES, nTrees: 30, maxDepth: 4 } },
    conditions: [{ metric: "mae", op: "<", value: 1000 }],
    model,
  });
  s.nodes.push({ id: "batch", type: "deploy.batch", config: batch });
  s.edges.push(
    { id: "h", source: "train", sourcePort: "model", target: "batch", targetPort: "model" },
    { id: "i", source: "split", sourcePort: "test", target: "batch", targetPort: "dataset" },
  );
  return s;
}

/** ingest → deploy.batch with a registry reference. */
function registrySpec(name: string, source: string, ref: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "conveyor/v1",
    name,
    nodes: [
      { id: "ingest", type: "ingest.csv", config: { source } },
      { id: "batch", type: "deploy.batch", config: { model: ref, ...extra } },
    ],
    edges: [{ id: "a", source: "ingest", sourcePort: "dataset", target: "batch", targetPort: "dataset" }],
  };
}

async function run(spec: object) {
  const { id } = await savePipeline(h.ctx, { spec });
  const { runId } = await startRun(h.ctx, { pipelineId: id });
  return { pipelineId: id, run: await h.waitForRun(runId) };
}

async function rowsOf(ds: DatasetRef, columns: string[], limit?: number): Promise<Record<string, unknown>[]> {
  const file = await h.store.localFile(ds.uri);
  return withDuckDb(async (conn) => {
    const r = await conn.runAndReadAll(`SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM read_parquet(${lit(file)})${limit ? ` LIMIT ${limit}` : ""}`);
    return r.getRowObjectsJS();
  });
}

async function served(rows: Record<string, unknown>[]): Promise<number[]> {
  const res = await fetch(`${h.servingUrl}/v1/predict/${model}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ instances: rows.map((r) => Object.fromEntries(FEATURES.map((f) => [f, r[f] ?? null]))) }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { predictions: { prediction: number }[] }).predictions.map((p) => p.prediction);
}

let scored: DatasetRef;
const datasetName = `scored-${uid}`;
const table = `batch_${uid}.flight_scores`;

describe("deploy.batch", () => {
  it("scores the test split in chunks exactly like serving and evaluate, writes the table and registers the dataset", async () => {
    const { run: r } = await run(trainingSpec({ chunkRows: 1000, table, datasetName }));
    expect(r.error).toBeNull();
    expect(r.status).toBe("succeeded");
    const step = r.steps.find((s) => s.nodeId === "batch")!;
    const test = (r.steps.find((s) => s.nodeId === "split")!.outputs as { test: DatasetRef }).test;
    scored = (step.outputs as { predictions: DatasetRef }).predictions;
    expect(scored.rows).toBe(test.rows);
    expect(scored.schema).toEqual([...test.schema, { name: "prediction", type: "DOUBLE" }]);
    const modelSha = (r.steps.find((s) => s.nodeId === "train")!.outputs as { model: ModelRef }).model.sha256;
    expect(scored.scoredWith).toMatchObject({ modelSha256: modelSha, task: "regression" });
    expect(scored.origin).toMatchObject({ dataset: datasetName, version: 1 });
    const logs = step.logs.map((l) => l.message);
    expect(logs).toContain(`scoring ${test.rows} rows in ${Math.ceil(test.rows / 1000)} chunks of up to 1000 rows`);

    // The input columns are carried over unchanged, row for row.
    const input = await rowsOf(test, ["departure", "distance", "origin"]);
    const output = await rowsOf(scored, ["departure", "distance", "origin", "prediction", "delay", ...FEATURES]);
    expect(output.map((o) => [o.departure, o.distance, o.origin])).toEqual(input.map((i) => [i.departure, i.distance, i.origin]));

    // Serving the deployed version (the same model bytes) gives the same numbers.
    const sample = [0, 1, 999, 1000, 1001, test.rows - 1].map((i) => output[i]!);
    expect(await served(sample)).toEqual(sample.map((o) => o.prediction));

    // evaluate scored the same rows with the same model: the MAE of the predictions is its MAE.
    const metrics = (r.steps.find((s) => s.nodeId === "evaluate")!.outputs as { metrics: MetricsRef }).metrics;
    const withTarget = output.filter((o) => o.delay !== null);
    const mae = withTarget.reduce((a, o) => a + Math.abs((o.delay as number) - (o.prediction as number)), 0) / withTarget.length;
    expect(mae).toBeCloseTo(metrics.values.mae!, 9);

    // The table holds this run's rows, numbered from 1, with the same predictions.
    expect(await countRunRows(h.db, { schema: `batch_${uid}`, name: "flight_scores" }, r.id)).toBe(test.rows);
    const fromTable = await h.db.$client.unsafe<{ row_number: string; prediction: number; origin: string }[]>(
      `select row_number, prediction, origin from ${table} where run_id = $1 and row_number in (1, 1001, ${test.rows}) order by row_number`,
      [r.id],
    );
    expect(fromTable.map((t) => [Number(t.row_number), t.prediction, t.origin])).toEqual(
      [0, 1000, test.rows - 1].map((i) => [i + 1, output[i]!.prediction, output[i]!.origin]),
    );
    const types = await h.db.$client<{ column_name: string; data_type: string }[]>`
      select column_name, data_type from information_schema.columns where table_schema = ${`batch_${uid}`} and table_name = 'flight_scores' order by ordinal_position`;
    expect(types.map((t) => `${t.column_name} ${t.data_type}`)).toEqual([
      "run_id uuid",
      "row_number bigint",
      "departure timestamp without time zone",
      "hour double precision",
      "day_of_week double precision",
      "distance double precision",
      "origin text",
      "destination text",
      "delay double precision",
      "prediction double precision",
    ]);

    // The dataset is listed like an upload.
    const listed = (await listDatasets(h.ctx)).find((d) => d.name === datasetName)!;
    expect(listed).toMatchObject({ version: 1, rows: test.rows, columns: scored.schema });
  });

  it("a new version of the scored dataset starts a pipeline subscribed to it; a second run replaces nothing of the first's table rows", async () => {
    const { id: subscriber } = await savePipeline(h.ctx, {
      spec: {
        apiVersion: "conveyor/v1",
        name: `on-scores-${uid}`,
        nodes: [{ id: "ingest", type: "ingest.csv", config: { source: `dataset:${datasetName}` } }],
        triggers: [{ type: "dataset", dataset: datasetName }],
      },
    });
    const { run: r } = await run(trainingSpec({ chunkRows: 1000, table, datasetName }));
    expect(r.status).toBe("succeeded");
    const step = r.steps.find((s) => s.nodeId === "batch")!;
    expect((step.outputs as { predictions: DatasetRef }).predictions).toMatchObject({ sha256: scored.sha256, origin: { dataset: datasetName, version: 2 } });
    const started = step.logs.map((l) => l.message).find((m) => m.startsWith("dataset trigger: started run "))!;
    expect(started).toContain(`of pipeline ${subscriber}`);
    const triggered = await h.waitForRun(/run (\S+) of/.exec(started)![1]!);
    expect(triggered.status).toBe("succeeded");
    expect(triggered.trigger).toMatchObject({ type: "dataset", detail: { dataset: datasetName, version: 2 } });
    const read = (triggered.steps[0]!.outputs as { dataset: DatasetRef }).dataset;
    expect(read).toMatchObject({ sha256: scored.sha256, origin: { dataset: datasetName, version: 2 } });
    // Each run has its own rows.
    const counts = await h.db.$client.unsafe<{ n: string }[]>(`select count(*) as n from ${table} group by run_id`);
    expect(counts.map((c) => Number(c.n))).toEqual([scored.rows, scored.rows]);
  });

  it("a registry reference scores with the version its alias names, and says which", async () => {
    const { run: r } = await run(registrySpec(`by-ref-${uid}`, "sample:flights-20k", `model:${model}@champion`, { chunkRows: 5000 }));
    expect(r.error).toBeNull();
    const step = r.steps.find((s) => s.nodeId === "batch")!;
    const out = (step.outputs as { predictions: DatasetRef }).predictions;
    expect(out.rows).toBe(20_000);
    expect(out.scoredWith).toMatchObject({
      modelSha256: scored.scoredWith!.modelSha256,
      registry: { ref: `model:${model}@champion`, name: model, version: 1 },
    });
    expect(step.logs.map((l) => l.message)).toContainEqual(expect.stringMatching(new RegExp(`^scoring with ${model} version 1 \\(model:${model}@champion\\)`)));
    const sample = (await rowsOf(out, [...FEATURES, "prediction"])).filter((_, i) => i % 4999 === 0);
    expect(await served(sample)).toEqual(sample.map((o) => o.prediction));
    // By version number too: the same predictions.
    const { run: byVersion } = await run(registrySpec(`by-version-${uid}`, "sample:flights-20k", `model:${model}@1`, { chunkRows: 5000 }));
    expect((byVersion.steps[1]!.outputs as { predictions: DatasetRef }).predictions.sha256).toBe(out.sha256);
  });

  it("refuses bad input naming what is wrong: an unknown model, alias or version, missing or mistyped columns, Conveyor's own table", async () => {
    await uploadDataset(
      h.ctx,
      { name: `text-distance-${uid}`, csv: new TextEncoder().encode("hour,day_of_week,distance,origin,destination\n7,1,far,LAX,SFO\n") },
      h.store,
    );
    const cases: [object, string][] = [
      [
        registrySpec(`bad-1-${uid}`, "sample:flights-20k", `model:nope-${uid}@champion`),
        `model: there is no registry model "nope-${uid}" in this team (model:nope-${uid}@champion)`,
      ],
      [
        registrySpec(`bad-2-${uid}`, "sample:flights-20k", `model:${model}@staging`),
        `model: ${model} has no alias "staging" (its aliases: champion → v1; versions 1)`,
      ],
      [registrySpec(`bad-3-${uid}`, "sample:flights-20k", `model:${model}@7`), `model: ${model} has no version 7 (versions: 1)`],
      [
        registrySpec(`bad-4-${uid}`, "sample:penguins", `model:${model}@champion`),
        `the dataset lacks the columns "hour", "day_of_week", "distance", "origin", "destination" that ${model} v1 needs (the dataset has species, island, beak_length_mm, beak_depth_mm, flipper_length_mm, body_mass_g, sex)`,
      ],
      [
        registrySpec(`bad-5-${uid}`, `dataset:text-distance-${uid}`, `model:${model}@champion`),
        `wrong column type: "distance" is VARCHAR but ${model} v1 needs a number`,
      ],
      [
        registrySpec(`bad-6-${uid}`, "sample:flights-20k", `model:${model}@champion`, { table: "runs" }),
        `table: "runs" is one of Conveyor's own tables; choose another table`,
      ],
    ];
    const runs = await Promise.all(cases.map(([spec]) => run(spec)));
    runs.forEach(({ run: r }, i) => {
      expect(r.status, JSON.stringify(cases[i]![0])).toBe("failed");
      const step = r.steps.find((s) => s.nodeId === "batch")!;
      expect(step.error).toBe(cases[i]![1]);
      expect(step.attempt).toBe(1); // bad input is never retried
    });
  });

  it("a retry replaces the rows an attempt wrote to the table past its checkpoint: each row once", async () => {
    const { run: r } = await run(registrySpec(`crash-${uid}`, "sample:flights-20k", `model:${model}@champion`, { chunkRows: 5000, table: crashTable }));
    expect(r.error).toBeNull();
    const step = r.steps.find((s) => s.nodeId === "batch")!;
    expect(crashed).toBe(true);
    expect(step.attempt).toBe(2);
    const logs = step.logs.map((l) => l.message);
    expect(logs).toContain("attempt 1 failed: the worker was lost; retrying");
    expect(logs).toContain("resuming: all 4 chunks (20000 rows) were scored by an earlier attempt");
    expect(logs).toContain(`removed 5000 row(s) an earlier attempt wrote to ${crashTable} past row 5000`);
    expect(logs).toContain("resuming the table after row 5000, which an earlier attempt wrote");
    const rows = await h.db.$client.unsafe<{ n: string; first: string; last: string }[]>(
      `select count(*) as n, min(row_number) as first, max(row_number) as last from ${crashTable} where run_id = $1`,
      [r.id],
    );
    expect(rows[0]).toEqual({ n: "20000", first: "1", last: "20000" });
  });
});
