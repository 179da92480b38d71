import { describe, expect, it } from "vitest";
import { fitInto, nodesBounds } from "./minimap";

const node = (x: number, y: number, w?: number, h?: number) => ({
  id: `${x}:${y}`,
  position: { x, y },
  data: {},
  ...(w ? { measured: { width: w, height: h } } : {}),
});

describe("minimap geometry", () => {
  it("bounds every node, using measured sizes or the fallback width", () => {
    expect(nodesBounds([], 200)).toBeNull();
    expect(nodesBounds([node(0, 0, 100, 50), node(300, -40)], 200)).toEqual({ x: 0, y: -40, w: 500, h: 90 });
  });

  it("fits the world into the box, centred, keeping the aspect ratio", () => {
    const { scale, ox, oy } = fitInto({ x: 100, y: 100, w: 1000, h: 200 }, 150, 100, 5);
    expect(scale).toBeCloseTo(0.14);
    // The world's left and right edges land on the padding; it is centred vertically.
    expect(ox + 100 * scale).toBeCloseTo(5);
    expect(ox + 1100 * scale).toBeCloseTo(145);
    expect(oy + 100 * scale + (200 * scale) / 2).toBeCloseTo(50);
  });
});
