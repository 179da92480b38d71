/**
 * Deleting, restoring, duplicating and listing pipelines, deleting models and
 * datasets — through the services the API calls, against the real PostgreSQL
 * and Temporal of the integration setup: every refusal names what depends,
 * an undo brings back exactly what was there, a copy has the same spec.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../../db/client";
import { seedLocal } from "../../../db/seed";
import { createTeam } from "../../../db/queries/teams";
import { createRun, setRunStatus } from "../../../db/queries/runs";
import { insertDatasetVersion } from "../../../db/queries/datasets";
import { moveAlias, registerModelVersion } from "../../../db/queries/models";
import { testEnv } from "../../../testing/env";
import { manifestFor } from "../../../testing/models";
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { deletePipeline, restorePipeline } from "./delete-pipeline";
import { copyName, duplicatePipeline } from "./duplicate-pipeline";
import { getPipeline, listPipelines } from "./get-pipeline";
import { savePipeline } from "./save-pipeline";
import { deleteModel } from "../models/delete-model";
import { deleteAlias, setAlias } from "../models/aliases";
import { getModel } from "../models/get-model";
import { deleteDataset, restoreDataset } from "../datasets/delete-dataset";
import { listDatasets } from "../datasets/upload-dataset";
import { listTriggers, pauseTrigger } from "../triggers/list";
import { deleteSchedule } from "../triggers/schedules";
import boston from "../../../contract/templates/boston-housing.pipeline.json";

let db: Db;
let a: RequestContext;
let b: RequestContext;
const suffix = Math.random().toString(36).slice(2, 8);
const scheduled: string[] = [];

beforeAll(async () => {
  db = createDb(testEnv().DATABASE_URL, { max: 2 });
  const { userId } = await seedLocal(db);
  a = { db, teamId: (await createTeam(db, { slug: `del-a-${suffix}`, name: "Delete A", adminUserId: userId })).id, userId };
  b = { db, teamId: (await createTeam(db, { slug: `del-b-${suffix}`, name: "Delete B", adminUserId: userId })).id, userId };
});
afterAll(async () => {
  for (const id of scheduled) await deleteSchedule(id, 0).catch(() => undefined);
  await db?.$client.end();
});

type Spec = Record<string, unknown> & { nodes: { id: string; config: Record<string, unknown> }[] };
const spec = (name: string, extra: Record<string, unknown> = {}): Spec => {
  const s = structuredClone(boston) as unknown as Spec;
  s.nodes.find((n) => n.id === "deploy")!.config = { model: `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-model` };
  return { ...s, name, ...extra };
};

/** The ServiceError a promise rejects with. */
async function refusal(p: Promise<unknown>): Promise<ServiceError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ServiceError);
  return e as ServiceError;
}

async function runOf(ctx: RequestContext, pipelineId: string, status: "running" | "succeeded") {
  const run = await createRun(db, {
    teamId: ctx.teamId,
    pipelineId,
    pipelineVersion: 1,
    workflowId: `del-${Math.random()}`,
    params: {},
    trigger: "api",
    steps: [],
  });
  await setRunStatus(db, run.id, status);
  return run;
}

describe("listing pipelines", () => {
  it("searches names in any case, sorts by name, change or last run, and shows each one's last run", async () => {
    const alpha = await savePipeline(a, { spec: spec(`Alpha ${suffix}`) });
    const beta = await savePipeline(a, { spec: spec(`beta ${suffix}`) });
    const gamma = await savePipeline(a, { spec: spec(`gamma ${suffix}`) });
    await runOf(a, gamma.id, "succeeded");
    const latest = await runOf(a, alpha.id, "succeeded");
    await setRunStatus(db, latest.id, "failed", "boom");

    const byName = await listPipelines(a, { sort: "name" });
    expect(byName.map((p) => p.name)).toEqual([`Alpha ${suffix}`, `beta ${suffix}`, `gamma ${suffix}`]);
    expect(byName[0]!.lastRun).toEqual({ id: latest.id, status: "failed", createdAt: expect.any(Date) });
    expect(byName[1]!.lastRun).toBeNull();
    expect((await listPipelines(a, { sort: "lastRun" })).map((p) => p.id)).toEqual([alpha.id, gamma.id, beta.id]);
    expect((await listPipelines(a, { sort: "updated" })).map((p) => p.id)).toEqual([gamma.id, beta.id, alpha.id]);
    expect((await listPipelines(a, { q: "ALPHA" })).map((p) => p.id)).toEqual([alpha.id]);
    expect(await listPipelines(b, { q: "alpha" })).toEqual([]);
  });
});

