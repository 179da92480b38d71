/**
 * More than one machine: two worker processes and two serving replicas, each
 * with a working directory of its own and no shared disk, against one
 * PostgreSQL (DATABASE_URL), one Temporal (reached through a TLS front with
 * client certificates, like a cluster: TEMPORAL_ADDRESS + TEMPORAL_TLS_*) and
 * one S3 store (ARTIFACT_URI on the test SeaweedFS).
 *
 * A run's steps land on both workers (the step records say which); the worker
 * that holds the workflow is killed (SIGKILL) mid-training and one serving
 * replica too: the run still succeeds with exactly one model version; both
 * replicas (the killed one restarted, with an empty cache) serve the
 * champion, and follow the alias when a second run moves it and when a person
 * moves it back.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flightsTrainingSpec, startEditedRun, startHarness, type Harness } from "../../testing/temporal-harness";
import { startNodeProcess, type NodeProcess } from "../../testing/processes";
import { makeCerts, startTlsProxy, type TestCerts, type TlsProxy } from "../../testing/tls-proxy";
import { testEnv } from "../../testing/env";
import { freePort } from "../../scripts/process-utils";
import { liveWorkers } from "../../db/queries/workers";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { getRun } from "../../server/services/runs/get-run";
import { getModel } from "../../server/services/models/get-model";
import { setAlias } from "../../server/services/models/aliases";

const HEARTBEAT_TIMEOUT_SECONDS = 5;

let h: Harness;
let tmp: string;
let certs: TestCerts;
let proxy: TlsProxy;
const processes: NodeProcess[] = [];

beforeAll(async () => {
  expect(testEnv().ARTIFACT_URI).toMatch(/^s3:\/\//);
  h = await startHarness();
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-machines-"));
  certs = makeCerts();
  proxy = await startTlsProxy(testEnv().TEMPORAL_ADDRESS, certs, { requireClientCert: true });
});
afterAll(async () => {
  for (const p of processes) await p.stop();
  await proxy?.close();
  await h?.stop();
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  if (certs) await fsp.rm(certs.dir, { recursive: true, force: true });
});

/** A machine: its own directories; the shared services only by address. */
function machineEnv(name: string): NodeJS.ProcessEnv {
  const dir = path.join(tmp, name);
  return {
    ...process.env,
    DATABASE_URL: testEnv().DATABASE_URL,
    ARTIFACT_URI: testEnv().ARTIFACT_URI,
    ARTIFACT_CACHE_DIR: path.join(dir, "artifact-cache"),
    ARTIFACT_DIR: path.join(dir, "artifacts"),
    CONVEYOR_DATA_DIR: dir,
  };
}

async function startServing(name: string, port: number): Promise<NodeProcess> {
  const p = await startNodeProcess("server/serving/main.ts", {
    env: { ...machineEnv(name), SERVING_PORT: String(port) },
    ready: (line) => line.includes("listening on"),
  });
  processes.push(p);
  return p;
}

async function startWorker(name: string, taskQueue: string, servingUrl: string): Promise<NodeProcess> {
  const p = await startNodeProcess("workflows/temporal/worker-main.ts", {
    env: {
      ...machineEnv(name),
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_TLS_CA: certs.ca,
      TEMPORAL_TLS_CERT: certs.clientCert,
      TEMPORAL_TLS_KEY: certs.clientKey,
      TEMPORAL_TLS_SERVER_NAME: "localhost",
      TEMPORAL_TASK_QUEUE: taskQueue,
      CONVEYOR_WORKER_QUEUES: "light,heavy",
      SERVING_URL: servingUrl,
    },
    ready: (line) => /worker \S+ polling /.test(line),
  });
  processes.push(p);
  return p;
}

/** Which model version a replica answers with. */
async function servedVersion(url: string, model: string): Promise<number | string> {
  const res = await fetch(`${url}/v1/predict/${model}`, {
    method: "POST",
    body: JSON.stringify({ instances: [{ hour: 9, day_of_week: 3, distance: 600, origin: "SEA", destination: "SFO" }] }),
  });
  if (res.status !== 200) return `HTTP ${res.status}: ${await res.text()}`;
  return ((await res.json()) as { model_version: number }).model_version;
}

