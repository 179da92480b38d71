/**
 * Scores chunks of a Parquet dataset in a thread of its own (score-thread.ts
 * through workflows/ml/thread.ts): the worker's event loop stays free for
 * heartbeats while onnxruntime works. Each finished chunk is reported as a
 * part file in `outDir` as soon as it is written (`onPart`), so the caller can
 * keep it before the next one is done; aborting `signal` terminates the thread.
 */
import type { ModelInput, Task } from "../../../contract/model";
import { runInThread } from "../../ml/thread";
import type { Chunk } from "./plan";

export interface ScoreRequest {
  /** The model's ONNX bytes (moved to the thread). */
  model: Uint8Array;
  spec: { task: Task; inputs: ModelInput[]; classes?: string[] };
  /** Local path of the dataset's Parquet file. */
  dataset: string;
  /** The model's input columns, as read: numbers or text. */
  columns: { name: string; kind: "number" | "string" }[];
  /** The chunks to score, in order. */
  chunks: Chunk[];
  /** Where part files go (`part-00003.parquet`). */
  outDir: string;
}

/** A finished chunk: its part file and how long it took. */
export interface ScoreProgress {
  index: number;
  file: string;
  rows: number;
  seconds: number;
}

export interface ScoreResult {
  chunks: number;
  rows: number;
}

export function scoreInThread(request: ScoreRequest, opts: { signal?: AbortSignal; onPart: (p: ScoreProgress) => void }): Promise<ScoreResult> {
  const { buffer, byteOffset, byteLength } = request.model;
  const owns = buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength;
  return runInThread<ScoreRequest, ScoreProgress, ScoreResult>(new URL("./score-thread.ts", import.meta.url), request, {
    name: "batch-score",
    signal: opts.signal,
    onProgress: opts.onPart,
    transfer: owns ? [buffer] : [],
    outOfMemory: (heapMb) => new Error(`batch scoring ran out of memory (${heapMb} MB heap)`),
  });
}
