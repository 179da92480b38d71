/**
 * The serving process: `npx tsx server/serving/main.ts`.
 * Listens on SERVING_HOST:SERVING_PORT (default 127.0.0.1:8080).
 */
import { createDb } from "../../db/client";
import { env } from "../../infra/env";
import { ArtifactStore } from "../../infra/artifacts";
import { createServingServer } from "./server";
import { logger } from "../../infra/log";
import { startTracing } from "../../infra/telemetry";

const config = env();
const log = logger("serving");
const tracing = startTracing("serving");
const host = config.SERVING_HOST;
const db = createDb(config.databaseUrl, { max: 4 });
const store = new ArtifactStore();
const serving = createServingServer({
  db,
  store,
  batching: { maxBatchSize: config.SERVING_BATCH_MAX_SIZE, maxDelayMs: config.SERVING_BATCH_MAX_DELAY_MS },
  predictionLog: { maxRows: config.PREDICTION_LOG_MAX_ROWS, flushMs: config.PREDICTION_LOG_FLUSH_MS, batchRows: config.PREDICTION_LOG_BATCH_ROWS },
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: shutting down`);
  const hard = setTimeout(() => {
    log.error("shutdown took too long; exiting");
    process.exit(1);
  }, 10_000);
  hard.unref();
  try {
    await serving.close();
    await db.$client.end({ timeout: 5 });
    await tracing?.shutdown();
  } finally {
    clearTimeout(hard);
  }
  process.exit(0);
}
// Before listening: the port answers health checks before listen() resolves
// (it also waits for the registry's LISTEN connection), and a SIGTERM in
// between must still shut down cleanly.
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

const { url } = await serving.listen(config.SERVING_PORT, host);
log.info({ url }, `listening on ${url} (OIP v2 at ${url}/v2, metrics at ${url}/metrics)`);
