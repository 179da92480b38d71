import { describe, expect, it } from "vitest";
import { pipelineJsonSchema } from "./json-schema";
import boston from "../../contract/templates/boston-housing.pipeline.json";

describe("pipeline JSON Schema", () => {
  const schema = pipelineJsonSchema() as Record<string, any>;

  it("describes the spec and every node type's config", () => {
    expect(schema.properties.apiVersion).toMatchObject({ const: "conveyor/v1" });
    expect(schema.required).toEqual(expect.arrayContaining(["apiVersion", "name", "nodes"]));
    const rules = schema.properties.nodes.items.allOf as { if: any; then: any }[];
    const gbdt = rules.find((r) => r.if.properties.type.enum.includes("train.gbdt"))!;
    expect(gbdt.then.properties.config.properties.nTrees).toMatchObject({ type: "integer", default: 200 });
    expect(gbdt.then.properties.config.required).toEqual(["target"]);
    const split = rules.find((r) => r.if.properties.type.enum.includes("feature.split@1"))!;
    expect(split.then.properties.config.properties.strategy).toMatchObject({ enum: ["random", "time"], default: "random" });
  });

  it("is plain JSON and names the sample's node types", () => {
    const round = JSON.parse(JSON.stringify(schema));
    expect(round).toEqual(schema);
    const types = schema.properties.nodes.items.properties.type.examples as string[];
    for (const n of boston.nodes) expect(types).toContain(n.type);
  });
});
