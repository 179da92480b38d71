/**
 * Upgrading spec nodes to the newest version of their node type: each
 * version's `upgrade` maps the previous version's config to its own, and
 * upgrades chain (v1 → v2 → v3). Pure and universal (browser, server, CLI).
 *
 * A node without a version already is the newest (that is what no version
 * means), so only nodes that pin an older version have anything to upgrade.
 */
import type { PipelineSpecInput } from "../spec/spec";
import { latestNodeType, nodeTypeVersions, splitTypeRef } from "./registry";
import type { NodeDefinition } from "./types";

interface UpgradableNode {
  type: string;
  version?: number;
  config?: Record<string, unknown>;
}

/** The version a node pins (its `version`, or `@N` in its type), or undefined. */
export function pinnedVersion(node: UpgradableNode): number | undefined {
  return node.version ?? splitTypeRef(node.type)[1];
}

/** The newer definition a node can be upgraded to, or undefined when it is the newest (or unknown). */
export function upgradeTarget(node: UpgradableNode): NodeDefinition | undefined {
  const from = pinnedVersion(node);
  const latest = latestNodeType(node.type);
  if (from === undefined || Number.isNaN(from) || !latest || latest.version <= from) return undefined;
  return nodeTypeVersions(node.type).some((d) => d.version === from) ? latest : undefined;
}

/**
 * The node at the newest version of its type (or at `to`): `version` set,
 * `@N` dropped from the type, the config passed through every upgrade on the
 * way. Anything else about the node is kept. A node with nothing to upgrade
 * comes back as it is (the same object).
 */
export function upgradeNode<N extends UpgradableNode>(node: N, to?: number): N {
  const target = upgradeTarget(node);
  if (!target) return node;
  const from = pinnedVersion(node)!;
  const end = Math.min(to ?? target.version, target.version);
  if (end <= from) return node;
  const [name] = splitTypeRef(node.type);
  let config = structuredClone(node.config ?? {});
  for (const def of nodeTypeVersions(name)) {
    if (def.version > from && def.version <= end && def.upgrade) config = def.upgrade(config);
  }
  return { ...node, type: name, version: end, config };
}

/** Every node of the spec upgraded to its type's newest version. */
export function upgradeSpec<S extends PipelineSpecInput>(spec: S): S {
  return { ...spec, nodes: spec.nodes.map((n) => upgradeNode(n)) };
}
