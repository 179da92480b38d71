/**
 * `temporal server start-dev` as a child process (its own process group), and
 * a readiness probe that works for any frontend (dev server or cluster).
 */
import type { ChildProcess } from "node:child_process";
import { Connection } from "@temporalio/client";
import type { TemporalConnectionOptions } from "../infra/temporal-connection";
import { spawnServer, type ExitInfo } from "./process-utils";

export interface TemporalDevServerOptions {
  cli: string;
  ip?: string;
  port: number;
  /** UI port; `false` runs headless. Default: port + 1000. */
  uiPort?: number | false;
  /** SQLite state file; omitted = in-memory (state dies with the process). */
  dbFilename?: string;
  namespaces?: string[];
  logLevel?: "debug" | "info" | "warn" | "error" | "never";
  env?: NodeJS.ProcessEnv;
  /**
   * Own process group (default true: a supervisor stops it explicitly). With
   * false it shares the caller's group, so a terminal Ctrl-C reaches it too.
   */
  detached?: boolean;
}

export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<ExitInfo>;
  stop(): Promise<void>;
}

/**
 * Pragmas for file-backed state (`npm run dev`'s .data/temporal.sqlite).
 * SQLite's defaults (rollback journal, synchronous=FULL) create, fsync and
 * delete a journal file on every transaction, and each workflow step is about
 * three: on this machine a chain of no-op activities took 62–154 ms per step
 * (p50 of separate runs; it follows disk latency) against 51–58 ms with WAL +
 * NORMAL, the same as in-memory state. WAL + NORMAL still keeps every committed
 * transaction when the server process crashes or is killed; only an OS crash
 * or power loss can drop the last few commits, and the file never corrupts.
 * In-memory state (tests, benchmarks) has no journal, so these are not passed.
 */
export const DURABLE_SQLITE_PRAGMAS = ["journal_mode=wal", "synchronous=normal"] as const;

export function temporalDevServerArgs(o: TemporalDevServerOptions): string[] {
  const args = ["server", "start-dev", "--ip", o.ip ?? "127.0.0.1", "--port", String(o.port), "--log-level", o.logLevel ?? "warn"];
  // Eager activity dispatch: an activity scheduled on the worker's own task
  // queue comes back in the workflow-task response, saving a matching round
  // trip per step (measured here: 105 → 53 ms per activity on the dev server).
  args.push("--dynamic-config-value", "system.enableActivityEagerExecution=true");
  if (o.dbFilename) args.push("--db-filename", o.dbFilename, ...DURABLE_SQLITE_PRAGMAS.flatMap((p) => ["--sqlite-pragma", p]));
  if (o.uiPort === false) args.push("--headless");
  else args.push("--ui-port", String(o.uiPort ?? o.port + 1000));
  for (const ns of o.namespaces ?? []) args.push("--namespace", ns);
  return args;
}

/** Spawns the dev server (returns at once; use waitForTemporal for readiness). */
export function spawnTemporalDevServer(o: TemporalDevServerOptions): TemporalDevServer {
  const ip = o.ip ?? "127.0.0.1";
  const { child, pid, exited, stop } = spawnServer(o.cli, temporalDevServerArgs(o), { env: o.env ?? process.env, detached: o.detached });
  return {
    address: `${ip}:${o.port}`,
    uiUrl: o.uiPort === false ? undefined : `http://${ip === "127.0.0.1" ? "localhost" : ip}:${o.uiPort ?? o.port + 1000}`,
    pid,
    child,
    exited,
    stop,
  };
}

/**
 * Resolves once the frontend at `address` answers DescribeNamespace for
 * `namespace`; retries until `timeoutMs`. `abort` (e.g. the server process
 * exiting) rejects early with its reason.
 */
export async function waitForTemporal(
  address: string,
  opts: { namespace?: string; timeoutMs?: number; abort?: Promise<string>; connection?: TemporalConnectionOptions } = {},
): Promise<void> {
  const namespace = opts.namespace ?? "default";
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let aborted: string | undefined;
  void opts.abort?.then((reason) => (aborted = reason));
  let lastError = "";
  while (Date.now() < deadline) {
    if (aborted) throw new Error(aborted);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ ...opts.connection, address, connectTimeout: 1_000 });
      await connection.withDeadline(Date.now() + 2_000, () => connection!.workflowService.describeNamespace({ namespace }));
      return;
    } catch (e) {
      lastError = String(e instanceof Error ? e.message : e).split("\n")[0] ?? "";
    } finally {
      await connection?.close().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Temporal at ${address} was not ready within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s (${lastError})`);
}
