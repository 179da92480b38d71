/**
 * When monitors run: one Temporal Schedule (`conveyor-monitor`) ticks every
 * minute and starts the `monitorTick` workflow, which computes the newest
 * whole window of every deployment that is due (its windows end on
 * multiples of its interval, so every replica and restart agrees on them)
 * and prunes what is past retention. A deployment's interval is its own
 * (PUT …/monitoring); `POST …/monitoring/run` computes a window at once.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from "@temporalio/client";

export const MONITOR_SCHEDULE_ID = "conveyor-monitor";
export const MONITOR_TICK_SECONDS = 60;

/** The newest whole window of `intervalSeconds` that ends at or before `now`. */
export function alignedWindow(now: Date, intervalSeconds: number): { start: Date; end: Date } {
  const ms = intervalSeconds * 1000;
  const end = Math.floor(now.getTime() / ms) * ms;
  return { start: new Date(end - ms), end: new Date(end) };
}

/** Creates the monitor's Schedule when it does not exist (idempotent: every worker process calls it at start). */
export async function ensureMonitorSchedule(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: MONITOR_SCHEDULE_ID,
      spec: { intervals: [{ every: `${MONITOR_TICK_SECONDS} seconds` }] },
      action: { type: "startWorkflow", workflowType: "monitorTick", workflowId: "conveyor-monitor-tick", taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: "1 minute" },
      memo: { what: "computes due monitor windows of every deployment" },
    });
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
  }
}
