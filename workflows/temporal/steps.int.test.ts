/**
 * Long and crashing steps on the real Temporal dev server and PostgreSQL:
 * step writes fenced by attempt; an attempt that outlived its heartbeat
 * timeout never writes its results; a step longer than three heartbeat
 * timeouts completes because every step heartbeats; a cancelled run stops its
 * training thread within seconds, says so on the step and registers nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Context } from "@temporalio/activity";
import { flightsTrainingSpec, sixStepSpec, startHarness, startPlanRun, type Harness } from "../../testing/temporal-harness";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { startRun } from "../../server/services/runs/start-run";
import { cancelRun } from "../../server/services/runs/cancel-run";
import { getModel } from "../../server/services/models/get-model";
import { getRun } from "../../server/services/runs/get-run";
import { ServiceError } from "../../server/errors";
import { claimStep, createRun, finishStep, getCachedOutputs, getRun as queryRun, reportStepProgress, setRunStatus, stepHolder } from "../../db/queries/runs";
import { liveThreads } from "../ml/thread";
import type { NodeActivity } from "../nodes/step-context";
import type { PlanStep } from "../compiler/plan";
import type { DecisionRef } from "../spec/refs";
import { stepCacheKey } from "./activities";

const uid = () => Math.random().toString(36).slice(2, 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const decision = (why: string): { decision: DecisionRef } => ({ decision: { kind: "decision", passed: true, reasons: [why], metrics: {} } });

/** Attempt 1 blocks its event loop longer than its 2 s heartbeat timeout, then returns at once; later attempts return at once. */
const late: NodeActivity = async () => {
  const { attempt } = Context.current().info;
  if (attempt === 1) {
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      // busy: no timer runs, so no heartbeat leaves this worker
    }
  }
  return decision(`attempt ${attempt}`);
};

/** Runs three times its 2 s heartbeat timeout without heartbeating itself. */
const long: NodeActivity = async () => {
  await sleep(6_500);
  return decision(`attempt ${Context.current().info.attempt}`);
};

/** Fails like an unreachable database on attempts 1–3, then works. */
const flaky: NodeActivity = async () => {
  const { attempt } = Context.current().info;
  if (attempt <= 3) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5433"), { code: "ECONNREFUSED", errno: -111, syscall: "connect" });
  return decision(`attempt ${attempt}`);
};

/** A query that always fails (not the infrastructure's fault): its SQL must never reach a person. */
const broken: NodeActivity = async (ctx) => {
  await queryRun(ctx.deps.db, ctx.teamId, "not-a-uuid");
  return decision("unreachable");
};

const testStep = (type: string, over: Partial<PlanStep> = {}): PlanStep => ({
  nodeId: "s",
  type,
  version: 1,
  label: type,
  config: { nonce: uid() },
  inputs: {},
  dependsOn: [],
  cacheable: true,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 60,
  heartbeatTimeoutSeconds: 2,
  ...over,
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ nodeActivities: { "test.late@1": late, "test.long@1": long, "test.flaky@1": flaky, "test.broken@1": broken } });
});
afterAll(async () => {
  await h?.stop();
});

