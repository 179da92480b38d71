import { describe, expect, it } from "vitest";
import { importanceOf } from "./importance-bars";

describe("importanceOf", () => {
  it("turns importance metrics into shares, largest first, ignoring other metrics and series", () => {
    const rows = importanceOf([
      { key: "importance.hour", step: 0, value: 30 },
      { key: "importance.distance", step: 0, value: 10 },
      { key: "train_loss", step: 3, value: 2 },
      { key: "mae", step: 0, value: 5 },
    ]);
    expect(rows).toEqual([
      { name: "hour", share: 0.75 },
      { name: "distance", share: 0.25 },
    ]);
  });
  it("is empty without importance", () => {
    expect(importanceOf([{ key: "r2", step: 0, value: 0.7 }])).toEqual([]);
  });
});
