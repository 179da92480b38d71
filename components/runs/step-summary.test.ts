import { describe, expect, it } from "vitest";
import { stepSummary } from "./step-summary";

const ds = (rows: number) => ({
  kind: "dataset",
  uri: "a",
  sha256: "s",
  rows,
  schema: [
    { name: "x", type: "DOUBLE" },
    { name: "y", type: "DOUBLE" },
  ],
});

describe("stepSummary", () => {
  it("lists outputs in the node type's port order", () => {
    expect(stepSummary({ type: "feature.split", status: "succeeded", error: null, outputs: { test: ds(101), train: ds(405) } })).toBe(
      "train 405 rows × 2 cols · test 101 rows × 2 cols",
    );
  });
  it("shows metrics, decisions and deployments", () => {
    expect(
      stepSummary({
        type: "evaluate",
        status: "succeeded",
        error: null,
        outputs: { metrics: { kind: "metrics", task: "regression", values: { r2: 0.73591, mae: 3.8 }, rows: 101, modelSha256: "m" } },
      }),
    ).toBe("r2 0.7359 · mae 3.8");
    expect(
      stepSummary({
        type: "gate.threshold",
        status: "succeeded",
        error: null,
        outputs: { decision: { kind: "decision", passed: true, reasons: ["r2 0.7359 >= 0.5 ✓"], metrics: {} } },
      }),
    ).toBe("passed: r2 0.7359 >= 0.5 ✓");
    expect(
      stepSummary({
        type: "deploy.endpoint",
        status: "succeeded",
        error: null,
        outputs: { deployment: { kind: "deployment", name: "b", model: "b", version: 3, alias: "champion", strategy: "replace" } },
      }),
    ).toBe("b v3 → champion");
  });
  it("says why a step was skipped or failed", () => {
    expect(stepSummary({ type: "deploy.endpoint", status: "skipped", error: 'upstream step "gate" did not pass', outputs: null })).toBe(
      'skipped: upstream step "gate" did not pass',
    );
    expect(stepSummary({ type: "train.linear", status: "failed", error: 'target column "medv" is not in the dataset', outputs: null })).toBe(
      'target column "medv" is not in the dataset',
    );
    expect(stepSummary({ type: "train.linear", status: "running", error: null, outputs: null })).toBe("");
  });
  it("says where a cancelled step stopped", () => {
    expect(
      stepSummary({
        type: "train.gbdt",
        status: "cancelled",
        error: "cancelled",
        outputs: null,
        progress: { phase: "training", iteration: 140, total: 3000, unit: "tree" },
      }),
    ).toBe("cancelled at tree 140 / 3,000");
    expect(stepSummary({ type: "evaluate", status: "cancelled", error: null, outputs: null, progress: null })).toBe("cancelled");
  });
});
