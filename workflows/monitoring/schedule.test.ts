import { describe, expect, it } from "vitest";
import { alignedWindow } from "./schedule";

describe("alignedWindow", () => {
  it("is the newest whole interval ending at or before now, on multiples of the interval", () => {
    const now = new Date("2026-12-07T14:37:12.345Z");
    expect(alignedWindow(now, 3600)).toEqual({ start: new Date("2026-12-07T13:00:00Z"), end: new Date("2026-12-07T14:00:00Z") });
    expect(alignedWindow(now, 60)).toEqual({ start: new Date("2026-12-07T14:36:00Z"), end: new Date("2026-12-07T14:37:00Z") });
    // Exactly on a boundary: the window that just ended.
    expect(alignedWindow(new Date("2026-12-07T14:00:00Z"), 3600).end).toEqual(new Date("2026-12-07T14:00:00Z"));
  });
});