describe("duplicating a pipeline", () => {
  it("copies the latest version's spec under a free name, without triggers", async () => {
    expect(copyName("p", [])).toBe("p copy");
    expect(copyName("p", ["p copy", "p copy 2"])).toBe("p copy 3");
    const name = `dup ${suffix}`;
    const original = spec(name, { triggers: [{ type: "webhook" }] });
    const { id } = await savePipeline(a, { spec: spec(name) });
    await savePipeline(a, { id, spec: original, message: "v2" });
    const copy = await duplicatePipeline(a, { id });
    expect(copy).toMatchObject({ name: `${name} copy`, version: 1, from: { id, version: 2 }, droppedTriggers: 1 });
    const saved = await getPipeline(a, { id: copy.id });
    const { triggers: _dropped, ...rest } = original;
    expect(saved.spec).toEqual({ ...rest, name: `${name} copy` });
    expect(saved.message).toBe(`copy of "${name}" version 2`);
    expect((await duplicatePipeline(a, { id })).name).toBe(`${name} copy 2`);
    expect((await refusal(duplicatePipeline(b, { id }))).code).toBe("not_found");
  });
});

describe("deleting a pipeline", () => {
  it("is refused while a run goes, a schedule is active or a model it trained is aliased; then soft, and undone by restore", async () => {
    const name = `del ${suffix}`;
    const { id } = await savePipeline(a, { spec: spec(name, { triggers: [{ type: "schedule", cron: "0 2 * * *", timezone: "UTC" }] }) });
    scheduled.push(id);
    const run = await runOf(a, id, "running");
    await registerModelVersion(db, {
      teamId: a.teamId,
      modelName: `del-model-${suffix}`,
      runId: run.id,
      artifactUri: "file:///nowhere/model.onnx",
      sha256: "0".repeat(64),
      manifest: manifestFor("regression", [], [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }]),
      metrics: {},
    });
    await setAlias(a, { name: `del-model-${suffix}`, alias: "champion", version: 1, reason: "test" });

    const e = await refusal(deletePipeline(a, { id }));
    expect(e.code).toBe("conflict");
    expect(e.errors).toEqual([
      { nodeId: null, field: "runs", message: `run ${run.id} is running: cancel it or let it finish` },
      { nodeId: null, field: "triggers.0", message: 'the schedule "0 2 * * *" is active: pause it (or remove the trigger) first' },
      { nodeId: null, field: "alias", message: `del-model-${suffix}@champion points at v1, which a run of this pipeline trained` },
    ]);
    expect(e.message).toContain(`pipeline "${name}" is in use`);

    await setRunStatus(db, run.id, "succeeded");
    await pauseTrigger(a, { id, index: 0, reason: "retiring it", paused: true });
    await deleteAlias(a, { name: `del-model-${suffix}`, alias: "champion", reason: "retiring it" });
    expect((await refusal(deletePipeline(b, { id }))).code).toBe("not_found");

    const deleted = await deletePipeline(a, { id });
    expect(deleted).toMatchObject({ id, name, deletedAt: expect.any(Date) });
    expect((await listPipelines(a)).map((p) => p.id)).not.toContain(id);
    expect((await listPipelines(a, { show: "deleted" })).map((p) => p.id)).toEqual([id]);
    expect((await refusal(getPipeline(a, { id }))).code).toBe("not_found");
    expect((await refusal(savePipeline(a, { id, spec: spec(name) }))).code).toBe("not_found");
    expect((await refusal(deletePipeline(a, { id }))).code).toBe("not_found");
    expect((await refusal(restorePipeline(b, { id }))).code).toBe("not_found");

    expect(await restorePipeline(a, { id })).toEqual({ id, name, version: 1 });
    const back = await getPipeline(a, { id });
    expect(back.spec).toEqual(spec(name, { triggers: [{ type: "schedule", cron: "0 2 * * *", timezone: "UTC" }] }));
    expect((await listPipelines(a)).map((p) => p.id)).toContain(id);
    expect((await listTriggers(a, { id }))[0]!.schedule).toMatchObject({ paused: true });
    expect((await refusal(restorePipeline(a, { id }))).code).toBe("not_found");
  });
});

