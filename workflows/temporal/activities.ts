/**
 * Activity factory: the worker calls createActivities with real deps; tests
 * inject their own (and may replace node activities). Wraps every node
 * activity with the bookkeeping the UI shows: status, attempts, live logs,
 * metrics, artifacts and the step cache.
 */
import crypto from "node:crypto";
import { ApplicationFailure, Context } from "@temporalio/activity";
import type { StepLog } from "../../db/schema";
import {
  appendStepLogs,
  getCachedOutputs,
  insertArtifacts,
  insertMetrics,
  putCachedOutputs,
  setRunStatus,
  updateStep,
} from "../../db/queries/runs";
import { NODE_ACTIVITIES, NODE_ACTIVITY_FACTS } from "../nodes/activities.generated";
import { DataError } from "../ml/types";
import type { StepOutputs } from "../spec/refs";
import { ACTIVITY_CODE_VERSION } from "../nodes/versions";
import { DATA_ERROR, type ExecuteStepInput, type ExecuteStepResult } from "./contracts";
import type { ActivityDeps, NodeActivity, NodeActivityFacts, StepContext } from "../nodes/step-context";

/**
 * Cache key = hash(team, node type@version, config, input content hashes,
 * code version, and the facts the activity looked up, when it declares any).
 */
export function stepCacheKey(input: ExecuteStepInput, facts?: unknown): string {
  const inputs = Object.keys(input.inputs)
    .sort()
    .map((port) => {
      const v = input.inputs[port]!;
      return [port, "sha256" in v ? v.sha256 : JSON.stringify(v)];
    });
  const stable = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(stable) : x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, stable((x as Record<string, unknown>)[k])])) : x;
  const payload = JSON.stringify([input.run.teamId, input.step.type, input.step.version, stable(input.step.config), inputs, ACTIVITY_CODE_VERSION, ...(facts === undefined ? [] : [stable(facts)])]);
  return crypto.createHash("sha256").update(payload).digest("hex");
}

/** Buffers step logs and flushes them every 300 ms so the run view is live. */
class LogBuffer {
  private pending: StepLog[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  constructor(private deps: ActivityDeps, private runId: string, private nodeId: string) {}
  push(level: StepLog["level"], message: string) {
    this.pending.push({ ts: new Date().toISOString(), level, message });
    this.timer ??= setTimeout(() => void this.flush(), 300);
  }
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => appendStepLogs(this.deps.db, this.runId, this.nodeId, batch)).catch(() => {});
    return this.flushing;
  }
}

