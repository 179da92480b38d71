/**
 * The REST API of the README, called through the real route handlers
 * (real PostgreSQL, a real Temporal dev server and worker, real serving):
 * the whole loop without the UI.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../testing/temporal-harness";
import * as datasets from "../../app/api/v1/datasets/route";
import * as pipelines from "../../app/api/v1/pipelines/route";
import * as pipeline from "../../app/api/v1/pipelines/[id]/route";
import * as pipelineRuns from "../../app/api/v1/pipelines/[id]/runs/route";
import * as run from "../../app/api/v1/runs/[runId]/route";
import * as model from "../../app/api/v1/models/[name]/route";
import * as modelFile from "../../app/api/v1/models/[name]/versions/[version]/model.onnx/route";
import boston from "../../contract/templates/boston-housing.pipeline.json";

const base = "http://localhost/api/v1";
const params = <P>(p: P) => ({ params: Promise.resolve(p) });
const post = (url: string, body: string, type = "application/json") => new Request(url, { method: "POST", body, headers: { "content-type": type } });

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe("REST /api/v1", () => {
  it("uploads a CSV dataset", async () => {
    const csv = "x,y,city\n1,2.5,Oslo\n2,4.5,Bergen\n3,6.5,Oslo\n";
    const res = await datasets.POST(post(`${base}/datasets?name=tiny`, csv, "text/csv"), params({}));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ name: "tiny", rows: 3, columns: [{ name: "x", type: "BIGINT" }, { name: "y", type: "DOUBLE" }, { name: "city", type: "VARCHAR" }] });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    const empty = await datasets.POST(post(`${base}/datasets?name=empty`, "", "text/csv"), params({}));
    expect(empty.status).toBe(400);
    expect((await empty.json()).error).toContain("empty");
    const noName = await datasets.POST(post(`${base}/datasets`, csv, "text/csv"), params({}));
    expect(noName.status).toBe(400);
    expect((await noName.json()).error).toContain("name");
  });

  it("refuses invalid specs with 422 and errors by node and field", async () => {
    const spec = structuredClone(boston) as { nodes: { id: string; config: Record<string, unknown> }[]; edges: unknown[] };
    spec.nodes.find((n) => n.id === "train")!.config = { task: "regression" };
    spec.edges.push({ id: "bad", source: "split", sourcePort: "test", target: "gate", targetPort: "metrics" });
    const res = await pipelines.POST(post(`${base}/pipelines`, JSON.stringify(spec)), params({}));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors).toContainEqual({ nodeId: "train", field: "config.target", message: "target is required" });
    expect(body.errors).toContainEqual({
      nodeId: "gate",
      field: "inputs.metrics",
      message: "gate.metrics needs a metrics, but split.test is a dataset: dataset cannot feed metrics",
    });
    const notJson = await pipelines.POST(post(`${base}/pipelines`, "{nope"), params({}));
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toContain("not valid JSON");
  });

  it("saves, reads back exactly, versions, runs, and reports the model", async () => {
    const name = `rest-${Math.random().toString(36).slice(2, 8)}`;
    const spec = structuredClone(boston) as typeof boston & { nodes: { id: string; config: Record<string, unknown> }[] };
    spec.name = name;
    spec.nodes.find((n) => n.id === "deploy")!.config = { model: name } as never;
    const created = await pipelines.POST(post(`${base}/pipelines`, JSON.stringify(spec)), params({}));
    expect(created.status).toBe(201);
    const { id, version } = await created.json();
    expect(version).toBe(1);

    const got = await (await pipeline.GET(new Request(`${base}/pipelines/${id}`), params({ id }))).json();
    expect(got).toEqual({ id, name, version: 1, spec });

    spec.description = "second version";
    const put = await pipeline.PUT(new Request(`${base}/pipelines/${id}`, { method: "PUT", body: JSON.stringify(spec) }), params({ id }));
    expect(put.status).toBe(201);
    expect((await put.json()).version).toBe(2);
    const v1 = await (await pipeline.GET(new Request(`${base}/pipelines/${id}?version=1`), params({ id }))).json();
    expect(v1.spec.description).toBe(boston.description);

    const started = await pipelineRuns.POST(post(`${base}/pipelines/${id}/runs`, JSON.stringify({ params: {} })), params({ id }));
    expect(started.status).toBe(202);
    const { runId, workflowId } = await started.json();
    expect(workflowId).toMatch(/^run-/);
    await h.waitForRun(runId);

    const status = await (await run.GET(new Request(`${base}/runs/${runId}`), params({ runId }))).json();
    expect(status.status).toBe("succeeded");
    expect(status.steps).toHaveLength(6);
    for (const s of status.steps) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(["nodeId", "type", "status", "startedAt", "finishedAt", "error", "outputs"]));
    }
    expect(status.steps.find((s: { nodeId: string }) => s.nodeId === "deploy").outputs.deployment).toMatchObject({ name, version: 1, alias: "champion" });

    const m = await (await model.GET(new Request(`${base}/models/${name}`), params({ name }))).json();
    expect(m.name).toBe(name);
    expect(m.aliases).toEqual({ champion: 1 });
    expect(m.versions[0]).toMatchObject({ version: 1, runId });
    expect(Object.keys(m.versions[0].metrics).sort()).toEqual(["mae", "r2", "rmse"]);

    const file = await modelFile.GET(new Request(`${base}/models/${name}/versions/1/model.onnx`), params({ name, version: "1" }));
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it("answers 404 for unknown things", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    expect((await pipeline.GET(new Request(`${base}/pipelines/${id}`), params({ id }))).status).toBe(404);
    expect((await pipeline.GET(new Request(`${base}/pipelines/not-a-uuid`), params({ id: "not-a-uuid" }))).status).toBe(404);
    expect((await run.GET(new Request(`${base}/runs/${id}`), params({ runId: id }))).status).toBe(404);
    expect((await model.GET(new Request(`${base}/models/nope`), params({ name: "nope" }))).status).toBe(404);
    expect((await pipelineRuns.POST(post(`${base}/pipelines/${id}/runs`, "{}"), params({ id }))).status).toBe(404);
  });
});
