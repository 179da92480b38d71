import { describe, expect, it } from "vitest";
import { stillPlacement, type Still } from "./motion-painter";
import { cardLook, tint } from "./node-style";

describe("stillPlacement", () => {
  // Painted at zoom 0.5 with the view's top-left at flow (0, 0), 400 px of margin round a 1000×800 view.
  const still: Still = { transform: [0, 0, 0.5], detail: "medium", area: { x: -400, y: -400, w: 1800, h: 1600 } };

  it("moves the still picture with a pan", () => {
    expect(stillPlacement(still, [120, -60, 0.5], 1000, 800)).toBe("translate(120px, -60px) scale(1)");
  });

  it("scales it about the view's origin for a small zoom", () => {
    expect(stillPlacement(still, [10, 20, 0.55], 1000, 800)).toBe("translate(10px, 20px) scale(1.1)");
  });

  it("paints again once a pan leaves the margin", () => {
    expect(stillPlacement(still, [399, 0, 0.5], 1000, 800)).not.toBeNull();
    expect(stillPlacement(still, [401, 0, 0.5], 1000, 800)).toBeNull();
    expect(stillPlacement(still, [0, -401, 0.5], 1000, 800)).toBeNull();
  });

  it("paints again past a quarter of scale or across a level of detail", () => {
    expect(stillPlacement(still, [0, 0, 0.62], 1000, 800)).not.toBeNull();
    expect(stillPlacement(still, [0, 0, 0.64], 1000, 800)).toBeNull(); // 1.28× the painted scale
    expect(stillPlacement({ ...still, transform: [0, 0, 0.42] }, [0, 0, 0.38], 1000, 800)).toBeNull(); // medium → low
  });
});

describe("cardLook", () => {
  const base = { group: "train" as const, selected: false, problems: false, runStatusColor: undefined, diff: undefined, low: false };

  it("rings a card by diff, then run status, then selection, then problems", () => {
    expect(cardLook(base)).toMatchObject({ fill: "#fff", stripe: "#8b5cf6", ring: "#e2e8f0", ringWidth: 1, groupLabel: "Train" });
    expect(cardLook({ ...base, problems: true })).toMatchObject({ ring: "#fda4af", ringWidth: 1 });
    expect(cardLook({ ...base, problems: true, selected: true })).toMatchObject({ ring: "#6366f1", ringWidth: 2 });
    expect(cardLook({ ...base, selected: true, runStatusColor: "#10b981" })).toMatchObject({ ring: "#10b981", ringWidth: 2 });
    expect(cardLook({ ...base, runStatusColor: "#10b981", diff: "removed" })).toMatchObject({ ring: "#f43f5e", opacity: 0.7 });
  });

  it("tints the zoomed-out block instead", () => {
    expect(cardLook({ ...base, low: true })).toMatchObject({ fill: tint("#8b5cf6", 0.3), ringWidth: 0 });
    expect(cardLook({ ...base, low: true, selected: true }).fill).toBe("#6366f1");
    expect(cardLook({ ...base, low: true, group: undefined })).toMatchObject({ stripe: "#94a3b8", groupLabel: "unknown" });
  });
});

describe("tint", () => {
  it("mixes a colour with white as CSS color-mix does", () => {
    expect(tint("#000000", 0.3)).toBe("rgb(179 179 179)");
    expect(tint("#8b5cf6", 1)).toBe("rgb(139 92 246)");
    expect(tint("#8b5cf6", 0)).toBe("rgb(255 255 255)");
  });
});
