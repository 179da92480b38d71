/**
 * What upgrading a canvas node to its type's newest version would change:
 * the version and every config field (before → after, as in the diff of two
 * pipeline versions), and the settings the new version adds or drops. Pure.
 */
import { upgradeNode, upgradeTarget } from "../../workflows/nodes/upgrade";
import { resolveNodeType } from "../../workflows/nodes/registry";
import { jsonChanges, type FieldChange } from "../../workflows/spec/diff";
import { configFields, type ConfigField } from "./config-fields";
import type { PipelineNodeData } from "./graph-spec";

export interface UpgradePreview {
  from: number;
  to: number;
  note: string | undefined;
  /** The node's data after the upgrade (version and config). */
  data: PipelineNodeData;
  /** "version" and "config.<field>" changes, before → after. */
  changes: FieldChange[];
  /** Settings the new version has and the old one had not (with their defaults and help). */
  added: ConfigField[];
  /** Settings the old version had and the new one has not. */
  removed: string[];
}

/** The upgrade of a node to the newest version of its type, or undefined when it is the newest already. */
export function upgradePreview(data: PipelineNodeData): UpgradePreview | undefined {
  const target = upgradeTarget(data);
  const current = resolveNodeType(data.type, data.version);
  if (!target || !current) return undefined;
  const up = upgradeNode({ type: data.type, version: current.version, config: data.config });
  const next: PipelineNodeData = { ...data, type: up.type, version: up.version, config: up.config ?? {} };
  const before = new Set(configFields(current.config).map((f) => f.name));
  const after = configFields(target.config);
  return {
    from: current.version,
    to: target.version,
    note: target.upgradeNote,
    data: next,
    changes: [...jsonChanges(current.version, target.version, "version"), ...jsonChanges(data.config, next.config, "config")],
    added: after.filter((f) => !before.has(f.name)),
    removed: [...before].filter((n) => !after.some((f) => f.name === n)),
  };
}
