/**
 * Old things keep working: every spec committed to the repository — the
 * compiler's valid fixtures, the seed templates, the test harness's pipeline
 * shape — still compiles with today's node types, and a spec that pins an old
 * version keeps it in the plan. (Committed workflow histories are replayed in
 * workflows/temporal/replay.int.test.ts.)
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "./compile";
import { sixStepSpec } from "../../testing/temporal-harness";
import { NODE_DEFINITIONS } from "../nodes/registry";

const root = path.join(__dirname, "..", "..");
const jsonFiles = (dir: string, suffix: string) =>
  fs
    .readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f));

const committed = [
  ...jsonFiles("workflows/compiler/fixtures", ".pipeline.json").filter((f) => path.basename(f).startsWith("valid-")),
  ...jsonFiles("contract/templates", ".json"),
];

describe("committed specs compile with today's node types", () => {
  it("finds the fixtures and the templates", () => {
    expect(committed).toContain("contract/templates/boston-housing.pipeline.json");
    expect(committed).toContain("workflows/compiler/fixtures/valid-evaluate-v1.pipeline.json");
  });

  for (const file of committed) {
    it(file, () => {
      const r = compile(JSON.parse(fs.readFileSync(path.join(root, file), "utf8")));
      expect(r.ok ? [] : r.errors).toEqual([]);
    });
  }

  it("the harness's six-step pipeline, with each train type", () => {
    for (const type of ["train.linear", "train.gbdt"]) {
      const r = compile(
        sixStepSpec({
          name: "p",
          source: "sample:boston-housing",
          train: { type, config: { target: "medv" } },
          conditions: [{ metric: "r2", op: ">=", value: 0.5 }],
          model: "m",
        }),
      );
      expect(r.ok ? [] : r.errors).toEqual([]);
    }
  });

  it("a spec that pins evaluate version 1 runs evaluate@1 although a newer version exists", () => {
    expect(Math.max(...NODE_DEFINITIONS.filter((d) => d.type === "evaluate").map((d) => d.version))).toBeGreaterThan(1);
    const r = compile(JSON.parse(fs.readFileSync(path.join(root, "workflows/compiler/fixtures/valid-evaluate-v1.pipeline.json"), "utf8")));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.plan.steps.find((s) => s.nodeId === "evaluate")).toMatchObject({ type: "evaluate", version: 1, config: {} });
  });

  it("a spec without versions (every spec saved before versions) gets the newest of each type", () => {
    const r = compile(JSON.parse(fs.readFileSync(path.join(root, "contract/templates/boston-housing.pipeline.json"), "utf8")));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    for (const s of r.plan.steps) expect(s.version).toBe(Math.max(...NODE_DEFINITIONS.filter((d) => d.type === s.type).map((d) => d.version)));
  });
});
