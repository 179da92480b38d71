/**
 * Drafts and version history against the real PostgreSQL of the
 * integration setup, through the services the API calls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../../db/client";
import { seedLocal } from "../../../db/seed";
import { createTeam } from "../../../db/queries/teams";
import { upsertPipelineDraft } from "../../../db/queries/pipelines";
import { testEnv } from "../../../testing/env";
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { discardDraft, getDraft, MAX_DRAFT_BYTES, saveDraft } from "./drafts";
import { getPipeline, listVersions } from "./get-pipeline";
import { savePipeline } from "./save-pipeline";
import boston from "../../../contract/templates/boston-housing.pipeline.json";

let db: Db;
let a: RequestContext;
let b: RequestContext;
const userName = "Local developer"; // the seeded local user
const suffix = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  db = createDb(testEnv().DATABASE_URL, { max: 2 });
  const { userId } = await seedLocal(db);
  const teamA = await createTeam(db, { slug: `drafts-a-${suffix}`, name: "Drafts A", adminUserId: userId });
  const teamB = await createTeam(db, { slug: `drafts-b-${suffix}`, name: "Drafts B", adminUserId: userId });
  a = { db, teamId: teamA.id, userId };
  b = { db, teamId: teamB.id, userId };
});
afterAll(async () => {
  await db?.$client.end();
});

const spec = (description = "v") => ({ ...structuredClone(boston), name: `drafts-${suffix}`, description });
/** The ServiceError a promise rejects with. */
async function refusal(p: Promise<unknown>): Promise<ServiceError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ServiceError);
  return e as ServiceError;
}

