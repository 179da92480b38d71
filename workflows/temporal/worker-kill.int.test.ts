/**
 * A killed worker loses nothing: two worker processes (the real worker entry,
 * workflows/temporal/worker-main.ts) poll one task queue; the one training is
 * SIGKILLed mid-training; after the step's heartbeat timeout the other one
 * runs the step again and finishes the run, and the run registers exactly
 * one model version. A worker stopped with SIGTERM gives its running step the
 * shutdown grace, then hands it back at once: the other worker retries it
 * without waiting for a heartbeat timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flightsTrainingSpec, startEditedRun, startHarness, type Harness } from "../../testing/temporal-harness";
import { startNodeProcess, type NodeProcess } from "../../testing/processes";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { getRun } from "../../server/services/runs/get-run";
import { getModel } from "../../server/services/models/get-model";
import { temporalClient } from "../../server/temporal";
import { registerModelVersion } from "../../db/queries/models";
import { liveWorkers } from "../../db/queries/workers";
import type { ModelRef } from "../spec/refs";

const HEARTBEAT_TIMEOUT_SECONDS = 5;

/** The real worker entry on `taskQueue`; resolves once it polls. */
function startWorkerProcess(h: Harness, taskQueue: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  return startNodeProcess("workflows/temporal/worker-main.ts", {
    env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, SERVING_URL: h.servingUrl, ARTIFACT_URI: h.store.uri, ...env },
    ready: (line) => /worker \S+ polling /.test(line),
  });
}

/** A pipeline whose training takes tens of seconds (time to stop a worker in the middle). */
const trainingSpec = (model: string, nTrees = 1500) => flightsTrainingSpec(model, { nTrees, subsample: 0.8 });

let h: Harness;
const workers: NodeProcess[] = [];
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await h?.stop();
});

describe("a killed worker", () => {
  it("loses nothing: the other worker finishes the run after the heartbeat timeout, one model version is registered", async () => {
    const taskQueue = `kill-${Math.random().toString(36).slice(2, 10)}`;
    workers.push(...(await Promise.all([startWorkerProcess(h, taskQueue), startWorkerProcess(h, taskQueue)])));
    const model = `killed-${Math.random().toString(36).slice(2, 8)}`;
    const spec = trainingSpec(model);
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId, workflowId } = await startEditedRun(h.ctx, taskQueue, id, (plan) => {
      for (const s of plan.steps) s.heartbeatTimeoutSeconds = HEARTBEAT_TIMEOUT_SECONDS;
    });
    const train = async () => (await getRun(h.ctx, { runId })).steps.find((s) => s.nodeId === "train")!;
    await expect.poll(async () => (await train()).progress?.iteration ?? 0, { timeout: 90_000, interval: 200 }).toBeGreaterThanOrEqual(10);

    // Which worker trains: the one the server handed the pending activity to, as the step records it.
    const client = await temporalClient();
    const pending = (await client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
    const identity = pending.find((a) => a.activityType?.name === "executeStep")?.lastWorkerIdentity ?? "";
    expect((await train()).worker).toBe(identity);
    const pid = (await liveWorkers(h.db, 15_000)).find((w) => w.identity === identity)?.pid;
    const victim = workers.find((w) => w.child.pid === pid);
    expect(victim, `the training worker (${identity}) is one of ours (${workers.map((w) => w.child.pid).join(", ")})`).toBeDefined();
    const stoppedAt = (await train()).progress!;

    const killedAt = Date.now();
    victim!.child.kill("SIGKILL");
    await victim!.exited;
    const run = await h.waitForRun(runId, 180_000);
    const finishedAfterKill = Date.now() - killedAt;
    console.log(
      `[kill] killed worker ${pid} at tree ${stoppedAt.iteration} / ${stoppedAt.total}; the run finished ${(finishedAfterKill / 1000).toFixed(1)} s later`,
    );

    expect(run.status).toBe("succeeded");
    const t = run.steps.find((s) => s.nodeId === "train")!;
    expect(t.attempt).toBe(2);
    expect(t.worker).not.toBe(identity); // the other worker ran attempt 2
    expect(t.logs.map((l) => l.message)).toContain("attempt 2");
    expect(run.steps.map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    // Not before the heartbeat timeout: the server waited for the dead worker's heartbeat.
    expect(finishedAfterKill).toBeGreaterThan(HEARTBEAT_TIMEOUT_SECONDS * 1000);

    const registered = await getModel(h.ctx, { name: model });
    expect(registered.versions.filter((v) => v.runId === runId)).toHaveLength(1);
    // Registering is idempotent per (run, sha256): a retried deploy gets the same version.
    const m = (t.outputs as { model: ModelRef }).model;
    const again = await registerModelVersion(h.db, {
      teamId: h.ctx.teamId,
      modelName: model,
      runId,
      artifactUri: m.uri,
      sha256: m.sha256,
      manifest: { ...m.manifest, metrics: {} },
      metrics: {},
    });
    expect(again.version).toBe(registered.versions[0]!.version);
    expect((await getModel(h.ctx, { name: model })).versions).toHaveLength(1);
  });

  it("stopped with SIGTERM mid-training, a worker hands its step back at once (no heartbeat timeout to wait for), exits 0, and the other worker finishes", async () => {
    const taskQueue = `term-${Math.random().toString(36).slice(2, 10)}`;
    // A 1 s shutdown grace: shorter than what is left of the training, so the worker must hand the step back.
    const grace = { WORKER_SHUTDOWN_GRACE_SECONDS: "1" };
    const pair = await Promise.all([startWorkerProcess(h, taskQueue, grace), startWorkerProcess(h, taskQueue, grace)]);
    workers.push(...pair);
    const model = `stopped-${Math.random().toString(36).slice(2, 8)}`;
    // Not the first test's config (no cache hit).
    const { id } = await savePipeline(h.ctx, { spec: trainingSpec(model, 4000) });
    // A heartbeat timeout far longer than the run: finishing before it means the step was handed back, not timed out.
    const LONG_HEARTBEAT_SECONDS = 300;
    const { runId } = await startEditedRun(h.ctx, taskQueue, id, (plan) => {
      for (const s of plan.steps) s.heartbeatTimeoutSeconds = LONG_HEARTBEAT_SECONDS;
    });
    const train = async () => (await getRun(h.ctx, { runId })).steps.find((s) => s.nodeId === "train")!;
    await expect.poll(async () => (await train()).progress?.iteration ?? 0, { timeout: 90_000, interval: 200 }).toBeGreaterThanOrEqual(10);
    const identity = (await train()).worker!;
    const pid = (await liveWorkers(h.db, 15_000)).find((w) => w.identity === identity)?.pid;
    const stopping = pair.find((w) => w.child.pid === pid)!;
    expect(stopping, `the training worker ${identity} is one of ours`).toBeDefined();

    const exitCode = new Promise<number | null>((r) => stopping.child.once("exit", (code) => r(code)));
    stopping.child.kill("SIGTERM");
    expect(await exitCode).toBe(0);
    const run = await h.waitForRun(runId, (LONG_HEARTBEAT_SECONDS - 60) * 1000);
    expect(run.status).toBe("succeeded");
    const t = run.steps.find((s) => s.nodeId === "train")!;
    expect(t.attempt).toBe(2);
    expect(t.worker).not.toBe(identity);
    expect(t.logs.some((l) => l.message.startsWith("attempt 1 stopped"))).toBe(true);
    expect((await getModel(h.ctx, { name: model })).versions.filter((v) => v.runId === runId)).toHaveLength(1);
  });
});
