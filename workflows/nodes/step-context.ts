/**
 * What a node's activity gets: its config, its resolved inputs and the
 * dependencies injected by createActivities (real ones in the worker, test
 * ones in tests). Activities import this; workflow code never does.
 */
import type { Db } from "../../db/client";
import type { ArtifactStore } from "../../infra/artifacts";
import type { PortValue, StepOutputs } from "../spec/refs";

export interface ActivityDeps {
  db: Db;
  store: ArtifactStore;
  /** Base URL of the serving process, to confirm a deployment is live. */
  servingUrl: string;
}

export interface StepContext<C = Record<string, unknown>> {
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
  log(message: string, level?: "info" | "warn" | "error"): void;
  /** Scalar metric (step 0) or a point of a series (step = iteration). */
  metric(key: string, value: number, step?: number): void;
  heartbeat(details?: unknown): void;
}

export type NodeActivity<C = any> = (ctx: StepContext<C>) => Promise<StepOutputs>;

/** Node activity modules export their definition's identity and `run`. */
export function defineActivity<C>(def: { type: string; version: number }, run: NodeActivity<C>) {
  return { type: def.type, version: def.version, run };
}

/** Narrows an input port value, failing loudly on a wiring bug. */
export function inputOf<K extends PortValue["kind"]>(ctx: StepContext<unknown>, port: string, kind: K): Extract<PortValue, { kind: K }> {
  const v = ctx.inputs[port];
  if (!v || v.kind !== kind) throw new Error(`step ${ctx.nodeId}: input "${port}" should be a ${kind}, got ${v?.kind ?? "nothing"}`);
  return v as Extract<PortValue, { kind: K }>;
}
