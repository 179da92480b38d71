import fsp from "node:fs/promises";
import path from "node:path";
import type { RequestContext } from "../../context";
import { fieldError, ServiceError } from "../../errors";
import { redactPaths } from "../redact";
import { artifactStore } from "../../../infra/artifacts";
import { listDatasets as queryList } from "../../../db/queries/datasets";
import { startRun } from "../runs/start-run";
import { addDatasetVersion } from "../../../workflows/data/dataset-versions";
import { lit, withDuckDb, writeDataset } from "../../../workflows/data/duckdb";
import { LIMITS } from "../../../contract/api/common";

/** Stores an uploaded CSV as a Parquet artifact (types inferred by DuckDB). */
export async function uploadDataset(ctx: RequestContext, opts: { name: string; csv: Uint8Array }, store = artifactStore()) {
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
    // A new version starts every pipeline subscribed to the name (a `dataset` trigger); one that cannot run is reported.
    const { row, runs } = await addDatasetVersion(
      ctx.db,
      { teamId: ctx.teamId, name, uri: ds.uri, sha256: ds.sha256, rows: ds.rows, columns: ds.schema, createdBy: ctx.userId },
      (pipelineId, detail) =>
        startRun(ctx, { pipelineId, trigger: { type: "dataset", detail: { ...detail } } }).then(
          ({ runId }) => ({ runId }),
          (e: unknown) => ({ error: e instanceof ServiceError ? e.message : "could not start" }),
        ),
    );
    return { ...view(row), runs };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

const view = (r: { id: string; name: string; version: number; rows: number; columns: { name: string; type: string }[]; createdAt: Date }) => ({
  id: r.id,
  name: r.name,
  version: r.version,
  rows: r.rows,
  columns: r.columns,
  createdAt: r.createdAt,
});

export async function listDatasets(ctx: RequestContext) {
  return (await queryList(ctx.db, ctx.teamId)).map(view);
}
