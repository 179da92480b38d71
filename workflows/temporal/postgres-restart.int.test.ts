/**
 * PostgreSQL restarting during a run does not fail it: the step's writes and
 * the next steps' are retried while the database is down (transient errors,
 * failures.ts), the run finishes, registers exactly one model version, and no
 * message anywhere carries SQL. The test runs its own embedded PostgreSQL
 * (scripts/postgres.ts) so it can stop and start it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flightsTrainingSpec, startHarness, type Harness } from "../../testing/temporal-harness";
import { startEmbeddedPostgres, type RunningPostgres } from "../../scripts/postgres";
import { freePort } from "../../scripts/process-utils";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { startRun } from "../../server/services/runs/start-run";
import { getModel } from "../../server/services/models/get-model";
import { liveThreads } from "../ml/thread";

/** PG_OUTAGE_MS: a longer outage for a run by hand (e.g. 25000, the operator's). */
const OUTAGE_MS = Number(process.env.PG_OUTAGE_MS ?? 10_000);

/** True when the worker has written a model.onnx since `t`: into its store's directory, or its cache of S3 objects. */
function modelStoredSince(t: number): boolean {
  const roots = [h.store.cache.dir, ...(h.store.location.kind === "file" ? [h.store.location.dir] : [])];
  return roots.some((root) => {
    const dir = path.join(root, "sha256");
    if (!fs.existsSync(dir)) return false;
    return fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .some((e) => e.isFile() && e.name === "model.onnx" && fs.statSync(path.join(e.parentPath, e.name)).mtimeMs >= t);
  });
}

let dir: string;
let port: number;
let pg: RunningPostgres | undefined;
let h: Harness;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-pg-restart-"));
  port = await freePort();
  pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port });
  h = await startHarness({ databaseUrl: pg.url });
});
afterAll(async () => {
  await h?.stop();
  await pg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("PostgreSQL restarting during training", () => {
  it("the run still finishes and registers exactly one model version; no message carries SQL", async () => {
    const model = `pg-restart-${Math.random().toString(36).slice(2, 8)}`;
    const spec = flightsTrainingSpec(model, { nTrees: 1500, subsample: 0.8 });
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    // The training thread of this process's worker has started: the step reads its data before, from files.
    await expect.poll(() => liveThreads(), { timeout: 90_000, interval: 20 }).toBe(1);

    // Down while the model trains (the thread needs no database) and past its end, when the step writes
    // its results: at least OUTAGE_MS, and 15 s more than it takes to train and store the model (an S3
    // upload with ARTIFACT_URI=s3://…, which can take seconds on a busy machine).
    const stoppedAt = Date.now();
    await pg!.stop();
    pg = undefined;
    let storedAt: number | undefined;
    while (Date.now() - stoppedAt < OUTAGE_MS || storedAt === undefined || Date.now() - storedAt < 15_000) {
      if (storedAt === undefined && liveThreads() === 0 && modelStoredSince(stoppedAt)) storedAt = Date.now();
      await new Promise((r) => setTimeout(r, 50));
    }
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port });
    console.log(`[pg-restart] PostgreSQL was down ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s`);

    const run = await h.waitForRun(runId, 300_000);
    console.log(
      `[pg-restart] run ${run.status} ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the stop; train: attempt ${run.steps[2]!.attempt}; steps ended (s after the stop): ${run.steps.map((s) => `${s.nodeId} ${((new Date(s.finishedAt!).getTime() - stoppedAt) / 1000).toFixed(1)}`).join(", ")}; logs: ${JSON.stringify(run.steps.flatMap((s) => s.logs.filter((l) => l.level !== "info").map((l) => `${s.nodeId}: ${l.message}`)))}`,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    const registered = await getModel(h.ctx, { name: model });
    expect(registered.versions.filter((v) => v.runId === runId)).toHaveLength(1);
    // The outage hit the end of the training: writing the results was retried, and said so without SQL.
    expect(run.steps[2]!.logs.map((l) => l.message)).toContainEqual(expect.stringMatching(/^could not record the results \(.+\); trying again$/));
    const texts = [run.error ?? "", ...run.steps.flatMap((s) => [s.error ?? "", ...s.logs.map((l) => l.message)])].join("\n");
    expect(texts).not.toMatch(/Failed query|select |insert into|update "/i);
  });
});
