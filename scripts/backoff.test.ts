import { describe, expect, it } from "vitest";
import { RestartBackoff } from "./backoff";

describe("RestartBackoff", () => {
  it("doubles from 1 s to a 30 s cap while the process keeps dying quickly", () => {
    const b = new RestartBackoff();
    expect([1, 2, 3, 4, 5, 6, 7].map(() => b.next(500))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(b.count).toBe(7);
  });

  it("starts over after a process stayed up for a minute", () => {
    const b = new RestartBackoff();
    b.next(100);
    b.next(100);
    expect(b.next(60_000)).toBe(1_000);
    expect(b.next(100)).toBe(2_000);
  });
});
