/**
 * The product's own entry points as child processes, for integration tests
 * that need real process boundaries (a killed worker, a serving process that
 * shares no directory with the worker): `node --import tsx <entry>` (Node
 * itself with tsx's loader, not the tsx CLI, which would be a second process
 * relaying signals).
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface NodeProcess {
  child: ChildProcess;
  exited: Promise<void>;
  /** Its last lines of output, for failure messages. */
  tail: string[];
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `entry` (a path from the repository root) and resolves once a line of its output passes `ready`. */
export async function startNodeProcess(
  entry: string,
  opts: { env: NodeJS.ProcessEnv; ready: (line: string) => boolean; timeoutMs?: number },
): Promise<NodeProcess> {
  // Readiness is read from the process's info lines ("listening on", "worker … polling"): never log above info (the harness quiets its own process to warn).
  const env = ["warn", "error", "fatal", "silent"].includes(opts.env.LOG_LEVEL ?? "") ? { ...opts.env, LOG_LEVEL: "info" } : opts.env;
  const child = spawn(process.execPath, ["--import", "tsx", entry], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const tail: string[] = [];
  const timeoutMs = opts.timeoutMs ?? 90_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} (pid ${child.pid}) did not start in ${timeoutMs / 1000} s:\n${tail.join("\n")}`)), timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on("line", (line) => {
        tail.push(line);
        tail.splice(0, Math.max(0, tail.length - 20));
        if (opts.ready(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited during startup:\n${tail.join("\n")}`));
    });
  });
  return {
    child,
    exited,
    tail,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
