/**
 * `npm start` and `npm run dev` — the whole stack under one supervisor:
 *
 *   [db]       embedded PostgreSQL in $CONVEYOR_DATA_DIR/postgres (unless DATABASE_URL), migrated + seeded;
 *              `start` flushes every commit, `dev` trades the last ~0.6 s of commits on a crash for speed
 *   [temporal] `temporal server start-dev`, state in $CONVEYOR_DATA_DIR/temporal.sqlite (unless TEMPORAL_ADDRESS)
 *   [worker]   workflows/temporal/worker-main.ts
 *   [serving]  server/serving/main.ts
 *   [web]      `start`: `next start` on a production build (`next build` first, reused while the
 *              sources are unchanged); `dev`: `next dev` (hot reloading)
 *
 * The supervisor restarts whatever it started when it dies — worker, serving,
 * web, PostgreSQL, the Temporal dev server — after 1 s, 2 s, 4 s … (at most
 * 30 s; a process that stayed up a minute starts over at 1 s), and says so.
 * PostgreSQL and Temporal restart on the same data and port, so the apps
 * reconnect and running workflows carry on.
 *
 * Two processes: this file first runs as a thin *launcher* that re-executes
 * itself as the *supervisor* in its own process group and forwards
 * SIGINT/SIGTERM/SIGHUP to it. So a terminal Ctrl-C reaches only the launcher
 * and the supervisor shuts things down in order (apps → Temporal → Postgres),
 * and if the launcher dies in any way (even SIGKILL) the supervisor notices the
 * closed IPC channel and still cleans up. Every app runs as its own process
 * group and is stopped with SIGTERM to the group (each drains: serving and web
 * finish in-flight requests, a worker lets running activities finish for a
 * grace period), then SIGKILL after 15 s.
 *
 * Environment: see infra/env.ts (the README's configuration table).
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
  type ExitInfo,
} from "./process-utils";
import { RestartBackoff } from "./backoff";
import { buildInputsHash } from "./build-inputs";
import { startEmbeddedPostgres } from "./postgres";
import { parseEnv } from "../infra/env";
import { temporalConnectionOptions } from "../infra/temporal-connection";
import { ensureTemporalCli } from "./temporal-cli";
import { spawnTemporalDevServer, waitForTemporal } from "./temporal-dev-server";

const SUPERVISOR_FLAG = "--supervisor";
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const APP_STOP_TIMEOUT_MS = 15_000;

type Mode = "dev" | "start";

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
  mode: Mode;
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
    mode: process.argv.includes("start") ? "start" : "dev",
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

/** A process the supervisor started and keeps alive. */
interface Running {
  pid: number;
  /** Resolves (with how it ended) when the process is gone. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

interface Service {
  name: string;
  /** Starts the process; resolves once it is up (for PostgreSQL and Temporal: ready). */
  launch(): Promise<Running>;
  running?: Running;
  backoff: RestartBackoff;
  /** Restarts so far (for the summary). */
  restarts: number;
}

const state: {
  stopping: boolean;
  stopRequestedAt: number;
  pgDataDir?: string;
  services: Map<string, Service>;
  /** Sleeps between restarts end early when stopping. */
  wake: Set<() => void>;
  /** Process group of a running `next build`. */
  build?: number;
} = { stopping: false, stopRequestedAt: 0, services: new Map(), wake: new Set() };

const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const log = (name: string, msg: string) => logLine(name, msg);
const warn = (name: string, msg: string) => logLine(name, msg, "warn");
const fail = (name: string, msg: string) => logLine(name, msg, "error");

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      state.wake.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    state.wake.add(done);
  });
}

/** Starts a service (a failure here is a startup failure) and keeps restarting it when it dies. */
async function supervise(name: string, launch: () => Promise<Running>): Promise<Running> {
  const service: Service = { name, launch, backoff: new RestartBackoff(), restarts: 0 };
  state.services.set(name, service);
  service.running = await launch();
  watch(service, Date.now());
  return service.running;
}