describe("deleting a model", () => {
  it("is refused while an alias points at a version, then removes it with its versions", async () => {
    const model = `model-${suffix}`;
    const { id } = await savePipeline(a, { spec: spec(`model owner ${suffix}`) });
    const run = await runOf(a, id, "succeeded");
    await registerModelVersion(db, {
      teamId: a.teamId,
      modelName: model,
      runId: run.id,
      artifactUri: "file:///nowhere/model.onnx",
      sha256: "1".repeat(64),
      manifest: manifestFor("regression", [], [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }]),
      metrics: {},
    });
    await moveAlias(db, { modelId: (await getModelId(model))!, alias: "champion", version: 1, actor: "test", reason: "test" });
    const e = await refusal(deleteModel(a, { name: model }));
    expect(e.code).toBe("conflict");
    expect(e.errors).toEqual([{ nodeId: null, field: "alias", message: "alias champion points at v1: remove it first" }]);
    expect((await refusal(deleteModel(b, { name: model }))).code).toBe("not_found");
    await deleteAlias(a, { name: model, alias: "champion", reason: "retire" });
    expect(await deleteModel(a, { name: model })).toEqual({ name: model, versions: 1 });
    expect((await refusal(getModel(a, { name: model }))).code).toBe("not_found");
  });
});

async function getModelId(name: string) {
  const { getModelByName } = await import("../../../db/queries/models");
  return (await getModelByName(db, a.teamId, name))?.model.id;
}

describe("deleting a dataset", () => {
  it("is refused while a live pipeline reads it, naming the version and node; soft, and undone by restore", async () => {
    const name = `sales-${suffix}`;
    const row = (v: number) => ({
      teamId: a.teamId,
      name,
      uri: `file:///nowhere/${v}.parquet`,
      sha256: String(v).repeat(64),
      rows: 3,
      columns: [{ name: "x", type: "DOUBLE" }],
    });
    const v1 = (await insertDatasetVersion(db, row(1))).row;
    const v2 = (await insertDatasetVersion(db, row(2))).row;
    const reader = spec(`reader ${suffix}`);
    reader.nodes.find((n) => n.id === "ingest")!.config = { source: `dataset:${name}@1` };
    const { insertPipeline } = await import("../../../db/queries/pipelines");
    // Stored as is (its columns do not fit the boston nodes, which is beside the point here).
    const p = await insertPipeline(db, { teamId: a.teamId, name: `reader ${suffix}`, description: "", spec: reader, message: "" });

    const e = await refusal(deleteDataset(a, { id: v1.id }));
    expect(e.code).toBe("conflict");
    expect(e.errors).toEqual([
      { nodeId: "ingest", field: "config.source", message: `pipeline "reader ${suffix}" version 1 reads it (source "dataset:${name}@1")` },
    ]);
    // v2 is not pinned by anyone, and nothing reads the name's latest.
    const gone = await deleteDataset(a, { id: v2.id });
    expect(gone).toMatchObject({ id: v2.id, name, version: 2, deletedAt: expect.any(Date) });
    expect((await listDatasets(a)).map((d) => d.id)).toEqual([v1.id]);
    expect((await refusal(deleteDataset(a, { id: v2.id }))).code).toBe("not_found");
    expect((await refusal(deleteDataset(b, { id: v1.id }))).code).toBe("not_found");
    expect(await restoreDataset(a, { id: v2.id })).toMatchObject({ id: v2.id, version: 2 });
    expect((await listDatasets(a)).map((d) => d.id).sort()).toEqual([v1.id, v2.id].sort());

    // A bare name reads the latest version: that one is refused, with the pipeline's trigger too.
    const follower = spec(`follower ${suffix}`, { triggers: [{ type: "dataset", dataset: name }] });
    follower.nodes.find((n) => n.id === "ingest")!.config = { source: `dataset:${name}` };
    await insertPipeline(db, { teamId: a.teamId, name: `follower ${suffix}`, description: "", spec: follower, message: "" });
    expect((await refusal(deleteDataset(a, { id: v2.id }))).errors.map((x) => x.field)).toEqual(["config.source", "triggers"]);

    // Once the pinning pipeline is deleted, nothing reads v1.
    await deletePipeline(a, { id: p.id });
    expect((await deleteDataset(a, { id: v1.id })).version).toBe(1);
  });
});