describe("pipeline drafts", () => {
  it("upserts, reads back verbatim, shows on the pipeline, and discards", async () => {
    const { id } = await savePipeline(a, { spec: spec() });
    expect(await getDraft(a, { id })).toBeNull();
    expect((await getPipeline(a, { id })).draft).toBeNull();

    const first = { ...spec("draft 1"), extra: { nested: [1, "two", null] } };
    const saved = await saveDraft(a, { id, spec: first, baseVersion: 1 });
    expect(saved.baseVersion).toBe(1);
    expect(saved.updatedAt).toBeInstanceOf(Date);
    expect(await getDraft(a, { id })).toEqual({ spec: first, baseVersion: 1, updatedAt: saved.updatedAt, updatedBy: { id: a.userId, name: userName } });

    const second = spec("draft 2");
    const again = await saveDraft(a, { id, spec: second, baseVersion: 1 });
    expect(again.updatedAt.getTime()).toBeGreaterThanOrEqual(saved.updatedAt.getTime());
    expect((await getDraft(a, { id }))?.spec).toEqual(second);
    expect((await getPipeline(a, { id })).draft).toEqual({ baseVersion: 1, updatedAt: again.updatedAt });

    expect(await discardDraft(a, { id })).toEqual({ discarded: true });
    expect(await discardDraft(a, { id })).toEqual({ discarded: false });
    expect(await getDraft(a, { id })).toBeNull();
  });

  it("accepts an invalid pipeline spec as a draft, but refuses what is not a JSON object ≤ 5 MB", async () => {
    const { id } = await savePipeline(a, { spec: spec() });
    const broken = { apiVersion: 7, nodes: [{ id: "x", type: "no.such.node@9", config: { half: "typed" } }], edges: "not a list" };
    await saveDraft(a, { id, spec: broken, baseVersion: 1 });
    expect((await getDraft(a, { id }))?.spec).toEqual(broken);

    for (const bad of [null, [], "spec", 3]) {
      const e = await refusal(saveDraft(a, { id, spec: bad, baseVersion: 1 }));
      expect(e.code).toBe("invalid");
      expect(e.errors).toEqual([{ nodeId: null, field: "spec", message: expect.stringMatching(/^must be a JSON object/) }]);
    }
    const huge = await refusal(saveDraft(a, { id, spec: { blob: "x".repeat(MAX_DRAFT_BYTES) }, baseVersion: 1 }));
    expect(huge.errors).toEqual([{ nodeId: null, field: "spec", message: "is 5.0 MB as JSON; a draft may be at most 5 MB" }]);
    for (const [baseVersion, message] of [
      [0, "must be a positive integer, got 0"],
      [1.5, "must be a positive integer, got 1.5"],
      [undefined, "must be a positive integer, got nothing"],
      [2, `pipeline ${id} has no version 2 (latest is 1)`],
    ] as const) {
      const e = await refusal(saveDraft(a, { id, spec: {}, baseVersion }));
      expect(e.code).toBe("invalid");
      expect(e.errors).toEqual([{ nodeId: null, field: "baseVersion", message }]);
    }
    expect((await getDraft(a, { id }))?.spec).toEqual(broken); // refusals left the draft alone

    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const missing of [unknown, "not-a-uuid"]) {
      expect((await refusal(getDraft(a, { id: missing }))).code).toBe("not_found");
      expect((await refusal(saveDraft(a, { id: missing, spec: {}, baseVersion: 1 }))).code).toBe("not_found");
      expect((await refusal(discardDraft(a, { id: missing }))).code).toBe("not_found");
    }
  });

  it("is deleted when a version is saved, and kept when the save is refused", async () => {
    const { id } = await savePipeline(a, { spec: spec() });
    await saveDraft(a, { id, spec: { half: "done" }, baseVersion: 1 });
    const invalid = { ...spec(), nodes: [] };
    expect((await refusal(savePipeline(a, { id, spec: invalid }))).code).toBe("invalid");
    expect(await getDraft(a, { id })).not.toBeNull();

    expect(await savePipeline(a, { id, spec: spec("second"), message: "from the draft" })).toEqual({ id, version: 2 });
    expect(await getDraft(a, { id })).toBeNull();
    expect((await getPipeline(a, { id })).draft).toBeNull();
    // A draft may start from an older version than the latest.
    await saveDraft(a, { id, spec: { restored: 1 }, baseVersion: 1 });
    expect((await getDraft(a, { id }))?.baseVersion).toBe(1);
  });

  it("is invisible to another team: it can neither read, write nor discard it", async () => {
    const { id } = await savePipeline(a, { spec: spec() });
    await saveDraft(a, { id, spec: { mine: true }, baseVersion: 1 });
    expect((await refusal(getDraft(b, { id }))).code).toBe("not_found");
    expect((await refusal(saveDraft(b, { id, spec: { theirs: true }, baseVersion: 1 }))).code).toBe("not_found");
    expect((await refusal(discardDraft(b, { id }))).code).toBe("not_found");
    // The query itself filters by team, not only the service's existence check.
    expect(await upsertPipelineDraft(db, { teamId: b.teamId, pipelineId: id, spec: { theirs: true }, baseVersion: 1, updatedBy: b.userId })).toBeNull();
    expect((await refusal(getPipeline(b, { id }))).code).toBe("not_found");
    expect((await refusal(listVersions(b, { id }))).code).toBe("not_found");
    expect((await getDraft(a, { id }))?.spec).toEqual({ mine: true });
  });
});

describe("pipeline versions", () => {
  it("lists newest first with author and trimmed message", async () => {
    const { id } = await savePipeline(a, { spec: spec("one"), message: "  first version \n" });
    await savePipeline(a, { id, spec: spec("two") });
    await savePipeline(a, { id, spec: spec("three"), message: "third" });
    const author = { id: a.userId, name: userName };
    const versions = await listVersions(a, { id });
    const createdAt = expect.any(Date);
    expect(versions).toEqual([
      { version: 3, message: "third", createdAt, createdBy: author },
      { version: 2, message: "", createdAt, createdBy: author },
      { version: 1, message: "first version", createdAt, createdBy: author },
    ]);
    const p = await getPipeline(a, { id });
    expect(p.versions).toEqual(versions);
    expect(p).toMatchObject({ version: 3, message: "third", createdBy: author });
    expect(await getPipeline(a, { id, version: 1 })).toMatchObject({ version: 1, message: "first version", spec: spec("one") });

    const long = await refusal(savePipeline(a, { id, spec: spec(), message: "x".repeat(501) }));
    expect(long).toMatchObject({ code: "bad_request", message: "message: at most 500 characters, got 501" });
    expect((await savePipeline(a, { id, spec: spec(), message: ` ${"x".repeat(500)} ` })).version).toBe(4);
  });
});
