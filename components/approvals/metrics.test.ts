import { describe, expect, it } from "vitest";
import { compareMetrics } from "./metrics";

describe("compareMetrics", () => {
  it("marks the better side in each metric's direction", () => {
    const rows = compareMetrics({ r2: 0.8, rmse: 4, mae: 3 }, { r2: 0.7, rmse: 3.5, mae: 3 });
    expect(rows.map((r) => [r.key, r.better])).toEqual([
      ["r2", "challenger"],
      ["rmse", "champion"],
      ["mae", "tie"],
    ]);
  });
  it("marks nothing without a champion, for a metric only one side has, or one without a known direction", () => {
    expect(compareMetrics({ r2: 0.8 }, null)[0]).toMatchObject({ champion: null, better: null });
    expect(compareMetrics({ r2: 0.8 }, { accuracy: 0.9 }).map((r) => r.better)).toEqual([null, null]);
    expect(compareMetrics({ custom: 2 }, { custom: 1 })[0]).toMatchObject({ better: null, direction: null });
  });
});
