/**
 * Types shared by the workflow and the activities. Type-only on the
 * workflow side: workflow code never imports activity implementations.
 */
import type { PlanStep } from "../compiler/plan";
import type { PortValue, StepOutputs } from "../spec/refs";

export interface RunIdentity {
  runId: string;
  teamId: string;
  pipelineId: string;
  pipelineVersion: number;
}

export interface PipelineRunInput extends RunIdentity {
  /** A PipelinePlan; parsed with zod inside the workflow. */
  plan: unknown;
  /** Steps that take their outputs from an earlier run (retry, resume) instead of running. */
  reuse?: { runId: string; outputs: Record<string, StepOutputs> };
}

export interface ExecuteStepInput {
  run: RunIdentity;
  step: PlanStep;
  params: Record<string, string | number | boolean>;
  inputs: Record<string, PortValue>;
}

export interface ExecuteStepResult {
  outputs: StepOutputs;
  cached: boolean;
}

export interface StepSummary {
  nodeId: string;
  status: "succeeded" | "failed" | "skipped" | "cancelled";
  reason?: string;
  /** Skipped because a gate upstream did not pass (rather than a failure). */
  gated?: boolean;
  cached?: boolean;
}

export interface PipelineRunResult {
  status: "succeeded" | "failed" | "cancelled" | "blocked";
  steps: StepSummary[];
}

/** Error type name for bad input: never retried. */
export const DATA_ERROR = "DataError";

/** Arguments of a Schedule's `scheduledRun` workflow: which pipeline and which of its triggers. */
export interface ScheduledRunInput {
  teamId: string;
  pipelineId: string;
  triggerIndex: number;
}
