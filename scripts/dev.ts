/**
 * `npm run dev` — the local stack under one supervisor:
 *
 *   [db]       embedded PostgreSQL in $CONVEYOR_DATA_DIR/postgres (unless DATABASE_URL), migrated + seeded
 *   [temporal] `temporal server start-dev`, state in $CONVEYOR_DATA_DIR/temporal.sqlite (unless TEMPORAL_ADDRESS)
 *   [worker]   tsx workflows/temporal/worker-main.ts
 *   [serving]  tsx server/serving/main.ts
 *   [web]      next dev -p $WEB_PORT
 *
 * Two processes: this file first runs as a thin *launcher* that re-executes
 * itself as the *supervisor* in its own process group and forwards
 * SIGINT/SIGTERM/SIGHUP to it. So a terminal Ctrl-C reaches only the launcher
 * and the supervisor shuts things down in order (apps → Temporal → Postgres),
 * and if the launcher dies in any way (even SIGKILL) the supervisor notices the
 * closed IPC channel and still cleans up. Every app runs as its own process
 * group and is stopped with SIGTERM to the group, then SIGKILL after 10 s.
 *
 * Environment (all optional):
 *   CONVEYOR_DATA_DIR   data directory (default .data)
 *   CONVEYOR_RESET_DATA=1  delete the data directory first (used by e2e)
 *   POSTGRES_PORT (5433) TEMPORAL_PORT (7233) TEMPORAL_UI_PORT (TEMPORAL_PORT+1000)
 *   WEB_PORT (3000) SERVING_PORT (8080)
 *   DATABASE_URL, TEMPORAL_ADDRESS  use existing services instead of starting them
 *   TEMPORAL_NAMESPACE (default) TEMPORAL_TASK_QUEUE (conveyor-pipelines) ARTIFACT_DIR SERVING_URL
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  groupAlive,
  logLine,
  paint,
  pipeLines,
  portInUse,
  postmasterPid as postmasterPidOf,
  signalGroup,
  spawnGroup,
  stopGroup,
  waitForPidExit,
  type GroupChild,
} from "./process-utils";
import { startEmbeddedPostgres } from "./postgres";
import { parseEnv } from "../infra/env";
import { ensureTemporalCli } from "./temporal-cli";
import { spawnTemporalDevServer, waitForTemporal, type TemporalDevServer } from "./temporal-dev-server";

const SUPERVISOR_FLAG = "--supervisor";
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

// ---------------------------------------------------------------------------
// Launcher

function runLauncher(): void {
  const self = fileURLToPath(import.meta.url);
  // Keep tsx's loader but not its preflight: the preflight would report the
  // supervisor's signals to the `tsx` CLI process, which is the launcher's business.
  const execArgv = process.execArgv.filter(
    (arg, i, all) => !/preflight\.c?js$/.test(arg) && !(arg === "--require" && /preflight\.c?js$/.test(all[i + 1] ?? "")),
  );
  const child = spawn(process.execPath, [...execArgv, self, SUPERVISOR_FLAG, ...process.argv.slice(2)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    detached: true,
  });
  for (const sig of FORWARDED_SIGNALS) {
    process.on(sig, () => {
      try {
        child.kill(sig);
      } catch {
        /* gone */
      }
    });
  }
  child.on("exit", (code, signal) => {
    process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1));
  });
}

// ---------------------------------------------------------------------------
// Supervisor

interface Config {
  root: string;
  dataDir: string;
  distDir: string;
  reset: boolean;
  pgPort: number;
  temporalPort: number;
  temporalUiPort: number;
  webPort: number;
  servingPort: number;
  databaseUrl?: string;
  temporalAddress?: string;
  namespace: string;
  taskQueue: string;
  artifactDir: string;
  servingUrl: string;
}

function readConfig(): Config {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const e = parseEnv(process.env, root);
  const dataDir = path.resolve(root, e.CONVEYOR_DATA_DIR);
  return {
    root,
    dataDir,
    distDir: path.resolve(root, e.NEXT_DIST_DIR),
    reset: e.CONVEYOR_RESET_DATA === "1",
    pgPort: e.POSTGRES_PORT,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.temporalUiPort,
    webPort: e.WEB_PORT,
    servingPort: e.SERVING_PORT,
    databaseUrl: e.DATABASE_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    artifactDir: e.ARTIFACT_DIR ? path.resolve(root, e.ARTIFACT_DIR) : path.join(dataDir, "artifacts"),
    servingUrl: e.servingUrl,
  };
}

