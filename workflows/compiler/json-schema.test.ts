import { describe, expect, it } from "vitest";
import { pipelineJsonSchema } from "./json-schema";
import boston from "../../contract/templates/boston-housing.pipeline.json";
import { NODE_DEFINITIONS, latestNodeType } from "../nodes/registry";

type Rule = { if: any; then: any };

describe("pipeline JSON Schema", () => {
  const schema = pipelineJsonSchema() as Record<string, any>;
  const rules = schema.properties.nodes.items.allOf as Rule[];
  /** The config rule that applies to a node `{ type, version? }`, evaluated the way a validator would. */
  const configRule = (node: { type: string; version?: number }) =>
    rules
      .filter((r) => r.if.anyOf)
      .find((r) =>
        (r.if.anyOf as any[]).some(
          (c) =>
            c.properties.type.const === node.type &&
            (c.properties.version ? c.properties.version.const === node.version : c.not ? node.version === undefined : true),
        ),
      );

  it("describes the spec and every node type's config", () => {
    expect(schema.properties.apiVersion).toMatchObject({ const: "conveyor/v1" });
    expect(schema.required).toEqual(expect.arrayContaining(["apiVersion", "name", "nodes"]));
    const gbdt = configRule({ type: "train.gbdt" })!;
    expect(gbdt.then.properties.config.properties.nTrees).toMatchObject({ type: "integer", default: 200 });
    expect(gbdt.then.properties.config.required).toEqual(["target"]);
    const split = configRule({ type: "feature.split@1" })!;
    expect(split.then.properties.config.properties.strategy).toMatchObject({ enum: ["random", "time"], default: "random" });
  });

  it("has one config rule per type and version; a node without a version gets the newest's", () => {
    expect(rules.filter((r) => r.if.anyOf)).toHaveLength(NODE_DEFINITIONS.length);
    for (const d of NODE_DEFINITIONS) {
      expect(configRule({ type: d.type, version: d.version })?.then.properties.config.description).toContain(`(v${d.version})`);
      expect(configRule({ type: `${d.type}@${d.version}` })?.then.properties.config.description).toContain(`(v${d.version})`);
    }
    const evaluateNewest = latestNodeType("evaluate")!.version;
    expect(configRule({ type: "evaluate" })?.then.properties.config.description).toContain(`(v${evaluateNewest})`);
    expect(configRule({ type: "evaluate", version: 1 })?.then.properties.config.properties ?? {}).not.toHaveProperty("compareWithChampion");
    expect(configRule({ type: "evaluate", version: 7 })).toBeUndefined();
  });

  it("allows only known versions, per type", () => {
    expect(schema.properties.nodes.items.properties.version).toMatchObject({ type: "integer", exclusiveMinimum: 0 });
    const evaluate = rules.find((r) => r.if.properties?.type?.const === "evaluate" && r.then.properties.version)!;
    expect(evaluate.then.properties.version.enum).toEqual([...new Set(NODE_DEFINITIONS.filter((d) => d.type === "evaluate").map((d) => d.version))].sort());
  });

  it("is plain JSON and names the sample's node types", () => {
    const round = JSON.parse(JSON.stringify(schema));
    expect(round).toEqual(schema);
    const types = schema.properties.nodes.items.properties.type.examples as string[];
    for (const n of boston.nodes) expect(types).toContain(n.type);
  });
});
