/**
 * Body of a batch-scoring thread (started by score-in-thread.ts): loads the
 * model once, then for each chunk reads its rows of the dataset's model
 * columns with DuckDB (only that chunk's row groups), scores them with
 * onnxruntime exactly as evaluate does (workflows/ml/onnx/score.ts, which
 * blocks this thread, not the worker's event loop), writes the predictions
 * as a Parquet part file, and reports it. Memory holds one chunk.
 */
import path from "node:path";
import { DOUBLE, DuckDBDataChunk, VARCHAR, type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { serveThread } from "../../ml/thread";
import { loadSession, scoreFrame } from "../../ml/onnx/score";
import type { Column, Frame, Prediction } from "../../ml/types";
import { ident, lit } from "../../data/duckdb";
import { toText } from "../../../contract/text";
import { predictionColumns } from "./plan";
import type { ScoreProgress, ScoreRequest, ScoreResult } from "./score-in-thread";

/** Rows [start, end) of the model's columns: numbers as doubles (null → NaN), text as strings (null → ""), like evaluate and serving. */
async function readChunk(conn: DuckDBConnection, req: ScoreRequest, start: number, end: number): Promise<Frame> {
  const select = req.columns.map((c) => `CAST(${ident(c.name)} AS ${c.kind === "number" ? "DOUBLE" : "VARCHAR"}) AS ${ident(c.name)}`).join(", ");
  const reader = await conn.runAndReadAll(
    `SELECT ${select} FROM read_parquet(${lit(req.dataset)}, file_row_number = true) WHERE file_row_number >= ${start} AND file_row_number < ${end}`,
  );
  const data = reader.getColumnsJS();
  const rows = data[0]?.length ?? 0;
  const columns: Column[] = req.columns.map((c, j) => {
    const values = data[j]!;
    if (c.kind === "number") {
      const out = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = values[i];
        out[i] = v === null || v === undefined ? NaN : Number(v);
      }
      return { name: c.name, kind: "number", values: out };
    }
    return { name: c.name, kind: "string", values: values.map((v) => (v === null || v === undefined ? "" : toText(v))) };
  });
  return { rows, columns };
}

const BLOCK = 2048;

/** The predictions as a Parquet file: the output columns only, one row per scored row, in order. */
async function writePart(conn: DuckDBConnection, prediction: Prediction, rows: number, file: string): Promise<void> {
  const columns: (ArrayLike<number> | string[])[] =
    prediction.task === "regression" ? [prediction.prediction] : [prediction.label, ...prediction.probabilities];
  const types = columns.map((c) => (Array.isArray(c) ? VARCHAR : DOUBLE));
  await conn.run("DELETE FROM part");
  const appender = await conn.createAppender("part");
  const block = DuckDBDataChunk.create(types, BLOCK);
  for (let s = 0; s < rows; s += BLOCK) {
    const e = Math.min(rows, s + BLOCK);
    block.rowCount = e - s;
    columns.forEach((c, j) => block.setColumnValues(j, Array.isArray(c) ? c.slice(s, e) : Array.from((c as Float64Array).subarray(s, e))));
    appender.appendDataChunk(block);
  }
  appender.closeSync();
  await conn.run(`COPY part TO ${lit(file)} (FORMAT parquet, COMPRESSION zstd)`);
}

serveThread<ScoreRequest, ScoreProgress, ScoreResult>(async (req, progress) => {
  const session = await loadSession(req.model);
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await instance.connect();
  try {
    const out = predictionColumns(req.spec);
    await conn.run(`CREATE TEMP TABLE part (${out.map((c) => `${ident(c.name)} ${c.type}`).join(", ")})`);
    let rows = 0;
    for (const chunk of req.chunks) {
      const started = performance.now();
      const frame = await readChunk(conn, req, chunk.start, chunk.end);
      if (frame.rows !== chunk.end - chunk.start)
        throw new Error(`chunk ${chunk.index}: read ${frame.rows} rows of the dataset, expected ${chunk.end - chunk.start}`);
      const prediction = await scoreFrame(session, frame, req.spec);
      const file = path.join(req.outDir, `part-${String(chunk.index).padStart(5, "0")}.parquet`);
      await writePart(conn, prediction, frame.rows, file);
      rows += frame.rows;
      progress({ index: chunk.index, file, rows: frame.rows, seconds: (performance.now() - started) / 1000 });
    }
    return { result: { chunks: req.chunks.length, rows } };
  } finally {
    conn.closeSync();
    instance.closeSync();
    await session.release();
  }
});
