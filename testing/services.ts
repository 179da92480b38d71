/**
 * Global setup of the vitest `integration` project: real services, isolated
 * per run.
 *
 *   - PostgreSQL: embedded, in a temp dir on a free port (unless DATABASE_URL
 *     is set), migrated and seeded;
 *   - Temporal: `temporal server start-dev`, in-memory, headless, free port,
 *     namespace "default" (unless TEMPORAL_ADDRESS is set);
 *   - ARTIFACT_DIR: a temp dir (unless set).
 *
 * Test files see DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and
 * ARTIFACT_DIR in process.env (the workers are forked after this runs) and
 * through `testEnv()` from scripts/test-env.ts (vitest provide/inject).
 * The returned teardown stops everything and deletes the temp dirs.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, pipeLines, postmasterPid, stopPid } from "../scripts/process-utils";
import { startEmbeddedPostgres } from "../scripts/postgres";
import { ensureTemporalCli } from "../scripts/temporal-cli";
import { spawnTemporalDevServer, waitForTemporal, type TemporalDevServer } from "../scripts/temporal-dev-server";
import type { TestServices } from "./env";

const say = (msg: string) => process.stderr.write(`[test-services] ${msg}\n`);
const secs = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-test-"));
  fs.chmodSync(tmp, 0o755); // the embedded server runs as the "postgres" user when we are root
  let pg: { stop(): Promise<void> } | undefined;
  let temporal: TemporalDevServer | undefined;
  let stopping = false;
  // Last resort if vitest exits without running the teardown.
  const killOnExit = () => {
    const pgPid = postmasterPid(path.join(tmp, "postgres"));
    for (const [pid, sig] of [
      [temporal?.pid, "SIGKILL"],
      [pgPid, "SIGINT"],
    ] as const) {
      if (!pid || pid <= 0) continue;
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  process.once("exit", killOnExit);

  const teardown = async () => {
    stopping = true;
    const t0 = Date.now();
    // In-memory dev server: nothing to flush, so no graceful shutdown (it takes seconds).
    if (temporal) await stopPid(temporal.pid, { signal: "SIGKILL", timeoutMs: 5_000 });
    await pg?.stop().catch((e: unknown) => say(`stopping PostgreSQL: ${String(e)}`));
    process.removeListener("exit", killOnExit);
    fs.rmSync(tmp, { recursive: true, force: true });
    say(`services stopped (${secs(t0)})`);
  };

  try {
    const { migrateAndSeed } = await import("../db/migrate");

    const startDb = async (): Promise<string> => {
      if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
      const t0 = Date.now();
      // Temporal starts in parallel and binds ports of its own: a port that was
      // free a moment ago can be taken, so try a fresh one before giving up.
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        try {
          const running = await startEmbeddedPostgres({ dataDir: path.join(tmp, "postgres"), port });
          pg = running;
          say(`PostgreSQL ready in ${secs(t0)} on port ${port}`);
          return running.url;
        } catch (e) {
          if (attempt >= 3) throw e;
          say(`PostgreSQL did not start on port ${port} (${String(e).split("\n")[0]}); trying another port`);
        }
      }
    };

    const startTemporal = async (): Promise<string> => {
      const namespace = process.env.TEMPORAL_NAMESPACE || "default";
      if (process.env.TEMPORAL_ADDRESS) {
        await waitForTemporal(process.env.TEMPORAL_ADDRESS, { namespace, timeoutMs: 30_000 });
        return process.env.TEMPORAL_ADDRESS;
      }
      const cli = await ensureTemporalCli({ log: say });
      const t0 = Date.now();
      const server = spawnTemporalDevServer({
        cli,
        port: await freePort(),
        uiPort: false,
        namespaces: namespace === "default" ? [] : [namespace],
        logLevel: "warn",
        detached: false,
      });
      temporal = server;
      pipeLines("temporal", server.child, (line) => !(stopping && line.includes("level=WARN")) && !/^(CLI|Server|Metrics):? |^$/.test(line.trim()));
      await waitForTemporal(server.address, {
        namespace,
        timeoutMs: 90_000,
        abort: server.exited.then((i) => `the Temporal dev server exited during startup (code ${i.code}, signal ${i.signal})`),
      });
      say(`Temporal ready in ${secs(t0)} on ${server.address}`);
      return server.address;
    };

    // Both in parallel: they are independent and each takes seconds.
    const [databaseUrl, temporalAddress] = await Promise.all([
      startDb().then(async (url) => {
        const t0 = Date.now();
        await migrateAndSeed(url);
        say(`migrations applied (${secs(t0)})`);
        return url;
      }),
      startTemporal(),
    ]);

    const artifactDir = process.env.ARTIFACT_DIR || path.join(tmp, "artifacts");
    fs.mkdirSync(artifactDir, { recursive: true });
    const services: TestServices = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE || "default",
      ARTIFACT_DIR: artifactDir,
    };
    Object.assign(process.env, services);
    project.provide("conveyorServices", services);
    return teardown;
  } catch (e) {
    await teardown().catch(() => {});
    throw e;
  }
}
