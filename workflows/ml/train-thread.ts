/**
 * Body of a training thread (started by train-in-thread.ts): receives one job
 * with the frame's columns, trains, posts progress (at most four times a
 * second) and then the model — or the error (thread.ts).
 */
import { serveThread } from "./thread";
import { ProgressThrottle, runTrainJob, type ReportedProgress, type TrainedModelData } from "./train-job";
import type { TrainRequest } from "./train-in-thread";

serveThread<TrainRequest, ReportedProgress, TrainedModelData>(async (req, progress) => {
  const throttle = new ProgressThrottle(progress);
  const model = runTrainJob(req.frame, req.job, { onProgress: (p) => throttle.report(p) });
  const { buffer, byteOffset, byteLength } = model.onnx;
  const owns = buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength;
  return { result: model, transfer: owns ? [buffer] : [] };
});
