import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { nodeFolders, renderRegistries } from "../../scripts/gen-node-registry";
import { NODE_DEFINITIONS, resolveNodeType } from "./registry";
import { NODE_GROUPS } from "./types";

describe("node registry", () => {
  it("the generated registries are up to date with the node folders (run `npm run gen`)", () => {
    for (const [file, text] of Object.entries(renderRegistries())) expect(fs.readFileSync(file, "utf8")).toBe(text);
  });

  it("every node folder has a definition and an activity, and is registered", () => {
    for (const folder of nodeFolders()) {
      expect(fs.existsSync(`${__dirname}/${folder}/activity.ts`), `${folder}/activity.ts`).toBe(true);
      expect(NODE_DEFINITIONS.some((d) => d.type === folder), folder).toBe(true);
    }
  });

  it("has the six first node types of docs/spec.md with their ports", () => {
    const ports = Object.fromEntries(NODE_DEFINITIONS.map((d) => [d.type, [d.inputs.map((p) => p.name), d.outputs.map((p) => p.name)]]));
    expect(ports["ingest.csv"]).toEqual([[], ["dataset"]]);
    expect(ports["feature.split"]).toEqual([["dataset"], ["train", "test"]]);
    expect(ports["train.linear"]).toEqual([["dataset"], ["model"]]);
    expect(ports["evaluate"]).toEqual([["model", "dataset"], ["metrics"]]);
    expect(ports["gate.threshold"]).toEqual([["metrics"], ["decision"]]);
    expect(ports["deploy.endpoint"]).toEqual([["model", "decision"], ["deployment"]]);
  });

  it("resolves versions", () => {
    expect(resolveNodeType("train.linear")?.version).toBe(1);
    expect(resolveNodeType("train.linear@1")?.type).toBe("train.linear");
    expect(resolveNodeType("train.linear@9")).toBeUndefined();
    expect(resolveNodeType("nope")).toBeUndefined();
  });

  it("definitions are well-formed", () => {
    for (const d of NODE_DEFINITIONS) {
      expect(NODE_GROUPS).toContain(d.group);
      expect(d.type.startsWith(d.group) || d.type === d.group).toBe(true);
      expect(d.label.length).toBeGreaterThan(0);
    }
  });
});
