/**
 * REST /api/v1/pipelines/{id}/versions and /draft through the real route
 * handlers and PostgreSQL (no Temporal needed: nothing runs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { createTeam } from "../../db/queries/teams";
import { seedLocal } from "../../db/seed";
import { savePipeline } from "../services/pipelines/save-pipeline";
import { saveDraft } from "../services/pipelines/drafts";
import { api, apiJson } from "../../testing/api";
import boston from "../../contract/templates/boston-housing.pipeline.json";

const suffix = Math.random().toString(36).slice(2, 8);
const spec = (description: string) => ({ ...structuredClone(boston), name: `rest-versions-${suffix}`, description });

let localUserId: string;
let otherTeamPipeline: string;
beforeAll(async () => {
  const { userId } = await seedLocal(getDb());
  localUserId = userId;
  const other = await createTeam(getDb(), { slug: `rest-other-${suffix}`, name: "Other team", adminUserId: userId });
  const ctx = { db: getDb(), teamId: other.id, userId };
  otherTeamPipeline = (await savePipeline(ctx, { spec: spec("theirs") })).id;
  await saveDraft(ctx, { id: otherTeamPipeline, spec: { secret: true }, baseVersion: 1 });
});
afterAll(async () => {
  await getDb().$client.end();
});

describe("REST pipeline versions and drafts", () => {
  it("lists versions newest first with author and message, and serves each version's spec", async () => {
    const { id } = await apiJson("POST", `/api/v1/pipelines?message=${encodeURIComponent(" first ")}`, 201, { body: spec("one") });
    expect((await apiJson("PUT", `/api/v1/pipelines/${id}?message=second`, 201, { body: spec("two") })).version).toBe(2);

    const list = await api("GET", `/api/v1/pipelines/${id}/versions`);
    expect(list.status).toBe(200);
    const author = { id: localUserId, name: "Local developer" };
    const createdAt = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);
    expect(await list.json()).toEqual([
      { version: 2, message: "second", createdAt, createdBy: author },
      { version: 1, message: "first", createdAt, createdBy: author },
    ]);

    const v1 = await apiJson("GET", `/api/v1/pipelines/${id}/versions/1`, 200);
    expect(v1).toMatchObject({ id, name: spec("").name, version: 1, message: "first", createdAt, createdBy: author, spec: spec("one") });
    expect((await api("GET", `/api/v1/pipelines/${id}/versions/3`)).status).toBe(404);
    expect((await api("GET", `/api/v1/pipelines/${id}/versions/3000000000`)).status).toBe(404);
    const bad = await apiJson("GET", `/api/v1/pipelines/${id}/versions/x`, 400);
    expect(bad.error).toEqual({
      code: "bad_request",
      message: "version: must be a positive integer",
      details: [{ nodeId: null, field: "version", message: "must be a positive integer" }],
    });
    expect((await api("GET", `/api/v1/pipelines/${id}?version=abc`)).status).toBe(400);
  });

  it("puts, gets and deletes the draft; saving a version removes it", async () => {
    const { id } = await apiJson("POST", "/api/v1/pipelines", 201, { body: spec("one") });
    const url = `/api/v1/pipelines/${id}/draft`;
    const none = await apiJson("GET", url, 404);
    expect(none.error).toEqual({ code: "not_found", message: `pipeline ${id} has no draft` });

    const invalidSpec = { ...spec("wip"), nodes: [{ id: "half", type: "train.gbdt@1", config: {} }], edges: [] };
    const { updatedAt } = await apiJson("PUT", url, 200, { body: { spec: invalidSpec, baseVersion: 1 } });
    expect(await apiJson("GET", url, 200)).toEqual({
      spec: invalidSpec,
      baseVersion: 1,
      updatedAt,
      updatedBy: { id: localUserId, name: "Local developer" },
    });

    const notObject = await apiJson("PUT", url, 422, { body: { spec: "text", baseVersion: 1 } });
    expect(notObject.error.details).toEqual([{ nodeId: null, field: "spec", message: expect.stringMatching(/record|object/i) }]);
    const noBase = await apiJson("PUT", url, 422, { body: { spec: {} } });
    expect(noBase.error.details).toEqual([{ nodeId: null, field: "baseVersion", message: "must be a positive integer" }]);
    const beyond = await apiJson("PUT", url, 422, { body: { spec: {}, baseVersion: 3000000000 } });
    expect(beyond.error.details).toEqual([{ nodeId: null, field: "baseVersion", message: `pipeline ${id} has no version 3000000000 (latest is 1)` }]);
    expect((await api("PUT", url, { body: "{nope" })).status).toBe(400);

    expect((await api("PUT", `/api/v1/pipelines/${id}`, { body: spec("two") })).status).toBe(201);
    expect((await api("GET", url)).status).toBe(404);

    await apiJson("PUT", url, 200, { body: { spec: { again: 1 }, baseVersion: 2 } });
    expect(await apiJson("DELETE", url, 200)).toEqual({ discarded: true });
    expect((await api("GET", url)).status).toBe(404);
    expect(await apiJson("DELETE", url, 200)).toEqual({ discarded: false });
  });

  it("answers 404 for unknown pipelines and for another team's", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", otherTeamPipeline]) {
      expect((await api("GET", `/api/v1/pipelines/${id}/versions`)).status).toBe(404);
      expect((await api("GET", `/api/v1/pipelines/${id}/versions/1`)).status).toBe(404);
      const url = `/api/v1/pipelines/${id}/draft`;
      expect((await apiJson("GET", url, 404)).error.message).toBe(`pipeline ${id} does not exist`);
      expect((await api("PUT", url, { body: { spec: {}, baseVersion: 1 } })).status).toBe(404);
      expect((await api("DELETE", url)).status).toBe(404);
    }
  });
});
