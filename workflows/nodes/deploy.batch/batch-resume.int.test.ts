/**
 * Batch scoring resumed after a kill: two real worker processes
 * (workflows/temporal/worker-main.ts) poll one task queue; the one scoring a
 * 160,000-row dataset in 25 chunks is SIGKILLed mid-scoring; after the heartbeat
 * timeout the other one takes the step over, skips every chunk the killed
 * attempt had finished (its checkpoint), scores the rest, and its output is
 * byte for byte the output of an uninterrupted run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEditedRun, startHarness, type Harness } from "../../../testing/temporal-harness";
import { startNodeProcess, type NodeProcess } from "../../../testing/processes";
import { savePipeline } from "../../../server/services/pipelines/save-pipeline";
import { getRun } from "../../../server/services/runs/get-run";
import { startRun } from "../../../server/services/runs/start-run";
import { liveWorkers } from "../../../db/queries/workers";
import { stepCheckpoint } from "../../../db/queries/runs";
import { insertDatasetVersion } from "../../../db/queries/datasets";
import { lit, withDuckDb, writeDataset } from "../../data/duckdb";
import { packageDir } from "../ingest.csv/sources";
import type { DatasetRef } from "../../spec/refs";
import type { BatchCheckpoint } from "./batch";

const HEARTBEAT_TIMEOUT_SECONDS = 5;
const ROWS = 160_000;
const CHUNK_ROWS = 6_400;
const uid = Math.random().toString(36).slice(2, 8);

let h: Harness;
const workers: NodeProcess[] = [];
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await h?.stop();
});

function startWorkerProcess(taskQueue: string): Promise<NodeProcess> {
  return startNodeProcess("workflows/temporal/worker-main.ts", {
    env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, SERVING_URL: h.servingUrl, ARTIFACT_URI: h.store.uri },
    ready: (line) => /worker \S+ polling /.test(line),
  });
}

/** The first ROWS flights of 2001 (vega-datasets flights-3m) with flights-20k's feature columns, as a named dataset of the team. */
async function flightsDataset(name: string): Promise<void> {
  const file = lit(`${packageDir("vega-datasets")}/data/flights-3m.parquet`);
  const ds = await withDuckDb((conn) =>
    writeDataset(
      conn,
      h.store,
      `SELECT hour(date)::DOUBLE AS hour, isodow(date)::DOUBLE AS day_of_week, distance::DOUBLE AS distance, origin, destination FROM read_parquet(${file}) LIMIT ${ROWS}`,
    ),
  );
  await insertDatasetVersion(h.db, { teamId: h.ctx.teamId, name, uri: ds.uri, sha256: ds.sha256, rows: ds.rows, columns: ds.schema });
}

/** Train on flights-20k, score the big dataset with the trained model. */
const spec = (dataset: string) => ({
  apiVersion: "conveyor/v1",
  name: `batch-resume-${uid}`,
  nodes: [
    { id: "flights", type: "ingest.csv", config: { source: "sample:flights-20k" } },
    {
      id: "train",
      type: "train.gbdt",
      config: { task: "regression", target: "delay", features: ["hour", "day_of_week", "distance", "origin", "destination"], nTrees: 200, maxDepth: 6 },
    },
    { id: "big", type: "ingest.csv", config: { source: `dataset:${dataset}` } },
    { id: "batch", type: "deploy.batch", config: { chunkRows: CHUNK_ROWS } },
  ],
  edges: [
    { id: "a", source: "flights", sourcePort: "dataset", target: "train", targetPort: "dataset" },
    { id: "b", source: "train", sourcePort: "model", target: "batch", targetPort: "model" },
    { id: "c", source: "big", sourcePort: "dataset", target: "batch", targetPort: "dataset" },
  ],
});

describe("batch scoring", () => {
  it("resumes after a kill: the chunks finished before the kill are not scored again, and the output is the uninterrupted run's", async () => {
    const dataset = `flights-160k-${uid}`;
    await flightsDataset(dataset);
    const taskQueue = `batch-kill-${uid}`;
    workers.push(...(await Promise.all([startWorkerProcess(taskQueue), startWorkerProcess(taskQueue)])));
    const { id } = await savePipeline(h.ctx, { spec: spec(dataset) });
    const { runId } = await startEditedRun(h.ctx, taskQueue, id, (plan) => {
      for (const s of plan.steps) s.heartbeatTimeoutSeconds = HEARTBEAT_TIMEOUT_SECONDS;
    });
    const batch = async () => (await getRun(h.ctx, { runId })).steps.find((s) => s.nodeId === "batch")!;
    const partsSaved = async () => ((await stepCheckpoint(h.db, runId, "batch")) as BatchCheckpoint | null)?.parts.length ?? 0;
    const chunks = Math.ceil(ROWS / CHUNK_ROWS);
    // Which worker scores (known once the first chunk is kept), then mid-scoring: a few chunks kept, most not.
    await expect.poll(partsSaved, { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(1);
    const identity = (await batch()).worker!;
    const pid = (await liveWorkers(h.db, 15_000)).find((w) => w.identity === identity)?.pid;
    const victim = workers.find((w) => w.child.pid === pid);
    expect(victim, `the scoring worker (${identity}) is one of ours`).toBeDefined();
    await expect.poll(partsSaved, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(4);
    victim!.child.kill("SIGKILL");
    await victim!.exited;
    // A checkpoint write the database had received before the kill still lands: read it once that is settled.
    await new Promise((r) => setTimeout(r, 500));
    const keptAtKill = await partsSaved();
    expect(keptAtKill).toBeLessThan(chunks);

    const run = await h.waitForRun(runId, 120_000);
    expect(run.status).toBe("succeeded");
    const step = run.steps.find((s) => s.nodeId === "batch")!;
    expect(step.attempt).toBe(2);
    expect(step.worker).not.toBe(identity);
    const logs = step.logs.map((l) => l.message);
    console.log(`[batch-resume] killed after ${keptAtKill} of ${chunks} chunks; attempt 2: ${logs.filter((l) => /^(resuming|scored)/.test(l)).join(" / ")}`);
    // Attempt 2 started after the last chunk the checkpoint held at the kill, and scored only the rest.
    const resumed = logs.find((l) => l.startsWith("resuming: "))!;
    expect(resumed).toBe(
      `resuming: ${keptAtKill} of ${chunks} chunks (${keptAtKill * CHUNK_ROWS} rows) were scored by an earlier attempt; scoring chunks ${keptAtKill}–${chunks - 1}`,
    );
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^scored ${ROWS - keptAtKill * CHUNK_ROWS} rows in ${chunks - keptAtKill} chunks in `)));
    const resumedOutput = (step.outputs as { predictions: DatasetRef }).predictions;
    expect(resumedOutput.rows).toBe(ROWS);

    // An uninterrupted run of the same pipeline (the harness's worker; deploy.batch is never cached) writes the same bytes.
    const { runId: again } = await startRun(h.ctx, { pipelineId: id });
    const whole = await h.waitForRun(again, 120_000);
    const wholeStep = whole.steps.find((s) => s.nodeId === "batch")!;
    expect(wholeStep.attempt).toBe(1);
    expect(wholeStep.logs.map((l) => l.message)).toContain(`scoring ${ROWS} rows in ${chunks} chunks of up to ${CHUNK_ROWS} rows`);
    expect((wholeStep.outputs as { predictions: DatasetRef }).predictions.sha256).toBe(resumedOutput.sha256);
  });
});
