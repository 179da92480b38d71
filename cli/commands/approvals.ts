/**
 * `conveyor approvals list | show | approve | reject`: the inbox of
 * gate.approval steps (docs/deployments.md). `show` puts the challenger's
 * metrics next to the champion's and summarizes the diff of the pipeline
 * version against the one that made the champion. The first decision wins:
 * deciding again is the API's 409, which names who decided (exit 1).
 */
import type { z } from "zod";
import { endpoints } from "../../contract/api/endpoints";
import type { ZApproval, ZApprovalDetail } from "../../contract/api/resources";
import { METRIC_INFO, type MetricName } from "../../workflows/spec/metrics";
import type { Context } from "../context";
import { fields, metrics, num, relativeTime, table, type Colors } from "../format";

type Approval = z.output<typeof ZApproval>;
type Diff = NonNullable<z.output<typeof ZApprovalDetail>["diff"]>;

const STATUS_COLOR: Record<Approval["status"], (s: string, c: Colors) => string> = {
  pending: (s, c) => c.yellow(s),
  approved: (s, c) => c.green(s),
  rejected: (s, c) => c.red(s),
  expired: (s, c) => c.dim(s),
};
const approvalStatus = (s: Approval["status"], c: Colors) => STATUS_COLOR[s](s, c);

/** `expires in 6 days`, `approved by user:… 2 hours ago`, `expired yesterday`. */
function decision(a: Approval, now: Date): string {
  if (a.status === "pending") return `expires ${relativeTime(a.expiresAt, now)}`;
  if (a.status === "expired") return `expired ${relativeTime(a.decidedAt ?? a.expiresAt, now)}`;
  return `${a.status} by ${a.decidedBy ?? "?"} ${relativeTime(a.decidedAt, now)}`;
}

export async function listApprovals(ctx: Context, opts: { all?: boolean }): Promise<void> {
  const all = await ctx.api().call(endpoints.listApprovals, { status: opts.all ? undefined : "pending" });
  const now = ctx.now();
  ctx.result(all, () =>
    all.length === 0
      ? [
          opts.all
            ? "no approvals yet: a pipeline's gate.approval step asks for one"
            : "no pending approvals (`conveyor approvals list --all` shows decided ones)",
        ]
      : table(
          ["ID", "STATUS", "MODEL", "PIPELINE", "METRICS", "CREATED", "DECISION"],
          all.map((a) => [
            a.id,
            approvalStatus(a.status, ctx.c),
            a.modelName,
            `${a.pipeline.name} v${a.pipeline.version}`,
            metrics(a.metrics),
            relativeTime(a.createdAt, now),
            decision(a, now),
          ]),
          { c: ctx.c },
        ),
  );
}

/** `+0.02 better`, `−0.05 better` (lower is better), `0 same`; no word for a metric of unknown direction. */
function change(name: string, challenger: number, champion: number, c: Colors): string {
  const delta = challenger - champion;
  const text = delta === 0 ? "0" : `${delta > 0 ? "+" : "−"}${num(Math.abs(delta))}`;
  const better = METRIC_INFO[name as MetricName]?.better;
  if (!better) return text;
  if (delta === 0) return `${text} same`;
  return (better === "higher") === delta > 0 ? c.green(`${text} better`) : c.red(`${text} worse`);
}

