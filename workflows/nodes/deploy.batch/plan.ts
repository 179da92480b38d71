/**
 * The pure parts of batch scoring (deploy.batch): the registry reference a
 * config may name, the input check, the output columns, the chunks and what a
 * retry resumes, and the PostgreSQL table's name and column types. No I/O,
 * so the editor and unit tests use them as they are.
 */
import { ALIAS_NAME, REGISTRY_NAME } from "../_shared/registry-name";
import { columnKind, type ColumnSchema } from "../../spec/refs";
import type { ModelInput, Task } from "../../../contract/model";

// ---------------------------------------------------------------------------
// model:<name>@<alias|version>

export type ModelRefSpec = { name: string; alias: string } | { name: string; version: number };

export const MODEL_REF_HELP = 'model must be "model:<name>@<alias>" or "model:<name>@<version>", e.g. model:flights@champion or model:flights@3';

/** "model:flights@champion" → { name, alias }; "model:flights@3" → { name, version }; anything else → null. */
export function parseModelRef(ref: string): ModelRefSpec | null {
  const m = /^model:([^@]+)@(.+)$/.exec(ref);
  if (!m || !REGISTRY_NAME.test(m[1]!)) return null;
  const [, name, at] = m as unknown as [string, string, string];
  if (/^[1-9][0-9]{0,8}$/.test(at)) return { name, version: Number(at) };
  return ALIAS_NAME.test(at) ? { name, alias: at } : null;
}

export function formatModelRef(r: ModelRefSpec): string {
  return `model:${r.name}@${"alias" in r ? r.alias : r.version}`;
}

// ---------------------------------------------------------------------------
// Columns

/** The column a regression model's prediction goes to. */
export const PREDICTION_COLUMN = "prediction";
/** The column a classifier's predicted class goes to. */
export const LABEL_COLUMN = "label";
/** A classifier's probability of class c goes to `probability_<c>` (one DOUBLE column per class, in the model's class order). */
export const PROBABILITY_PREFIX = "probability_";

/** The columns scoring adds, in order: `prediction` DOUBLE, or `label` VARCHAR and `probability_<class>` DOUBLE per class. */
export function predictionColumns(model: { task: Task; classes?: string[] }): ColumnSchema[] {
  if (model.task === "regression") return [{ name: PREDICTION_COLUMN, type: "DOUBLE" }];
  return [{ name: LABEL_COLUMN, type: "VARCHAR" }, ...(model.classes ?? []).map((c) => ({ name: `${PROBABILITY_PREFIX}${c}`, type: "DOUBLE" }))];
}

export interface InputProblem {
  field: string;
  message: string;
}

/**
 * Why `schema` cannot be scored by a model with these inputs (null: it can):
 * every column the model needs must be there, numeric for an FP32 input and
 * text for a BYTES one, and no column may be named like an output column.
 */
export function checkDataset(schema: ColumnSchema[], model: { task: Task; classes?: string[]; inputs: ModelInput[] }, modelName: string): InputProblem | null {
  const byName = new Map(schema.map((c) => [c.name, c]));
  const missing = model.inputs.filter((i) => !byName.has(i.name)).map((i) => `"${i.name}"`);
  if (missing.length)
    return {
      field: "inputs.dataset",
      message: `the dataset lacks the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} that ${modelName} needs (the dataset has ${schema.map((c) => c.name).join(", ") || "no columns"})`,
    };
  const wrong = model.inputs.flatMap((i) => {
    const c = byName.get(i.name)!;
    const want = i.datatype === "FP32" ? "number" : "string";
    return columnKind(c.type) === want ? [] : [`"${i.name}" is ${c.type} but ${modelName} needs ${want === "number" ? "a number" : "text"}`];
  });
  if (wrong.length) return { field: "inputs.dataset", message: `wrong column type${wrong.length > 1 ? "s" : ""}: ${wrong.join("; ")}` };
  const clash = predictionColumns(model).filter((c) => byName.has(c.name));
  if (clash.length)
    return {
      field: "inputs.dataset",
      message: `the dataset already has a column named ${clash.map((c) => `"${c.name}"`).join(", ")}, where the predictions go: rename or drop it first`,
    };
  return null;
}

// ---------------------------------------------------------------------------
// Chunks and resuming

export interface Chunk {
  index: number;
  /** First row (0-based, inclusive). */
  start: number;
  /** Past the last row (exclusive). */
  end: number;
}

