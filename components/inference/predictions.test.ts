import { describe, expect, it } from "vitest";
import { compareParity, toPredictions } from "./predictions";

describe("toPredictions", () => {
  it("shapes regression outputs like /v1/predict", () => {
    expect(toPredictions(2, { prediction: { data: new Float32Array([1.5, 2.5]), dims: [2, 1] } })).toEqual([{ prediction: 1.5 }, { prediction: 2.5 }]);
  });
  it("keys probabilities by class", () => {
    const p = toPredictions(1, { label: { data: ["b"], dims: [1] }, probabilities: { data: new Float32Array([0.25, 0.75]), dims: [1, 2] } }, ["a", "b"]);
    expect(p).toEqual([{ label: "b", probabilities: { a: 0.25, b: 0.75 } }]);
  });
});

describe("compareParity", () => {
  it("accepts differences within 1e-5", () => {
    const r = compareParity({ prediction: 24.000001 }, { prediction: 24.000004 });
    expect(r.ok).toBe(true);
    expect(r.maxDiff).toBeCloseTo(3e-6, 10);
  });
  it("refuses larger differences and different labels", () => {
    expect(compareParity({ prediction: 24 }, { prediction: 24.001 }).ok).toBe(false);
    const c = compareParity({ label: "a", probabilities: { a: 0.6, b: 0.4 } }, { label: "b", probabilities: { a: 0.6, b: 0.4 } });
    expect(c.ok).toBe(false);
    expect(c.rows.find((r) => r.field === "label")).toMatchObject({ ok: false });
    expect(c.rows.find((r) => r.field === "probabilities.a")).toMatchObject({ diff: 0, ok: true });
  });
  it("is not ok when nothing was compared", () => {
    expect(compareParity({}, {}).ok).toBe(false);
  });
});
