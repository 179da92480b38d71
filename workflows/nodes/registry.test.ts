import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { nodeFolders, renderRegistries, versionFolders } from "../../scripts/gen-node-registry";
import { NODE_DEFINITIONS, nodeTypeVersions, resolveNodeType } from "./registry";
import { NODE_ACTIVITIES } from "./activities.generated";
import { NODE_GROUPS } from "./types";

describe("node registry", () => {
  it("the generated registries are up to date with the node folders (run `npm run gen`)", () => {
    for (const [file, text] of Object.entries(renderRegistries())) expect(fs.readFileSync(file, "utf8")).toBe(text);
  });

  it("every version folder has a definition and an activity of that type and version, and is registered", () => {
    const folders = versionFolders();
    expect(folders).toHaveLength(NODE_DEFINITIONS.length);
    for (const v of folders) {
      expect(fs.existsSync(`${__dirname}/${v.folder}/activity.ts`), `${v.folder}/activity.ts`).toBe(true);
      expect(
        NODE_DEFINITIONS.some((d) => d.type === v.type && d.version === v.version),
        v.folder,
      ).toBe(true);
      expect(NODE_ACTIVITIES[`${v.type}@${v.version}`], v.folder).toBeTypeOf("function");
    }
    expect(nodeFolders().sort()).toEqual([...new Set(NODE_DEFINITIONS.map((d) => d.type))].sort());
  });

  it("versions of a type count up from 1 without gaps", () => {
    for (const type of nodeFolders()) expect(nodeTypeVersions(type).map((d) => d.version)).toEqual(nodeTypeVersions(type).map((_, i) => i + 1));
  });

  it("has the six first node types of docs/spec.md with their ports", () => {
    const ports = Object.fromEntries(
      NODE_DEFINITIONS.filter((d) => d.version === 1).map((d) => [d.type, [d.inputs.map((p) => p.name), d.outputs.map((p) => p.name)]]),
    );
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
    expect(resolveNodeType("train.linear", 1)?.version).toBe(1);
    expect(resolveNodeType("train.linear", 9)).toBeUndefined();
  });

  it("definitions are well-formed", () => {
    for (const d of NODE_DEFINITIONS) {
      expect(NODE_GROUPS).toContain(d.group);
      expect(d.type.startsWith(d.group) || d.type === d.group).toBe(true);
      expect(d.label.length).toBeGreaterThan(0);
    }
  });
});
