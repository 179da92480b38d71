/**
 * Column references, checked wherever the upstream columns are known before a
 * run (a bundled sample, an uploaded dataset the caller looked up): the
 * fields a node type marks with `.meta({ "x-column": "one" | "many" })` must
 * name columns of the dataset coming into its first dataset input. Pure.
 */
import { z } from "zod";
import type { Columns, NodeDefinition } from "../nodes/types";

const fieldsCache = new WeakMap<NodeDefinition, { name: string; many: boolean }[]>();

/** The config fields of a node type that name columns of its input dataset (read once from its JSON Schema). */
export function columnFields(def: NodeDefinition): { name: string; many: boolean }[] {
  const cached = fieldsCache.get(def);
  if (cached) return cached;
  let fields: { name: string; many: boolean }[] = [];
  try {
    const json = z.toJSONSchema(def.config, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, Record<string, unknown>> };
    fields = Object.entries(json.properties ?? {}).flatMap(([name, s]) => {
      const kind = s["x-column"] ?? (s.anyOf as Record<string, unknown>[] | undefined)?.find((b) => b["x-column"])?.["x-column"];
      return kind === "one" || kind === "many" ? [{ name, many: kind === "many" }] : [];
    });
  } catch {
    // A schema JSON Schema cannot describe has no column fields to check.
  }
  fieldsCache.set(def, fields);
  return fields;
}

/** "a, b, c" (at most `max` names, then how many more). */
export function listColumns(columns: Columns, max = 12): string {
  const names = columns.map((c) => c.name);
  return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/**
 * The column fields of `config` (its valid fields) that name a column the
 * input does not have, each as a problem naming the field.
 */
export function columnProblems(def: NodeDefinition, config: Record<string, unknown>, columns: Columns): { field: string; message: string }[] {
  const names = new Set(columns.map((c) => c.name));
  const problems: { field: string; message: string }[] = [];
  for (const f of columnFields(def)) {
    const value = config[f.name];
    const refs = f.many ? (Array.isArray(value) ? value : []) : typeof value === "string" ? [value] : [];
    const missing = refs.filter((v): v is string => typeof v === "string" && !names.has(v));
    if (!missing.length) continue;
    const what = missing.length === 1 ? `"${missing[0]}" is not a column` : `${missing.map((m) => `"${m}"`).join(", ")} are not columns`;
    problems.push({ field: `config.${f.name}`, message: `${what} of the input data; its columns: ${listColumns(columns)}` });
  }
  return problems;
}

/**
 * The fields of a config that are valid on their own, defaults applied (a
 * config with one bad field still tells its other fields): what column
 * checks, column propagation and form hints read while a node is half-filled.
 */
export function validFields(def: NodeDefinition, raw: Record<string, unknown>): Record<string, unknown> {
  const whole = def.config.safeParse(raw);
  if (whole.success) return whole.data as Record<string, unknown>;
  if (!(def.config instanceof z.ZodObject)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries<z.ZodType>(def.config.shape)) {
    const r = field.safeParse(raw[key]);
    if (r.success && r.data !== undefined) out[key] = r.data;
  }
  return out;
}
