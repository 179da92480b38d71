/**
 * The pipeline workflow end to end: real PostgreSQL, a real Temporal dev
 * server, real activities (DuckDB, the TS trainers, onnxruntime-node) and a
 * real serving process.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Context } from "@temporalio/activity";
import { historyToJSON } from "@temporalio/common/lib/proto-utils";
import { sixStepSpec, startHarness, type Harness } from "../../testing/temporal-harness";
import { savePipeline } from "../../server/services/pipelines/save-pipeline";
import { retryRun } from "../../server/services/runs/retry-run";
import { cancelRun } from "../../server/services/runs/cancel-run";
import { startRun } from "../../server/services/runs/start-run";
import { uploadDataset } from "../../server/services/datasets/upload-dataset";
import { insertDatasetVersion } from "../../db/queries/datasets";
import { withDuckDb, writeDataset } from "../data/duckdb";
import { getModel } from "../../server/services/models/get-model";
import { temporalClient } from "../../server/temporal";
import { ServiceError } from "../../server/errors";
import { NODE_ACTIVITIES } from "../nodes/activities.generated";
import type { NodeActivity } from "../nodes/step-context";
import { DataError } from "../ml/types";
import boston from "../../contract/templates/boston-housing.pipeline.json";

const uid = () => Math.random().toString(36).slice(2, 8);

/** With UPDATE_HISTORY=1, commits the run's workflow history as a replay fixture (workflows/temporal/replay.int.test.ts). */
async function keepHistory(workflowId: string, name: string) {
  if (!process.env.UPDATE_HISTORY) return;
  const history = await (await temporalClient()).workflow.getHandle(workflowId).fetchHistory();
  fs.writeFileSync(path.join(__dirname, "fixtures", `${name}.history.json`), historyToJSON(history));
}

/** ingest.csv that fails its first attempt for penguins: a transient fault. */
const flakyIngest: NodeActivity = async (ctx) => {
  if ((ctx.config as { source: string }).source === "sample:penguins" && Context.current().info.attempt === 1) {
    throw new Error("simulated transient failure (connection reset)");
  }
  return NODE_ACTIVITIES["ingest.csv@1"]!(ctx);
};

/** gate.threshold that fails once for the pipelines listed here: a failed run to retry. */
const failGateOnce = new Set<string>();
const flakyGate: NodeActivity = async (ctx) => {
  if (failGateOnce.delete(ctx.pipelineId)) throw new DataError("simulated failure of the gate", "config.conditions");
  return NODE_ACTIVITIES["gate.threshold@1"]!(ctx);
};

function bostonSpec(model: string, minR2 = 0.6) {
  const spec = structuredClone(boston);
  spec.name = `boston-${model}`;
  spec.nodes.find((n) => n.id === "deploy")!.config = { model, alias: "champion", strategy: "replace" };
  spec.nodes.find((n) => n.id === "gate")!.config = { conditions: [{ metric: "r2", op: ">=", value: minR2 }] };
  return spec;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ nodeActivities: { "ingest.csv@1": flakyIngest, "gate.threshold@1": flakyGate } });
});
afterAll(async () => {
  await h?.stop();
});

