import { describe, expect, it } from "vitest";
import { duration, durationSeconds } from "./duration";

describe("durations", () => {
  it("reads one number and one unit", () => {
    expect(durationSeconds("30s")).toBe(30);
    expect(durationSeconds("10m")).toBe(600);
    expect(durationSeconds("2h")).toBe(7200);
    expect(durationSeconds("7d")).toBe(604800);
    for (const bad of ["", "10", "1.5h", "0s", "-1m", "10 m", "1w"]) expect(durationSeconds(bad)).toBeNull();
  });
  it("refuses durations out of range, naming the field", () => {
    const r = duration("interval", { minSeconds: 5, maxSeconds: 86400 }).safeParse("2s");
    expect(r.success ? "" : r.error.issues[0]!.message).toBe("interval must be between 5 s and 1 days, got 2s");
    const bad = duration("interval").safeParse("soon");
    expect(bad.success ? "" : bad.error.issues[0]!.message).toBe('interval must be a duration like "30s", "10m", "2h" or "7d", got "soon"');
  });
});
