import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compareWithChampion } from "./compare";
import { compile } from "../../compiler/compile";
import type { MetricsRef } from "../../spec/refs";

const metrics = (values: Record<string, number>, champion: MetricsRef["champion"]): MetricsRef => ({
  kind: "metrics",
  task: "regression",
  values,
  rows: 100,
  modelSha256: "x",
  champion,
});

describe("compareWithChampion", () => {
  it("passes a challenger better by at least the margin, in the metric's direction", () => {
    const d = compareWithChampion({ metric: "r2", margin: 0.01 }, metrics({ r2: 0.8 }, { version: 3, values: { r2: 0.75 } }));
    expect(d.passed).toBe(true);
    expect(d.reasons[0]).toBe("r2 0.8 vs champion v3 0.75: better by 0.05 (higher is better; needs +0.01) ✓");
    expect(compareWithChampion({ metric: "rmse", margin: 0 }, metrics({ rmse: 4 }, { version: 3, values: { rmse: 5 } })).passed).toBe(true);
  });

  it("refuses a challenger worse than the champion, or not better by the margin", () => {
    const worse = compareWithChampion({ metric: "rmse", margin: 0 }, metrics({ rmse: 5.5 }, { version: 2, values: { rmse: 5 } }));
    expect(worse.passed).toBe(false);
    expect(worse.reasons[0]).toContain("worse by 0.5 (lower is better");
    expect(compareWithChampion({ metric: "r2", margin: 0.1 }, metrics({ r2: 0.8 }, { version: 3, values: { r2: 0.75 } })).passed).toBe(false);
  });

  it("passes with no champion yet, and says so", () => {
    const d = compareWithChampion({ metric: "r2", margin: 0 }, metrics({ r2: 0.1 }, null));
    expect(d).toMatchObject({ passed: true, reasons: ["no champion yet to compare with: the challenger (r2 0.1) passes ✓"] });
  });

  it("fails when the metric is missing on either side", () => {
    expect(compareWithChampion({ metric: "accuracy", margin: 0 }, metrics({ r2: 0.1 }, null)).passed).toBe(false);
    expect(compareWithChampion({ metric: "r2", margin: 0 }, metrics({ r2: 0.1 }, { version: 1, values: {} })).passed).toBe(false);
  });

  it("honours an explicit direction", () => {
    expect(compareWithChampion({ metric: "r2", margin: 0, direction: "lower" }, metrics({ r2: 0.5 }, { version: 1, values: { r2: 0.6 } })).passed).toBe(true);
  });
});

describe("gate.compare in a pipeline", () => {
  const boston = JSON.parse(fs.readFileSync(path.join(__dirname, "../../compiler/fixtures/valid-boston.pipeline.json"), "utf8"));
  const withGate = (gateConfig: Record<string, unknown>, evaluateConfig: Record<string, unknown>) => ({
    ...boston,
    nodes: boston.nodes.map((n: { id: string }) =>
      n.id === "gate" ? { ...n, type: "gate.compare", config: gateConfig } : n.id === "evaluate" ? { ...n, config: evaluateConfig } : n,
    ),
  });

  it("compiles after an evaluate that scores the champion", () => {
    const r = compile(withGate({ metric: "r2", margin: 0.01 }, { compareWithChampion: true }));
    expect(r.ok).toBe(true);
  });

  it("refuses an evaluate that does not score the champion, naming the input", () => {
    const r = compile(withGate({ metric: "r2" }, {}));
    expect(r.ok ? [] : r.errors).toEqual([
      {
        nodeId: "gate",
        field: "inputs.metrics",
        message: "gate.compare needs the metrics of an evaluate step with compareWithChampion: true (evaluate does not score the champion)",
      },
    ]);
  });

  it("refuses a metric the evaluate step does not produce for its model's task", () => {
    const r = compile(withGate({ metric: "accuracy" }, { compareWithChampion: true }));
    expect(r.ok ? [] : r.errors).toEqual([
      { nodeId: "gate", field: "config.metric", message: "evaluate scores a regression model, which has no accuracy; its metrics are mae, rmse, r2" },
    ]);
  });
});
