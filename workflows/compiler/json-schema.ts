/**
 * JSON Schema of the conveyor/v1 spec, generated from the zod schemas: the
 * spec's own shape, with each node's config described by its node type and
 * version. Per node type: `version` must be one of the type's versions. Per
 * version: one `if (type, version) then config = schema(type@version)` rule,
 * where a node without `version` (and without `@N` in its type) takes the
 * newest version's rule, as the compiler does.
 */
import { z } from "zod";
import { ZPipelineSpec } from "../spec/spec";
import { NODE_DEFINITIONS, latestNodeType, nodeTypeVersions } from "../nodes/registry";

/** The parts of a JSON Schema (as zod 4 writes it) that forms and docs read. */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  /** Set with `.meta({ title })`: what the form labels the field (default: its name). */
  title?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  /** Set with `.meta({ "x-column": "one" | "many" })`: the field names column(s) of the input dataset. */
  "x-column"?: "one" | "many";
};

export function pipelineJsonSchema(): Record<string, unknown> {
  const base = z.toJSONSchema(ZPipelineSpec, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const types = [...new Set(NODE_DEFINITIONS.map((d) => d.type))].sort();
  const versionRules = types.map((type) => {
    const versions = nodeTypeVersions(type).map((d) => d.version);
    return {
      if: { properties: { type: { const: type } }, required: ["type"] },
      then: {
        properties: { version: { enum: versions, description: `Versions of ${type}: ${versions.join(", ")} (absent: the newest, ${versions.at(-1)})` } },
      },
    };
  });
  const configRules = NODE_DEFINITIONS.map((d) => {
    const config = z.toJSONSchema(d.config, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    delete config.$schema;
    const newest = latestNodeType(d.type)?.version === d.version;
    const when: Record<string, unknown>[] = [
      { properties: { type: { const: `${d.type}@${d.version}` } }, required: ["type"] },
      { properties: { type: { const: d.type }, version: { const: d.version } }, required: ["type", "version"] },
    ];
    if (newest) when.push({ properties: { type: { const: d.type } }, required: ["type"], not: { required: ["version"] } });
    return {
      if: { anyOf: when },
      then: { properties: { config: { ...config, description: `${d.label} (v${d.version}): ${d.description}` } } },
    };
  });
  const node = base.properties!.nodes!.items! as JsonSchema & { allOf?: unknown[] };
  node.properties!.type = { ...node.properties!.type, examples: types } as JsonSchema;
  node.allOf = [...versionRules, ...configRules];
  return { ...base, $id: "/api/v1/schema/pipeline.json", title: "Conveyor pipeline spec (conveyor/v1)" };
}
