/**
 * GET /api/health: is every process of the stack (docs/architecture.md) up?
 *
 *   db        `select 1` on the process's pool
 *   temporal  DescribeNamespace on the configured namespace
 *   worker    live workers (beat in the `workers` table within 15 s) poll the
 *             pipeline task queue and its heavy queue (Temporal's own poller
 *             list keeps a dead worker for about two minutes)
 *   serving   GET {SERVING_URL}/v2/health/ready answers 200
 *
 * Each value is "ok" or a sentence saying why not. Checks run in parallel,
 * each bounded by a short timeout, so the endpoint answers within ~2 s even
 * when something hangs.
 */
import type { Client } from "@temporalio/client";
import { getDb, type Db } from "../../../db/client";
import { liveWorkers } from "../../../db/queries/workers";
import { heavyTaskQueue } from "../../../workflows/temporal/contracts";
import { WORKER_DEAD_AFTER_MS } from "../../../workflows/temporal/worker";
import { env } from "../../../infra/env";
import { temporalClient } from "../../temporal";

export interface HealthReport {
  db: string;
  temporal: string;
  worker: string;
  serving: string;
}

export interface CheckHealthOptions {
  db?: Db;
  temporal?: () => Promise<Client>;
  namespace?: string;
  taskQueue?: string;
  servingUrl?: string;
  /** Per check (default 2000 ms). */
  timeoutMs?: number;
  /** A worker counts as alive if it beat within this window (default WORKER_DEAD_AFTER_MS, 15 s). */
  workerWindowMs?: number;
  now?: () => number;
}

export const OK = "ok";

export function isHealthy(report: HealthReport): boolean {
  return Object.values(report).every((v) => v === OK);
}

export async function checkHealth(opts: CheckHealthOptions = {}): Promise<HealthReport> {
  const e = env();
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const namespace = opts.namespace ?? e.TEMPORAL_NAMESPACE;
  const taskQueue = opts.taskQueue ?? e.TEMPORAL_TASK_QUEUE;
  const servingUrl = (opts.servingUrl ?? e.servingUrl).replace(/\/+$/, "");
  const getClient = opts.temporal ?? temporalClient;
  const now = opts.now ?? Date.now;
  const workerWindowMs = opts.workerWindowMs ?? WORKER_DEAD_AFTER_MS;

  const check = (fn: () => Promise<void>, describe: (err: unknown) => string) =>
    withTimeout(fn(), timeoutMs).then(
      () => OK,
      (err: unknown) => (err instanceof TimeoutError || err instanceof CheckFailed ? err.message : describe(err)),
    );

  const [db, temporal, worker, serving] = await Promise.all([
    check(
      async () => {
        const sql = (opts.db ?? getDb()).$client;
        await sql`select 1`;
      },
      (err) => `database unreachable: ${reason(err)}`,
    ),
    check(
      async () => {
        const client = await getClient();
        await client.withDeadline(now() + timeoutMs, () => client.workflowService.describeNamespace({ namespace }));
      },
      (err) => `Temporal unreachable at ${e.TEMPORAL_ADDRESS} (namespace ${namespace}): ${reason(err)}`,
    ),
    check(
      async () => {
        const live = await liveWorkers(opts.db ?? getDb(), workerWindowMs);
        const missing = [taskQueue, heavyTaskQueue(taskQueue)].filter((q) => !live.some((w) => w.taskQueues.includes(q)));
        if (missing.length) {
          throw new CheckFailed(
            `no live worker polls task queue${missing.length > 1 ? "s" : ""} ${missing.map((q) => `"${q}"`).join(" and ")} (none beat in the last ${Math.round(workerWindowMs / 1000)} s)`,
          );
        }
      },
      (err) => `cannot read the workers table: ${reason(err)}`,
    ),
    check(
      async () => {
        const url = `${servingUrl}/v2/health/ready`;
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), cache: "no-store" });
        await res.body?.cancel();
        if (res.status !== 200) throw new CheckFailed(`GET ${url} answered ${res.status}`);
      },
      (err) => `serving unreachable at ${servingUrl}: ${reason(err)}`,
    ),
  ]);
  return { db, temporal, worker, serving };
}

/** A check that ran and found a problem: its message is the report. */
class CheckFailed extends Error {}
class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms / 1000} s`)), ms);
  });
  promise.catch(() => {}); // a late rejection after the timeout must not go unhandled
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The most useful line of an error, with the system error code when there is one. */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  const source = cause instanceof Error ? cause : err; // fetch() hides the socket error in `cause`
  const first = source.message.split("\n")[0] ?? "";
  const code = (source as NodeJS.ErrnoException).code;
  return typeof code === "string" && !first.includes(code) ? `${code}: ${first}` : first;
}
