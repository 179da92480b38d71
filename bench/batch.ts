/**
 * Batch scoring benchmark: deploy.batch on the first 1,000,000 rows of
 * vega-datasets flights-3m (hour, day of week, distance, origin, destination,
 * delay) with a 200-tree GBDT (depth 6, trained by train.gbdt on the next
 * 100,000 rows), through the real pipeline — private PostgreSQL and Temporal
 * dev server, the real worker in this process — against Python onnxruntime
 * scoring the same ONNX file on the same Parquet file in one process
 * (bench/batch-onnxruntime.py: pyarrow batches → one session → Parquet out,
 * one onnxruntime thread like ours), in the anchors' venv (bench/anchors.ts).
 *
 * Ours is timed as the deploy.batch step (started → finished: resolving,
 * scoring in the thread, keeping every part and checkpoint, assembling and
 * storing the output dataset); Python from reading to the written file. Both
 * run BATCH_BENCH_RUNS times (default 3) in alternation; the tables report
 * medians and the ratio is the median of the per-pair ratios. The worker's
 * event-loop delay is measured while our step runs, and both outputs'
 * predictions are compared.
 *
 * Env: BATCH_BENCH_ROWS (default 1000000), BATCH_BENCH_RUNS (3),
 * BATCH_BENCH_CHUNK (50000), BATCH_BENCH_PYTHON (a Python with onnxruntime
 * and pyarrow instead of the anchors' venv).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createDb } from "../db/client";
import { seedLocal } from "../db/seed";
import { insertDatasetVersion } from "../db/queries/datasets";
import { ArtifactStore } from "../infra/artifacts";
import { silentLogger } from "../infra/log";
import { lit, withDuckDb, writeDataset } from "../workflows/data/duckdb";
import { packageDir } from "../workflows/nodes/ingest.csv/sources";
import { createWorker } from "../workflows/temporal/worker";
import { createServingServer } from "../server/serving/server";
import { savePipeline } from "../server/services/pipelines/save-pipeline";
import { startRun } from "../server/services/runs/start-run";
import { getRun } from "../server/services/runs/get-run";
import type { DatasetRef, ModelRef } from "../workflows/spec/refs";
import { anchorPython } from "./anchors";
import { installQuietRuntime, startBenchServices } from "./services";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROWS = Number(process.env.BATCH_BENCH_ROWS ?? 1_000_000);
const RUNS = Math.max(1, Number(process.env.BATCH_BENCH_RUNS ?? 3));
const CHUNK = Number(process.env.BATCH_BENCH_CHUNK ?? 50_000);
const TRAIN_ROWS = 100_000;
const FEATURES = ["hour", "day_of_week", "distance", "origin", "destination"];

interface Ours {
  stepSeconds: number;
  scoringSeconds: number;
  rowsPerSecond: number;
  eventLoopDelayMs: { p99: number; max: number };
}

interface Python {
  version: string;
  rows: number;
  seconds: number;
  cpuSeconds: number;
  scoreSeconds: number;
}

const median = (v: number[]) => {
  const a = [...v].sort((p, q) => p - q);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
};
const fmt = (x: number, d = 1) => x.toFixed(d);
const int = (x: number) => Math.round(x).toLocaleString("en-US");

export default async function batchBench() {
  installQuietRuntime();
  const services = await startBenchServices();
  const taskQueue = "bench-batch";
  Object.assign(process.env, {
    DATABASE_URL: services.databaseUrl,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ARTIFACT_DIR: services.artifactDir,
  });
  const db = createDb(services.databaseUrl);
  const store = new ArtifactStore(services.artifactDir);
  const serving = createServingServer({ db, store, logger: silentLogger() });
  const { url: servingUrl } = await serving.listen(0, "127.0.0.1");
  const { worker, connection } = await createWorker({ address: services.temporalAddress, namespace: "default", taskQueue, deps: { db, store, servingUrl } });
  const running = worker.run();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-batch-bench-"));
  try {
    const { teamId, userId } = await seedLocal(db);
    const ctx = { db, teamId, userId };
    const flights = lit(path.join(packageDir("vega-datasets"), "data", "flights-3m.parquet"));
    const select = `SELECT hour(date)::DOUBLE AS hour, isodow(date)::DOUBLE AS day_of_week, distance::DOUBLE AS distance, origin, destination, delay::DOUBLE AS delay FROM read_parquet(${flights})`;
    for (const [name, sql] of [
      ["flights-1m", `${select} LIMIT ${ROWS}`],
      ["flights-train", `${select} LIMIT ${TRAIN_ROWS} OFFSET ${ROWS}`],
    ] as const) {
      const ds = await withDuckDb((conn) => writeDataset(conn, store, sql));
      await insertDatasetVersion(db, { teamId, name, uri: ds.uri, sha256: ds.sha256, rows: ds.rows, columns: ds.schema, createdBy: userId });
    }
    const spec = {
      apiVersion: "conveyor/v1",
      name: "batch-bench",
      nodes: [
        { id: "train-data", type: "ingest.csv", config: { source: "dataset:flights-train" } },
        {
          id: "train",
          type: "train.gbdt",
          config: { task: "regression", target: "delay", features: FEATURES, nTrees: 200, maxDepth: 6, learningRate: 0.1, maxBins: 256 },
        },
        { id: "score-data", type: "ingest.csv", config: { source: "dataset:flights-1m" } },
        { id: "batch", type: "deploy.batch", config: { chunkRows: CHUNK } },
      ],
      edges: [
        { id: "a", source: "train-data", sourcePort: "dataset", target: "train", targetPort: "dataset" },
        { id: "b", source: "train", sourcePort: "model", target: "batch", targetPort: "model" },
        { id: "c", source: "score-data", sourcePort: "dataset", target: "batch", targetPort: "dataset" },
      ],
    };
    const { id } = await savePipeline(ctx, { spec });

    /** One run of the pipeline (ingest and train are cached after the first; deploy.batch never is). */
    const runOurs = async (): Promise<Ours & { input: DatasetRef; model: ModelRef; output: DatasetRef }> => {
      const { runId } = await startRun(ctx, { pipelineId: id });
      const loop = monitorEventLoopDelay({ resolution: 10 });
      let watching = false;
      let run = await getRun(ctx, { runId });
      for (;;) {
        run = await getRun(ctx, { runId });
        const b = run.steps.find((s) => s.nodeId === "batch")!;
        if (b.status === "running" && !watching) {
          watching = true;
          loop.enable();
        }
        if (run.status !== "queued" && run.status !== "running") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      loop.disable();
      if (run.status !== "succeeded") throw new Error(`the benchmark run ${run.status}: ${run.error}`);
      const b = run.steps.find((s) => s.nodeId === "batch")!;
      const stepSeconds = (new Date(b.finishedAt!).getTime() - new Date(b.startedAt!).getTime()) / 1000;
      const scored = b.logs.map((l) => /^scored \d+ rows in \d+ chunks? in ([\d.]+) s/.exec(l.message)?.[1]).find(Boolean);
      return {
        stepSeconds,
        scoringSeconds: Number(scored),
        rowsPerSecond: ROWS / stepSeconds,
        eventLoopDelayMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        input: (run.steps.find((s) => s.nodeId === "score-data")!.outputs as { dataset: DatasetRef }).dataset,
        model: (run.steps.find((s) => s.nodeId === "train")!.outputs as { model: ModelRef }).model,
        output: (b.outputs as { predictions: DatasetRef }).predictions,
      };
    };

    const anchor = await anchorPython(process.env.BATCH_BENCH_PYTHON);
    const pythonOut = path.join(scratch, "python-predictions.parquet");
    const runPython = async (model: ModelRef, input: DatasetRef): Promise<Python | { error: string }> => {
      if ("missing" in anchor) return { error: `onnxruntime (Python) did not run: ${anchor.missing}` };
      const args = [path.join(here, "batch-onnxruntime.py"), await store.localFile(model.uri), await store.localFile(input.uri), pythonOut, String(CHUNK)];
      const r = spawnSync(anchor.python, args, { encoding: "utf8", maxBuffer: 16 << 20 });
      if (r.status !== 0) return { error: `onnxruntime (Python) failed: ${(r.stderr || String(r.error ?? "")).trim().split("\n").at(-1)}` };
      return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Python;
    };

    const pairs: { ours: Ours; python: Python | null }[] = [];
    let pyError: string | null = null;
    let last: Awaited<ReturnType<typeof runOurs>> | undefined;
    for (let i = 0; i < RUNS; i++) {
      last = await runOurs();
      const p: Python | { error: string } = pyError ? { error: pyError } : await runPython(last.model, last.input);
      if ("error" in p) pyError = p.error;
      pairs.push({ ours: last, python: "error" in p ? null : p });
      console.log(`run ${i + 1}: ours ${fmt(last.stepSeconds, 2)} s${"error" in p ? "" : `, python ${fmt(p.seconds, 2)} s`}`);
    }
    const peakRssMb = process.resourceUsage().maxRSS / 1024;

    // The same predictions, row for row.
    let maxAbsDiff: number | null = null;
    if (!pyError && last) {
      const ours = await store.localFile(last.output.uri);
      maxAbsDiff = await withDuckDb(async (conn) => {
        const r = await conn.runAndReadAll(
          `SELECT max(abs(a.prediction - b.prediction)) AS d, count(*) AS n FROM (SELECT prediction FROM read_parquet(${lit(ours)})) a POSITIONAL JOIN (SELECT prediction FROM read_parquet(${lit(pythonOut)})) b`,
        );
        const row = r.getRowObjectsJS()[0]!;
        if (Number(row.n) !== ROWS) throw new Error(`compared ${Number(row.n)} rows, expected ${ROWS}`);
        return Number(row.d);
      });
    }

    const oursStep = median(pairs.map((p) => p.ours.stepSeconds));
    const oursScoring = median(pairs.map((p) => p.ours.scoringSeconds));
    const py = pairs.filter((p) => p.python).map((p) => p.python!);
    const pySeconds = py.length ? median(py.map((p) => p.seconds)) : null;
    const pyScore = py.length ? median(py.map((p) => p.scoreSeconds)) : null;
    const ratio = py.length ? median(pairs.map((p) => p.python!.seconds / p.ours.stepSeconds)) : null;
    const loopP99 = Math.max(...pairs.map((p) => p.ours.eventLoopDelayMs.p99));
    const loopMax = Math.max(...pairs.map((p) => p.ours.eventLoopDelayMs.max));
    const json = {
      dataset: `vega-datasets flights-3m.parquet: the first ${ROWS} rows (hour, day_of_week, distance, origin, destination, delay)`,
      rows: ROWS,
      chunkRows: CHUNK,
      model: { trainer: "train.gbdt", nTrees: 200, maxDepth: 6, trainRows: TRAIN_ROWS, features: FEATURES },
      ours: {
        stepSeconds: oursStep,
        scoringSeconds: oursScoring,
        rowsPerSecond: ROWS / oursStep,
        eventLoopDelayMs: { p99: loopP99, max: loopMax },
        peakRssMb,
        node: process.version,
      },
      python: pyError ? { error: pyError } : { version: py[0]!.version, seconds: pySeconds, scoreSeconds: pyScore, rowsPerSecond: ROWS / pySeconds! },
      ratio,
      maxAbsPredictionDiff: maxAbsDiff,
      runs: pairs.map((p) => ({ oursStepSeconds: p.ours.stepSeconds, oursScoringSeconds: p.ours.scoringSeconds, pythonSeconds: p.python?.seconds ?? null })),
      note: "Ours: the deploy.batch step from start to finish (model resolution, scoring in a thread in chunks, every part kept in the artifact store with a checkpoint, the output assembled and stored). Python: read → score → write in one process. One onnxruntime thread each. Medians over the runs; the ratio is the median of per-pair ratios (Python seconds / ours).",
    };
    const markdown = [
      `deploy.batch on ${int(ROWS)} rows of flights (flights-3m), a 200-tree GBDT of depth 6 (train.gbdt on the next ${int(TRAIN_ROWS)} rows), chunks of ${int(CHUNK)} rows, against Python onnxruntime scoring the same ONNX file on the same Parquet file in one process (pyarrow batches of ${int(CHUNK)} rows, one onnxruntime thread each). ${RUNS} runs each in alternation; medians.`,
      "",
      "| scorer | wall (s) | of which session.run / scoring (s) | rows/s |",
      "|---|---:|---:|---:|",
      `| Conveyor deploy.batch step (Node ${process.version}, onnxruntime-node) | ${fmt(oursStep, 2)} | ${fmt(oursScoring, 2)} (thread) | ${int(ROWS / oursStep)} |`,
      pySeconds !== null
        ? `| Python onnxruntime ${py[0]!.version} + pyarrow | ${fmt(pySeconds, 2)} | ${fmt(pyScore!, 2)} | ${int(ROWS / pySeconds)} |`
        : "| Python onnxruntime | — | — | — |",
      "",
      ratio !== null
        ? `Rows/s of deploy.batch relative to Python: **${fmt(ratio * 100, 0)}%** (goal ≥ 70%; per pair: ${pairs.map((p) => `${fmt((p.python!.seconds / p.ours.stepSeconds) * 100, 0)}%`).join(", ")}). The predictions are the same (largest difference ${maxAbsDiff === 0 ? "0" : maxAbsDiff!.toExponential(1)}).`
        : `Python: ${pyError}.`,
      `The worker's event loop while the step ran: p99 delay ${fmt(loopP99)} ms, max ${fmt(loopMax)} ms (scoring runs in a thread). Peak RSS of the benchmark process (worker and its threads, web side, DuckDB): ${int(peakRssMb)} MB.`,
    ].join("\n");
    return { name: "batch", json, markdown };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await serving.close();
    await db.$client.end();
    await services.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await batchBench();
  console.log(r.markdown);
  console.log(JSON.stringify(r.json, null, 2));
  process.exit(0);
}
