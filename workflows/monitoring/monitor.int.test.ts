/**
 * The monitor on real PostgreSQL, Temporal, a worker and serving, through
 * the public API: predictions the serving process logged, ground truth sent
 * back, windows computed over known traffic give the figures computed
 * independently from the same rows; an alert rule fires after its N-th
 * window and not before, is POSTed to the webhook, and resolves; a window
 * with no traffic is "no data".
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../testing/temporal-harness";
import { inProcessClient } from "../../testing/api-client";
import { sixStepSpec } from "../../testing/specs";
import { endpoints } from "../../contract/api/endpoints";
import { api } from "../../testing/api";
import type { NumericProfile } from "../../contract/monitoring";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { startRun } from "../../server/services/runs/start-run";
import type { ServiceError } from "../../server/errors";
import { getModelVersion } from "../../db/queries/models";
import { sampleSql } from "../nodes/ingest.csv/sources";
import { withDuckDb } from "../data/duckdb";
import { numericCounts, psi } from "../ml/drift/drift";
import { readProfile } from "./profile-store";
import { ensureMonitorSchedule, MONITOR_SCHEDULE_ID, MONITOR_TICK_SECONDS } from "./schedule";
import { temporalClient } from "../../server/temporal";

const client = inProcessClient();
const model = `monitor-${Math.random().toString(36).slice(2, 8)}`;
const FEATURES = ["rm", "lstat", "ptratio"];
let h: Harness;
type Tract = { rm: number; lstat: number; ptratio: number };
let rows: Tract[];
let profile: { rm: NumericProfile };
const hooks: unknown[] = [];
let hookServer: http.Server;
let hookUrl: string;

beforeAll(async () => {
  h = await startHarness({ localTeam: true });
  hookServer = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hooks.push(JSON.parse(body));
      res.end("ok");
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
  const spec = sixStepSpec({
    name: model,
    source: "sample:boston-housing",
    train: { type: "train.linear", config: { task: "regression", target: "medv", features: FEATURES } },
    conditions: [{ metric: "r2", op: ">=", value: 0 }],
    model,
  });
  const { id } = await savePipeline(h.ctx, { spec });
  const run = await h.waitForRun((await startRun(h.ctx, { pipelineId: id })).runId);
  expect(run.status).toBe("succeeded");
  rows = await withDuckDb(
    async (conn) => (await conn.runAndReadAll(`SELECT rm, lstat, ptratio FROM (${sampleSql("boston-housing")})`)).getRowObjectsJS() as never,
  );
  const v = await getModelVersion(h.db, h.ctx.teamId, model, 1);
  const p = await readProfile(h.store, v!.version.manifest);
  expect(p?.features.map((f) => f.name)).toEqual(FEATURES);
  profile = { rm: p!.features[0] as NumericProfile };
});

afterAll(async () => {
  hookServer?.close();
  await h?.stop();
});

/** Sends rows one a request; returns their request ids and predictions. */
async function send(batch: Tract[]): Promise<{ requestId: string; prediction: number }[]> {
  const out = [];
  for (const [i, instance] of batch.entries()) {
    const requestId = `${model}-${Date.now()}-${i}`;
    const res = await fetch(`${h.servingUrl}/v1/predict/${model}`, {
      method: "POST",
      headers: { "x-request-id": requestId },
      body: JSON.stringify({ instances: [instance] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { predictions: { prediction: number }[] };
    out.push({ requestId, prediction: body.predictions[0]!.prediction });
  }
  return out;
}

const settle = () => new Promise((r) => setTimeout(r, 2500));

async function window(batch: Tract[]) {
  const from = new Date();
  const sent = await send(batch);
  await settle();
  return { from, to: new Date(), sent };
}

const run = (w: { from: Date; to: Date }) => client.call(endpoints.runMonitoring, { name: model, from: w.from.toISOString(), to: w.to.toISOString() });

describe("monitor", () => {
  it("computes known figures over known traffic, fires an alert rule on its second drifted window (not the first), and resolves it", async () => {
    await client.call(endpoints.configureMonitoring, {
      name: model,
      webhookUrl: hookUrl,
      rules: [{ metric: "psi", feature: "rm", op: ">", value: 0.2, forWindows: 2 }],
    });

    // Window A: every 4th tract of the training data (the rows are ordered by town), ground truth exactly 1 above each prediction.
    const calm = rows.filter((_, i) => i % 4 === 0).slice(0, 120);
    const a = await window(calm);
    const feedback = await client.call(endpoints.recordFeedback, {
      name: model,
      feedback: a.sent.map((s) => ({ requestId: s.requestId, value: s.prediction + 1 })),
    });
    expect(feedback).toMatchObject({ recorded: 120, unknown: [] });
    const ra = await run(a);
    expect(ra.window).toMatchObject({ rows: 120, status: "ok" });
    const fa = ra.window.figures!;
    const rm = fa.features.find((f) => f.name === "rm")!;
    const expected = psi(
      profile.rm.counts,
      numericCounts(
        Float64Array.from(calm, (r) => r.rm),
        profile.rm.deciles,
      ).counts,
    );
    expect(rm.psi).toBeCloseTo(expected, 12);
    expect(rm.psi).toBeLessThan(0.2);
    expect(rm.counts.reduce((x, y) => x + y, 0)).toBe(120);
    expect(fa.quality!.labelled).toBe(120);
    expect(fa.quality!.metrics.mae).toBeCloseTo(1, 5);
    expect(fa.quality!.metrics.rmse).toBeCloseTo(1, 5);
    // Each version's quality, live and shadow apart: the deployment page shows the newest window's.
    expect(fa.versionQuality).toEqual([
      { version: 1, mode: "live", rows: 120, labelled: 120, metrics: expect.objectContaining({ mae: expect.closeTo(1, 5) }) },
    ]);
    expect((await client.call(endpoints.getDeployment, { name: model })).quality).toMatchObject({
      windowEnd: a.to,
      versions: [{ version: 1, mode: "live", labelled: 120 }],
    });
    // Serving's figures come in 10-second windows: the ones overlapping the window.
    expect(fa.system.requests).toBeGreaterThanOrEqual(120);
    expect(ra.events).toEqual([]);

    // Windows B and C: rooms 3 larger. The rule needs two drifted windows in a row.
    const drifted = calm.map((r) => ({ ...r, rm: r.rm + 3 }));
    const rb = await run(await window(drifted));
    expect(rb.window.figures!.features.find((f) => f.name === "rm")!.psi).toBeGreaterThan(0.2);
    expect(rb.window.figures!.features.find((f) => f.name === "rm")!.outOfRange).toBeGreaterThan(0);
    expect(rb.events).toEqual([]);
    const rc = await run(await window(drifted));
    expect(rc.events.map((e) => e.kind)).toEqual(["alert.firing"]);
    expect(rc.events[0]).toMatchObject({ metric: "psi", feature: "rm", threshold: 0.2 });
    expect(hooks).toEqual([expect.objectContaining({ deployment: model, kind: "alert.firing", feature: "rm" })]);

    // Window D: calm again, the alert resolves.
    const rd = await run(await window(calm));
    expect(rd.events.map((e) => e.kind)).toEqual(["alert.resolved"]);

    // A window with no traffic: "no data", not zeros.
    const quiet = await run({ from: new Date(Date.now() - 1000), to: new Date() });
    expect(quiet.window).toMatchObject({ rows: 0, status: "no_data", figures: null });

    // The newest window with predictions (D) had no ground truth sent: its quality says so.
    expect((await client.call(endpoints.getDeployment, { name: model })).quality!.versions).toEqual([
      { version: 1, mode: "live", rows: 120, labelled: 0, metrics: {} },
    ]);

    const m = await client.call(endpoints.getMonitoring, { name: model });
    expect(m.windows.filter((w) => w.status === "ok")).toHaveLength(4);
    expect(m.events.map((e) => e.kind)).toEqual(["alert.resolved", "alert.firing"]);
    expect(m.references[0]!.features.map((f) => f.name)).toEqual(FEATURES);
  });

  it("refuses bad input by field: a rule on an unknown metric, a window that ends before it starts, an unknown deployment", async () => {
    const problem = async (method: string, url: string, body?: object) => {
      const res = await api(method, url, body ? { body } : {});
      const e = ((await res.json()) as { error: { message: string; details?: { field: string }[] } }).error;
      return { status: res.status, fields: (e.details ?? []).map((d) => d.field), message: e.message };
    };
    expect(await problem("PUT", `/api/v1/deployments/${model}/monitoring`, { rules: [{ metric: "median", op: ">", value: 1 }] })).toMatchObject({
      status: 422,
      fields: ["rules[0].metric"],
    });
    const backwards = { from: new Date().toISOString(), to: new Date(Date.now() - 1000).toISOString() };
    expect(await problem("POST", `/api/v1/deployments/${model}/monitoring/run`, backwards)).toMatchObject({
      status: 422,
      fields: ["from"],
      message: "from must be before to",
    });
    expect(await problem("GET", "/api/v1/deployments/no-such-deployment/monitoring")).toMatchObject({ status: 404 });
  });

  it("refuses at save a drift trigger on a deployment or a feature that does not exist, naming the field; saves one that fits", async () => {
    const retrain = (trigger: Record<string, unknown>) => ({
      ...sixStepSpec({
        name: `${model}-retrain`,
        source: "sample:boston-housing",
        train: { type: "train.linear", config: { task: "regression", target: "medv", features: FEATURES } },
        conditions: [{ metric: "r2", op: ">=", value: 0 }],
        model,
      }),
      triggers: [{ type: "drift", threshold: 0.2, ...trigger }],
    });
    const refused = (spec: object) =>
      savePipeline(h.ctx, { spec }).then(
        () => null,
        (e: ServiceError) => ({ code: e.code, problems: e.errors.map((x) => x.field) }),
      );
    expect(await refused(retrain({ deployment: "no-such-deployment" }))).toEqual({ code: "invalid", problems: ["triggers[0].deployment"] });
    expect(await refused(retrain({ deployment: model, features: ["rm", "nope"] }))).toEqual({ code: "invalid", problems: ["triggers[0].features[1]"] });
    expect((await savePipeline(h.ctx, { spec: retrain({ deployment: model, features: ["rm"] }) })).version).toBe(1);
  });

  it("the monitor's schedule: created once however many workers start, and its tick computes each deployment's newest whole window", async () => {
    const temporal = await temporalClient();
    await ensureMonitorSchedule(temporal, h.taskQueue);
    await ensureMonitorSchedule(temporal, h.taskQueue); // a second worker: no error, one schedule
    const schedule = temporal.schedule.getHandle(MONITOR_SCHEDULE_ID);
    try {
      expect((await schedule.describe()).spec.intervals).toMatchObject([{ every: MONITOR_TICK_SECONDS * 1000 }]);
      await client.call(endpoints.configureMonitoring, { name: model, intervalSeconds: 60 });
    } finally {
      await schedule.delete();
    }
    const tick = await temporal.workflow.execute("monitorTick", { taskQueue: h.taskQueue, workflowId: `tick-${model}-${Date.now()}`, args: [] });
    expect((tick as { windows: number }).windows).toBeGreaterThanOrEqual(1);
    const m = await client.call(endpoints.getMonitoring, { name: model });
    const minute = m.windows.filter((w) => new Date(w.end).getTime() - new Date(w.start).getTime() === 60_000);
    expect(minute).toHaveLength(1);
    expect(new Date(minute[0]!.start).getTime() % 60_000).toBe(0);
  });

  it("ingest.predictions refuses a range with too few labelled predictions, saying how many it found and needs", async () => {
    const spec = {
      apiVersion: "conveyor/v1",
      name: `${model}-ingest`,
      nodes: [{ id: "logged", type: "ingest.predictions", config: { deployment: model, from: "1h", minRows: 100_000 } }],
      edges: [],
    };
    const { id } = await savePipeline(h.ctx, { spec });
    const run = await h.waitForRun((await startRun(h.ctx, { pipelineId: id })).runId);
    expect(run.status).toBe("failed");
    expect(run.steps[0]!.error).toMatch(/labelled predictions in that range; at least 100000 are needed/);
  });
});
