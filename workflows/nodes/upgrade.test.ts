import { describe, expect, it } from "vitest";
import { upgradeNode, upgradeSpec, upgradeTarget } from "./upgrade";
import { latestNodeType, NODE_DEFINITIONS } from "./registry";
import { compile } from "../compiler/compile";
import type { PipelineSpecInput } from "../spec/spec";
import boston from "../../contract/templates/boston-housing.pipeline.json";

describe("upgrades", () => {
  it("evaluate v1 → v2 adds compareWithChampion: false and keeps the rest of the node", () => {
    const node = { id: "evaluate", type: "evaluate", version: 1, label: "Score", config: {}, position: { x: 1, y: 2 } };
    const up = upgradeNode(node);
    expect(up).toEqual({ ...node, version: 2, config: { compareWithChampion: false } });
    expect(node.config).toEqual({}); // pure: the input is untouched
    expect(upgradeNode({ type: "evaluate@1", config: {} })).toEqual({ type: "evaluate", version: 2, config: { compareWithChampion: false } });
  });

  it("leaves nodes alone that are newest, name no version, or are unknown", () => {
    for (const node of [
      { type: "evaluate", version: 2, config: {} },
      { type: "evaluate", config: {} },
      { type: "evaluate", version: 9, config: {} },
      { type: "nope", version: 1, config: {} },
      { type: "train.linear", version: 1, config: { target: "y" } },
    ]) {
      expect(upgradeNode(node)).toBe(node);
      expect(upgradeTarget(node)).toBeUndefined();
    }
    expect(upgradeTarget({ type: "evaluate", version: 1 })?.version).toBe(2);
  });

  it("an upgraded spec compiles, and the plan it gives is the newest version's", () => {
    const pinned: PipelineSpecInput = { ...(boston as PipelineSpecInput), nodes: boston.nodes.map((n) => (n.id === "evaluate" ? { ...n, version: 1 } : n)) };
    const up = upgradeSpec(pinned);
    expect(up.nodes.find((n) => n.id === "evaluate")).toMatchObject({ version: 2, config: { compareWithChampion: false } });
    expect(up.nodes.filter((n) => n.id !== "evaluate")).toEqual(pinned.nodes.filter((n) => n.id !== "evaluate"));
    const r = compile(up);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.plan.steps.find((s) => s.nodeId === "evaluate")).toMatchObject({ version: 2, config: { compareWithChampion: false } });
  });

  it("every version's upgrade turns the previous version's default config into a valid one", () => {
    for (const def of NODE_DEFINITIONS.filter((d) => d.version > 1)) {
      const prev = NODE_DEFINITIONS.find((d) => d.type === def.type && d.version === def.version - 1)!;
      const parsed = prev.config.safeParse({});
      if (!parsed.success) continue; // needs required fields: covered by the type's own tests
      const up = def.upgrade ? def.upgrade(parsed.data as Record<string, unknown>) : (parsed.data as Record<string, unknown>);
      expect(def.config.safeParse(up).success, `${def.type}@${def.version}`).toBe(true);
    }
    expect(latestNodeType("evaluate")!.upgradeNote).toMatch(/compareWithChampion/);
  });
});