interface App {
  name: "worker" | "serving" | "web";
  proc: GroupChild;
}

const state: {
  stopping: boolean;
  stopRequestedAt: number;
  pg?: { stop(): Promise<void> };
  pgStarting?: Promise<unknown>;
  pgDataDir?: string;
  temporal?: TemporalDevServer;
  apps: App[];
} = { stopping: false, stopRequestedAt: 0, apps: [] };

const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const log = (name: string, msg: string) => logLine(name, msg);
const warn = (name: string, msg: string) => logLine(name, msg, "warn");
const fail = (name: string, msg: string) => logLine(name, msg, "error");

async function runSupervisor(): Promise<void> {
  // Terminal gone (launcher killed): don't crash on EPIPE/EIO while cleaning up.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});

  let cfg: Config;
  try {
    cfg = readConfig();
  } catch (e) {
    fail("dev", errorText(e));
    process.exit(1);
  }

  const { migrateAndSeed } = await import("../db/migrate");

  for (const sig of FORWARDED_SIGNALS) {
    process.on(sig, () => {
      // One Ctrl-C often arrives several times within milliseconds (terminal, npm,
      // tsx and the launcher all relay it). Only a repeat after a second forces.
      if (state.stopping && Date.now() - state.stopRequestedAt < 1_000) return;
      void shutdown(`${sig} received`, sig === "SIGHUP" ? 129 : 0);
    });
  }
  // The launcher holds the other end of the IPC channel; if it dies, so do we.
  process.on("disconnect", () => {
    if (!state.stopping) void shutdown("the launcher exited", 1);
  });
  process.on("exit", lastResortCleanup);
  process.on("uncaughtException", (e) => {
    fail("dev", `unexpected error: ${e.stack ?? e.message}`);
    void shutdown("unexpected error", 1);
  });

  const started = Date.now();
  try {
    await preflight(cfg);
    if (state.stopping) return;

    // --- PostgreSQL ------------------------------------------------------
    let databaseUrl = cfg.databaseUrl;
    if (databaseUrl) {
      log("db", `using DATABASE_URL=${redact(databaseUrl)} (not starting embedded PostgreSQL)`);
    } else {
      const pgDir = path.join(cfg.dataDir, "postgres");
      state.pgDataDir = pgDir;
      const t0 = Date.now();
      log("db", `starting embedded PostgreSQL on 127.0.0.1:${cfg.pgPort} (data ${rel(cfg.root, pgDir)})…`);
      const starting = startEmbeddedPostgres({ dataDir: pgDir, port: cfg.pgPort });
      // Set before anything else awaits it, so a shutdown during startup still stops it.
      state.pgStarting = starting.then(
        (running) => void (state.pg = running),
        () => undefined,
      );
      const pg = await starting;
      databaseUrl = pg.url;
      log("db", `ready in ${secs(t0)}: ${redact(pg.url)}`);
    }
    if (state.stopping) return;
    const tm = Date.now();
    await migrateAndSeed(databaseUrl);
    log("db", `migrations applied, local team seeded (${secs(tm)})`);
    if (state.stopping) return;

    // --- Temporal --------------------------------------------------------
    let temporalAddress = cfg.temporalAddress;
    let temporalUi: string | undefined;
    if (temporalAddress) {
      log("temporal", `using TEMPORAL_ADDRESS=${temporalAddress} (not starting a dev server); waiting for namespace ${cfg.namespace}…`);
      await waitForTemporal(temporalAddress, { namespace: cfg.namespace, timeoutMs: 60_000 });
      log("temporal", "reachable");
    } else {
      const cli = await ensureTemporalCli({ log: (m) => log("temporal", m) });
      if (state.stopping) return;
      const t0 = Date.now();
      const server = spawnTemporalDevServer({
        cli,
        port: cfg.temporalPort,
        uiPort: cfg.temporalUiPort,
        dbFilename: path.join(cfg.dataDir, "temporal.sqlite"),
        namespaces: cfg.namespace === "default" ? [] : [cfg.namespace],
        logLevel: "warn",
      });
      state.temporal = server;
      // While stopping, the dev server warns about its own internal pollers losing the frontend: noise.
      pipeLines("temporal", server.child, (line) => !(state.stopping && line.includes("level=WARN")));
      void server.exited.then((info) => {
        if (state.stopping) return;
        fail("temporal", `the Temporal dev server exited unexpectedly (${exitText(info)}); stopping everything.`);
        void shutdown("Temporal exited", 1);
      });
      log("temporal", `starting ${cli} server start-dev on ${server.address}…`);
      await waitForTemporal(server.address, {
        namespace: cfg.namespace,
        timeoutMs: 90_000,
        abort: server.exited.then((info) => `the Temporal dev server exited during startup (${exitText(info)})`),
      });
      temporalAddress = server.address;
      temporalUi = server.uiUrl;
      log("temporal", `ready in ${secs(t0)}: ${temporalAddress}, UI ${temporalUi}`);
    }
    if (state.stopping) return;

    // --- Apps ------------------------------------------------------------
    fs.mkdirSync(cfg.artifactDir, { recursive: true });
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: cfg.namespace,
      TEMPORAL_TASK_QUEUE: cfg.taskQueue,
      ARTIFACT_DIR: cfg.artifactDir,
      SERVING_PORT: String(cfg.servingPort),
      SERVING_URL: cfg.servingUrl,
      WEB_PORT: String(cfg.webPort),
      CONVEYOR_DATA_DIR: cfg.dataDir,
      NEXT_TELEMETRY_DISABLED: "1",
      ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: process.env.FORCE_COLOR ?? "1" } : {}),
    };
    const tsx = path.join(cfg.root, "node_modules", ".bin", "tsx");
    const next = path.join(cfg.root, "node_modules", ".bin", "next");
    startApp(cfg, "worker", tsx, ["workflows/temporal/worker-main.ts"], "workflows/temporal/worker-main.ts", childEnv);
    startApp(cfg, "serving", tsx, ["server/serving/main.ts"], "server/serving/main.ts", childEnv);
    startApp(cfg, "web", next, ["dev", "-p", String(cfg.webPort)], "app", childEnv);

    log(
      "dev",
      [
        paint(1, `stack up in ${secs(started)} — Ctrl-C stops everything`),
        `  web      http://localhost:${cfg.webPort}   (health: http://localhost:${cfg.webPort}/api/health)`,
        `  serving  ${cfg.servingUrl}`,
        `  temporal ${temporalAddress}${temporalUi ? `   (UI ${temporalUi})` : ""}`,
        `  postgres ${redact(databaseUrl)}`,
        `  data     ${rel(cfg.root, cfg.dataDir)}`,
      ].join("\n"),
    );
  } catch (e) {
    if (state.stopping) return;
    fail("dev", `startup failed: ${errorText(e)}`);
    await shutdown("startup failed", 1);
  }
}