/** Rows [0, rows) in chunks of `chunkRows` (the last one shorter). */
export function planChunks(rows: number, chunkRows: number): Chunk[] {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`rows must be a whole number ≥ 0, got ${rows}`);
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new Error(`chunkRows must be a whole number ≥ 1, got ${chunkRows}`);
  const out: Chunk[] = [];
  for (let start = 0, index = 0; start < rows; start += chunkRows, index++) out.push({ index, start, end: Math.min(rows, start + chunkRows) });
  return out;
}

/** A scored chunk kept in the artifact store: its predictions as a Parquet file, one row per input row. */
export interface PartRef {
  index: number;
  uri: string;
  sha256: string;
  rows: number;
}

/**
 * What identifies the scoring a checkpoint's parts belong to: the same
 * dataset, model bytes and chunking (and the format of a part). Parts of any
 * other scoring are never reused.
 */
export function scoringKey(o: { datasetSha256: string; modelSha256: string; chunkRows: number }): string {
  return `parts-v1:${o.datasetSha256}:${o.modelSha256}:${o.chunkRows}`;
}

/**
 * The chunks a retry may skip: the longest run of finished parts from the
 * first chunk on, when `saved` (the checkpoint's) belong to the same scoring
 * (`key`) and match the plan's chunk sizes; the rest is left to score.
 */
export function resumePlan(chunks: Chunk[], key: string, saved: { key: string; parts: PartRef[] } | null | undefined): { done: PartRef[]; todo: Chunk[] } {
  const done: PartRef[] = [];
  if (saved && saved.key === key) {
    const byIndex = new Map(saved.parts.map((p) => [p.index, p]));
    for (const c of chunks) {
      const p = byIndex.get(c.index);
      if (!p || p.rows !== c.end - c.start) break;
      done.push(p);
    }
  }
  return { done, todo: chunks.slice(done.length) };
}

// ---------------------------------------------------------------------------
// PostgreSQL table

/** A lowercase SQL identifier PostgreSQL needs no quotes for (at most 63 characters). */
const PG_IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export const TABLE_HELP =
  'table must be "name" or "schema.name": lowercase letters, digits and "_", each part starting with a letter or "_", at most 63 characters';

/** "analytics.flight_scores" → { schema: "analytics", name: "flight_scores" }; "scores" → { schema: "public", name: "scores" }; null if not a valid name. */
export function parseTableName(table: string): { schema: string; name: string } | null {
  const parts = table.split(".");
  if (parts.length > 2 || !parts.every((p) => PG_IDENT.test(p))) return null;
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { schema: "public", name: parts[0]! };
}

/** Columns every predictions table starts with: which run wrote the row, and its position in the dataset (from 1). */
export const TABLE_KEY_COLUMNS = [
  { name: "run_id", pgType: "uuid" },
  { name: "row_number", pgType: "bigint" },
] as const;

/**
 * The PostgreSQL type of a DuckDB column (what `format_type` prints for it,
 * so an existing table can be compared); types without a natural match are
 * written as their text.
 */
export function pgType(duckType: string): { pgType: string; asText: boolean } {
  const t = duckType.toUpperCase();
  const exact: Record<string, string> = {
    BOOLEAN: "boolean",
    TINYINT: "smallint",
    SMALLINT: "smallint",
    UTINYINT: "smallint",
    INTEGER: "integer",
    USMALLINT: "integer",
    BIGINT: "bigint",
    UINTEGER: "bigint",
    UBIGINT: "numeric",
    HUGEINT: "numeric",
    UHUGEINT: "numeric",
    FLOAT: "real",
    DOUBLE: "double precision",
    VARCHAR: "text",
    DATE: "date",
    TIME: "time without time zone",
    TIMESTAMP: "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    UUID: "uuid",
  };
  if (exact[t]) return { pgType: exact[t], asText: false };
  if (t.startsWith("DECIMAL")) return { pgType: "numeric", asText: false };
  return { pgType: "text", asText: true };
}

/** Why these dataset columns cannot be a predictions table's (null: they can): the key columns' names are taken, and PostgreSQL cuts names past 63 bytes. */
export function checkTableColumns(columns: ColumnSchema[]): string | null {
  const taken = columns.filter((c) => TABLE_KEY_COLUMNS.some((k) => k.name === c.name)).map((c) => `"${c.name}"`);
  if (taken.length) return `the dataset has a column named ${taken.join(", ")}, which the table uses for the run and row: rename it first`;
  const long = columns.filter((c) => new TextEncoder().encode(c.name).length > 63).map((c) => `"${c.name}"`);
  if (long.length) return `column name${long.length > 1 ? "s" : ""} ${long.join(", ")} ${long.length > 1 ? "are" : "is"} longer than PostgreSQL's 63 bytes`;
  return null;
}
