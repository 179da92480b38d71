import { describe, expect, it } from "vitest";
import { LATENCY_BUCKETS, latencyQuantileMs } from "./serving";

const empty = () => new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);

describe("latencyQuantileMs", () => {
  it("is null without observations", () => {
    expect(latencyQuantileMs(empty(), 0.5)).toBeNull();
  });
  it("interpolates inside the bucket that holds the rank", () => {
    const c = empty();
    c[1] = 100; // (0.5 ms, 1 ms]
    expect(latencyQuantileMs(c, 0.5)).toBeCloseTo(0.75, 6);
    expect(latencyQuantileMs(c, 1)).toBeCloseTo(1, 6);
  });
  it("finds p99 in a slow tail", () => {
    const c = empty();
    c[0] = 98;
    c[6] = 2; // (25 ms, 50 ms]
    expect(latencyQuantileMs(c, 0.5)!).toBeLessThan(0.5);
    expect(latencyQuantileMs(c, 0.99)!).toBeGreaterThan(25);
  });
  it("reports the +Inf bucket as the largest bound", () => {
    const c = empty();
    c[LATENCY_BUCKETS.length] = 1;
    expect(latencyQuantileMs(c, 0.5)).toBe(5000);
  });
});
