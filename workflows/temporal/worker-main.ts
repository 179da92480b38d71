/** The worker process (`conveyor worker`; `npm run dev` and `npm start` start it): runs pipeline workflows and activities. */
import { getDb } from "../../db/client";
import { env } from "../../infra/env";
import { ArtifactStore } from "../../infra/artifacts";
import { temporalConnectionOptions } from "../../infra/temporal-connection";
import { createWorker, type WorkerQueue } from "./worker";

const e = env();
const db = getDb();
const { worker, connection } = await createWorker({
  address: e.temporalAddress,
  connectionOptions: temporalConnectionOptions(e),
  namespace: e.TEMPORAL_NAMESPACE,
  taskQueue: e.TEMPORAL_TASK_QUEUE,
  queues: [...new Set(e.CONVEYOR_WORKER_QUEUES.split(","))] as WorkerQueue[],
  maxActivities: e.WORKER_MAX_ACTIVITIES,
  maxHeavyActivities: e.WORKER_MAX_HEAVY_ACTIVITIES,
  deps: { db, store: new ArtifactStore(), servingUrl: e.servingUrl },
});
console.log(
  `worker ${worker.identity} polling ${worker.taskQueues.map((q) => `"${q}"`).join(" and ")} on ${e.temporalAddress} (namespace ${e.TEMPORAL_NAMESPACE})`,
);
// The SDK installs SIGINT/SIGTERM handlers: polling stops, running activities get a grace period, then hand back.
await worker.run();
await connection.close();
await db.$client.end();
