/**
 * A deployment's monitor: compute one window's figures from the logged
 * predictions (window.ts), store them, then act on them: alert rules fire
 * or resolve (and are POSTed to the deployment's webhook), and every
 * pipeline with a `drift` trigger on the deployment starts a retraining run
 * when its condition holds and its cooldown has passed. Every act is a
 * monitor event, linked to the run it started. Called by the monitor
 * workflow's activities (workflows/temporal/monitor-activities.ts).
 */
import type { Db } from "../../db/client";
import {
  addMonitorEvent,
  getMonitoredDeployment,
  lastRetrainStarted,
  lastRuleEvent,
  listAlertRules,
  loggedPredictions,
  recentMonitorWindows,
  saveMonitorWindow,
  setEventRun,
  systemFigures,
  versionManifests,
  type MonitorEventRow,
} from "../../db/queries/monitoring";
import { pipelinesWatching } from "../../db/queries/pipelines";
import type { ArtifactStore } from "../../infra/artifacts";
import type { MonitorFigures } from "../../contract/monitoring";
import { ZPipelineSpec } from "../spec/spec";
import { durationSeconds } from "../../contract/duration";
import { DRIFT_PARAMS } from "../triggers/drift";
import { readProfile } from "./profile-store";
import { compare, metricOf, ruleHolds, triggerOp, type AlertOp } from "./rules";
import { versionReferences } from "./quality";
import { dominantVersion, qualityByVersion, windowFigures } from "./window";

export interface MonitorDeps {
  db: Db;
  store: ArtifactStore;
  /** Starts a run of a pipeline's latest version (the worker's Temporal client). */
  startRun(input: {
    teamId: string;
    pipelineId: string;
    detail: Record<string, unknown>;
    params: Record<string, unknown>;
  }): Promise<{ runId: string } | { error: string }>;
  /** POSTs an alert event to a webhook; failures are logged, never thrown. */
  notify?(url: string, body: unknown): Promise<void>;
  log?(message: string): void;
}

export interface WindowResult {
  deploymentId: string;
  deployment: string;
  start: string;
  end: string;
  rows: number;
  status: "ok" | "no_data";
  figures: MonitorFigures | null;
}

/** Most rows a window reads (the newest are dropped past it, and the figures say how many were read). */
export const MAX_WINDOW_ROWS = 500_000;

export async function computeWindow(deps: MonitorDeps, deploymentId: string, start: Date, end: Date): Promise<WindowResult> {
  const d = await getMonitoredDeployment(deps.db, { id: deploymentId });
  if (!d) throw new Error(`deployment ${deploymentId} no longer exists`);
  // Shadows too (their quality beside the live versions'); the window's drift and figures are the live rows'.
  const all = await loggedPredictions(deps.db, d.id, start, end, 2 * MAX_WINDOW_ROWS, "all");
  const rows = all.filter((r) => r.mode === "live").slice(0, MAX_WINDOW_ROWS);
  const base = { deploymentId: d.id, deployment: d.name, start: start.toISOString(), end: end.toISOString() };
  if (rows.length === 0) {
    await saveMonitorWindow(deps.db, { deploymentId: d.id, windowStart: start, windowEnd: end, rows: 0, figures: {} });
    return { ...base, rows: 0, status: "no_data", figures: null };
  }
  const version = dominantVersion(rows)!;
  const [found] = await versionManifests(deps.db, d.modelId, [version]);
  if (!found) throw new Error(`deployment ${d.name}: model version ${version} is not in the registry`);
  const profile = await readProfile(deps.store, found.manifest);
  const system = await systemFigures(deps.db, d.name, start, end);
  const figures = windowFigures(rows, { version, manifest: found.manifest, metrics: found.metrics, profile }, system);
  figures.versionQuality = qualityByVersion(all, await versionReferences(deps.db, d.modelId, all));
  await saveMonitorWindow(deps.db, { deploymentId: d.id, windowStart: start, windowEnd: end, rows: rows.length, figures });
  return { ...base, rows: rows.length, status: "ok", figures };
}

