/** Builds a Temporal worker for the pipeline workflow and its activities. */
import { createRequire } from "node:module";
import { NativeConnection, Worker, type WorkerOptions } from "@temporalio/worker";
import { createActivities } from "./activities";
import { createScheduleActivities } from "./schedule-activities";
import type { ActivityDeps, NodeActivity } from "../nodes/step-context";

const require = createRequire(import.meta.url);

export async function createWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  nodeActivities?: Record<string, NodeActivity>;
  connection?: NativeConnection;
  extra?: Partial<WorkerOptions>;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = opts.connection ?? (await NativeConnection.connect({ address: opts.address }));
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath: require.resolve("./workflows.ts"),
    activities: { ...createActivities(opts.deps, { nodeActivities: opts.nodeActivities }), ...createScheduleActivities(opts.deps) },
    // No low cap on concurrent activities: with every slot taken by pollers the
    // SDK stops requesting eager dispatch, which costs ~45 ms per step here.
    // Heartbeats leave at most every 2 s (not 0.8 × the heartbeat timeout): a
    // run's cancellation arrives in a heartbeat's answer, so this bounds how
    // long a cancelled step keeps running.
    maxHeartbeatThrottleInterval: "2 seconds",
    ...opts.extra,
  });
  return { worker, connection };
}