function watch(service: Service, since: number): void {
  const running = service.running!;
  void running.exited.then(async (how) => {
    if (state.stopping || service.running !== running) return;
    service.running = undefined;
    let delay = service.backoff.next(Date.now() - since);
    fail(service.name, `exited unexpectedly (${how}) after ${secs(since)}; restarting in ${delay / 1000} s`);
    for (;;) {
      await pause(delay);
      if (state.stopping) return;
      const t0 = Date.now();
      try {
        service.running = await service.launch();
        service.restarts++;
        log(service.name, `restarted (pid ${service.running.pid}, restart ${service.restarts}) in ${secs(t0)}`);
        watch(service, Date.now());
        return;
      } catch (e) {
        if (state.stopping) return;
        delay = service.backoff.next(0);
        fail(service.name, `restart failed: ${errorText(e)}; trying again in ${delay / 1000} s`);
      }
    }
  });
}

async function runSupervisor(): Promise<void> {
  // Terminal gone (launcher killed): don't crash on EPIPE/EIO while cleaning up.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});

  let cfg: Config;
  try {
    cfg = readConfig();
  } catch (e) {
    fail("stack", errorText(e));
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
    fail("stack", `unexpected error: ${e.stack ?? e.message}`);
    void shutdown("unexpected error", 1);
  });

  const started = Date.now();
  try {
    await preflight(cfg);
    if (state.stopping) return;
    // The production build runs while PostgreSQL and Temporal start.
    const built = cfg.mode === "start" ? ensureProductionBuild(cfg) : Promise.resolve();
    built.catch(() => {});

    // --- PostgreSQL ------------------------------------------------------
    let databaseUrl = cfg.databaseUrl;
    if (databaseUrl) {
      log("db", `using DATABASE_URL=${redact(databaseUrl)} (not starting embedded PostgreSQL)`);
    } else {
      const pgDir = path.join(cfg.dataDir, "postgres");
      state.pgDataDir = pgDir;
      const t0 = Date.now();
      log("db", `starting embedded PostgreSQL on 127.0.0.1:${cfg.pgPort} (data ${rel(cfg.root, pgDir)})…`);
      let url = "";
      await supervise("db", async () => {
        const pg = await startEmbeddedPostgres({ dataDir: pgDir, port: cfg.pgPort, durable: cfg.mode === "start" });
        url = pg.url;
        const pid = postmasterPid();
        if (!pid) throw new Error(`PostgreSQL started but ${rel(cfg.root, pgDir)}/postmaster.pid names no process`);
        return { pid, exited: pidGone(pid), stop: () => stopPostgres(pg, pid) };
      });
      databaseUrl = url;
      log("db", `ready in ${secs(t0)}: ${redact(url)}`);
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
      await waitForTemporal(temporalAddress, {
        namespace: cfg.namespace,
        timeoutMs: 60_000,
        connection: temporalConnectionOptions(parseEnv(process.env, cfg.root)),
      });
      log("temporal", "reachable");
    } else {
      const cli = await ensureTemporalCli({ log: (m) => log("temporal", m) });
      if (state.stopping) return;
      const t0 = Date.now();
      log("temporal", `starting ${cli} server start-dev on 127.0.0.1:${cfg.temporalPort}…`);
      await supervise("temporal", async () => {
        const server = spawnTemporalDevServer({
          cli,
          port: cfg.temporalPort,
          uiPort: cfg.temporalUiPort,
          dbFilename: path.join(cfg.dataDir, "temporal.sqlite"),
          namespaces: cfg.namespace === "default" ? [] : [cfg.namespace],
          logLevel: "warn",
        });
        log("temporal", `started (pid ${server.pid}): ${path.basename(cli)} server start-dev`);
        // While stopping, the dev server warns about its own internal pollers losing the frontend: noise.
        pipeLines("temporal", server.child, (line) => !(state.stopping && line.includes("level=WARN")));
        const exited = server.exited.then(exitText);
        try {
          await waitForTemporal(server.address, {
            namespace: cfg.namespace,
            timeoutMs: 90_000,
            abort: exited.then((how) => `the Temporal dev server exited during startup (${how})`),
          });
        } catch (e) {
          await stopGroup(server.pid, { timeoutMs: 5_000 });
          throw e;
        }
        temporalAddress = server.address;
        temporalUi = server.uiUrl;
        return { pid: server.pid, exited, stop: () => stopGroup(server.pid, { timeoutMs: 10_000 }).then(() => undefined) };
      });
      log("temporal", `ready in ${secs(t0)}: ${temporalAddress}, UI ${temporalUi}`);
    }
    if (state.stopping) return;

    // --- Apps ------------------------------------------------------------
    fs.mkdirSync(cfg.artifactDir, { recursive: true });
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: cfg.mode === "start" ? "production" : "development",
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
      // A person watching a terminal reads one short line per log entry; piped (a file, a log collector), JSON.
      ...(process.stdout.isTTY && !process.env.LOG_FORMAT ? { LOG_FORMAT: "pretty" } : {}),
    };
    // One node process per app (tsx as a loader, not the tsx CLI's parent + child), so its pid is the app's.
    const tsNode = [process.execPath, "--import", "tsx"];
    const next = path.join(cfg.root, "node_modules", ".bin", "next");
    await startApp(cfg, "worker", tsNode, ["workflows/temporal/worker-main.ts"], childEnv);
    await startApp(cfg, "serving", tsNode, ["server/serving/main.ts"], childEnv);
    if (cfg.mode === "start") {
      await built;
      if (state.stopping) return;
      await startApp(cfg, "web", [next], ["start", "-p", String(cfg.webPort)], childEnv);
    } else {
      await startApp(cfg, "web", [next], ["dev", "-p", String(cfg.webPort)], childEnv);
    }

    log(
      "stack",
      [
        paint(1, `${cfg.mode === "start" ? "production" : "development"} stack up in ${secs(started)} — Ctrl-C stops everything`),
        `  web      http://localhost:${cfg.webPort}   (health: http://localhost:${cfg.webPort}/api/health)`,
        `  serving  ${cfg.servingUrl}`,
        `  temporal ${temporalAddress}${temporalUi ? `   (UI ${temporalUi})` : ""}`,
        `  postgres ${redact(databaseUrl)}`,
        `  data     ${rel(cfg.root, cfg.dataDir)}`,
      ].join("\n"),
    );
  } catch (e) {
    if (state.stopping) return;
    fail("stack", `startup failed: ${errorText(e)}`);
    await shutdown("startup failed", 1);
  }
}

