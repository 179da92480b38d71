/**
 * What a node's activity gets: its config, its resolved inputs and the
 * dependencies injected by createActivities (real ones in the worker, test
 * ones in tests). Activities import this; workflow code never does.
 */
import type { QualityMetric } from "../../contract/monitoring";
import type { Db } from "../../db/client";
import type { ArtifactStore } from "../../infra/artifacts";
import type { PortValue, StepOutputs } from "../spec/refs";
import type { StartTriggeredRun } from "../data/dataset-versions";

export interface ActivityDeps {
  db: Db;
  store: ArtifactStore;
  /** Base URL of the serving process, to confirm a deployment is live. */
  servingUrl: string;
  /** This worker process's identity, recorded on the steps it runs. */
  workerIdentity?: string;
  /**
   * Starts a run of one of the team's saved pipelines for a `dataset` trigger
   * (a step registered a new version of a named dataset): its run id, or why
   * it could not start. The worker starts it through its Temporal client.
   */
  startRun?: (teamId: string, ...args: Parameters<StartTriggeredRun>) => ReturnType<StartTriggeredRun>;
}

/**
 * Work a step hands to its workflow when its activity returns, because it
 * waits durably (for days, across restarts of every process) rather than in
 * an activity: a person's decision on an approval, or a rollout's timers.
 * The step stays running until the workflow finishes it.
 */
export type Continuation =
  { kind: "approval"; approvalId: string; timeoutSeconds: number; decisionPort: string } | { kind: "rollout"; rollout: RolloutPlan; deploymentPort: string };

/** A bound on a version's live quality (its logged predictions joined with their feedback). */
export interface LiveMetricRule {
  metric: QualityMetric;
  value: number;
  minLabelled: number;
}

/** What a deployment's rollout workflow does (deploy.endpoint with a canary, shadow or A/B strategy). */
export interface RolloutPlan {
  teamId: string;
  runId: string;
  pipelineId: string;
  /** The deploy step that started it (its logs tell the rollout's story). */
  nodeId: string;
  deployment: string;
  modelName: string;
  /** The alias the stable route follows (champion). */
  alias: string;
  challenger: number;
  champion: number;
  workflowId: string;
  strategy: "canary" | "shadow" | "ab";
  canary?: {
    steps: number[];
    intervalSeconds: number;
    rollback: { maxErrorRate?: number; maxP99Ms?: number; minRequests: number; minLiveMetric?: LiveMetricRule };
  };
  shadow?: {
    durationSeconds: number;
    promote?: { minAgreement?: number; minCompared: number; minImprovement?: number; metric?: QualityMetric; minLabelled: number };
  };
  ab?: { weight: number; durationSeconds: number; sticky: { parameter?: string; column?: string } };
}

export interface StepContext<C = Record<string, unknown>, F = unknown> {
  runId: string;
  teamId: string;
  pipelineId: string;
  pipelineVersion: number;
  nodeId: string;
  type: string;
  config: C;
  params: Record<string, string | number | boolean>;
  inputs: Record<string, PortValue>;
  deps: ActivityDeps;
  /** What the activity's `facts` returned before the cache lookup (undefined when it declares none). */
  facts?: F;
  log(message: string, level?: "info" | "warn" | "error"): void;
  /** Scalar metric (step 0) or a point of a series (step = iteration). */
  metric(key: string, value: number, step?: number): void;
  /**
   * What the step is doing now: a phase ("reading the training data"), and for
   * iterative work the iteration of total with the seconds left. Heartbeats,
   * and shows in the run view (written at most once a second).
   */
  progress(p: { phase: string; iteration?: number; total?: number; unit?: string; etaSeconds?: number }): void;
  /** A heartbeat with the latest progress (the step heartbeats on its own every few seconds too). */
  heartbeat(): void;
  /**
   * What an earlier attempt of this step saved with `saveCheckpoint` (null:
   * nothing), so a retry after a killed worker resumes instead of starting over.
   */
  loadCheckpoint(): Promise<unknown>;
  /** Saves what a later attempt resumes from (JSON; replaces the previous one). Throws when this attempt no longer owns the step. */
  saveCheckpoint(checkpoint: unknown): Promise<void>;
  /**
   * Aborted when this attempt must stop: the run was cancelled, the server
   * timed the attempt out, or the worker is shutting down. Long work passes it
   * on (a training thread is terminated); the step ends at once either way.
   */
  signal: AbortSignal;
  /** Hands durable waiting to the workflow once the activity returns (see Continuation). */
  continueWith(c: Continuation): void;
}

// `any` by default on purpose: a registry holds activities of every config type, each called with its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NodeActivity<C = any, F = any> = (ctx: StepContext<C, F>) => Promise<StepOutputs>;

/**
 * Facts outside a step's inputs and config that its outputs depend on (e.g.
 * which registry version is the champion right now). Looked up before the
 * step cache, they become part of the cache key, and the activity gets the
 * same facts as `ctx.facts`, so it uses exactly what the key says.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NodeActivityFacts<C = any, F = any> = (ctx: StepContext<C, F>) => Promise<F>;

/** Node activity modules export their definition's identity, `run` and, when outputs depend on more than inputs and config, `facts`. */
export function defineActivity<C, F = undefined>(def: { type: string; version: number }, run: NodeActivity<C, F>, facts?: NodeActivityFacts<C, F>) {
  return { type: def.type, version: def.version, run, facts };
}

/** Narrows an input port value, failing loudly on a wiring bug. */
export function inputOf<K extends PortValue["kind"]>(ctx: StepContext<unknown>, port: string, kind: K): Extract<PortValue, { kind: K }> {
  const v = ctx.inputs[port];
  if (!v || v.kind !== kind) throw new Error(`step ${ctx.nodeId}: input "${port}" should be a ${kind}, got ${v?.kind ?? "nothing"}`);
  return v as Extract<PortValue, { kind: K }>;
}
