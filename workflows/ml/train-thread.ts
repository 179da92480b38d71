/**
 * Body of a training thread (started by train-in-thread.ts): receives one job
 * with the frame's columns, trains, posts progress (at most four times a
 * second) and then the model — or the error, with its name and field so a
 * DataError stays one on the other side.
 */
import { parentPort } from "node:worker_threads";
import { ProgressThrottle, runTrainJob } from "./train-job";
import type { ThreadReply, ThreadRequest } from "./train-in-thread";

const port = parentPort;
if (!port) throw new Error("train-thread.ts runs in a worker thread (see trainInThread)");

port.once("message", (req: ThreadRequest) => {
  const post = (m: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  try {
    const throttle = new ProgressThrottle((progress) => post({ type: "progress", progress }));
    const model = runTrainJob(req.frame, req.job, { onProgress: (p) => throttle.report(p) });
    const { buffer, byteOffset, byteLength } = model.onnx;
    const owns = buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength;
    post({ type: "result", model }, owns ? [buffer] : []);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: "error", error: { name: err.name, message: err.message, stack: err.stack, field: (err as { field?: string }).field } });
  }
});
