/**
 * `conveyor migrate | worker | serving | web` through the repository's bin, as
 * an operator runs them on separate machines: real processes against the
 * integration PostgreSQL and Temporal, configured only by environment.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../db/client";
import { liveWorkers } from "../db/queries/workers";
import { freePort } from "../scripts/process-utils";
import { testEnv } from "../testing/env";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "cli", "bin", "conveyor.mjs");

function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, exited, output: () => out };
}

async function until(ok: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("conveyor's process commands", () => {
  let db: Db;
  let env: Record<string, string>;

  beforeAll(() => {
    const t = testEnv();
    env = { DATABASE_URL: t.DATABASE_URL, TEMPORAL_ADDRESS: t.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: t.TEMPORAL_NAMESPACE, ARTIFACT_DIR: t.ARTIFACT_DIR };
    db = createDb(t.DATABASE_URL, { max: 1 });
  });
  afterAll(async () => {
    await db.$client.end();
  });

  it("migrate applies the migrations and exits 0", () => {
    const r = spawnSync(process.execPath, [bin, "migrate"], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("migrations applied\n");
    expect(r.status).toBe(0);
  });

  it("worker polls the queues it is given, beats, and stops cleanly on SIGTERM", async () => {
    const taskQueue = `cli-worker-${Date.now().toString(36)}`;
    const w = start(["worker"], { ...env, TEMPORAL_TASK_QUEUE: taskQueue, CONVEYOR_WORKER_QUEUES: "heavy" });
    await until(async () => (await liveWorkers(db, 15_000)).some((x) => x.taskQueues.includes(`${taskQueue}-heavy`)), 90_000, "the worker's first beat");
    const [row] = (await liveWorkers(db, 15_000)).filter((x) => x.taskQueues.includes(`${taskQueue}-heavy`));
    expect(row!.taskQueues).toEqual([`${taskQueue}-heavy`]);
    expect(row!.pid).toBe(w.child.pid);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
    expect((await liveWorkers(db, 15_000)).some((x) => x.identity === row!.identity)).toBe(false);
  });

  it("serving answers on SERVING_PORT and drains on SIGTERM", async () => {
    const port = await freePort();
    const s = start(["serving"], { ...env, SERVING_PORT: String(port) });
    await until(
      () =>
        fetch(`http://127.0.0.1:${port}/v2/health/live`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      "serving",
    );
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
  });

  it("web refuses to start without a production build, saying what to run", async () => {
    const distDir = fs.mkdtempSync(path.join(os.tmpdir(), "no-build-"));
    const w = start(["web"], { ...env, NEXT_DIST_DIR: distDir });
    expect(await w.exited).toBe(1);
    expect(w.output()).toBe(`no production build in ${distDir}: run \`npm run build\` first (\`npm start\` builds by itself)\n`);
  });

  it("bad configuration or arguments stop a process with a message naming them", async () => {
    const bad = start(["worker"], { ...env, CONVEYOR_WORKER_QUEUES: "light,gpu" });
    expect(await bad.exited).not.toBe(0);
    expect(bad.output()).toContain('CONVEYOR_WORKER_QUEUES="light,gpu": a comma-separated list of "light" and "heavy"');
    const extra = start(["serving", "--port", "9"], env);
    expect(await extra.exited).toBe(2);
    expect(extra.output()).toBe("conveyor serving takes no arguments (got --port 9); configure it with environment variables\n");
  });
});
