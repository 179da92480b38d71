/**
 * Runs a model version's ONNX file in the browser with onnxruntime-web (the
 * wasm build). The runtime is imported on first use only: a top-level import
 * would break prerendering and weigh on every page.
 */
import type { InferenceSession, Tensor } from "onnxruntime-web";
import type { ModelManifest } from "../../contract/model";
import { toPredictions, type Instance, type Prediction } from "./predictions";

type Ort = typeof import("onnxruntime-web");

let ortPromise: Promise<Ort> | undefined;

export function loadOrt(): Promise<Ort> {
  ortPromise ??= import("onnxruntime-web/wasm").then((mod) => {
    const ort = (mod as { default?: Ort }).default ?? mod;
    // One thread: no SharedArrayBuffer, so no cross-origin isolation needed.
    ort.env.wasm.numThreads = 1;
    // The runtime files come from app/ort/[file]/route.ts (the installed package).
    ort.env.wasm.wasmPaths = "/ort/";
    return ort;
  });
  return ortPromise;
}

export async function createBrowserSession(modelUrl: string): Promise<InferenceSession> {
  const [ort, res] = await Promise.all([loadOrt(), fetch(modelUrl)]);
  if (!res.ok) throw new Error(`could not download the model (HTTP ${res.status})`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
}

/** Feeds the manifest's inputs ([n, 1] each: float32, or string) and shapes the outputs like the server's /v1/predict. */
export async function predictInBrowser(
  session: InferenceSession,
  manifest: Pick<ModelManifest, "inputs" | "classes">,
  instances: Instance[],
): Promise<Prediction[]> {
  const ort = await loadOrt();
  const n = instances.length;
  const feeds: Record<string, Tensor> = {};
  for (const input of manifest.inputs) {
    if (input.datatype === "FP32") {
      const data = new Float32Array(n);
      instances.forEach((row, i) => {
        const v = row[input.name];
        data[i] = typeof v === "number" ? v : Number.NaN;
      });
      feeds[input.name] = new ort.Tensor("float32", data, [n, 1]);
    } else {
      const data = instances.map((row) => {
        const v = row[input.name];
        return typeof v === "string" ? v : "";
      });
      feeds[input.name] = new ort.Tensor("string", data, [n, 1]);
    }
  }
  const results = await session.run(feeds);
  const outputs: Record<string, { data: ArrayLike<unknown>; dims: readonly number[] }> = {};
  for (const name of session.outputNames) {
    const t = results[name];
    if (t) outputs[name] = { data: t.data, dims: t.dims };
  }
  return toPredictions(n, outputs, manifest.classes);
}
