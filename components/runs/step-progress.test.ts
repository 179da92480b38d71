import { describe, expect, it } from "vitest";
import { progressShare, progressText } from "./step-progress";

describe("progressText", () => {
  it("counts iterations with the time left", () => {
    expect(progressText({ phase: "training", iteration: 140, total: 500, unit: "tree", etaSeconds: 12.3 })).toBe("tree 140 / 500 · about 12 s left");
    expect(progressText({ phase: "training", iteration: 1400, total: 3000, unit: "tree", etaSeconds: 125 })).toBe("tree 1,400 / 3,000 · about 2 m 05 s left");
    expect(progressText({ phase: "training", iteration: 0, total: 100, unit: "iteration" })).toBe("iteration 0 / 100");
  });
  it("says the phase when the step does not count", () => {
    expect(progressText({ phase: "reading the training data" })).toBe("reading the training data");
  });
  it("gives the share done, or null", () => {
    expect(progressShare({ phase: "training", iteration: 140, total: 500 })).toBe(0.28);
    expect(progressShare({ phase: "scoring" })).toBeNull();
  });
});
