import fsp from "node:fs/promises";
import path from "node:path";
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { ArtifactStore } from "../../../infra/artifacts";
import { insertDataset, listDatasets as queryList } from "../../../db/queries/datasets";
import { lit, withDuckDb, writeDataset } from "../../../workflows/data/duckdb";

const MAX_BYTES = 200 * 1024 * 1024;

/** Stores an uploaded CSV as a Parquet artifact (types inferred by DuckDB). */
export async function uploadDataset(ctx: RequestContext, opts: { name: string; csv: Uint8Array }, store = new ArtifactStore()) {
  const name = opts.name.trim();
  if (!name) throw new ServiceError("bad_request", "query parameter name is required");
  if (name.length > 200) throw new ServiceError("bad_request", "name must be at most 200 characters");
  if (opts.csv.byteLength === 0) throw new ServiceError("bad_request", "the request body is empty; send the CSV as text/csv");
  if (opts.csv.byteLength > MAX_BYTES) throw new ServiceError("bad_request", `the CSV is larger than ${MAX_BYTES / 1024 / 1024} MB`);
  const dir = await store.scratch("upload");
  try {
    const file = path.join(dir, "upload.csv");
    await fsp.writeFile(file, opts.csv);
    const ds = await withDuckDb(async (conn) => {
      try {
        return await writeDataset(conn, store, `SELECT * FROM read_csv(${lit(file)}, header = true, sample_size = -1)`);
      } catch (e) {
        const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
        throw new ServiceError("bad_request", `the CSV could not be parsed: ${msg}`);
      }
    });
    const row = await insertDataset(ctx.db, {
      teamId: ctx.teamId,
      name,
      uri: ds.uri,
      sha256: ds.sha256,
      rows: ds.rows,
      columns: ds.schema,
      createdBy: ctx.userId,
    });
    return { id: row.id, name: row.name, rows: row.rows, columns: row.columns };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export async function listDatasets(ctx: RequestContext) {
  const rows = await queryList(ctx.db, ctx.teamId);
  return rows.map((r) => ({ id: r.id, name: r.name, rows: r.rows, columns: r.columns, createdAt: r.createdAt }));
}
