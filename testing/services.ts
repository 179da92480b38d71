/**
 * Global setup of the vitest `integration` project: real services, isolated
 * per run.
 *
 *   - PostgreSQL: embedded, in a temp dir on a free port (unless DATABASE_URL
 *     is set), migrated and seeded;
 *   - Temporal: `temporal server start-dev`, in-memory, headless, free port,
 *     namespace "default" (unless TEMPORAL_ADDRESS is set);
 *   - S3: SeaweedFS (`weed mini`) on free ports, with random credentials and
 *     the bucket made, and ARTIFACT_URI=s3://conveyor/artifacts pointing at it
 *     (unless ARTIFACT_URI is set: then that store is used as it is);
 *   - ARTIFACT_DIR: a temp dir (unless set), for tests of the local store.
 *
 * Test files see DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * ARTIFACT_URI, S3_ENDPOINT, the AWS credentials and ARTIFACT_DIR in
 * process.env (the workers are forked after this runs) and
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
import { ensureSeaweedFs, randomCredentials, spawnSeaweedFs, waitForS3, type SeaweedFs } from "../scripts/seaweedfs";
import type { TestServices } from "./env";

const TEST_BUCKET = "conveyor";
const say = (msg: string) => process.stderr.write(`[test-services] ${msg}\n`);
const secs = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-test-"));
  fs.chmodSync(tmp, 0o755); // the embedded server runs as the "postgres" user when we are root
  let pg: { stop(): Promise<void> } | undefined;
  let temporal: TemporalDevServer | undefined;
  let s3: SeaweedFs | undefined;
  let stopping = false;
  // Last resort if vitest exits without running the teardown.
  const killOnExit = () => {
    const pgPid = postmasterPid(path.join(tmp, "postgres"));
    for (const [pid, sig] of [
      [temporal?.pid, "SIGKILL"],
      [s3?.pid, "SIGKILL"],
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
    // Its data is thrown away with the temp dir: no graceful shutdown either.
    if (s3) await stopPid(s3.pid, { signal: "SIGKILL", timeoutMs: 5_000 });
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

    const startS3 = async (): Promise<Pick<TestServices, "ARTIFACT_URI" | "S3_ENDPOINT" | "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY">> => {
      const { ARTIFACT_URI, S3_ENDPOINT = "", AWS_ACCESS_KEY_ID = "", AWS_SECRET_ACCESS_KEY = "" } = process.env;
      if (ARTIFACT_URI) return { ARTIFACT_URI, S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY };
      const weed = await ensureSeaweedFs({ log: say });
      const t0 = Date.now();
      const credentials = randomCredentials();
      for (let attempt = 1; ; attempt++) {
        const server = await spawnSeaweedFs({ weed, dir: path.join(tmp, `seaweedfs-${attempt}`), credentials, detached: false });
        s3 = server;
        // Its banner goes to stdout and its INFO log to files under dir: show errors only.
        pipeLines("s3", server.child, (line, stream) => stream === "stderr" && !stopping && line.trim() !== "");
        try {
          await waitForS3(server.endpoint, {
            credentials,
            bucket: TEST_BUCKET,
            timeoutMs: 60_000,
            abort: server.exited.then((i) => `SeaweedFS exited during startup (code ${i.code}, signal ${i.signal})`),
          });
        } catch (e) {
          // Postgres and Temporal start in parallel and bind ports: one that was free a moment ago can be taken.
          await stopPid(server.pid, { signal: "SIGKILL", timeoutMs: 5_000 });
          if (attempt >= 3) throw e;
          say(`SeaweedFS did not start (${String(e).split("\n")[0]}); trying other ports`);
          continue;
        }
        say(`SeaweedFS ready in ${secs(t0)} on ${server.endpoint}`);
        return {
          ARTIFACT_URI: `s3://${TEST_BUCKET}/artifacts`,
          S3_ENDPOINT: server.endpoint,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        };
      }
    };

    // All three in parallel: they are independent and each takes seconds.
    const [databaseUrl, temporalAddress, s3Env] = await Promise.all([
      startDb().then(async (url) => {
        const t0 = Date.now();
        await migrateAndSeed(url);
        say(`migrations applied (${secs(t0)})`);
        return url;
      }),
      startTemporal(),
      startS3(),
    ]);

    const artifactDir = process.env.ARTIFACT_DIR || path.join(tmp, "artifacts");
    fs.mkdirSync(artifactDir, { recursive: true });
    const services: TestServices = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE || "default",
      ARTIFACT_DIR: artifactDir,
      ARTIFACT_CACHE_DIR: process.env.ARTIFACT_CACHE_DIR || path.join(tmp, "artifact-cache"),
      ...s3Env,
    };
    Object.assign(process.env, services);
    project.provide("conveyorServices", services);
    return teardown;
  } catch (e) {
    await teardown().catch(() => {});
    throw e;
  }
}
