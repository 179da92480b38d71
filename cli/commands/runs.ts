/**
 * `conveyor run` and `conveyor runs list | logs | cancel`. Following a run
 * polls `GET /api/v1/runs/{runId}` about once a second and prints each step
 * status change and each new log line once, prefixed with the node id.
 */
import { z } from "zod";
import { endpoints } from "../../contract/api/endpoints";
import type { ZRun } from "../../contract/api/resources";
import { ZParam } from "../../workflows/spec/spec";
import type { Context } from "../context";
import { FailureError, ServerError } from "../errors";
import { duration, relativeTime, status as statusText, table, type Colors } from "../format";
import { typeParams } from "../values";
import { resolvePipeline } from "./pipelines";

type Run = z.output<typeof ZRun>;
type Step = Run["steps"][number];

/** A run is over once it is neither queued nor running (succeeded, failed, cancelled, or any later final status). */
export const isFinal = (s: string) => s !== "queued" && s !== "running";

const POLL_MS = 1000;
/** Consecutive failed polls tolerated (a dev server restarting) before giving up. */
const POLL_RETRIES = 5;

export async function startRun(ctx: Context, ref: string, opts: { param: string[]; version?: number; wait?: boolean; follow?: boolean }): Promise<void> {
  const api = ctx.api();
  const p = await resolvePipeline(ctx, ref);
  const pipeline = await api.call(endpoints.getPipeline, { id: p.id, version: opts.version });
  const declared = z
    .array(ZParam)
    .catch([])
    .parse(pipeline.spec.params ?? []);
  const params = typeParams(opts.param, declared);
  const started = await api.call(endpoints.startRun, { pipelineId: p.id, version: opts.version, params });
  if (!opts.wait && !opts.follow) {
    ctx.result(started, () => [
      `started run ${started.runId} of ${pipeline.name} v${pipeline.version}`,
      ctx.c.dim(`follow it: conveyor runs logs ${started.runId}   cancel it: conveyor runs cancel ${started.runId}`),
    ]);
    return;
  }
  ctx.progress(`started run ${started.runId} of ${pipeline.name} v${pipeline.version}`);
  const run = await watchRun(ctx, started.runId, { follow: Boolean(opts.follow) });
  if (ctx.json) ctx.out(JSON.stringify(run, null, 2));
  runOutcome(ctx, run);
}

/** Polls the run until it is final; with `follow`, prints step changes and new log lines as they appear. */
export async function watchRun(ctx: Context, runId: string, opts: { follow: boolean }): Promise<Run> {
  const c = ctx.json ? ctx.ce : ctx.c;
  const seenStatus = new Map<string, string>();
  const seenLogs = new Map<string, number>();
  let failures = 0;
  ctx.interruptHint(`stopped watching; run ${runId} goes on (cancel it with \`conveyor runs cancel ${runId}\`)`);
  try {
    for (;;) {
      let run: Run;
      try {
        run = await ctx.api().call(endpoints.getRun, { runId });
        failures = 0;
      } catch (e) {
        if (!(e instanceof ServerError) || ++failures > POLL_RETRIES) throw e;
        await ctx.sleep(POLL_MS);
        continue;
      }
      if (opts.follow) {
        const width = Math.max(...run.steps.map((s) => s.nodeId.length));
        for (const step of run.steps) {
          const changed = seenStatus.get(step.nodeId) !== step.status;
          const over = isFinal(step.status) && step.status !== "queued";
          if (changed && !over) printStatus(ctx, c, step, width, seenStatus);
          printNewLogs(ctx, c, step, width, seenLogs);
          if (changed && over) printStatus(ctx, c, step, width, seenStatus);
        }
      }
      if (isFinal(run.status)) return run;
      await ctx.sleep(POLL_MS);
    }
  } finally {
    ctx.interruptHint(undefined);
  }
}

const GLYPH: Record<string, string> = { queued: "·", running: "▶", succeeded: "✓", failed: "✗", skipped: "–", cancelled: "■" };

function printStatus(ctx: Context, c: Colors, step: Step, width: number, seen: Map<string, string>): void {
  const first = !seen.has(step.nodeId);
  seen.set(step.nodeId, step.status);
  if (first && step.status === "queued") return; // every step starts queued: say nothing until it moves
  const extra = [step.cached ? "cached" : "", step.attempt > 1 ? `attempt ${step.attempt}` : ""].filter(Boolean).join(", ");
  // The reason, unless a log line just said it.
  const said = step.error !== null && step.logs.some((l) => l.message.includes(step.error!));
  const reason = (step.status === "failed" || step.status === "skipped") && step.error && !said ? `: ${step.error}` : "";
  ctx.progress(`${c.bold(step.nodeId.padEnd(width))} ${GLYPH[step.status] ?? "?"} ${statusText(step.status, c)}${extra ? c.dim(` (${extra})`) : ""}${reason}`);
}

