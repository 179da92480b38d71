/** Lookup over the generated registry of node definitions (universal: browser, server, worker). */
import { NODE_DEFINITIONS } from "./registry.generated";
import type { NodeDefinition } from "./types";

export { NODE_DEFINITIONS };

/** "train.linear@1" → ["train.linear", 1]; "train.linear" → ["train.linear", undefined]. */
export function splitTypeRef(type: string): [string, number | undefined] {
  const at = type.indexOf("@");
  if (at < 0) return [type, undefined];
  const v = type.slice(at + 1);
  return [type.slice(0, at), /^[1-9][0-9]*$/.test(v) ? Number(v) : Number.NaN];
}

/** Every version of a node type, oldest first (empty for an unknown type). */
export function nodeTypeVersions(type: string): NodeDefinition[] {
  const [name] = splitTypeRef(type);
  return NODE_DEFINITIONS.filter((d) => d.type === name).sort((a, b) => a.version - b.version);
}

/** The newest version of a node type. */
export function latestNodeType(type: string): NodeDefinition | undefined {
  return nodeTypeVersions(type).at(-1);
}

/**
 * Resolves "train.linear" (newest version), "train.linear@1", or
 * ("train.linear", 1) as a spec node names it with its `version` field.
 */
export function resolveNodeType(type: string, version?: number): NodeDefinition | undefined {
  const [name, ref] = splitTypeRef(type);
  const want = version ?? ref;
  if (want === undefined) return latestNodeType(name);
  return NODE_DEFINITIONS.find((d) => d.type === name && d.version === want);
}
