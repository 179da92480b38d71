/**
 * Builds the worker of a process: the pipeline workflow and light activities
 * on the pipeline task queue, heavy activities (training) on
 * `<taskQueue>-heavy`, either or both per process. While it runs it beats in
 * the `workers` table every few seconds (what /api/health reads) and records
 * its identity on the steps it runs.
 */
import crypto from "node:crypto";
import os from "node:os";
import { createRequire } from "node:module";
import { Context } from "@temporalio/activity";
import { NativeConnection, Worker, type WorkerOptions } from "@temporalio/worker";
import { beatWorker, workerStopped } from "../../db/queries/workers";
import type { TemporalConnectionOptions } from "../../infra/temporal-connection";
import { createActivities } from "./activities";
import { heavyTaskQueue } from "./contracts";
import { launchRun } from "./launch-run";
import { createScheduleActivities } from "./schedule-activities";
import { createLifecycleActivities } from "./lifecycle-activities";
import { createMonitorActivities } from "./monitor-activities";
import { workerTracingOptions } from "./worker-tracing";
import { logger } from "../../infra/log";
import type { ActivityDeps, NodeActivity } from "../nodes/step-context";

const require = createRequire(import.meta.url);

export type WorkerQueue = "light" | "heavy";
export const WORKER_QUEUES: readonly WorkerQueue[] = ["light", "heavy"];

/** How often a worker beats in the `workers` table; /api/health calls it dead after WORKER_DEAD_AFTER_MS. */
export const WORKER_BEAT_MS = 5_000;
export const WORKER_DEAD_AFTER_MS = 15_000;

export interface ConveyorWorker {
  /** Unique per process: host, pid and a random suffix. */
  identity: string;
  /** The task queues it polls. */
  taskQueues: string[];
  /** Polls until shutdown() or a shutdown signal (SIGINT/SIGTERM), then drains. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createWorker(opts: {
  /** The frontend; TLS and an API key come with `connectionOptions` (default: the address alone). */
  address: string;
  connectionOptions?: TemporalConnectionOptions;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Which queues this process serves (default both). */
  queues?: readonly WorkerQueue[];
  /** Concurrent light activities (default: no cap) and heavy ones (default: the machine's cores). */
  maxActivities?: number;
  maxHeavyActivities?: number;
  /** Time running activities get to finish after a shutdown request before they are cancelled (default 8 s). */
  shutdownGraceMs?: number;
  nodeActivities?: Record<string, NodeActivity>;
  connection?: NativeConnection;
  extra?: Partial<WorkerOptions>;
}): Promise<{ worker: ConveyorWorker; connection: NativeConnection }> {
  const queues = opts.queues ?? WORKER_QUEUES;
  if (queues.length === 0) throw new Error("a worker needs at least one queue (light, heavy)");
  const identity = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
  const deps: ActivityDeps = {
    // Runs a step starts (a dataset version's `dataset` triggers) go through the worker's own client, on the pipeline queue.
    startRun: (teamId, pipelineId, detail) => {
      const { client } = Context.current();
      return launchRun(
        opts.deps.db,
        { client: async () => client, taskQueue: opts.taskQueue },
        { teamId, pipelineId, trigger: { type: "dataset", detail: { ...detail } }, createdBy: null },
      ).then(
        (p) => (p.ok ? { runId: p.runId } : { error: p.reason === "not_found" ? "the pipeline no longer exists" : "the pipeline cannot run" }),
        (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }),
      );
    },
    ...opts.deps,
    workerIdentity: identity,
  };
  const connection = opts.connection ?? (await NativeConnection.connect(opts.connectionOptions ?? { address: opts.address }));
  const activities = {
    ...createActivities(deps, { nodeActivities: opts.nodeActivities }),
    ...createScheduleActivities(deps),
    ...createLifecycleActivities(deps),
    ...createMonitorActivities({ db: deps.db, store: deps.store, taskQueue: opts.taskQueue }),
  };
  const common = {
    connection,
    namespace: opts.namespace,
    identity,
    // Heartbeats leave at most every 2 s (not 0.8 × the heartbeat timeout): a
    // run's cancellation arrives in a heartbeat's answer, so this bounds how
    // long a cancelled step keeps running.
    maxHeartbeatThrottleInterval: "2 seconds",
    shutdownGraceTime: opts.shutdownGraceMs ?? 8_000,
    // Observability: OpenTelemetry interceptors when this process traces (worker-tracing.ts).
    ...workerTracingOptions(),
  } satisfies Partial<WorkerOptions>;
  const workers: Worker[] = [];
  const taskQueues: string[] = [];
  if (queues.includes("light")) {
    taskQueues.push(opts.taskQueue);
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: opts.taskQueue,
        workflowsPath: require.resolve("./workflows.ts"),
        activities,
        // No low cap on concurrent activities by default: with every slot taken by
        // pollers the SDK stops requesting eager dispatch, which costs ~45 ms per step here.
        ...(opts.maxActivities ? { maxConcurrentActivityTaskExecutions: opts.maxActivities } : {}),
        ...opts.extra,
      }),
    );
  }
  if (queues.includes("heavy")) {
    const queue = heavyTaskQueue(opts.taskQueue);
    taskQueues.push(queue);
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: queue,
        activities,
        maxConcurrentActivityTaskExecutions: opts.maxHeavyActivities ?? os.availableParallelism(),
        ...opts.extra,
      }),
    );
  }

  const beat = { identity, host: os.hostname(), pid: process.pid, taskQueues };
  const log = logger("worker", { identity });
  let beatFailing = false;
  const sendBeat = () =>
    beatWorker(deps.db, beat).then(
      () => {
        if (beatFailing) log.info("beating in the workers table again");
        beatFailing = false;
      },
      (e: unknown) => {
        if (!beatFailing) log.error({ err: e }, "cannot beat in the workers table; retrying");
        beatFailing = true;
      },
    );

  let stopRequested = false;
  return {
    connection,
    worker: {
      identity,
      taskQueues,
      shutdown() {
        stopRequested = true;
        workers.forEach((w) => w.getState() === "RUNNING" && w.shutdown());
      },
      async run() {
        if (stopRequested) return;
        // Started first (the SDK's run() is RUNNING synchronously), so a shutdown() from now on reaches them.
        // One queue's worker failing stops the other: the process is then not half a worker.
        const running = Promise.all(
          workers.map((w) =>
            w.run().catch((e: unknown) => {
              workers.forEach((o) => o !== w && o.getState() === "RUNNING" && o.shutdown());
              throw e;
            }),
          ),
        );
        // Beats one after another, so the last one cannot land after the "stopped" mark below.
        let beats = sendBeat();
        const timer = setInterval(() => void (beats = beats.then(sendBeat)), WORKER_BEAT_MS);
        try {
          await running;
        } finally {
          clearInterval(timer);
          await beats;
          await workerStopped(deps.db, identity).catch(() => {});
        }
      },
    },
  };
}