function printNewLogs(ctx: Context, c: Colors, step: Step, width: number, seen: Map<string, number>): void {
  const from = seen.get(step.nodeId) ?? 0;
  for (const log of step.logs.slice(from)) ctx.progress(logLine(c, step.nodeId, width, log));
  seen.set(step.nodeId, Math.max(from, step.logs.length));
}

function logLine(c: Colors, nodeId: string, width: number, log: Step["logs"][number]): string {
  const level = log.level === "error" ? c.red("error: ") : log.level === "warn" ? c.yellow("warn: ") : "";
  return `${c.dim(`${nodeId.padEnd(width)} │`)} ${level}${log.message}`;
}

/**
 * A finished run's outcome: a summary line (not with --json, whose result the
 * caller prints); any status but succeeded is a failure naming the failing steps.
 */
export function runOutcome(ctx: Context, run: Run): void {
  const took = run.startedAt && run.finishedAt ? ` in ${duration(run.finishedAt.getTime() - run.startedAt.getTime())}` : "";
  if (run.status === "succeeded") {
    const skipped = run.steps.filter((s) => s.status === "skipped");
    if (!ctx.json) {
      ctx.out(`run ${run.id} ${ctx.c.green("succeeded")}${took}`);
      for (const s of skipped) ctx.out(ctx.c.yellow(`  ${s.nodeId} skipped${s.error ? `: ${s.error}` : ""}`));
    }
    return;
  }
  const failing = run.steps.filter((s) => s.status === "failed");
  throw new FailureError(`run ${run.id} ${run.status}${took}${run.error && !failing.length ? `: ${run.error}` : ""}`, [
    ...failing.map((s) => `step ${s.nodeId} failed: ${s.error ?? "no error recorded"}`),
    ...run.steps.filter((s) => s.status === "skipped").map((s) => `step ${s.nodeId} skipped${s.error ? `: ${s.error}` : ""}`),
    `all logs: conveyor runs logs ${run.id}`,
  ]);
}

export async function listRuns(ctx: Context, opts: { pipeline?: string; status?: string; limit?: string }): Promise<void> {
  const pipelineId = opts.pipeline ? (await resolvePipeline(ctx, opts.pipeline)).id : undefined;
  const runs = await ctx.api().call(endpoints.listRuns, { pipelineId, status: opts.status as never, limit: opts.limit });
  const now = ctx.now();
  ctx.result(runs, () =>
    runs.length === 0
      ? ["no runs" + (opts.pipeline || opts.status ? " match" : " yet: start one with `conveyor run <pipeline>`")]
      : table(
          ["RUN", "PIPELINE", "VERSION", "STATUS", "TRIGGER", "CREATED", "TOOK"],
          runs.map((r) => [
            r.id,
            r.pipelineName,
            `v${r.pipelineVersion}`,
            statusText(r.status, ctx.c),
            r.trigger.type,
            relativeTime(r.createdAt, now),
            r.startedAt && r.finishedAt ? duration(r.finishedAt.getTime() - r.startedAt.getTime()) : r.startedAt ? "…" : "-",
          ]),
          { c: ctx.c },
        ),
  );
}

export async function runLogs(ctx: Context, runId: string): Promise<void> {
  const run = await ctx.api().call(endpoints.getRun, { runId });
  const width = Math.max(0, ...run.steps.map((s) => s.nodeId.length));
  ctx.result(run, () => {
    const lines = run.steps.flatMap((s) => s.logs.map((l) => logLine(ctx.c, s.nodeId, width, l)));
    const failed = run.steps.filter((s) => s.status === "failed").map((s) => ctx.c.red(`${s.nodeId} failed: ${s.error ?? "no error recorded"}`));
    return [...lines, ...failed, ctx.c.dim(`run ${run.id} of ${run.pipelineName} v${run.pipelineVersion}: ${run.status}`)];
  });
}

export async function cancelRun(ctx: Context, runId: string): Promise<void> {
  const r = await ctx.api().call(endpoints.cancelRun, { runId });
  ctx.result(r, () => [`cancel requested for run ${r.runId} (status now: ${statusText(r.status, ctx.c)})`]);
}