describe("pipeline workflow", () => {
  it("runs the Boston sample end to end: trains, registers, deploys, serves", async () => {
    const model = `boston-${uid()}`;
    const { id } = await savePipeline(h.ctx, { spec: bostonSpec(model) });
    const { runId, workflowId } = await startRun(h.ctx, { pipelineId: id });
    const run = await h.waitForRun(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["ingest", "succeeded"],
      ["split", "succeeded"],
      ["train", "succeeded"],
      ["evaluate", "succeeded"],
      ["gate", "succeeded"],
      ["deploy", "succeeded"],
    ]);
    const split = run.steps.find((s) => s.nodeId === "split")!.outputs as Record<string, { rows: number }>;
    expect(split.train!.rows + split.test!.rows).toBe(506);
    expect(split.test!.rows).toBe(101);
    const r2 = run.metrics.find((m) => m.nodeId === "evaluate" && m.key === "r2")!.value;
    expect(r2).toBeGreaterThan(0.6);
    expect(run.steps.find((s) => s.nodeId === "train")!.logs.some((l) => l.message.includes("training on 405 rows"))).toBe(true);

    // Temporal knows the run by the id the API returned.
    const client = await temporalClient();
    // The run's row says "succeeded" from the workflow's last local activity, a moment before the workflow completes.
    await expect.poll(async () => (await client.workflow.getHandle(workflowId).describe()).status.name, { timeout: 15_000 }).toBe("COMPLETED");
    const desc = await client.workflow.getHandle(workflowId).describe();
    expect(desc.taskQueue).toBe(h.taskQueue);

    // Registered with lineage, alias moved with an audit event.
    const registered = await getModel(h.ctx, { name: model });
    expect(registered.versions).toHaveLength(1);
    expect(registered.versions[0]!.runId).toBe(runId);
    expect(registered.versions[0]!.metrics.r2).toBeCloseTo(r2, 10);
    expect(registered.aliases).toEqual({ champion: 1 });
    expect(registered.events[0]).toMatchObject({ alias: "champion", fromVersion: null, toVersion: 1, runId });

    // deploy confirmed the serving process switched to the new version (NOTIFY → reload).
    const deployLogs = run.steps.find((s) => s.nodeId === "deploy")!.logs.map((l) => l.message);
    expect(deployLogs).toContainEqual(expect.stringMatching(new RegExp(`^serving ${model} v1 \\(live after \\d+ ms\\)$`)));

    // The serving process answers for it.
    const row = {
      crim: 0.02731,
      zn: 0,
      indus: 7.07,
      chas: 0,
      nox: 0.469,
      rm: 6.421,
      age: 78.9,
      dis: 4.9671,
      rad: 2,
      tax: 242,
      ptratio: 17.8,
      b: 396.9,
      lstat: 9.14,
    };
    const res = await fetch(`${h.servingUrl}/v1/predict/${model}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: [row] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model_version: string | number; predictions: { prediction: number }[] };
    expect(String(body.model_version)).toBe("1");
    expect(body.predictions[0]!.prediction).toBeGreaterThan(10);
    expect(body.predictions[0]!.prediction).toBeLessThan(40);

    if (process.env.UPDATE_HISTORY) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      fs.writeFileSync(path.join(__dirname, "fixtures", "pipeline-run.history.json"), historyToJSON(history));
    }

    // A re-run with nothing changed reuses every cacheable step and says so.
    const again = await startRun(h.ctx, { pipelineId: id });
    const rerun = await h.waitForRun(again.runId);
    expect(rerun.status).toBe("succeeded");
    const cached = Object.fromEntries(rerun.steps.map((s) => [s.nodeId, s.cached]));
    expect(cached).toEqual({ ingest: true, split: true, train: true, evaluate: true, gate: false, deploy: false });
    expect(rerun.steps[0]!.logs[0]!.message).toContain("nothing changed since run");
    // The same model bytes: no new version, the alias does not move, and the run says so.
    const deploy = rerun.steps.find((s) => s.nodeId === "deploy")!;
    expect((deploy.outputs as unknown as { deployment: unknown }).deployment).toMatchObject({ version: 1, unchanged: true });
    expect(deploy.logs.map((l) => l.message)).toContain(`unchanged: v1 (the trained model equals ${model} version 1); champion not moved`);
    const after = await getModel(h.ctx, { name: model });
    expect(after.versions).toHaveLength(1);
    expect(after.aliases).toEqual({ champion: 1 });
    expect(after.events).toHaveLength(1);

    // A retry of a failed run reuses every step that succeeded (deploy runs again); retrying a success is a conflict.
    await expect(retryRun(h.ctx, { runId: again.runId })).rejects.toMatchObject({ code: "conflict" });
  });

  it("a failed gate skips deploy, blocks the run with the gate's reason, and registers nothing", async () => {
    const model = `gated-${uid()}`;
    const { id } = await savePipeline(h.ctx, { spec: bostonSpec(model, 0.99) });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    const run = await h.waitForRun(runId);
    expect(run.status).toBe("blocked");
    expect(run.error).toMatch(/^gate "gate" did not pass: r2 0\.\d+ >= 0\.99 ✗$/);
    expect(run.finishedAt).not.toBeNull();
    await keepHistory(run.workflowId, "pipeline-run-blocked");
    const gate = run.steps.find((s) => s.nodeId === "gate")!;
    expect(gate.status).toBe("succeeded");
    expect((gate.outputs as unknown as { decision: { passed: boolean; reasons: string[] } }).decision.passed).toBe(false);
    const deploy = run.steps.find((s) => s.nodeId === "deploy")!;
    expect(deploy.status).toBe("skipped");
    expect(deploy.error).toMatch(/^gate "gate" did not pass: r2 0\.\d+ >= 0\.99 ✗$/);
    await expect(getModel(h.ctx, { name: model })).rejects.toThrow(ServiceError);
  });

  it("retry runs a failed run again, reusing every step that succeeded; resume after an edit reuses the unchanged ones", async () => {
    const model = `retry-${uid()}`;
    const { id } = await savePipeline(h.ctx, { spec: bostonSpec(model) });
    failGateOnce.add(id);
    const failed = await h.waitForRun((await startRun(h.ctx, { pipelineId: id })).runId);
    expect(failed.status).toBe("failed");
    expect(failed.steps.map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded", "failed", "skipped"]);

    const { runId } = await retryRun(h.ctx, { runId: failed.id });
    const retried = await h.waitForRun(runId);
    expect(retried.status).toBe("succeeded");
    expect(retried.trigger).toEqual({ type: "retry", detail: { of: failed.id } });
    const byNode = Object.fromEntries(retried.steps.map((s) => [s.nodeId, s]));
    for (const n of ["ingest", "split", "train", "evaluate"]) {
      expect(byNode[n]!.cached, n).toBe(true);
      expect(byNode[n]!.logs.map((l) => l.message)).toEqual([`reused the outputs of run ${failed.id}`]);
      expect(byNode[n]!.outputs).toEqual(failed.steps.find((s) => s.nodeId === n)!.outputs);
    }
    expect(byNode.gate!.cached).toBe(false);
    expect((await getModel(h.ctx, { name: model })).versions[0]!.runId).toBe(runId);
    await keepHistory(retried.workflowId, "pipeline-run-retried");
    await expect(retryRun(h.ctx, { runId })).rejects.toMatchObject({ code: "conflict" });

    // Resume after an edit: a failed run, the train node changed, a new version run with resumeOf reuses ingest and split only.
    failGateOnce.add(id);
    const failedAgain = await h.waitForRun((await startRun(h.ctx, { pipelineId: id })).runId);
    expect(failedAgain.status).toBe("failed");
    const edited = bostonSpec(model);
    (edited.nodes.find((n) => n.id === "train")!.config as Record<string, unknown>).l2 = 7;
    const { version } = await savePipeline(h.ctx, { id, spec: edited, message: "stronger ridge" });
    const resumed = await h.waitForRun((await startRun(h.ctx, { pipelineId: id, version, resumeOf: failedAgain.id })).runId);
    expect(resumed.status).toBe("succeeded");
    expect(resumed.trigger).toEqual({ type: "manual", detail: { resumeOf: failedAgain.id } });
    expect(resumed.steps.map((s) => [s.nodeId, s.logs[0]?.message.startsWith("reused the outputs") ?? false])).toEqual([
      ["ingest", true],
      ["split", true],
      ["train", false],
      ["evaluate", false],
      ["gate", false],
      ["deploy", false],
    ]);
  });

  it("a cancelled run ends cancelled and deploys nothing", async () => {
    const model = `cancel-${uid()}`;
    const { id } = await savePipeline(h.ctx, { spec: bostonSpec(model) });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    await cancelRun(h.ctx, { runId });
    const run = await h.waitForRun(runId);
    expect(run.status).toBe("cancelled");
    await expect(getModel(h.ctx, { name: model })).rejects.toThrow(ServiceError);
    await expect(cancelRun(h.ctx, { runId })).rejects.toMatchObject({ code: "conflict" });
    await keepHistory(run.workflowId, "pipeline-run-cancelled");
  });

  it("retries a transiently failing step, then classifies penguins end to end", async () => {
    const model = `penguins-${uid()}`;
    const spec = sixStepSpec({
      name: `penguins-${model}`,
      source: "sample:penguins",
      split: { seed: 7 },
      train: { type: "train.linear", config: { task: "classification", target: "species" } },
      conditions: [{ metric: "accuracy", op: ">=", value: 0.9 }],
      model,
    });
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    const run = await h.waitForRun(runId);
    expect(run.status).toBe("succeeded");
    const ingest = run.steps.find((s) => s.nodeId === "ingest")!;
    expect(ingest.attempt).toBe(2);
    expect(ingest.logs.some((l) => l.message.includes("attempt 1 failed: simulated transient failure"))).toBe(true);
    const metrics = Object.fromEntries(run.metrics.filter((m) => m.nodeId === "evaluate").map((m) => [m.key, m.value]));
    expect(metrics.accuracy).toBeGreaterThan(0.9);
    expect(Object.keys(metrics).sort()).toEqual(["accuracy", "f1", "logloss"]);

    const res = await fetch(`${h.servingUrl}/v1/predict/${model}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        instances: [{ island: "Biscoe", beak_length_mm: 47.5, beak_depth_mm: 15, flipper_length_mm: 218, body_mass_g: 4950, sex: "MALE" }],
      }),
    });
    const body = (await res.json()) as { predictions: { label: string; probabilities: Record<string, number> }[] };
    expect(res.status).toBe(200);
    expect(body.predictions[0]!.label).toBe("Gentoo");
  });

  it("bad data fails the training step with a readable message, and nothing is deployed", async () => {
    const csv = [
      "size,rooms,price",
      "50,2,100",
      "60,3,120",
      "n/a,2,90",
      ...Array.from({ length: 40 }, (_, i) => `${40 + i},${1 + (i % 4)},${80 + i * 2}`),
    ].join("\n");
    const ds = await uploadDataset(h.ctx, { name: "houses-with-typo", csv: new TextEncoder().encode(csv) }, h.store);
    expect(ds.rows).toBe(43);
    const model = `typo-${uid()}`;
    const spec = bostonSpec(model, 0);
    spec.nodes.find((n) => n.id === "ingest")!.config = { source: `dataset:${ds.id}` };
    spec.nodes.find((n) => n.id === "train")!.config = { task: "regression", target: "price", l2: 1 };
    const { id } = await savePipeline(h.ctx, { spec });
    const run = await h.waitForRun((await startRun(h.ctx, { pipelineId: id })).runId);
    expect(run.status).toBe("failed");
    const train = run.steps.find((s) => s.nodeId === "train")!;
    expect(train.status).toBe("failed");
    expect(train.attempt).toBe(1); // bad input is not retried
    expect(train.error).toMatch(/column "size" is numeric but row \d+ has the text "n\/a"/);
    expect(run.steps.find((s) => s.nodeId === "deploy")!.status).toBe("skipped");
    expect(run.error).toContain("train:");
    await expect(getModel(h.ctx, { name: model })).rejects.toThrow(ServiceError);
  });

  it("a dataset with no rows fails at ingest and nothing runs after it", async () => {
    // An upload with a header and no rows is refused; a dataset a step wrote can still be empty.
    await expect(uploadDataset(h.ctx, { name: "header-only", csv: new TextEncoder().encode("size,rooms,price\n") }, h.store)).rejects.toThrow(
      "the CSV was not accepted: the CSV has a header row (size, rooms, price) but no data rows",
    );
    const empty = await withDuckDb((conn) => writeDataset(conn, h.store, "SELECT 1.0 AS size, 2 AS rooms, 3.0 AS price WHERE false"));
    const { row: ds } = await insertDatasetVersion(h.db, {
      teamId: h.ctx.teamId,
      name: "no-rows",
      uri: empty.uri,
      sha256: empty.sha256,
      rows: empty.rows,
      columns: empty.schema,
    });
    expect(ds.rows).toBe(0);
    const spec = bostonSpec(`empty-${uid()}`, 0);
    spec.nodes.find((n) => n.id === "ingest")!.config = { source: `dataset:${ds.id}` };
    // A header-only CSV's columns are text: a class to predict, else the save is refused before anything runs.
    spec.nodes.find((n) => n.id === "train")!.config = { task: "classification", target: "price", l2: 1 };
    spec.nodes.find((n) => n.id === "gate")!.config = { conditions: [{ metric: "accuracy", op: ">=", value: 0 }] };
    const { id } = await savePipeline(h.ctx, { spec });
    const run = await h.waitForRun((await startRun(h.ctx, { pipelineId: id })).runId);
    expect(run.status).toBe("failed");
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["ingest", "failed"],
      ["split", "skipped"],
      ["train", "skipped"],
      ["evaluate", "skipped"],
      ["gate", "skipped"],
      ["deploy", "skipped"],
    ]);
    expect(run.steps[0]!.error).toBe(`dataset:${ds.id} has no rows`);
    expect(run.steps[1]!.error).toBe('upstream step "ingest" failed');
  });

  it("a missing target column is refused on save, naming the node, the field and the columns", async () => {
    const spec = bostonSpec(`nt-${uid()}`);
    spec.nodes.find((n) => n.id === "train")!.config = { task: "regression", target: "price", l2: 1 };
    const err = await savePipeline(h.ctx, { spec }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).errors).toEqual([
      { nodeId: "train", field: "config.target", message: expect.stringMatching(/^"price" is not a column of the input data; its columns: crim, zn, /) },
    ]);
  });

  it("a run is refused when the dataset's latest version lost the target column", async () => {
    const name = `houses-${uid()}`;
    const upload = (csv: string) => uploadDataset(h.ctx, { name, csv: new TextEncoder().encode(csv) }, h.store);
    await upload("size,price\n50,100\n60,120\n");
    const spec = bostonSpec(`lost-${uid()}`);
    spec.nodes.find((n) => n.id === "ingest")!.config = { source: `dataset:${name}` };
    spec.nodes.find((n) => n.id === "train")!.config = { task: "regression", target: "price", l2: 1 };
    const { id } = await savePipeline(h.ctx, { spec });
    await upload("size,cost\n50,100\n60,120\n");
    const err = await startRun(h.ctx, { pipelineId: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).errors).toEqual([
      { nodeId: "train", field: "config.target", message: '"price" is not a column of the input data; its columns: size, cost' },
    ]);
  });

  it("refuses to start with params the pipeline does not declare", async () => {
    const { id } = await savePipeline(h.ctx, { spec: bostonSpec(`p-${uid()}`) });
    const err = await startRun(h.ctx, { pipelineId: id, params: { month: "2001-02" } }).catch((e) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.errors).toEqual([{ nodeId: null, field: "params.month", message: 'unknown param "month"; declared: none' }]);
  });
});
