/**
 * `POST /api/v1/deployments/{name}/feedback` through its REST route, on
 * predictions a real serving process logged: feedback joins logged live
 * rows by request id and row (unknown ones answered back, not stored), the
 * last one for a row wins, a label on a regression (or a value on a
 * classifier, or a class the model does not know) is a 422 naming the item's
 * field with nothing stored, and another team's deployment is a 404.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../../db/client";
import { createTeam, findLocalIdentity } from "../../../db/queries/teams";
import { ArtifactStore } from "../../../infra/artifacts";
import { requestIdTime, silentLogger } from "../../../infra/log";
import { apiJson } from "../../../testing/api";
import { classifierTestModel, linearTestModel } from "../../../testing/models";
import { deployTestModel, startTestDatabase, type TestDatabase } from "../../../testing/serving-database";
import { deploymentIdOf, indexedRequestIds, feedbackOf as storedFeedback } from "../../../testing/prediction-log";
import { createServingServer, type ServingServer } from "../../serving/server";

const suffix = crypto.randomBytes(4).toString("hex");
const reg = `fb-reg-${suffix}`;
const cls = `fb-cls-${suffix}`;
const foreign = `fb-foreign-${suffix}`;

let tdb: TestDatabase;
let artifactDir: string;
let servingDb: Db;
let serving: ServingServer;
let base: string;
let regId: string;

/** Predicts under the caller's request id, or (undefined) under one serving makes; returns the id the answer names. */
async function predict(name: string, instances: Record<string, unknown>[], requestId: string | undefined): Promise<string> {
  const res = await fetch(`${base}/v1/predict/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(requestId ? { "x-request-id": requestId } : {}) },
    body: JSON.stringify({ instances }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { request_id: string }).request_id;
}

/** Ids serving made (UUIDv7, found by their time, not through the index). */
const made: string[] = [];

const feedbackOf = (requestId: string, row = 0) => storedFeedback(tdb.db, regId, requestId, row);

const url = (name: string) => `/api/v1/deployments/${name}/feedback`;

beforeAll(async () => {
  tdb = await startTestDatabase();
  artifactDir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-feedback-"));
  const store = new ArtifactStore(artifactDir);
  await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: reg, modelName: `fb-reg-model-${suffix}`, model: linearTestModel() });
  await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: cls, modelName: `fb-cls-model-${suffix}`, model: classifierTestModel() });
  const me = await findLocalIdentity(tdb.db);
  const other = await createTeam(tdb.db, { slug: `other-${suffix}`, name: "Other", adminUserId: me!.userId });
  await deployTestModel(tdb.db, store, { teamId: other.id, deployment: foreign, modelName: `fb-foreign-model-${suffix}`, model: linearTestModel() });
  regId = await deploymentIdOf(tdb.db, reg);
  servingDb = createDb(tdb.url, { max: 2 });
  serving = createServingServer({ db: servingDb, store, logger: silentLogger(), predictionLog: { flushMs: 50 } });
  base = (await serving.listen(0)).url;
  await predict(
    reg,
    [
      { x: 1, s: "a" },
      { x: 2, s: "b" },
    ],
    `r1-${suffix}`,
  );
  await predict(reg, [{ x: 3, s: "a" }], `r2-${suffix}`);
  await predict(cls, [{ x: 1 }], `c1-${suffix}`);
  await predict(foreign, [{ x: 1, s: "a" }], `f1-${suffix}`);
  made.push(
    await predict(
      reg,
      [
        { x: 5, s: "a" },
        { x: 6, s: "b" },
      ],
      undefined,
    ),
  );
  made.push(await predict(reg, [{ x: 7, s: "b" }], undefined));
  await serving.close(); // writes what it logged
});

afterAll(async () => {
  await serving?.close();
  await servingDb?.$client.end({ timeout: 5 });
  await tdb?.stop();
  if (artifactDir) await fsp.rm(artifactDir, { recursive: true, force: true });
});

describe("feedback", () => {
  it("records feedback for logged live predictions and answers the unknown ones", async () => {
    const r = await apiJson("POST", url(reg), 200, {
      body: [
        { requestId: `r1-${suffix}`, value: 3.5 },
        { requestId: `r1-${suffix}`, row: 1, value: 4 },
        { requestId: "never-predicted", value: 1 },
        { requestId: `r2-${suffix}`, row: 5, value: 1 },
      ],
    });
    expect(r).toEqual({
      recorded: 2,
      unknown: [
        { index: 2, requestId: "never-predicted", row: 0 },
        { index: 3, requestId: `r2-${suffix}`, row: 5 },
      ],
    });
    expect(await feedbackOf(`r1-${suffix}`)).toMatchObject({ value: 3.5, label: null });
    expect(await feedbackOf(`r1-${suffix}`, 1)).toMatchObject({ value: 4 });
    expect(await feedbackOf(`r2-${suffix}`, 5)).toBeUndefined();
    expect(await feedbackOf("never-predicted")).toBeUndefined();
  });

  it("finds predictions under the ids serving made by the time in them, and none under an id of another time", async () => {
    expect(made.map((id) => requestIdTime(id))).toEqual([expect.any(Number), expect.any(Number)]);
    // Not indexed (found by time); the callers' ids are.
    const indexed = await indexedRequestIds(tdb.db, regId);
    expect(indexed).toEqual(expect.arrayContaining([`r1-${suffix}`, `r2-${suffix}`]));
    expect(indexed.filter((id) => made.includes(id))).toEqual([]);
    // The same id shape a minute earlier: no batch of that time holds it.
    const t = requestIdTime(made[0]!)!;
    const stranger = `${(t - 60_000)
      .toString(16)
      .padStart(12, "0")
      .replace(/^(.{8})/, "$1-")}${made[0]!.slice(13)}`;
    expect(requestIdTime(stranger)).toBe(t - 60_000);
    const r = await apiJson("POST", url(reg), 200, {
      body: [
        { requestId: made[0], value: 1.5 },
        { requestId: made[0], row: 1, value: 2.5 },
        { requestId: made[1], value: 3.5 },
        { requestId: made[1], row: 1, value: 0 },
        { requestId: stranger, value: 0 },
      ],
    });
    expect(r).toEqual({
      recorded: 3,
      unknown: [
        { index: 3, requestId: made[1], row: 1 },
        { index: 4, requestId: stranger, row: 0 },
      ],
    });
    expect(await feedbackOf(made[0]!, 1)).toMatchObject({ value: 2.5 });
  });

  it("keeps the last feedback for a row (across calls and within one)", async () => {
    const at = "2026-11-30T08:00:00.000Z";
    expect(await apiJson("POST", url(reg), 200, { body: [{ requestId: `r1-${suffix}`, value: 9, at }] })).toEqual({ recorded: 1, unknown: [] });
    const f = await feedbackOf(`r1-${suffix}`);
    expect(f).toMatchObject({ value: 9 });
    expect(f!.at.toISOString()).toBe(at);
    expect(
      await apiJson("POST", url(reg), 200, {
        body: [
          { requestId: `r2-${suffix}`, value: 1 },
          { requestId: `r2-${suffix}`, value: 2 },
        ],
      }),
    ).toEqual({ recorded: 2, unknown: [] });
    expect(await feedbackOf(`r2-${suffix}`)).toMatchObject({ value: 2 });
  });

  it("refuses the wrong kind of truth with a 422 naming the item's field, storing nothing", async () => {
    const label = await apiJson("POST", url(reg), 422, {
      body: [
        { requestId: `r2-${suffix}`, value: 100 },
        { requestId: `r1-${suffix}`, label: "yes" },
      ],
    });
    expect(label.error.details).toEqual([{ nodeId: null, field: "feedback[1].label", message: expect.stringContaining("regression") }]);
    expect(await feedbackOf(`r2-${suffix}`)).toMatchObject({ value: 2 }); // the valid item was not stored either
    const missing = await apiJson("POST", url(reg), 422, { body: [{ requestId: `r1-${suffix}` }] });
    expect(missing.error.details[0].field).toBe("feedback[0].value");

    const value = await apiJson("POST", url(cls), 422, { body: [{ requestId: `c1-${suffix}`, value: 1 }] });
    expect(value.error.details[0].field).toBe("feedback[0].value");
    const unknownClass = await apiJson("POST", url(cls), 422, { body: [{ requestId: `c1-${suffix}`, label: "maybe" }] });
    expect(unknownClass.error.details[0]).toMatchObject({ field: "feedback[0].label", message: expect.stringContaining("yes, no") });
    expect(await apiJson("POST", url(cls), 200, { body: [{ requestId: `c1-${suffix}`, label: "no" }] })).toEqual({ recorded: 1, unknown: [] });

    const notNumber = await apiJson("POST", url(reg), 422, { body: [{ requestId: `r1-${suffix}`, value: "3" }] });
    expect(notNumber.error.details[0].field).toBe("feedback[0].value");
    expect((await apiJson("POST", url(reg), 422, { body: [] })).error.details[0].field).toBe("feedback");
    const tooMany = Array.from({ length: 10_001 }, () => ({ requestId: "x", value: 1 }));
    expect((await apiJson("POST", url(reg), 422, { body: tooMany })).error.details[0].field).toBe("feedback");
    expect((await apiJson("POST", url(reg), 422, { body: [{ requestId: `r1-${suffix}`, value: 1, at: "yesterday" }] })).error.details[0].field).toBe(
      "feedback[0].at",
    );
    expect((await apiJson("POST", url(reg), 422, { body: { requestId: "x", value: 1 } })).error.details[0].field).toBe("feedback");
  });

  it("is a 404 for another team's deployment and for none", async () => {
    expect((await apiJson("POST", url(foreign), 404, { body: [{ requestId: `f1-${suffix}`, value: 1 }] })).error.code).toBe("not_found");
    expect((await apiJson("POST", url(`nope-${suffix}`), 404, { body: [{ requestId: "x", value: 1 }] })).error.code).toBe("not_found");
  });
});
