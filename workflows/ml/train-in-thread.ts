/**
 * Runs a training job in a `worker_threads` Worker, so a long training never
 * blocks the worker's event loop (heartbeats, other steps, workflow tasks go
 * on). The frame's number columns move to the thread (their buffers are
 * transferred, not copied: the caller's frame is unusable afterwards), the
 * model's ONNX bytes move back. Progress arrives through `onProgress`;
 * aborting `signal` terminates the thread at once (V8 stops it mid-loop) and
 * rejects with the signal's reason.
 *
 * The thread's module is TypeScript: the thread registers tsx's loader
 * before importing it, which works under `tsx` (the worker process), plain
 * `node --import tsx` and vitest alike.
 */
import { getHeapStatistics } from "node:v8";
import { Worker } from "node:worker_threads";
import { DataError, type Frame } from "./types";
import type { ReportedProgress, TrainedModelData, TrainJob } from "./train-job";

export interface ThreadRequest {
  frame: Frame;
  job: TrainJob;
}

export type ThreadReply =
  | { type: "progress"; progress: ReportedProgress }
  | { type: "result"; model: TrainedModelData }
  | { type: "error"; error: { name: string; message: string; stack?: string; field?: string } };

let live = 0;
/** Training threads of this process that have not exited yet. */
export function liveTrainingThreads(): number {
  return live;
}

function bootstrap(): string {
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./train-thread.ts", import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry)}))`;
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

function revive(e: Extract<ThreadReply, { type: "error" }>["error"]): Error {
  const err = e.name === "DataError" ? new DataError(e.message, e.field) : new Error(e.message);
  if (e.name !== "DataError") err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
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
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<TrainedModelData>((resolve, reject) => {
    const worker = new Worker(bootstrap(), {
      eval: true,
      name: `train-${job.trainer}`,
      ...(opts.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb } } : {}),
    });
    live++;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const onAbort = () => {
      void worker.terminate();
      settle(() => reject(signal!.reason as Error));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (m: ThreadReply) => {
      if (m.type === "progress") {
        if (!settled) opts.onProgress?.(m.progress);
      } else if (m.type === "result") settle(() => resolve(m.model));
      else settle(() => reject(revive(m.error)));
    });
    worker.on("error", (e) =>
      settle(() =>
        reject(
          (e as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY"
            ? // Deterministic for the same data and options: a retry would run out of memory again.
              new DataError(
                `training ran out of memory (${opts.maxHeapMb ?? Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MB heap): the model is too large for this worker — lower nTrees or maxDepth, or train on fewer rows`,
              )
            : e,
        ),
      ),
    );
    worker.on("exit", (code) => {
      live--;
      settle(() => reject(new Error(`the training thread exited (code ${code}) before it returned a model`)));
    });
    const request: ThreadRequest = { frame, job };
    worker.postMessage(request, transferable(frame));
  });
}
