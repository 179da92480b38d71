/**
 * evaluate@2 against real PostgreSQL + Temporal: a first run registers a
 * champion, a second run with compareWithChampion scores that champion on
 * the same split, and a new champion is never served a cached comparison.
 * Also: a plan that says evaluate@1 runs evaluate@1 although evaluate@2 exists.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../testing/temporal-harness";
import { savePipeline } from "../../../server/services/pipelines/save-pipeline";
import { startRun } from "../../../server/services/runs/start-run";
import { NODE_ACTIVITIES } from "../activities.generated";
import type { NodeActivity } from "../step-context";
import type { MetricsRef } from "../../spec/refs";
import type { PipelineSpecInput } from "../../spec/spec";
import { latestNodeType } from "../registry";
import boston from "../../../contract/templates/boston-housing.pipeline.json";

const uid = () => Math.random().toString(36).slice(2, 8);

/** Which activity implementation ran, per run and node. */
const calls: string[] = [];
const recording =
  (key: string): NodeActivity =>
  (ctx) => {
    calls.push(`${ctx.runId}:${ctx.nodeId}:${key}`);
    return NODE_ACTIVITIES[key]!(ctx);
  };

function spec(model: string, o: { evaluate: { version: number; config: Record<string, unknown> }; l2?: number; minR2?: number }) {
  const s = structuredClone(boston) as unknown as PipelineSpecInput & { nodes: { id: string; version?: number; config: Record<string, unknown> }[] };
  s.name = `evaluate-${model}`;
  s.nodes.find((n) => n.id === "deploy")!.config = { model };
  s.nodes.find((n) => n.id === "gate")!.config = { conditions: [{ metric: "r2", op: ">=", value: o.minR2 ?? 0 }] };
  s.nodes.find((n) => n.id === "train")!.config = { task: "regression", target: "medv", l2: o.l2 ?? 1 };
  Object.assign(
    s.nodes.find((n) => n.id === "evaluate")!,
    o.evaluate,
  );
  return s;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ nodeActivities: { "evaluate@1": recording("evaluate@1"), "evaluate@2": recording("evaluate@2") } });
});
afterAll(async () => {
  await h?.stop();
});

async function run(s: ReturnType<typeof spec>, status: "succeeded" | "blocked" = "succeeded") {
  const { id } = await savePipeline(h.ctx, { spec: s });
  const { runId } = await startRun(h.ctx, { pipelineId: id });
  const r = await h.waitForRun(runId);
  if (status === "succeeded") expect(r.error).toBeNull();
  expect(r.status).toBe(status);
  const evaluate = r.steps.find((st) => st.nodeId === "evaluate")!;
  const metrics = Object.fromEntries(r.metrics.filter((m) => m.nodeId === "evaluate").map((m) => [m.key, m.value]));
  return { runId, evaluate, output: (evaluate.outputs as { metrics: MetricsRef }).metrics, metrics, logs: evaluate.logs.map((l) => l.message) };
}

describe("evaluate@2: compare with the champion", () => {
  it("records the champion's metrics on the same split, and a new champion is not served from the cache", async () => {
    expect(latestNodeType("evaluate")!.version).toBe(2);
    const model = `champ-${uid()}`;

    // Run 1 pins evaluate@1: the plan says version 1, so version 1 runs (v2 exists). It deploys the champion.
    const first = await run(spec(model, { evaluate: { version: 1, config: {} } }));
    expect(calls).toContain(`${first.runId}:evaluate:evaluate@1`);
    expect(calls.some((c) => c.startsWith(`${first.runId}:evaluate:evaluate@2`))).toBe(false);
    expect(first.output).not.toHaveProperty("champion"); // evaluate@1's output, exactly as before
    expect(Object.keys(first.metrics).sort()).toEqual(["mae", "r2", "rmse"]);

    // Run 2: another model (l2 = 200), evaluate@2 comparing with the champion of the deploy node's model.
    const second = await run(spec(model, { evaluate: { version: 2, config: { compareWithChampion: true } }, l2: 200 }));
    expect(calls).toContain(`${second.runId}:evaluate:evaluate@2`);
    expect(second.output.champion).toEqual({ version: 1, values: first.output.values });
    for (const k of ["mae", "r2", "rmse"]) expect(second.metrics[`champion.${k}`]).toBeCloseTo(first.metrics[k]!, 12);
    expect(second.metrics.r2).not.toBeCloseTo(first.metrics.r2!, 6); // a different challenger
    expect(second.logs).toContainEqual(expect.stringMatching(new RegExp(`^${model} v1 \\(champion\\) on the same 101 rows: mae=`)));

    // Run 3: nothing changed for evaluate but the champion (run 2 deployed version 2): the comparison is made again.
    // Its gate holds deploy back, so the champion stays at version 2.
    const third = await run(spec(model, { evaluate: { version: 2, config: { compareWithChampion: true } }, l2: 200, minR2: 0.999 }), "blocked");
    expect(third.evaluate.logs[0]!.message).not.toContain("nothing changed since run");
    expect(third.evaluate.cached).toBe(false);
    expect(third.output.champion).toEqual({ version: 2, values: second.output.values });

    // Run 4: nothing changed at all: now the cached comparison is reused.
    const fourth = await run(spec(model, { evaluate: { version: 2, config: { compareWithChampion: true } }, l2: 200, minR2: 0.999 }), "blocked");
    expect(fourth.evaluate.cached).toBe(true);
    expect(fourth.output.champion).toEqual({ version: 2, values: second.output.values });
  });

  it("with no champion yet says so and records nothing for it", async () => {
    const model = `nochamp-${uid()}`;
    const r = await run(spec(model, { evaluate: { version: 2, config: { compareWithChampion: true, registryName: `nobody-${uid()}` } } }));
    expect(r.output.champion).toBeNull();
    expect(Object.keys(r.metrics).sort()).toEqual(["mae", "r2", "rmse"]);
    expect(r.logs).toContainEqual(expect.stringMatching(/^nobody-\w+ has no champion yet: nothing to compare with$/));
  });
});
