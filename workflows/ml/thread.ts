/**
 * CPU-heavy work in a `worker_threads` Worker, so it never blocks the
 * worker's event loop (heartbeats, other steps, workflow tasks go on):
 * training (train-in-thread.ts) and batch scoring (deploy.batch) run this
 * way. One request goes to the thread; progress messages come back while it
 * works, then its result or its error (a DataError stays one, with its
 * field). Aborting `signal` terminates the thread at once (V8 stops it
 * mid-loop) and rejects with the signal's reason.
 *
 * A thread's module is TypeScript: the thread registers tsx's loader before
 * importing it, which works under `tsx` (the worker process), plain
 * `node --import tsx` and vitest alike. Its body calls `serveThread`.
 */
import { getHeapStatistics } from "node:v8";
import { parentPort, Worker } from "node:worker_threads";
import { DataError } from "./types";

export type ThreadReply<P, R> =
  | { type: "progress"; progress: P }
  | { type: "result"; result: R }
  | { type: "error"; error: { name: string; message: string; stack?: string; field?: string } };

let live = 0;
/** Threads of this process (training, scoring) that have not exited yet. */
export function liveThreads(): number {
  return live;
}

function bootstrap(entry: URL): string {
  const tsx = import.meta.resolve("tsx/esm/api");
  return `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}))`;
}

function revive(e: Extract<ThreadReply<unknown, unknown>, { type: "error" }>["error"]): Error {
  const err = e.name === "DataError" ? new DataError(e.message, e.field) : new Error(e.message);
  if (e.name !== "DataError") err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

export interface ThreadOptions<P> {
  /** The thread's name (shows in profilers and heap snapshots). */
  name: string;
  signal?: AbortSignal;
  onProgress?: (p: P) => void;
  /** Buffers of the request the thread takes over (transferred, not copied: unusable here afterwards). */
  transfer?: ArrayBuffer[];
  /** The thread's heap limit in MB (default: V8's, the same as the process's). */
  maxHeapMb?: number;
  /** The error when the thread runs out of memory, given its heap limit in MB (default: a DataError saying so). */
  outOfMemory?: (heapMb: number) => Error;
}

/** Runs the thread module `entry` (a file calling `serveThread`) on `request`; resolves with its result. */
export function runInThread<Q, P, R>(entry: URL, request: Q, opts: ThreadOptions<P>): Promise<R> {
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(bootstrap(entry), {
      eval: true,
      name: opts.name,
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
    worker.on("message", (m: ThreadReply<P, R>) => {
      if (m.type === "progress") {
        if (!settled) opts.onProgress?.(m.progress);
      } else if (m.type === "result") settle(() => resolve(m.result));
      else settle(() => reject(revive(m.error)));
    });
    worker.on("error", (e) =>
      settle(() => {
        if ((e as NodeJS.ErrnoException).code !== "ERR_WORKER_OUT_OF_MEMORY") return reject(e);
        const heapMb = opts.maxHeapMb ?? Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
        reject(opts.outOfMemory?.(heapMb) ?? new DataError(`${opts.name} ran out of memory (${heapMb} MB heap)`));
      }),
    );
    worker.on("exit", (code) => {
      live--;
      settle(() => reject(new Error(`the ${opts.name} thread exited (code ${code}) before it returned a result`)));
    });
    worker.postMessage(request, opts.transfer ?? []);
  });
}

/**
 * The body of a thread module: answers the one request with `work`'s result
 * (its `transfer` buffers moved, not copied) or its error. `progress` posts a
 * progress message (cheap: call it at most a few times a second).
 */
export function serveThread<Q, P, R>(work: (request: Q, progress: (p: P) => void) => Promise<{ result: R; transfer?: ArrayBuffer[] }>): void {
  const port = parentPort;
  if (!port) throw new Error("a thread module runs in a worker thread (see runInThread)");
  port.once("message", (request: Q) => {
    const post = (m: ThreadReply<P, R>, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
    work(request, (progress) => post({ type: "progress", progress })).then(
      ({ result, transfer }) => post({ type: "result", result }, transfer),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        post({ type: "error", error: { name: err.name, message: err.message, stack: err.stack, field: (err as { field?: string }).field } });
      },
    );
  });
}
