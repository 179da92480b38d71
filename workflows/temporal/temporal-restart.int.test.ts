/**
 * The Temporal server restarting during a run does not lose it: the test runs
 * its own dev server with file-backed state (as `npm run dev` does), stops it
 * while a model trains, starts it again on the same file and port, and the run
 * finishes with exactly one model version. A pending approval survives the
 * same restart (and a new worker): the decision after it lets the run finish.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sixStepSpec, startHarness, type Harness } from "../../testing/temporal-harness";
import { freePort } from "../../scripts/process-utils";
import { ensureTemporalCli } from "../../scripts/temporal-cli";
import { spawnTemporalDevServer, waitForTemporal, type TemporalDevServer } from "../../scripts/temporal-dev-server";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { startRun } from "../../server/services/runs/start-run";
import { getModel } from "../../server/services/models/get-model";
import { decideApproval, listApprovals } from "../../server/services/approvals/approvals";
import { liveThreads } from "../ml/thread";

const OUTAGE_MS = Number(process.env.TEMPORAL_OUTAGE_MS ?? 8_000);

let dir: string;
let port: number;
let cli: string;
let server: TemporalDevServer | undefined;
let h: Harness;
const start = async () => {
  server = spawnTemporalDevServer({ cli, port, uiPort: false, dbFilename: path.join(dir, "temporal.sqlite"), detached: false });
  await waitForTemporal(server.address, { timeoutMs: 60_000 });
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-temporal-restart-"));
  port = await freePort();
  cli = await ensureTemporalCli({ log: () => {} });
  await start();
  h = await startHarness({ temporalAddress: server!.address });
});
afterAll(async () => {
  await h?.stop();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the Temporal server restarting during a run", () => {
  it("the run still finishes and registers exactly one model version", async () => {
    const model = `temporal-restart-${Math.random().toString(36).slice(2, 8)}`;
    const spec = sixStepSpec({
      name: model,
      source: "sample:flights-20k",
      split: { strategy: "time", timeColumn: "departure", testFraction: 0.2 },
      train: {
        type: "train.gbdt",
        config: { task: "regression", target: "delay", features: ["hour", "day_of_week", "distance", "origin", "destination"], nTrees: 1200, maxDepth: 8 },
      },
      conditions: [{ metric: "mae", op: "<", value: 1000 }],
      model,
    });
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    await expect.poll(() => liveThreads(), { timeout: 90_000, interval: 20 }).toBe(1);

    const stoppedAt = Date.now();
    await server!.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await start();
    console.log(`[temporal-restart] the server was down ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s`);

    const run = await h.waitForRun(runId, 300_000);
    console.log(
      `[temporal-restart] run ${run.status} ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the stop; train attempt ${run.steps[2]!.attempt}`,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect((await getModel(h.ctx, { name: model })).versions.filter((v) => v.runId === runId)).toHaveLength(1);
  });

  it("a pending approval survives a Temporal restart and a new worker, and the decision after it finishes the run", async () => {
    const model = `approval-restart-${Math.random().toString(36).slice(2, 8)}`;
    const base = sixStepSpec({
      name: model,
      source: "sample:boston-housing",
      train: { type: "train.linear", config: { target: "medv" } },
      conditions: [],
      model,
    });
    const spec = {
      ...base,
      nodes: base.nodes.map((n) => (n.id === "gate" ? { id: "gate", type: "gate.approval", config: { timeout: "1h" } } : n)),
      edges: [...base.edges, { id: "m", source: "train", sourcePort: "model", target: "gate", targetPort: "model" }],
    };
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    const pending = async () => (await listApprovals(h.ctx, { status: "pending" })).find((a) => a.runId === runId);
    await expect.poll(pending, { timeout: 90_000, interval: 200 }).toBeDefined();
    const approval = (await pending())!;

    await server!.stop();
    await new Promise((r) => setTimeout(r, 2_000));
    await start();
    await h.restartWorker();

    await expect
      .poll(() => decideApproval(h.ctx, { id: approval.id, decision: "approve", comment: "after the restart" }).catch((e: unknown) => e), {
        timeout: 60_000,
        interval: 500,
      })
      .toMatchObject({ status: "approved" });
    const run = await h.waitForRun(runId);
    expect(run.status).toBe("succeeded");
    expect((await getModel(h.ctx, { name: model })).aliases.champion).toBe(1);
  });
});
