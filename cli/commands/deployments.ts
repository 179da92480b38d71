/**
 * `conveyor deployments list | show | promote | rollback | feedback` (docs/deployments.md):
 * serving endpoints with their routes ("v3 90% · v4 10%", "v3 100% · v4
 * shadow"), the rollout in progress, live figures per version and the history
 * of route changes. Promote and rollback are audited: `--reason` is required.
 */
import type { z } from "zod";
import { endpoints } from "../../contract/api/endpoints";
import type { ZDeploymentSummary } from "../../contract/api/resources";
import { byMetricReadingOrder } from "../../contract/monitoring";
import type { Context } from "../context";
import { UsageError } from "../errors";
import { fields, latency, num, percent, relativeTime, table } from "../format";
import { readTextFile } from "./pipelines";

type Summary = z.output<typeof ZDeploymentSummary>;
type Route = Summary["routes"][number];
type Rollout = NonNullable<Summary["rollout"]>;

/** `v3`; an alias route that points nowhere (or is not resolved, as in history) as `@champion`. */
const routeRef = (r: Route) => (r.version !== null ? `v${r.version}` : r.alias !== null ? `@${r.alias}` : "nothing");

/** `v3 90% · v4 10%`, `v3 100% · v4 shadow`; `-` for none. */
export function routesText(routes: Route[]): string {
  return routes.map((r) => `${routeRef(r)} ${r.mode === "shadow" ? "shadow" : `${num(r.weight)}%`}`).join(" · ") || "-";
}

const STRATEGY: Record<Rollout["strategy"], string> = { canary: "canary", shadow: "shadow", ab: "A/B" };

/** `canary of v4, step 2/3 (50%)`, `shadow of v4`, `A/B of v4`. */
export function rolloutText(r: Rollout): string {
  const step = r.strategy === "canary" && r.step !== undefined && r.steps ? `, step ${r.step + 1}/${r.steps.length} (${num(r.steps[r.step] ?? 0)}%)` : "";
  return `${STRATEGY[r.strategy]} of v${r.challenger}${step}`;
}

export async function listDeployments(ctx: Context, opts: { model?: string }): Promise<void> {
  const all = await ctx.api().call(endpoints.listDeployments, { model: opts.model });
  const now = ctx.now();
  ctx.result(all, () =>
    all.length === 0
      ? [
          opts.model
            ? `model ${opts.model} has no deployments`
            : "no deployments yet: a pipeline's deploy.endpoint step creates one (`conveyor run <pipeline>`)",
        ]
      : table(
          ["NAME", "MODEL", "ROUTES", "ROLLOUT", "UPDATED"],
          all.map((d) => [d.name, d.model, routesText(d.routes), d.rollout ? ctx.c.cyan(rolloutText(d.rollout)) : "-", relativeTime(d.updatedAt, now)]),
          { c: ctx.c },
        ),
  );
}

