/**
 * Artifacts cross machines only through S3: the web side (this process)
 * uploads a dataset, a worker process trains on it, and a serving process
 * serves the model, each with ARTIFACT_URI=s3://… on the test SeaweedFS and a
 * local directory of its own (cache, data dir, ARTIFACT_DIR): nothing on disk
 * is shared, so every artifact a process reads came out of S3.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sixStepSpec, startEditedRun, startHarness, type Harness } from "../../testing/temporal-harness";
import { startNodeProcess, type NodeProcess } from "../../testing/processes";
import { testEnv } from "../../testing/env";
import { freePort } from "../../scripts/process-utils";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { uploadDataset } from "../../server/services/datasets/upload-dataset";
import { getModel } from "../../server/services/models/get-model";
import { getDataset } from "../../db/queries/datasets";
import { ArtifactStore, contentAddress } from "../../infra/artifacts";
import type { DatasetRef, ModelRef } from "../spec/refs";

let h: Harness;
let tmp: string;
const processes: NodeProcess[] = [];

/** A machine of its own: cache, data dir and ARTIFACT_DIR under `dir`, artifacts from S3. */
function machineEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ARTIFACT_URI: testEnv().ARTIFACT_URI,
    ARTIFACT_CACHE_DIR: path.join(dir, "artifact-cache"),
    ARTIFACT_DIR: path.join(dir, "artifacts"),
    CONVEYOR_DATA_DIR: dir,
  };
}

/** The files in a directory tree, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

beforeAll(async () => {
  expect(testEnv().ARTIFACT_URI).toMatch(/^s3:\/\//);
  h = await startHarness();
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-s3-processes-"));
});
afterAll(async () => {
  for (const p of processes) await p.stop();
  await h?.stop();
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe("a pipeline over S3 across processes", () => {
  it("trains in a worker process on an uploaded dataset and serves the model from a serving process, sharing no directory", async () => {
    const servingDir = path.join(tmp, "serving");
    const workerDir = path.join(tmp, "worker");
    const port = await freePort();
    const serving = await startNodeProcess("server/serving/main.ts", {
      env: { ...machineEnv(servingDir), SERVING_PORT: String(port) },
      ready: (line) => line.includes("listening on"),
    });
    processes.push(serving);
    const servingUrl = `http://127.0.0.1:${port}`;
    const taskQueue = `s3-${crypto.randomBytes(4).toString("hex")}`;
    processes.push(
      await startNodeProcess("workflows/temporal/worker-main.ts", {
        env: { ...machineEnv(workerDir), TEMPORAL_TASK_QUEUE: taskQueue, SERVING_URL: servingUrl },
        ready: (line) => /worker \S+ polling /.test(line),
      }),
    );

    // The web side: the upload goes to S3 through a store with a cache of its own.
    const web = new ArtifactStore({ cacheDir: path.join(tmp, "web", "artifact-cache") });
    const rows = Array.from({ length: 200 }, (_, i) => `${i % 50},${(2 * (i % 50) + 1 + ((i * 7) % 3) * 0.1).toFixed(2)}`);
    const name = `s3-line-${crypto.randomBytes(3).toString("hex")}`;
    const ds = await uploadDataset(h.ctx, { name, csv: new TextEncoder().encode(`x,y\n${rows.join("\n")}\n`) }, web);

    const spec = sixStepSpec({
      name,
      source: `dataset:${ds.id}`,
      train: { type: "train.linear", config: { task: "regression", target: "y", features: ["x"] } },
      conditions: [{ metric: "r2", op: ">=", value: 0.9 }],
      model: name,
    });
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId } = await startEditedRun(h.ctx, taskQueue, id, () => {});
    const run = await h.waitForRun(runId);
    expect(run.error, JSON.stringify(run.steps.map((s) => [s.nodeId, s.status, s.error]))).toBeNull();
    expect(run.status).toBe("succeeded");
    expect((await getModel(h.ctx, { name })).aliases).toEqual({ champion: 1 });

    // Every artifact is an S3 object.
    const outputs = Object.fromEntries(run.steps.map((s) => [s.nodeId, s.outputs as Record<string, unknown>]));
    const dataset = outputs.ingest!.dataset as DatasetRef;
    const model = outputs.train!.model as ModelRef;
    for (const uri of [dataset.uri, model.uri]) expect(uri).toMatch(/^s3:\/\/conveyor\/artifacts\/sha256\//);

    // The serving process loaded the model out of S3 into its own cache and answers with it.
    const res = await fetch(`${servingUrl}/v1/predict/${name}`, { method: "POST", body: JSON.stringify({ instances: [{ x: 10 }] }) });
    expect(res.status, serving.tail.join("\n")).toBe(200);
    const body = (await res.json()) as { predictions: { prediction: number }[] };
    expect(body.predictions[0]!.prediction).toBeCloseTo(21.1, 0);

    const modelFile = contentAddress(model.uri)!;
    const servingFiles = filesUnder(servingDir);
    expect(servingFiles).toContain(path.join("artifact-cache", "sha256", modelFile.sha256.slice(0, 2), modelFile.sha256, "model.onnx"));
    // It read nothing else: no dataset, and nothing outside its cache.
    expect(servingFiles.filter((f) => !f.startsWith(path.join("artifact-cache", "sha256")))).toEqual([]);
    expect(servingFiles.filter((f) => f.endsWith(".parquet"))).toEqual([]);
    // The worker downloaded the uploaded dataset (the web side wrote it) and kept what it wrote; no ARTIFACT_DIR was used.
    const uploaded = contentAddress((await getDataset(h.db, h.ctx.teamId, ds.id))!.uri)!;
    const workerFiles = filesUnder(workerDir);
    expect(workerFiles).toContain(path.join("artifact-cache", "sha256", uploaded.sha256.slice(0, 2), uploaded.sha256, "data.parquet"));
    expect(fs.existsSync(path.join(workerDir, "artifacts"))).toBe(false);
    expect(fs.existsSync(path.join(servingDir, "artifacts"))).toBe(false);
  });
});