export function createActivities(deps: ActivityDeps, opts: { nodeActivities?: Record<string, NodeActivity>; nodeFacts?: Record<string, NodeActivityFacts> } = {}) {
  const nodeActivities = opts.nodeActivities ?? NODE_ACTIVITIES;
  const nodeFacts = opts.nodeFacts ?? NODE_ACTIVITY_FACTS;
  const { db } = deps;

  return {
    async runStarted(input: { runId: string; workflowId: string }): Promise<void> {
      await setRunStatus(db, input.runId, "running");
    },

    async runFinished(input: { runId: string; status: "succeeded" | "failed" | "cancelled" | "blocked"; error: string | null }): Promise<void> {
      await setRunStatus(db, input.runId, input.status, input.error);
    },

    async stepSkipped(input: { runId: string; nodeId: string; reason: string }): Promise<void> {
      await updateStep(db, input.runId, input.nodeId, { status: "skipped", error: input.reason, finished: true });
      await appendStepLogs(db, input.runId, input.nodeId, [{ ts: new Date().toISOString(), level: "warn", message: `skipped: ${input.reason}` }]);
    },

    async stepReused(input: { runId: string; nodeId: string; fromRunId: string; outputs: StepOutputs }): Promise<void> {
      await updateStep(db, input.runId, input.nodeId, { status: "succeeded", cached: true, outputs: input.outputs, started: true, finished: true });
      await appendStepLogs(db, input.runId, input.nodeId, [{ ts: new Date().toISOString(), level: "info", message: `reused the outputs of run ${input.fromRunId}` }]);
    },

    async stepFailed(input: { runId: string; nodeId: string; error: string }): Promise<void> {
      await updateStep(db, input.runId, input.nodeId, { status: "failed", error: input.error, finished: true });
    },

    async executeStep(input: ExecuteStepInput): Promise<ExecuteStepResult> {
      const { run, step } = input;
      const info = Context.current().info;
      const logs = new LogBuffer(deps, run.runId, step.nodeId);
      await updateStep(db, run.runId, step.nodeId, { status: "running", attempt: info.attempt, started: true, error: null });
      if (info.attempt > 1) logs.push("info", `attempt ${info.attempt} of ${step.retry.maximumAttempts}`);

      // The implementation is the one the plan names (type@version), never "the newest":
      // a run keeps executing the versions it was compiled with.
      const impl = nodeActivities[`${step.type}@${step.version}`];
      if (!impl) throw ApplicationFailure.nonRetryable(`this worker has no activity for ${step.type}@${step.version}`, "UnknownNodeType");
      const metricRows: { runId: string; nodeId: string; key: string; step: number; value: number }[] = [];
      const ctx: StepContext = {
        ...run,
        nodeId: step.nodeId,
        type: step.type,
        config: step.config,
        params: input.params,
        inputs: input.inputs,
        deps,
        log: (message, level = "info") => logs.push(level, message),
        metric: (k, value, s = 0) => {
          if (Number.isFinite(value)) metricRows.push({ runId: run.runId, nodeId: step.nodeId, key: k, step: s, value });
        },
        heartbeat: (details) => Context.current().heartbeat(details),
      };
      /** A failed attempt: said in the step's log; bad input (DataError) is not retried. */
      const fail = async (err: unknown): Promise<never> => {
        const message = err instanceof Error ? err.message : String(err);
        const final = err instanceof DataError || info.attempt >= step.retry.maximumAttempts;
        logs.push("error", final ? message : `attempt ${info.attempt} failed: ${message}; retrying`);
        await logs.flush();
        if (err instanceof DataError) throw ApplicationFailure.nonRetryable(message, DATA_ERROR);
        throw err;
      };
      const factsOf = nodeFacts[`${step.type}@${step.version}`];
      if (factsOf) ctx.facts = await factsOf(ctx).catch(fail);

      const key = step.cacheable ? stepCacheKey(input, ctx.facts) : null;
      if (key) {
        const hit = await getCachedOutputs(db, key);
        if (hit) {
          logs.push("info", `nothing changed since run ${hit.runId ?? "?"}: reused its outputs (cache key ${key.slice(0, 12)}…)`);
          await logs.flush();
          await updateStep(db, run.runId, step.nodeId, { status: "succeeded", cached: true, outputs: hit.outputs, finished: true });
          return { outputs: hit.outputs as StepOutputs, cached: true };
        }
      }

      let outputs: StepOutputs;
      try {
        outputs = await impl(ctx);
      } catch (err) {
        return fail(err);
      }
      await insertMetrics(db, metricRows);
      await insertArtifacts(
        db,
        Object.entries(outputs).flatMap(([port, v]) =>
          "uri" in v ? [{ teamId: run.teamId, runId: run.runId, nodeId: step.nodeId, port, kind: v.kind, uri: v.uri, sha256: v.sha256, sizeBytes: 0, meta: {} }] : [],
        ),
      );
      if (key) await putCachedOutputs(db, { key, teamId: run.teamId, nodeType: step.type, outputs, runId: run.runId });
      await logs.flush();
      await updateStep(db, run.runId, step.nodeId, { status: "succeeded", cached: false, outputs, finished: true });
      return { outputs, cached: false };
    },
  };
}
