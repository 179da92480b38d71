/**
 * The prediction log against a real PostgreSQL: every answered row (live and
 * shadow) lands in prediction_log with its request id, row, version, inputs
 * and outputs; nothing is lost while the queue has room; a stalled store
 * makes it drop rows (counted in /metrics) without slowing or failing a
 * request; a deployment whose monitoring is off logs nothing; close() writes
 * what is queued.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/client";
import { changeDeployment, upsertDeployment } from "../../db/queries/deployments";
import { predictionLogRows } from "../../db/queries/prediction-log";
import { ArtifactStore } from "../../infra/artifacts";
import { silentLogger } from "../../infra/log";
import { classifierTestModel, linearTestExpected, linearTestModel } from "../../testing/models";
import { deployTestModel, registerTestVersion, startTestDatabase, type TestDatabase } from "../../testing/serving-database";
import { countLogged, deploymentIdOf, lockPredictionLog, setMonitoring } from "../../testing/prediction-log";
import { createServingServer, type ServingServer } from "./server";

const suffix = crypto.randomBytes(4).toString("hex");
const lin = `plog-lin-${suffix}`;
const shadowed = `plog-shadow-${suffix}`;
const quiet = `plog-off-${suffix}`;
const cls = `plog-cls-${suffix}`;

let tdb: TestDatabase;
let artifactDir: string;
let store: ArtifactStore;
let servingDb: Db;
let serving: ServingServer;
let base: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  tdb = await startTestDatabase();
  artifactDir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-plog-artifacts-"));
  store = new ArtifactStore(artifactDir);
  const { modelId } = await deployTestModel(tdb.db, store, {
    teamId: tdb.teamId,
    deployment: lin,
    modelName: `plog-model-${suffix}`,
    model: linearTestModel(),
  });
  // A second version as the shadow of another deployment of the same model.
  const { version: v2 } = await registerTestVersion(tdb.db, store, {
    teamId: tdb.teamId,
    modelName: `plog-model-${suffix}`,
    model: linearTestModel({ weight: 3 }),
  });
  for (const name of [shadowed, quiet]) {
    await upsertDeployment(tdb.db, { teamId: tdb.teamId, name, modelId, alias: "champion", strategy: "replace", actor: "test", reason: "fixture" });
  }
  await changeDeployment(tdb.db, { teamId: tdb.teamId, name: shadowed }, async () => ({
    routes: [
      { alias: "champion", weight: 100, mode: "live" },
      { version: v2, weight: 0, mode: "shadow" },
    ],
    rollout: null,
    kind: "updated",
    actor: "test",
    reason: "shadow",
  }));
  await setMonitoring(tdb.db, quiet, { intervalSeconds: 3600, retentionDays: 30, enabled: false });
  await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: cls, modelName: `plog-cls-model-${suffix}`, model: classifierTestModel() });
  for (const name of [lin, shadowed, quiet, cls]) ids[name] = await deploymentIdOf(tdb.db, name);
  servingDb = createDb(tdb.url, { max: 4 });
  serving = createServingServer({ db: servingDb, store, logger: silentLogger(), predictionLog: { flushMs: 100 } });
  base = (await serving.listen(0)).url;
});

afterAll(async () => {
  await serving?.close();
  await servingDb?.$client.end({ timeout: 5 });
  await tdb?.stop();
  if (artifactDir) await fsp.rm(artifactDir, { recursive: true, force: true });
});

async function post(url: string, body: unknown, requestId?: string): Promise<{ status: number; json: any; requestId: string | null }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(requestId ? { "x-request-id": requestId } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json(), requestId: res.headers.get("x-request-id") };
}

/** Waits until the server's queue is empty (everything written). */
async function drained(s: ServingServer, budgetMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (s.predictionLog.depth() > 0) {
    if (Date.now() - t0 > budgetMs) throw new Error(`the prediction log still holds ${s.predictionLog.depth()} rows`);
    await s.predictionLog.flush();
    await new Promise((r) => setTimeout(r, 20));
  }
}

