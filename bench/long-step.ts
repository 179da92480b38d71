/**
 * A long training step through the real pipeline: the first three months of
 * 2001 in vega-datasets flights-3m (about 1.5M rows, 80% for training),
 * train.gbdt with 4,000 trees of depth 8 — about five minutes of training,
 * five times the 60 s heartbeat timeout that used to kill such steps — on a
 * private PostgreSQL and Temporal dev server, the real worker (in this
 * process) and the default 30 s heartbeat timeout. LONG_STEP_TREES,
 * LONG_STEP_DEPTH and LONG_STEP_MONTHS change the size.
 *
 * Measured: the train step's duration and attempts (1 = no timeout, no
 * retry), how often its progress row changed, the worker's event-loop delay
 * while it trained (the training runs in a worker thread: the loop stays
 * free), and the run's outcome.
 */
import fs from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createDb } from "../db/client";
import { seedLocal } from "../db/seed";
import { ArtifactStore } from "../infra/artifacts";
import { withDuckDb, lit } from "../workflows/data/duckdb";
import { packageDir } from "../workflows/nodes/ingest.csv/sources";
import { createWorker } from "../workflows/temporal/worker";
import { createServingServer } from "../server/serving/server";
import { silentLogger } from "../infra/log";
import { uploadDataset } from "../server/services/datasets/upload-dataset";
import { savePipeline } from "../server/services/pipelines/save-pipeline";
import { startRun } from "../server/services/runs/start-run";
import { getRun } from "../server/services/runs/get-run";
import { installQuietRuntime, startBenchServices } from "./services";

// Defaults: a training of about five minutes on this machine (the goal: a 5-minute train.gbdt step completes normally).
const N_TREES = Number(process.env.LONG_STEP_TREES ?? 4000);
const DEPTH = Number(process.env.LONG_STEP_DEPTH ?? 8);
const MONTHS = Number(process.env.LONG_STEP_MONTHS ?? 3);

export default async function longStep() {
  installQuietRuntime();
  const services = await startBenchServices();
  const taskQueue = "bench-long-step";
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
  try {
    const { teamId, userId } = await seedLocal(db);
    const ctx = { db, teamId, userId };

    const csvPath = path.join(services.artifactDir, "flights-2001-01.csv");
    fs.mkdirSync(services.artifactDir, { recursive: true });
    const parquet = lit(path.join(packageDir("vega-datasets"), "data", "flights-3m.parquet"));
    await withDuckDb((conn) =>
      conn.run(`COPY (SELECT hour(date)::DOUBLE AS hour, isodow(date)::DOUBLE AS day_of_week, distance::DOUBLE AS distance, origin, destination, delay::DOUBLE AS delay
                      FROM read_parquet(${parquet}) WHERE date < TIMESTAMP '2001-01-01' + INTERVAL ${MONTHS} MONTH AND delay IS NOT NULL) TO ${lit(csvPath)} (HEADER)`),
    );
    const ds = await uploadDataset(ctx, { name: "flights-2001-01", csv: fs.readFileSync(csvPath) }, store);
    const spec = {
      apiVersion: "conveyor/v1",
      name: "long-step",
      nodes: [
        { id: "ingest", type: "ingest.csv", config: { source: `dataset:${ds.id}` } },
        { id: "split", type: "feature.split", config: { testFraction: 0.2 } },
        { id: "train", type: "train.gbdt", config: { task: "regression", target: "delay", nTrees: N_TREES, maxDepth: DEPTH } },
        { id: "evaluate", type: "evaluate", config: {} },
      ],
      edges: [
        { id: "a", source: "ingest", sourcePort: "dataset", target: "split", targetPort: "dataset" },
        { id: "b", source: "split", sourcePort: "train", target: "train", targetPort: "dataset" },
        { id: "c", source: "train", sourcePort: "model", target: "evaluate", targetPort: "model" },
        { id: "d", source: "split", sourcePort: "test", target: "evaluate", targetPort: "dataset" },
      ],
    };
    const { id } = await savePipeline(ctx, { spec });
    const { runId } = await startRun(ctx, { pipelineId: id });

    const loop = monitorEventLoopDelay({ resolution: 10 });
    const progressSeen = new Set<string>();
    let trainStarted = false;
    let run = await getRun(ctx, { runId });
    for (;;) {
      run = await getRun(ctx, { runId });
      const t = run.steps.find((s) => s.nodeId === "train")!;
      if (t.status === "running" && !trainStarted) {
        trainStarted = true;
        loop.enable();
      }
      if (t.status !== "running" && trainStarted) loop.disable();
      if (t.progress) progressSeen.add(JSON.stringify([t.progress.iteration, t.progress.phase]));
      if (run.status === "succeeded" || run.status === "failed" || run.status === "cancelled") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    loop.disable();
    const t = run.steps.find((s) => s.nodeId === "train")!;
    const seconds = (new Date(t.finishedAt!).getTime() - new Date(t.startedAt!).getTime()) / 1000;
    const trainedIn = t.logs.map((l) => /^trained in ([\d.]+) s$/.exec(l.message)?.[1]).find(Boolean);
    const mae = run.metrics.find((m) => m.nodeId === "evaluate" && m.key === "mae")?.value;
    const json = {
      rows: ds.rows,
      nTrees: N_TREES,
      maxDepth: DEPTH,
      runStatus: run.status,
      runError: run.error,
      trainStepSeconds: seconds,
      trainingSeconds: Number(trainedIn),
      attempts: t.attempt,
      progressUpdatesSeen: progressSeen.size,
      eventLoopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      heartbeatTimeoutSeconds: 30,
      mae,
    };
    const markdown = [
      `train.gbdt, ${N_TREES} trees of depth ${DEPTH}, on ${ds.rows.toLocaleString("en-US")} rows (the first ${MONTHS} month${MONTHS > 1 ? "s" : ""} of 2001 in flights-3m; 80% train) in a real pipeline run, heartbeat timeout 30 s.`,
      "",
      "| run | train step | training (thread) | attempts | progress updates seen (polled every 0.5 s) | worker event-loop delay p50 / p99 / max | test MAE |",
      "|---|---|---|---|---|---|---|",
      `| ${run.status} | ${seconds.toFixed(1)} s | ${json.trainingSeconds.toFixed(1)} s | ${t.attempt} | ${progressSeen.size} | ${json.eventLoopDelayMs.p50.toFixed(1)} / ${json.eventLoopDelayMs.p99.toFixed(1)} / ${json.eventLoopDelayMs.max.toFixed(1)} ms | ${mae?.toFixed(2) ?? "—"} |`,
    ].join("\n");
    return { name: "long-step", json, markdown };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await serving.close();
    await db.$client.end();
    await services.stop();
  }
}
