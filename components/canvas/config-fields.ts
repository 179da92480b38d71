/**
 * Turns a node's config schema into form fields. The zod schema is the single
 * source (n8n-style declarative nodes): `z.toJSONSchema(schema, { io: "input" })`
 * gives types, bounds, enums, defaults and `.describe()` text. Pure.
 */
import { z } from "zod";
import type { JsonSchema } from "../../workflows/compiler/json-schema";

interface FieldBase {
  name: string;
  /** What the form calls the field when its name would mislead (e.g. "Registry name" for deploy's `model`, not the model port). */
  title?: string;
  required: boolean;
  description?: string;
  default?: unknown;
  /** Names one column (string) or several (string-list) of the node's input dataset. */
  column?: "one" | "many";
}

export type ConfigField =
  | (FieldBase & { kind: "string"; pattern?: string })
  | (FieldBase & { kind: "number"; integer: boolean; min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean })
  | (FieldBase & { kind: "enum"; options: string[] })
  | (FieldBase & { kind: "boolean" })
  | (FieldBase & { kind: "string-list" })
  | (FieldBase & { kind: "object-list"; itemFields: ConfigField[]; minItems?: number })
  | (FieldBase & { kind: "json" });

/** Bounds as large as the safe-integer range say nothing to a person. */
const meaningful = (v: number | undefined) => (v !== undefined && Math.abs(v) < 1e15 ? v : undefined);

function unwrap(s: JsonSchema): JsonSchema {
  // Optional/nullable unions: take the first non-null branch, keep outer description/default.
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const inner = branches.find((b) => b.type !== "null");
    if (inner)
      return {
        ...inner,
        description: s.description ?? inner.description,
        default: s.default ?? inner.default,
        title: s.title ?? inner.title,
        "x-column": s["x-column"] ?? inner["x-column"],
      };
  }
  return s;
}

function toField(name: string, raw: JsonSchema, required: boolean): ConfigField {
  const s = unwrap(raw);
  const base: FieldBase = {
    name,
    required,
    ...(s.title !== undefined ? { title: s.title } : {}),
    ...(s.description !== undefined ? { description: s.description } : {}),
    ...(s.default !== undefined ? { default: s.default } : {}),
    ...(s["x-column"] ? { column: s["x-column"] } : {}),
  };
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (s.enum && s.enum.every((v) => typeof v === "string")) return { ...base, kind: "enum", options: s.enum };
  if (type === "string") return { ...base, kind: "string", ...(s.pattern ? { pattern: s.pattern } : {}) };
  if (type === "number" || type === "integer") {
    const min = meaningful(s.exclusiveMinimum ?? s.minimum);
    const max = meaningful(s.exclusiveMaximum ?? s.maximum);
    return {
      ...base,
      kind: "number",
      integer: type === "integer",
      ...(min !== undefined ? { min, exclusiveMin: s.exclusiveMinimum !== undefined } : {}),
      ...(max !== undefined ? { max, exclusiveMax: s.exclusiveMaximum !== undefined } : {}),
    };
  }
  if (type === "boolean") return { ...base, kind: "boolean" };
  if (type === "array" && s.items) {
    const items = unwrap(s.items);
    if (items.type === "string" && !items.enum) return { ...base, kind: "string-list" };
    if (items.type === "object" && items.properties) {
      const req = new Set(items.required ?? []);
      return {
        ...base,
        kind: "object-list",
        itemFields: Object.entries(items.properties).map(([k, v]) => toField(k, v, req.has(k))),
        ...(s.minItems !== undefined ? { minItems: s.minItems } : {}),
      };
    }
  }
  return { ...base, kind: "json" };
}

export function configFields(schema: z.ZodType): ConfigField[] {
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    return [];
  }
  const req = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, s]) => toField(name, s, req.has(name)));
}

/** The label of a field's control (its title, else its name). */
export const fieldLabel = (f: ConfigField) => f.title ?? f.name;

/** "≥ 0", "> 0 and < 1": the bounds of a number field in words. */
export function describeBounds(f: Extract<ConfigField, { kind: "number" }>): string | undefined {
  const parts: string[] = [];
  if (f.min !== undefined) parts.push(`${f.exclusiveMin ? ">" : "≥"} ${f.min}`);
  if (f.max !== undefined) parts.push(`${f.exclusiveMax ? "<" : "≤"} ${f.max}`);
  if (f.integer) parts.push("whole number");
  return parts.length ? parts.join(", ") : undefined;
}

/** A new row for an object list: defaults, first enum option, empty otherwise. */
export function newRow(fields: ConfigField[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.default !== undefined) row[f.name] = f.default;
    else if (f.kind === "enum") row[f.name] = f.options[0];
    else if (f.kind === "number") row[f.name] = 0;
    else if (f.kind === "boolean") row[f.name] = false;
    else if (f.kind === "string") row[f.name] = "";
  }
  return row;
}

/** "a, b ,c" → ["a", "b", "c"]; empty → undefined (the field's default applies). */
export function parseList(text: string): string[] | undefined {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}
