/**
 * The API contract: every endpoint of contract/api/endpoints.ts has its route
 * module and is exercised here through it, every answer matches the OpenAPI
 * document (testing/api.ts checks each one), errors have one shape, and no
 * answer carries SQL, a stack trace or a server path — including for the
 * inputs a fuzzer found to break things (deep JSON, NUL characters, numbers
 * beyond PostgreSQL's integers).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoints, type Endpoint } from "../../contract/api/endpoints";
import { startHarness, type Harness } from "../../testing/temporal-harness";
import { api, apiJson, calls } from "../../testing/api";
import boston from "../../contract/templates/boston-housing.pipeline.json";

const root = path.resolve(__dirname, "../..");
const suffix = Math.random().toString(36).slice(2, 8);
const name = `contract-${suffix}`;
const spec = () => {
  const s = structuredClone(boston) as Omit<typeof boston, "nodes"> & { nodes: { id: string; config: Record<string, unknown> }[] };
  s.name = name;
  s.nodes.find((n) => n.id === "deploy")!.config = { model: name };
  return s;
};

/** Text that must never reach a client. */
function assertNoLeak(text: string) {
  expect(text).not.toMatch(/\bselect\b.*\bfrom\b|\binsert into\b|\bwhere\b.*=\s*\$\d/i);
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(text).not.toContain(root);
  expect(text).not.toMatch(/file:\/\//);
}

let h: Harness;
let pipelineId: string;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe("the API contract", () => {
  it("every endpoint has a route module exporting its method, and every route module export is an endpoint", () => {
    const files = fs.readdirSync(path.join(root, "app", "api"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("route.ts"));
    const exported = new Set<string>();
    for (const f of files) {
      const dir = path.dirname(f);
      if (dir.includes("[...") || dir.startsWith("docs")) continue; // the catch-all 404; the rendered reference and its assets
      const text = fs.readFileSync(path.join(root, "app", "api", f), "utf8");
      for (const m of text.matchAll(/export const (GET|POST|PUT|DELETE) = rest\("(\w+)"/g)) exported.add(`${m[1]} ${m[2]}`);
      expect(text, f).not.toMatch(/export (async )?function (GET|POST|PUT|DELETE)/);
    }
    const declared = new Set(Object.entries(endpoints).map(([k, e]) => `${(e as Endpoint).method} ${k}`));
    expect([...exported].sort()).toEqual([...declared].sort());
  });

  it("publishes OpenAPI 3.1 with every endpoint and the one error shape", async () => {
    const doc = await apiJson("GET", "/api/v1/openapi.json", 200);
    expect(doc.openapi).toBe("3.1.0");
    for (const e of Object.values(endpoints) as Endpoint[]) {
      expect(doc.paths[e.path]?.[e.method.toLowerCase()]?.operationId, `${e.method} ${e.path}`).toBe(e.operationId);
    }
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain("invalid");
    expect(doc.components.schemas.PipelineSpec.properties.apiVersion).toBeDefined();
    // The sample pipeline is the spec's example (the reference's "try it out"; the fuzz's base for field-by-field mutations).
    expect(doc.components.schemas.PipelineSpec.examples).toEqual([boston]);
    // The fuzz sent an empty CSV, which the document allowed and the server refuses: it says minLength 1 now.
    expect(doc.paths["/api/v1/datasets"].post.requestBody.content["text/csv"].schema).toEqual({ type: "string", format: "binary", minLength: 1 });
    expect((await apiJson("POST", "/api/v1/datasets?name=empty", 400, { body: "", type: "text/csv" })).error.message).toBe(
      "the request body is empty; send the CSV as text/csv",
    );
    const schema = await apiJson("GET", "/api/v1/schema/pipeline.json", 200);
    expect(schema.title).toContain("conveyor/v1");
  });

  it("runs the loop through every pipeline, run and model endpoint", async () => {
    expect((await apiJson("GET", "/api/health", 200)).db).toBe("ok");
    ({ id: pipelineId } = await apiJson("POST", "/api/v1/pipelines?message=contract", 201, { body: spec() }));
    expect((await apiJson("GET", "/api/v1/pipelines", 200)).some((p: { id: string }) => p.id === pipelineId)).toBe(true);
    await apiJson("PUT", `/api/v1/pipelines/${pipelineId}/draft`, 200, { body: { spec: { wip: true }, baseVersion: 1 } });
    expect((await apiJson("GET", `/api/v1/pipelines/${pipelineId}/draft`, 200)).spec).toEqual({ wip: true });
    expect(await apiJson("DELETE", `/api/v1/pipelines/${pipelineId}/draft`, 200)).toEqual({ discarded: true });
    expect(await apiJson("PUT", `/api/v1/pipelines/${pipelineId}`, 201, { body: spec() })).toEqual({ id: pipelineId, version: 1, unchanged: true });
    expect((await apiJson("PUT", `/api/v1/pipelines/${pipelineId}`, 201, { body: { ...spec(), description: "second" } })).version).toBe(2);
    expect((await apiJson("GET", `/api/v1/pipelines/${pipelineId}/versions`, 200)).map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await apiJson("GET", `/api/v1/pipelines/${pipelineId}/versions/1`, 200)).message).toBe("contract");

    const { runId } = await apiJson("POST", `/api/v1/pipelines/${pipelineId}/runs`, 202, { body: {} });
    await h.waitForRun(runId);
    const run = await apiJson("GET", `/api/v1/runs/${runId}`, 200);
    expect(run.status).toBe("succeeded");
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === "train").outputs.model.manifest.trainingData).toEqual({
      sha256: expect.any(String),
      rows: expect.any(Number),
    });
    expect((await apiJson("GET", `/api/v1/pipelines/${pipelineId}/runs`, 200))[0].id).toBe(runId);
    expect((await apiJson("GET", `/api/v1/runs?status=succeeded&limit=500`, 200)).some((r: { id: string }) => r.id === runId)).toBe(true);
    expect(await apiJson("GET", `/api/v1/runs?pipelineId=${pipelineId}&status=failed`, 200)).toEqual([]);
    expect((await apiJson("POST", `/api/v1/runs/${runId}/cancel`, 409)).error.code).toBe("conflict");

    const listed = (await apiJson("GET", "/api/v1/models", 200)).find((m: { name: string }) => m.name === name);
    expect(listed).toMatchObject({ latestVersion: 1, aliases: { champion: 1 } });
    const version = await apiJson("GET", `/api/v1/models/${name}/versions/1`, 200);
    expect(version.manifest.inputs.length).toBeGreaterThan(0);
    expect((await api("GET", `/api/v1/models/${name}/versions/1/model.onnx`)).status).toBe(200);

    const row = Object.fromEntries(version.manifest.inputs.map((i: { name: string }) => [i.name, 1]));
    const served = await apiJson("POST", `/api/v1/models/${name}/predict`, 200, { body: { instances: [row] } });
    expect(served).toMatchObject({ model_name: name, model_version: 1, predictions: [{ prediction: expect.any(Number) }] });
    const pinned = await apiJson("POST", `/api/v1/models/${name}/predict`, 200, { body: { version: 1, instances: [row] } });
    expect(pinned.predictions).toEqual(served.predictions);
    const badRow = await apiJson("POST", `/api/v1/models/${name}/predict`, 422, { body: { instances: [{ nope: 1 }] } });
    expect(badRow.error.details[0].field).toBe("instances");

    const moved = await apiJson("PUT", `/api/v1/models/${name}/aliases/challenger`, 200, { body: { version: 1, reason: "try it" } });
    expect(moved).toEqual({ name, alias: "challenger", version: 1, fromVersion: null });
    const noReason = await apiJson("PUT", `/api/v1/models/${name}/aliases/challenger`, 422, { body: { version: 1 } });
    expect(noReason.error.details[0].field).toBe("reason");
    const noVersion = await apiJson("PUT", `/api/v1/models/${name}/aliases/challenger`, 422, { body: { version: 7, reason: "x" } });
    expect(noVersion.error.details).toEqual([{ nodeId: null, field: "version", message: `model ${name} has no version 7` }]);
    expect(await apiJson("DELETE", `/api/v1/models/${name}/aliases/challenger?reason=done`, 200)).toEqual({
      name,
      alias: "challenger",
      version: null,
      fromVersion: 1,
    });
    expect((await apiJson("DELETE", `/api/v1/models/${name}/aliases/challenger?reason=again`, 404)).error.code).toBe("not_found");
    const events = (await apiJson("GET", `/api/v1/models/${name}`, 200)).events;
    expect(events.slice(0, 2)).toMatchObject([
      { alias: "challenger", fromVersion: 1, toVersion: null, reason: "done", actor: expect.stringMatching(/^user:/) },
      { alias: "challenger", fromVersion: null, toVersion: 1, reason: "try it" },
    ]);

    // Deployments: the run's deploy step made one; promote and roll back by hand.
    const deployments = await apiJson("GET", "/api/v1/deployments", 200);
    expect(deployments.find((d: { name: string }) => d.name === name)).toMatchObject({
      model: name,
      routes: [{ version: 1, alias: "champion", weight: 100, mode: "live" }],
      rollout: null,
    });
    expect((await apiJson("GET", `/api/v1/deployments/${name}?minutes=60`, 200)).history.at(-1)).toMatchObject({ kind: "created" });
    expect((await apiJson("POST", `/api/v1/deployments/${name}/promote`, 422, { body: { reason: "which?" } })).error.details[0].field).toBe("version");
    expect((await apiJson("POST", `/api/v1/deployments/${name}/rollback`, 422, { body: { reason: "nothing before v1" } })).error.code).toBe("invalid");
    expect((await apiJson("POST", `/api/v1/deployments/${name}/promote`, 200, { body: { version: 1, reason: "keep v1" } })).routes[0].version).toBe(1);
    expect((await apiJson("GET", "/api/v1/deployments/nope-nope", 404)).error.code).toBe("not_found");
    const feedback = await apiJson("POST", `/api/v1/deployments/${name}/feedback`, 200, { body: [{ requestId: "never-predicted", value: 21.5 }] });
    expect(feedback).toEqual({ recorded: 0, unknown: [{ index: 0, requestId: "never-predicted", row: 0 }] });
    const wrongKind = await apiJson("POST", `/api/v1/deployments/${name}/feedback`, 422, { body: [{ requestId: "x", label: "high" }] });
    expect(wrongKind.error.details[0].field).toBe("feedback[0].label");

    // Monitoring: settings and rules, a window computed now (no traffic yet: "no data"), the windows and events.
    const configured = await apiJson("PUT", `/api/v1/deployments/${name}/monitoring`, 200, {
      body: { intervalSeconds: 600, rules: [{ metric: "psi", op: ">", value: 0.2, forWindows: 2 }] },
    });
    expect(configured).toMatchObject({ settings: { intervalSeconds: 600, retentionDays: 30, enabled: true }, rules: [{ metric: "psi", feature: null }] });
    const computed = await apiJson("POST", `/api/v1/deployments/${name}/monitoring/run`, 200, {
      body: { from: "2020-01-01T00:00:00Z", to: "2020-01-01T01:00:00Z" },
    });
    expect(computed).toMatchObject({ window: { rows: 0, status: "no_data", figures: null }, events: [] });
    const monitoring = await apiJson("GET", `/api/v1/deployments/${name}/monitoring?from=2019-12-31T00:00:00Z&to=2020-01-02T00:00:00Z`, 200);
    expect(monitoring.windows).toMatchObject([{ status: "no_data" }]);
    expect((await apiJson("PUT", `/api/v1/deployments/${name}/monitoring`, 422, { body: { intervalSeconds: 5 } })).error.details[0].field).toBe(
      "intervalSeconds",
    );

    // Approvals: none waits in this pipeline; another team's or a missing one is a 404.
    expect(Array.isArray(await apiJson("GET", "/api/v1/approvals?status=pending", 200))).toBe(true);
    const noApproval = "00000000-0000-4000-8000-000000000000";
    await apiJson("GET", `/api/v1/approvals/${noApproval}`, 404);
    await apiJson("POST", `/api/v1/approvals/${noApproval}`, 404, { body: { decision: "approve", comment: "" } });
    expect((await apiJson("POST", `/api/v1/approvals/${noApproval}`, 422, { body: { decision: "maybe" } })).error.details[0].field).toBe("decision");
    expect((await api("GET", `/api/v1/approvals/${noApproval}/model.onnx`)).status).toBe(404);

    // Reproduce: the same pipeline version on the same data, every step recomputed.
    const reproduced = await apiJson("POST", `/api/v1/models/${name}/versions/1/reproduce`, 202);
    expect((await h.waitForRun(reproduced.runId)).status).toBe("succeeded");
    expect((await apiJson("GET", `/api/v1/models/${name}/versions/1`, 200)).lineage.reproductions[0]).toMatchObject({
      runId: reproduced.runId,
      sameBytes: true,
    });

    const triggered = { ...spec(), name: `${name}-triggers`, triggers: [{ type: "schedule", cron: "0 3 * * *" }, { type: "webhook" }] };
    const { id: withTriggers, webhook } = await apiJson("POST", "/api/v1/pipelines", 201, { body: triggered });
    expect((await apiJson("GET", `/api/v1/pipelines/${withTriggers}/triggers`, 200)).map((t: { index: number }) => t.index)).toEqual([0, 1]);
    expect((await apiJson("POST", `/api/v1/pipelines/${withTriggers}/triggers/0/pause`, 200, { body: { reason: "contract" } })).paused).toBe(true);
    expect((await apiJson("POST", `/api/v1/pipelines/${withTriggers}/triggers/0/resume`, 200, { body: { reason: "contract" } })).paused).toBe(false);
    expect((await apiJson("GET", "/api/v1/schedules", 200)).some((s: { pipelineId: string }) => s.pipelineId === withTriggers)).toBe(true);
    const hookRun = await apiJson("POST", webhook.url, 202, { body: {} });
    await h.waitForRun(hookRun.runId);
    expect((await apiJson("POST", `/api/v1/pipelines/${withTriggers}/webhook/regenerate`, 201)).url).not.toBe(webhook.url);
    await apiJson("PUT", `/api/v1/pipelines/${withTriggers}`, 201, { body: { ...triggered, triggers: [] } }); // removes the schedule

    const ds = await apiJson("POST", `/api/v1/datasets?name=contract-${suffix}`, 201, { body: "a,b\n1,x\n2,y\n", type: "text/csv" });
    expect((await apiJson("GET", "/api/v1/datasets", 200)).some((d: { id: string }) => d.id === ds.id)).toBe(true);
    expect((await apiJson("GET", `/api/v1/datasets/${ds.id}`, 200)).stats.map((c: { name: string }) => c.name)).toEqual(["a", "b"]);
    expect(await apiJson("DELETE", `/api/v1/datasets/${ds.id}`, 200)).toMatchObject({ id: ds.id, deletedAt: expect.any(String) });
    await apiJson("GET", `/api/v1/datasets/${ds.id}`, 404);
    expect(await apiJson("POST", `/api/v1/datasets/${ds.id}/restore`, 200)).toMatchObject({ id: ds.id, version: 1 });

    // Delete, restore and duplicate: what the model's alias and deployment depend on is refused, naming them.
    const inUse = await apiJson("DELETE", `/api/v1/pipelines/${pipelineId}`, 409);
    expect(inUse.error.details.map((d: { field: string }) => d.field)).toContain("alias");
    expect((await apiJson("DELETE", `/api/v1/models/${name}`, 409)).error.details.map((d: { field: string }) => d.field)).toEqual(["deployment", "alias"]);
    const copy = await apiJson("POST", `/api/v1/pipelines/${pipelineId}/duplicate`, 201, { body: {} });
    expect(copy).toMatchObject({ name: `${name} copy`, version: 1, from: { id: pipelineId, version: 2 }, droppedTriggers: 0 });
    expect(await apiJson("DELETE", `/api/v1/pipelines/${copy.id}`, 200)).toMatchObject({ id: copy.id, name: `${name} copy` });
    expect((await apiJson("GET", "/api/v1/pipelines?show=deleted", 200)).some((p: { id: string }) => p.id === copy.id)).toBe(true);
    expect(await apiJson("POST", `/api/v1/pipelines/${copy.id}/restore`, 200)).toEqual({ id: copy.id, name: `${name} copy`, version: 1 });
    expect((await apiJson("GET", `/api/v1/pipelines?q=${encodeURIComponent(`${name} COPY`)}&sort=lastRun`, 200)).map((p: { id: string }) => p.id)).toEqual([
      copy.id,
    ]);
  });

  it("cancels a running run through Temporal", async () => {
    const { runId } = await apiJson("POST", `/api/v1/pipelines/${pipelineId}/runs`, 202, { body: {} });
    expect(await apiJson("POST", `/api/v1/runs/${runId}/cancel`, 202)).toMatchObject({ runId });
    const run = await h.waitForRun(runId);
    expect(run.status).toBe("cancelled");
    const retried = await apiJson("POST", `/api/v1/runs/${runId}/retry`, 202);
    expect((await h.waitForRun(retried.runId)).status).toBe("succeeded");
    expect((await apiJson("POST", `/api/v1/runs/${retried.runId}/retry`, 409)).error.code).toBe("conflict");
  });

  it("refuses bad input with the one error shape, never a 500", async () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    const tooDeep = await apiJson("POST", "/api/v1/pipelines", 400, { body: deep });
    expect(tooDeep.error.message).toBe("the JSON body is nested deeper than 64 levels");

    const nulSpec = await apiJson("POST", "/api/v1/pipelines", 422, { body: { ...spec(), description: "a\u0000b" } });
    expect(nulSpec.error.details).toEqual([{ nodeId: null, field: "description", message: "must not contain NUL characters (\\u0000)" }]);
    const nulName = await apiJson("POST", `/api/v1/datasets?name=${encodeURIComponent("x\u0000y")}`, 422, { body: "a\n1\n", type: "text/csv" });
    expect(nulName.error.details).toEqual([{ nodeId: null, field: "name", message: "must not contain NUL characters (\\u0000)" }]);
    const nulPath = await apiJson("GET", `/api/v1/models/${encodeURIComponent("a\u0000b")}`, 422);
    expect(nulPath.error.details[0].field).toBe("name");
    // Found by the fuzz (e2e/api-fuzz.spec.ts): a body key the endpoint does not read is ignored, NUL or not;
    // a field it reads is still refused, named from the body's top.
    const draftBody = { spec: { wip: true }, baseVersion: 1, "\u0000note": ["a\u0000b"] };
    expect(await apiJson("PUT", `/api/v1/pipelines/${pipelineId}/draft`, 200, { body: draftBody })).toMatchObject({ baseVersion: 1 });
    const nulDraft = await apiJson("PUT", `/api/v1/pipelines/${pipelineId}/draft`, 422, { body: { spec: { nodes: [{ id: "a\u0000" }] }, baseVersion: 1 } });
    expect(nulDraft.error.details).toEqual([{ nodeId: null, field: "spec.nodes[0].id", message: "must not contain NUL characters (\\u0000)" }]);
    await apiJson("DELETE", `/api/v1/pipelines/${pipelineId}/draft`, 200);

    for (const url of [
      `/api/v1/models/${name}/versions/3000000000/model.onnx`,
      `/api/v1/models/${name}/versions/3000000000`,
      `/api/v1/pipelines/${pipelineId}?version=3000000000`,
    ]) {
      expect((await apiJson("GET", url, 404)).error.code).toBe("not_found");
    }
    expect((await apiJson("POST", `/api/v1/pipelines/${pipelineId}/runs`, 404, { body: { version: 3000000000 } })).error.code).toBe("not_found");

    const unknownParam = await apiJson("POST", `/api/v1/pipelines/${pipelineId}/runs`, 422, { body: { params: { nope: 1 } } });
    expect(unknownParam.error.details[0]).toMatchObject({ field: expect.stringContaining("nope") });
    expect((await apiJson("POST", "/api/v1/pipelines", 415, { body: "a,b\n", type: "text/csv" })).error.code).toBe("unsupported_media_type");
    const big = JSON.stringify({ ...spec(), description: "x".repeat(6 * 1024 * 1024) });
    expect((await apiJson("POST", "/api/v1/pipelines", 413, { body: big })).error.code).toBe("payload_too_large");
    expect((await apiJson("GET", "/api/v1/nothing/here", 404)).error.message).toContain("no such endpoint");
    expect((await apiJson("GET", "/api/v1/runs?limit=0", 400)).error.details[0].field).toBe("limit");
    expect((await apiJson("GET", `/api/v1/models/${"m".repeat(600)}`, 400)).error.details[0].field).toBe("name");

    for (const c of calls()) expect(c.status, `${c.method} ${c.path}`).not.toBe(500);
  });

  it("exercised every endpoint, and no answer leaked SQL, a stack trace or a server path", async () => {
    const exercised = new Set(calls().map((c) => c.operationId));
    expect((Object.values(endpoints) as Endpoint[]).map((e) => e.operationId).filter((id) => !exercised.has(id))).toEqual([]);
    for (const c of calls()) expect(c.status).toBeLessThan(500);
    // Error bodies are checked as they are: replay a few that once leaked.
    for (const [method, url, body] of [
      ["GET", `/api/v1/models/${encodeURIComponent("a\u0000b")}/versions/1/model.onnx`, undefined],
      ["POST", "/api/v1/pipelines", { ...spec(), name: "bad\u0000name" }],
      ["POST", `/api/v1/datasets?name=broken-${suffix}`, 'a,b\n"unterminated,1\n'],
    ] as const) {
      const res = await api(method, url, body === undefined ? {} : { body, type: typeof body === "string" ? "text/csv" : undefined });
      assertNoLeak(await res.text());
    }
  });
});
