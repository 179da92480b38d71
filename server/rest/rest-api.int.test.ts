/**
 * The REST API of the README, called through the real route handlers
 * (real PostgreSQL, a real Temporal dev server and worker, real serving):
 * the whole loop without the UI.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../testing/temporal-harness";
import { api, apiJson } from "../../testing/api";
import boston from "../../contract/templates/boston-housing.pipeline.json";

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
    const body = await apiJson("POST", "/api/v1/datasets?name=tiny", 201, { body: csv, type: "text/csv" });
    expect(body).toMatchObject({
      name: "tiny",
      rows: 3,
      columns: [
        { name: "x", type: "BIGINT" },
        { name: "y", type: "DOUBLE" },
        { name: "city", type: "VARCHAR" },
      ],
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    const empty = await apiJson("POST", "/api/v1/datasets?name=empty", 400, { body: "", type: "text/csv" });
    expect(empty.error).toMatchObject({ code: "bad_request", message: expect.stringContaining("empty") });
    const noName = await apiJson("POST", "/api/v1/datasets", 400, { body: csv, type: "text/csv" });
    expect(noName.error.details).toEqual([{ nodeId: null, field: "name", message: expect.any(String) }]);
  });

  it("refuses invalid specs with 422 and errors by node and field", async () => {
    const spec = structuredClone(boston) as { nodes: { id: string; config: Record<string, unknown> }[]; edges: unknown[] };
    spec.nodes.find((n) => n.id === "train")!.config = { task: "regression" };
    spec.edges.push({ id: "bad", source: "split", sourcePort: "test", target: "gate", targetPort: "metrics" });
    const body = await apiJson("POST", "/api/v1/pipelines", 422, { body: spec });
    expect(body.error.code).toBe("invalid");
    expect(body.error.details).toContainEqual({ nodeId: "train", field: "config.target", message: "target is required" });
    expect(body.error.details).toContainEqual({
      nodeId: "gate",
      field: "inputs.metrics",
      message: "gate.metrics needs a metrics, but split.test is a dataset: dataset cannot feed metrics",
    });
    const notJson = await apiJson("POST", "/api/v1/pipelines", 400, { body: "{nope" });
    expect(notJson.error.message).toContain("not valid JSON");
  });

  it("saves, reads back exactly, versions, runs, and reports the model", async () => {
    const name = `rest-${Math.random().toString(36).slice(2, 8)}`;
    const spec = structuredClone(boston) as typeof boston & { nodes: { id: string; config: Record<string, unknown> }[] };
    spec.name = name;
    spec.nodes.find((n) => n.id === "deploy")!.config = { model: name } as never;
    const { id, version } = await apiJson("POST", "/api/v1/pipelines", 201, { body: spec });
    expect(version).toBe(1);

    const got = await apiJson("GET", `/api/v1/pipelines/${id}`, 200);
    expect(got).toMatchObject({ id, name, version: 1, spec, draft: null, versions: [{ version: 1 }] });

    spec.description = "second version";
    expect((await apiJson("PUT", `/api/v1/pipelines/${id}`, 201, { body: spec })).version).toBe(2);
    const v1 = await apiJson("GET", `/api/v1/pipelines/${id}?version=1`, 200);
    expect(v1.spec.description).toBe(boston.description);

    const { runId, workflowId } = await apiJson("POST", `/api/v1/pipelines/${id}/runs`, 202, { body: { params: {} } });
    expect(workflowId).toMatch(/^run-/);
    await h.waitForRun(runId);

    const status = await apiJson("GET", `/api/v1/runs/${runId}`, 200);
    expect(status.trigger).toEqual({ type: "api", detail: {} });
    expect(status.status).toBe("succeeded");
    expect(status.steps).toHaveLength(6);
    for (const s of status.steps) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(["nodeId", "type", "status", "startedAt", "finishedAt", "error", "outputs"]));
    }
    expect(status.steps.find((s: { nodeId: string }) => s.nodeId === "deploy").outputs.deployment).toMatchObject({ name, version: 1, alias: "champion" });

    const m = await apiJson("GET", `/api/v1/models/${name}`, 200);
    expect(m.name).toBe(name);
    expect(m.aliases).toEqual({ champion: 1 });
    expect(m.versions[0]).toMatchObject({ version: 1, runId });
    expect(Object.keys(m.versions[0].metrics).sort()).toEqual(["mae", "r2", "rmse"]);

    // The model file: streamed out of the artifact store (S3 here) with its length…
    const sha = (b: ArrayBuffer) => crypto.createHash("sha256").update(new Uint8Array(b)).digest("hex");
    const file = await api("GET", `/api/v1/models/${name}/versions/1/model.onnx`);
    expect(file.status).toBe(200);
    const bytes = await file.arrayBuffer();
    expect(bytes.byteLength).toBeGreaterThan(100);
    expect(file.headers.get("content-length")).toBe(String(bytes.byteLength));
    expect(sha(bytes)).toBe(m.versions[0].sha256);
    // …or, with ARTIFACT_DOWNLOAD=redirect, a redirect to a presigned S3 URL that serves the same bytes.
    process.env.ARTIFACT_DOWNLOAD = "redirect";
    try {
      const redirect = await api("GET", `/api/v1/models/${name}/versions/1/model.onnx`);
      expect(redirect.status).toBe(302);
      const location = redirect.headers.get("location")!;
      expect(location).toMatch(new RegExp(`^${process.env.S3_ENDPOINT}/conveyor/artifacts/sha256/.+/model\\.onnx\\?.*X-Amz-Signature=`));
      const fromS3 = await fetch(location);
      expect(fromS3.status).toBe(200);
      expect(sha(await fromS3.arrayBuffer())).toBe(m.versions[0].sha256);
    } finally {
      delete process.env.ARTIFACT_DOWNLOAD;
    }
  });

  it("answers 404 for unknown things", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    expect((await api("GET", `/api/v1/pipelines/${id}`)).status).toBe(404);
    expect((await api("GET", "/api/v1/pipelines/not-a-uuid")).status).toBe(404);
    expect((await api("GET", `/api/v1/runs/${id}`)).status).toBe(404);
    expect((await api("GET", "/api/v1/models/nope")).status).toBe(404);
    expect((await api("POST", `/api/v1/pipelines/${id}/runs`, { body: "{}" })).status).toBe(404);
  });
});
