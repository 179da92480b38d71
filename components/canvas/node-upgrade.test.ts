import { describe, expect, it } from "vitest";
import { upgradePreview } from "./node-upgrade";

describe("upgradePreview", () => {
  it("evaluate v1 → v2: the version and config changes, and the settings v2 adds", () => {
    const p = upgradePreview({ type: "evaluate", version: 1, label: "Score", config: {} })!;
    expect(p).toMatchObject({ from: 1, to: 2, data: { type: "evaluate", version: 2, label: "Score", config: { compareWithChampion: false } } });
    expect(p.changes).toEqual([
      { field: "version", before: 1, after: 2 },
      { field: "config.compareWithChampion", before: undefined, after: false },
    ]);
    expect(p.added.map((f) => [f.name, f.required, f.default])).toEqual([
      ["compareWithChampion", false, false],
      ["registryName", false, undefined],
    ]);
    expect(p.removed).toEqual([]);
    expect(p.note).toMatch(/compareWithChampion/);
  });

  it("a type@N reference upgrades to a plain type with a version", () => {
    expect(upgradePreview({ type: "evaluate@1", config: {} })!.data).toEqual({ type: "evaluate", version: 2, config: { compareWithChampion: false } });
  });

  it("nothing for the newest version, a node without a version, or an unknown type", () => {
    expect(upgradePreview({ type: "evaluate", version: 2, config: {} })).toBeUndefined();
    expect(upgradePreview({ type: "evaluate", config: {} })).toBeUndefined();
    expect(upgradePreview({ type: "nope", version: 1, config: {} })).toBeUndefined();
  });
});
