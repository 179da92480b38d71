/**
 * A deployment's monitoring through the API: its windows (every figure),
 * the training profiles they compare with, alert rules and events; its
 * settings; and computing a window now (the `monitorWindow` workflow, so it
 * runs where every other window runs: on a worker).
 */
import crypto from "node:crypto";
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { env } from "../../../infra/env";
import { temporalClient } from "../../temporal";
import { getDeployment } from "../../../db/queries/deployments";
import {
  DEFAULT_MONITORING,
  listAlertRules,
  listMonitorEvents,
  listMonitorWindows,
  replaceAlertRules,
  setMonitoring,
  versionManifests,
  type AlertRuleRow,
  type MonitorEventRow,
  type MonitorWindowRow,
} from "../../../db/queries/monitoring";
import type { MonitorEvent, MonitorFigures, MonitorWindow, Monitoring } from "../../../contract/monitoring";
import { artifactStore } from "../../../infra/artifacts";
import { readProfile } from "../../../workflows/monitoring/profile-store";
import type { monitorWindow } from "../../../workflows/temporal/monitor-workflow";
import type { WindowResult } from "../../../workflows/monitoring/monitor";

async function find(ctx: RequestContext, name: string) {
  const d = await getDeployment(ctx.db, ctx.teamId, name);
  if (!d) throw new ServiceError("not_found", `deployment ${name} does not exist`);
  return d;
}

const settingsOf = (m: Partial<typeof DEFAULT_MONITORING> | null | undefined) => {
  const s = { ...DEFAULT_MONITORING, ...(m ?? {}) };
  return { intervalSeconds: s.intervalSeconds, retentionDays: s.retentionDays, webhookUrl: s.webhookUrl ?? null, enabled: s.enabled };
};

export function windowView(w: MonitorWindowRow): MonitorWindow {
  return {
    start: w.windowStart,
    end: w.windowEnd,
    rows: w.rows,
    status: w.rows > 0 ? "ok" : "no_data",
    figures: w.rows > 0 ? (w.figures as unknown as MonitorFigures) : null,
    computedAt: w.computedAt,
  };
}

const ruleView = (r: AlertRuleRow) => ({
  id: r.id,
  metric: r.metric,
  feature: r.feature,
  op: r.op as ">" | ">=" | "<" | "<=",
  value: r.value,
  forWindows: r.forWindows,
});

export function eventView(e: MonitorEventRow & { pipelineName?: string | null }): MonitorEvent {
  return {
    id: e.id,
    kind: e.kind as MonitorEvent["kind"],
    message: e.message,
    metric: e.metric,
    feature: e.feature,
    observed: e.observed,
    threshold: e.threshold,
    windowStart: e.windowStart,
    windowEnd: e.windowEnd,
    ruleId: e.ruleId,
    pipeline: e.pipelineId ? { id: e.pipelineId, name: e.pipelineName ?? e.pipelineId } : null,
    runId: e.runId,
    createdAt: e.createdAt,
  };
}

const DAY = 86_400_000;

export async function getMonitoring(ctx: RequestContext, opts: { name: string; from?: Date; to?: Date }): Promise<Monitoring> {
  const d = await find(ctx, opts.name);
  const to = opts.to ?? new Date();
  const from = opts.from ?? new Date(to.getTime() - 7 * DAY);
  if (from >= to) throw new ServiceError("invalid", "from must be before to", [{ nodeId: null, field: "from", message: "from must be before to" }]);
  const windows = await listMonitorWindows(ctx.db, d.id, from, to);
  const versions = [
    ...new Set(windows.flatMap((w) => (w.rows > 0 ? [(w.figures as unknown as MonitorFigures).referenceVersion] : [])).filter((v): v is number => v !== null)),
  ];
  const store = artifactStore();
  const references = [];
  for (const v of await versionManifests(ctx.db, d.modelId, versions)) {
    const p = await readProfile(store, v.manifest);
    if (!p) continue;
    references.push({
      version: v.version,
      rows: p.rows,
      features: p.features.map((f) => (f.kind === "numeric" ? (({ sample: _s, ...rest }) => rest)(f) : f)),
      prediction: p.prediction.kind === "numeric" ? (({ sample: _s, ...rest }) => rest)(p.prediction) : p.prediction,
    });
  }
  return {
    deployment: d.name,
    settings: settingsOf(d.monitoring),
    windows: windows.map(windowView),
    references,
    rules: (await listAlertRules(ctx.db, d.id)).map(ruleView),
    events: (await listMonitorEvents(ctx.db, d.id, { from, to })).map(eventView),
  };
}

/** Computes the window [from, to) now (default: the last interval) and acts on it: alerts, drift triggers. */
export async function runMonitoring(ctx: RequestContext, opts: { name: string; from?: Date; to?: Date }) {
  const d = await find(ctx, opts.name);
  const settings = settingsOf(d.monitoring);
  const to = opts.to ?? new Date();
  const from = opts.from ?? new Date(to.getTime() - settings.intervalSeconds * 1000);
  if (from >= to) throw new ServiceError("invalid", "from must be before to", [{ nodeId: null, field: "from", message: "from must be before to" }]);
  if (to.getTime() - from.getTime() > 31 * DAY)
    throw new ServiceError("invalid", "a window is at most 31 days", [{ nodeId: null, field: "from", message: "a window is at most 31 days long" }]);
  let result: Awaited<ReturnType<typeof monitorWindow>>;
  try {
    const client = await temporalClient();
    result = await client.workflow.execute<typeof monitorWindow>("monitorWindow", {
      taskQueue: env().TEMPORAL_TASK_QUEUE,
      workflowId: `monitor-${d.id}-${crypto.randomUUID()}`,
      args: [{ deploymentId: d.id, start: from.toISOString(), end: to.toISOString() }],
    });
  } catch (e) {
    // The innermost cause says why (an activity's error), not "Workflow execution failed".
    let cause: unknown = e;
    while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
    throw new ServiceError("unavailable", `the monitor could not compute the window: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const w: WindowResult = result.window;
  const events = await listMonitorEvents(ctx.db, d.id, { from, to, limit: 100 });
  const ids = new Set(result.acted.events.map((e) => e.id));
  return {
    window: { start: new Date(w.start), end: new Date(w.end), rows: w.rows, status: w.status, figures: w.figures, computedAt: new Date() },
    events: events.filter((e) => ids.has(e.id)).map(eventView),
  };
}

export async function configureMonitoring(
  ctx: RequestContext,
  opts: {
    name: string;
    intervalSeconds?: number;
    retentionDays?: number;
    webhookUrl?: string | null;
    enabled?: boolean;
    rules?: { metric: string; feature?: string | null; op: string; value: number; forWindows: number }[];
  },
) {
  const d = await find(ctx, opts.name);
  const current = settingsOf(d.monitoring);
  const next = {
    intervalSeconds: opts.intervalSeconds ?? current.intervalSeconds,
    retentionDays: opts.retentionDays ?? current.retentionDays,
    webhookUrl: opts.webhookUrl === undefined ? current.webhookUrl : opts.webhookUrl,
    enabled: opts.enabled ?? current.enabled,
  };
  await setMonitoring(ctx.db, d.id, next);
  const rules = opts.rules
    ? await replaceAlertRules(
        ctx.db,
        d.id,
        opts.rules.map((r) => ({ metric: r.metric, feature: r.feature ?? null, op: r.op, value: r.value, forWindows: r.forWindows })),
      )
    : await listAlertRules(ctx.db, d.id);
  return { deployment: d.name, settings: settingsOf(next), rules: rules.map(ruleView) };
}
