import fsp from "node:fs/promises";
import path from "node:path";
import type { RequestContext } from "../../context";
import { fieldError, ServiceError } from "../../errors";
import { redactPaths } from "../redact";
import { ArtifactStore } from "../../../infra/artifacts";
import { insertDataset, listDatasets as queryList } from "../../../db/queries/datasets";
import { lit, withDuckDb, writeDataset } from "../../../workflows/data/duckdb";
import { LIMITS } from "../../../contract/api/common";


/** Stores an uploaded CSV as a Parquet artifact (types inferred by DuckDB). */
export async function uploadDataset(ctx: RequestContext, opts: { name: string; csv: Uint8Array }, store = new ArtifactStore()) {
  const name = opts.name.trim();
  if (!name) throw fieldError("bad_request", "name", "is required");
  if (name.length > 200) throw fieldError("bad_request", "name", "must be at most 200 characters");
  if (opts.csv.byteLength === 0) throw new ServiceError("bad_request", "the request body is empty; send the CSV as text/csv");
  if (opts.csv.byteLength > LIMITS.csvBytes) throw new ServiceError("payload_too_large", `the CSV is larger than ${LIMITS.csvBytes / 1024 / 1024} MB`);
  const dir = await store.scratch("upload");
  try {
    const file = path.join(dir, "upload.csv");
    await fsp.writeFile(file, opts.csv);
    const ds = await withDuckDb(async (conn) => {
      try {
        return await writeDataset(conn, store, `SELECT * FROM read_csv(${lit(file)}, header = true, sample_size = -1)`);
      } catch (e) {
        const msg = (e instanceof Error ? e.message.split("\n")[0]! : String(e)).split(file).join("the upload");
        throw new ServiceError("invalid", `the CSV could not be parsed: ${redactPaths(msg)}`, [{ nodeId: null, field: "body", message: redactPaths(msg) }]);
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
    return { id: row.id, name: row.name, rows: row.rows, columns: row.columns, createdAt: row.createdAt };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export async function listDatasets(ctx: RequestContext) {
  const rows = await queryList(ctx.db, ctx.teamId);
  return rows.map((r) => ({ id: r.id, name: r.name, rows: r.rows, columns: r.columns, createdAt: r.createdAt }));
}
