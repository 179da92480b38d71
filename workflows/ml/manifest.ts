import type { ModelInput, ModelOutput, Task } from "./types";

/**
 * The manifest stored beside every model.onnx in the registry (DESIGN.md §4):
 * enough to serve, preview and reproduce the model.
 */
export interface ModelManifest {
  format: "onnx";
  task: Task;
  target: string;
  nodeType: string;
  inputs: ModelInput[];
  outputs: ModelOutput[];
  classes?: string[];
  /** One real training row (feature columns only): a starting point for preview forms. */
  example?: Record<string, number | string | null>;
  metrics: Record<string, number>;
  trainingData: { uri: string; sha256: string; rows: number };
  pipeline: { id: string; version: number; nodeId: string };
  runId: string;
  params: Record<string, unknown>;
  seed: number | null;
  libraries: Record<string, string>;
}
