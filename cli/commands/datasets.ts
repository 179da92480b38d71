/**
 * `conveyor datasets upload | list`. Uploads stream the file (up to the
 * API's 200 MB) with a progress bar on a terminal; nothing holds the whole
 * file in memory.
 */
import fs from "node:fs";
import path from "node:path";
import { SingleBar } from "cli-progress";
import { LIMITS } from "../../contract/api/common";
import { endpoints } from "../../contract/api/endpoints";
import type { ByteSource } from "../client";
import type { Context } from "../context";
import { UsageError } from "../errors";
import { bytes, relativeTime, table } from "../format";

/** A file as a stream of chunks, read as the upload goes. */
export function fileSource(file: string): ByteSource {
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new UsageError(`${file} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as NodeJS.ErrnoException).code === "ENOENT" ? `${file} does not exist` : `cannot read ${file}: ${(e as Error).message}`);
  }
  if (size === 0) throw new UsageError(`${file} is empty; a dataset needs a header row and rows`);
  if (size > LIMITS.csvBytes) throw new UsageError(`${file} is ${bytes(size)}; uploads are at most ${bytes(LIMITS.csvBytes)}`);
  return {
    size,
    chunks: () => fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Uint8Array>,
  };
}

/** `data/boston.csv` → `boston`. */
export const datasetNameOf = (file: string) => path.basename(file).replace(/\.(csv|txt)$/i, "") || "dataset";

export async function uploadDataset(ctx: Context, file: string, opts: { name?: string }): Promise<void> {
  const source = fileSource(file);
  const name = opts.name ?? datasetNameOf(file);
  const bar = ctx.io.stderr.isTTY
    ? new SingleBar({
        format: `uploading ${path.basename(file)} [{bar}] {percentage}% {sent}/{size}`,
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        stream: ctx.io.stderr as NodeJS.WriteStream,
      })
    : undefined;
  bar?.start(source.size, 0, { sent: bytes(0), size: bytes(source.size) });
  let dataset;
  try {
    dataset = await ctx.api().call(endpoints.uploadDataset, { name, csv: source }, { onProgress: (sent) => bar?.update(sent, { sent: bytes(sent) }) });
  } finally {
    bar?.stop();
  }
  ctx.result(dataset, () => [
    `uploaded ${ctx.c.bold(dataset.name)} v${dataset.version} (${dataset.id}): ${dataset.rows} rows, ${dataset.columns.length} columns`,
    ctx.c.dim(dataset.columns.map((col) => `${col.name} ${col.type}`).join(", ")),
    ...dataset.runs.map((r) =>
      r.runId
        ? `started run ${r.runId} of pipeline ${r.pipelineId} (dataset trigger)`
        : `pipeline ${r.pipelineId} subscribes to it but could not start: ${r.error}`,
    ),
    ctx.c.dim(`use it in a pipeline: "source": "dataset:${dataset.name}" (its latest version at run time) or "dataset:${dataset.name}@${dataset.version}"`),
  ]);
}

export async function listDatasets(ctx: Context): Promise<void> {
  const all = await ctx.api().call(endpoints.listDatasets, {});
  const now = ctx.now();
  ctx.result(all, () =>
    all.length === 0
      ? ["no datasets yet: upload one with `conveyor datasets upload <file.csv>`"]
      : table(
          ["NAME", "VERSION", "ID", "ROWS", "COLUMNS", "CREATED"],
          all.map((d) => [d.name, `v${d.version}`, d.id, String(d.rows), String(d.columns.length), relativeTime(d.createdAt, now)]),
          { right: [3, 4], c: ctx.c },
        ),
  );
}
