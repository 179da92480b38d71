/**
 * What travels between steps in Temporal payloads: small references, never
 * data (docs/architecture.md). One shape per port type.
 */
import type { ModelManifest } from "../../contract/model";

export interface ColumnSchema {
  name: string;
  /** DuckDB logical type name, e.g. DOUBLE, BIGINT, VARCHAR. */
  type: string;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const TEXTUAL = /^(VARCHAR|BOOLEAN|ENUM.*)$/;

/** What a column of this type is to a model: numbers (FP32 inputs), text (BYTES inputs, one-hot encoded) or neither. */
export function columnKind(type: string): "number" | "string" | "other" {
  if (NUMERIC.test(type)) return "number";
  if (TEXTUAL.test(type)) return "string";
  return "other";
}

export interface DatasetRef {
  kind: "dataset";
  uri: string;
  sha256: string;
  rows: number;
  schema: ColumnSchema[];
  /** For data read from an uploaded dataset: which one and which version (the run's record of what it read). */
  origin?: { dataset: string; version: number; id: string };
  /**
   * A dataset of predictions (deploy.batch): the model that made them (its
   * bytes' sha256 and URI), and for a registry reference which version it
   * resolved to (the run's record of what it scored with).
   */
  scoredWith?: { modelSha256: string; modelUri: string; task: "regression" | "classification"; registry?: { ref: string; name: string; version: number } };
}

export interface ModelRef {
  kind: "model";
  uri: string;
  sha256: string;
  manifestUri: string;
  /** The manifest minus the run-time facts deploy adds (metrics, registry). */
  manifest: Omit<ModelManifest, "metrics">;
}

export interface MetricsRef {
  kind: "metrics";
  task: "regression" | "classification";
  values: Record<string, number>;
  rows: number;
  /** Model the metrics describe (its sha256), for lineage. */
  modelSha256: string;
  /**
   * evaluate@2 and later: the registry's champion scored on the same rows
   * (null when the comparison is off, there is no champion yet, or it cannot
   * be scored on this dataset). Absent from evaluate@1's output.
   */
  champion?: { version: number; values: Record<string, number> } | null;
}

export interface DecisionRef {
  kind: "decision";
  passed: boolean;
  /** One sentence per condition, e.g. "r2 0.71 >= 0.5 ✓". */
  reasons: string[];
  metrics: Record<string, number>;
}

export interface DeploymentRef {
  kind: "deployment";
  name: string;
  model: string;
  version: number;
  alias: string;
  strategy: string;
  /** The trained model equals an existing version: nothing was registered and the alias did not move. */
  unchanged?: boolean;
}

export type PortValue = DatasetRef | ModelRef | MetricsRef | DecisionRef | DeploymentRef;
export type StepOutputs = Record<string, PortValue>;
