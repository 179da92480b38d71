/**
 * DuckDB helpers for activities (worker only): datasets live as Parquet
 * artifacts; SQL reads/writes them; trainers get column-major typed arrays.
 */
import fsp from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { ArtifactStore } from "../../infra/artifacts";
import { columnKind, type ColumnSchema, type DatasetRef } from "../spec/refs";
import { DataError, type Column, type Frame } from "../ml/types";
import { toText } from "../../contract/text";

export async function withDuckDb<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await instance.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** SQL string literal. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Double-quoted SQL identifier. */
export function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

export async function describe(conn: DuckDBConnection, relationSql: string): Promise<ColumnSchema[]> {
  const r = await conn.runAndReadAll(`DESCRIBE ${relationSql}`);
  return r.getRowObjectsJS().map((row) => ({ name: toText(row.column_name), type: toText(row.column_type) }));
}

/** Materializes `select` into a Parquet artifact and describes it. */
export async function writeDataset(conn: DuckDBConnection, store: ArtifactStore, select: string, filename = "data.parquet"): Promise<DatasetRef> {
  const dir = await store.scratch("dataset");
  const file = path.join(/*turbopackIgnore: true*/ dir, filename);
  try {
    await conn.run(`COPY (${select}) TO ${lit(file)} (FORMAT parquet, COMPRESSION zstd)`);
    const rel = `read_parquet(${lit(file)})`;
    const schema = await describe(conn, `SELECT * FROM ${rel}`);
    const count = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${rel}`);
    const rows = Number(count.getRowObjectsJS()[0]!.n);
    const ref = await store.putFile(file, filename);
    return { kind: "dataset", uri: ref.uri, sha256: ref.sha256, rows, schema };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** The dataset as a DuckDB relation, read from a local copy (the cache, for s3: artifacts). */
export async function parquetRel(store: ArtifactStore, ds: DatasetRef): Promise<string> {
  return `read_parquet(${lit(await store.localFile(ds.uri))})`;
}

export { columnKind };

const NUMBER_LIKE = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * Reads columns into a Frame. A text column whose values are mostly numbers
 * (e.g. one stray "n/a" in a numeric feature) is a DataError naming the
 * column, row and value — silently one-hot encoding it would be wrong.
 */
export async function readFrame(conn: DuckDBConnection, relation: string, columns: ColumnSchema[]): Promise<Frame> {
  if (columns.length === 0) return { rows: 0, columns: [] };
  const select = columns
    .map((c) => (columnKind(c.type) === "number" ? `CAST(${ident(c.name)} AS DOUBLE)` : `CAST(${ident(c.name)} AS VARCHAR)`) + ` AS ${ident(c.name)}`)
    .join(", ");
  const reader = await conn.runAndReadAll(`SELECT ${select} FROM ${relation}`);
  const data = reader.getColumnsJS();
  const rows = data[0]?.length ?? 0;
  const out: Column[] = columns.map((c, j) => {
    const values = data[j]!;
    if (columnKind(c.type) === "number") {
      const arr = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = values[i];
        arr[i] = v === null || v === undefined ? NaN : Number(v);
      }
      return { name: c.name, kind: "number", values: arr };
    }
    const strs = values.map((v) => (v === null || v === undefined ? null : toText(v)));
    let numeric = 0;
    let firstBad = -1;
    let present = 0;
    for (let i = 0; i < rows; i++) {
      const s = strs[i] ?? null;
      if (s === null || s === "") continue;
      present++;
      if (NUMBER_LIKE.test(s)) numeric++;
      else if (firstBad < 0) firstBad = i;
    }
    if (present > 0 && numeric / present >= 0.9 && firstBad >= 0) {
      throw new DataError(
        `column "${c.name}" is numeric but row ${firstBad + 1} has the text ${JSON.stringify(strs[firstBad])}; fix or remove that value`,
        c.name,
      );
    }
    return { name: c.name, kind: "string", values: strs };
  });
  return { rows, columns: out };
}
