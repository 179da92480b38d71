/** The worker process (`npm run dev` starts it): runs pipeline workflows and activities. */
import { getDb } from "../../db/client";
import { env } from "../../infra/env";
import { ArtifactStore } from "../../infra/artifacts";
import { createWorker } from "./worker";

const e = env();
const db = getDb();
const { worker, connection } = await createWorker({
  address: e.temporalAddress,
  namespace: e.TEMPORAL_NAMESPACE,
  taskQueue: e.TEMPORAL_TASK_QUEUE,
  deps: { db, store: new ArtifactStore(), servingUrl: e.servingUrl },
});
console.log(`worker polling task queue "${e.TEMPORAL_TASK_QUEUE}" on ${e.temporalAddress} (namespace ${e.TEMPORAL_NAMESPACE})`);
// Worker.run installs SIGINT/SIGTERM handlers and drains gracefully.
await worker.run();
await connection.close();
await db.$client.end();
