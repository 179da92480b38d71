/**
 * Shared shapes of the ML core. Data is column-major on typed arrays: no row
 * objects in hot loops. Numbers are Float64Array with NaN for missing; strings
 * are arrays with null for missing.
 */

export type Column = { name: string; kind: "number"; values: Float64Array } | { name: string; kind: "string"; values: (string | null)[] };

export interface Frame {
  rows: number;
  columns: Column[];
}

export type { ModelInput, ModelOutput, Task } from "../../contract/model";
import type { ModelInput, ModelOutput, Task } from "../../contract/model";

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
  { task: "regression"; prediction: Float64Array } | { task: "classification"; label: string[]; probabilities: Float64Array[] /* one per class */ };

/**
 * Where a trainer is: `preparing` (checks, binning, design matrix), `training`
 * (iteration of total: a GBDT boosting round, an L-BFGS iteration) or
 * `exporting` (the ONNX file). Trainers call `onProgress` synchronously from
 * their loops, so a listener must be cheap (the training thread throttles).
 */
export interface TrainProgress {
  phase: "preparing" | "training" | "exporting";
  iteration?: number;
  total?: number;
  /** What an iteration is, for people: "tree", "iteration". */
  unit?: string;
}

export interface TrainHooks {
  onProgress?: (progress: TrainProgress) => void;
}

/** A user-facing training error (bad input), as opposed to a bug. */
export class DataError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "DataError";
  }
}
