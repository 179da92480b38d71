/**
 * Runs a training job in a thread of its own (thread.ts), so a long training
 * never blocks the worker's event loop. The frame's number columns move to
 * the thread (their buffers are transferred, not copied: the caller's frame
 * is unusable afterwards), the model's ONNX bytes move back. Progress arrives
 * through `onProgress`; aborting `signal` terminates the thread at once and
 * rejects with the signal's reason.
 */
import { DataError, type Frame } from "./types";
import { runInThread } from "./thread";
import type { ReportedProgress, TrainedModelData, TrainJob } from "./train-job";

export interface TrainRequest {
  frame: Frame;
  job: TrainJob;
}

/** Buffers the thread can take over: those a number column owns entirely (others are copied). */
function transferable(frame: Frame): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const c of frame.columns) {
    if (c.kind !== "number") continue;
    const { buffer, byteOffset, byteLength } = c.values;
    if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) out.add(buffer);
  }
  return [...out];
}

export function trainInThread(
  frame: Frame,
  job: TrainJob,
  opts: {
    signal?: AbortSignal;
    onProgress?: (p: ReportedProgress) => void;
    /** The thread's heap limit in MB (default: V8's, the same as the process's). */
    maxHeapMb?: number;
  } = {},
): Promise<TrainedModelData> {
  return runInThread<TrainRequest, ReportedProgress, TrainedModelData>(new URL("./train-thread.ts", import.meta.url), { frame, job } satisfies TrainRequest, {
    name: `train-${job.trainer}`,
    signal: opts.signal,
    onProgress: opts.onProgress,
    transfer: transferable(frame),
    maxHeapMb: opts.maxHeapMb,
    // Deterministic for the same data and options: a retry would run out of memory again.
    outOfMemory: (heapMb) =>
      new DataError(
        `training ran out of memory (${heapMb} MB heap): the model is too large for this worker — lower nTrees or maxDepth, or train on fewer rows`,
      ),
  });
}
