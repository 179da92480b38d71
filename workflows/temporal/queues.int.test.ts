/**
 * Heavy steps have their own task queue: with only a light worker, a run's
 * light steps finish and its training waits (it cannot take the light
 * worker's slots); a heavy worker that joins later trains, and the step
 * records say which worker ran what.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactStore } from "../../infra/artifacts";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { getRun } from "../../server/services/runs/get-run";
import { startRun } from "../../server/services/runs/start-run";
import { sixStepSpec, startHarness, type Harness } from "../../testing/temporal-harness";
import { testEnv } from "../../testing/env";
import { createWorker } from "./worker";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ queues: ["light"] });
});
afterAll(async () => {
  await h?.stop();
});

describe("the heavy task queue", () => {
  it("training waits for a heavy worker while light steps run; each step records its worker", async () => {
    const model = `queues-${Math.random().toString(36).slice(2, 8)}`;
    const spec = sixStepSpec({
      name: model,
      source: "sample:boston-housing",
      train: { type: "train.gbdt", config: { task: "regression", target: "medv", nTrees: 30, maxDepth: 3 } },
      conditions: [{ metric: "r2", op: ">=", value: 0 }],
      model,
    });
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    const steps = async () => Object.fromEntries((await getRun(h.ctx, { runId })).steps.map((s) => [s.nodeId, s]));
    await expect.poll(async () => (await steps()).split?.status, { timeout: 60_000, interval: 250 }).toBe("succeeded");
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await steps()).train?.status).toBe("queued"); // nobody polls the heavy queue yet

    const { worker, connection } = await createWorker({
      address: testEnv().TEMPORAL_ADDRESS,
      namespace: testEnv().TEMPORAL_NAMESPACE,
      taskQueue: h.taskQueue,
      queues: ["heavy"],
      deps: { db: h.db, store: new ArtifactStore({ cacheDir: await fs.mkdtemp(path.join(os.tmpdir(), "heavy-worker-")) }), servingUrl: h.servingUrl },
    });
    const running = worker.run();
    try {
      const run = await h.waitForRun(runId, 120_000);
      expect(run.status).toBe("succeeded");
      const byNode = Object.fromEntries(run.steps.map((s) => [s.nodeId, s.worker]));
      expect(byNode).toEqual({
        ingest: h.workerIdentity,
        split: h.workerIdentity,
        train: worker.identity,
        evaluate: h.workerIdentity,
        gate: h.workerIdentity,
        deploy: h.workerIdentity,
      });
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });
});
