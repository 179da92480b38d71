/**
 * Small process helpers shared by the supervisor (scripts/stack.ts) and the
 * integration-test services (scripts/test-services.ts): prefixed coloured
 * log lines, process-group spawning and killing, port checks.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import type { Readable } from "node:stream";

// ---------------------------------------------------------------------------
// Prefixed, coloured log lines

const COLORS: Record<string, number> = {
  stack: 1, // bold
  build: 90, // grey
  db: 34, // blue
  temporal: 35, // magenta
  worker: 33, // yellow
  serving: 36, // cyan
  web: 32, // green
  s3: 94, // bright blue
};
const PREFIX_WIDTH = "[temporal]".length;

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY);
}

export function paint(code: number, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? `\x1b[${code}m${text}\x1b[0m` : text;
}

export function prefix(name: string, stream: NodeJS.WriteStream = process.stdout): string {
  const tag = `[${name}]`.padEnd(PREFIX_WIDTH);
  return paint(COLORS[name] ?? 37, tag, stream);
}

export type Level = "info" | "warn" | "error";

/** One line under a service prefix; warnings yellow, errors red and bold. */
export function logLine(name: string, message: string, level: Level = "info"): void {
  const stream = level === "info" ? process.stdout : process.stderr;
  for (const line of message.split("\n")) {
    const body = level === "error" ? paint(91, line, stream) : level === "warn" ? paint(93, line, stream) : line;
    stream.write(`${prefix(name, stream)} ${body}\n`);
  }
}

/** Pipes a child's stdout/stderr line by line under `[name]`; `keep` can drop lines. */
export function pipeLines(name: string, child: ChildProcess, keep?: (line: string, stream: "stdout" | "stderr") => boolean): void {
  const attach = (readable: Readable | null, kind: "stdout" | "stderr") => {
    if (!readable) return;
    const out = kind === "stdout" ? process.stdout : process.stderr;
    const rl = readline.createInterface({ input: readable, crlfDelay: Infinity });
    rl.on("line", (line) => {
      if (keep && !keep(line, kind)) return;
      out.write(`${prefix(name, out)} ${line}\n`);
    });
  };
  attach(child.stdout, "stdout");
  attach(child.stderr, "stderr");
}

// ---------------------------------------------------------------------------
// Process groups

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupChild {
  child: ChildProcess;
  pid: number;
  exited: Promise<ExitInfo>;
}

/**
 * Spawns `command` as the leader of a new process group (detached), so that
 * it and everything it forks can be signalled together with kill(-pgid).
 */
export function spawnGroup(command: string, args: string[], opts: SpawnOptions = {}): GroupChild {
  const child = spawn(command, args, { ...opts, detached: true, stdio: opts.stdio ?? ["ignore", "pipe", "pipe"] });
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: child.exitCode ?? 127, signal: null }));
  });
  if (child.pid === undefined) {
    // spawn failed synchronously (ENOENT etc.); the 'error' event resolves `exited`.
    return { child, pid: -1, exited };
  }
  return { child, pid: child.pid, exited };
}

/** Spawns a plain child (same process group as the caller). */
export function spawnChild(command: string, args: string[], opts: SpawnOptions = {}): GroupChild {
  const child = spawn(command, args, { ...opts, stdio: opts.stdio ?? ["ignore", "pipe", "pipe"] });
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: child.exitCode ?? 127, signal: null }));
  });
  return { child, pid: child.pid ?? -1, exited };
}

export interface ServerChild extends GroupChild {
  /** SIGTERM (to the group when detached), then SIGKILL after 10 s. */
  stop: () => Promise<void>;
}

/**
 * Spawns a server (the Temporal dev server, SeaweedFS): in its own process
 * group (`detached`, default: a supervisor stops it explicitly) or in the
 * caller's (a terminal Ctrl-C reaches it too).
 */
export function spawnServer(command: string, args: string[], opts: SpawnOptions & { detached?: boolean } = {}): ServerChild {
  const { detached = true, ...spawnOpts } = opts;
  const started = detached ? spawnGroup(command, args, spawnOpts) : spawnChild(command, args, spawnOpts);
  return {
    ...started,
    async stop() {
      if (detached) await stopGroup(started.pid, { signal: "SIGTERM", timeoutMs: 10_000 });
      else await stopPid(started.pid, { signal: "SIGTERM", timeoutMs: 10_000 });
    },
  };
}

/** Stops one process: `signal`, then SIGKILL after `timeoutMs`. */
export async function stopPid(pid: number, opts: { signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<"graceful" | "killed" | "not-running"> {
  if (pid <= 0) return "not-running";
  try {
    process.kill(pid, opts.signal ?? "SIGTERM");
  } catch {
    return "not-running";
  }
  if (await waitForPidExit(pid, opts.timeoutMs ?? 10_000)) return "graceful";
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone */
  }
  await waitForPidExit(pid, 2_000);
  return "killed";
}

/** True while any process of group `pgid` (the leader included) still exists. */
export function groupAlive(pgid: number): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 0) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops a process group: `signal` (SIGTERM) to the whole group, waits up to
 * `timeoutMs` for every member to exit, then SIGKILL to whatever is left.
 * Returns "graceful" or "killed".
 */
export async function stopGroup(pgid: number, opts: { signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<"graceful" | "killed" | "not-running"> {
  if (!groupAlive(pgid)) return "not-running";
  signalGroup(pgid, opts.signal ?? "SIGTERM");
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return "graceful";
    await sleep(50);
  }
  signalGroup(pgid, "SIGKILL");
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await sleep(50);
  return "killed";
}

/** Waits until `pid` is gone (polling), up to `timeoutMs`. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") return true;
    }
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------
// Ports

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True if something already accepts connections on host:port. */
export function portInUse(port: number, host = "127.0.0.1", timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (inUse: boolean) => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The postmaster's PID from `<dataDir>/postmaster.pid`, if the server is running. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
