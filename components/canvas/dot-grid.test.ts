import { describe, expect, it } from "vitest";
import { gridOffset } from "./dot-grid";

describe("dot grid offset", () => {
  it("puts a dot on every flow multiple of the gap, for any pan and zoom", () => {
    for (const g of [8, 10, 20, 33.3]) {
      for (const tx of [0, 1, -1, 7.5, -123.4, 999, 1e5 + 0.25]) {
        const off = gridOffset(tx, g);
        expect(off).toBeGreaterThanOrEqual(0);
        expect(off).toBeLessThan(g);
        // The element starts one gap left of the pane; its first dot is half a gap in.
        const firstDot = -g + off + g / 2;
        const r = (((firstDot - tx) % g) + g) % g;
        expect(Math.min(r, g - r)).toBeCloseTo(0, 6);
      }
    }
  });
});
