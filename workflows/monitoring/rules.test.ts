import { describe, expect, it } from "vitest";
import type { ColumnDrift, MonitorFigures } from "../../contract/monitoring";
import { compare, metricOf, ruleHolds, triggerOp } from "./rules";

const col = (name: string, psi: number, ks: number | null = 0.1): ColumnDrift => ({
  name,
  kind: "numeric",
  rows: 100,
  psi,
  js: psi / 2,
  ks,
  wasserstein: 1,
  missingRate: 0,
  outOfRange: 0,
  unseen: 0,
  counts: [],
});

function figures(o: { psi?: Record<string, number>; quality?: Record<string, number>; errorRate?: number | null } = {}): MonitorFigures {
  return {
    versions: [{ version: 1, rows: 100 }],
    referenceVersion: 1,
    features: Object.entries(o.psi ?? { a: 0.05, b: 0.3 }).map(([k, v]) => col(k, v)),
    prediction: col("prediction", 0.07),
    dataQuality: { missingRate: 0.01, outOfRange: 3, unseenCategories: 0, schemaMismatches: [] },
    quality: o.quality ? { labelled: 10, metrics: o.quality, training: { mae: 1 }, change: { mae: (o.quality.mae ?? 1) - 1 } } : null,
    system: { requests: 100, errors: 1, errorRate: o.errorRate === undefined ? 0.01 : o.errorRate, ratePerSecond: 2, p50Ms: 1, p99Ms: 9 },
  };
}

describe("metricOf", () => {
  it("reads a drift statistic of the most drifted feature, or of the features named", () => {
    expect(metricOf(figures(), "psi")).toEqual({ value: 0.3, feature: "b" });
    expect(metricOf(figures(), "psi", ["a"])).toEqual({ value: 0.05, feature: "a" });
    expect(metricOf(figures(), "js", ["a", "b"])).toEqual({ value: 0.15, feature: "b" });
    expect(metricOf(figures(), "prediction_psi")).toEqual({ value: 0.07, feature: null });
  });

  it("reads data quality, system and live quality figures", () => {
    expect(metricOf(figures(), "out_of_range")?.value).toBe(3);
    expect(metricOf(figures(), "error_rate")?.value).toBe(0.01);
    expect(metricOf(figures({ quality: { mae: 2.5 } }), "mae")?.value).toBe(2.5);
    expect(metricOf(figures({ quality: { mae: 2.5 } }), "mae_change")?.value).toBe(1.5);
  });

  it("is null when the window has no such figure: no data, no ground truth yet, an unknown feature", () => {
    expect(metricOf(null, "psi")).toBeNull();
    expect(metricOf(figures(), "mae")).toBeNull();
    expect(metricOf(figures(), "psi", ["nope"])).toBeNull();
    expect(metricOf(figures({ errorRate: null }), "error_rate")).toBeNull();
  });
});

describe("rules", () => {
  const rule = { metric: "psi", feature: null, op: ">" as const, value: 0.2, forWindows: 3 };

  it("fires only after forWindows windows in a row meet the condition", () => {
    const drifted = figures();
    const calm = figures({ psi: { a: 0.01, b: 0.02 } });
    expect(ruleHolds(rule, [drifted, drifted]).holds).toBe(false); // 2 of 3 windows so far
    expect(ruleHolds(rule, [drifted, drifted, calm]).holds).toBe(false);
    expect(ruleHolds(rule, [drifted, drifted, drifted, calm])).toEqual({ holds: true, observed: 0.3, feature: "b" });
    expect(ruleHolds(rule, [calm, drifted, drifted, drifted]).holds).toBe(false);
  });

  it("a window without the figure never fires", () => {
    expect(ruleHolds({ ...rule, forWindows: 1 }, [null]).holds).toBe(false);
  });

  it("compares with each operator, and drift triggers read accuracy-like metrics as falling below", () => {
    expect([compare(1, ">", 1), compare(1, ">=", 1), compare(1, "<", 2), compare(2, "<=", 1)]).toEqual([false, true, true, false]);
    expect(triggerOp("psi")).toBe(">");
    expect(triggerOp("mae")).toBe(">");
    expect(triggerOp("accuracy")).toBe("<");
    expect(triggerOp("r2")).toBe("<");
  });
});
