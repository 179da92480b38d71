/**
 * The supervisor behind `npm start` / `npm run dev` (scripts/stack.ts), for
 * real: a whole stack on its own ports and data directory. Each of worker,
 * serving, PostgreSQL and the Temporal dev server is killed with SIGKILL; the
 * supervisor says so, restarts it, and the stack is healthy again (health
 * read as /api/health computes it). Then SIGTERM stops everything in order.
 * (`npm start`'s production web app is what the e2e suite runs on.)
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client, Connection } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../db/client";
import { liveWorkers } from "../db/queries/workers";
import { checkHealth, type HealthReport } from "../server/services/health/check-health";
import { freePort, postmasterPid, waitForPidExit } from "./process-utils";

const root = path.resolve(import.meta.dirname, "..");
const ALL_OK: HealthReport = { db: "ok", temporal: "ok", worker: "ok", serving: "ok" };

async function until(ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("the stack supervisor", () => {
  let proc: ChildProcess;
  let output = "";
  let dataDir: string;
  let db: Db;
  let connection: Connection | undefined;
  const ports = { web: 0, serving: 0, pg: 0, temporal: 0 };

  const health = async () => {
    connection ??= await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const client = new Client({ connection });
    return checkHealth({
      db,
      temporal: async () => client,
      taskQueue: "conveyor-pipelines",
      servingUrl: `http://127.0.0.1:${ports.serving}`,
      timeoutMs: 3_000,
    });
  };
  const lines = (name: string) => output.split("\n").filter((l) => l.startsWith(`[${name}]`));
  const startedPid = (name: string) => Number(/started \(pid (\d+)\)/.exec(lines(name).findLast((l) => /started \(pid \d+\)/.test(l)) ?? "")?.[1]);

  beforeAll(async () => {
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-stack-"));
    fs.chmodSync(dataDir, 0o755);
    proc = spawn(process.execPath, ["--import", "tsx", "scripts/stack.ts", "dev"], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: "",
        TEMPORAL_ADDRESS: "",
        SERVING_URL: "",
        ARTIFACT_DIR: "",
        TEMPORAL_TASK_QUEUE: "",
        CONVEYOR_DATA_DIR: dataDir,
        NEXT_DIST_DIR: ".next/stack-test",
        WEB_PORT: String(ports.web),
        SERVING_PORT: String(ports.serving),
        POSTGRES_PORT: String(ports.pg),
        TEMPORAL_PORT: String(ports.temporal),
        TEMPORAL_UI_PORT: String(await freePort()),
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    await until(() => output.includes("stack up in") || output.includes("startup failed"), 150_000);
    expect(output).not.toContain("startup failed");
    db = createDb(`postgres://postgres:postgres@127.0.0.1:${ports.pg}/conveyor`, { max: 2 });
    await until(async () => JSON.stringify(await health()) === JSON.stringify(ALL_OK), 90_000);
  }, 300_000);

  afterAll(async () => {
    await connection?.close();
    await db?.$client.end({ timeout: 1 });
    if (proc && proc.exitCode === null) {
      proc.kill("SIGKILL");
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("restarts a worker killed with SIGKILL; the new one beats in the workers table", async () => {
    const pid = startedPid("worker");
    expect((await liveWorkers(db, 15_000)).map((w) => w.pid)).toContain(pid);
    process.kill(pid, "SIGKILL");
    await expect.poll(() => lines("worker").some((l) => l.includes("exited unexpectedly (signal SIGKILL)")), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => lines("worker").some((l) => /restarted \(pid \d+, restart 1\)/.test(l)), { timeout: 15_000 }).toBe(true);
    const restarted = startedPid("worker");
    expect(restarted).not.toBe(pid);
    await expect.poll(async () => (await liveWorkers(db, 15_000)).some((w) => w.pid === restarted), { timeout: 60_000, interval: 500 }).toBe(true);
    await expect.poll(health, { timeout: 30_000, interval: 1_000 }).toEqual(ALL_OK);
  });

  it("restarts the serving process", async () => {
    const pid = startedPid("serving");
    process.kill(pid, "SIGKILL");
    await expect.poll(() => lines("serving").some((l) => /restarted \(pid \d+, restart 1\)/.test(l)), { timeout: 15_000 }).toBe(true);
    expect(startedPid("serving")).not.toBe(pid);
    await expect.poll(health, { timeout: 30_000, interval: 1_000 }).toEqual(ALL_OK);
  });

  it("restarts PostgreSQL on the same data: the apps reconnect, nothing is lost", async () => {
    await db.$client`create table if not exists survives (x int)`;
    await db.$client`insert into survives values (42)`;
    // `dev` runs PostgreSQL with synchronous_commit=off: the WAL writer flushes within ~0.6 s (`start` flushes every commit).
    await new Promise((r) => setTimeout(r, 1_500));
    const pid = postmasterPid(path.join(dataDir, "postgres"))!;
    process.kill(pid, "SIGKILL");
    await expect.poll(() => lines("db").some((l) => l.includes(`exited unexpectedly (postmaster pid ${pid} is gone)`)), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => lines("db").some((l) => /restarted \(pid \d+, restart 1\)/.test(l)), { timeout: 30_000 }).toBe(true);
    await expect.poll(health, { timeout: 30_000, interval: 1_000 }).toEqual(ALL_OK);
    expect(await db.$client`select x from survives`).toEqual([{ x: 42 }]);
  });

  it("restarts the Temporal dev server on the same state file", async () => {
    const pid = startedPid("temporal");
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await expect.poll(() => lines("temporal").some((l) => /restarted \(pid \d+, restart 1\)/.test(l)), { timeout: 30_000 }).toBe(true);
    await expect.poll(health, { timeout: 30_000, interval: 1_000 }).toEqual(ALL_OK);
  });

  it("stops everything in order on SIGTERM and exits 0", async () => {
    const pids = [startedPid("worker"), startedPid("serving"), startedPid("web"), postmasterPid(path.join(dataDir, "postgres"))!];
    await connection?.close();
    connection = undefined;
    await db.$client.end({ timeout: 1 });
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toMatch(/\[stack\]\s+all stopped/);
    for (const pid of pids) expect(await waitForPidExit(pid, 2_000)).toBe(true);
  });
});
