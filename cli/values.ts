/**
 * Command-line text → typed values: run params by the spec's declared params
 * (`--param month=3`), prediction rows by the model's inputs (FP32 → number,
 * BYTES → string) from `--row` JSON or a CSV file. Pure; every mistake is a
 * usage error naming the param, row or column.
 */
import { parse as parseCsv } from "csv-parse/sync";
import type { ModelInput } from "../contract/model";
import type { Param } from "../workflows/spec/spec";
import { UsageError } from "./errors";

export type ParamValue = string | number | boolean;

/** `k=v` pairs typed by the declared params; an undeclared name or a value of the wrong type is a usage error. */
export function typeParams(pairs: string[], declared: Pick<Param, "name" | "type">[]): Record<string, ParamValue> {
  const byName = new Map(declared.map((p) => [p.name, p]));
  const names = declared.map((p) => p.name).join(", ") || "none";
  const out: Record<string, ParamValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param ${JSON.stringify(pair)}: write it as name=value`);
    const name = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const p = byName.get(name);
    if (!p) throw new UsageError(`--param ${name}: the pipeline has no param "${name}"; declared: ${names}`);
    if (name in out) throw new UsageError(`--param ${name} is given twice`);
    out[name] = typeValue(text, p.type ?? "string", `--param ${name}`);
  }
  return out;
}

function typeValue(text: string, type: "string" | "number" | "boolean", what: string): ParamValue {
  if (type === "number") {
    const n = text.trim() === "" ? NaN : Number(text);
    if (!Number.isFinite(n)) throw new UsageError(`${what}: ${JSON.stringify(text)} is not a number`);
    return n;
  }
  if (type === "boolean") {
    if (text === "true") return true;
    if (text === "false") return false;
    throw new UsageError(`${what}: ${JSON.stringify(text)} is not a boolean (true or false)`);
  }
  return text;
}

export type Cell = number | string | null;
export type Row = Record<string, Cell>;

const inputNames = (inputs: ModelInput[]) => inputs.map((i) => i.name).join(", ");

/** One value of input `input`: FP32 takes numbers (numeric text too), BYTES strings; null or an empty cell is "missing". */
function typeCell(value: unknown, input: ModelInput, where: string): Cell {
  if (value === null || value === undefined) return null;
  if (input.datatype === "FP32") {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string") {
      if (value.trim() === "") return null;
      const n = Number(value);
      if (Number.isFinite(n)) return n;
    }
    throw new UsageError(`${where}: column ${input.name} takes a number, not ${JSON.stringify(value)}`);
  }
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new UsageError(`${where}: column ${input.name} takes a string, not ${JSON.stringify(value)}`);
}

/** A `--row` JSON object typed by the model's inputs: every input present, no other key. */
export function typeJsonRow(text: string, inputs: ModelInput[]): Row {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--row is not JSON: ${(e as Error).message}`, [`e.g. --row '{"${inputs[0]?.name ?? "col"}": 1}'`]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UsageError('--row must be a JSON object of column: value, e.g. {"col": 1}');
  const obj = value as Record<string, unknown>;
  const known = new Set(inputs.map((i) => i.name));
  const unknown = Object.keys(obj).filter((k) => !known.has(k));
  if (unknown.length)
    throw new UsageError(`--row: unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; the model's inputs are: ${inputNames(inputs)}`);
  const missing = inputs.filter((i) => !Object.hasOwn(obj, i.name)).map((i) => i.name);
  if (missing.length)
    throw new UsageError(`--row: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; the model's inputs are: ${inputNames(inputs)}`);
  return Object.fromEntries(inputs.map((i) => [i.name, typeCell(obj[i.name], i, "--row")]));
}

/**
 * A CSV file (header row first) as rows typed by the model's inputs. Columns
 * the model does not take (the target, an id) are left out and named in
 * `ignored`; a missing input column is a usage error.
 */
export function typeCsvRows(text: string, inputs: ModelInput[], file = "the CSV"): { rows: Row[]; ignored: string[] } {
  let records: string[][];
  try {
    const parsed: unknown = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: false });
    records = parsed as string[][];
  } catch (e) {
    throw new UsageError(`${file} is not valid CSV: ${(e as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw new UsageError(`${file} is empty; it needs a header row and at least one row`);
  if (!body.length) throw new UsageError(`${file} has a header row but no rows`);
  const names = header.map((h) => h.trim());
  const index = new Map(names.map((n, i) => [n, i]));
  const missing = inputs.filter((i) => !index.has(i.name)).map((i) => i.name);
  if (missing.length)
    throw new UsageError(`${file} lacks the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; the model's inputs are: ${inputNames(inputs)}`);
  const rows = body.map((r, n) => Object.fromEntries(inputs.map((i) => [i.name, typeCell(r[index.get(i.name)!], i, `${file} row ${n + 1}`)])));
  const known = new Set(inputs.map((i) => i.name));
  return { rows, ignored: names.filter((n) => !known.has(n)) };
}
