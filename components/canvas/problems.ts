/** Grouping validateSpec's errors for the canvas (pure). */
import type { SpecError } from "../../workflows/spec/spec";
import { resolveNodeType } from "../../workflows/nodes/registry";

export interface FieldProblem {
  /** Path inside the field, e.g. "[0].value" for config.conditions[0].value; "" for the field itself. */
  subPath: string;
  message: string;
}

export function errorsByNode(errors: readonly SpecError[]): Map<string, SpecError[]> {
  const out = new Map<string, SpecError[]>();
  for (const e of errors) {
    if (!e.nodeId) continue;
    out.set(e.nodeId, [...(out.get(e.nodeId) ?? []), e]);
  }
  return out;
}

/** A node's config problems keyed by top-level config field. */
export function configProblems(errors: readonly SpecError[], nodeId: string): Map<string, FieldProblem[]> {
  const out = new Map<string, FieldProblem[]>();
  for (const e of errors) {
    if (e.nodeId !== nodeId || !e.field?.startsWith("config.")) continue;
    const m = /^config\.([^.[]+)(.*)$/.exec(e.field);
    if (!m) continue;
    const field = m[1]!;
    out.set(field, [...(out.get(field) ?? []), { subPath: m[2] ?? "", message: e.message }]);
  }
  return out;
}

/** Problems of a node not tied to one config field (ports, cycles, type, params). */
export function nodeLevelProblems(errors: readonly SpecError[], nodeId: string): SpecError[] {
  return errors.filter((e) => e.nodeId === nodeId && !(e.field?.startsWith("config.") ?? false));
}

/** One line for the problems list: "target: target is required". */
export function describeProblem(e: SpecError): string {
  // Port messages already name the port.
  if (!e.field || /^(inputs|outputs)\./.test(e.field)) return e.message;
  const field = e.field.replace(/^config\./, "");
  // Messages that already start with the field name read better without the prefix.
  if (e.message.toLowerCase().startsWith(field.toLowerCase())) return e.message;
  return `${field}: ${e.message}`;
}

/** What a person calls a node: its label, else its type's ("Gradient-boosted trees"), else its id. */
export function nodeName(node: { id: string; data: { type: string; version?: number; label?: string } } | undefined, id: string): string {
  if (!node) return id;
  return node.data.label?.trim() || resolveNodeType(node.data.type, node.data.version)?.label || id;
}
