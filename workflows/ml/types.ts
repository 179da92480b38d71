/**
 * Shared shapes of the ML core. Data is column-major on typed arrays: no row
 * objects in hot loops. Numbers are Float64Array with NaN for missing; strings
 * are arrays with null for missing.
 */

export type Column =
  | { name: string; kind: "number"; values: Float64Array }
  | { name: string; kind: "string"; values: (string | null)[] };

export interface Frame {
  rows: number;
  columns: Column[];
}

export type Task = "regression" | "classification";

/** One model input: a raw feature column (DESIGN.md §3 "Model I/O"). */
export interface ModelInput {
  name: string;
  /** FP32 for numeric columns, BYTES (ONNX STRING) for categorical ones. */
  datatype: "FP32" | "BYTES";
  shape: [-1, 1];
}

export interface ModelOutput {
  name: "prediction" | "label" | "probabilities";
  datatype: "FP32" | "BYTES" | "INT64";
  shape: number[];
}

/** What every trainer returns: the ONNX file plus what a manifest needs. */
export interface TrainedModel {
  task: Task;
  target: string;
  onnx: Uint8Array;
  inputs: ModelInput[];
  outputs: ModelOutput[];
  /** Classification only: class labels in probability-column order. */
  classes?: string[];
  /** Scalar training facts worth tracking (e.g. iterations, final loss). */
  params: Record<string, number | string | boolean | string[]>;
  /** Per-iteration series (name → values), drawn as training curves. */
  series: Record<string, number[]>;
  /** Notes a person should see in the step log (dropped columns, etc.). */
  notes: string[];
  /** The same model in TypeScript, for parity tests and evaluation. */
  predict(frame: Frame): Prediction;
}

export type Prediction =
  | { task: "regression"; prediction: Float64Array }
  | { task: "classification"; label: string[]; probabilities: Float64Array[] /* one per class */ };

/** A user-facing training error (bad input), as opposed to a bug. */
export class DataError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = "DataError";
  }
}