const MAX_VALUE = 60;
function value(v: unknown): string {
  const s = JSON.stringify(v) ?? "(none)";
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** The diff in lines: `~ node train: config.l2 0.1 → 0.01`, `+ node explain`, `- edge a.out → b.in`. */
export function diffLines(diff: Diff): string[] {
  const lines: string[] = [];
  for (const f of diff.pipeline) lines.push(`~ ${f.field}: ${value(f.before)} → ${value(f.after)}`);
  for (const id of diff.nodes.added) lines.push(`+ node ${id}`);
  for (const id of diff.nodes.removed) lines.push(`- node ${id}`);
  for (const n of diff.nodes.changed) {
    const real = n.fields.filter((f) => !f.field.startsWith("position"));
    if (real.length) lines.push(`~ node ${n.id}: ${real.map((f) => `${f.field} ${value(f.before)} → ${value(f.after)}`).join(", ")}`);
  }
  for (const e of diff.edges.added) lines.push(`+ edge ${e}`);
  for (const e of diff.edges.removed) lines.push(`- edge ${e}`);
  if (lines.length === 0) return [diff.layoutOnly && diff.nodes.changed.length ? "only node positions changed" : "no changes"];
  return lines;
}

export async function showApproval(ctx: Context, id: string): Promise<void> {
  const a = await ctx.api().call(endpoints.getApproval, { id });
  const now = ctx.now();
  const c = ctx.c;
  ctx.result(a, () => {
    const head: [string, string][] = [
      ["status", `${approvalStatus(a.status, c)}, ${decision(a, now)}`],
      ["model", `${a.modelName}${a.task ? ` (${a.task})` : ""}`],
      ["run", `${a.runId} of ${a.pipeline.name} v${a.pipeline.version}, step ${a.nodeId}, asked ${relativeTime(a.createdAt, now)}`],
    ];
    if (a.comment) head.push(["comment", a.comment]);
    if (a.instructions) head.push(["instructions", a.instructions]);
    const lines = [c.bold(`approval ${a.id}`), ...fields(head, c), ""];

    const champ = a.champion;
    const names = [...new Set([...Object.keys(a.metrics), ...Object.keys(champ?.metrics ?? {})])].sort();
    const rows = a.rows === null ? "" : ` on ${a.rows} rows`;
    if (champ) {
      lines.push(
        c.bold(`metrics: challenger vs champion v${champ.version}`) +
          (champ.sameRows ? ` (both scored${rows})` : ` (challenger scored${rows}; the champion's are its registered metrics)`),
      );
      lines.push(
        ...table(
          ["METRIC", "CHALLENGER", `CHAMPION v${champ.version}`, "CHANGE"],
          names.map((m) => {
            const mine = a.metrics[m];
            const theirs = champ.metrics[m];
            return [
              m,
              mine === undefined ? "-" : num(mine),
              theirs === undefined ? "-" : num(theirs),
              mine === undefined || theirs === undefined ? "-" : change(m, mine, theirs, c),
            ];
          }),
          { right: [1, 2], c },
        ).map((l) => `  ${l}`),
      );
    } else {
      lines.push(c.bold(`metrics${rows}`) + " (no champion to compare with yet)");
      lines.push(
        ...(names.length
          ? table(
              ["METRIC", "CHALLENGER"],
              names.map((m) => [m, num(a.metrics[m]!)]),
              { right: [1], c },
            )
          : ["no metrics"]
        ).map((l) => `  ${l}`),
      );
    }

    lines.push("");
    const cp = a.championPipeline;
    if (a.diff && cp) {
      const against = cp.id === a.pipeline.id ? `v${cp.version}` : `pipeline ${cp.id} v${cp.version}`;
      lines.push(c.bold(`pipeline ${a.pipeline.name} v${a.pipeline.version} against ${against} (the champion's)`));
      lines.push(...diffLines(a.diff).map((l) => `  ${l}`));
    } else {
      lines.push(c.bold("pipeline") + (champ ? " (the champion's pipeline version is gone: no diff)" : " (no champion: no diff)"));
    }
    if (a.status === "pending") {
      lines.push("", c.dim(`decide: conveyor approvals approve ${a.id} --comment '…'   or: conveyor approvals reject ${a.id} --comment '…'`));
    }
    return lines;
  });
}

export async function decideApproval(ctx: Context, id: string, decision: "approve" | "reject", opts: { comment?: string }): Promise<void> {
  const a = await ctx.api().call(endpoints.decideApproval, { id, decision, comment: opts.comment });
  ctx.result(a, () => [
    `${approvalStatus(a.status, ctx.c)} ${a.id}: ${a.modelName} of run ${a.runId} (${a.pipeline.name} v${a.pipeline.version}); the run goes on`,
    ctx.c.dim(`follow it: conveyor runs logs ${a.runId}`),
  ]);
}
