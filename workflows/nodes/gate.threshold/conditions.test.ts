import { describe, expect, it } from "vitest";
import { evaluateConditions } from "./conditions";

describe("gate.threshold conditions", () => {
  it("passes when all hold and says why", () => {
    const d = evaluateConditions(
      [
        { metric: "r2", op: ">=", value: 0.5 },
        { metric: "mae", op: "<", value: 4 },
      ],
      { r2: 0.71234, mae: 3.2 },
    );
    expect(d).toEqual({ kind: "decision", passed: true, reasons: ["r2 0.7123 >= 0.5 ✓", "mae 3.2 < 4 ✓"], metrics: { r2: 0.71234, mae: 3.2 } });
  });
  it("fails when one fails or a metric is missing", () => {
    expect(evaluateConditions([{ metric: "r2", op: ">=", value: 0.9 }], { r2: 0.7 }).passed).toBe(false);
    const d = evaluateConditions([{ metric: "auc", op: ">", value: 0.5 }], { accuracy: 0.9 });
    expect(d.passed).toBe(false);
    expect(d.reasons[0]).toBe("auc is not among the metrics (accuracy) ✗");
  });
});
