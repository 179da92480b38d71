/**
 * What changed between two versions of a pipeline spec: nodes added, removed
 * and changed (with every changed field's before/after), and edges added and
 * removed. Pure; the canvas highlights it and the version list summarizes it.
 */
import type { PipelineSpecInput } from "./spec";

export interface FieldChange {
  /** Dotted path, e.g. "config.conditions[0].value", "type", "label", "position". */
  field: string;
  before: unknown;
  after: unknown;
}

export interface SpecDiff {
  nodes: { added: string[]; removed: string[]; changed: { id: string; fields: FieldChange[] }[] };
  edges: { added: string[]; removed: string[] };
  /** Top-level fields (name, description, params, triggers, notes). */
  pipeline: FieldChange[];
  /** True when nothing but node positions changed. */
  layoutOnly: boolean;
}

type Json = unknown;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Leaf-level differences between two JSON values (arrays compared by index). */
export function jsonChanges(before: Json, after: Json, path = ""): FieldChange[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...jsonChanges(before[i], after[i], `${path}[${i}]`));
    return out;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => jsonChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return [{ field: path, before, after }];
}

/** Edges are identified by what they connect, not by their generated ids. */
function edgeKey(e: { source: string; sourcePort: string; target: string; targetPort: string }): string {
  return `${e.source}.${e.sourcePort} → ${e.target}.${e.targetPort}`;
}

export function diffSpecs(before: PipelineSpecInput, after: PipelineSpecInput): SpecDiff {
  const a = new Map(before.nodes.map((n) => [n.id, n]));
  const b = new Map(after.nodes.map((n) => [n.id, n]));
  const added = [...b.keys()].filter((id) => !a.has(id));
  const removed = [...a.keys()].filter((id) => !b.has(id));
  const changed: SpecDiff["nodes"]["changed"] = [];
  for (const [id, nb] of b) {
    const na = a.get(id);
    if (!na) continue;
    const fields = [
      ...jsonChanges(na.type, nb.type, "type"),
      ...jsonChanges(na.label ?? null, nb.label ?? null, "label"),
      ...jsonChanges(na.config ?? {}, nb.config ?? {}, "config"),
      ...jsonChanges(na.position ?? null, nb.position ?? null, "position"),
    ];
    if (fields.length) changed.push({ id, fields });
  }
  const ea = new Set((before.edges ?? []).map(edgeKey));
  const eb = new Set((after.edges ?? []).map(edgeKey));
  const pipeline = (["name", "description", "params", "triggers", "notes"] as const).flatMap((k) =>
    jsonChanges(before[k] ?? (k === "name" ? "" : k === "description" ? "" : []), after[k] ?? (k === "name" ? "" : k === "description" ? "" : []), k),
  );
  const edges = { added: [...eb].filter((k) => !ea.has(k)), removed: [...ea].filter((k) => !eb.has(k)) };
  const layoutOnly =
    !added.length &&
    !removed.length &&
    !edges.added.length &&
    !edges.removed.length &&
    !pipeline.length &&
    changed.every((c) => c.fields.every((f) => f.field.startsWith("position")));
  return { nodes: { added, removed, changed }, edges, pipeline, layoutOnly };
}
