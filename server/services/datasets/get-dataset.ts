/**
 * A dataset version as a person checks it before building on it: per column
 * its type, missing and distinct counts, min/max/mean for numbers, min/max
 * for dates and times, the most frequent values for text (and booleans),
 * and the first rows. Read with DuckDB from the version's Parquet artifact.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { z } from "zod";
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { artifactStore, type ArtifactStore } from "../../../infra/artifacts";
import { getDataset as queryDataset } from "../../../db/queries/datasets";
import { isUuid } from "../../../contract/api/common";
import type { ZCell, ZColumnStats } from "../../../contract/api/resources";
import { columnKind, ident, lit, withDuckDb } from "../../../workflows/data/duckdb";
import { view } from "./upload-dataset";
import { toText } from "../../../contract/text";

type Stats = z.infer<typeof ZColumnStats>;
type Cell = z.infer<typeof ZCell>;

export const PREVIEW_ROWS = 20;
const TOP_VALUES = 3;
const CELL_CHARS = 200;

const TEMPORAL = /^(DATE|TIME|TIMESTAMP)/i;

/** A number JSON can carry (NaN and ±∞ are not values to show as statistics). */
const finite = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "bigint" ? Number(v) : null);
const count = (v: unknown): number => Number(v ?? 0);

export async function getDataset(ctx: RequestContext, opts: { id: string }, store: ArtifactStore = artifactStore()) {
  const row = isUuid(opts.id) ? await queryDataset(ctx.db, ctx.teamId, opts.id) : null;
  if (!row) throw new ServiceError("not_found", `dataset ${opts.id} does not exist`);
  const file = await store.localFile(row.uri);
  const { stats, preview } = await withDuckDb((conn) => profile(conn, `read_parquet(${lit(file)})`, row.columns));
  return { ...view(row), stats, preview: { rows: preview } };
}

/** The statistics and first rows of `relation` (whose columns are `columns`). */
export async function profile(
  conn: DuckDBConnection,
  relation: string,
  columns: { name: string; type: string }[],
): Promise<{ stats: Stats[]; preview: Cell[][] }> {
  if (columns.length === 0) return { stats: [], preview: [] };
  const aggregates = columns.flatMap((c, i) => {
    const col = ident(c.name);
    const kind = columnKind(c.type);
    const parts = [`count(${col}) AS n${i}`, `count(DISTINCT ${col}) AS d${i}`];
    if (kind === "number") parts.push(`min(${col})::DOUBLE AS lo${i}`, `max(${col})::DOUBLE AS hi${i}`, `avg(${col})::DOUBLE AS mean${i}`);
    else if (TEMPORAL.test(c.type)) parts.push(`min(${col})::VARCHAR AS lo${i}`, `max(${col})::VARCHAR AS hi${i}`);
    return parts;
  });
  const agg = (await conn.runAndReadAll(`SELECT count(*) AS rows, ${aggregates.join(", ")} FROM ${relation}`)).getRowObjectsJS()[0]!;
  const rows = count(agg.rows);
  const stats: Stats[] = [];
  for (const [i, c] of columns.entries()) {
    const kind = columnKind(c.type);
    const lo = agg[`lo${i}`];
    const hi = agg[`hi${i}`];
    let top: Stats["top"] = [];
    if (kind !== "number" && !TEMPORAL.test(c.type)) {
      const col = ident(c.name);
      const r = await conn.runAndReadAll(
        `SELECT ${col}::VARCHAR AS v, count(*) AS n FROM ${relation} WHERE ${col} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT ${TOP_VALUES}`,
      );
      top = r.getRowObjectsJS().map((t) => ({ value: toText(t.v).slice(0, CELL_CHARS), count: count(t.n) }));
    }
    stats.push({
      name: c.name,
      type: c.type,
      kind,
      missing: rows - count(agg[`n${i}`]),
      distinct: count(agg[`d${i}`]),
      min: typeof lo === "string" ? lo : finite(lo),
      max: typeof hi === "string" ? hi : finite(hi),
      mean: finite(agg[`mean${i}`]),
      top,
    });
  }
  // Numbers as numbers, everything else as its text (dates, times, booleans as DuckDB writes them).
  const select = columns.map((c) => `${ident(c.name)}::${columnKind(c.type) === "number" ? "DOUBLE" : "VARCHAR"}`).join(", ");
  const first = (await conn.runAndReadAll(`SELECT ${select} FROM ${relation} LIMIT ${PREVIEW_ROWS}`)).getRowsJS();
  const preview = first.map((r) => r.map((v): Cell => (typeof v === "string" ? v.slice(0, CELL_CHARS) : v === null || v === undefined ? null : finite(v))));
  return { stats, preview };
}
