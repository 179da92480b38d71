import { describe, expect, it } from "vitest";
import { BAND_COLOURS, type Heatmap } from "./model";
import { heatmapOption, scaleColour, windowLabel } from "./options";

type Layer = { name: string; data: [number, number, number][]; large?: boolean; symbolSize: number[]; itemStyle: { color: string } };

function heat(windows: number, features: number, value: (x: number, y: number) => number | null, noTraffic: number[] = []): Heatmap {
  const h: Heatmap = { features: Array.from({ length: features }, (_, i) => `f${i}`), times: [], cells: [], noTraffic: [], noValue: [], max: 0 };
  for (let x = 0; x < windows; x++) {
    h.times.push(Date.UTC(2026, 10, 1) + x * 3_600_000);
    for (let y = 0; y < features; y++) {
      if (noTraffic.includes(x)) h.noTraffic.push([x, y]);
      else {
        const v = value(x, y);
        if (v === null) h.noValue.push([x, y]);
        else {
          h.cells.push([x, y, v]);
          h.max = Math.max(h.max, v);
        }
      }
    }
  }
  return h;
}

describe("heatmapOption", () => {
  it("draws every cell once, in one large layer per colour band, no series per cell", () => {
    const h = heat(720, 50, (x, y) => (y === 0 ? x / 720 : (x * y) % 7 === 0 ? null : 0.01), [100, 101]);
    const o = heatmapOption(h, "psi", { x: 5, y: 0 }, { width: 1000, height: 700 });
    const series = o.series as Layer[];
    expect(series.map((s) => s.name)).toEqual(["stable", "moderate", "drifted", "no traffic", "no value", "selected"]);
    const drawn = series.slice(0, 5).reduce((n, s) => n + s.data.length, 0);
    expect(drawn).toBe(720 * 50);
    expect(series.slice(0, 5).every((s) => s.large)).toBe(true);
    // Feature 0 drifts from 0 to ~1: under 0.1 stable, 0.1–0.2 moderate, from 0.2 drifted.
    const f0 = (i: number) => series[i]!.data.filter((c) => c[1] === 0).map((c) => c[0]);
    expect(Math.min(...f0(1))).toBe(72);
    expect(Math.min(...f0(2))).toBe(144);
    expect(series[3]!.data).toHaveLength(100);
    expect(series[3]!.itemStyle.color).toBe(BAND_COLOURS.noTraffic);
    expect(series[5]!.data).toEqual([[5, 0, 0]]);
  });

  it("sizes the cells from the chart's pixels", () => {
    const h = heat(10, 4, () => 0.05);
    const o = heatmapOption(h, "psi", null, { width: 500, height: 232 });
    const left = (o.grid as { left: number }).left;
    const [w, hgt] = (o.series as Layer[])[0]!.symbolSize;
    expect(w).toBeCloseTo((500 - left - 12) / 10 - 1);
    expect(hgt).toBeCloseTo((232 - 6 - 26) / 4 - 1);
  });

  it("steps Wasserstein (unbounded, in each feature's units) over its range", () => {
    const h = heat(8, 1, (x) => x);
    const series = heatmapOption(h, "wasserstein", null, { width: 400, height: 100 }).series as Layer[];
    expect(series.slice(0, 8).map((s) => s.data.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(series[0]!.itemStyle.color).toBe(scaleColour(0));
    expect(scaleColour(1)).toBe("rgb(220,38,38)");
  });

  it("says what a grey cell means in its tooltip", () => {
    const h = heat(3, 2, (x) => (x === 2 ? null : 0.3), [1]);
    const o = heatmapOption(h, "psi", null, { width: 400, height: 100 });
    const format = (o.tooltip as { formatter: (p: { value: [number, number, number] }) => string }).formatter;
    const series = o.series as Layer[];
    expect(format({ value: series[2]!.data[0]! })).toContain("psi 0.3");
    expect(format({ value: series[3]!.data[0]! })).toContain("No traffic in this window");
    expect(format({ value: series[4]!.data[0]! })).toContain("No value of this feature");
  });

  it("labels windows by the minute, and by the second when they do not start on one", () => {
    const t = Date.UTC(2026, 11, 7, 14, 0, 0);
    expect(windowLabel(t, false)).toMatch(/^\d\d:\d\d$/);
    expect(windowLabel(t + 27_000, false)).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(windowLabel(t, false, true)).toMatch(/^\d\d:\d\d:00$/);
  });
});
