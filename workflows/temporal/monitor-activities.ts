/**
 * The monitor's activities (workflows/monitoring/monitor.ts does the work):
 * which windows are due, computing one, acting on it (alerts, drift
 * triggers: runs started through this worker's Temporal client), and
 * deleting what is past each deployment's retention.
 */
import { Context } from "@temporalio/activity";
import type { Db } from "../../db/client";
import type { ArtifactStore } from "../../infra/artifacts";
import { listMonitoredDeployments, listMonitorWindows, pruneMonitorWindows } from "../../db/queries/monitoring";
import { pruneLoggedPredictions } from "../../db/queries/prediction-log";
import { logger } from "../../infra/log";
import { launchRun } from "./launch-run";
import { actOnWindow, computeWindow, type MonitorDeps, type WindowResult } from "../monitoring/monitor";
import { alignedWindow } from "../monitoring/schedule";

export interface MonitorWindowInput {
  deploymentId: string;
  start: string;
  end: string;
}

/** What acting on a window did, for the workflow's result. */
export interface MonitorActed {
  events: { id: string; kind: string; message: string; runId: string | null }[];
}

export function createMonitorActivities(deps: { db: Db; store: ArtifactStore; taskQueue: string }) {
  const log = logger("worker").child({ component: "monitor" });
  const monitorDeps = (): MonitorDeps => ({
    db: deps.db,
    store: deps.store,
    startRun: async ({ teamId, pipelineId, detail, params }) => {
      const { client } = Context.current();
      try {
        const p = await launchRun(
          deps.db,
          { client: async () => client, taskQueue: deps.taskQueue },
          { teamId, pipelineId, params, trigger: { type: "drift", detail }, createdBy: null },
        );
        return p.ok ? { runId: p.runId } : { error: p.reason === "not_found" ? "the pipeline no longer exists" : p.errors.map((e) => e.message).join("; ") };
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    },
    notify: async (url, body) => {
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) log.warn({ url, status: res.status }, `alert webhook answered ${res.status}`);
      } catch (e) {
        log.warn({ url, err: e }, `alert webhook failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    log: (m) => log.info(m),
  });

  return {
    /** The newest whole window of every monitored deployment that has not been computed yet (windows end on multiples of the interval). */
    async dueMonitorWindows(input: { now: string }): Promise<MonitorWindowInput[]> {
      const now = new Date(input.now);
      const due: MonitorWindowInput[] = [];
      for (const d of await listMonitoredDeployments(deps.db)) {
        if (!d.monitoring.enabled) continue;
        const w = alignedWindow(now, d.monitoring.intervalSeconds);
        const done = await listMonitorWindows(deps.db, d.id, w.start, new Date(w.start.getTime() + 1), 10);
        if (!done.some((x) => x.windowEnd.getTime() === w.end.getTime()))
          due.push({ deploymentId: d.id, start: w.start.toISOString(), end: w.end.toISOString() });
      }
      return due;
    },

    async computeMonitorWindow(input: MonitorWindowInput): Promise<WindowResult> {
      return computeWindow(monitorDeps(), input.deploymentId, new Date(input.start), new Date(input.end));
    },

    async actOnMonitorWindow(w: WindowResult): Promise<MonitorActed> {
      const events = await actOnWindow(monitorDeps(), w);
      return { events: events.map((e) => ({ id: e.id, kind: e.kind, message: e.message, runId: e.runId })) };
    },

    /** Deletes logged predictions, feedback and windows older than each deployment's retention. */
    async pruneMonitoring(input: { now: string }): Promise<{ predictions: number; windows: number }> {
      const now = new Date(input.now);
      const predictions = await pruneLoggedPredictions(deps.db, now);
      let windows = 0;
      for (const d of await listMonitoredDeployments(deps.db)) {
        windows += await pruneMonitorWindows(deps.db, d.id, new Date(now.getTime() - d.monitoring.retentionDays * 86_400_000));
      }
      return { predictions, windows };
    },
  };
}
