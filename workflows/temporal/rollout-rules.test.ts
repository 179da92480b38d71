import { describe, expect, it } from "vitest";
import { judgeCanary, judgeShadow, type Figures } from "./rollout-rules";

const f = (over: Partial<Figures>): Figures => ({
  version: 2,
  mode: "live",
  requests: 100,
  errors: 0,
  errorRate: 0,
  p50Ms: 1,
  p99Ms: 4,
  agreement: null,
  compared: 0,
  ...over,
});

describe("judgeCanary", () => {
  const rules = { maxErrorRate: 0.01, maxP99Ms: 20, minRequests: 10 };
  it("passes a healthy challenger", () => {
    expect(judgeCanary(rules, f({})).ok).toBe(true);
  });
  it("is inconclusive with too little traffic", () => {
    expect(judgeCanary(rules, f({ requests: 3 })).ok).toBe("inconclusive");
    expect(judgeCanary(rules, undefined).ok).toBe("inconclusive");
  });
  it("names the broken rule", () => {
    expect(judgeCanary(rules, f({ errors: 5, errorRate: 0.05 }))).toMatchObject({ ok: false, broken: "error rate 5% > maxErrorRate 1%" });
    expect(judgeCanary(rules, f({ p99Ms: 48.25 }))).toMatchObject({ ok: false, broken: "p99 48.3 ms > maxP99Ms 20 ms" });
  });
  it("checks only the rules given", () => {
    expect(judgeCanary({ minRequests: 1 }, f({ errors: 90, errorRate: 0.9, p99Ms: 900 })).ok).toBe(true);
  });
  it("minLiveMetric: waits for enough labelled requests, then rolls back a version worse than the bound (either direction)", () => {
    const mae = { minRequests: 10, minLiveMetric: { metric: "mae" as const, value: 5, minLabelled: 20 } };
    expect(judgeCanary(mae, f({ quality: null })).ok).toBe("inconclusive");
    expect(judgeCanary(mae, f({ quality: { labelled: 19, metrics: { mae: 9 } } })).ok).toBe("inconclusive");
    expect(judgeCanary(mae, f({ quality: { labelled: 20, metrics: { mae: 4.5 } } }))).toMatchObject({
      ok: true,
      summary: expect.stringContaining("mae 4.5 over 20 labelled"),
    });
    expect(judgeCanary(mae, f({ quality: { labelled: 40, metrics: { mae: 6.25 } } }))).toMatchObject({ ok: false, broken: "mae 6.25 > minLiveMetric 5" });
    const acc = { minRequests: 10, minLiveMetric: { metric: "accuracy" as const, value: 0.8, minLabelled: 20 } };
    expect(judgeCanary(acc, f({ quality: { labelled: 50, metrics: { accuracy: 0.75 } } }))).toMatchObject({
      ok: false,
      broken: "accuracy 0.75 < minLiveMetric 0.8",
    });
    expect(judgeCanary(acc, f({ quality: { labelled: 50, metrics: { accuracy: 0.9 } } })).ok).toBe(true);
    // A metric the task does not have breaks the rule (rather than waiting forever).
    expect(judgeCanary(acc, f({ quality: { labelled: 50, metrics: { mae: 1 } } }))).toMatchObject({
      ok: false,
      broken: "the model's task has no accuracy (it has mae)",
    });
  });
});

describe("judgeShadow", () => {
  const rule = { minAgreement: 0.95, minCompared: 50, minLabelled: 100 };
  it("promotes when enough rows agree", () => {
    expect(judgeShadow(rule, f({ mode: "shadow", compared: 80, agreement: 0.97 })).ok).toBe(true);
  });
  it("refuses too few rows, low agreement, or failing shadow requests", () => {
    expect(judgeShadow(rule, f({ mode: "shadow", compared: 10, agreement: 1 }))).toMatchObject({ ok: false, broken: "only 10 rows compared (minCompared 50)" });
    expect(judgeShadow(rule, f({ mode: "shadow", compared: 80, agreement: 0.5 }))).toMatchObject({ ok: false, broken: "agreement 50% < minAgreement 95%" });
    expect(judgeShadow(rule, f({ mode: "shadow", compared: 80, agreement: 1, errors: 2 })).ok).toBe(false);
    expect(judgeShadow(rule, undefined).ok).toBe(false);
  });
});

describe("judgeShadow: minImprovement", () => {
  const champion = (metrics: Record<string, number>, labelled = 200) => f({ version: 1, quality: { labelled, metrics } });
  const shadow = (metrics: Record<string, number>, labelled = 200) => f({ mode: "shadow", compared: 200, agreement: 0.5, quality: { labelled, metrics } });
  const rule = { minImprovement: 0.02, minCompared: 100, minLabelled: 100 };
  it("promotes a version better than the champion by the share, on an error metric or an accuracy", () => {
    expect(judgeShadow(rule, shadow({ mae: 4.8 }), champion({ mae: 5 }))).toMatchObject({
      ok: true,
      summary: expect.stringContaining("mae 4.8 vs the champion's 5 over 200 labelled (+4%)"),
    });
    expect(judgeShadow({ ...rule, metric: "accuracy" }, shadow({ accuracy: 0.92 }), champion({ accuracy: 0.9 })).ok).toBe(true);
    // The default metric: accuracy when the task has it.
    expect(judgeShadow(rule, shadow({ accuracy: 0.9, f1: 0.9 }), champion({ accuracy: 0.9, f1: 0.1 }))).toMatchObject({
      ok: false,
      broken: "accuracy better by 0% < minImprovement 2%",
    });
  });
  it("refuses a smaller gain, too few labelled requests, or a metric the task lacks", () => {
    expect(judgeShadow(rule, shadow({ mae: 4.95 }), champion({ mae: 5 }))).toMatchObject({ ok: false, broken: "mae better by 1% < minImprovement 2%" });
    expect(judgeShadow(rule, shadow({ mae: 5.5 }), champion({ mae: 5 }))).toMatchObject({ ok: false, broken: "mae better by -10% < minImprovement 2%" });
    expect(judgeShadow(rule, shadow({ mae: 1 }, 99), champion({ mae: 5 }))).toMatchObject({ ok: false, broken: "only 99 labelled requests (minLabelled 100)" });
    expect(judgeShadow(rule, shadow({ mae: 1 }), undefined)).toMatchObject({ ok: false, broken: "only 0 labelled requests (minLabelled 100)" });
    expect(judgeShadow({ ...rule, metric: "auc" }, shadow({ mae: 1 }), champion({ mae: 5 }))).toMatchObject({
      ok: false,
      broken: "no auc for both versions (the model's task has mae)",
    });
  });
  it("needs every rule given: agreement and improvement together", () => {
    expect(judgeShadow({ ...rule, minAgreement: 0.9 }, shadow({ mae: 1 }), champion({ mae: 5 }))).toMatchObject({
      ok: false,
      broken: "agreement 50% < minAgreement 90%",
    });
  });
});