async function preflight(cfg: Config): Promise<void> {
  if (cfg.reset) {
    for (const dir of [cfg.dataDir, ...(cfg.mode === "dev" ? [cfg.distDir] : [])]) {
      if (!fs.existsSync(dir)) continue;
      const forbidden = [path.parse(dir).root, cfg.root, os.homedir()];
      if (forbidden.includes(dir)) throw new Error(`refusing to reset ${dir}`);
      // The dist dir too (dev): Turbopack's dev cache of an older checkout (files since moved) makes pages reload forever.
      log("stack", `CONVEYOR_RESET_DATA=1: deleting ${rel(cfg.root, dir)}`);
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
    throw new Error(`port${busy.length > 1 ? "s" : ""} already in use: ${busy.join(", ")} — is another Conveyor stack still running?`);
  }
}

// ---------------------------------------------------------------------------
// The production build: `next build` once, reused while the sources are unchanged

async function ensureProductionBuild(cfg: Config): Promise<void> {
  const stampFile = path.join(cfg.distDir, "conveyor-build.json");
  const hash = buildInputsHash(cfg.root);
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8")) as { inputs: string; builtAt: string };
    if (stamp.inputs === hash && fs.existsSync(path.join(cfg.distDir, "BUILD_ID"))) {
      log("build", `reusing the production build in ${rel(cfg.root, cfg.distDir)} (sources unchanged since ${stamp.builtAt})`);
      return;
    }
  } catch {
    /* no build yet */
  }
  const t0 = Date.now();
  log("build", `next build (${fs.existsSync(stampFile) ? "the sources changed" : "no production build yet"}; once, then reused)…`);
  // The container image's build step (Dockerfile), so `npm start` and the e2e suite build the app as the image does.
  const proc = spawnGroup("bash", [path.join(cfg.root, "scripts", "build-image-steps.sh"), "build"], {
    cwd: cfg.root,
    env: { ...process.env, NEXT_DIST_DIR: path.relative(cfg.root, cfg.distDir) },
  });
  state.build = proc.pid;
  pipeLines("build", proc.child);
  const info = await proc.exited;
  state.build = undefined;
  if (state.stopping) return;
  if (info.code !== 0) throw new Error(`next build failed (${exitText(info)}); see the [build] lines above`);
  // Hashed again after the build: `next build` may rewrite tsconfig.json.
  fs.writeFileSync(stampFile, JSON.stringify({ inputs: buildInputsHash(cfg.root), builtAt: new Date().toISOString() }, null, 2));
  log("build", `done in ${secs(t0)}`);
}

