/**
 * Monitor workflows. `monitorTick` (started every minute by the
 * `conveyor-monitor` Schedule, workflows/monitoring/schedule.ts) computes
 * each due window and acts on it, then prunes past retention.
 * `monitorWindow` computes one given window now (POST …/monitoring/run).
 */
import { proxyActivities, workflowInfo } from "@temporalio/workflow";
import type { createMonitorActivities, MonitorActed, MonitorWindowInput } from "./monitor-activities";
import type { WindowResult } from "../monitoring/monitor";

const { dueMonitorWindows, computeMonitorWindow, actOnMonitorWindow, pruneMonitoring } = proxyActivities<ReturnType<typeof createMonitorActivities>>({
  startToCloseTimeout: "10 minutes",
  // A window that cannot be computed (its model version is gone) fails the same way every time: a few tries, then the error.
  retry: { maximumAttempts: 3, initialInterval: "1 second" },
});

export async function monitorWindow(input: MonitorWindowInput): Promise<{ window: WindowResult; acted: MonitorActed }> {
  const window = await computeMonitorWindow(input);
  const acted = await actOnMonitorWindow(window);
  return { window, acted };
}

export async function monitorTick(): Promise<{ windows: number; events: number }> {
  const now = workflowInfo().startTime.toISOString();
  const due = await dueMonitorWindows({ now });
  let events = 0;
  for (const w of due) {
    const window = await computeMonitorWindow(w);
    events += (await actOnMonitorWindow(window)).events.length;
  }
  await pruneMonitoring({ now });
  return { windows: due.length, events };
}
