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
});

describe("judgeShadow", () => {
  const rule = { minAgreement: 0.95, minCompared: 50 };
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