describe("long and crashing steps", () => {
  it("step writes are fenced by attempt: once a newer attempt holds the step, or the run closed it, an older attempt writes nothing", async () => {
    const name = `fence-${uid()}`;
    const { id } = await savePipeline(h.ctx, {
      spec: sixStepSpec({
        name,
        source: "sample:penguins",
        train: { type: "train.linear", config: { task: "classification", target: "species" } },
        conditions: [{ metric: "accuracy", op: ">=", value: 0 }],
        model: name,
      }),
    });
    const run = await createRun(h.db, {
      teamId: h.ctx.teamId,
      pipelineId: id,
      pipelineVersion: 1,
      workflowId: `wf-${name}`,
      params: {},
      trigger: "api",
      steps: [
        { nodeId: "a", type: "t" },
        { nodeId: "b", type: "t" },
      ],
    });
    const progress = (attempt: number) => ({ phase: "training", iteration: 1, total: 2, attempt, updatedAt: new Date().toISOString() });
    const cache = (key: string, why: string) => ({ key, teamId: h.ctx.teamId, nodeType: "t", outputs: decision(why), runId: run.id });
    const [k1, k2] = [`fence-1-${uid()}`, `fence-2-${uid()}`];

    expect(await claimStep(h.db, run.id, "a", 1)).toBe(true);
    expect(await reportStepProgress(h.db, run.id, "a", 1, progress(1))).toBe(true);
    expect(await claimStep(h.db, run.id, "a", 2)).toBe(true);
    // attempt 1 is stale now: none of its writes land
    expect(await claimStep(h.db, run.id, "a", 1)).toBe(false);
    expect(await reportStepProgress(h.db, run.id, "a", 1, progress(1))).toBe(false);
    const metric = { runId: run.id, nodeId: "a", key: "late", step: 0, value: 1 };
    expect(
      await finishStep(h.db, {
        runId: run.id,
        nodeId: "a",
        attempt: 1,
        status: "succeeded",
        outputs: decision("attempt 1"),
        metrics: [metric],
        cache: cache(k1, "attempt 1"),
      }),
    ).toBe(false);
    let row = (await getRun(h.ctx, { runId: run.id })).steps.find((s) => s.nodeId === "a")!;
    expect(row).toMatchObject({ status: "running", attempt: 2, outputs: null, progress: null });
    expect(await getCachedOutputs(h.db, k1)).toBeNull();
    expect((await getRun(h.ctx, { runId: run.id })).metrics).toEqual([]);
    // the owner's writes do
    expect(
      await finishStep(h.db, { runId: run.id, nodeId: "a", attempt: 2, status: "succeeded", outputs: decision("attempt 2"), cache: cache(k2, "attempt 2") }),
    ).toBe(true);
    row = (await getRun(h.ctx, { runId: run.id })).steps.find((s) => s.nodeId === "a")!;
    expect(row).toMatchObject({ status: "succeeded", attempt: 2, outputs: decision("attempt 2") });
    expect((await getCachedOutputs(h.db, k2))?.outputs).toEqual(decision("attempt 2"));
    // a finished step stays finished
    expect(await finishStep(h.db, { runId: run.id, nodeId: "a", attempt: 2, status: "cancelled" })).toBe(false);

    // A run that ends closes its open steps; their attempts cannot reopen or finish them.
    expect(await claimStep(h.db, run.id, "b", 1)).toBe(true);
    await setRunStatus(h.db, run.id, "cancelled", "cancelled");
    expect(await stepHolder(h.db, run.id, "b")).toEqual({ status: "cancelled", attempt: 1 });
    expect(await finishStep(h.db, { runId: run.id, nodeId: "b", attempt: 1, status: "succeeded", outputs: decision("late") })).toBe(false);
    expect(await claimStep(h.db, run.id, "b", 2)).toBe(false);
    expect(await stepHolder(h.db, run.id, "b")).toEqual({ status: "cancelled", attempt: 1 });
  });

  it("an attempt that outlived its heartbeat timeout cannot write its results; the next attempt's are the step's and the cache's", async () => {
    const step = testStep("test.late");
    const { runId, input } = await startPlanRun(h, [step]);
    const run = await h.waitForRun(runId, 60_000);
    expect(run.status).toBe("succeeded");
    const s = run.steps[0]!;
    expect(s.status).toBe("succeeded");
    expect(s.attempt).toBe(2);
    expect(s.outputs).toEqual(decision("attempt 2"));
    // attempt 1 came back after the server had given it up: it said so and wrote nothing
    expect(s.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^attempt 1 went \d+\.\d s without a heartbeat \(timeout 2 s\): the server has given it up, so its results are discarded$/),
    );
    const cached = await getCachedOutputs(h.db, stepCacheKey({ run: input, step, params: {}, inputs: {} }));
    expect(cached?.outputs).toEqual(decision("attempt 2"));
  });

  it("a step that runs three times its heartbeat timeout completes on its first attempt: every step heartbeats while it runs", async () => {
    const { runId } = await startPlanRun(h, [testStep("test.long")]);
    const run = await h.waitForRun(runId, 60_000);
    expect(run.status).toBe("succeeded");
    const s = run.steps[0]!;
    expect(s.attempt).toBe(1);
    expect(s.outputs).toEqual(decision("attempt 1"));
    expect(new Date(s.finishedAt!).getTime() - new Date(s.startedAt!).getTime()).toBeGreaterThan(6_000);
  });

  it("retries fit the failure: an unreachable database is retried past the node's attempts, other errors stop at them, and no SQL is shown", async () => {
    const flakyRun = await startPlanRun(h, [testStep("test.flaky", { retry: { maximumAttempts: 1 }, heartbeatTimeoutSeconds: undefined })]);
    const brokenRun = await startPlanRun(h, [testStep("test.broken", { retry: { maximumAttempts: 2 }, heartbeatTimeoutSeconds: undefined })]);

    const ok = await h.waitForRun(flakyRun.runId, 60_000);
    expect(ok.status).toBe("succeeded");
    expect(ok.steps[0]).toMatchObject({ status: "succeeded", attempt: 4, outputs: decision("attempt 4") });
    const lines = ok.steps[0]!.logs.map((l) => l.message);
    expect(lines).toContain("attempt 1 failed: connect ECONNREFUSED 127.0.0.1:5433; the infrastructure is unavailable, retrying with backoff");
    // backoff: 1 s, 2 s, 4 s between the attempts
    const started = ok.steps[0]!.logs.filter((l) => /^attempt \d$/.test(l.message)).map((l) => new Date(l.ts).getTime());
    expect(started).toHaveLength(3);
    expect(started[2]! - started[1]!).toBeGreaterThan(3_000);

    const failed = await h.waitForRun(brokenRun.runId, 60_000);
    expect(failed.status).toBe("failed");
    expect(failed.steps[0]).toMatchObject({ status: "failed", attempt: 2, error: 'invalid input syntax for type uuid: "not-a-uuid"' });
    expect(failed.error).toBe('s: invalid input syntax for type uuid: "not-a-uuid"');
    const shown = [failed.error, ...failed.steps[0]!.logs.map((l) => l.message)].join("\n");
    expect(shown).not.toMatch(/Failed query|select|from "runs"/i);
  });

  it("a cancelled run stops its training thread within seconds: the step and run say cancelled, nothing is registered", async () => {
    const model = `cancel-${uid()}`;
    const spec = flightsTrainingSpec(model, { nTrees: 5000, subsample: 0.8 });
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    const train = async () => (await getRun(h.ctx, { runId })).steps.find((s) => s.nodeId === "train")!;

    // Training reports its progress on the step: tree i of 5000 and the time left (~25 s of training).
    await expect.poll(async () => (await train()).progress?.iteration ?? 0, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(20);
    const progress = (await train()).progress!;
    expect(progress).toMatchObject({ phase: "training", unit: "tree", total: 5000, attempt: 1 });
    expect(progress.etaSeconds).toBeGreaterThan(0);
    expect(liveThreads()).toBe(1);
    // CPU of this process (all its threads) per second, while training and after the cancel.
    // (The machine is shared, so the training thread gets what it gets: compare, don't expect a core.)
    const cpuPerSecond = async () => {
      const c0 = process.cpuUsage();
      await sleep(2_000);
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000 / 2;
    };
    const busy = await cpuPerSecond();

    const t0 = performance.now();
    await cancelRun(h.ctx, { runId });
    for (;;) {
      if ((await train()).status === "cancelled" && liveThreads() === 0) break;
      if (performance.now() - t0 > 10_000) throw new Error(`not stopped after 10 s: step ${(await train()).status}, ${liveThreads()} training thread(s)`);
      await sleep(50);
    }
    const stoppedMs = performance.now() - t0;
    console.log(`[cancel] the training step stopped ${Math.round(stoppedMs)} ms after the cancel request`);
    expect(stoppedMs).toBeLessThan(5_000);
    await sleep(300);
    const idle = await cpuPerSecond();
    console.log(`[cancel] CPU of the test process: ${Math.round(busy)} ms/s while training, ${Math.round(idle)} ms/s after the cancel`);
    expect(idle).toBeLessThan(busy / 2); // nothing trains any more

    const run = await h.waitForRun(runId, 30_000);
    expect(run.status).toBe("cancelled");
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["ingest", "succeeded"],
      ["split", "succeeded"],
      ["train", "cancelled"],
      ["evaluate", "cancelled"],
      ["gate", "cancelled"],
      ["deploy", "cancelled"],
    ]);
    const t = run.steps.find((s) => s.nodeId === "train")!;
    await expect
      .poll(async () => (await train()).logs.map((l) => l.message), { timeout: 5_000 })
      .toContainEqual(expect.stringMatching(/^cancelled at tree \d+ \/ 5000$/));
    expect(t.outputs).toBeNull();
    await expect(getModel(h.ctx, { name: model })).rejects.toThrow(ServiceError);
  });
});
