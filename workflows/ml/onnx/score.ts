/**
 * Scores a Frame with an exported model in onnxruntime-node (worker side):
 * evaluation runs the very file that gets served and previewed.
 */
import * as ort from "onnxruntime-node";
import { DataError, type Frame, type ModelInput, type Prediction } from "../types";

export async function loadSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

export async function scoreFrame(
  session: ort.InferenceSession,
  frame: Frame,
  spec: { task: "regression" | "classification"; inputs: ModelInput[]; classes?: string[] },
  batchSize = 8192,
): Promise<Prediction> {
  const cols = new Map(frame.columns.map((c) => [c.name, c]));
  for (const input of spec.inputs) {
    const c = cols.get(input.name);
    if (!c) throw new DataError(`the dataset lacks the model's input column "${input.name}"`, input.name);
    if ((input.datatype === "FP32") !== (c.kind === "number")) {
      throw new DataError(`column "${input.name}" should be ${input.datatype === "FP32" ? "numeric" : "text"} for this model`, input.name);
    }
  }
  const n = frame.rows;
  const K = spec.classes?.length ?? 0;
  const prediction = new Float64Array(spec.task === "regression" ? n : 0);
  const label: string[] = [];
  const probabilities = Array.from({ length: K }, () => new Float64Array(n));
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const m = end - start;
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of spec.inputs) {
      const c = cols.get(input.name)!;
      feeds[input.name] =
        c.kind === "number"
          ? new ort.Tensor("float32", Float32Array.from(c.values.subarray(start, end)), [m, 1])
          : new ort.Tensor(
              "string",
              c.values.slice(start, end).map((v) => v ?? ""),
              [m, 1],
            );
    }
    const out = await session.run(feeds);
    if (spec.task === "regression") {
      const p = out.prediction!.data as Float32Array;
      for (let i = 0; i < m; i++) prediction[start + i] = p[i]!;
    } else {
      const l = out.label!.data as string[];
      const p = out.probabilities!.data as Float32Array;
      for (let i = 0; i < m; i++) {
        label.push(l[i]!);
        for (let k = 0; k < K; k++) probabilities[k]![start + i] = p[i * K + k]!;
      }
    }
  }
  return spec.task === "regression" ? { task: "regression", prediction } : { task: "classification", label, probabilities };
}
