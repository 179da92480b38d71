/** The worker process (`npm run dev` starts it): runs pipeline workflows and activities. */
import { getDb } from "../../db/client";
import { env } from "../../server/env";
import { ArtifactStore } from "../../server/storage/artifacts";
import { createWorker } from "./worker";

const e = env();
const db = getDb();
const { worker, connection } = await createWorker({
  address: e.TEMPORAL_ADDRESS,
  namespace: e.TEMPORAL_NAMESPACE,
  taskQueue: e.TEMPORAL_TASK_QUEUE,
  deps: { db, store: new ArtifactStore(), servingUrl: e.SERVING_URL },
});
console.log(`worker polling task queue "${e.TEMPORAL_TASK_QUEUE}" on ${e.TEMPORAL_ADDRESS} (namespace ${e.TEMPORAL_NAMESPACE})`);
// Worker.run installs SIGINT/SIGTERM handlers and drains gracefully.
await worker.run();
await connection.close();
await db.$client.end();
