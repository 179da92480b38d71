"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { InferenceSession } from "onnxruntime-web";
import type { ModelManifest } from "../../contract/model";
import { createBrowserSession, predictInBrowser } from "./onnx-browser";
import type { Instance, Prediction } from "./predictions";

export type BrowserModelStatus = "idle" | "loading" | "ready" | "error";

/** One onnxruntime-web session per model URL, created on first use and released on unmount. */
export function useBrowserModel(modelUrl: string, manifest: Pick<ModelManifest, "inputs" | "classes">) {
  const session = useRef<Promise<InferenceSession> | null>(null);
  const [status, setStatus] = useState<BrowserModelStatus>("idle");

  useEffect(() => {
    session.current = null;
    setStatus("idle");
    return () => {
      const s = session.current;
      session.current = null;
      void s?.then((x) => x.release()).catch(() => undefined);
    };
  }, [modelUrl]);

  /** Downloads the model and starts the runtime once; later calls reuse the session. */
  const load = useCallback(async (): Promise<InferenceSession> => {
    if (!session.current) {
      setStatus("loading");
      session.current = createBrowserSession(modelUrl);
    }
    try {
      const s = await session.current;
      setStatus("ready");
      return s;
    } catch (e) {
      session.current = null;
      setStatus("error");
      throw e;
    }
  }, [modelUrl]);

  const predict = useCallback(async (instances: Instance[]): Promise<Prediction[]> => predictInBrowser(await load(), manifest, instances), [load, manifest]);

  return { status, load, predict };
}
