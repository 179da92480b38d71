/**
 * Types shared by the workflow and the activities. Type-only on the
 * workflow side: workflow code never imports activity implementations.
 */
import type { ActivityOptions } from "@temporalio/common";
import type { PlanStep } from "../compiler/plan";
import type { PortValue, StepOutputs } from "../spec/refs";
import type { Continuation, RolloutPlan } from "../nodes/step-context";

export type { Continuation, RolloutPlan };

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
  /** Every step runs anew: no step cache (a reproduction must recompute what it checks). */
  fresh?: boolean;
}

export interface ExecuteStepInput {
  run: RunIdentity;
  step: PlanStep;
  params: Record<string, string | number | boolean>;
  inputs: Record<string, PortValue>;
  /** Skip the step cache (PipelineRunInput.fresh). */
  fresh?: boolean;
}

export interface ExecuteStepResult {
  outputs: StepOutputs;
  cached: boolean;
  /** The step is not finished: the workflow continues it (approval, rollout) and then finishes it. */
  continuation?: Continuation;
}

/** How a rollout ended: promoted (the challenger is the champion now) or not, and why. */
export interface RolloutResult {
  promoted: boolean;
  reason: string;
  version: number;
}

/** Workflow update names (the web side sends them by name; the workflows define them). */
export const ROLLOUT_DECIDE_UPDATE = "decide";
export const APPROVAL_DECIDE_UPDATE = "approval";

/** A person's (or the API's) decision on a rollout in progress, sent as a workflow update. */
export interface RolloutDecision {
  action: "promote" | "rollback";
  actor: string;
  reason: string;
}

/** What a decision on an approval came to (the first decision wins; a later one learns the first). */
export interface ApprovalOutcome {
  status: "pending" | "approved" | "rejected" | "expired";
  decidedBy: string | null;
  comment: string | null;
  decided: boolean;
}

/** A person's decision on a pending approval, sent to the pipeline run as a workflow update. */
export interface ApprovalDecision {
  nodeId: string;
  approvalId: string;
  decision: "approve" | "reject";
  actor: string;
  comment: string;
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
/** Error type name of infrastructure failures (database or Temporal unreachable, …): retried for minutes. */
export const TRANSIENT_ERROR = "TransientError";
/** Error type name of an attempt that no longer owns its step (a newer attempt does, or the run closed it). */
export const STALE_ATTEMPT = "StaleAttempt";

/** Every step heartbeats (a ticker while it runs); a worker that dies is noticed after this long. */
export const STEP_HEARTBEAT_TIMEOUT_SECONDS = 30;

/**
 * Retries of transient failures: backoff from 1 s doubling up to 30 s, for
 * at most this many attempts (1+2+4+8+16+30·8 s ≈ 4.5 minutes of waiting).
 * Other failures stop earlier: the activity makes them non-retryable once the
 * node's retry.maximumAttempts is used up.
 */
export const TRANSIENT_RETRY = { maximumAttempts: 14, initialInterval: "1 second", backoffCoefficient: 2, maximumInterval: "30 seconds" } as const;

/**
 * Options of a step's executeStep activity: start-to-close the node's timeout,
 * the heartbeat timeout (a plan may shorten it: tests), retries per
 * TRANSIENT_RETRY, bad input never retried, and schedule-to-close bounding
 * every attempt together (the node's attempts plus five minutes of retries).
 */
export function stepActivityOptions(step: PlanStep, workflowTaskQueue: string): ActivityOptions {
  return {
    ...(step.queue === "heavy" ? { taskQueue: heavyTaskQueue(workflowTaskQueue) } : {}),
    startToCloseTimeout: `${step.timeoutSeconds} seconds`,
    scheduleToCloseTimeout: `${step.timeoutSeconds * step.retry.maximumAttempts + 300} seconds`,
    heartbeatTimeout: `${step.heartbeatTimeoutSeconds ?? STEP_HEARTBEAT_TIMEOUT_SECONDS} seconds`,
    retry: {
      ...TRANSIENT_RETRY,
      maximumAttempts: Math.max(step.retry.maximumAttempts, TRANSIENT_RETRY.maximumAttempts),
      nonRetryableErrorTypes: [DATA_ERROR, STALE_ATTEMPT],
    },
  };
}

/** The task queue of heavy steps (training, batch scoring) beside the pipeline workflow's own `taskQueue`. */
export function heavyTaskQueue(taskQueue: string): string {
  return `${taskQueue}-heavy`;
}

/** Arguments of a Schedule's `scheduledRun` workflow: which pipeline and which of its triggers. */
export interface ScheduledRunInput {
  teamId: string;
  pipelineId: string;
  triggerIndex: number;
}
