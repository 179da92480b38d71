/**
 * Tables of predictions that deploy.batch writes (a user's table in
 * Conveyor's database, never one of Conveyor's own): created when missing
 * with the run and row as the key, checked against the columns to write when
 * present, and filled per chunk — each chunk in a transaction that first
 * deletes the run's rows in its range, so a retried step replaces its rows
 * and never doubles them.
 */
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../client";
import * as schema from "../schema";

export interface TableName {
  schema: string;
  name: string;
}

export interface TableColumn {
  name: string;
  /** As `format_type` prints it: "double precision", "text", "timestamp without time zone", … */
  pgType: string;
}

const CONVEYOR_TABLES = new Set<string>(Object.values(schema).flatMap((t) => (is(t, PgTable) ? [getTableName(t)] : [])));
/** Schemas of Conveyor itself and PostgreSQL's. */
const RESERVED_SCHEMAS = new Set(["drizzle", "pg_catalog", "information_schema", "pg_toast"]);

/** Why `t` may not hold predictions (null: it may): Conveyor's own tables and system schemas are off limits. */
export function reservedTable(t: TableName): string | null {
  if (RESERVED_SCHEMAS.has(t.schema) || t.schema.startsWith("pg_"))
    return `schema "${t.schema}" belongs to ${t.schema === "drizzle" ? "Conveyor" : "PostgreSQL"}`;
  if (t.schema === "public" && CONVEYOR_TABLES.has(t.name)) return `"${t.name}" is one of Conveyor's own tables`;
  return null;
}

const q = (id: string) => `"${id.replaceAll('"', '""')}"`;
const qualified = (t: TableName) => `${q(t.schema)}.${q(t.name)}`;

/**
 * Creates the table (and its schema) when missing; when present, checks it
 * has every column to write with the same type. Returns what does not fit
 * (null: the table is ready).
 */
export async function ensurePredictionsTable(db: Db, t: TableName, columns: TableColumn[]): Promise<{ created: boolean; problem: string | null }> {
  const sql = db.$client;
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`predictions:${t.schema}.${t.name}`}))`;
    const existing = await tx<{ name: string; type: string }[]>`
      select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = to_regclass(${qualified(t)}) and attnum > 0 and not attisdropped`;
    if (existing.length === 0) {
      if (t.schema !== "public") await tx.unsafe(`create schema if not exists ${q(t.schema)}`);
      await tx.unsafe(
        `create table if not exists ${qualified(t)} (${columns.map((c) => `${q(c.name)} ${c.pgType}${c.name === "run_id" || c.name === "row_number" ? " not null" : ""}`).join(", ")}, primary key (run_id, row_number))`,
      );
      return { created: true, problem: null };
    }
    const have = new Map(existing.map((c) => [c.name, c.type]));
    const problems = columns.flatMap((c) => {
      const type = have.get(c.name);
      if (type === undefined) return [`it has no column "${c.name}" (${c.pgType})`];
      return type === c.pgType ? [] : [`its column "${c.name}" is ${type}, not ${c.pgType}`];
    });
    return { created: false, problem: problems.length ? `table ${t.schema}.${t.name} exists but ${problems.join("; ")}` : null };
  });
}

/** Deletes the run's rows from row `fromRow` (1-based) on: what an earlier attempt wrote past where this one resumes. */
export async function deleteRunRows(db: Db, t: TableName, runId: string, fromRow = 1): Promise<number> {
  const r = await db.$client.unsafe(`delete from ${qualified(t)} where run_id = $1 and row_number >= $2`, [runId, fromRow]);
  return r.count;
}

/**
 * Writes rows [first, last] (row numbers, 1-based) of the run from a CSV
 * file (no header, the columns in `columns` order) in one transaction that
 * first deletes the run's rows in that range.
 */
export async function copyRunRows(db: Db, t: TableName, o: { runId: string; first: number; last: number; columns: string[]; csvFile: string }): Promise<void> {
  await db.$client.begin(async (tx) => {
    await tx.unsafe(`delete from ${qualified(t)} where run_id = $1 and row_number between $2 and $3`, [o.runId, o.first, o.last]);
    const into = await tx.unsafe(`copy ${qualified(t)} (${o.columns.map(q).join(", ")}) from stdin with (format csv)`).writable();
    await pipeline(fs.createReadStream(o.csvFile), into);
  });
}

/** How many rows of the run the table holds. */
export async function countRunRows(db: Db, t: TableName, runId: string): Promise<number> {
  const [r] = await db.$client.unsafe<{ n: string }[]>(`select count(*) as n from ${qualified(t)} where run_id = $1`, [runId]);
  return Number(r!.n);
}