/** Alert rules and drift triggers on a computed window. Returns the events it added. */
export async function actOnWindow(deps: MonitorDeps, w: WindowResult): Promise<MonitorEventRow[]> {
  const d = await getMonitoredDeployment(deps.db, { id: w.deploymentId });
  if (!d) return [];
  const start = new Date(w.start);
  const end = new Date(w.end);
  const events: MonitorEventRow[] = [];
  const rules = await listAlertRules(deps.db, d.id);
  if (rules.length) {
    const longest = Math.max(...rules.map((r) => r.forWindows));
    // Windows with data only: a quiet window neither fires nor resolves anything.
    const recent = (await recentMonitorWindows(deps.db, d.id, end, longest * 4 + 4)).filter((x) => x.rows > 0).slice(0, longest);
    const newestFirst = recent.map((x) => x.figures as unknown as MonitorFigures);
    for (const rule of rules) {
      const r = ruleHolds({ ...rule, op: rule.op as AlertOp }, newestFirst);
      const last = await lastRuleEvent(deps.db, rule.id);
      const firing = last?.kind === "alert.firing";
      if (r.holds === firing) continue;
      const what = `${rule.metric}${r.feature ? ` of ${r.feature}` : ""}`;
      const e = await addMonitorEvent(deps.db, {
        deploymentId: d.id,
        kind: r.holds ? "alert.firing" : "alert.resolved",
        ruleId: rule.id,
        windowStart: start,
        windowEnd: end,
        metric: rule.metric,
        feature: r.feature,
        observed: r.observed,
        threshold: rule.value,
        message: r.holds
          ? `${what} is ${fmt(r.observed)} (${rule.op} ${rule.value}${rule.forWindows > 1 ? ` for ${rule.forWindows} windows` : ""})`
          : `${what} is back to ${fmt(r.observed)}`,
      });
      events.push(e);
      if (d.monitoring.webhookUrl && deps.notify) await deps.notify(d.monitoring.webhookUrl, eventBody(d.name, e));
    }
  }
  if (w.figures) events.push(...(await retrainOnDrift(deps, d, w, start, end)));
  return events;
}

async function retrainOnDrift(
  deps: MonitorDeps,
  d: NonNullable<Awaited<ReturnType<typeof getMonitoredDeployment>>>,
  w: WindowResult,
  start: Date,
  end: Date,
): Promise<MonitorEventRow[]> {
  const events: MonitorEventRow[] = [];
  for (const p of await pipelinesWatching(deps.db, d.teamId, d.name)) {
    const spec = ZPipelineSpec.safeParse(p.spec);
    if (!spec.success) continue;
    for (const t of spec.data.triggers) {
      if (t.type !== "drift" || t.deployment !== d.name) continue;
      const m = metricOf(w.figures, t.metric, t.features ?? null);
      if (!m || !compare(m.value, triggerOp(t.metric), t.threshold)) continue;
      const what = `${t.metric}${m.feature ? ` of ${m.feature}` : ""} is ${fmt(m.value)} (threshold ${t.threshold})`;
      const base = {
        deploymentId: d.id,
        pipelineId: p.id,
        windowStart: start,
        windowEnd: end,
        metric: t.metric,
        feature: m.feature,
        observed: m.value,
        threshold: t.threshold,
      };
      const last = await lastRetrainStarted(deps.db, d.id, p.id);
      const cooldownMs = (durationSeconds(t.cooldown) ?? 86400) * 1000;
      if (last && Date.now() - last.getTime() < cooldownMs) {
        events.push(
          await addMonitorEvent(deps.db, {
            ...base,
            kind: "retrain.cooldown",
            message: `${what}: "${p.name}" not started, it started a run ${ago(last)} ago (cooldown ${t.cooldown})`,
          }),
        );
        continue;
      }
      const e = await addMonitorEvent(deps.db, { ...base, kind: "retrain.started", message: `${what}: retraining with "${p.name}"` });
      const values: Record<(typeof DRIFT_PARAMS)[number], string | number> = {
        drift_window_start: w.start,
        drift_window_end: w.end,
        drift_metric: t.metric,
        drift_feature: m.feature ?? "",
        drift_value: m.value,
        drift_event: e.id,
      };
      const declared = new Map(spec.data.params.map((x) => [x.name, x.type]));
      const params = Object.fromEntries(
        Object.entries(values).flatMap(([k, v]) => {
          const type = declared.get(k);
          if (!type) return [];
          return [[k, type === "number" ? Number(v) : type === "string" ? String(v) : v]];
        }),
      );
      const started = await deps.startRun({
        teamId: d.teamId,
        pipelineId: p.id,
        detail: {
          deployment: d.name,
          metric: t.metric,
          feature: m.feature,
          value: m.value,
          threshold: t.threshold,
          windowStart: w.start,
          windowEnd: w.end,
          eventId: e.id,
        },
        params,
      });
      if ("runId" in started) {
        await setEventRun(deps.db, e.id, started.runId);
        events.push({ ...e, runId: started.runId });
        deps.log?.(`deployment ${d.name}: ${what}; started run ${started.runId} of "${p.name}"`);
      } else {
        events.push(e);
        events.push(await addMonitorEvent(deps.db, { ...base, kind: "retrain.failed", message: `"${p.name}" could not start: ${started.error}` }));
      }
      if (d.monitoring.webhookUrl && deps.notify) await deps.notify(d.monitoring.webhookUrl, eventBody(d.name, events.at(-1)!));
    }
  }
  return events;
}

function eventBody(deployment: string, e: MonitorEventRow) {
  return {
    deployment,
    kind: e.kind,
    message: e.message,
    metric: e.metric,
    feature: e.feature,
    observed: e.observed,
    threshold: e.threshold,
    window: { start: e.windowStart, end: e.windowEnd },
    runId: e.runId,
    at: e.createdAt,
  };
}

const fmt = (v: number | null) => (v === null ? "n/a" : Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

function ago(t: Date): string {
  const s = Math.round((Date.now() - t.getTime()) / 1000);
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}
