import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { RequestContext } from "../../context";
import { fieldError, ServiceError } from "../../errors";
import { redactPaths } from "../redact";
import { artifactStore, type ArtifactStore } from "../../../infra/artifacts";
import type { DatasetRef } from "../../../workflows/spec/refs";
import { listDatasets as queryList } from "../../../db/queries/datasets";
import { startRun } from "../runs/start-run";
import { addDatasetVersion } from "../../../workflows/data/dataset-versions";
import { lit, withDuckDb, writeDataset } from "../../../workflows/data/duckdb";
import { LIMITS } from "../../../contract/api/common";
import { CsvCheck, CsvRefused, headerOnly, MAX_RECORD_BYTES, readHeader, type CsvShape } from "./csv-check";
import { receiveCsv, type UploadBytes } from "./receive-upload";

/** The CSV refused: the message names the line (or says what the file is), and the problem is on the body. */
function refused(text: string) {
  const message = redactPaths(text);
  return new ServiceError("invalid", `the CSV was not accepted: ${message}`, [{ nodeId: null, field: "body", message }]);
}

/** DuckDB's reading of the upload, in the dialect csv-check found. */
const readCsv = (file: string, delimiter: string, strict: boolean) =>
  `read_csv(${lit(file)}, header = true, delim = ${lit(delimiter)}, quote = '"', escape = '"', comment = '', skip = 0, strict_mode = ${strict}, null_padding = false, max_line_size = ${MAX_RECORD_BYTES}, sample_size = -1)`;

/** The full check of a file on disk, read in 1 MB chunks. */
async function checkFile(file: string): Promise<CsvShape> {
  const check = new CsvCheck();
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) await check.write(chunk);
  return check.end();
}

/** Files up to this size get the full record-by-record check before DuckDB reads them (about a second at most). */
const FULL_CHECK_BYTES = 4 * 1024 * 1024;

/** The upload to `file`, then to a Parquet artifact; a CsvRefused names what is wrong. */
async function readUpload(bytes: UploadBytes, file: string, store: ArtifactStore): Promise<DatasetRef> {
  const received = await receiveCsv(bytes, file, LIMITS.csvBytes);
  const header = readHeader(received.head);
  // A small file (or one whose header line is malformed) is checked record by record first; a large one is
  // read by DuckDB in strict mode, and checked record by record only when DuckDB refuses it, to name the line.
  let shape = received.bytes <= FULL_CHECK_BYTES || !header ? await checkFile(file) : null;
  return withDuckDb(async (conn) => {
    if (!shape && header) {
      const ds = await writeDataset(conn, store, `SELECT * FROM ${readCsv(file, header.delimiter, true)}`).catch(() => null);
      if (ds && ds.rows === 0) throw headerOnly(header.header, header.line); // a header and 4 MB of blank lines
      if (ds) return ds;
      shape = await checkFile(file);
    }
    // Checked: DuckDB's lenient mode reads what its strict mode would refuse though well-formed (mixed line ends).
    try {
      return await writeDataset(conn, store, `SELECT * FROM ${readCsv(file, shape!.delimiter, false)}`);
    } catch (e) {
      throw new CsvRefused((e instanceof Error ? e.message.split("\n")[0]! : String(e)).split(file).join("the upload"));
    }
  });
}

/**
 * Stores an uploaded CSV as a Parquet artifact (types inferred by DuckDB).
 * The body streams to a scratch file, checked as text as it arrives: past
 * the size limit or at binary data it stops being read (readUpload has the
 * rest). The scratch file goes in every case, and only a CSV that reads
 * cleanly becomes a version.
 */
export async function uploadDataset(ctx: RequestContext, opts: { name: string; csv: UploadBytes }, store = artifactStore()) {
  const name = opts.name.trim();
  if (!name) throw fieldError("bad_request", "name", "is required");
  if (name.length > 200) throw fieldError("bad_request", "name", "must be at most 200 characters");
  const dir = await store.scratch("upload");
  try {
    const file = path.join(dir, "upload.csv");
    const ds = await readUpload(opts.csv, file, store).catch((e: unknown) => {
      throw e instanceof CsvRefused ? refused(e.message) : e;
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

export const view = (r: { id: string; name: string; version: number; rows: number; columns: { name: string; type: string }[]; createdAt: Date }) => ({
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
