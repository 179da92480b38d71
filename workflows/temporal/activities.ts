/**
 * Activity factory: the worker calls createActivities with real deps; tests
 * inject their own (and may replace node activities). Wraps every node
 * activity with the bookkeeping the UI shows: status, attempts, progress,
 * live logs, metrics, artifacts and the step cache.
 *
 * An attempt owns its step from claimStep to finishStep (db/queries/runs.ts):
 * its writes are fenced by attempt number, so an attempt the server has given
 * up (timed out, cancelled) can never write the step's status, outputs or
 * cache entry once a newer attempt runs or the run ended; before the final
 * writes it also checks its cancellation and its heartbeat (StepHeartbeat).
 * Failures are classified once (failures.ts): bad input is final, transient
 * infrastructure errors are retried for minutes, other errors up to the
 * node's retry.maximumAttempts; messages never carry SQL.
 */
import crypto from "node:crypto";
import { ApplicationFailure, CancelledFailure, Context } from "@temporalio/activity";
import type { StepLog } from "../../db/schema";
import {
  appendStepLogs,
  claimStep,
  finishStep,
  getCachedOutputs,
  reportStepProgress,
  saveStepCheckpoint,
  setRunStatus,
  stepCheckpoint,
  stepHolder,
  updateStep,
} from "../../db/queries/runs";
import { NODE_ACTIVITIES, NODE_ACTIVITY_FACTS } from "../nodes/activities.generated";
import type { StepOutputs } from "../spec/refs";
import { ACTIVITY_CODE_VERSION } from "../nodes/versions";
import { DATA_ERROR, STALE_ATTEMPT, TRANSIENT_ERROR, TRANSIENT_RETRY, type ExecuteStepInput, type ExecuteStepResult } from "./contracts";
import { classifyFailure, userMessage } from "./failures";
import { StepHeartbeat } from "./step-heartbeat";
import type { ActivityDeps, Continuation, NodeActivity, NodeActivityFacts, StepContext } from "../nodes/step-context";
import { logger, type Logger } from "../../infra/log";
import { otelTrace } from "../../infra/telemetry";

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
    Array.isArray(x)
      ? x.map(stable)
      : x && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, stable((x as Record<string, unknown>)[k])]),
          )
        : x;
  const payload = JSON.stringify([
    input.run.teamId,
    input.step.type,
    input.step.version,
    stable(input.step.config),
    inputs,
    ACTIVITY_CODE_VERSION,
    ...(facts === undefined ? [] : [stable(facts)]),
  ]);
  return crypto.createHash("sha256").update(payload).digest("hex");
}

/**
 * Buffers step logs and flushes them every 300 ms so the run view is live.
 * Lines that could not be written (the database is down) are kept, up to
 * 1,000, and go with the next flush. Each line also goes to the worker's
 * process log, with the step's ids.
 */