describe("two workers and two serving replicas with no shared disk", () => {
  it("spreads a run over both workers, survives a killed worker and a killed replica, and both replicas follow the champion", async () => {
    const ports = [await freePort(), await freePort()];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    let replicas = [await startServing("serving-1", ports[0]!), await startServing("serving-2", ports[1]!)];
    const taskQueue = `machines-${crypto.randomBytes(4).toString("hex")}`;
    const workers = [await startWorker("worker-a", taskQueue, urls[0]!), await startWorker("worker-b", taskQueue, urls[0]!)];

    const model = `machines-${crypto.randomBytes(3).toString("hex")}`;
    const spec = (nTrees: number) => flightsTrainingSpec(model, { nTrees });
    // Long enough (seconds even on an idle machine) to kill a worker in the middle of it.
    const { id } = await savePipeline(h.ctx, { spec: spec(5000) });
    const shortHeartbeat = (plan: { steps: { heartbeatTimeoutSeconds?: number }[] }) => {
      for (const s of plan.steps) s.heartbeatTimeoutSeconds = HEARTBEAT_TIMEOUT_SECONDS;
    };
    const { runId } = await startEditedRun(h.ctx, taskQueue, id, shortHeartbeat);
    const steps = async () => Object.fromEntries((await getRun(h.ctx, { runId })).steps.map((s) => [s.nodeId, s]));
    await expect
      .poll(async () => (await steps()).train?.progress?.iteration ?? 0, { timeout: 120_000, interval: 250 })
      .toBeGreaterThanOrEqual(10)
      .catch(async (e: unknown) => {
        const why = [JSON.stringify(Object.values(await steps()).map((s) => [s.nodeId, s.status, s.error])), ...workers.flatMap((w) => w.tail)];
        throw new Error(`${String(e)}\n${why.join("\n")}`);
      });

    // The worker that ran the first steps holds the workflow: kill it, and one serving replica, mid-training.
    const holder = (await steps()).ingest!.worker!;
    const pids = new Map((await liveWorkers(h.db, 15_000)).map((w) => [w.identity, w.pid]));
    const victim = workers.find((w) => w.child.pid === pids.get(holder));
    expect(victim, `the worker ${holder} is one of ours`).toBeDefined();
    victim!.child.kill("SIGKILL");
    replicas[1]!.child.kill("SIGKILL");
    await Promise.all([victim!.exited, replicas[1]!.exited]);

    const run = await h.waitForRun(runId, 240_000);
    expect(run.status, JSON.stringify(run.steps.map((s) => [s.nodeId, s.status, s.error]))).toBe("succeeded");
    const ran = new Set(run.steps.map((s) => s.worker));
    expect(ran.size, `step workers: ${JSON.stringify(run.steps.map((s) => [s.nodeId, s.worker]))}`).toBe(2);
    expect(ran.has(holder)).toBe(true);
    expect((await getModel(h.ctx, { name: model })).versions.filter((v) => v.runId === runId)).toHaveLength(1);

    // The killed replica comes back (a new process, an empty cache): both serve the champion, v1, out of S3.
    await fsp.rm(path.join(tmp, "serving-2"), { recursive: true, force: true });
    replicas = [replicas[0]!, await startServing("serving-2", ports[1]!)];
    for (const url of urls) await expect.poll(() => servedVersion(url, model), { timeout: 30_000, interval: 500 }).toBe(1);

    // A second run registers v2 and moves the champion: both replicas follow; a person moves it back: both follow.
    const second = await savePipeline(h.ctx, { id, spec: spec(40) });
    const { runId: runId2 } = await startEditedRun(h.ctx, taskQueue, second.id, shortHeartbeat);
    expect((await h.waitForRun(runId2, 180_000)).status).toBe("succeeded");
    expect((await getModel(h.ctx, { name: model })).aliases.champion).toBe(2);
    for (const url of urls) await expect.poll(() => servedVersion(url, model), { timeout: 30_000, interval: 500 }).toBe(2);
    await setAlias(h.ctx, { name: model, alias: "champion", version: 1, reason: "roll back: v2 was trained on too few trees" });
    for (const url of urls) await expect.poll(() => servedVersion(url, model), { timeout: 30_000, interval: 500 }).toBe(1);
  });
});
