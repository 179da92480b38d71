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
import * as pipelines from "../../app/api/v1/pipelines/route";
import * as pipeline from "../../app/api/v1/pipelines/[id]/route";
import * as versions from "../../app/api/v1/pipelines/[id]/versions/route";
import * as version from "../../app/api/v1/pipelines/[id]/versions/[version]/route";
import * as draft from "../../app/api/v1/pipelines/[id]/draft/route";
import boston from "../../contract/templates/boston-housing.pipeline.json";

const base = "http://localhost/api/v1";
const params = <P>(p: P) => ({ params: Promise.resolve(p) });
const send = (method: string, url: string, body?: string) => new Request(url, { method, body, headers: { "content-type": "application/json" } });
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
    const created = await pipelines.POST(send("POST", `${base}/pipelines?message=${encodeURIComponent(" first ")}`, JSON.stringify(spec("one"))), params({}));
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const put = await pipeline.PUT(send("PUT", `${base}/pipelines/${id}?message=second`, JSON.stringify(spec("two"))), params({ id }));
    expect((await put.json()).version).toBe(2);

    const list = await versions.GET(new Request(`${base}/pipelines/${id}/versions`), params({ id }));
    expect(list.status).toBe(200);
    const author = { id: localUserId, name: "Local developer" };
    const createdAt = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);
    expect(await list.json()).toEqual([
      { version: 2, message: "second", createdAt, createdBy: author },
      { version: 1, message: "first", createdAt, createdBy: author },
    ]);

    const v1 = await version.GET(new Request(`${base}/pipelines/${id}/versions/1`), params({ id, version: "1" }));
    expect(await v1.json()).toEqual({ id, name: spec("").name, version: 1, message: "first", createdAt, createdBy: author, spec: spec("one") });
    expect((await version.GET(new Request(`${base}/pipelines/${id}/versions/3`), params({ id, version: "3" }))).status).toBe(404);
    const bad = await version.GET(new Request(`${base}/pipelines/${id}/versions/x`), params({ id, version: "x" }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("version must be a positive integer");
    expect((await pipeline.GET(new Request(`${base}/pipelines/${id}?version=abc`), params({ id }))).status).toBe(400);
  });

  it("puts, gets and deletes the draft; saving a version removes it", async () => {
    const { id } = await (await pipelines.POST(send("POST", `${base}/pipelines`, JSON.stringify(spec("one"))), params({}))).json();
    const url = `${base}/pipelines/${id}/draft`;
    const none = await draft.GET(new Request(url), params({ id }));
    expect(none.status).toBe(404);
    expect((await none.json()).error).toBe(`pipeline ${id} has no draft`);

    const invalidSpec = { ...spec("wip"), nodes: [{ id: "half", type: "train.gbdt@1", config: {} }], edges: [] };
    const put = await draft.PUT(send("PUT", url, JSON.stringify({ spec: invalidSpec, baseVersion: 1 })), params({ id }));
    expect(put.status).toBe(200);
    const { updatedAt } = await put.json();
    expect(await (await draft.GET(new Request(url), params({ id }))).json()).toEqual({
      spec: invalidSpec,
      baseVersion: 1,
      updatedAt,
      updatedBy: { id: localUserId, name: "Local developer" },
    });

    const notObject = await draft.PUT(send("PUT", url, JSON.stringify({ spec: "text", baseVersion: 1 })), params({ id }));
    expect(notObject.status).toBe(422);
    expect((await notObject.json()).errors).toEqual([{ nodeId: null, field: "spec", message: "must be a JSON object, got string" }]);
    const noBase = await draft.PUT(send("PUT", url, JSON.stringify({ spec: {} })), params({ id }));
    expect(noBase.status).toBe(422);
    expect((await noBase.json()).errors).toEqual([{ nodeId: null, field: "baseVersion", message: "must be a positive integer, got nothing" }]);
    expect((await draft.PUT(send("PUT", url, "{nope"), params({ id }))).status).toBe(400);

    expect((await pipeline.PUT(send("PUT", `${base}/pipelines/${id}`, JSON.stringify(spec("two"))), params({ id }))).status).toBe(201);
    expect((await draft.GET(new Request(url), params({ id }))).status).toBe(404);

    await draft.PUT(send("PUT", url, JSON.stringify({ spec: { again: 1 }, baseVersion: 2 })), params({ id }));
    const del = await draft.DELETE(send("DELETE", url), params({ id }));
    expect(del.status).toBe(204);
    expect((await draft.GET(new Request(url), params({ id }))).status).toBe(404);
    expect((await draft.DELETE(send("DELETE", url), params({ id }))).status).toBe(204);
  });

  it("answers 404 for unknown pipelines and for another team's", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", otherTeamPipeline]) {
      expect((await versions.GET(new Request(`${base}/pipelines/${id}/versions`), params({ id }))).status).toBe(404);
      expect((await version.GET(new Request(`${base}/pipelines/${id}/versions/1`), params({ id, version: "1" }))).status).toBe(404);
      const url = `${base}/pipelines/${id}/draft`;
      const got = await draft.GET(new Request(url), params({ id }));
      expect(got.status).toBe(404);
      expect((await got.json()).error).toBe(`pipeline ${id} does not exist`);
      expect((await draft.PUT(send("PUT", url, JSON.stringify({ spec: {}, baseVersion: 1 })), params({ id }))).status).toBe(404);
      expect((await draft.DELETE(send("DELETE", url), params({ id }))).status).toBe(404);
    }
  });
});