class LogBuffer {
  private pending: StepLog[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  constructor(
    private deps: ActivityDeps,
    private runId: string,
    private nodeId: string,
    private log: Logger,
  ) {}
  push(level: StepLog["level"], message: string) {
    this.log[level](message);
    this.pending.push({ ts: new Date().toISOString(), level, message });
    this.timer ??= setTimeout(() => void this.flush(), 300);
  }
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing
      .then(() => appendStepLogs(this.deps.db, this.runId, this.nodeId, batch))
      .catch(() => {
        this.pending = [...batch, ...this.pending].slice(-1000);
        this.timer ??= setTimeout(() => void this.flush(), 1000);
      });
    return this.flushing;
  }
  /** The last flush: what still cannot be written is dropped. */
  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Resolves with `work`, or rejects as soon as `signal` aborts (the work is left to finish or fail unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Runs a write again while the failure is transient (the database restarting),
 * for up to `forMs`, unless the attempt is cancelled: finishing a step must not
 * throw away a long training because PostgreSQL blinked.
 */
async function retryTransient<T>(write: () => Promise<T>, opts: { signal: AbortSignal; forMs: number; onRetry: (message: string) => void }): Promise<T> {
  const started = Date.now();
  for (let wait = 500; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await write();
    } catch (err) {
      if (classifyFailure(err) !== "transient" || opts.signal.aborted || Date.now() - started + wait > opts.forMs) throw err;
      opts.onRetry(userMessage(err));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export function createActivities(
  deps: ActivityDeps,
  opts: { nodeActivities?: Record<string, NodeActivity>; nodeFacts?: Record<string, NodeActivityFacts> } = {},
) {
  const nodeActivities = opts.nodeActivities ?? NODE_ACTIVITIES;
  const nodeFacts = opts.nodeFacts ?? NODE_ACTIVITY_FACTS;
  const { db } = deps;
  const workerLog = logger("worker");
  /** The process log of a run's activity: its run, workflow and (for a step) node and attempt. */
  const runLog = (runId: string, more: Record<string, unknown> = {}) =>
    workerLog.child({ runId, workflowId: Context.current().info.workflowExecution?.workflowId, ...more });

  /** Bookkeeping (the workflow's local activities): retried by the workflow; a failure it reports never carries SQL. */
  const bookkeeping = async (write: () => Promise<unknown>): Promise<void> => {
    try {
      await write();
    } catch (err) {
      throw ApplicationFailure.create({ message: userMessage(err), type: classifyFailure(err) === "transient" ? TRANSIENT_ERROR : "BookkeepingError" });
    }
  };

  return {
    async runStarted(input: { runId: string; workflowId: string }): Promise<void> {
      await bookkeeping(() => setRunStatus(db, input.runId, "running"));
      runLog(input.runId).info("run started");
    },

    async runFinished(input: { runId: string; status: "succeeded" | "failed" | "cancelled" | "blocked"; error: string | null }): Promise<void> {
      await bookkeeping(() => setRunStatus(db, input.runId, input.status, input.error));
      runLog(input.runId, { status: input.status }).info(input.error ? `run ${input.status}: ${input.error}` : `run ${input.status}`);
    },

    async stepSkipped(input: { runId: string; nodeId: string; reason: string }): Promise<void> {
      await bookkeeping(async () => {
        await updateStep(db, input.runId, input.nodeId, { status: "skipped", error: input.reason, finished: true });
        await appendStepLogs(db, input.runId, input.nodeId, [{ ts: new Date().toISOString(), level: "warn", message: `skipped: ${input.reason}` }]);
      });
    },

    async stepReused(input: { runId: string; nodeId: string; fromRunId: string; outputs: StepOutputs }): Promise<void> {
      await bookkeeping(async () => {
        await updateStep(db, input.runId, input.nodeId, { status: "succeeded", cached: true, outputs: input.outputs, started: true, finished: true });
        await appendStepLogs(db, input.runId, input.nodeId, [
          { ts: new Date().toISOString(), level: "info", message: `reused the outputs of run ${input.fromRunId}` },
        ]);
      });
    },

    async stepFailed(input: { runId: string; nodeId: string; error: string }): Promise<void> {
      await bookkeeping(() => updateStep(db, input.runId, input.nodeId, { status: "failed", error: input.error, finished: true }));
    },

    async executeStep(input: ExecuteStepInput): Promise<ExecuteStepResult> {
      const { run, step } = input;
      const actx = Context.current();
      const { attempt } = actx.info;
      const signal = actx.cancellationSignal;
      const started = performance.now();
      const log = runLog(run.runId, { nodeId: step.nodeId, attempt, stepType: `${step.type}@${step.version}` });
      // The activity's span (when tracing) says which step it is.
      otelTrace
        .getActiveSpan()
        ?.setAttributes({ "conveyor.run_id": run.runId, "conveyor.node_id": step.nodeId, "conveyor.step_type": step.type, "conveyor.attempt": attempt });
      const logs = new LogBuffer(deps, run.runId, step.nodeId, log);
      const beat = new StepHeartbeat(actx, (p) => reportStepProgress(db, run.runId, step.nodeId, attempt, p));
      const stale = async (what: string) => {
        const holder = await stepHolder(db, run.runId, step.nodeId).catch(() => null);
        const now = holder ? `the step is ${holder.status} at attempt ${holder.attempt}` : "the step is gone";
        logs.push("warn", `attempt ${attempt} ${what}: ${now}`);
        return ApplicationFailure.create({
          message: `attempt ${attempt} no longer owns step ${step.nodeId} (${now})`,
          type: STALE_ATTEMPT,
          nonRetryable: true,
        });
      };
      /** This attempt may still write its results: not cancelled, and never silent longer than its heartbeat timeout. */
      const checkStillOwned = () => {
        if (signal.aborted) throw signal.reason as Error;
        const lost = beat.lostFor();
        if (lost) {
          logs.push(
            "warn",
            `attempt ${attempt} went ${(lost / 1000).toFixed(1)} s without a heartbeat (timeout ${(actx.info.heartbeatTimeoutMs ?? 0) / 1000} s): the server has given it up, so its results are discarded`,
          );
          throw ApplicationFailure.create({ message: `attempt ${attempt} lost its heartbeat`, type: STALE_ATTEMPT, nonRetryable: false });
        }
      };
      let continuation: Continuation | undefined;
      const finish = (
        outputs: StepOutputs,
        cached: boolean,
        extra: Omit<Parameters<typeof finishStep>[1], "runId" | "nodeId" | "attempt" | "status" | "outputs" | "cached"> = {},
      ) => {
        checkStillOwned();
        let said = false;
        // A step the workflow continues stays running, with its outputs so far.
        const status = continuation ? "running" : "succeeded";
        return retryTransient(() => finishStep(db, { runId: run.runId, nodeId: step.nodeId, attempt, status, outputs, cached, ...extra }), {
          signal,
          forMs: 120_000,
          onRetry: (message) => {
            if (!said) logs.push("warn", `could not record the results (${message}); trying again`);
            said = true;
          },
        });
      };

      try {
        if (!(await claimStep(db, run.runId, step.nodeId, attempt, deps.workerIdentity))) throw await stale("did not start");
        log.debug("step started");
        if (attempt > 1) logs.push("info", `attempt ${attempt}`);

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
          progress: (p) => beat.report(p),
          heartbeat: () => beat.beat(),
          loadCheckpoint: () => stepCheckpoint(db, run.runId, step.nodeId),
          saveCheckpoint: async (checkpoint) => {
            if (!(await saveStepCheckpoint(db, run.runId, step.nodeId, attempt, checkpoint))) throw await stale("could not save its checkpoint");
          },
          signal,
          continueWith: (c) => {
            continuation = c;
          },
        };
        const factsOf = nodeFacts[`${step.type}@${step.version}`];
        if (factsOf) ctx.facts = await untilAborted(factsOf(ctx), signal);

        const key = step.cacheable && !input.fresh ? stepCacheKey(input, ctx.facts) : null;
        if (key) {
          const hit = await getCachedOutputs(db, key);
          if (hit) {
            logs.push("info", `nothing changed since run ${hit.runId ?? "?"}: reused its outputs (cache key ${key.slice(0, 12)}…)`);
            if (!(await finish(hit.outputs as StepOutputs, true))) throw await stale("found a cached result too late");
            log.info({ ms: Math.round(performance.now() - started), cached: true }, "step succeeded");
            return { outputs: hit.outputs as StepOutputs, cached: true };
          }
        }

        const outputs = await untilAborted(impl(ctx), signal);
        const artifacts = Object.entries(outputs).flatMap(([port, v]) =>
          "uri" in v
            ? [{ teamId: run.teamId, runId: run.runId, nodeId: step.nodeId, port, kind: v.kind, uri: v.uri, sha256: v.sha256, sizeBytes: 0, meta: {} }]
            : [],
        );
        const cache = key ? { key, teamId: run.teamId, nodeType: step.type, outputs, runId: run.runId } : undefined;
        if (!(await finish(outputs, false, { metrics: metricRows, artifacts, cache }))) throw await stale("finished too late; its results are discarded");
        if (continuation) {
          log.info({ ms: Math.round(performance.now() - started), continuation: continuation.kind }, `step continues in the workflow (${continuation.kind})`);
          return { outputs, cached: false, continuation };
        }
        log.info({ ms: Math.round(performance.now() - started), cached: false }, "step succeeded");
        return { outputs, cached: false };
      } catch (err) {
        if (signal.aborted) {
          // The run was cancelled (the step says so, unless the run already closed it),
          // or the server gave this attempt up / the worker is stopping (a newer attempt or the workflow decides).
          // (A cancelled run's workflow may be closed before this attempt's next heartbeat: then the
          // reason is NOT_FOUND, and the step, closed by the run, says cancelled.)
          const reason = signal.reason instanceof CancelledFailure ? signal.reason.message : String(signal.reason);
          const requested = actx.cancellationDetails?.cancelRequested === true;
          if (requested) await finishStep(db, { runId: run.runId, nodeId: step.nodeId, attempt, status: "cancelled", error: "cancelled" }).catch(() => false);
          const holder = requested ? null : await stepHolder(db, run.runId, step.nodeId).catch(() => null);
          if (requested || (holder?.status === "cancelled" && holder.attempt === attempt)) logs.push("warn", `cancelled${beat.where()}`);
          else logs.push("warn", `attempt ${attempt} stopped${beat.where()}: ${reason}`);
          throw signal.reason as Error;
        }
        if (err instanceof ApplicationFailure) {
          if (err.type !== STALE_ATTEMPT) logs.push("error", err.message);
          throw err;
        }
        throw failure(err, attempt, step.retry.maximumAttempts, (line, level) => logs.push(level, line));
      } finally {
        await beat.stop();
        await logs.close();
      }
    },
  };
}

/**
 * The ApplicationFailure an attempt ends with (failures.ts decides the kind),
 * said in the step's log: bad input is final; transient errors are retried
 * (TRANSIENT_RETRY bounds them); other errors until the node's attempts are used.
 */
function failure(err: unknown, attempt: number, nodeAttempts: number, log: (line: string, level: StepLog["level"]) => void): ApplicationFailure {
  const kind = classifyFailure(err);
  const message = userMessage(err);
  const final = kind === "data" || (kind === "transient" ? attempt >= Math.max(nodeAttempts, TRANSIENT_RETRY.maximumAttempts) : attempt >= nodeAttempts);
  if (final) log(message, "error");
  else log(`attempt ${attempt} failed: ${message}; ${kind === "transient" ? "the infrastructure is unavailable, retrying with backoff" : "retrying"}`, "warn");
  const type = kind === "data" ? DATA_ERROR : kind === "transient" ? TRANSIENT_ERROR : err instanceof Error ? err.name : "Error";
  return ApplicationFailure.create({ message, type, nonRetryable: final });
}
