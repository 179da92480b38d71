/**
 * Retention of the prediction log: pruneLoggedPredictions deletes logged
 * predictions and feedback older than each deployment's
 * `monitoring.retentionDays`, in batches, and nothing newer or of another
 * deployment.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactStore } from "../../infra/artifacts";
import { linearTestModel } from "../../testing/models";
import { deployTestModel, startTestDatabase, type TestDatabase } from "../../testing/serving-database";
import { deployments } from "../schema";
import { copyPredictionLog, copyText, predictionLogRows, pruneLoggedPredictions, recordPredictionFeedback, type PredictionBatchData } from "./prediction-log";

const suffix = crypto.randomBytes(4).toString("hex");
let tdb: TestDatabase;
let artifactDir: string;
const id: Record<"short" | "long", string> = { short: "", long: "" };
const DAY = 86_400_000;
const now = new Date("2026-12-01T12:00:00Z");

beforeAll(async () => {
  tdb = await startTestDatabase();
  artifactDir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-retention-"));
  const store = new ArtifactStore(artifactDir);
  for (const k of ["short", "long"] as const) {
    const name = `ret-${k}-${suffix}`;
    await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: name, modelName: `ret-${k}-model-${suffix}`, model: linearTestModel() });
    const [d] = await tdb.db
      .update(deployments)
      .set({ monitoring: { intervalSeconds: 3600, retentionDays: k === "short" ? 2 : 30, enabled: true } })
      .where(eq(deployments.name, name))
      .returning({ id: deployments.id });
    id[k] = d!.id;
  }
});

afterAll(async () => {
  await tdb?.stop();
  if (artifactDir) await fsp.rm(artifactDir, { recursive: true, force: true });
});

/** `n` logged rows of `deploymentId`, `ageDays` before `now`, under request ids `${prefix}-i` (callers' ids: indexed): COPY lines of batches of 2 rows. */
function lines(deploymentId: string, prefix: string, n: number, ageDays: number): string[] {
  const at = new Date(now.getTime() - ageDays * DAY).toISOString();
  const out: string[] = [];
  for (let i0 = 0; i0 < n; i0 += 2) {
    const idx = Array.from({ length: Math.min(2, n - i0) }, (_, k) => i0 + k);
    const data: PredictionBatchData = {
      at: idx.map(() => 0),
      latencyMs: idx.map(() => 0.5),
      inputs: { x: idx, s: idx.map(() => "a\\b") },
      outputs: { prediction: idx.map(() => 1) },
    };
    const ids = idx.map((i) => `"${prefix}-${i}"`).join(",");
    out.push(`${deploymentId}\t1\tlive\t${idx.length}\t${at}\t${at}\t{${ids}}\t{${idx.map(() => 0).join(",")}}\t{${ids}}\t${copyText(JSON.stringify(data))}\n`);
  }
  return out;
}

async function counts(deploymentId: string) {
  const [r] = await tdb.db.execute<{ p: string; f: string }>(sql`
    select (select coalesce(sum(row_count), 0) from prediction_log_batches where deployment_id = ${deploymentId}) as p,
           (select count(*) from prediction_feedback where deployment_id = ${deploymentId}) as f`);
  return { predictions: Number(r!.p), feedback: Number(r!.f) };
}

describe("pruneLoggedPredictions", () => {
  it("deletes rows older than each deployment's retention, in batches, and keeps the rest", async () => {
    // short (2 days): 7 rows 3 days old, 4 rows 1 day old; long (30 days): 5 rows 3 days old, 2 rows 40 days old.
    await copyPredictionLog(tdb.db, [...lines(id.short, "old", 7, 3), ...lines(id.short, "new", 4, 1)]);
    await copyPredictionLog(tdb.db, [...lines(id.long, "old", 5, 3), ...lines(id.long, "ancient", 2, 40)]);
    const fb = (prefix: string, n: number, ageDays: number) =>
      Array.from({ length: n }, (_, i) => ({ requestId: `${prefix}-${i}`, row: 0, label: null, value: i, at: new Date(now.getTime() - ageDays * DAY) }));
    expect(await recordPredictionFeedback(tdb.db, id.short, [...fb("old", 7, 3), ...fb("new", 2, 0.5)])).toEqual({ recorded: 9, unknown: [] });
    expect(await recordPredictionFeedback(tdb.db, id.long, [...fb("old", 3, 3), ...fb("ancient", 2, 40)])).toEqual({ recorded: 5, unknown: [] });
    expect(await counts(id.short)).toEqual({ predictions: 11, feedback: 9 });

    const gone = await pruneLoggedPredictions(tdb.db, now, { batch: 3 });
    expect(gone).toMatchObject({ predictions: 7 + 2, feedback: 7 + 2 });
    expect(await counts(id.short)).toEqual({ predictions: 4, feedback: 2 });
    expect(await counts(id.long)).toEqual({ predictions: 5, feedback: 3 });
    const left = await predictionLogRows(tdb.db, id.short);
    expect(left.map((r) => r.requestId)).toEqual(["new-0", "new-1", "new-2", "new-3"]);
    expect(left[0]!.inputs).toEqual({ x: 0, s: "a\\b" });
    // Again: nothing more to delete.
    expect(await pruneLoggedPredictions(tdb.db, now, { batch: 3 })).toMatchObject({ predictions: 0, feedback: 0 });
  });
});