function metric(text: string, name: string, deployment: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{deployment="${deployment}"}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

const count = (deploymentId: string) => countLogged(tdb.db, deploymentId);

describe("prediction log", () => {
  it("logs every row of concurrent requests: 20,000 rows, right ids, rows, versions, inputs and outputs", async () => {
    const requests = 400;
    const rowsPer = 50;
    const xs = (q: number) => Array.from({ length: rowsPer }, (_, r) => (r === 7 ? null : q + r / 10));
    const ss = (q: number) => Array.from({ length: rowsPer }, (_, r) => (r === 3 ? null : r % 2 ? "a" : `b"\\${q}`));
    let next = 0;
    const answered: string[] = [];
    // 16 clients at once; half OIP infer (client-chosen x-request-id), half /v1/predict (the server's id, from its answer).
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < requests) {
          const q = next++;
          const x = xs(q);
          const s = ss(q);
          if (q % 2 === 0) {
            const id = `req-${suffix}-${q}`;
            const r = await post(
              `${base}/v2/models/${lin}/infer`,
              {
                inputs: [
                  { name: "x", shape: [rowsPer, 1], datatype: "FP32", data: x },
                  { name: "s", shape: [rowsPer, 1], datatype: "BYTES", data: s },
                ],
              },
              id,
            );
            expect(r.status).toBe(200);
            expect(r.requestId).toBe(id);
            answered[q] = id;
          } else {
            const r = await post(`${base}/v1/predict/${lin}`, { instances: x.map((xv, i) => ({ x: xv, s: s[i] })) });
            expect(r.status).toBe(200);
            expect(r.json.request_id).toBe(r.requestId);
            answered[q] = r.json.request_id as string;
          }
        }
      }),
    );
    await drained(serving);
    const logged = await predictionLogRows(tdb.db, ids[lin]!);
    expect(logged.length).toBe(requests * rowsPer);
    const byKey = new Map(logged.map((l) => [`${l.requestId}/${l.row}`, l]));
    expect(byKey.size).toBe(requests * rowsPer);
    for (let q = 0; q < requests; q++) {
      const x = xs(q);
      const s = ss(q);
      for (let r = 0; r < rowsPer; r++) {
        const l = byKey.get(`${answered[q]}/${r}`);
        expect(l, `request ${q} row ${r}`).toBeDefined();
        expect(l!.version).toBe(1);
        expect(l!.mode).toBe("live");
        // Numbers as the client wrote them (the float32 the model ran on, in its shortest form); missing values as null.
        expect(l!.inputs).toEqual({ x: x[r] === null ? null : Number(x[r]!.toPrecision(7)), s: s[r] });
        expect(l!.outputs).toEqual({ prediction: expect.any(Number) });
        expect(Math.fround(l!.outputs.prediction as number)).toBe(linearTestExpected(x[r]!, s[r]!));
        expect(l!.latencyMs).toBeGreaterThanOrEqual(0);
      }
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metric(metrics, "conveyor_prediction_log_written_total", lin)).toBe(requests * rowsPer);
    expect(metric(metrics, "conveyor_prediction_log_dropped_total", lin)).toBe(0);
  });

  it("logs shadow answers with mode shadow under the same request id and row", async () => {
    const r = await post(
      `${base}/v1/predict/${shadowed}`,
      {
        instances: [
          { x: 1, s: "a" },
          { x: 2, s: "b" },
        ],
      },
      `shadow-${suffix}`,
    );
    expect(r.status).toBe(200);
    const t0 = Date.now();
    while ((await count(ids[shadowed]!)) < 4 && Date.now() - t0 < 10_000) {
      await serving.predictionLog.flush();
      await new Promise((res) => setTimeout(res, 50));
    }
    const logged = await predictionLogRows(tdb.db, ids[shadowed]!);
    const rows = logged
      .map((l) => [l.requestId, l.row, l.version, l.mode, l.outputs.prediction])
      .sort((a, b) => String(a[3]).localeCompare(String(b[3])) || Number(a[1]) - Number(b[1]));
    expect(rows).toEqual([
      [`shadow-${suffix}`, 0, 1, "live", linearTestExpected(1, "a")],
      [`shadow-${suffix}`, 1, 1, "live", linearTestExpected(2, "b")],
      [`shadow-${suffix}`, 0, 2, "shadow", linearTestExpected(1, "a", { weight: 3 })],
      [`shadow-${suffix}`, 1, 2, "shadow", linearTestExpected(2, "b", { weight: 3 })],
    ]);
  });

  it("logs a classifier's label and probabilities", async () => {
    const r = await post(`${base}/v1/predict/${cls}`, { instances: [{ x: 2 }, { x: -1 }] });
    expect(r.status).toBe(200);
    await drained(serving);
    const logged = await predictionLogRows(tdb.db, ids[cls]!);
    expect(logged.map((l) => [l.row, l.inputs, l.outputs.label, (l.outputs.probabilities as number[]).length])).toEqual([
      [0, { x: 2 }, "yes", 2],
      [1, { x: -1 }, "no", 2],
    ]);
    const p = logged[0]!.outputs.probabilities as number[];
    expect(p[0]! + p[1]!).toBeCloseTo(1, 5);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-4)), 5);
  });

  it("logs nothing for a deployment whose monitoring is off", async () => {
    for (let i = 0; i < 5; i++) expect((await post(`${base}/v1/predict/${quiet}`, { instances: [{ x: i, s: "a" }] })).status).toBe(200);
    await drained(serving);
    expect(await count(ids[quiet]!)).toBe(0);
  });

  it("drops and counts rows when the store stalls, answering every request at once", async () => {
    const name = lin;
    const small = createServingServer({ db: servingDb, store, logger: silentLogger(), predictionLog: { maxRows: 100, batchRows: 40, flushMs: 20 } });
    const url = (await small.listen(0)).url;
    const before = await count(ids[name]!);
    // Another session holds the table: every COPY waits for it.
    const locker = createDb(tdb.url, { max: 1 });
    const lock = await lockPredictionLog(locker);
    try {
      const total = 500;
      const t0 = performance.now();
      for (let i = 0; i < total; i++) {
        const r = await post(`${url}/v1/predict/${name}`, { instances: [{ x: i, s: "a" }] });
        expect(r.status).toBe(200);
      }
      const perRequest = (performance.now() - t0) / total;
      // Nothing waits on the store: a request takes what it takes without logging (a few ms at most here).
      expect(perRequest).toBeLessThan(50);
      expect(small.predictionLog.depth()).toBeLessThanOrEqual(100);
      const during = await (await fetch(`${url}/metrics`)).text();
      expect(metric(during, "conveyor_prediction_log_dropped_total", name)).toBeGreaterThanOrEqual(total - 100);
      expect(during).toContain("conveyor_prediction_log_queue_rows 100");
      await lock.release();
      await drained(small);
      const after = await (await fetch(`${url}/metrics`)).text();
      const written = metric(after, "conveyor_prediction_log_written_total", name);
      const dropped = metric(after, "conveyor_prediction_log_dropped_total", name);
      expect(written + dropped).toBe(total);
      expect(dropped).toBe(total - 100);
      expect((await count(ids[name]!)) - before).toBe(written);
    } finally {
      await lock.release().catch(() => {});
      await locker.$client.end({ timeout: 5 });
      await small.close();
    }
  });

  it("writes what is queued when the server closes", async () => {
    const lazy = createServingServer({ db: servingDb, store, logger: silentLogger(), predictionLog: { flushMs: 600_000, batchRows: 100_000 } });
    const url = (await lazy.listen(0)).url;
    const before = await count(ids[lin]!);
    for (let i = 0; i < 10; i++) expect((await post(`${url}/v1/predict/${lin}`, { instances: [{ x: i, s: "b" }] })).status).toBe(200);
    expect(lazy.predictionLog.depth()).toBe(10);
    expect(await count(ids[lin]!)).toBe(before);
    await lazy.close();
    expect(await count(ids[lin]!)).toBe(before + 10);
  });
});
