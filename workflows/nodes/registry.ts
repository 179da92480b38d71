/** Lookup over the generated registry of node definitions (universal: browser, server, worker). */
import { NODE_DEFINITIONS } from "./registry.generated";
import type { NodeDefinition } from "./types";

export { NODE_DEFINITIONS };

/** Resolves "train.linear" (latest version) or "train.linear@1". */
export function resolveNodeType(type: string): NodeDefinition | undefined {
  const [name, ver] = type.split("@");
  const candidates = NODE_DEFINITIONS.filter((d) => d.type === name);
  if (ver !== undefined) return candidates.find((d) => String(d.version) === ver);
  return candidates.reduce<NodeDefinition | undefined>((best, d) => (!best || d.version > best.version ? d : best), undefined);
}
