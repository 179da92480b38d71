/**
 * JSON Schema of the conveyor/v1 spec, generated from the zod schemas: the
 * spec's own shape, with each node's config described by its node type
 * (one `if type = X then config = schema(X)` rule per registered type).
 */
import { z } from "zod";
import { ZPipelineSpec } from "../spec/spec";
import { NODE_DEFINITIONS } from "../nodes/registry";

export function pipelineJsonSchema(): Record<string, unknown> {
  const base = z.toJSONSchema(ZPipelineSpec, { io: "input", unrepresentable: "any" }) as Record<string, any>;
  const rules = NODE_DEFINITIONS.map((d) => {
    const config = z.toJSONSchema(d.config, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    delete config.$schema;
    return {
      if: { properties: { type: { enum: [d.type, `${d.type}@${d.version}`] } }, required: ["type"] },
      then: { properties: { config: { ...config, description: `${d.label}: ${d.description}` } } },
    };
  });
  const node = base.properties.nodes.items as Record<string, any>;
  node.properties.type = { ...node.properties.type, examples: NODE_DEFINITIONS.map((d) => d.type) };
  node.allOf = rules;
  return { ...base, $id: "/api/v1/schema/pipeline.json", title: "Conveyor pipeline spec (conveyor/v1)" };
}
