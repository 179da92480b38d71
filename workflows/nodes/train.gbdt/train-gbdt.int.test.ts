/**
 * train.gbdt inside a real pipeline on bundled flight data: trains, exports,
 * serves, and its training curve and feature importance are visible through
 * the REST API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sixStepSpec, startHarness, type Harness } from "../../../testing/temporal-harness";
import { savePipeline } from "../../../server/services/pipelines/save-pipeline";
import { startRun } from "../../../server/services/runs/start-run";
import { apiJson } from "../../../testing/api";
import { getAliasedVersion } from "../../../db/queries/models";
import { readProfile } from "../../monitoring/profile-store";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ localTeam: true }); // the REST API acts as the local team
});
afterAll(async () => {
  await h?.stop();
});

describe("train.gbdt in a pipeline", () => {
  it("trains on flights-20k, records the curve, deploys and serves", async () => {
    const model = `flights-gbdt-${Math.random().toString(36).slice(2, 8)}`;
    const spec = sixStepSpec({
      name: model,
      source: "sample:flights-20k",
      split: { strategy: "time", timeColumn: "departure", testFraction: 0.2 },
      train: {
        type: "train.gbdt",
        config: { task: "regression", target: "delay", features: ["hour", "day_of_week", "distance", "origin", "destination"], nTrees: 40, maxDepth: 4 },
      },
      conditions: [{ metric: "mae", op: "<", value: 60 }],
      model,
    });
    const { id } = await savePipeline(h.ctx, { spec });
    const { runId } = await startRun(h.ctx, { pipelineId: id });
    const run = await h.waitForRun(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");

    const body = await apiJson<{ metrics: { nodeId: string; key: string; step: number; value: number }[] }>("GET", `/api/v1/runs/${runId}`, 200);
    const curve = body.metrics.filter((m) => m.nodeId === "train" && m.key === "train_loss" && m.step > 0).map((m) => m.value);
    expect(curve).toHaveLength(40);
    expect(curve[39]!).toBeLessThan(curve[0]!);
    const importance = body.metrics.filter((m) => m.nodeId === "train" && m.key.startsWith("importance."));
    expect(importance.map((m) => m.key).sort()).toEqual(expect.arrayContaining(["importance.distance", "importance.hour"]));
    expect(importance.every((m) => m.value >= 0)).toBe(true);

    // The registered version carries its reference profile (profile.json beside model.onnx).
    const registered = await getAliasedVersion(h.ctx.db, h.ctx.teamId, model, "champion");
    expect(registered?.manifest.profile?.uri).toMatch(/profile\.json$/);
    const profile = (await readProfile(h.store, registered!.manifest))!;
    expect(profile.features.map((f) => [f.name, f.kind])).toEqual([
      ["hour", "numeric"],
      ["day_of_week", "numeric"],
      ["distance", "numeric"],
      ["origin", "categorical"],
      ["destination", "categorical"],
    ]);
    expect(profile.prediction).toMatchObject({ kind: "numeric", name: "prediction" });
    expect(profile.rows).toBe(profile.features[0]!.count + profile.features[0]!.missing);

    const served = await fetch(`${h.servingUrl}/v1/predict/${model}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        instances: [
          { hour: 18, day_of_week: 5, distance: 1750, origin: "DTW", destination: "LAS" },
          { hour: 6, day_of_week: 2, distance: 300, origin: "ZZZ", destination: null },
        ],
      }),
    });
    expect(served.status).toBe(200);
    const preds = ((await served.json()) as { predictions: { prediction: number }[] }).predictions;
    expect(preds).toHaveLength(2);
    for (const p of preds) expect(Number.isFinite(p.prediction)).toBe(true);
  });
});
