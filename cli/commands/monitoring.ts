/**
 * `conveyor monitoring show | run` (docs/monitoring.md): a deployment's
 * monitor windows (the most drifted feature, prediction drift, live
 * quality, traffic), its alert rules and events, and computing a window now.
 */
import type { z } from "zod";
import { endpoints } from "../../contract/api/endpoints";
import type { ZMonitorEvent, ZMonitorWindow } from "../../contract/monitoring";
import type { Context } from "../context";
import { fields, latency, metrics, num, percent, relativeTime, table } from "../format";

type Window = z.output<typeof ZMonitorWindow>;
type Event = z.output<typeof ZMonitorEvent>;

const worst = (w: Window) =>
  (w.figures?.features ?? []).reduce<{ name: string; psi: number } | null>((a, f) => (a && a.psi >= f.psi ? a : { name: f.name, psi: f.psi }), null);

function windowRow(w: Window, c: Context["c"]): string[] {
  if (!w.figures) return [w.start.toISOString(), "0", c.dim("no data"), "-", "-", "-", "-"];
  const f = w.figures;
  const top = worst(w);
  const psiText = top ? `${top.name} ${num(top.psi)}` : "-";
  return [
    w.start.toISOString(),
    String(w.rows),
    top && top.psi > 0.2 ? c.red(psiText) : top && top.psi > 0.1 ? c.yellow(psiText) : psiText,
    f.prediction ? num(f.prediction.psi) : "-",
    f.quality ? metrics(f.quality.metrics) : "no ground truth yet",
    f.system.errorRate === null ? "-" : percent(f.system.errorRate),
    latency(f.system.p99Ms),
  ];
}

const eventLine = (e: Event, now: Date) =>
  `${relativeTime(e.createdAt, now)}  ${e.kind}  ${e.message}${e.runId ? `  (run ${e.runId})` : ""}${e.pipeline ? `  [${e.pipeline.name}]` : ""}`;

export async function showMonitoring(ctx: Context, name: string, opts: { hours?: string }): Promise<void> {
  const hours = opts.hours ? Number(opts.hours) : 24;
  const to = ctx.now();
  const m = await ctx.api().call(endpoints.getMonitoring, { name, from: new Date(to.getTime() - hours * 3_600_000).toISOString(), to: to.toISOString() });
  const c = ctx.c;
  ctx.result(m, () => {
    const s = m.settings;
    const lines = [
      c.bold(`${m.deployment}: monitoring`),
      ...fields(
        [
          ["monitor", s.enabled ? `a window every ${num(s.intervalSeconds / 60)} min; predictions kept ${s.retentionDays} days` : c.yellow("off")],
          ["webhook", s.webhookUrl ?? "none"],
          [
            "alert rules",
            m.rules
              .map((r) => `${r.metric}${r.feature ? `(${r.feature})` : ""} ${r.op} ${num(r.value)}${r.forWindows > 1 ? ` for ${r.forWindows} windows` : ""}`)
              .join("; ") || "none",
          ],
        ],
        c,
      ),
      "",
    ];
    if (m.windows.length === 0) lines.push(`no windows in the last ${hours} h: \`conveyor monitoring run ${name}\` computes one now`);
    else
      lines.push(
        ...table(
          ["WINDOW START", "ROWS", "MOST DRIFTED (PSI)", "PREDICTION PSI", "LIVE QUALITY", "ERRORS", "P99"],
          m.windows.map((w) => windowRow(w, c)),
          { c },
        ),
      );
    if (m.events.length) lines.push("", c.bold("events"), ...m.events.map((e) => `  ${eventLine(e, to)}`));
    return lines;
  });
}

export async function runMonitoringNow(ctx: Context, name: string, opts: { from?: string; to?: string }): Promise<void> {
  const r = await ctx.api().call(endpoints.runMonitoring, { name, from: opts.from, to: opts.to });
  const now = ctx.now();
  ctx.result(r, () => [
    ...table(["WINDOW START", "ROWS", "MOST DRIFTED (PSI)", "PREDICTION PSI", "LIVE QUALITY", "ERRORS", "P99"], [windowRow(r.window, ctx.c)], { c: ctx.c }),
    ...(r.events.length ? ["", ...r.events.map((e) => eventLine(e, now))] : ["", "no alert fired and no retraining started"]),
  ]);
}
