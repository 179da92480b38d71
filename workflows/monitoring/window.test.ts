import { describe, expect, it } from "vitest";
import type { ModelManifest } from "../../contract/model";
import { qualityByVersion, type WindowReference } from "./window";

const manifest = { task: "regression", target: "y", inputs: [], outputs: [] } as unknown as ModelManifest;
const ref = (version: number): WindowReference => ({ version, manifest, metrics: { mae: 0.5 }, profile: null });
const row = (version: number, mode: string, prediction: number, value: number | null) => ({
  version,
  mode,
  inputs: {},
  outputs: { prediction },
  label: null,
  value,
});

describe("qualityByVersion", () => {
  it("scores each version on its own route apart, on the rows whose ground truth arrived; unknown versions are left out", () => {
    const rows = [
      row(1, "live", 10, 12),
      row(2, "shadow", 11.5, 12),
      row(1, "live", 20, 19),
      row(2, "shadow", 19, 19),
      row(1, "live", 5, null),
      row(2, "shadow", 5, null),
      row(3, "live", 1, 1),
    ];
    expect(qualityByVersion(rows, new Map([1, 2].map((v) => [v, ref(v)])))).toEqual([
      { version: 1, mode: "live", rows: 3, labelled: 2, metrics: expect.objectContaining({ mae: 1.5 }) },
      { version: 2, mode: "shadow", rows: 3, labelled: 2, metrics: expect.objectContaining({ mae: 0.25 }) },
    ]);
  });

  it("a version with no ground truth yet: its rows, nothing labelled, no metrics", () => {
    expect(qualityByVersion([row(1, "live", 1, null)], new Map([[1, ref(1)]]))).toEqual([{ version: 1, mode: "live", rows: 1, labelled: 0, metrics: {} }]);
  });
});
