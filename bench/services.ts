/**
 * Private services for benchmarks: an embedded PostgreSQL and an in-memory
 * Temporal dev server on free ports, so a benchmark never touches a
 * developer's data. (DATABASE_URL / TEMPORAL_ADDRESS are ignored on purpose.)
 */
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../scripts/postgres";
import { ensureTemporalCli } from "../scripts/temporal-cli";
import { freePort } from "../scripts/process-utils";
import { spawnTemporalDevServer, waitForTemporal } from "../scripts/temporal-dev-server";
import { migrateAndSeed } from "../db/migrate";
import { DefaultLogger, Runtime } from "@temporalio/worker";

let runtimeInstalled = false;
/** The Temporal SDK's log at ERROR for benchmarks: installed once per process (`npm run bench` runs them all in one). */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger("ERROR") });
}

export interface BenchServices {
  databaseUrl: string;
  temporalAddress: string;
  artifactDir: string;
  /** PID of the Temporal dev server, to read its CPU time. */
  temporalPid: number;
  stop(): Promise<void>;
}

export async function startBenchServices(): Promise<BenchServices> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-bench-"));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: await freePort() });
  await migrateAndSeed(pg.url);
  const cli = await ensureTemporalCli();
  const temporal = spawnTemporalDevServer({ cli, port: await freePort(), uiPort: false, logLevel: "error" });
  await waitForTemporal(temporal.address, { timeoutMs: 60_000 });
  const artifactDir = path.join(dir, "artifacts");
  return {
    databaseUrl: pg.url,
    temporalAddress: temporal.address,
    artifactDir,
    temporalPid: temporal.pid,
    async stop() {
      await temporal.stop();
      await pg.stop();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