async function preflight(cfg: Config): Promise<void> {
  if (cfg.reset) {
    for (const dir of [cfg.dataDir, cfg.distDir]) {
      if (!fs.existsSync(dir)) continue;
      const forbidden = [path.parse(dir).root, cfg.root, os.homedir()];
      if (forbidden.includes(dir)) throw new Error(`refusing to reset ${dir}`);
      // The dist dir too: Turbopack's dev cache of an older checkout (files since moved) makes pages reload forever.
      log("dev", `CONVEYOR_RESET_DATA=1: deleting ${rel(cfg.root, dir)}`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  fs.mkdirSync(cfg.dataDir, { recursive: true, mode: 0o755 });

  const wanted: Array<[number, string, string]> = [];
  if (!cfg.databaseUrl) wanted.push([cfg.pgPort, "PostgreSQL", "POSTGRES_PORT"]);
  if (!cfg.temporalAddress) {
    wanted.push([cfg.temporalPort, "Temporal", "TEMPORAL_PORT"]);
    wanted.push([cfg.temporalUiPort, "the Temporal UI", "TEMPORAL_UI_PORT"]);
  }
  wanted.push([cfg.servingPort, "serving", "SERVING_PORT"]);
  wanted.push([cfg.webPort, "web", "WEB_PORT"]);
  const busy = [];
  for (const [port, what, variable] of wanted) {
    if (await portInUse(port)) busy.push(`${port} (${what}; set ${variable} to use another)`);
  }
  if (busy.length) {
    throw new Error(`port${busy.length > 1 ? "s" : ""} already in use: ${busy.join(", ")} — is another \`npm run dev\` still running?`);
  }
}

function startApp(cfg: Config, name: App["name"], command: string, args: string[], entry: string, env: NodeJS.ProcessEnv): void {
  if (state.stopping) return;
  if (!fs.existsSync(path.join(cfg.root, entry))) {
    warn(name, `not started: ${entry} does not exist yet.`);
    return;
  }
  if (!fs.existsSync(command)) {
    fail(name, `not started: ${rel(cfg.root, command)} is missing — run \`npm install\`.`);
    return;
  }
  const proc = spawnGroup(command, args, { cwd: cfg.root, env, stdio: ["ignore", "pipe", "pipe"] });
  pipeLines(name, proc.child);
  state.apps.push({ name, proc });
  log(name, `started (pid ${proc.pid}): ${path.basename(command)} ${args.join(" ")}`);
  void proc.exited.then((info) => {
    if (state.stopping) return;
    fail(
      name,
      `!!! ${name} exited unexpectedly (${exitText(info)}). It is NOT restarted; the rest of the stack keeps running. Fix the error above and restart \`npm run dev\`.`,
    );
  });
}

async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (state.stopping) {
    warn("dev", `second stop request (${reason}): killing everything now`);
    forceKillAll();
    process.exit(exitCode || 130);
  }
  state.stopping = true;
  state.stopRequestedAt = Date.now();
  log("dev", `stopping (${reason})…`);

  await Promise.all(
    state.apps.map(async ({ name, proc }) => {
      const how = await stopGroup(proc.pid, { signal: "SIGTERM", timeoutMs: 10_000 });
      if (how === "killed") warn(name, "did not stop within 10 s; killed");
      else if (how === "graceful") log(name, "stopped");
    }),
  );

  if (state.temporal) {
    const how = await stopGroup(state.temporal.pid, { signal: "SIGTERM", timeoutMs: 10_000 });
    if (how === "killed") warn("temporal", "did not stop within 10 s; killed");
    else log("temporal", "stopped");
  }

  if (state.pgStarting) await Promise.race([state.pgStarting, new Promise((r) => setTimeout(r, 30_000))]);
  if (state.pg) {
    const t0 = Date.now();
    const stopped = await Promise.race([state.pg.stop().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
    if (!stopped) {
      const pid = postmasterPid();
      warn("db", `PostgreSQL did not stop within 15 s${pid ? `; sending SIGQUIT to ${pid}` : ""}`);
      if (pid) {
        try {
          process.kill(pid, "SIGQUIT");
        } catch {
          /* gone */
        }
        await waitForPidExit(pid, 5_000);
      }
    } else {
      log("db", `stopped (${secs(t0)})`);
    }
  }
  log("dev", "all stopped");
  process.exit(exitCode);
}

function forceKillAll(): void {
  for (const { proc } of state.apps) signalGroup(proc.pid, "SIGKILL");
  if (state.temporal) signalGroup(state.temporal.pid, "SIGKILL");
  const pid = postmasterPid();
  if (pid) {
    try {
      process.kill(pid, "SIGQUIT");
    } catch {
      /* gone */
    }
  }
}

/** Synchronous, from process 'exit': nothing we started may outlive us. */
function lastResortCleanup(): void {
  for (const { proc } of state.apps) if (groupAlive(proc.pid)) signalGroup(proc.pid, "SIGKILL");
  if (state.temporal && groupAlive(state.temporal.pid)) signalGroup(state.temporal.pid, "SIGKILL");
  const pid = postmasterPid();
  if (pid) {
    try {
      process.kill(pid, "SIGINT"); // fast shutdown; it finishes on its own
    } catch {
      /* gone */
    }
  }
}

function postmasterPid(): number | undefined {
  return state.pgDataDir ? postmasterPidOf(state.pgDataDir) : undefined;
}

function exitText(info: { code: number | null; signal: string | null }): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, "//$1:***@");
}

function rel(root: string, p: string): string {
  const r = path.relative(root, p);
  return r && !r.startsWith("..") ? r : p;
}

// Last, so every module-level const above is initialised first.
if (!process.argv.includes(SUPERVISOR_FLAG)) runLauncher();
else await runSupervisor();