// ---------------------------------------------------------------------------
// Apps

async function startApp(cfg: Config, name: "worker" | "serving" | "web", command: string[], args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (state.stopping) return;
  const [bin, ...pre] = command as [string, ...string[]];
  if (!fs.existsSync(bin)) throw new Error(`${name}: ${rel(cfg.root, bin)} is missing — run \`npm install\``);
  await supervise(name, async () => {
    const proc = spawnGroup(bin, [...pre, ...args], { cwd: cfg.root, env, stdio: ["ignore", "pipe", "pipe"] });
    if (proc.pid < 0) throw new Error(`could not start ${bin}: ${exitText(await proc.exited)}`);
    pipeLines(name, proc.child);
    log(name, `started (pid ${proc.pid}): ${path.basename(bin)} ${[...pre, ...args].join(" ")}`);
    const exited = proc.exited.then(async (info) => {
      // Whatever the app forked goes with it, so a restart finds its port free.
      await stopGroup(proc.pid, { signal: "SIGKILL", timeoutMs: 2_000 });
      return exitText(info);
    });
    return {
      pid: proc.pid,
      exited,
      async stop() {
        const how = await stopGroup(proc.pid, { signal: "SIGTERM", timeoutMs: APP_STOP_TIMEOUT_MS });
        if (how === "killed") warn(name, `did not stop within ${APP_STOP_TIMEOUT_MS / 1000} s; killed`);
        else if (how === "graceful") log(name, "stopped");
      },
    };
  });
}

// ---------------------------------------------------------------------------
// PostgreSQL

/** Resolves when `pid` is gone (polled each half second). */
function pidGone(pid: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ESRCH") return;
        clearInterval(timer);
        resolve(`postmaster pid ${pid} is gone`);
      }
    }, 500);
    timer.unref();
  });
}

async function stopPostgres(pg: { stop(): Promise<void> }, pid: number): Promise<void> {
  const t0 = Date.now();
  const stopped = await Promise.race([pg.stop().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
  if (stopped) {
    log("db", `stopped (${secs(t0)})`);
    return;
  }
  warn("db", `PostgreSQL did not stop within 15 s; sending SIGQUIT to ${pid}`);
  try {
    process.kill(pid, "SIGQUIT");
  } catch {
    /* gone */
  }
  await waitForPidExit(pid, 5_000);
}

// ---------------------------------------------------------------------------
// Shutdown

async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (state.stopping) {
    warn("stack", `second stop request (${reason}): killing everything now`);
    forceKillAll();
    process.exit(exitCode || 130);
  }
  state.stopping = true;
  state.stopRequestedAt = Date.now();
  for (const wake of [...state.wake]) wake();
  log("stack", `stopping (${reason})…`);
  if (state.build) await stopGroup(state.build, { timeoutMs: 5_000 });

  const stop = async (names: string[]) =>
    Promise.all(
      names.map(async (name) => {
        const running = state.services.get(name)?.running;
        if (running) await running.stop().catch((e: unknown) => warn(name, `stop failed: ${errorText(e)}`));
      }),
    );
  await stop(["web", "serving", "worker"]);
  await stop(["temporal"]);
  if (state.services.get("temporal")?.running) log("temporal", "stopped");
  await stop(["db"]);
  log("stack", "all stopped");
  process.exit(exitCode);
}

function forceKillAll(): void {
  if (state.build) signalGroup(state.build, "SIGKILL");
  for (const [name, service] of state.services) {
    if (name !== "db" && service.running) signalGroup(service.running.pid, "SIGKILL");
  }
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
  if (state.build && groupAlive(state.build)) signalGroup(state.build, "SIGKILL");
  for (const [name, service] of state.services) {
    if (name !== "db" && service.running && groupAlive(service.running.pid)) signalGroup(service.running.pid, "SIGKILL");
  }
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

function exitText(info: ExitInfo): string {
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
