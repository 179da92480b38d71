/** The worker process (`conveyor worker`; `npm run dev` and `npm start` start it): runs pipeline workflows and activities. */
import { getDb } from "../../db/client";
import { env } from "../../infra/env";
import { ArtifactStore } from "../../infra/artifacts";
import { temporalConnectionOptions } from "../../infra/temporal-connection";
import { createWorker, type WorkerQueue } from "./worker";
import { logger } from "../../infra/log";
import { startTracing } from "../../infra/telemetry";
import { installRuntimeLogger } from "./runtime-logger";
import { Client, Connection } from "@temporalio/client";
import { ensureMonitorSchedule } from "../monitoring/schedule";

const e = env();
const log = logger("worker");
installRuntimeLogger();
const tracing = startTracing("worker");
const db = getDb();
const { worker, connection } = await createWorker({
  address: e.temporalAddress,
  connectionOptions: temporalConnectionOptions(e),
  namespace: e.TEMPORAL_NAMESPACE,
  taskQueue: e.TEMPORAL_TASK_QUEUE,
  queues: [...new Set(e.CONVEYOR_WORKER_QUEUES.split(","))] as WorkerQueue[],
  maxActivities: e.WORKER_MAX_ACTIVITIES,
  maxHeavyActivities: e.WORKER_MAX_HEAVY_ACTIVITIES,
  shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
  deps: { db, store: new ArtifactStore(), servingUrl: e.servingUrl },
});
log.info(
  { identity: worker.identity, taskQueues: worker.taskQueues, temporalAddress: e.temporalAddress, namespace: e.TEMPORAL_NAMESPACE },
  `worker ${worker.identity} polling ${worker.taskQueues.map((q) => `"${q}"`).join(" and ")}`,
);
// The monitors' Schedule (every minute: due windows of every deployment), made by the first worker that runs workflows.
if (worker.taskQueues.includes(e.TEMPORAL_TASK_QUEUE)) {
  try {
    const clientConnection = await Connection.connect(temporalConnectionOptions(e));
    await ensureMonitorSchedule(new Client({ connection: clientConnection, namespace: e.TEMPORAL_NAMESPACE }), e.TEMPORAL_TASK_QUEUE);
    await clientConnection.close();
  } catch (err) {
    log.warn({ err }, `could not create the monitor schedule: ${err instanceof Error ? err.message : String(err)}`);
  }
}
// The SDK installs SIGINT/SIGTERM handlers: polling stops, running activities get a grace period, then hand back.
await worker.run();
await connection.close();
await db.$client.end();
await tracing?.shutdown();