export async function showDeployment(ctx: Context, name: string, opts: { minutes?: string }): Promise<void> {
  const d = await ctx.api().call(endpoints.getDeployment, { name, minutes: opts.minutes });
  const now = ctx.now();
  const c = ctx.c;
  ctx.result(d, () => {
    const head: [string, string][] = [
      ["model", `${d.model} (routes follow its alias ${d.alias})${d.status === "active" ? "" : `  ${c.yellow(d.status)}`}`],
      ["routes", routesText(d.routes)],
    ];
    if (d.rollout) {
      const r = d.rollout;
      const since = (iso: string) => relativeTime(new Date(iso), now);
      head.push([
        "rollout",
        `${c.cyan(rolloutText(r))}, started ${since(r.startedAt)}${r.strategy === "canary" ? `, this step ${since(r.stepStartedAt)}` : ""}${r.runId ? ` (run ${r.runId})` : ""}`,
      ]);
    } else head.push(["rollout", "none in progress"]);
    if (d.sticky) {
      const key = [d.sticky.parameter ? `request parameter ${d.sticky.parameter}` : "", d.sticky.column ? `input column ${d.sticky.column}` : ""];
      head.push(["sticky", key.filter(Boolean).join(", ")]);
    }
    const lines = [c.bold(d.name), ...fields(head, c), "", c.bold(`live figures since ${relativeTime(d.figuresSince, now)} (all serving replicas)`)];
    if (d.figures.length === 0) lines.push("  no requests since then");
    else {
      lines.push(
        ...table(
          ["VERSION", "MODE", "REQUESTS", "ERRORS", "ERROR RATE", "P50", "P99", "SHADOW AGREEMENT"],
          d.figures.map((f) => [
            `v${f.version}`,
            f.mode,
            String(f.requests),
            f.errors ? c.red(String(f.errors)) : "0",
            percent(f.errorRate),
            latency(f.p50Ms),
            latency(f.p99Ms),
            f.mode === "shadow" ? (f.agreement === null ? "nothing compared yet" : `${percent(f.agreement)} of ${f.compared} rows`) : "-",
          ]),
          { right: [2, 3, 4, 5, 6], c },
        ).map((l) => `  ${l}`),
      );
    }
    const q = d.quality;
    if (q && q.versions.length) {
      const metrics = [...new Set(q.versions.flatMap((v) => Object.keys(v.metrics)))].sort(byMetricReadingOrder);
      lines.push("", c.bold(`live quality in the monitor window ending ${relativeTime(q.windowEnd, now)} (ground truth sent as feedback)`));
      lines.push(
        ...table(
          ["VERSION", "MODE", "PREDICTIONS", "LABELLED", ...metrics.map((m) => m.toUpperCase())],
          q.versions.map((v) => [
            `v${v.version}`,
            v.mode,
            String(v.rows),
            String(v.labelled),
            ...metrics.map((m) => (v.metrics[m] === undefined ? "-" : String(Number(v.metrics[m].toPrecision(4))))),
          ]),
          { right: [2, 3, ...metrics.map((_, i) => 4 + i)], c },
        ).map((l) => `  ${l}`),
      );
    }
    lines.push("", c.bold("history (newest first)"));
    if (d.history.length === 0) lines.push("  no changes yet");
    else {
      lines.push(
        ...table(
          ["WHEN", "CHANGE", "ROUTES", "BY", "PIPELINE", "REASON"],
          d.history.map((h) => [relativeTime(h.createdAt, now), h.kind, routesText(h.toRoutes), h.actor, h.pipelineName ?? "-", h.reason]),
          { c },
        ).map((l) => `  ${l}`),
      );
    }
    if (d.rollout) {
      lines.push(
        "",
        c.dim(
          `promote v${d.rollout.challenger} now: conveyor deployments promote ${d.name} --reason '…'   back to the champion: conveyor deployments rollback ${d.name} --reason '…'`,
        ),
      );
    }
    return lines;
  });
}

export async function promoteDeployment(ctx: Context, name: string, opts: { version?: string; reason: string }): Promise<void> {
  const r = await ctx.api().call(endpoints.promoteDeployment, {
    name,
    version: opts.version === undefined ? undefined : Number(opts.version),
    reason: opts.reason,
  });
  ctx.result(r, () => [`${ctx.c.bold(r.name)}: ${r.outcome}`, `routes now: ${routesText(r.routes)}`]);
}

export async function rollbackDeployment(ctx: Context, name: string, opts: { reason: string }): Promise<void> {
  const r = await ctx.api().call(endpoints.rollbackDeployment, { name, reason: opts.reason });
  ctx.result(r, () => [`${ctx.c.bold(r.name)}: ${r.outcome}`, `routes now: ${routesText(r.routes)}`]);
}

/** `conveyor deployments feedback <name> --file feedback.json`: the file is the endpoint's body, a JSON array of `{ requestId, row?, label | value, at? }`. */
export async function sendFeedback(ctx: Context, name: string, opts: { file: string }): Promise<void> {
  const text = readTextFile(opts.file);
  let feedback: unknown;
  try {
    feedback = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${opts.file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(feedback)) throw new UsageError(`${opts.file} must hold a JSON array of { requestId, row?, label | value, at? }`);
  const r = await ctx.api().call(endpoints.recordFeedback, { name, feedback: feedback as never });
  ctx.result(r, () => [
    `${ctx.c.bold(name)}: ${r.recorded} recorded${r.unknown.length ? `, ${r.unknown.length} naming no logged prediction (not stored):` : ""}`,
    ...r.unknown.slice(0, 20).map((u) => `  [${u.index}] request ${u.requestId} row ${u.row}`),
    ...(r.unknown.length > 20 ? [`  … ${r.unknown.length - 20} more (--json lists them all)`] : []),
  ]);
}
